//! The classic libpcap file format (the format's own description, "libpcap File Format",
//! IETF draft-ietf-opsawg-pcap): a global header, then one record header and the frame's bytes
//! per packet, all little-endian, microsecond timestamps.

/// Link type of every record: radiotap + 802.11 (LINKTYPE_IEEE802_11_RADIOTAP).
const LINKTYPE_RADIOTAP: u32 = 127;
/// Largest frame kept whole.
const SNAPLEN: u32 = 65_535;

/// The 24-byte global header.
pub fn file_header() -> [u8; 24] {
    let mut h = [0u8; 24];
    h[0..4].copy_from_slice(&0xa1b2_c3d4_u32.to_le_bytes());
    h[4..6].copy_from_slice(&2u16.to_le_bytes());
    h[6..8].copy_from_slice(&4u16.to_le_bytes());
    h[16..20].copy_from_slice(&SNAPLEN.to_le_bytes());
    h[20..24].copy_from_slice(&LINKTYPE_RADIOTAP.to_le_bytes());
    h
}

/// One record: (seconds, microseconds) and the frame.
pub fn record(out: &mut Vec<u8>, (s, us): (u32, u32), frame: &[u8]) {
    let len = frame.len().min(SNAPLEN as usize) as u32;
    out.extend(s.to_le_bytes());
    out.extend(us.to_le_bytes());
    out.extend(len.to_le_bytes());
    out.extend((frame.len() as u32).to_le_bytes());
    out.extend(&frame[..len as usize]);
}

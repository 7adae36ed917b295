//! The link layer around a network packet, as a capture shows it: a radiotap header (the
//! radio's view: channel, rate, power), an IEEE 802.11 QoS data frame sent outside the context
//! of a BSS (OCB, 802.11-2016 §11.19: to the broadcast address, wildcard BSSID), and LLC/SNAP
//! naming the protocol (EtherType 0x8947 GeoNetworking, 0x88DC WSMP).
//!
//! PC5 carries the same packets over its own MAC/RLC/PDCP; captures show them in this framing
//! too, with PC5's channel, so that one dissector reads both (docs/v2x-models.md).

/// EtherTypes in the SNAP header.
pub const ETHERTYPE_GN: u16 = 0x8947;
pub const ETHERTYPE_WSMP: u16 = 0x88DC;
/// 802.11 QoS data header (24 + 2 QoS control), LLC/SNAP and FCS, bytes: the MAC overhead
/// every 802.11p frame carries on the air.
pub const MAC_HEADER_LEN: usize = 26;
pub const LLC_LEN: usize = 8;
pub const FCS_LEN: usize = 4;

/// The radio side of one frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Radio {
    /// Centre frequency, MHz.
    pub freq_mhz: u16,
    /// Channel width, MHz (10 is 802.11p's half-rate channel).
    pub bandwidth_mhz: f64,
    /// Data rate, Mbit/s.
    pub rate_mbps: f64,
    /// Transmit power, dBm.
    pub tx_dbm: f64,
    /// Received signal at the capturing station, dBm (receptions only).
    pub rx_dbm: Option<f64>,
}

/// Radiotap (radiotap.org): Flags, Rate, Channel, and the antenna signal (receptions) and
/// transmit power fields, each at its natural alignment in bit order.
pub fn radiotap(r: &Radio) -> Vec<u8> {
    const FLAGS: u32 = 1 << 1;
    const RATE: u32 = 1 << 2;
    const CHANNEL: u32 = 1 << 3;
    const ANTENNA_SIGNAL: u32 = 1 << 5;
    const TX_POWER: u32 = 1 << 10;
    let mut present = FLAGS | RATE | CHANNEL | TX_POWER;
    if r.rx_dbm.is_some() {
        present |= ANTENNA_SIGNAL;
    }
    // Channel flags: OFDM (0x0040), 5 GHz (0x0100), half rate (0x4000) on a 10 MHz channel.
    let mut chan_flags: u16 = 0x0140;
    if r.bandwidth_mhz < 15.0 {
        chan_flags |= 0x4000;
    }
    let rate = (r.rate_mbps * 2.0).round().clamp(0.0, 255.0) as u8; // 500 kbit/s units
    let mut out = vec![0, 0, 0, 0];
    out.extend(present.to_le_bytes());
    out.extend([0, rate]); // flags: no FCS in the capture
    out.extend(r.freq_mhz.to_le_bytes());
    out.extend(chan_flags.to_le_bytes());
    if let Some(rx) = r.rx_dbm {
        out.push(dbm(rx));
    }
    out.push(dbm(r.tx_dbm));
    let len = out.len() as u16;
    out[2..4].copy_from_slice(&len.to_le_bytes());
    out
}

fn dbm(v: f64) -> u8 {
    v.round().clamp(-128.0, 127.0) as i8 as u8
}

/// 802.11 QoS data header from `src` to everyone (OCB), with the user priority of the
/// message's access category (802.11-2016 Table 10-1: AC_BE 0, AC_VI 5, AC_VO 6), then
/// LLC/SNAP for `ethertype`.
pub fn mac_and_llc(src: [u8; 6], seq: u16, user_priority: u8, ethertype: u16) -> Vec<u8> {
    const BROADCAST: [u8; 6] = [0xff; 6];
    let mut out = Vec::with_capacity(MAC_HEADER_LEN + LLC_LEN);
    out.extend([0x88, 0x00, 0x00, 0x00]); // frame control: QoS data, no flags; duration 0
    out.extend(BROADCAST);
    out.extend(src);
    out.extend(BROADCAST); // wildcard BSSID
    out.extend(((seq & 0x0fff) << 4).to_le_bytes());
    out.extend(u16::from(user_priority & 0x07).to_le_bytes());
    out.extend([0xaa, 0xaa, 0x03, 0, 0, 0]);
    out.extend(ethertype.to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn radiotap_fields_sit_at_their_alignment() {
        let r = Radio {
            freq_mhz: 5910,
            bandwidth_mhz: 10.0,
            rate_mbps: 6.0,
            tx_dbm: 23.0,
            rx_dbm: Some(-71.4),
        };
        let h = radiotap(&r);
        assert_eq!(h.len(), 16);
        assert_eq!(u16::from_le_bytes([h[2], h[3]]), 16);
        assert_eq!(h[9], 12, "6 Mbit/s in 500 kbit/s units");
        assert_eq!(
            u16::from_le_bytes([h[10], h[11]]),
            5910,
            "channel at offset 10 (2-aligned)"
        );
        assert_eq!(u16::from_le_bytes([h[12], h[13]]), 0x4140);
        assert_eq!(h[14] as i8, -71);
        assert_eq!(h[15] as i8, 23);
        let tx = radiotap(&Radio { rx_dbm: None, ..r });
        assert_eq!(tx.len(), 15);
    }

    #[test]
    fn mac_header_is_26_bytes_then_snap() {
        let h = mac_and_llc([2, 0, 0, 0, 0, 9], 5, 5, ETHERTYPE_GN);
        assert_eq!(h.len(), MAC_HEADER_LEN + LLC_LEN);
        assert_eq!(&h[4..10], &[0xff; 6]);
        assert_eq!(u16::from_le_bytes([h[22], h[23]]), 5 << 4);
        assert_eq!(h[24], 5);
        assert_eq!(&h[32..34], &[0x89, 0x47]);
    }
}

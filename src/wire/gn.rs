//! GeoNetworking (ETSI EN 302 636-4-1 V1.4.1) and BTP-B (EN 302 636-5-1 V2.2.1) headers: the
//! network and transport layers of every ETSI message, written byte by byte from the standard's
//! field layout (§9.6-9.8 and §8.5 of 636-4-1; §7.3 of 636-5-1). docs/v2x-models.md.

use super::time::its_ms;

/// GN protocol version in the basic header (EN 302 636-4-1 V1.3.1 and later: 1).
const GN_VERSION: u8 = 1;
/// Basic header NH: a common header follows (1) or a secured packet (2), §9.6.
pub const NH_COMMON: u8 = 1;
pub const NH_SECURED: u8 = 2;
/// Common header NH: BTP-B (2), §9.7.
const NH_BTP_B: u8 = 2;
/// Header types (§9.7.4): GeoBroadcast (4, subtype 0 = circle) and topologically scoped
/// broadcast (5, subtype 0 = single hop).
const HT_GBC_CIRCLE: u8 = 0x40;
const HT_TSB_SINGLE_HOP: u8 = 0x50;
/// Bytes of the basic, common, SHB-extended and GBC-extended headers, and of BTP-B.
pub const BASIC_LEN: usize = 4;
pub const COMMON_LEN: usize = 8;
pub const SHB_LEN: usize = 28;
pub const GBC_LEN: usize = 44;
pub const BTP_B_LEN: usize = 4;

/// How a packet is forwarded: one hop to everyone around (CAM, CPM, SPATEM, MAPEM), or to a
/// circular destination area (DENM).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Forwarding {
    SingleHop,
    /// Centre (lat, lon in degrees) and radius (m) of the destination area.
    GeoBroadcast {
        centre: (f64, f64),
        radius_m: f64,
        sequence: u16,
    },
}

/// The sender as the long position vector describes it (§8.5.2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Source {
    /// ITS station type (TS 102 894-2 StationType: 5 passenger car, 6 bus, 15 roadside unit).
    pub station_type: u8,
    /// The link-layer (MAC) address, also the GN address's MID.
    pub mac: [u8; 6],
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// m/s, ≥ 0.
    pub speed: f64,
    /// Degrees clockwise from north.
    pub heading_deg: f64,
    /// Whether the station moves (the common header's mobile flag).
    pub mobile: bool,
}

/// What the common header says about the packet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Packet {
    pub forwarding: Forwarding,
    /// Packet lifetime, s (coded on the basic header's 6-bit multiplier and 2-bit base).
    pub lifetime_s: f64,
    /// Traffic class ID: the DCC profile (TS 102 636-4-2: DP1 DENM, DP2 CAM, DP3 others).
    pub traffic_class: u8,
    /// BTP-B destination port (TS 103 248: 2001 CAM, 2002 DENM, 2003 MAPEM, 2004 SPATEM,
    /// 2009 CPM).
    pub port: u16,
}

/// The MAC address of station `n`: locally administered, unicast, the number in the last four
/// octets (IEEE 802 §8.2: bit 1 of the first octet set, bit 0 clear).
pub fn mac(n: u32) -> [u8; 6] {
    let b = n.to_be_bytes();
    [0x02, 0x00, b[0], b[1], b[2], b[3]]
}

/// The GN basic header (§9.6): version, next header, lifetime, hop limit 1.
pub fn basic_header(next: u8, lifetime_s: f64) -> [u8; BASIC_LEN] {
    [GN_VERSION << 4 | next, 0, lifetime(lifetime_s), 1]
}

/// The common header, extended header and BTP-B header of a packet carrying `payload_len` bytes,
/// generated at `now_us` of simulated time (§9.7-9.8.4; BTP-B destination port info 0).
pub fn common_and_extended(p: &Packet, s: &Source, now_us: u64, payload_len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(COMMON_LEN + GBC_LEN + BTP_B_LEN);
    let ht = match p.forwarding {
        Forwarding::SingleHop => HT_TSB_SINGLE_HOP,
        Forwarding::GeoBroadcast { .. } => HT_GBC_CIRCLE,
    };
    let pl = u16::try_from(BTP_B_LEN + payload_len).unwrap_or(u16::MAX);
    out.extend([NH_BTP_B << 4, ht, p.traffic_class & 0x3f]);
    out.push(if s.mobile { 0x80 } else { 0 });
    out.extend(pl.to_be_bytes());
    out.extend([1, 0]); // maximum hop limit, reserved
    match p.forwarding {
        Forwarding::SingleHop => {
            long_position_vector(&mut out, s, now_us);
            out.extend([0; 4]); // media-dependent data (DCC), unused
        }
        Forwarding::GeoBroadcast {
            centre,
            radius_m,
            sequence,
        } => {
            out.extend(sequence.to_be_bytes());
            out.extend([0; 2]);
            long_position_vector(&mut out, s, now_us);
            out.extend(tenth_microdegrees(centre.0).to_be_bytes());
            out.extend(tenth_microdegrees(centre.1).to_be_bytes());
            let r = radius_m.round().clamp(0.0, 65_535.0) as u16;
            out.extend(r.to_be_bytes()); // distance a: the radius
            out.extend([0; 6]); // distance b and angle: 0 for a circle (EN 302 931), reserved
        }
    }
    out.extend(p.port.to_be_bytes());
    out.extend([0; 2]);
    out
}

/// Long position vector (§8.5.2): GN address (M = 1, station type, MID = MAC), timestamp,
/// position, accuracy flag, speed and heading.
fn long_position_vector(out: &mut Vec<u8>, s: &Source, now_us: u64) {
    let addr_hi = 0x8000 | u16::from(s.station_type & 0x1f) << 10;
    out.extend(addr_hi.to_be_bytes());
    out.extend(s.mac);
    out.extend((its_ms(now_us) as u32).to_be_bytes());
    out.extend(tenth_microdegrees(s.lat_deg).to_be_bytes());
    out.extend(tenth_microdegrees(s.lon_deg).to_be_bytes());
    // PAI = 1 (the position is as accurate as the simulation), speed in 0.01 m/s (15-bit signed).
    let speed = (s.speed * 100.0).round().clamp(0.0, 16_383.0) as u16;
    out.extend((0x8000 | speed).to_be_bytes());
    let heading = (s.heading_deg.rem_euclid(360.0) * 10.0).round() as u16 % 3600;
    out.extend(heading.to_be_bytes());
}

/// Degrees as the 32-bit signed tenths of a microdegree of GN and the ETSI CDD.
pub fn tenth_microdegrees(deg: f64) -> i32 {
    (deg * 1e7).round() as i32
}

/// The lifetime field (§9.6.4): multiplier (6 bits) × base (0: 50 ms, 1: 1 s, 2: 10 s, 3: 100 s),
/// the finest base that holds `s` (at most 63 × 100 s).
fn lifetime(s: f64) -> u8 {
    let ms = (s * 1000.0).round().max(50.0);
    let bases = [(0u8, 50.0), (1, 1000.0), (2, 10_000.0), (3, 100_000.0)];
    for (code, unit) in bases {
        let m = (ms / unit).round();
        if m <= 63.0 {
            return (m as u8) << 2 | code;
        }
    }
    63 << 2 | 3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> Source {
        Source {
            station_type: 5,
            mac: mac(0x0102_0304),
            lat_deg: 37.577,
            lon_deg: 126.8898,
            speed: 13.89,
            heading_deg: 90.0,
            mobile: true,
        }
    }

    #[test]
    fn lifetime_codes_take_the_finest_base_that_fits() {
        // §9.6.4: value = multiplier × base. 1 s = 20 × 50 ms; 60 s = 60 × 1 s; 600 s no longer
        // fits 63 × 1 s, so 60 × 10 s; beyond 63 × 100 s the largest lifetime.
        assert_eq!(lifetime(1.0), 20 << 2);
        assert_eq!(lifetime(0.1), 2 << 2);
        assert_eq!(lifetime(60.0), 60 << 2 | 1);
        assert_eq!(lifetime(600.0), 60 << 2 | 2);
        assert_eq!(lifetime(1e6), 63 << 2 | 3);
    }

    #[test]
    fn single_hop_layout() {
        let p = Packet {
            forwarding: Forwarding::SingleHop,
            lifetime_s: 1.0,
            traffic_class: 2,
            port: 2001,
        };
        let h = common_and_extended(&p, &source(), 0, 50);
        assert_eq!(h.len(), COMMON_LEN + SHB_LEN + BTP_B_LEN);
        assert_eq!(h[0] >> 4, NH_BTP_B);
        assert_eq!(h[1], 0x50);
        assert_eq!(
            u16::from_be_bytes([h[4], h[5]]),
            54,
            "payload length counts BTP"
        );
        // GN address: M = 1, station type 5, then the MAC.
        assert_eq!(u16::from_be_bytes([h[8], h[9]]), 0x8000 | 5 << 10);
        assert_eq!(&h[10..16], &[2, 0, 1, 2, 3, 4]);
        let lat = i32::from_be_bytes([h[20], h[21], h[22], h[23]]);
        assert_eq!(lat, 375_770_000);
        let speed = u16::from_be_bytes([h[28], h[29]]);
        assert_eq!(speed, 0x8000 | 1389);
        assert_eq!(u16::from_be_bytes([h[30], h[31]]), 900);
        assert_eq!(u16::from_be_bytes([h[36], h[37]]), 2001);
    }

    #[test]
    fn geobroadcast_carries_its_area() {
        let p = Packet {
            forwarding: Forwarding::GeoBroadcast {
                centre: (37.5, 127.0),
                radius_m: 500.0,
                sequence: 7,
            },
            lifetime_s: 10.0,
            traffic_class: 1,
            port: 2002,
        };
        let h = common_and_extended(&p, &source(), 0, 10);
        assert_eq!(h.len(), COMMON_LEN + GBC_LEN + BTP_B_LEN);
        assert_eq!(h[1], 0x40);
        assert_eq!(u16::from_be_bytes([h[8], h[9]]), 7);
        let area = COMMON_LEN + 4 + 24;
        let lon = i32::from_be_bytes(h[area + 4..area + 8].try_into().unwrap());
        assert_eq!(lon, 1_270_000_000);
        assert_eq!(u16::from_be_bytes([h[area + 8], h[area + 9]]), 500);
    }
}

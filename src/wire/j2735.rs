//! SAE J2735 (2016-03) messages in ASN.1 UPER, for the Korean C-ITS profile: the
//! MessageFrame, and the Basic Safety Message's part I (BSMcoreData) written field by field
//! from the standard's type definitions (each constrained integer takes the bits of its range,
//! X.691 §12; no extension markers in BSMcoreData). docs/v2x-models.md.
//!
//! SAE's ASN.1 module is not freely licensed and no maintained Rust crate encodes J2735, so
//! the fields are written here; SPaT and MAP share their definitions with ISO TS 19091, whose
//! encoder `wire::its` already has.

/// DSRCmsgID of the Basic Safety Message (J2735 §5.2 MessageTypes).
pub const MSG_BSM: u16 = 20;

/// Bits appended most significant first, as UPER writes them.
#[derive(Debug, Default)]
pub struct Bits {
    bytes: Vec<u8>,
    len: usize,
}

impl Bits {
    /// Append the `n` low bits of `v`.
    pub fn put(&mut self, v: u64, n: usize) {
        for i in (0..n).rev() {
            if self.len.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if (v >> i) & 1 == 1 {
                let last = self.bytes.len() - 1;
                self.bytes[last] |= 0x80 >> (self.len % 8);
            }
            self.len += 1;
        }
    }

    /// A constrained whole number in `lo..=hi` (X.691 §12.2.2: offset from `lo` in the bits
    /// of the range), clamped into it.
    pub fn int(&mut self, v: i64, lo: i64, hi: i64) {
        let range = (hi - lo) as u64 + 1;
        let bits = 64 - (range - 1).leading_zeros() as usize;
        self.put((v.clamp(lo, hi) - lo) as u64, bits);
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The octets, the last padded with zero bits.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// What a BSM's part I says about its sender.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoreData {
    /// MsgCount, 0..127, one more per BSM.
    pub count: u8,
    /// TemporaryID.
    pub id: u32,
    /// Milliseconds into the UTC minute.
    pub sec_mark_ms: u16,
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// m/s.
    pub speed: f64,
    /// Degrees clockwise from north.
    pub heading_deg: f64,
    /// Longitudinal acceleration, m/s².
    pub accel: f64,
    /// m.
    pub width_m: f64,
    pub length_m: f64,
}

/// A MessageFrame around a BSM with part I only.
pub fn bsm(c: &CoreData) -> Vec<u8> {
    let mut b = Bits::default();
    b.put(0, 1); // BasicSafetyMessage: no extensions
    b.put(0, 2); // partII, regional absent
    core_data(&mut b, c);
    message_frame(MSG_BSM, &b.into_bytes())
}

/// MessageFrame ::= SEQUENCE { messageId (0..32767), value (open type), ... }: the extension
/// bit, 15 bits of id, then the value as an open type (its octet length, X.691 §11.9).
pub fn message_frame(id: u16, value: &[u8]) -> Vec<u8> {
    let mut b = Bits::default();
    b.put(0, 1);
    b.int(i64::from(id), 0, 32_767);
    let n = value.len();
    if n < 128 {
        b.put(n as u64, 8);
    } else {
        b.put(0x8000 | (n as u64 & 0x3fff), 16);
    }
    let mut out = b.into_bytes();
    out.extend(value);
    out
}

/// BSMcoreData (J2735 §6.7), in its field order. What the simulation does not know is sent as
/// the type's "unavailable" value: elevation −4096, steering angle 127, lateral acceleration
/// 2001, vertical −127, brake status unavailable; yaw rate, which has none, 0.
fn core_data(b: &mut Bits, c: &CoreData) {
    b.int(i64::from(c.count % 128), 0, 127);
    b.put(u64::from(c.id), 32);
    b.int(i64::from(c.sec_mark_ms), 0, 65_535);
    b.int((c.lat_deg * 1e7).round() as i64, -900_000_000, 900_000_001);
    b.int(
        (c.lon_deg * 1e7).round() as i64,
        -1_799_999_999,
        1_800_000_001,
    );
    b.int(-4096, -4096, 61_439);
    // PositionalAccuracy: semi-axes of 0.05 m (the finest), orientation 0.
    b.int(1, 0, 255);
    b.int(1, 0, 255);
    b.int(0, 0, 65_535);
    b.int(2, 0, 7); // TransmissionState forwardGears
    b.int((c.speed / 0.02).round() as i64, 0, 8190);
    let heading = (c.heading_deg.rem_euclid(360.0) / 0.0125).round() as i64 % 28_800;
    b.int(heading, 0, 28_800);
    b.int(127, -126, 127);
    b.int((c.accel * 100.0).round() as i64, -2000, 2000);
    b.int(2001, -2000, 2001);
    b.int(-127, -127, 127);
    b.int(0, -32_767, 32_767);
    b.put(0b10000, 5); // wheelBrakes: unavailable
    b.put(0, 10); // traction, abs, scs, brakeBoost, auxBrakes: unavailable
    b.int((c.width_m * 100.0).round() as i64, 0, 1023);
    b.int((c.length_m * 100.0).round() as i64, 0, 4095);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn core() -> CoreData {
        CoreData {
            count: 5,
            id: 0x0102_0304,
            sec_mark_ms: 12_345,
            lat_deg: 37.577,
            lon_deg: 126.8898,
            speed: 13.9,
            heading_deg: 90.0,
            accel: -0.5,
            width_m: 1.8,
            length_m: 4.5,
        }
    }

    #[test]
    fn constrained_integers_take_the_bits_of_their_range() {
        let mut b = Bits::default();
        b.int(5, 0, 127); // 7 bits
        b.int(0, -900_000_000, 900_000_001); // 31 bits
        b.int(0, -1_799_999_999, 1_800_000_001); // 32 bits
        b.int(0, 0, 28_800); // 15 bits
        b.int(0, -126, 127); // 8 bits
        assert_eq!(b.len(), 7 + 31 + 32 + 15 + 8);
        let mut b = Bits::default();
        b.int(3, 1, 4); // offset 2 in 2 bits
        b.put(1, 1);
        assert_eq!(b.into_bytes(), [0b1010_0000]);
    }

    #[test]
    fn a_part_i_bsm_is_40_bytes_with_its_frame() {
        // BSMcoreData: 7+32+16+31+32+16+32+3+13+15+8+48+15+22 = 290 bits; the BSM's extension and
        // presence bits make 293, 37 octets; the frame adds 2 octets of id and 1 of length.
        let f = bsm(&core());
        assert_eq!(f.len(), 40);
        // Extension bit 0 and id 20 in 15 bits: 0000 0000 0001 0100.
        assert_eq!(&f[..3], &[0x00, 0x14, 37]);
        // The BSM starts with its three bits (0, 0, 0), then msgCnt 5 in 7 bits.
        assert_eq!(f[3] >> 5, 0);
        assert_eq!((u16::from(f[3]) << 8 | u16::from(f[4])) >> 6 & 0x7f, 5);
        // Then the TemporaryID.
        let id = (u64::from_be_bytes([0, 0, 0, f[4], f[5], f[6], f[7], f[8]]) >> 6) & 0xffff_ffff;
        assert_eq!(id, 0x0102_0304);
    }
}

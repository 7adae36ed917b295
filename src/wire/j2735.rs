//! SAE J2735 (2016-03) messages in ASN.1 UPER, for the Korean C-ITS profile: the
//! MessageFrame, and the Basic Safety Message's part I (BSMcoreData) written field by field
//! from the standard's type definitions (each constrained integer takes the bits of its range,
//! X.691 §12; no extension markers in BSMcoreData). docs/v2x-models.md.
//!
//! SAE's ASN.1 module is not freely licensed and no maintained Rust crate encodes J2735, so
//! the fields are written here; SPaT and MAP share their definitions with ISO TS 19091, whose
//! encoder `wire::its` already has.

/// DSRCmsgIDs (J2735 §5.2 MessageTypes): MapData 18, SPAT 19, Basic Safety Message 20,
/// Intersection Collision 23, Probe Vehicle Data 26, Road Side Alert 27, Traveler
/// Information 31.
pub const MSG_MAP: u16 = 18;
pub const MSG_SPAT: u16 = 19;
pub const MSG_BSM: u16 = 20;
pub const MSG_ICA: u16 = 23;
pub const MSG_PVD: u16 = 26;
pub const MSG_RSA: u16 = 27;
pub const MSG_TIM: u16 = 31;

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

/// A MessageFrame around a BSM: part I, and when `events` (VehicleEventFlags bits, bit 0 =
/// eventHazardLights) has any set, part II with the VehicleSafetyExtensions carrying them.
/// SAE J2945/1 also puts path history and path prediction in part II; they are not sent here.
pub fn bsm(c: &CoreData, events: u16) -> Vec<u8> {
    let mut b = Bits::default();
    b.put(0, 1); // BasicSafetyMessage: no extensions
    b.put(u64::from(events != 0), 1); // partII
    b.put(0, 1); // regional absent
    core_data(&mut b, c);
    if events != 0 {
        b.int(0, 1, 8); // SEQUENCE (SIZE(1..8)) OF PartIIcontent: one
        b.int(PART_II_VEHICLE_SAFETY, 0, 63);
        open_type(&mut b, &safety_extensions(events));
    }
    message_frame(MSG_BSM, &b.into_bytes())
}

/// PartII-Id of the VehicleSafetyExtensions (J2735 §6.118: vehicleSafetyExt 0).
const PART_II_VEHICLE_SAFETY: i64 = 0;

/// VehicleSafetyExtensions ::= SEQUENCE { events VehicleEventFlags OPTIONAL, pathHistory,
/// pathPrediction, lights (all OPTIONAL), ... }: events only. VehicleEventFlags is a BIT
/// STRING (SIZE (13, ...)): the size's extension bit, then the 13 named bits, bit 0 first.
fn safety_extensions(events: u16) -> Vec<u8> {
    let mut b = Bits::default();
    b.put(0, 1);
    b.put(0b1000, 4);
    event_flags(&mut b, events);
    b.into_bytes()
}

/// VehicleEventFlags ::= BIT STRING {...} (SIZE (13, ...)): the size's extension bit, then the
/// 13 named bits, bit 0 (eventHazardLights) first.
fn event_flags(b: &mut Bits, events: u16) {
    b.put(0, 1);
    for bit in 0..13 {
        b.put(u64::from(events >> bit & 1), 1);
    }
}

/// What an Intersection Collision Avoidance message says about a vehicle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Collision {
    /// MsgCount, 0..127.
    pub count: u8,
    pub minute_of_year: u32,
    /// The vehicle: its TemporaryID is `core.id`.
    pub core: CoreData,
    /// IntersectionID (0..65535).
    pub intersection: u16,
    /// ApproachID (0..15).
    pub approach: u8,
    /// VehicleEventFlags bits.
    pub events: u16,
}

/// A MessageFrame around an IntersectionCollision ::= SEQUENCE { msgCnt, id TemporaryID,
/// timeStamp OPTIONAL, partOne BSMcoreData OPTIONAL, path, pathPrediction OPTIONAL,
/// intersectionID IntersectionReferenceID, laneNumber ApproachOrLane, eventFlag
/// VehicleEventFlags, regional OPTIONAL, ... }: the vehicle's core data, the intersection
/// (no road regulator id), its approach (the CHOICE's first alternative) and the flags.
pub fn ica(c: &Collision) -> Vec<u8> {
    let mut b = Bits::default();
    b.put(0, 1);
    b.put(0b11000, 5); // timeStamp and partOne present
    msg_count(&mut b, c.count);
    b.put(u64::from(c.core.id), 32);
    minute_of_year(&mut b, c.minute_of_year);
    core_data(&mut b, &c.core);
    b.put(0, 1); // IntersectionReferenceID: region absent
    b.int(i64::from(c.intersection), 0, 65_535);
    b.put(0, 1); // ApproachOrLane: approach
    b.int(i64::from(c.approach), 0, 15);
    event_flags(&mut b, c.events);
    message_frame(MSG_ICA, &b.into_bytes())
}

/// MsgCount (0..127), wrapping.
fn msg_count(b: &mut Bits, n: u8) {
    b.int(i64::from(n % 128), 0, 127);
}

/// MinuteOfTheYear (0..527040).
fn minute_of_year(b: &mut Bits, m: u32) {
    b.int(i64::from(m), 0, 527_040);
}

/// Latitude in 0.1 µdeg (-900000000..900000001).
fn latitude(b: &mut Bits, deg: f64) {
    b.int((deg * 1e7).round() as i64, -900_000_000, 900_000_001);
}

/// Longitude in 0.1 µdeg (-1799999999..1800000001).
fn longitude(b: &mut Bits, deg: f64) {
    b.int((deg * 1e7).round() as i64, -1_799_999_999, 1_800_000_001);
}

/// An open type's value (X.691 §11.2): its octet length, then the octets.
fn open_type(b: &mut Bits, value: &[u8]) {
    length(b, value.len());
    for &byte in value {
        b.put(u64::from(byte), 8);
    }
}

/// An unconstrained length determinant (X.691 §11.9.3.6-7): one octet below 128, else two.
fn length(b: &mut Bits, n: usize) {
    if n < 128 {
        b.put(n as u64, 8);
    } else {
        b.put(0x8000 | (n as u64 & 0x3fff), 16);
    }
}

/// What a Probe Vehicle Data report says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Probe {
    pub minute_of_year: u32,
    /// ProbeSegmentNumber, 0..32767.
    pub segment: u16,
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Degrees clockwise from north.
    pub heading_deg: f64,
    /// m/s.
    pub speed: f64,
    /// J2735 VehicleType (HPMS class): car 4, bus 6, a three-axle truck 8.
    pub hpms_type: u8,
}

/// A MessageFrame around a ProbeVehicleData ::= SEQUENCE { timeStamp, segNum, probeID OPTIONAL,
/// startVector FullPositionVector, vehicleType VehicleClassification, snapshots SEQUENCE
/// (SIZE(1..32)) OF Snapshot, regional OPTIONAL, ... }: time stamp, segment number, the position
/// with heading and speed as start vector and as its one snapshot, and the HPMS vehicle type.
pub fn pvd(p: &Probe) -> Vec<u8> {
    let mut b = Bits::default();
    b.put(0, 1);
    b.put(0b1100, 4); // timeStamp and segNum present
    minute_of_year(&mut b, p.minute_of_year);
    b.int(i64::from(p.segment), 0, 32_767);
    full_position(&mut b, p);
    // VehicleClassification { keyType, role, iso3883, hpmsType, ... (9 OPTIONAL), ... }:
    // hpmsType only, an extensible ENUMERATED of 16 root values.
    b.put(0, 1);
    b.put(1 << 5, 9);
    b.put(0, 1);
    b.int(i64::from(p.hpms_type), 0, 15);
    b.int(0, 1, 32); // one Snapshot
    b.put(0, 1); // Snapshot { thePosition, safetyExt OPTIONAL, dataSet OPTIONAL, ... }
    b.put(0, 2);
    full_position(&mut b, p);
    message_frame(MSG_PVD, &b.into_bytes())
}

/// FullPositionVector { utcTime, long, lat, elevation, heading, speed (TransmissionAndSpeed),
/// four more, all but long and lat OPTIONAL, ... } with heading and speed.
fn full_position(b: &mut Bits, p: &Probe) {
    b.put(0, 1);
    b.put(0b0011_0000, 8);
    longitude(b, p.lon_deg);
    latitude(b, p.lat_deg);
    let heading = (p.heading_deg.rem_euclid(360.0) / 0.0125).round() as i64 % 28_800;
    b.int(heading, 0, 28_800);
    b.int(2, 0, 7); // forwardGears
    b.int((p.speed / 0.02).round() as i64, 0, 8190);
}

/// What a Road Side Alert says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Alert {
    /// MsgCount, 0..127.
    pub count: u8,
    /// MinuteOfTheYear (UTC) of the alert.
    pub minute_of_year: u32,
    /// ITIS code of the event (SAE J2540-2).
    pub itis: u16,
    /// Where the event is.
    pub lat_deg: f64,
    pub lon_deg: f64,
}

/// A MessageFrame around a RoadSideAlert ::= SEQUENCE { msgCnt, timeStamp OPTIONAL,
/// typeEvent, description, priority, heading, extent OPTIONAL, position FullPositionVector
/// OPTIONAL, furtherInfoID, regional OPTIONAL, ... }: count, time stamp, event and position.
pub fn rsa(a: &Alert) -> Vec<u8> {
    let mut b = Bits::default();
    b.put(0, 1);
    b.put(0b1000_0100, 8); // timeStamp and position present
    msg_count(&mut b, a.count);
    minute_of_year(&mut b, a.minute_of_year);
    b.int(i64::from(a.itis), 0, 65_535);
    // FullPositionVector { utcTime OPTIONAL, long, lat, eight more OPTIONAL, ... }.
    b.put(0, 1);
    b.put(0, 8);
    longitude(&mut b, a.lon_deg);
    latitude(&mut b, a.lat_deg);
    message_frame(MSG_RSA, &b.into_bytes())
}

/// What a Traveler Information Message says: one advisory about a circle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Advisory {
    /// MsgCount, 0..127.
    pub count: u8,
    /// MinuteOfTheYear (UTC) the message was sent.
    pub minute_of_year: u32,
    /// FurtherInfoID: the two octets that tell this advisory from others of the sender.
    pub id: u16,
    /// MinuteOfTheYear it starts, and how many minutes it lasts (MinutesDuration, ≤ 32000).
    pub start_minute: u32,
    pub duration_min: u16,
    /// ITIS code of the advisory (SAE J2540-2).
    pub itis: u16,
    /// The centre of the circle it applies to, and its radius (m, ≤ 4095).
    pub lat_deg: f64,
    pub lon_deg: f64,
    pub radius_m: f64,
}

/// Priority of a road-works advisory, 0..7 (SignPrority: 0 least, 7 most important; assumed).
const ADVISORY_PRIORITY: i64 = 5;

/// A MessageFrame around a TravelerInformation ::= SEQUENCE { msgCnt, timeStamp OPTIONAL,
/// packetID OPTIONAL, urlB OPTIONAL, dataFrames SEQUENCE (SIZE(1..8)) OF TravelerDataFrame,
/// regional OPTIONAL, ... } with one data frame: an advisory (frameType 1) with its ITIS code,
/// for the circle around the event, from its start for its duration.
pub fn tim(a: &Advisory) -> Vec<u8> {
    let mut b = Bits::default();
    b.put(0, 1);
    b.put(0b1000, 4); // timeStamp present
    msg_count(&mut b, a.count);
    minute_of_year(&mut b, a.minute_of_year);
    b.int(0, 0, 7); // one data frame
    traveler_data_frame(&mut b, a);
    message_frame(MSG_TIM, &b.into_bytes())
}

/// TravelerDataFrame { sspTimRights, frameType (extensible ENUMERATED), msgId CHOICE
/// { furtherInfoID, roadSignID }, startYear OPTIONAL, startTime, duratonTime, priority,
/// sspLocationRights, regions SEQUENCE (SIZE(1..16)) OF GeographicalPath, sspMsgRights1,
/// sspMsgRights2, content CHOICE { advisory, workZone, genericSign, speedLimit, exitService },
/// url OPTIONAL, ... }. The SSP indices are 0: the certificate carries no service permissions.
fn traveler_data_frame(b: &mut Bits, a: &Advisory) {
    b.put(0, 1);
    b.put(0b00, 2); // no startYear, no url
    b.int(0, 0, 31);
    b.put(0, 1);
    b.int(1, 0, 3); // frameType advisory
    b.put(0, 1); // msgId: furtherInfoID
    b.put(u64::from(a.id), 16);
    minute_of_year(b, a.start_minute);
    b.int(i64::from(a.duration_min.min(32_000)), 0, 32_000);
    b.int(ADVISORY_PRIORITY, 0, 7);
    b.int(0, 0, 31);
    b.int(0, 0, 15); // one region
    circle_region(b, a);
    b.int(0, 0, 31);
    b.int(0, 0, 31);
    b.int(0, 0, 4); // content: advisory, ITIScodesAndText
    b.int(0, 0, 99); // one item
    b.put(0, 1); // item: itis
    b.int(i64::from(a.itis), 0, 65_535);
}

/// GeographicalPath { name, id, anchor, laneWidth, directionality, closedPath, direction,
/// description CHOICE { path, geometry, oldRegion, ... }, regional, all OPTIONAL, ... } with an
/// anchor and a GeometricProjection { direction HeadingSlice, extent OPTIONAL, laneWidth
/// OPTIONAL, circle Circle { center Position3D, radius Radius-B12, units DistanceUnits },
/// regional OPTIONAL, ... } that applies in every direction.
fn circle_region(b: &mut Bits, a: &Advisory) {
    b.put(0, 1);
    b.put(0b0_0100_0010, 9); // anchor (3rd) and description (8th)
    position_3d(b, a.lat_deg, a.lon_deg);
    b.put(0, 1);
    b.int(1, 0, 2); // description: geometry
    b.put(0, 1);
    b.put(0b000, 3);
    b.put(0xffff, 16); // HeadingSlice: all sixteen sectors
    position_3d(b, a.lat_deg, a.lon_deg);
    b.int(a.radius_m.round().clamp(0.0, 4095.0) as i64, 0, 4095);
    b.int(3, 0, 7); // DistanceUnits meter
}

/// Position3D { lat, long, elevation OPTIONAL, regional OPTIONAL, ... }.
fn position_3d(b: &mut Bits, lat_deg: f64, lon_deg: f64) {
    b.put(0, 1);
    b.put(0b00, 2);
    latitude(b, lat_deg);
    longitude(b, lon_deg);
}

/// MessageFrame ::= SEQUENCE { messageId (0..32767), value (open type), ... }: the extension
/// bit, 15 bits of id, then the value as an open type (its octet length, X.691 §11.9).
pub fn message_frame(id: u16, value: &[u8]) -> Vec<u8> {
    let mut b = Bits::default();
    b.put(0, 1);
    b.int(i64::from(id), 0, 32_767);
    length(&mut b, value.len());
    let mut out = b.into_bytes();
    out.extend(value);
    out
}

/// BSMcoreData (J2735 §6.7), in its field order. What the simulation does not know is sent as
/// the type's "unavailable" value: elevation −4096, steering angle 127, lateral acceleration
/// 2001, vertical −127, brake status unavailable; yaw rate, which has none, 0.
fn core_data(b: &mut Bits, c: &CoreData) {
    msg_count(b, c.count);
    b.put(u64::from(c.id), 32);
    b.int(i64::from(c.sec_mark_ms), 0, 65_535);
    latitude(b, c.lat_deg);
    longitude(b, c.lon_deg);
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
        let f = bsm(&core(), 0);
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

    /// `n` bits of `f` from bit `start`, most significant first.
    fn bits_at(f: &[u8], start: usize, n: usize) -> u64 {
        (start..start + n).fold(0, |v, i| v << 1 | u64::from(f[i / 8] >> (7 - i % 8) & 1))
    }

    #[test]
    fn an_event_adds_part_ii_with_its_flags() {
        // 293 bits, then one PartIIcontent: 3 bits of count, 6 of id, 8 of length and the 3
        // octets of the extensions (1 + 4 + 1 + 13 = 19 bits, padded): 334 bits, 42 octets.
        let f = bsm(&core(), 1 << 7 | 1 << 11);
        assert_eq!((f.len(), f[2]), (3 + 42, 42));
        let part_ii = 24 + 293;
        assert_eq!(bits_at(&f, 24 + 1, 1), 1, "partII present");
        assert_eq!(bits_at(&f, part_ii, 3 + 6 + 8), 3);
        // ext 0, events present 1000, size ext 0, then bits 0..12 with 7 and 11 set: 0 1000 0
        // 0000000100010.
        let ext = bits_at(&f, part_ii + 17, 19);
        assert_eq!(ext, 0b010_0000_0000_0010_0010);
    }

    #[test]
    fn a_road_side_alert_is_count_minute_event_and_position() {
        // 1 + 8 + 7 + 20 + 16 + 1 + 8 + 32 + 31 = 124 bits: 16 octets.
        let a = Alert {
            count: 3,
            minute_of_year: 1_000,
            itis: 532,
            lat_deg: 37.577,
            lon_deg: 126.8898,
        };
        let f = rsa(&a);
        assert_eq!(&f[..3], &[0x00, 27, 16]);
        let at = |start: usize, n: usize| bits_at(&f, 24 + start, n);
        assert_eq!(at(0, 9), 0b0_1000_0100);
        assert_eq!((at(9, 7), at(16, 20), at(36, 16)), (3, 1_000, 532));
        let lon = at(61, 32) as i64 - 1_799_999_999;
        let lat = at(93, 31) as i64 - 900_000_000;
        assert_eq!((lon, lat), (1_268_898_000, 375_770_000));
    }

    #[test]
    fn an_intersection_collision_names_the_vehicle_its_junction_and_approach() {
        // 1 + 5 + 7 + 32 + 20 + 290 (core data) + 1 + 16 + 1 + 4 + 1 + 13 = 391 bits: 49 octets.
        let c = Collision {
            count: 9,
            minute_of_year: 77,
            core: core(),
            intersection: 0xbeef,
            approach: 3,
            events: 1 << 1,
        };
        let f = ica(&c);
        assert_eq!(&f[..3], &[0x00, 23, 49]);
        let at = |start: usize, n: usize| bits_at(&f, 24 + start, n);
        assert_eq!((at(0, 6), at(6, 7), at(13, 32)), (0b011000, 9, 0x0102_0304));
        assert_eq!(at(45, 20), 77);
        let after = 65 + 290;
        assert_eq!((at(after, 1), at(after + 1, 16)), (0, 0xbeef));
        assert_eq!((at(after + 17, 1), at(after + 18, 4)), (0, 3));
        // eventStopLineViolation is bit 1 of 13, after the size's extension bit.
        assert_eq!(at(after + 22, 14), 1 << 11);
    }

    #[test]
    fn a_traveler_information_message_advises_of_road_works_in_a_circle() {
        // 1 + 4 + 7 + 20 + 3, the data frame's header 3 + 5 + 3 + 1 + 16 + 20 + 15 + 3 + 5 + 4,
        // the region 10 + 66 + 3 + 4 + 16 + 66 + 12 + 3, then 5 + 5 + 3 + 7 + 1 + 16 = 327 bits.
        let a = Advisory {
            count: 3,
            minute_of_year: 600,
            id: 0x1234,
            start_minute: 599,
            duration_min: 10,
            itis: 1025,
            lat_deg: 37.58,
            lon_deg: 126.89,
            radius_m: 500.0,
        };
        let f = tim(&a);
        assert_eq!(&f[..3], &[0x00, 31, 41]);
        let at = |start: usize, n: usize| bits_at(&f, 24 + start, n);
        assert_eq!(
            (at(0, 5), at(5, 7), at(12, 20), at(32, 3)),
            (0b01000, 3, 600, 0)
        );
        // frameType advisory after its extension bit; furtherInfoID; start, duration, priority.
        assert_eq!(
            (at(43, 1), at(44, 2), at(46, 1), at(47, 16)),
            (0, 1, 0, 0x1234)
        );
        assert_eq!((at(63, 20), at(83, 15), at(98, 3)), (599, 10, 5));
        let region = 110;
        assert_eq!(at(region, 10), 0b00_0100_0010);
        let lat = (37.58_f64 * 1e7).round() as u64 + 900_000_000;
        assert_eq!(at(region + 13, 31), lat);
        let circle = region + 76;
        assert_eq!(
            (at(circle, 3), at(circle + 3, 4), at(circle + 7, 16)),
            (0b001, 0, 0xffff)
        );
        assert_eq!(at(circle + 23 + 66, 12), 500);
        assert_eq!(at(circle + 23 + 78, 3), 3);
        let content = circle + 23 + 81;
        assert_eq!((at(content + 10, 3), at(content + 13, 7)), (0, 0));
        assert_eq!((at(content + 20, 1), at(content + 21, 16)), (0, 1025));
        assert_eq!(content + 37, 327);
    }

    #[test]
    fn a_probe_report_carries_its_position_twice_and_the_vehicle_type() {
        // 1 + 4 + 20 + 15, then FullPositionVector 1 + 8 + 32 + 31 + 15 + 3 + 13 = 103, then
        // VehicleClassification 1 + 9 + 1 + 4, 5 bits of count, Snapshot 1 + 2 + 103: 269 bits.
        let p = Probe {
            minute_of_year: 5,
            segment: 300,
            lat_deg: 37.577,
            lon_deg: 126.8898,
            heading_deg: 90.0,
            speed: 10.0,
            hpms_type: 4,
        };
        let f = pvd(&p);
        assert_eq!(&f[..3], &[0x00, 26, 34]);
        let at = |start: usize, n: usize| bits_at(&f, 24 + start, n);
        assert_eq!((at(0, 5), at(5, 20), at(25, 15)), (0b01100, 5, 300));
        let fpv = |start: usize| {
            let heading = at(start + 72, 15);
            let speed = at(start + 90, 13);
            (at(start, 9), heading, speed)
        };
        // Heading 90° in 0.0125° units, speed 10 m/s in 0.02 m/s units.
        assert_eq!(fpv(40), (0b0011_0000, 7_200, 500));
        // VehicleClassification: ext 0, hpmsType the 4th of 9 OPTIONAL, enum ext 0, car 4.
        assert_eq!(at(143, 15), 1 << 10 | 4);
        assert_eq!(fpv(163 + 3), fpv(40));
    }
}

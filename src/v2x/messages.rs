//! V2X messages as typed structs, named as in their standards, with a deterministic size
//! model for channel occupancy.
//!
//! Units are SI; positions are scenario metres (x east, y north); headings are radians
//! counter-clockwise from east (the scenario convention, not ETSI's clockwise-from-north
//! 0.1° units). Sizes (bytes on air, used for airtime and CBR) and their sources:
//!
//! | Message | Size model | Source (docs/standards.md) |
//! |---|---|---|
//! | CAM | 300 B, + 60 B when the low-frequency container is included (≤ every 500 ms) | §4a LF interval (Artery); §4b measured VW states {200, 300, 360, 455} B, universal mean 312 B (Molina-Masegosa et al., TVT 2020) |
//! | DENM | 150 B | class E: **no citable DENM size was found** (§4c, §7) |
//! | SPaT | 115 B | §4e measured 76–134 B, median 114, mean 118 (California CV Test Bed) |
//! | MAP | 900 B | §4e measured 563–1336 B, median 896, mean 910 |
//! | CPM | 121 B + 35 B per perceived object | class E: measured CPM sizes were not extracted (§4d, §7) |
use serde::{Deserialize, Serialize};

use crate::scenario::spec::{MsgType, Point};

/// An ITS station's number on the wire (ETSI StationID / J2735 TemporaryID): the
/// [`crate::ids::StationId::wire`] of the sender.
pub type StationNumber = u32;

/// CAM size without the low-frequency container, bytes (see module table).
pub const CAM_BASE_BYTES: usize = 300;
/// Extra bytes of the CAM low-frequency container (300 + 60 = 360 B, a measured VW state).
pub const CAM_LF_BYTES: usize = 60;
/// DENM size, bytes (class E, no source). Taken to include the optional LocationContainer
/// (`eventSpeed` and `eventPositionHeading` add a few bytes each in UPER, well inside the
/// uncertainty of this figure).
pub const DENM_BYTES: usize = 150;
/// SPaT size, bytes (§4e median 114 B, rounded).
pub const SPAT_BYTES: usize = 115;
/// MAP size, bytes (§4e median 896 B, rounded).
pub const MAP_BYTES: usize = 900;
/// CPM header + management + sensor information, bytes (class E).
pub const CPM_BASE_BYTES: usize = 121;
/// Bytes per perceived object in a CPM (class E).
pub const CPM_OBJECT_BYTES: usize = 35;

/// Cooperative Awareness Message, ETSI EN 302 637-2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cam {
    pub station_id: StationNumber,
    /// Generation time, s of simulated time.
    pub gen_time_s: f64,
    pub pos: Point,
    /// m/s.
    pub speed: f64,
    /// Radians counter-clockwise from east.
    pub heading_rad: f64,
    /// Longitudinal acceleration, m/s² (negative when braking).
    pub accel: f64,
    /// Vehicle length and width, m (low-frequency container data in practice).
    pub length_m: f64,
    pub width_m: f64,
    /// Whether this CAM carries the low-frequency container (EN 302 637-2 §6.1.3).
    pub low_frequency: bool,
}

impl Cam {
    pub fn size_bytes(&self) -> usize {
        CAM_BASE_BYTES + if self.low_frequency { CAM_LF_BYTES } else { 0 }
    }
}

/// Event types used by the scenarios, each mapped to an ETSI TS 102 894-2 CauseCodeType.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DenmEvent {
    /// stationaryVehicle (94).
    StalledVehicle,
    /// dangerousSituation (99), sub-cause emergencyElectronicBrakeEngaged (1).
    EmergencyBraking,
    /// roadworks (3).
    RoadWorks,
    /// collisionRisk (97).
    CollisionRisk,
    /// hazardousLocation-ObstacleOnTheRoad (10).
    HazardousLocation,
}

impl DenmEvent {
    /// (causeCode, subCauseCode) per ETSI TS 102 894-2 (EN 302 637-3 Table 9 lists the same
    /// codes for the DENM SSP).
    pub fn cause_code(self) -> (u8, u8) {
        match self {
            DenmEvent::StalledVehicle => (94, 0),
            DenmEvent::EmergencyBraking => (99, 1),
            DenmEvent::RoadWorks => (3, 0),
            DenmEvent::CollisionRisk => (97, 0),
            DenmEvent::HazardousLocation => (10, 0),
        }
    }
}

/// DENM ActionID: originating station + sequence number; identifies one event for its whole
/// life (trigger, updates, termination). A new event takes the station's next sequence number
/// (EN 302 637-3 §8.2.1.5; ASN.1 SequenceNumber is 0..65535 and wraps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ActionId {
    pub station_id: StationNumber,
    pub sequence: u32,
}

/// The sequence numbers a station gives its events, in order, wrapping after 65535.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SequenceNumbers(u32);

impl SequenceNumbers {
    /// The ActionID of `station`'s next new event.
    pub fn next(&mut self, station_id: StationNumber) -> ActionId {
        let sequence = self.0;
        self.0 = (self.0 + 1) % 65_536;
        ActionId {
            station_id,
            sequence,
        }
    }
}

/// Decentralized Environmental Notification Message, ETSI EN 302 637-3.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Denm {
    pub action_id: ActionId,
    pub event: DenmEvent,
    /// Event position.
    pub pos: Point,
    /// Receivers farther than this from `pos` ignore it, m (relevance area as a circle).
    pub relevance_radius_m: f64,
    /// When the event was detected, s.
    pub detection_time_s: f64,
    /// When this copy was generated, s.
    pub reference_time_s: f64,
    /// Validity after detection, s (EN 302 637-3 `validityDuration`, default 600 s).
    pub validity_s: f64,
    /// A termination (cancellation/negation) DENM for the same ActionID.
    pub termination: bool,
    /// Speed of the event (the originating vehicle) at detection, m/s: EN 302 637-3
    /// LocationContainer `eventSpeed` (optional; set for EEBL, absent for static events).
    pub event_speed: Option<f64>,
    /// Heading of the event's motion, radians counter-clockwise from east: EN 302 637-3
    /// LocationContainer `eventPositionHeading` (optional, as `event_speed`).
    pub event_heading_rad: Option<f64>,
    /// The simulated hazard the event is about, if any: ground truth for the warning metrics,
    /// not a field on the air.
    pub hazard: Option<u32>,
}

impl Denm {
    pub fn size_bytes(&self) -> usize {
        DENM_BYTES
    }
}

/// SAE J2735 MovementPhaseState values used for fixed-time signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MovementPhaseState {
    /// stop-And-Remain (3): red.
    StopAndRemain,
    /// protected-Movement-Allowed (6): green.
    ProtectedMovementAllowed,
    /// protected-clearance (8): amber.
    ProtectedClearance,
}

impl MovementPhaseState {
    /// The J2735 enumeration value.
    pub fn j2735(self) -> u8 {
        match self {
            MovementPhaseState::StopAndRemain => 3,
            MovementPhaseState::ProtectedMovementAllowed => 6,
            MovementPhaseState::ProtectedClearance => 8,
        }
    }
}

/// One signal group's state in a SPaT (J2735 MovementState + MovementEvent timing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MovementState {
    /// J2735 SignalGroupID (1-based).
    pub signal_group: u8,
    /// Scenario link the group controls.
    pub link: String,
    pub state: MovementPhaseState,
    /// Earliest end of the current state, absolute s (J2735 minEndTime is an absolute time
    /// mark, not a countdown; see [`Spat::remaining_s`]).
    pub min_end_time_s: f64,
    /// Most likely end, absolute s (equal to min for fixed-time control).
    pub likely_end_time_s: f64,
}

/// Signal Phase and Timing, SAE J2735 (ISO TS 19091), one intersection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spat {
    /// Junction id of the scenario.
    pub intersection_id: String,
    /// Generation time, s.
    pub timestamp_s: f64,
    pub states: Vec<MovementState>,
}

impl Spat {
    pub fn size_bytes(&self) -> usize {
        SPAT_BYTES
    }
    /// The state of the group controlling `link`.
    pub fn for_link(&self, link: &str) -> Option<&MovementState> {
        self.states.iter().find(|s| s.link == link)
    }
    /// Seconds left in the current state of `link` at `now_s` (the countdown shown on
    /// Sangam's roadside displays), ≥ 0.
    pub fn remaining_s(&self, link: &str, now_s: f64) -> Option<f64> {
        self.for_link(link)
            .map(|s| (s.min_end_time_s - now_s).max(0.0))
    }
}

/// One lane of a MapData approach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapLane {
    pub lane_id: u8,
    /// Signal group that controls the lane.
    pub signal_group: u8,
    /// Centre of the lane at the stop line.
    pub stop_line: Point,
    pub width_m: f64,
}

/// One approach (ingress link) of a MapData intersection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapApproach {
    pub link: String,
    pub lanes: Vec<MapLane>,
}

/// Intersection geometry, SAE J2735 MapData.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapData {
    pub intersection_id: String,
    /// Reference point of the intersection.
    pub ref_point: Point,
    pub approaches: Vec<MapApproach>,
}

impl MapData {
    pub fn size_bytes(&self) -> usize {
        MAP_BYTES
    }
}

/// Perceived object classes (CPM ObjectClass, reduced).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ObjectKind {
    Vehicle,
    Pedestrian,
    Cyclist,
    Unknown,
}

/// One object in a CPM's perceived object container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerceivedObject {
    /// Sender-local object id (the scenario entity id in the simulator).
    pub object_id: u32,
    pub kind: ObjectKind,
    pub pos: Point,
    /// m/s.
    pub speed: f64,
    /// Radians counter-clockwise from east.
    pub heading_rad: f64,
}

/// Collective Perception Message, ETSI TS 103 324.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cpm {
    pub station_id: StationNumber,
    pub gen_time_s: f64,
    pub sender_pos: Point,
    pub objects: Vec<PerceivedObject>,
}

impl Cpm {
    pub fn size_bytes(&self) -> usize {
        CPM_BASE_BYTES + CPM_OBJECT_BYTES * self.objects.len()
    }
}

/// Any message on the air.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Payload {
    Cam(Cam),
    Denm(Denm),
    Spat(Spat),
    Map(MapData),
    Cpm(Cpm),
}

impl Payload {
    pub fn msg_type(&self) -> MsgType {
        match self {
            Payload::Cam(_) => MsgType::Cam,
            Payload::Denm(_) => MsgType::Denm,
            Payload::Spat(_) => MsgType::Spat,
            Payload::Map(_) => MsgType::Map,
            Payload::Cpm(_) => MsgType::Cpm,
        }
    }
    pub fn size_bytes(&self) -> usize {
        match self {
            Payload::Cam(m) => m.size_bytes(),
            Payload::Denm(m) => m.size_bytes(),
            Payload::Spat(m) => m.size_bytes(),
            Payload::Map(m) => m.size_bytes(),
            Payload::Cpm(m) => m.size_bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cam(lf: bool) -> Cam {
        Cam {
            station_id: 1,
            gen_time_s: 0.0,
            pos: (0.0, 0.0),
            speed: 10.0,
            heading_rad: 0.0,
            accel: 0.0,
            length_m: 4.5,
            width_m: 1.8,
            low_frequency: lf,
        }
    }

    #[test]
    fn sizes_and_types() {
        assert_eq!(cam(false).size_bytes(), 300);
        assert_eq!(cam(true).size_bytes(), 360);
        let obj = PerceivedObject {
            object_id: 1,
            kind: ObjectKind::Pedestrian,
            pos: (1.0, 2.0),
            speed: 1.2,
            heading_rad: 0.0,
        };
        let cpm = Cpm {
            station_id: 9,
            gen_time_s: 0.0,
            sender_pos: (0.0, 0.0),
            objects: vec![obj.clone(), obj],
        };
        assert_eq!(cpm.size_bytes(), 121 + 70);
        let spat = Spat {
            intersection_id: "j1".into(),
            timestamp_s: 0.0,
            states: vec![],
        };
        let map = MapData {
            intersection_id: "j1".into(),
            ref_point: (0.0, 0.0),
            approaches: vec![],
        };
        let payloads = [
            Payload::Cam(cam(false)),
            Payload::Spat(spat),
            Payload::Map(map),
            Payload::Cpm(cpm),
        ];
        let got: Vec<_> = payloads
            .iter()
            .map(|p| (p.msg_type(), p.size_bytes()))
            .collect();
        assert_eq!(
            got,
            [
                (MsgType::Cam, 300),
                (MsgType::Spat, 115),
                (MsgType::Map, 900),
                (MsgType::Cpm, 191)
            ]
        );
        assert_eq!(DenmEvent::StalledVehicle.cause_code(), (94, 0));
        assert_eq!(MovementPhaseState::ProtectedClearance.j2735(), 8);
    }
}

//! V2X messages as typed structs, named as in their standards. What they cost on the air is
//! their real encoding (`crate::wire`).
//!
//! Units are SI; positions are scenario metres (x east, y north); headings are radians
//! counter-clockwise from east (the scenario convention, not ETSI's clockwise-from-north
//! 0.1° units); `wire` converts.
use serde::{Deserialize, Serialize};

use crate::scenario::spec::{MsgType, Point};

/// An ITS station's number on the wire (ETSI StationID / J2735 TemporaryID): the
/// [`crate::ids::StationId::wire`] of the sender.
pub type StationNumber = u32;

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

    /// The ITIS code (SAE J2540-2) a Road Side Alert gives the event: stalled-vehicle 532,
    /// road-construction 1025, people-on-roadway 1286 for a pedestrian on the carriageway,
    /// object-on-roadway 1282, obstruction-on-roadway 1281 for anything else (docs/v2x-models.md).
    pub fn itis(self) -> u16 {
        match self {
            DenmEvent::StalledVehicle => 532,
            DenmEvent::RoadWorks => 1025,
            DenmEvent::CollisionRisk => 1286,
            DenmEvent::HazardousLocation => 1282,
            DenmEvent::EmergencyBraking => 1281,
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
    /// Centre of the lane upstream (30 m back, or where the lane starts), the second node of
    /// the lane's MapData node list.
    pub upstream: Point,
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

/// SAE J2735 VehicleEventFlags this simulation raises (J2735 §7.242; bit numbers).
pub mod event_flags {
    /// eventHazardLights (0): a stalled vehicle has its hazard lights on.
    pub const HAZARD_LIGHTS: u16 = 1 << 0;
    /// eventStopLineViolation (1): a red-light runner, in an Intersection Collision Avoidance.
    pub const STOP_LINE_VIOLATION: u16 = 1 << 1;
    /// eventHardBraking (7): deceleration beyond the EEBL threshold (SAE J2945/1 §6.3.6.2).
    pub const HARD_BRAKING: u16 = 1 << 7;
    /// eventDisabledVehicle (11).
    pub const DISABLED_VEHICLE: u16 = 1 << 11;
}

/// Basic Safety Message, SAE J2735 (Korean profile): part I core data at 10 Hz under SAE
/// J2945/1 congestion control, part II's vehicle safety extensions when an event is active.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bsm {
    /// The vehicle's state, as a CAM would carry it (position of the front centre, speed,
    /// heading, acceleration, size); `low_frequency` is unused.
    pub core: Cam,
    /// MsgCount, 0..127: one more per BSM of the sender.
    pub count: u8,
    /// Active VehicleEventFlags ([`event_flags`]), 0 for none.
    pub events: u16,
    /// The event the flags announce, as a receiver reconstructs it from the flagged BSMs
    /// (sender, position and motion at the onset, kept while the event lasts): what the
    /// receivers' warnings and EEBL act on, as they act on a DENM. Not a field on the air.
    pub event: Option<Denm>,
}

/// Intersection Collision Avoidance, SAE J2735 (Korean profile): a roadside unit's camera sees
/// a vehicle that can no longer stop for its red light, and tells its intersection (the ETSI
/// profile's CPM carries the same object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ica {
    /// The violator as the camera sees it.
    pub vehicle: PerceivedObject,
    /// Junction id of the scenario.
    pub intersection_id: String,
    /// The approach it comes on (J2735 ApproachID, 1..15: its link's place among the
    /// junction's incoming links).
    pub approach: u8,
    pub gen_time_s: f64,
}

/// Probe Vehicle Data, SAE J2735 (Korean profile): a vehicle's report to the control centre
/// over 5G Uu once a second (the Sangam client's PVD rate), with where it is and how it moves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pvd {
    /// The vehicle's state, as in its BSM.
    pub core: Cam,
    /// ProbeSegmentNumber, 0..32767: one more per report of the vehicle.
    pub segment: u16,
}

/// Any message on the air.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Payload {
    Cam(Cam),
    Denm(Denm),
    Spat(Spat),
    Map(MapData),
    Cpm(Cpm),
    Bsm(Bsm),
    /// Road Side Alert, SAE J2735: an RSU's hazard on the Korean profile, carrying what a DENM
    /// carries (ITIS event code, position, time; the ActionID is the receiver's key for it).
    Rsa(Denm),
    /// Traveler Information Message, SAE J2735: road works on the Korean profile, as an
    /// advisory (ITIS road construction) over a circle around the closure.
    Tim(Denm),
    Ica(Ica),
    Pvd(Pvd),
}

impl Payload {
    pub fn msg_type(&self) -> MsgType {
        match self {
            Payload::Cam(_) => MsgType::Cam,
            Payload::Denm(_) => MsgType::Denm,
            Payload::Spat(_) => MsgType::Spat,
            Payload::Map(_) => MsgType::Map,
            Payload::Cpm(_) => MsgType::Cpm,
            Payload::Bsm(_) => MsgType::Bsm,
            Payload::Rsa(_) => MsgType::Rsa,
            Payload::Tim(_) => MsgType::Tim,
            Payload::Ica(_) => MsgType::Ica,
            Payload::Pvd(_) => MsgType::Pvd,
        }
    }
    /// The hazard or event notice a message carries, whatever the profile: a DENM, an RSA, a
    /// TIM, or the event of a BSM whose event flags are up.
    pub fn notice(&self) -> Option<&Denm> {
        match self {
            Payload::Denm(d) | Payload::Rsa(d) | Payload::Tim(d) => Some(d),
            Payload::Bsm(b) => b.event.as_ref(),
            _ => None,
        }
    }
    /// Whether receivers that act on V2X get it delivered: everything but awareness messages
    /// (CAM, BSM) without an event, which are only counted, and reports to the control centre.
    pub fn acted_on(&self) -> bool {
        match self {
            Payload::Cam(_) | Payload::Pvd(_) => false,
            Payload::Bsm(b) => b.event.is_some(),
            _ => true,
        }
    }
    /// The sender's speed as its packet headers give it, m/s: a CAM's, a DENM's event speed,
    /// else standing (roadside units).
    pub fn sender_speed(&self) -> f64 {
        match self {
            Payload::Cam(m)
            | Payload::Bsm(Bsm { core: m, .. })
            | Payload::Pvd(Pvd { core: m, .. }) => m.speed,
            Payload::Denm(m) => m.event_speed.unwrap_or(0.0),
            _ => 0.0,
        }
    }
    /// The sender's heading as its packet headers give it, radians counter-clockwise from east.
    pub fn sender_heading(&self) -> f64 {
        match self {
            Payload::Cam(m)
            | Payload::Bsm(Bsm { core: m, .. })
            | Payload::Pvd(Pvd { core: m, .. }) => m.heading_rad,
            Payload::Denm(m) => m.event_heading_rad.unwrap_or(0.0),
            _ => 0.0,
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
    fn types_codes_and_sender_motion() {
        let spat = Spat {
            intersection_id: "j1".into(),
            timestamp_s: 0.0,
            states: vec![],
        };
        let cam = Payload::Cam(cam(false));
        assert_eq!(cam.msg_type(), MsgType::Cam);
        assert_eq!((cam.sender_speed(), cam.sender_heading()), (10.0, 0.0));
        let spat = Payload::Spat(spat);
        assert_eq!((spat.msg_type(), spat.sender_speed()), (MsgType::Spat, 0.0));
        // TS 102 894-2 cause codes and J2735 MovementPhaseState values.
        assert_eq!(DenmEvent::StalledVehicle.cause_code(), (94, 0));
        assert_eq!(DenmEvent::EmergencyBraking.cause_code(), (99, 1));
        assert_eq!(MovementPhaseState::ProtectedClearance.j2735(), 8);
    }
}

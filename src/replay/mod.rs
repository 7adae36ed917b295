//! A run as the browser report (`run --html`) shows it: the scene, every road user's track
//! sampled at [`TRACK_PERIOD_S`], a bounded sample of the message receptions as arcs, kept
//! while the run goes on and taken from the world when it ends.
//!
//! Bounded by design: tracks grow with road users × time (a 600 s Sangam run: see
//! docs/browser-report.md), arcs by at most [`ARCS_PER_WINDOW`] per [`ARC_WINDOW_S`] of
//! simulated time, whatever the message load. Everything in it comes from the run's own
//! systems, in the order they ran, so the same run gives the same replay.
pub mod framing;
pub mod marks;
pub mod record;
pub mod scene;

use serde::{Deserialize, Serialize};

use crate::radio::outcome::LossReason;
use crate::scenario::spec::{MsgType, Tech};
pub use marks::{Mark, MarkKind};
pub use record::{ReplayLog, install, take};
pub use scene::Scene;

/// Track sample period, s of simulated time: 5 Hz, between which the page interpolates
/// linearly (at urban speeds ≤ 3 m of travel, less than a car's length).
pub const TRACK_PERIOD_S: f64 = 0.2;
/// Arc sampling window, s of simulated time.
pub const ARC_WINDOW_S: f64 = 1.0;
/// Receptions kept as arcs per window: hazard and event messages first, then an even sample
/// of the periodic ones (`record`).
pub const ARCS_PER_WINDOW: usize = 64;

/// A recorded run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Replay {
    pub scene: Scene,
    /// Time between track samples, s.
    pub period_s: f64,
    /// Every vehicle and pedestrian that was on the map, in the order they appeared.
    pub tracks: Vec<Track>,
    /// The sampled receptions, in the order they were decided.
    pub arcs: Vec<Arc>,
    /// Reception attempts in range during the run (of which `arcs` is a sample).
    pub receptions: u64,
    /// The moments to look at, in time order.
    pub marks: Vec<Mark>,
}

/// One road user's path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Track {
    pub id: String,
    /// `car`, `bus`, `truck`, ... or `pedestrian`.
    pub kind: String,
    pub automated: bool,
    /// Body, m.
    pub length: f64,
    pub width: f64,
    /// Sample number of the first sample (its time is `first × period_s`).
    pub first: u32,
    pub samples: Vec<Sample>,
}

/// A road user at one sample time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Body centre, map coordinates in decimetres (x east, y north).
    pub x_dm: i32,
    pub y_dm: i32,
    /// Compass heading, whole degrees clockwise from north.
    pub heading_deg: u16,
    /// Speed, dm/s.
    pub speed_dms: u16,
    /// Bumper-to-bumper gap to the vehicle ahead, dm, when there is one.
    pub gap_dm: Option<u32>,
}

/// One reception attempt drawn as an arc from sender to receiver.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Arc {
    pub sent_us: u64,
    pub msg: MsgType,
    pub tech: Tech,
    /// Sender and receiver positions, decimetres.
    pub from_dm: [i32; 2],
    pub to_dm: [i32; 2],
    /// Delivered after this latency, or lost for `Err`.
    pub outcome: Result<u64, LossReason>,
}

/// Metres to whole decimetres (saturating; positions are bounded by the map).
pub fn dm(m: f64) -> i32 {
    (m * 10.0).round() as i32
}

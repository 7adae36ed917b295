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
    /// The scenario as it was run (includes and SUMO files merged in, so it stands alone), in
    /// RON: what `view --replay` builds the district from.
    pub scenario: String,
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
    /// Height of the ground under it, decimetres (0 on a level map).
    pub z_dm: i32,
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

/// Where a road user is at a moment, between two samples (m, map coordinates).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pose {
    pub x: f64,
    pub y: f64,
    /// Height of the ground under it, m.
    pub z: f64,
    /// Compass heading, degrees clockwise from north.
    pub heading_deg: f64,
    /// m/s.
    pub speed: f64,
    /// Change of speed between the two samples, m/s².
    pub acc: f64,
}

impl Track {
    /// Where this road user is at `t` s, interpolated linearly between the samples around it
    /// (heading the short way round); None before its first sample or after its last.
    pub fn pose_at(&self, t: f64, period_s: f64) -> Option<Pose> {
        let k = t / period_s - f64::from(self.first);
        let last = self.samples.len().checked_sub(1)?;
        if !(-1e-9..=last as f64 + 1e-9).contains(&k) {
            return None;
        }
        let i = (k.floor().max(0.0) as usize).min(last);
        let a = self.samples[i];
        let b = self.samples[(i + 1).min(last)];
        let f = (k - i as f64).clamp(0.0, 1.0);
        let lerp = |p: f64, q: f64| p + (q - p) * f;
        let (ha, hb) = (f64::from(a.heading_deg), f64::from(b.heading_deg));
        let turn = (hb - ha + 540.0).rem_euclid(360.0) - 180.0;
        let (va, vb) = (f64::from(a.speed_dms) / 10.0, f64::from(b.speed_dms) / 10.0);
        Some(Pose {
            x: lerp(f64::from(a.x_dm), f64::from(b.x_dm)) / 10.0,
            y: lerp(f64::from(a.y_dm), f64::from(b.y_dm)) / 10.0,
            z: lerp(f64::from(a.z_dm), f64::from(b.z_dm)) / 10.0,
            heading_deg: (ha + turn * f).rem_euclid(360.0),
            speed: lerp(va, vb),
            acc: if i < last { (vb - va) / period_s } else { 0.0 },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(x_dm: i32, heading_deg: u16, speed_dms: u16) -> Sample {
        Sample {
            x_dm,
            y_dm: -x_dm,
            z_dm: x_dm / 2,
            heading_deg,
            speed_dms,
            gap_dm: None,
        }
    }

    #[test]
    fn a_pose_between_samples_is_interpolated_the_short_way_round() {
        let track = Track {
            id: "a".into(),
            kind: "car".into(),
            automated: false,
            length: 4.5,
            width: 1.8,
            first: 10,
            samples: vec![at(0, 350, 100), at(20, 10, 80), at(40, 10, 80)],
        };
        // Sample 10 is at t = 2.0 s; none before it or after sample 12 (t = 2.4 s).
        assert_eq!(track.pose_at(1.9, 0.2), None);
        assert_eq!(track.pose_at(2.5, 0.2), None);
        let p = track.pose_at(2.1, 0.2).expect("inside the track");
        assert!(
            (p.x - 1.0).abs() < 1e-9 && (p.y + 1.0).abs() < 1e-9 && (p.z - 0.5).abs() < 1e-9,
            "{p:?}"
        );
        // 350° to 10° passes north, not south.
        assert!(p.heading_deg.abs() < 1e-6 || (p.heading_deg - 360.0).abs() < 1e-6);
        assert!((p.speed - 9.0).abs() < 1e-9);
        // 10 m/s to 8 m/s over 0.2 s.
        assert!((p.acc + 10.0).abs() < 1e-9);
        let end = track.pose_at(2.4, 0.2).expect("the last sample");
        assert!((end.x - 4.0).abs() < 1e-9 && end.acc == 0.0);
    }
}

//! Vehicle kinds: the default driver per kind (body sizes are data of the kind itself,
//! `scenario::spec::Kind::body`).
//!
//! IDM defaults follow Treiber & Kesting,
//! "Traffic Flow Dynamics" (Springer 2013), Table 11.2 (city traffic: T = 1.0-1.5 s, a = 1.0-1.5,
//! b = 1.5-2.0, s0 = 2 m); trucks and buses accelerate and brake more gently.
use super::idm::Idm;
use crate::scenario::spec::{DriverSpec, Kind};

/// Default IDM parameters for a kind, with `v0` taken from the speed limit when not given.
pub fn default_idm(kind: Kind) -> Idm {
    match kind {
        Kind::Car => Idm {
            v0: 13.9,
            t: 1.0,
            a: 1.5,
            b: 2.0,
            s0: 2.0,
            delta: 4.0,
        },
        Kind::Bus => Idm {
            v0: 13.9,
            t: 1.5,
            a: 1.0,
            b: 1.5,
            s0: 2.5,
            delta: 4.0,
        },
        Kind::Truck => Idm {
            v0: 13.9,
            t: 1.7,
            a: 0.8,
            b: 1.5,
            s0: 3.0,
            delta: 4.0,
        },
    }
}

/// IDM parameters of one driver: the spec's values over the kind's defaults.
pub fn driver_idm(kind: Kind, d: &DriverSpec) -> Idm {
    let base = default_idm(kind);
    Idm {
        v0: d.v0.unwrap_or(f64::INFINITY),
        t: d.time_headway.unwrap_or(base.t),
        a: d.accel.unwrap_or(base.a),
        b: d.decel.unwrap_or(base.b),
        s0: d.min_gap.unwrap_or(base.s0),
        delta: d.delta.unwrap_or(base.delta),
    }
}

/// How long a lane change takes at speed, s: the driver's own, or the naturalistic mean.
pub fn lane_change_s(d: &DriverSpec) -> f64 {
    d.lane_change_duration
        .unwrap_or(super::shift::DEFAULT_DURATION_S)
}

/// Perception-reaction time, s: 1.0 s for a human (Green, "How long does it take to stop?",
/// Transportation Human Factors 2(3), 2000: 0.7-1.5 s for expected events), 0.1 s for an
/// automated vehicle's perception pipeline (assumed).
pub fn reaction_time(automated: bool, d: &DriverSpec) -> f64 {
    d.reaction_time.unwrap_or(if automated { 0.1 } else { 1.0 })
}

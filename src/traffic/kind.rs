//! Vehicle kinds: body size and default driver, per kind.
//!
//! Sizes: typical Korean passenger car (4.5 × 1.8 × 1.5 m), 11 m city bus (Hyundai Universe /
//! Elec City class, 11 × 2.5 × 3.2 m), 12 m rigid truck. IDM defaults follow Treiber & Kesting,
//! "Traffic Flow Dynamics" (Springer 2013), Table 11.2 (city traffic: T = 1.0-1.5 s, a = 1.0-1.5,
//! b = 1.5-2.0, s0 = 2 m); trucks and buses accelerate and brake more gently.
use super::idm::Idm;
use crate::scenario::spec::{DriverSpec, Kind};

/// Body dimensions, m.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Body {
    pub length: f64,
    pub width: f64,
    pub height: f64,
}

pub fn body(kind: Kind) -> Body {
    match kind {
        Kind::Car => Body {
            length: 4.5,
            width: 1.8,
            height: 1.5,
        },
        Kind::Bus => Body {
            length: 11.0,
            width: 2.5,
            height: 3.2,
        },
        Kind::Truck => Body {
            length: 12.0,
            width: 2.5,
            height: 3.5,
        },
    }
}

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

/// Perception-reaction time, s: 1.0 s for a human (Green, "How long does it take to stop?",
/// Transportation Human Factors 2(3), 2000: 0.7-1.5 s for expected events), 0.1 s for an
/// automated vehicle's perception pipeline (assumed).
pub fn reaction_time(automated: bool, d: &DriverSpec) -> f64 {
    d.reaction_time.unwrap_or(if automated { 0.1 } else { 1.0 })
}

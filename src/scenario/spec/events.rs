use serde::{Deserialize, Serialize};

use super::{Point, SignalProgram, v2x::Tech};

/// Something that happens at a given time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimedEvent {
    /// Time, s.
    pub at: f64,
    pub action: Action,
}

/// What a timed event does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Action {
    /// The vehicle breaks down and stops where it is (decelerating at 4 m/s²).
    Stall { vehicle: String },
    /// A lane of a link closes (vehicles merge away from it; it is blocked at its start).
    CloseLane { link: String, lane: u8 },
    /// Replace a junction's signal program.
    SetProgram {
        junction: String,
        program: SignalProgram,
    },
    /// A base station goes down (`up: false`) or comes back.
    Gnb { id: String, up: bool },
    /// A roadside unit goes down or comes back.
    Rsu { id: String, up: bool },
    /// The fibre backhaul of an RSU or gNB is cut or restored.
    Backhaul { node: String, up: bool },
    /// Interference in a circle: extra noise for `for_s` seconds.
    Jamming {
        center: Point,
        radius: f64,
        noise_dbm: f64,
        for_s: f64,
    },
    /// Extra latency on a technology for a while.
    LatencySpike {
        tech: Tech,
        extra_ms: f64,
        for_s: f64,
    },
    /// Every message on a technology is lost with this probability for a while.
    BurstLoss { tech: Tech, loss: f64, for_s: f64 },
    /// GNSS error: positions reported by this vehicle (or all, if empty) are off by a
    /// Gaussian error with this standard deviation, m.
    GnssError {
        #[serde(default)]
        vehicle: String,
        sigma_m: f64,
        for_s: f64,
    },
}

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

impl TimedEvent {
    /// One line for reports and the dashboard: what the action does, where a vehicle stalled
    /// from the start stands (parked, or broken down before the scenario begins) rather than
    /// breaks down.
    pub fn describe(&self) -> String {
        match &self.action {
            Action::Stall { vehicle } if self.at <= 0.0 => {
                format!("{vehicle} stands still from the start")
            }
            action => action.describe(),
        }
    }
}

impl Action {
    /// One line for reports and the dashboard (without the duration: see [`Action::window_s`]).
    pub fn describe(&self) -> String {
        let state = |up: bool, down: &str| {
            if up {
                "up".to_string()
            } else {
                down.to_string()
            }
        };
        match self {
            Action::Stall { vehicle } => format!("{vehicle} breaks down"),
            Action::EmergencyBrake {
                vehicle,
                decel,
                for_s,
            } => {
                format!("{vehicle} brakes hard ({decel:.1} m/s²), stands {for_s:.0} s")
            }
            Action::CloseLane { link, lane } => format!("lane {lane} of {link} closes"),
            Action::SetProgram { junction, .. } => format!("new signal program at {junction}"),
            Action::Gnb { id, up } => format!("gNB {id} {}", state(*up, "DOWN")),
            Action::Rsu { id, up } => format!("RSU {id} {}", state(*up, "DOWN")),
            Action::Backhaul { node, up } => format!("backhaul of {node} {}", state(*up, "CUT")),
            Action::Jamming {
                radius, noise_dbm, ..
            } => {
                format!("jamming {noise_dbm:.0} dBm within {radius:.0} m")
            }
            Action::LatencySpike { tech, extra_ms, .. } => {
                format!("{} latency +{extra_ms:.0} ms", tech.name())
            }
            Action::CellLoad { id, load, .. } => {
                format!("gNB {id} load {:.0} %", load * 100.0)
            }
            Action::BurstLoss { tech, loss, .. } => {
                format!("{} loss {:.0} %", tech.name(), loss * 100.0)
            }
            Action::GnssError {
                vehicle, sigma_m, ..
            } => {
                let who = if vehicle.is_empty() {
                    "all vehicles"
                } else {
                    vehicle.as_str()
                };
                format!("GNSS error σ {sigma_m:.1} m ({who})")
            }
        }
    }

    /// How long a windowed fault lasts, s (None for a one-off change).
    pub fn window_s(&self) -> Option<f64> {
        match self {
            Action::Jamming { for_s, .. }
            | Action::LatencySpike { for_s, .. }
            | Action::BurstLoss { for_s, .. }
            | Action::CellLoad { for_s, .. }
            | Action::GnssError { for_s, .. } => Some(*for_s),
            _ => None,
        }
    }
}

/// What a timed event does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Action {
    /// The vehicle breaks down and stops where it is (decelerating at 4 m/s²).
    Stall { vehicle: String },
    /// The vehicle brakes at `decel` (m/s²) to a standstill, stands `for_s` seconds, then
    /// drives on: an emergency stop, not a breakdown (followers see it as an ordinary leader).
    /// Mirrors Euro NCAP's car-to-car rear braking test (CCRb, AEB C2C test protocol), whose
    /// target brakes at 6 m/s² from 50 km/h.
    EmergencyBrake {
        vehicle: String,
        #[serde(default = "emergency_decel")]
        decel: f64,
        #[serde(default = "emergency_hold")]
        for_s: f64,
    },
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
    /// A base station's background load (other users, 0 to 0.95) for a while: Uu packets
    /// through it wait longer for radio resources (`radio::cell`).
    CellLoad { id: String, load: f64, for_s: f64 },
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

impl Action {
    /// Stalls, emergency stops, lane closures and signal programs change traffic; every other
    /// action is a fault of the radio layer.
    pub fn changes_traffic(&self) -> bool {
        matches!(
            self,
            Self::Stall { .. }
                | Self::EmergencyBrake { .. }
                | Self::CloseLane { .. }
                | Self::SetProgram { .. }
        )
    }
}

/// Default deceleration of an `EmergencyBrake`, m/s²: a full brake on dry asphalt (assumed;
/// below the 9 m/s² ceiling of `traffic::idm::MAX_DECEL`).
fn emergency_decel() -> f64 {
    8.0
}

/// Default standstill of an `EmergencyBrake`, s (assumed).
fn emergency_hold() -> f64 {
    5.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vehicle_stalled_from_the_start_stands_and_a_later_one_breaks_down() {
        let stall = |at: f64| TimedEvent {
            at,
            action: Action::Stall {
                vehicle: "bus".into(),
            },
        };
        assert_eq!(stall(0.0).describe(), "bus stands still from the start");
        assert_eq!(stall(250.0).describe(), "bus breaks down");
    }
}

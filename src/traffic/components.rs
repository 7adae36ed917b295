//! Components of road users. Small, and named for what they are.
use bevy::prelude::*;

use super::idm::Idm;
use super::mobil::Mobil;
use super::shift::Shift;
use crate::road::RoadNetwork;
use crate::scenario::spec::Kind;
use crate::scenario::spec::{Body, Class};

/// A vehicle. `index` is its spawn order: the stable order every output is sorted by.
#[derive(Component, Debug, Clone)]
pub struct Vehicle {
    pub index: u32,
    pub id: String,
    pub kind: Kind,
    /// Its class for lane permissions (SUMO's `vClass`).
    pub class: Class,
    pub automated: bool,
    pub flow: Option<String>,
    pub body: Body,
}

/// Where a vehicle is on its lane and how it moves. `s` is the front bumper's distance from the
/// start of `link` (negative while crossing the junction box into `link` from `prev`).
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct Motion {
    pub link: u32,
    pub prev: Option<u32>,
    pub lane: u8,
    pub s: f64,
    pub v: f64,
    pub acc: f64,
    /// A lane change under way.
    pub shift: Option<Shift>,
}

/// The links still to drive, current one included at `next - 1`.
#[derive(Component, Debug, Clone)]
pub struct Route {
    /// Shared with every vehicle that drives the same links (`spawn::plan`).
    pub links: std::sync::Arc<[u32]>,
    /// Index of the current link in `links`.
    pub at: usize,
}

impl Route {
    pub fn current(&self) -> u32 {
        self.links[self.at]
    }
    /// The link after the current one, if any.
    pub fn next(&self) -> Option<u32> {
        self.links.get(self.at + 1).copied()
    }
    /// Links after the current one.
    pub fn ahead(&self) -> &[u32] {
        self.links.get(self.at + 1..).unwrap_or(&[])
    }

    /// Distance along this route from where `m` is to a point (link, s), m, if the point is
    /// ahead on the route within [`ROUTE_LOOKAHEAD_M`].
    pub fn distance_to(&self, net: &RoadNetwork, m: &Motion, link: u32, s: f64) -> Option<f64> {
        if link == m.link {
            return (s >= m.s).then_some(s - m.s);
        }
        let mut d = net.links[m.link as usize].length - m.s;
        for &l in self.ahead() {
            if l == link {
                return Some(d + s);
            }
            d += net.links[l as usize].length;
            if d > ROUTE_LOOKAHEAD_M {
                break;
            }
        }
        None
    }
}

/// How far along a route [`Route::distance_to`] looks, m.
pub const ROUTE_LOOKAHEAD_M: f64 = 2000.0;

/// How this vehicle's driver (human or automated) drives.
#[derive(Component, Debug, Clone, Copy)]
pub struct Driver {
    pub idm: Idm,
    /// MOBIL's politeness; the model's other parameters are the same for every driver
    /// ([`Driver::mobil`]), so a row does not carry them (24 B a vehicle).
    pub politeness: f64,
    /// Perception-reaction time, s.
    pub reaction: f64,
    /// How long a lane change takes at speed, s.
    pub lane_change_s: f64,
    /// A red-light runner: ignores red and amber signals.
    pub runs_red: bool,
    /// Multiplier on the speed limit when `idm.v0` is not set (driver heterogeneity).
    pub speed_factor: f64,
    /// The vehicle's top speed, m/s (infinite: none): caps the desired speed.
    pub max_speed: f64,
    /// Seconds since the last lane change (MOBIL is not re-evaluated while this is < 3 s).
    pub since_lane_change: f64,
}

impl Driver {
    /// This driver's MOBIL: its politeness, the model's threshold, safe deceleration and no bias.
    pub fn mobil(&self) -> Mobil {
        Mobil {
            politeness: self.politeness,
            ..Mobil::default()
        }
    }
}

/// A broken-down vehicle: it stops and stays. Followers react only once they perceive it.
#[derive(Component, Debug, Clone, Copy)]
pub struct Stalled {
    pub since: f64,
}

/// An emergency stop in progress (timed event `EmergencyBrake`): brake at `decel` to a standstill,
/// stand `hold_s`, then drive on. Unlike [`Stalled`] it is no hazard: followers treat the vehicle
/// as an ordinary leader.
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct EmergencyStop {
    /// m/s².
    pub decel: f64,
    /// s.
    pub hold_s: f64,
    /// When the vehicle came to a standstill.
    pub stopped_at: Option<f64>,
    /// Over: the vehicle drives normally again.
    pub over: bool,
}

impl EmergencyStop {
    pub fn new(decel: f64, hold_s: f64) -> Self {
        EmergencyStop {
            decel,
            hold_s,
            stopped_at: None,
            over: false,
        }
    }

    /// The acceleration the stop imposes at time `t` on a vehicle at speed `v` (steps of `dt`),
    /// or `None` once it is over.
    pub fn accel(&mut self, v: f64, t: f64, dt: f64) -> Option<f64> {
        if self.over {
            return None;
        }
        if v > 0.0 && self.stopped_at.is_none() {
            return Some(-self.decel.min(v / dt));
        }
        let since = *self.stopped_at.get_or_insert(t);
        if t - since >= self.hold_s {
            self.over = true;
            return None;
        }
        Some(0.0)
    }
}

/// Something on the road a driver must see (or be told of) before reacting: a stalled vehicle or a
/// pedestrian on the carriageway. `id` is unique across hazards.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hazard {
    pub id: u32,
}

/// Hazards this vehicle knows of and since when, s; sorted by hazard id.
#[derive(Component, Debug, Clone, Default)]
pub struct Awareness {
    pub known: Vec<(u32, f64)>,
}

impl Awareness {
    /// When the hazard became known, if it did.
    pub fn since(&self, hazard: u32) -> Option<f64> {
        self.known
            .binary_search_by_key(&hazard, |(h, _)| *h)
            .ok()
            .map(|i| self.known[i].1)
    }

    /// Record the hazard as known at `t` (earliest time kept). Returns true if it is new.
    pub fn learn(&mut self, hazard: u32, t: f64) -> bool {
        match self.known.binary_search_by_key(&hazard, |(h, _)| *h) {
            Ok(i) => {
                self.known[i].1 = self.known[i].1.min(t);
                false
            }
            Err(i) => {
                self.known.insert(i, (hazard, t));
                true
            }
        }
    }
}

/// A bus's stops: the next one to serve and, while dwelling, when it leaves.
#[derive(Component, Debug, Clone, Default)]
pub struct BusStops {
    /// (name, route index of the link, position on the link, dwell).
    pub stops: Vec<(String, usize, f64, f64)>,
    pub next: usize,
    pub dwell_until: Option<f64>,
}

/// A speed cap set by a V2X reaction (GLOSA advisory, hazard slow-down), m/s, with the reason.
#[derive(Component, Debug, Clone, Copy, Default)]
pub struct Advice {
    pub max_speed: Option<f64>,
    /// A stop point ahead on the current link (red light warning), m.
    pub stop_at: Option<f64>,
    /// An upper bound on the acceleration from a farther leader told of by V2X (EEBL), m/s².
    pub max_accel: Option<f64>,
}

/// A speed set from outside the simulation (TraCI `setSpeed` and `slowDown`): the vehicle
/// drives towards `target` at up to its maximum acceleration and comfortable deceleration,
/// still never closer to a leader, a red line or an obstacle than it safely can (SUMO's
/// default speed mode 31: safe speed, acceleration and deceleration bounds, right of way and
/// red lights all respected). With a `ramp` (`slowDown`) the target moves linearly from the
/// speed at the command to `target` over [t0, t1], and control returns to the driver at t1,
/// as SUMO's speed timeline does (`MSVehicle::Influencer`).
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct SpeedCommand {
    /// m/s.
    pub target: f64,
    /// (t0, speed at t0, t1), s and m/s.
    pub ramp: Option<(f64, f64, f64)>,
}

impl SpeedCommand {
    /// The speed wanted at time `t`, or `None` once a ramp is over.
    pub fn at(&self, t: f64) -> Option<f64> {
        match self.ramp {
            None => Some(self.target),
            Some((_, _, t1)) if t >= t1 => None,
            Some((t0, v0, t1)) => {
                let f = ((t - t0) / (t1 - t0)).clamp(0.0, 1.0);
                Some(v0 + (self.target - v0) * f)
            }
        }
    }
}

/// How a vehicle treats a speed set from outside and the signals (TraCI `setSpeedMode`, SUMO's
/// bits; default 31, all on): bit 0 keeps a commanded speed safe (leaders, lines, obstacles),
/// bits 1 and 2 bound its acceleration and deceleration by the vehicle's, bit 4 stops for red
/// lights. Bit 3 (right of way at junctions) is kept as given but not modelled: a vehicle here
/// always yields where it must.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpeedMode(pub i32);

impl Default for SpeedMode {
    fn default() -> Self {
        SpeedMode(31)
    }
}

impl SpeedMode {
    fn bit(self, k: u32) -> bool {
        self.0 & (1 << k) != 0
    }
    /// Commanded speeds stay safe.
    pub fn safe(self) -> bool {
        self.bit(0)
    }
    /// The acceleration that reaches `vc` from `v` in a step `dt`, within the bounds the mode
    /// keeps (a: maximum acceleration, b: comfortable deceleration).
    pub fn toward(self, vc: f64, v: f64, dt: f64, a: f64, b: f64) -> f64 {
        let want = (vc.max(0.0) - v) / dt;
        let hi = if self.bit(1) { a } else { f64::INFINITY };
        let lo = if self.bit(2) { -b } else { f64::NEG_INFINITY };
        want.clamp(lo, hi)
    }
    /// Stops for red and amber lights.
    pub fn obeys_signals(self) -> bool {
        self.bit(4)
    }
}

/// Which lane changes a vehicle makes on its own (TraCI `setLaneChangeMode`, SUMO's bits;
/// default 1621): bits 0-1 the changes its route needs, bits 2-7 cooperative, speed-gain and
/// keep-right changes (MOBIL's, here). 0 leaves the vehicle in its lane except when a client
/// asks (`changeLane`).
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaneChangeMode(pub i32);

impl LaneChangeMode {
    /// Changes its route needs.
    pub fn strategic(self) -> bool {
        self.0 & 0b11 != 0
    }
    /// MOBIL's discretionary changes.
    pub fn discretionary(self) -> bool {
        self.0 & 0b1111_1100 != 0
    }
}

/// A lane asked for from outside the simulation (TraCI `changeLane`): the driver changes
/// towards `lane` as soon as it is safe (MOBIL's safety criterion, whatever the incentive) and
/// makes no lane change of its own until `until`, s (SUMO: "changeLane", with the default
/// lane change mode).
#[derive(Component, Debug, Clone, Copy, PartialEq)]
pub struct LaneCommand {
    pub lane: u8,
    pub until: f64,
}

/// A pedestrian crossing `link` at `s`, `lateral` metres right of the link centreline, walking
/// towards decreasing (`dir` = -1) or increasing lateral offset.
#[derive(Component, Debug, Clone)]
pub struct Pedestrian {
    pub index: u32,
    pub id: String,
    pub link: u32,
    pub s: f64,
    pub lateral: f64,
    pub dir: f64,
    pub speed: f64,
    /// Lateral offset where the crossing ends.
    pub end: f64,
}

/// What the driver had ahead at the last decision: bumper-to-bumper gap to the leader, m, and
/// time to collision with it, s (only while closing in).
#[derive(Component, Debug, Clone, Copy, Default, PartialEq)]
pub struct Surroundings {
    pub gap: Option<f64>,
    pub ttc: Option<f64>,
    /// Braking harder than the driver's comfortable deceleration for another reason than a
    /// vehicle ahead (a line, lane end or stop the driver should have seen coming).
    pub uncomfortable: bool,
}

/// A driver's decision at a signal that turned amber on their link: (link, go). Made once, at
/// the first sight of amber, and kept until the signal is green again, as drivers do
/// (a stop decided is not abandoned half-way; see `traffic::decide::amber_go`).
#[derive(Component, Debug, Clone, Copy, Default, PartialEq)]
pub struct AmberChoice(pub Option<(u32, bool)>);

/// A driver at a stop sign: the link whose line it is coming to, and whether it has stopped
/// there (`traffic::give_way::stop_sign`). Forgotten on the next link.
#[derive(Component, Debug, Clone, Copy, Default, PartialEq)]
pub struct StopSignWait(pub Option<(u32, bool)>);

/// Sent when a vehicle reaches the end of its route; the recorder logs it and despawns it.
#[derive(Message, Debug, Clone, Copy)]
pub struct Arrived {
    pub entity: Entity,
    pub t: f64,
}

/// Sent when a bus stops at one of its stops.
#[derive(Message, Debug, Clone)]
pub struct StopServed {
    pub vehicle: u32,
    pub stop: String,
    pub t: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slow_down_ramps_linearly_then_hands_back() {
        let c = SpeedCommand {
            target: 4.0,
            ramp: Some((10.0, 14.0, 15.0)),
        };
        assert_eq!(c.at(10.0), Some(14.0));
        assert_eq!(c.at(12.5), Some(9.0));
        assert_eq!(c.at(15.0), None);
        let held = SpeedCommand {
            target: 4.0,
            ramp: None,
        };
        assert_eq!(held.at(1e6), Some(4.0));
    }

    #[test]
    fn an_emergency_stop_brakes_holds_and_ends() {
        let mut e = EmergencyStop::new(8.0, 5.0);
        assert_eq!(e.accel(14.0, 10.0, 0.01), Some(-8.0));
        // The last step before standstill takes only what is left.
        assert_eq!(e.accel(0.05, 11.7, 0.01), Some(-5.0));
        assert_eq!(e.accel(0.0, 11.75, 0.01), Some(0.0));
        assert_eq!(e.stopped_at, Some(11.75));
        assert_eq!(e.accel(0.0, 16.7, 0.01), Some(0.0));
        assert_eq!(e.accel(0.0, 16.75, 0.01), None);
        // Over for good: it does not start again when the car moves off.
        assert_eq!(e.accel(3.0, 20.0, 0.01), None);
    }
}

use serde::{Deserialize, Serialize};

use super::v2x::{MsgType, Tech};

/// Something that must hold by the end of a run. Each gets a verdict with its measured value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Expectation {
    /// No two road users touched.
    NoCollisions,
    /// No vehicle braked harder than its driver's comfortable deceleration (IDM's b) except
    /// for a vehicle ahead: signals, lines, lane ends and stops are approached comfortably.
    ComfortableBraking,
    /// At least `min` (and at most `max`) collisions: for scenarios that show a crash.
    Collisions {
        #[serde(default)]
        min: u32,
        #[serde(default)]
        max: Option<u32>,
    },
    /// Every vehicle that departed reached the end of its route by `by` s.
    AllArrived { by: f64 },
    /// The travel time of a vehicle, or the mean over a group's vehicles (a flow id,
    /// `automated`, `human` or `all`), stays under `max_s`.
    MaxTravelTime { of: String, max_s: f64 },
    /// The smallest time-to-collision between a follower and its leader stays at or above `s`.
    MinTimeToCollision { s: f64 },
    /// Mean number of stops per vehicle of a group (`automated`, `human`, `all`, a flow or
    /// vehicle id).
    MaxStops { of: String, max: f64 },
    /// Automated vehicles stop less often, on average, than human-driven ones.
    AutomatedFewerStops,
    /// A latency percentile of delivered messages of a type stays under a bound.
    Latency {
        msg: MsgType,
        percentile: f64,
        below_ms: f64,
        #[serde(default)]
        tech: Option<Tech>,
    },
    /// Share of messages of a type delivered to receivers within `within_m` of the sender.
    DeliveryRatio {
        msg: MsgType,
        within_m: f64,
        at_least: f64,
        #[serde(default)]
        tech: Option<Tech>,
    },
    /// Every hazard was warned of at least this long before the vehicle reached it.
    WarningLeadTime { at_least_s: f64 },
    /// A bus line keeps its headway: the largest gap between consecutive arrivals at any stop.
    MaxHeadway { max_s: f64 },
    /// At least this many messages of a type were delivered.
    MinDelivered { msg: MsgType, count: u64 },
}

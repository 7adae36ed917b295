//! The run report: plain serde data, byte-identical for the same scenario and seed.
//!
//! Everything here is derived from simulated time and seeded randomness; wall-clock figures live
//! in [`Timing`], written to a separate file so that `report.json` can be compared byte for byte.
use serde::{Deserialize, Serialize};

/// Round for the report: keeps reports readable and byte-stable against last-bit noise.
pub fn round(x: f64, digits: i32) -> f64 {
    let k = 10f64.powi(digits);
    (x * k).round() / k
}

/// The outcome of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub scenario: String,
    /// File name of the scenario (`<embedded>` for the default): the name only, so the report's
    /// bytes do not depend on how the path was spelled or where the run was started from.
    pub source: String,
    pub seed: u64,
    pub version: String,
    pub step_s: f64,
    pub steps: u64,
    pub sim_time_s: f64,
    pub summary: Summary,
    pub vehicles: Vec<VehicleResult>,
    pub collisions: Vec<CollisionRecord>,
    pub v2x: V2xSummary,
    pub warnings: Vec<WarningRecord>,
    /// Timed events and faults that took effect: (time s, what).
    pub events: Vec<(f64, String)>,
    pub expectations: Vec<Verdict>,
    /// True when every expectation holds.
    pub passed: bool,
}

/// Headline figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub vehicles: u32,
    pub arrived: u32,
    pub mean_travel_time_s: Option<f64>,
    pub collisions: u32,
    pub min_ttc_s: Option<f64>,
    pub hard_brakings: u32,
    /// Brakings harder than the driver's comfortable deceleration for another reason than a
    /// vehicle ahead (a signal, line, lane end or stop the driver should have seen coming).
    pub uncomfortable_brakings: u32,
    pub mean_stops: Option<f64>,
    /// Vehicle updates (vehicle × step) performed.
    pub vehicle_updates: u64,
}

/// What happened to one vehicle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VehicleResult {
    pub id: String,
    pub kind: String,
    pub automated: bool,
    /// Flow id for generated vehicles.
    pub flow: Option<String>,
    pub depart_s: f64,
    pub arrive_s: Option<f64>,
    pub travel_time_s: Option<f64>,
    pub distance_m: f64,
    pub stops: u32,
    pub max_decel: f64,
    pub min_ttc_s: Option<f64>,
}

/// Two road users touched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CollisionRecord {
    pub time_s: f64,
    pub a: String,
    pub b: String,
    /// Speed of one relative to the other at contact, m/s.
    pub relative_speed: f64,
}

/// V2X statistics; empty when V2X is off.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct V2xSummary {
    pub enabled: bool,
    /// One row per (message type, technology), sorted.
    pub by_type: Vec<MsgStats>,
    /// Mean channel busy ratio per technology over the run.
    pub channel_busy_ratio: Vec<(String, f64)>,
    /// Mean load of each gNB over the run (background plus V2X traffic), 0-1.
    #[serde(default)]
    pub cell_load: Vec<(String, f64)>,
}

/// Statistics for one message type on one technology.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MsgStats {
    pub msg: String,
    pub tech: String,
    pub sent: u64,
    /// Receptions attempted (one per receiver in range of the sender).
    pub attempts: u64,
    pub delivered: u64,
    pub delivery_ratio: Option<f64>,
    pub latency_ms: Option<Percentiles>,
    /// Mean age of information at the receivers, ms.
    pub mean_age_ms: Option<f64>,
    /// Delivery ratio per 50 m distance bin: (bin start m, attempts, delivered).
    pub pdr_by_distance: Vec<(f64, u64, u64)>,
    /// Losses by reason, sorted by reason.
    pub lost: Vec<(String, u64)>,
}

/// Latency percentiles, ms.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

/// A hazard warning that reached a vehicle, and how long before it reached the hazard. For an
/// intersection collision warning (`hazard` = the red-light runner's object id, 3,000,000 +
/// vehicle index) the distance is to the vehicle's own stop line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarningRecord {
    pub vehicle: String,
    pub hazard: String,
    pub kind: String,
    pub received_s: f64,
    /// Time the vehicle would take to reach the hazard at its speed when the warning arrived
    /// (distance along its route / speed), s; none when it was (nearly) standing.
    pub lead_time_s: Option<f64>,
}

/// The verdict on one expectation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The expectation as written in the scenario (RON).
    pub expectation: String,
    pub passed: bool,
    /// What was measured, in words and numbers ("3 collisions", "p99 = 12.4 ms").
    pub measured: String,
    /// What was wanted ("0 collisions", "p99 < 20 ms").
    pub wanted: String,
}

/// Wall-clock figures: never part of `report.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub wall_s: f64,
    pub vehicle_updates_per_s: f64,
    pub real_time_factor: f64,
    pub steps_per_s: f64,
}

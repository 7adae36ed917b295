//! The scenario specification: plain serde data, no Bevy types.
//!
//! A scenario file is one RON document deserialised into [`Spec`]. Every field has its unit in
//! the docs (SI unless the name says otherwise, e.g. `speed_limit_kmh`) and a default where one is
//! sensible; `docs/scenario-format.md` is the user-facing version of this module.

mod events;
mod expect;
mod network;
mod traffic;
mod v2x;

pub use events::*;
pub use expect::*;
pub use network::*;
pub use traffic::*;
pub use v2x::*;

use serde::{Deserialize, Serialize};

/// Smallest and largest allowed fixed step, in seconds (1-100 ms).
pub const STEP_BOUNDS: (f64, f64) = (0.001, 0.1);

/// One scenario: the world, what moves in it, what happens, and what must hold.
///
/// The RON top level may be written `(...)` or `Scenario(...)` (hence the serde rename).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Scenario")]
pub struct Spec {
    /// Short name shown in reports and test tables.
    pub name: String,
    /// Fragment files merged into this scenario, relative to this file (one level only: a
    /// fragment cannot include). Their lists are prepended to this file's; see
    /// `scenario::load::include`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// What the scenario shows; free text.
    #[serde(default)]
    pub description: String,
    /// Master seed; every random stream is derived from it (see `traffic::rng`).
    #[serde(default)]
    pub seed: u64,
    /// Simulated time, s.
    pub duration: f64,
    /// Fixed step, s (default 0.01; allowed 0.001-0.1).
    #[serde(default = "default_step")]
    pub step: f64,
    /// SUMO files read at load time: their network and demand are merged into this scenario's
    /// as an include's are (docs/sumo-import.md).
    #[serde(default, skip_serializing_if = "SumoFiles::is_empty")]
    pub sumo: SumoFiles,
    /// Roads, junctions and signal programs (may come wholly or partly from an include).
    #[serde(default)]
    pub network: Network,
    /// Static building blocks: colliders now, radio shadowing and the 3D view later.
    #[serde(default)]
    pub buildings: Vec<Building>,
    /// Individually placed vehicles.
    #[serde(default)]
    pub vehicles: Vec<VehicleSpawn>,
    /// Streams of vehicles between two nodes.
    #[serde(default)]
    pub flows: Vec<Flow>,
    /// Pedestrians crossing a link.
    #[serde(default)]
    pub pedestrians: Vec<PedestrianSpawn>,
    /// Things that happen at a given time (stalls, closures, faults).
    #[serde(default)]
    pub events: Vec<TimedEvent>,
    /// Roadside units, base stations, on-board units, link models.
    #[serde(default)]
    pub v2x: V2xSpec,
    /// What must hold at the end of the run; each gets a verdict in the report.
    #[serde(default)]
    pub expectations: Vec<Expectation>,
}

/// SUMO files a scenario reads, relative to it (and inside its directory, as includes).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SumoFiles {
    /// A network (`.net.xml`, as `netconvert` or `netgenerate` write it); empty: none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub net: String,
    /// Demand files (`.rou.xml`): vehicle types, routes, vehicles, trips and flows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<String>,
}

impl SumoFiles {
    pub fn is_empty(&self) -> bool {
        self.net.is_empty() && self.routes.is_empty()
    }
}

fn default_step() -> f64 {
    0.01
}

/// A 2D point in metres (x east, y north).
pub type Point = (f64, f64);

/// Building block: a box or an extruded footprint polygon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Building {
    /// Name shown in the view; optional.
    #[serde(default)]
    pub id: String,
    /// Footprint.
    pub shape: Footprint,
    /// Height, m.
    pub height: f64,
}

/// A building's footprint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Footprint {
    /// Axis-aligned box: centre, size (x, y) in m, rotation about the vertical in degrees.
    Box {
        center: Point,
        size: (f64, f64),
        #[serde(default)]
        rotation_deg: f64,
    },
    /// Convex or concave polygon, counter-clockwise, at least three points.
    Polygon(Vec<Point>),
}

impl Footprint {
    /// Corners of the footprint, counter-clockwise.
    pub fn corners(&self) -> Vec<Point> {
        match self {
            Footprint::Polygon(p) => p.clone(),
            Footprint::Box {
                center,
                size,
                rotation_deg,
            } => {
                let (s, c) = rotation_deg.to_radians().sin_cos();
                let (hx, hy) = (size.0 / 2.0, size.1 / 2.0);
                [(-hx, -hy), (hx, -hy), (hx, hy), (-hx, hy)]
                    .iter()
                    .map(|(x, y)| (center.0 + x * c - y * s, center.1 + x * s + y * c))
                    .collect()
            }
        }
    }
}

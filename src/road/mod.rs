//! The road: geometry, the indexed network, and routing. Plain data built once per run.
pub mod curves;
pub mod elevation;
pub mod geometry;
pub mod network;
pub mod routing;
pub mod signals;

pub use network::{LANE_WIDTH, RoadNetwork};

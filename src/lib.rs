//! sangam-sim: a deterministic simulator of the Sangam (Seoul DMC) 5G connected and automated
//! driving testbed.
//!
//! One Bevy world per run, stepped at a fixed rate by a single thread. Every step runs the same
//! chain of system sets, in one direction; data produced late in a step is read early in the
//! next:
//!
//! ```text
//! ScenarioSystems  departures, pedestrians stepping off, timed events and faults
//! SenseSystems     on-board perception (range + line of sight), V2X inbox
//! DecideSystems    IDM, MOBIL, signal compliance, V2X reactions
//! ActSystems       motion along lanes, poses
//! PhysicsSystems   rapier: sync, step, contact events
//! CommSystems      message generation -> radio links -> delivery queue -> inboxes
//! RecordSystems    metrics, expectations, traces
//! ```
pub mod cli;
pub mod clock;
pub mod ids;
pub mod metrics;
pub mod physics;
pub mod radio;
pub mod rng;
pub mod road;
pub mod runner;
pub mod scenario;
pub mod sim;
pub mod trace;
pub mod traffic;
pub mod v2x;
#[cfg(feature = "viz")]
pub mod viz;

use bevy::prelude::*;

pub use sim::{
    ActSystems, CommSystems, DecideSystems, EventSystems, PhysicsSystems, RecordSystems,
    ScenarioSystems, SenseSystems, SpecRes,
};

/// The simulation: every concern's plugin, with the step's system sets chained in one direction.
pub struct SimPlugin;

impl Plugin for SimPlugin {
    fn build(&self, app: &mut App) {
        app.configure_sets(
            FixedUpdate,
            (
                ScenarioSystems,
                SenseSystems,
                DecideSystems,
                ActSystems,
                PhysicsSystems,
                CommSystems,
                RecordSystems,
            )
                .chain(),
        )
        .add_plugins((traffic::plugin, v2x::plugin, metrics::plugin));
    }
}

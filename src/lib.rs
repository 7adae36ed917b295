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
// Ground floor: plain data and helpers that know no concern.
pub mod clock;
pub mod ids;
pub mod output;
pub mod par;
pub mod rng;
pub mod scenario;
pub mod sight;
// Models: road geometry, radio physics and on-air encodings, plain functions.
pub mod radio;
pub mod road;
pub mod sumo;
pub mod wire;
// The running world: shared resources and set labels, then one concern per plugin, in step order.
pub mod metrics;
pub mod physics;
pub mod replay;
pub mod sim;
pub mod trace;
pub mod traffic;
pub mod v2x;
// Driving runs, and the faces: the command line and (feature `viz`) the 3D view.
pub mod cli;
pub mod cosim;
pub mod html;
pub mod runner;
#[cfg(feature = "viz")]
pub mod viz;

use bevy::prelude::*;

use sim::{
    ActSystems, CommSystems, DecideStage, DecideSystems, PhysicsSystems, RecordStage,
    RecordSystems, ScenarioSystems, SenseStage, SenseSystems,
};

/// The whole simulation: every concern's plugin (rapier included), the step's system sets
/// chained in one direction, and the clock advancing after everything else in the step. The
/// runner adds the world's inputs (spec, network, plans, clock) and, when asked, traces.
pub struct SimPlugin {
    /// The fixed step, s (rapier's time step).
    pub step_s: f32,
}

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
        .add_plugins(stages)
        .add_plugins((traffic::plugin, v2x::plugin, metrics::plugin))
        .add_plugins(physics::PhysicsPlugin { dt: self.step_s })
        .insert_resource(traffic::depart::VehicleRows(reserve_vehicle_rows))
        .add_systems(FixedLast, advance_clock);
    }
}

/// Every component a vehicle ends up with in the headless world: what it is spawned with, its
/// trip's statistics and its body. Radios add [`traffic::Obu`] and, with V2X on, their state.
type VehicleRow = (
    traffic::depart::Spawned,
    metrics::recorder::TripStats,
    physics::VehicleBody,
);

/// Make room for `n` more vehicles like `sample` in its table ([`sim::reserve_rows`]), whichever
/// of the kinds of vehicle it is; none when it carries anything else (the view's meshes).
fn reserve_vehicle_rows(world: &mut World, sample: Entity, n: usize) {
    use sim::reserve_rows as r;
    use traffic::Obu;
    use traffic::components::BusStops;
    use v2x::nodes::OnBoard;
    let _ = r::<VehicleRow>(world, sample, n)
        || r::<(VehicleRow, Obu)>(world, sample, n)
        || r::<(VehicleRow, Obu, OnBoard)>(world, sample, n)
        || r::<(VehicleRow, BusStops)>(world, sample, n)
        || r::<(VehicleRow, BusStops, Obu)>(world, sample, n)
        || r::<(VehicleRow, BusStops, Obu, OnBoard)>(world, sample, n);
}

/// The named stages inside the sets, for ordering across plugins by label, never by another
/// plugin's function names.
fn stages(app: &mut App) {
    use RecordStage::{Contacts, Metrics, Traces, V2xLog};
    let sense = (SenseStage::Predict, SenseStage::Inbox, SenseStage::Perceive);
    let decide = (
        DecideStage::Snapshot,
        DecideStage::Advice,
        DecideStage::Control,
    );
    app.configure_sets(FixedUpdate, sense.chain().in_set(SenseSystems))
        .configure_sets(FixedUpdate, decide.chain().in_set(DecideSystems))
        .configure_sets(
            FixedUpdate,
            (Traces, V2xLog, Contacts, Metrics)
                .chain()
                .in_set(RecordSystems),
        );
}

/// The clock advances after everything else in the step.
fn advance_clock(mut clock: ResMut<clock::SimClock>) {
    clock.step += 1;
}

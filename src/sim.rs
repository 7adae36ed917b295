//! What every concern of the running simulation shares: the scenario of the run as a resource,
//! and the labels of the step's system sets (chained in [`crate::SimPlugin`]).
use std::sync::Arc;

use bevy::prelude::*;

use crate::scenario::spec::Spec;

/// The scenario of this run and the name of the file it came from. Its vehicle list is emptied
/// once the plan holds them (`traffic::spawn::Departures`; ~0.7 KB a vehicle kept for nothing),
/// unless the run records a replay, whose page carries the whole scenario.
#[derive(Resource, Clone)]
pub struct SpecRes(pub Arc<Spec>, pub String);

/// Timed events, departures, faults.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScenarioSystems;
/// Perception and reading what arrived.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct SenseSystems;
/// Driving decisions.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct DecideSystems;
/// Motion.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct ActSystems;
/// Rapier.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhysicsSystems;
/// V2X messages.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct CommSystems;
/// Metrics and traces.
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordSystems;

/// Inside [`ScenarioSystems`]: the system that applies timed events (after departures and
/// pedestrians stepping off in the same step).
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventSystems;

/// Inside [`SenseSystems`], in this order: traffic predicts conflicts, V2X fills the inboxes
/// (warnings received this step), then traffic perceives (sensors and what arrived).
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SenseStage {
    Predict,
    Inbox,
    Perceive,
}

/// Inside [`DecideSystems`], in this order: traffic snapshots the leaders, V2X turns received
/// messages into advice (GLOSA, EEBL), then traffic controls speed and lanes.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DecideStage {
    Snapshot,
    Advice,
    Control,
}

/// Inside [`RecordSystems`], in this order: traces sample the step, the V2X log is flushed,
/// contacts are recorded, then the metrics (whose arrivals despawn vehicles, so they come last).
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordStage {
    Traces,
    V2xLog,
    Contacts,
    Metrics,
}

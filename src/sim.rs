//! What every concern of the running simulation shares: the scenario of the run as a resource,
//! and the labels of the step's system sets (chained in [`crate::SimPlugin`]).
use std::sync::Arc;

use bevy::prelude::*;

use crate::scenario::spec::Spec;

/// The scenario of this run and the name of the file it came from.
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

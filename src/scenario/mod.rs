//! Scenarios: the RON schema (`spec`), loading with spans, validation that reports every error
//! at once, the embedded library, and the timed events that run during a simulation.
pub mod diag;
pub mod embedded;
pub mod load;
pub mod locate;
pub mod spec;
pub mod validate;

mod events;

use std::sync::Arc;

use bevy::prelude::*;

use crate::ScenarioSystems;

/// The scenario of this run and the name of the file it came from.
#[derive(Resource, Clone)]
pub struct SpecRes(pub Arc<spec::Spec>, pub String);

/// The system that applies timed events (after departures of the same step).
#[derive(SystemSet, Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventSystems;

pub use events::{
    CLOSURE_BEFORE_END_M, Faults, ROADWORKS_HAZARD_BASE, STALL_HAZARD_BASE, VEHICLE_OBJECT_BASE,
    roadworks_id,
};

pub(crate) fn plugin(app: &mut App) {
    app.init_resource::<Faults>().add_systems(
        FixedUpdate,
        events::apply.in_set(ScenarioSystems).in_set(EventSystems),
    );
}

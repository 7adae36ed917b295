//! Traffic: vehicles and pedestrians, driven by IDM (car following), MOBIL (lane changes),
//! signal compliance and priority-junction gap acceptance.
//!
//! The models (`idm`, `mobil`; signal programs are `road::signals`) are plain functions; the systems here gather inputs
//! from the ECS, call them, and write the result.
pub mod act;
pub mod components;
pub mod conflict;
pub mod decide;
pub mod depart;
pub mod diverge;
pub mod events;
pub mod give_way;
pub mod idm;
pub mod kind;
pub mod lane_change;
pub mod lanes;
pub mod mobil;
pub mod pedestrians;
pub mod perceive;
pub mod permissive;
pub mod shift;
pub mod spawn;

use std::collections::BTreeSet;

use bevy::prelude::*;

use crate::scenario::spec::Tech;
use crate::sim::{ActSystems, DecideStage, EventSystems, ScenarioSystems, SenseStage};

/// How far ahead a driver looks for leaders, stop lines and hazards, m.
pub const LOOKAHEAD: f64 = 250.0;

/// Lanes closed by events: (link, lane).
#[derive(Resource, Debug, Default)]
pub struct ClosedLanes(pub BTreeSet<(u32, u8)>);

/// An on-board unit: the radios a vehicle carries.
#[derive(Component, Debug, Clone)]
pub struct Obu {
    pub radios: Vec<Tech>,
}

pub(crate) fn plugin(app: &mut App) {
    app.init_resource::<ClosedLanes>()
        .init_resource::<conflict::Violators>()
        .init_resource::<lanes::LaneIndex>()
        .add_message::<components::Arrived>()
        .add_message::<components::StopServed>()
        .add_systems(
            FixedUpdate,
            (
                (depart::depart, pedestrians::step_off)
                    .chain()
                    .in_set(ScenarioSystems)
                    .before(EventSystems),
                events::apply.in_set(ScenarioSystems).in_set(EventSystems),
                conflict::predict.in_set(SenseStage::Predict),
                perceive::perceive.in_set(SenseStage::Perceive),
                decide::snapshot.in_set(DecideStage::Snapshot),
                (decide::accelerate, lane_change::change_lanes)
                    .chain()
                    .in_set(DecideStage::Control),
                (act::drive, pedestrians::walk, act::place)
                    .chain()
                    .in_set(ActSystems),
            ),
        );
}

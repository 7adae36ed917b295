//! What every concern of the running simulation shares: the scenario of the run as a resource,
//! and the labels of the step's system sets (chained in [`crate::SimPlugin`]).
use std::sync::Arc;

use bevy::ecs::bundle::NoBundleEffect;
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

/// Make room for `n` more entities in the table `sample` is in, when its components are exactly
/// `B`'s (explicit and required); returns whether it did. Bevy grows a table by doubling as
/// entities arrive one by one and never shrinks it, so a step that brings thousands of vehicles
/// (a `bench`'s first) would leave up to half the table's rows allocated and empty for the run.
/// The only public way to reserve rows is `World::spawn_batch`, which reserves what its iterator
/// says it holds: given an iterator that holds nothing, it reserves and spawns nothing.
pub fn reserve_rows<B: Bundle<Effect: NoBundleEffect>>(
    world: &mut World,
    sample: Entity,
    n: usize,
) -> bool {
    let Ok(entity) = world.get_entity(sample) else {
        return false;
    };
    let mut have = entity.archetype().components().to_vec();
    let mut want = world
        .register_bundle::<B>()
        .contributed_components()
        .to_vec();
    have.sort_unstable();
    want.sort_unstable();
    if have != want {
        return false;
    }
    world.spawn_batch(Hint::<B>(n, std::marker::PhantomData));
    true
}

/// An empty iterator that says it holds `.0` bundles ([`reserve_rows`]).
struct Hint<B>(usize, std::marker::PhantomData<B>);

impl<B> Iterator for Hint<B> {
    type Item = B;
    fn next(&mut self) -> Option<B> {
        None
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.0, Some(self.0))
    }
}

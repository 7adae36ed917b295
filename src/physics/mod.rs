//! Physics: rapier colliders for vehicle bodies, pedestrians and buildings, and contact events
//! (line-of-sight queries and the collision groups are `crate::sight`).
//!
//! Vehicles and pedestrians carry a `Collider` and no `RigidBody`: the simulation owns their pose
//! and rapier follows their `GlobalTransform` (a kinematic body's `Transform` was reset by
//! rapier's writeback every step: bevy_rapier copies a kinematic body's pose back into its
//! `Transform` after the step). Rapier runs in `FixedUpdate`
//! with a fixed timestep equal to the scenario step.
pub mod buildings;
pub mod contacts;

use std::collections::BTreeMap;

use bevy::prelude::*;
use bevy_rapier3d::prelude::*;

use crate::sim::{PhysicsSystems, RecordStage, SpecRes};
use crate::traffic::components::{Pedestrian, Vehicle};
use crate::traffic::pedestrians::BODY_CENTRE_M;
use crate::traffic::spawn::Departures;

use crate::sight::{BUILDINGS, PEDESTRIANS, VEHICLES};

pub struct PhysicsPlugin {
    pub dt: f32,
}

impl Plugin for PhysicsPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugins(RapierPhysicsPlugin::<NoUserData>::default().in_fixed_schedule())
            .insert_resource(TimestepMode::Fixed {
                dt: self.dt,
                substeps: 1,
            })
            .configure_sets(
                FixedUpdate,
                (
                    PhysicsSet::SyncBackend,
                    PhysicsSet::StepSimulation,
                    PhysicsSet::Writeback,
                )
                    .in_set(PhysicsSystems),
            )
            .add_observer(vehicle_body)
            .add_observer(pedestrian_body)
            .add_systems(Startup, (presize_colliders, buildings::spawn))
            .add_systems(FixedUpdate, contacts::record.in_set(RecordStage::Contacts));
    }
}

/// The components a vehicle's body ends up with: those [`vehicle_body`] inserts and the two
/// rapier adds when it makes the collider (`crate::traffic::depart::VehicleRows`).
pub type VehicleBody = (
    Collider,
    ActiveCollisionTypes,
    ActiveEvents,
    CollisionGroups,
    RapierColliderHandle,
    RapierContextEntityLink,
);

/// A vehicle's body: a box of its length, height and width. Bodies of one size share their shape
/// (rapier's shapes are shared pointers, as for any collider cloned): a shape of its own was an
/// allocation a vehicle, ~48 B.
fn vehicle_body(
    add: On<Add, Vehicle>,
    vehicles: Query<&Vehicle>,
    mut shapes: Local<BTreeMap<[u32; 3], Collider>>,
    mut commands: Commands,
) {
    let Ok(v) = vehicles.get(add.entity) else {
        return;
    };
    let b = v.body;
    let half = [b.length, b.height, b.width].map(|x| (x / 2.0) as f32);
    let shape = shapes
        .entry(half.map(f32::to_bits))
        .or_insert_with(|| Collider::cuboid(half[0], half[1], half[2]));
    commands.entity(add.entity).insert((
        shape.clone(),
        ActiveCollisionTypes::all(),
        ActiveEvents::COLLISION_EVENTS,
        CollisionGroups::new(VEHICLES, VEHICLES | PEDESTRIANS | BUILDINGS),
    ));
    commands.queue(init_colliders_now);
}

fn pedestrian_body(add: On<Add, Pedestrian>, mut commands: Commands) {
    commands.entity(add.entity).insert((
        // Standing on the ground: its half-height is where its centre is.
        Collider::cuboid(0.25, BODY_CENTRE_M as f32, 0.25),
        ActiveCollisionTypes::all(),
        ActiveEvents::COLLISION_EVENTS,
        CollisionGroups::new(PEDESTRIANS, VEHICLES),
    ));
    commands.queue(init_colliders_now);
}

/// Give rapier's working state back when a run is over (its collider list, sized by
/// `presize_colliders`, and its broad phase: ~0.6 KB a vehicle), so the report, built next from
/// the vehicles' rows, fits in the room the steps used rather than on top of it. Nothing reads
/// contacts or casts a ray after the last step.
pub fn release(world: &mut World) {
    let mut contexts = world.query::<(&mut RapierContextSimulation, &mut RapierContextColliders)>();
    for (mut sim, mut colliders) in contexts.iter_mut(world) {
        *sim = RapierContextSimulation::default();
        *colliders = RapierContextColliders::default();
    }
}

/// Rapier keeps its colliders in a list that doubles as bodies arrive and never shrinks; sized
/// at the start for the buildings and the vehicles due in the first step (all of a `bench`'s),
/// it does not carry up to half its slots empty for the run (~0.2 KB a vehicle at 9,000).
/// Later bodies grow it as before.
fn presize_colliders(
    mut sets: Query<&mut RapierContextColliders>,
    spec: Res<SpecRes>,
    plan: Option<Res<Departures>>,
) {
    let first = plan.map_or(0, |p| p.due(0.0));
    let bodies = spec.0.buildings.len() + first;
    for mut set in &mut sets {
        if set.colliders.is_empty() {
            set.colliders = bevy_rapier3d::rapier::geometry::ColliderSet::with_capacity(bodies);
        }
    }
}

/// Give a new body its rapier collider as soon as it has its shape, with rapier's own system,
/// instead of at the next physics step. Rapier then adds two components (its context and the
/// collider's handle), which moves the entity to another table; bevy tables never shrink, so
/// when thousands of vehicles depart in one step (a `bench`) the table they were spawned in
/// stayed allocated and empty for the run (1.5 KB a vehicle). Done at once, each entity passes
/// through that table alone. The collider's pose follows the `GlobalTransform` at the next
/// step's sync (`apply_collider_user_changes`), as for a body that moves.
fn init_colliders_now(world: &mut World) {
    // Its parameters are queries and commands, which always validate; the context and its
    // configuration exist from `PreStartup` (rapier's `insert_default_context` and
    // `setup_rapier_configuration`), before any body is spawned.
    world
        .run_system_cached(systems::init_colliders)
        .expect("init_colliders takes no parameter that can fail");
}

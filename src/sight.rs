//! Line of sight by ray casts against rapier's colliders, and the collision groups that say what
//! blocks a ray. Ground floor: perception (traffic), the radio (v2x) and physics (which gives
//! bodies their groups) all use it; it knows none of them.
use bevy::prelude::*;
use bevy_rapier3d::prelude::*;

/// Collision groups: buildings, vehicles, pedestrians.
pub const BUILDINGS: Group = Group::GROUP_1;
pub const VEHICLES: Group = Group::GROUP_2;
pub const PEDESTRIANS: Group = Group::GROUP_3;

/// True when nothing in `blockers` lies on the segment from `from` to `to`, ignoring `exclude`.
/// Colliders spawned this step are not in the query pipeline until a physics step has run.
pub fn clear(
    ctx: &RapierContext,
    from: Vec3,
    to: Vec3,
    blockers: Group,
    exclude: &[Entity],
) -> bool {
    let d = to - from;
    let len = d.length();
    if len < 1e-3 {
        return true;
    }
    let keep = |e: Entity| !exclude.contains(&e);
    let filter = QueryFilter::new()
        .groups(CollisionGroups::new(Group::ALL, blockers))
        .predicate(&keep);
    ctx.cast_ray(from, d / len, len, true, filter).is_none()
}

/// Blockers for an optical sensor: buildings and other vehicles.
pub const OPTICAL: Group = BUILDINGS.union(VEHICLES);

//! On-board perception: a driver (or an automated vehicle's sensors) notices a hazard, or a
//! red-light runner heading for the junction it approaches, once it is within sensor range and
//! in line of sight, past buildings and other vehicles.
use bevy::prelude::*;
use bevy_rapier3d::prelude::ReadRapierContext;

use super::components::*;
use super::conflict::{Violators, approaching, crossing};
use crate::clock::SimClock;
use crate::ids::ObjectId;
use crate::physics::los::{OPTICAL, clear};
use crate::road::RoadNetwork;

/// Range of on-board perception, m: automotive front cameras and lidars detect pedestrians to
/// about 100-150 m in daylight (e.g. Mobileye EyeQ4 specification: 150 m vehicle detection);
/// a human's effective hazard-detection range in city traffic is similar. Assumed: 120 m.
pub const SENSOR_RANGE: f64 = 120.0;

/// Perception runs every 100 ms, a typical camera/lidar frame rate (10 Hz).
pub const PERIOD: f64 = 0.1;

/// [`SENSOR_RANGE`] in the f32 of Bevy coordinates.
const RANGE32: f32 = SENSOR_RANGE as f32;

/// Eye/sensor height above the road, m.
const EYE: f32 = 1.2;

#[allow(clippy::type_complexity)]
pub fn perceive(
    clock: Res<SimClock>,
    net: Res<RoadNetwork>,
    violators: Res<Violators>,
    rapier: ReadRapierContext,
    mut vehicles: Query<(Entity, &Motion, &Route, &Transform, &mut Awareness), Without<Stalled>>,
    stalled: Query<(Entity, &Motion, &Hazard, &Transform), With<Stalled>>,
    pedestrians: Query<(Entity, &Pedestrian, &Hazard, &Transform)>,
) {
    if !clock.every(PERIOD)
        || (stalled.is_empty() && pedestrians.is_empty() && violators.0.is_empty())
    {
        return;
    }
    let Ok(ctx) = rapier.single() else {
        return;
    };
    let t = clock.t();
    // Hazards as (entity, hazard id, link, s, world point).
    let mut hazards: Vec<(Entity, u32, u32, f64, Vec3)> = stalled
        .iter()
        .map(|(e, m, h, tf)| (e, h.id, m.link, m.s, tf.translation))
        .chain(
            pedestrians
                .iter()
                .map(|(e, p, h, tf)| (e, h.id, p.link, p.s, tf.translation)),
        )
        .collect();
    hazards.sort_by_key(|h| h.1);
    for (me, m, route, tf, mut aware) in &mut vehicles {
        let eye = tf.translation + tf.rotation * Vec3::X * 2.0 + Vec3::Y * (EYE - tf.translation.y);
        // Red-light runners approaching my junction on another link (only these pairs are
        // checked, to keep it cheap).
        if let Some((node, _)) = approaching(&net, m, route) {
            for o in crossing(&violators, node, m.link) {
                let Some(id) = ObjectId::Vehicle(o.index).wire() else {
                    continue;
                };
                if o.entity == me || aware.since(id).is_some() || eye.distance(o.at) > RANGE32 {
                    continue;
                }
                let target = Vec3::new(o.at.x, o.at.y.max(0.5), o.at.z);
                if clear(&ctx, eye, target, OPTICAL, &[me, o.entity]) {
                    aware.learn(id, t);
                }
            }
        }
        for &(he, id, link, s, at) in &hazards {
            if aware.since(id).is_some() {
                continue;
            }
            // Ahead of me on my link or the next one.
            let ahead = if link == m.link {
                s - m.s
            } else if route.next() == Some(link) {
                net.links[m.link as usize].length - m.s + s
            } else {
                continue;
            };
            if !(0.0..=SENSOR_RANGE).contains(&ahead) {
                continue;
            }
            let target = Vec3::new(at.x, at.y.max(0.5), at.z);
            if clear(&ctx, eye, target, OPTICAL, &[me, he]) {
                aware.learn(id, t);
            }
        }
    }
}

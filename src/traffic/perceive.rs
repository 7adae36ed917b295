//! On-board perception: a driver (or an automated vehicle's sensors) notices a hazard, or a
//! red-light runner heading for the junction it approaches, once it is within sensor range and
//! in line of sight, past buildings and other vehicles.
use bevy::ecs::query::QueryData;
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_rapier3d::prelude::ReadRapierContext;

use super::components::*;
use super::conflict::{Violators, approaching, crossing};
use crate::clock::SimClock;
use crate::ids::ObjectId;
use crate::road::RoadNetwork;
use crate::sight::{OPTICAL, clear};

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

/// The resources perception reads.
#[derive(SystemParam)]
pub struct SenseCtx<'w, 's> {
    clock: Res<'w, SimClock>,
    net: Res<'w, RoadNetwork>,
    violators: Res<'w, Violators>,
    rapier: ReadRapierContext<'w, 's>,
}

/// A vehicle that looks out for hazards (stalled ones do not).
#[derive(QueryData)]
#[query_data(mutable)]
pub struct Observer {
    entity: Entity,
    motion: &'static Motion,
    route: &'static Route,
    tf: &'static Transform,
    aware: &'static mut Awareness,
}

/// A hazard on the road: its entity, hazard id, link, position on the link and world point.
#[derive(Debug, Clone, Copy)]
struct Sighting {
    entity: Entity,
    id: u32,
    link: u32,
    s: f64,
    at: Vec3,
}

/// The hazards on the road: stalled vehicles and pedestrians.
#[derive(SystemParam)]
pub struct Hazards<'w, 's> {
    stalled: Query<
        'w,
        's,
        (Entity, &'static Motion, &'static Hazard, &'static Transform),
        With<Stalled>,
    >,
    pedestrians: Query<
        'w,
        's,
        (
            Entity,
            &'static Pedestrian,
            &'static Hazard,
            &'static Transform,
        ),
    >,
}

impl Hazards<'_, '_> {
    fn is_empty(&self) -> bool {
        self.stalled.is_empty() && self.pedestrians.is_empty()
    }

    /// Every hazard, sorted by hazard id.
    fn sightings(&self) -> Vec<Sighting> {
        let sighting = |entity, id, link, s, at| Sighting {
            entity,
            id,
            link,
            s,
            at,
        };
        let mut hazards: Vec<Sighting> = self
            .stalled
            .iter()
            .map(|(e, m, h, tf)| sighting(e, h.id, m.link, m.s, tf.translation))
            .chain(
                self.pedestrians
                    .iter()
                    .map(|(e, p, h, tf)| sighting(e, h.id, p.link, p.s, tf.translation)),
            )
            .collect();
        hazards.sort_by_key(|h| h.id);
        hazards
    }
}

pub fn perceive(ctx: SenseCtx, mut vehicles: Query<Observer, Without<Stalled>>, hazards: Hazards) {
    if !ctx.clock.every(PERIOD) || (hazards.is_empty() && ctx.violators.0.is_empty()) {
        return;
    }
    let Ok(rapier) = ctx.rapier.single() else {
        return;
    };
    let t = ctx.clock.t();
    let hazards = hazards.sightings();
    for mut o in &mut vehicles {
        let (me, m, route, tf) = (o.entity, o.motion, o.route, o.tf);
        // Above the road at the front (on a slope or a bridge, above that road).
        let ground = ctx.net.ground(m.link, m.lane, m.s, m.prev) as f32;
        let eye = tf.translation
            + tf.rotation * Vec3::X * 2.0
            + Vec3::Y * (EYE + ground - tf.translation.y);
        // Red-light runners approaching my junction on another link (only these pairs are
        // checked, to keep it cheap).
        if let Some((node, _)) = approaching(&ctx.net, m, route) {
            for v in crossing(&ctx.violators, node, m.link) {
                let Some(id) = ObjectId::Vehicle(v.index).wire() else {
                    continue;
                };
                if v.entity == me || o.aware.since(id).is_some() || eye.distance(v.at) > RANGE32 {
                    continue;
                }
                if clear(&rapier, eye, above_road(v.at), OPTICAL, &[me, v.entity]) {
                    o.aware.learn(id, t);
                }
            }
        }
        for h in &hazards {
            if o.aware.since(h.id).is_some() {
                continue;
            }
            let Some(ahead) = ahead_on_route(&ctx.net, m, route, h.link, h.s) else {
                continue;
            };
            if !(0.0..=SENSOR_RANGE).contains(&ahead) {
                continue;
            }
            if clear(&rapier, eye, above_road(h.at), OPTICAL, &[me, h.entity]) {
                o.aware.learn(h.id, t);
            }
        }
    }
}

/// The point a sensor aims at: the object's position, at least half a metre above the road.
fn above_road(at: Vec3) -> Vec3 {
    Vec3::new(at.x, at.y.max(0.5), at.z)
}

/// Distance from a vehicle's front to position `s` on `link`, when that is on its own link or
/// the next one of its route.
pub fn ahead_on_route(
    net: &RoadNetwork,
    m: &Motion,
    route: &Route,
    link: u32,
    s: f64,
) -> Option<f64> {
    if link == m.link {
        Some(s - m.s)
    } else if route.next() == Some(link) {
        Some(net.links[m.link as usize].length - m.s + s)
    } else {
        None
    }
}

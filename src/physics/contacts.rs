//! Contacts between road users become recorded collisions (time, who, relative speed).
use bevy::prelude::*;
use bevy_rapier3d::prelude::*;

use crate::clock::SimClock;
use crate::metrics::Recorder;
use crate::metrics::report::CollisionRecord;
use crate::traffic::components::{Motion, Pedestrian, Vehicle};

/// Velocity of a road user in the map plane, m/s. Pedestrians (≤ 2 m/s) count as standing: the
/// relative speed of a vehicle-pedestrian collision is the vehicle's speed.
fn velocity(tf: &Transform, motion: Option<&Motion>) -> Vec2 {
    motion.map_or(Vec2::ZERO, |m| {
        let f = tf.rotation * Vec3::X;
        Vec2::new(f.x, -f.z) * m.v as f32
    })
}

/// A road user as the contact recorder sees it.
type Party = (
    &'static Transform,
    Option<&'static Vehicle>,
    Option<&'static Motion>,
    Option<&'static Pedestrian>,
);

pub fn record(
    clock: Res<SimClock>,
    mut events: MessageReader<CollisionEvent>,
    who: Query<Party>,
    mut rec: ResMut<Recorder>,
) {
    for ev in events.read() {
        let CollisionEvent::Started(a, b, _) = ev else {
            continue;
        };
        let (Ok(ea), Ok(eb)) = (who.get(*a), who.get(*b)) else {
            continue;
        };
        let name = |e: &(
            &Transform,
            Option<&Vehicle>,
            Option<&Motion>,
            Option<&Pedestrian>,
        )| {
            e.1.map(|v| (0, v.index, v.id.clone()))
                .or_else(|| e.3.map(|p| (1, p.index, p.id.clone())))
        };
        let (Some(na), Some(nb)) = (name(&ea), name(&eb)) else {
            continue;
        };
        let rel = (velocity(ea.0, ea.2) - velocity(eb.0, eb.2)).length();
        // Stable order within the pair: vehicles before pedestrians, then by index.
        let (first, second) = if (na.0, na.1) <= (nb.0, nb.1) {
            (na, nb)
        } else {
            (nb, na)
        };
        rec.collisions.push(CollisionRecord {
            time_s: clock.t() + clock.dt,
            a: first.2,
            b: second.2,
            relative_speed: f64::from(rel),
        });
    }
}

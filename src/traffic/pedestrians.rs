//! Pedestrians crossing a link at right angles, at constant walking speed (1.4 m/s default:
//! Knoblauch, Pietrucha, Nitzburg, "Field studies of pedestrian walking speed and start-up
//! time", TRR 1538 (1996): mean 1.2-1.5 m/s).
use bevy::prelude::*;

use super::components::{Hazard, Pedestrian};
use crate::clock::SimClock;
use crate::road::RoadNetwork;
use crate::scenario::spec::Spec;

/// Pedestrians still to step off the kerb, sorted by departure.
#[derive(Resource, Default)]
pub struct PendingPedestrians(pub Vec<(f64, Pedestrian)>);

/// The kerb is this far beyond the outermost lane edge, m.
const KERB: f64 = 1.0;

pub fn plan(spec: &Spec, net: &RoadNetwork) -> PendingPedestrians {
    let mut out: Vec<(f64, Pedestrian)> = spec
        .pedestrians
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let link = net.link(&p.link)?;
            let half = net.links[link as usize].width() + KERB;
            let (start, dir) = if p.from_right {
                (half, -1.0)
            } else {
                (-half, 1.0)
            };
            Some((
                p.depart,
                Pedestrian {
                    index: i as u32,
                    id: p.id.clone(),
                    link,
                    s: p.pos,
                    lateral: start,
                    dir,
                    speed: p.speed,
                    end: -start,
                },
            ))
        })
        .collect();
    out.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.index.cmp(&b.1.index)));
    PendingPedestrians(out)
}

/// Height of a pedestrian's centre above the ground, m (a 1.7 m column).
pub const BODY_CENTRE_M: f64 = 0.85;

/// World pose of a pedestrian (a 0.5 m × 1.7 m column).
pub fn pedestrian_transform(net: &RoadNetwork, p: &Pedestrian) -> Transform {
    let l = &net.links[p.link as usize];
    let (pt, d) = l.center.at(p.s);
    let x = pt[0] + d[1] * p.lateral;
    let y = pt[1] - d[0] * p.lateral;
    Transform::from_xyz(x as f32, (l.ground(p.s) + BODY_CENTRE_M) as f32, -y as f32)
}

pub fn step_off(
    mut commands: Commands,
    clock: Res<SimClock>,
    net: Res<RoadNetwork>,
    mut pending: ResMut<PendingPedestrians>,
) {
    let t = clock.t();
    while pending.0.first().is_some_and(|(d, _)| *d <= t + 1e-9) {
        let (_, p) = pending.0.remove(0);
        let tf = pedestrian_transform(&net, &p);
        commands.spawn((Hazard { id: p.index }, p, tf));
    }
}

pub fn walk(
    mut commands: Commands,
    clock: Res<SimClock>,
    net: Res<RoadNetwork>,
    mut peds: Query<(Entity, &mut Pedestrian, &mut Transform)>,
) {
    for (e, mut p, mut tf) in &mut peds {
        p.lateral += p.dir * p.speed * clock.dt;
        if (p.lateral - p.end) * p.dir >= 0.0 {
            commands.entity(e).despawn();
            continue;
        }
        *tf = pedestrian_transform(&net, &p);
    }
}

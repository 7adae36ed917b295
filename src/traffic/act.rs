//! Move every vehicle along its lane for one step, across junctions onto the next link of its
//! route, and place its body in the world.
use bevy::prelude::*;

use super::components::*;
use super::idm::integrate;
use crate::clock::SimClock;
use crate::road::RoadNetwork;
use crate::scenario::spec::Body;

/// Advance positions and speeds; hand over to the next link; report arrivals.
pub fn drive(
    clock: Res<SimClock>,
    net: Res<RoadNetwork>,
    mut vehicles: Query<(
        Entity,
        &Vehicle,
        &mut Motion,
        &mut Route,
        Option<&mut BusStops>,
    )>,
    mut arrived: MessageWriter<Arrived>,
    mut served: MessageWriter<StopServed>,
) {
    let t = clock.t() + clock.dt;
    for (entity, veh, mut m, mut route, stops) in &mut vehicles {
        let (ds, v) = integrate(m.v, m.acc, clock.dt);
        m.s += ds;
        m.v = v;
        // Start dwelling once stopped at the next bus stop.
        if let Some(mut stops) = stops
            && stops.dwell_until.is_none()
            && let Some((name, at, pos, dwell)) = stops.stops.get(stops.next).cloned()
            && at == route.at
            && (m.s - pos).abs() < 2.0
            && m.v < 0.3
        {
            stops.dwell_until = Some(t + dwell);
            served.write(StopServed {
                vehicle: veh.index,
                stop: name,
                t,
            });
        }
        // Hand over to the next link(s) of the route.
        loop {
            let len = net.links[m.link as usize].length;
            if m.s < len {
                break;
            }
            let Some(next) = route.next() else {
                arrived.write(Arrived { entity, t });
                break;
            };
            let lane = net.entry_lane(m.link, next, m.lane);
            let turn = net.turn_length(m.link, next, lane);
            m.s -= len + turn;
            m.prev = Some(m.link);
            m.link = next;
            m.lane = lane;
            route.at += 1;
        }
    }
}

/// World pose of a vehicle body: map (x east, y north) to Bevy (x, up, −y). The front bumper is
/// on the lane at `s` and the rear on it at `s − length` (like rear wheels, the body cuts the
/// inside of a turn instead of swinging its tail out into the next lane).
pub fn body_transform(net: &RoadNetwork, m: &Motion, body: &Body) -> Transform {
    let (front, d) = net.pose(m.link, m.lane, m.s, m.prev);
    let (rear, _) = net.pose(m.link, m.lane, m.s - body.length, m.prev);
    let chord = [front[0] - rear[0], front[1] - rear[1]];
    let len = chord[0].hypot(chord[1]);
    let dir = if len > 0.5 * body.length {
        [chord[0] / len, chord[1] / len]
    } else {
        d
    };
    // Centred between the front and rear points on the path: on a turn tighter than the body
    // (chord < length) the body overhangs both ends equally instead of sweeping its whole
    // overhang out behind, across the next lane.
    let c = if len > 0.5 * body.length {
        [(front[0] + rear[0]) / 2.0, (front[1] + rear[1]) / 2.0]
    } else {
        [
            front[0] - dir[0] * body.length / 2.0,
            front[1] - dir[1] * body.length / 2.0,
        ]
    };
    let heading = dir[1].atan2(dir[0]) as f32;
    Transform::from_xyz(c[0] as f32, (body.height / 2.0) as f32, -c[1] as f32)
        .with_rotation(Quat::from_rotation_y(heading))
}

/// Write each vehicle's pose for physics and the view.
pub fn place(net: Res<RoadNetwork>, mut vehicles: Query<(&Vehicle, &Motion, &mut Transform)>) {
    for (veh, m, mut tf) in &mut vehicles {
        *tf = body_transform(&net, m, &veh.body);
    }
}

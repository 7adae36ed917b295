//! Move every vehicle along its lane for one step, across junctions onto the next link of its
//! route, and place its body in the world.
use bevy::prelude::*;

use super::components::*;
use super::idm::integrate;
use crate::clock::SimClock;
use crate::par::{self, Threads};
use crate::road::RoadNetwork;
use crate::road::geometry::P2;
use crate::scenario::spec::Body;

/// What of one vehicle the step's motion writes.
type Moving<'a> = (
    Entity,
    &'a Vehicle,
    &'a mut Motion,
    &'a mut Route,
    Option<&'a mut BusStops>,
);

/// What a chunk of vehicles reports, in vehicle order.
#[derive(Default)]
struct Reports {
    served: Vec<StopServed>,
    arrived: Vec<Arrived>,
}

/// Advance positions and speeds; hand over to the next link; report arrivals. A vehicle's move
/// depends on itself alone, so the vehicles are split over the world's threads (`crate::par`);
/// the reports are written in vehicle order for any split.
pub fn drive(
    clock: Res<SimClock>,
    net: Res<RoadNetwork>,
    threads: Option<Res<Threads>>,
    mut vehicles: Query<Moving>,
    mut arrived: MessageWriter<Arrived>,
    mut served: MessageWriter<StopServed>,
) {
    let t = clock.t() + clock.dt;
    let threads = Threads::of(threads);
    let parts = par::batches_mut(threads, vehicles.iter_mut(), |chunk| {
        let mut out = Reports::default();
        for (entity, veh, m, route, stops) in chunk {
            advance(&net, m, &veh.body, clock.dt);
            // Start dwelling once stopped at the next bus stop.
            if let Some(stops) = stops
                && stops.dwell_until.is_none()
                && let Some((name, at, pos, dwell)) = stops.stops.get(stops.next).cloned()
                && at == route.at
                && (m.s - pos).abs() < 2.0
                && m.v < 0.3
            {
                stops.dwell_until = Some(t + dwell);
                out.served.push(StopServed {
                    vehicle: veh.index,
                    stop: name,
                    t,
                });
            }
            if !hand_over(&net, m, route) {
                out.arrived.push(Arrived { entity: *entity, t });
            }
        }
        out
    });
    for part in parts {
        served.write_batch(part.served);
        arrived.write_batch(part.arrived);
    }
}

/// One step of speed and position, and of a lane change under way. `s` is measured along the
/// centreline (along the turn path while negative); the vehicle drives its `ds` along its own
/// lane.
fn advance(net: &RoadNetwork, m: &mut Motion, body: &Body, dt: f64) {
    let (ds, v) = integrate(m.v, m.acc, dt);
    let link = &net.links[m.link as usize];
    let arc = if m.s >= 0.0 {
        link.lane_arc(m.lane, m.s)
    } else {
        m.s
    } + ds;
    m.s = if arc >= 0.0 {
        link.station(m.lane, arc)
    } else {
        arc
    };
    m.v = v;
    if let Some(mut shift) = m.shift {
        let to_end = link.length - m.s;
        m.shift = shift
            .advance((v, dt, ds), to_end, (body.length, body.width))
            .then_some(shift);
    }
}

/// Move a vehicle past the end of its link onto the next link(s) of its route; `false` when
/// its route ends there (it has arrived).
fn hand_over(net: &RoadNetwork, m: &mut Motion, route: &mut Route) -> bool {
    loop {
        let len = net.links[m.link as usize].length;
        if m.s < len {
            return true;
        }
        let Some(next) = route.next() else {
            return false;
        };
        let lane = net.entry_lane(m.link, next, m.lane);
        let turn = net.turn_length(m.link, next, lane);
        // What was driven past the end, along the lane, goes on along the turn path.
        let l = &net.links[m.link as usize];
        m.s = l.lane_arc(m.lane, m.s) - l.lane_arc(m.lane, len) - turn;
        m.prev = Some(m.link);
        m.link = next;
        m.lane = lane;
        // A lane change ends at the line at the latest (`Shift::advance`).
        m.shift = None;
        route.at += 1;
    }
}

/// The point `back` metres behind the front bumper on the vehicle's path, and the lane's
/// direction there: on its lane, moved sideways by a lane change under way.
fn on_path(net: &RoadNetwork, m: &Motion, back: f64) -> (P2, P2) {
    let s = m.s - back;
    match m.shift {
        // Lanes are numbered from the right, offsets are positive to the left.
        Some(shift) if s >= 0.0 => {
            net.pose_between(m.link, f64::from(m.lane) + shift.offset() / shift.width, s)
        }
        Some(shift) => {
            let (p, d) = net.pose(m.link, m.lane, s, m.prev);
            let off = shift.offset();
            ([p[0] - d[1] * off, p[1] + d[0] * off], d)
        }
        None => net.pose(m.link, m.lane, s, m.prev),
    }
}

/// The centre of the front bumper (SUMO's FCD reference point), map coordinates, m.
pub fn front_point(net: &RoadNetwork, m: &Motion) -> P2 {
    on_path(net, m, 0.0).0
}

/// World pose of a vehicle body: map (x east, y north) to Bevy (x, up, −y). The front bumper is
/// on the lane at `s` and the rear on it at `s − length` (like rear wheels, the body cuts the
/// inside of a turn instead of swinging its tail out into the next lane). During a lane change
/// both are moved sideways and the body turns towards the new lane by the path's angle.
pub fn body_transform(net: &RoadNetwork, m: &Motion, body: &Body) -> Transform {
    let (front, d) = on_path(net, m, 0.0);
    let (rear, _) = on_path(net, m, body.length);
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
    let yaw = m.shift.map_or(0.0, |s| s.yaw(m.v));
    let heading = (dir[1].atan2(dir[0]) + yaw) as f32;
    // On a slope the body rests on the road at both ends, pitched by the grade between them
    // (as SUMO's vehicle slope: the rise from the rear to the front over their distance on the
    // map).
    let (z_front, z_rear) = ends_ground(net, m, body);
    let mut rotation = Quat::from_rotation_y(heading);
    if z_front != z_rear {
        let pitch = (z_front - z_rear).atan2(len.max(0.5 * body.length));
        rotation *= Quat::from_rotation_z(pitch as f32);
    }
    let y = (z_front + z_rear) / 2.0 + body.height / 2.0;
    Transform::from_xyz(c[0] as f32, y as f32, -c[1] as f32).with_rotation(rotation)
}

/// Height of the road under the front and the rear bumper, m.
pub fn ends_ground(net: &RoadNetwork, m: &Motion, body: &Body) -> (f64, f64) {
    let ground = |back| net.ground(m.link, m.lane, m.s - back, m.prev);
    (ground(0.0), ground(body.length))
}

/// Write each vehicle's pose for physics and the view (on the world's threads: a pose depends
/// on its vehicle alone).
pub fn place(
    net: Res<RoadNetwork>,
    threads: Option<Res<Threads>>,
    mut vehicles: Query<(&Vehicle, &Motion, &mut Transform)>,
) {
    let threads = Threads::of(threads);
    par::batches_mut(threads, vehicles.iter_mut(), |chunk| {
        for (veh, m, tf) in chunk {
            **tf = body_transform(&net, m, &veh.body);
        }
    });
}

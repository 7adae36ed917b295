//! Insert due departures when their entry lane has room (otherwise they wait, as in SUMO).
use bevy::prelude::*;

use super::components::*;

use super::lanes::LaneIndex;
use super::spawn::{Departure, Departures, driver, effective_v0};
use super::{ClosedLanes, Obu};
use crate::clock::SimClock;
use crate::road::RoadNetwork;

/// Components of a vehicle entering the road.
fn spawn_vehicle(commands: &mut Commands, d: &Departure, lane: u8, speed: f64) -> Entity {
    let mut e = commands.spawn((
        Vehicle {
            index: d.index,
            id: d.id.clone(),
            kind: d.kind,
            automated: d.automated,
            flow: d.flow.clone(),
            body: d.kind.body(),
        },
        Motion {
            link: d.links[0],
            prev: None,
            lane,
            s: d.pos,
            v: speed,
            acc: 0.0,
        },
        Route {
            links: d.links.clone(),
            at: 0,
        },
        driver(d),
        Awareness::default(),
        Surroundings::default(),
        Advice::default(),
        Transform::default(),
    ));
    if !d.stops.is_empty() {
        e.insert(BusStops {
            stops: d.stops.clone(),
            next: 0,
            dwell_until: None,
        });
    }
    if !d.radios.is_empty() {
        e.insert(Obu {
            radios: d.radios.clone(),
        });
    }
    e.id()
}

/// Free length ahead of (and behind) an entry point on a lane: the gap to the nearest vehicle
/// ahead, or `None` if a vehicle overlaps the entry.
fn entry_gap(
    index: &LaneIndex,
    placed: &[(u32, u8, f64, f64)],
    link: u32,
    lane: u8,
    pos: f64,
    length: f64,
) -> Option<(f64, f64)> {
    let mut gap = f64::INFINITY;
    let mut v_lead = 0.0;
    let others = index
        .lane(link, lane)
        .iter()
        .map(|&o| {
            let s = &index.snaps[o as usize];
            (s.s, s.length, s.v)
        })
        .chain(
            placed
                .iter()
                .filter(|p| p.0 == link && p.1 == lane)
                .map(|p| (p.2, p.3, 0.0)),
        );
    for (s, len, v) in others {
        let rear = s - len;
        if s <= pos - length - 0.5 {
            continue; // entirely behind, with room
        }
        if rear < pos + 0.5 && s > pos - length - 0.5 {
            return None; // overlaps the entry
        }
        if rear - pos < gap {
            gap = rear - pos;
            v_lead = v;
        }
    }
    Some((gap, v_lead))
}

pub fn depart(
    mut commands: Commands,
    clock: Res<SimClock>,
    net: Res<RoadNetwork>,
    index: Res<LaneIndex>,
    closed: Res<ClosedLanes>,
    mut plan: ResMut<Departures>,
) {
    let t = clock.t();
    let plan = &mut *plan;
    while plan.next < plan.queue.len() && plan.queue[plan.next].depart <= t + 1e-9 {
        plan.waiting.push(plan.queue[plan.next].clone());
        plan.next += 1;
    }
    if plan.waiting.is_empty() {
        return;
    }
    let mut placed: Vec<(u32, u8, f64, f64)> = Vec::new();
    let mut still = Vec::new();
    for d in plan.waiting.drain(..) {
        let link = d.links[0];
        let l = &net.links[link as usize];
        let len = d.kind.body().length;
        let pos = d.pos.max(len.min(l.length));
        let lanes: Vec<u8> = if d.lane == u8::MAX {
            (0..l.lanes)
                .filter(|ln| !closed.0.contains(&(link, *ln)))
                .collect()
        } else {
            vec![d.lane.min(l.lanes - 1)]
        };
        // The lane with the most room.
        let best = lanes
            .iter()
            .filter_map(|&ln| entry_gap(&index, &placed, link, ln, pos, len).map(|g| (ln, g)))
            .max_by(|a, b| a.1.0.total_cmp(&b.1.0).then(b.0.cmp(&a.0)));
        let Some((lane, (gap, v_lead))) = best else {
            still.push(d);
            continue;
        };
        let drv = driver(&d);
        // Explicit speeds are honoured; flow vehicles enter as fast as the gap safely allows.
        let speed = if d.flow.is_none() {
            d.speed
        } else {
            let v0 = effective_v0(&drv, l.speed_limit);
            let safe = ((gap - drv.idm.s0) / drv.idm.t).max(0.0);
            v0.min(safe)
                .min(v_lead + (gap - drv.idm.s0).max(0.0) / drv.idm.t)
        };
        if d.flow.is_some() && gap < drv.idm.s0 + 1.0 {
            still.push(d);
            continue;
        }
        spawn_vehicle(&mut commands, &d, lane, speed.max(0.0));
        placed.push((link, lane, pos, len));
    }
    plan.waiting = still;
}

//! Insert due departures when their entry lane has room (otherwise they wait, as in SUMO).
use bevy::prelude::*;

use super::components::*;
use crate::scenario::spec::Body;

use super::spawn::{Departure, Departures, driver, effective_v0};
use super::{ClosedLanes, Obu};
use crate::clock::SimClock;
use crate::road::RoadNetwork;

/// A departure that found room: its driver, lane, front bumper position and speed.
struct Entry {
    d: Departure,
    drives: Driver,
    lane: u8,
    pos: f64,
    speed: f64,
}

/// Spawn a step's entries in order, as one command: a command per vehicle would hold every
/// vehicle's components in the system's command buffer, which keeps its size for the run
/// (~0.95 KB a vehicle when a bench's 10,000 vehicles depart in the first step). The first of
/// each kind of vehicle (with or without radios, bus stops) makes room in its table for the rest
/// of its kind ([`VehicleRows`]).
fn spawn_all(commands: &mut Commands, entries: Vec<Entry>) {
    if entries.is_empty() {
        return;
    }
    commands.queue(move |world: &mut World| {
        let reserve = world.get_resource::<VehicleRows>().map(|r| r.0);
        let mut left = [0usize; 4];
        for e in &entries {
            left[row_kind(&e.d)] += 1;
        }
        let mut first = [true; 4];
        for e in entries {
            let kind = row_kind(&e.d);
            left[kind] -= 1;
            let id = spawn_vehicle(world, e);
            if let Some(reserve) = reserve
                && std::mem::take(&mut first[kind])
                && left[kind] > 0
            {
                reserve(world, id, left[kind]);
            }
        }
    });
}

/// Which optional components a departure's vehicle has (radios, bus stops): vehicles of one
/// kind share a table.
fn row_kind(d: &Departure) -> usize {
    usize::from(!d.radios.is_empty()) + 2 * usize::from(!d.stops.is_empty())
}

/// Makes room for `n` more vehicles like `sample` in its table (`crate::sim::reserve_rows`).
/// The simulation's plugin knows every component a vehicle ends up with (its body, its trip's
/// statistics, its radios' state) and installs it; without it, tables grow as bevy grows them.
#[derive(Resource, Clone, Copy)]
pub struct VehicleRows(pub fn(&mut World, Entity, usize));

/// The components a vehicle is spawned with ([`BusStops`] and [`Obu`] when it has them).
pub type Spawned = (
    Vehicle,
    Motion,
    Driver,
    Route,
    Awareness,
    Surroundings,
    AmberChoice,
    StopSignWait,
    Advice,
    Transform,
);

/// Components of a vehicle entering the road with its front bumper at `pos`.
fn spawn_vehicle(
    world: &mut World,
    Entry {
        d,
        drives,
        lane,
        pos,
        speed,
    }: Entry,
) -> Entity {
    let row: Spawned = (
        Vehicle {
            index: d.index,
            id: d.id,
            kind: d.kind,
            class: d.class,
            automated: d.automated,
            flow: d.flow,
            body: Body {
                length: d.length,
                ..d.kind.body()
            },
        },
        Motion {
            link: d.links[0],
            prev: None,
            lane,
            s: pos,
            v: speed,
            acc: 0.0,
            shift: None,
        },
        drives,
        Route {
            links: d.links,
            at: 0,
        },
        Awareness::default(),
        Surroundings::default(),
        AmberChoice::default(),
        StopSignWait::default(),
        Advice::default(),
        Transform::default(),
    );
    let mut e = world.spawn(row);
    if !d.stops.is_empty() {
        e.insert(BusStops {
            stops: d.stops,
            next: 0,
            dwell_until: None,
        });
    }
    if !d.radios.is_empty() {
        e.insert(Obu { radios: d.radios });
    }
    e.id()
}

/// A vehicle on an entry link as it is now: (link, lane, front s, length, speed).
type OnEntry = (u32, u8, f64, f64, f64);

/// Deceleration a vehicle coming up behind an entry point is assumed able to brake at, m/s²:
/// SUMO's default `decel` of a passenger car (4.5), which its insertion check
/// (`MSLane::isInsertionSuccess`) also asks of the follower.
pub const FOLLOWER_DECEL: f64 = 4.5;
/// Standstill gap a follower keeps, m (IDM's s0 of a car, `traffic::kind`).
const FOLLOWER_GAP: f64 = 2.0;

/// Can a vehicle `back` metres behind an entry point, at `v`, keep from running into a vehicle
/// entering there at `v_in`, braking at [`FOLLOWER_DECEL`]?
fn follower_can_stop(back: f64, v: f64, v_in: f64) -> bool {
    back >= FOLLOWER_GAP + (v * v - v_in * v_in).max(0.0) / (2.0 * FOLLOWER_DECEL)
}

/// Room at an entry point on a lane.
struct Room {
    /// Gap to the nearest vehicle ahead, m, and its speed.
    gap: f64,
    v_lead: f64,
    /// The nearest vehicle coming up behind (on the link, or in the junction box before it):
    /// its distance behind the entering body's rear, m, and its speed.
    behind: Option<(f64, f64)>,
}

/// The room at an entry point on a lane, or `None` if a vehicle overlaps the entry.
fn entry_gap(on: &[OnEntry], link: u32, lane: u8, pos: f64, length: f64) -> Option<Room> {
    let mut room = Room {
        gap: f64::INFINITY,
        v_lead: 0.0,
        behind: None,
    };
    let others = on
        .iter()
        .filter(|o| o.0 == link && o.1 == lane)
        .map(|o| (o.2, o.3, o.4));
    for (s, len, v) in others {
        let rear = s - len;
        if s <= pos - length - 0.5 {
            let back = pos - length - s;
            if room.behind.is_none_or(|(b, _)| back < b) {
                room.behind = Some((back, v));
            }
            continue;
        }
        if rear < pos + 0.5 && s > pos - length - 0.5 {
            return None; // overlaps the entry
        }
        if rear - pos < room.gap {
            room.gap = rear - pos;
            room.v_lead = v;
        }
    }
    Some(room)
}

/// The speed a vehicle enters at: explicit speeds are honoured; flow vehicles enter as fast as
/// the gap to the vehicle ahead (`gap`, driving at `v_lead`) safely allows.
fn entry_speed(d: &Departure, drv: &Driver, limit: f64, (gap, v_lead): (f64, f64)) -> f64 {
    if !d.fit_speed {
        return d.speed;
    }
    let v0 = effective_v0(drv, limit);
    let safe = ((gap - drv.idm.s0) / drv.idm.t).max(0.0);
    v0.min(safe)
        .min(v_lead + (gap - drv.idm.s0).max(0.0) / drv.idm.t)
}

/// Every vehicle on one of `links` (sorted: the links the step's departures enter by), in spawn
/// order; one changing lanes is on both lanes.
fn on_entry_links(links: &[u32], vehicles: &Query<(&Vehicle, &Motion)>) -> Vec<OnEntry> {
    let mut on: Vec<(u32, OnEntry)> = vehicles
        .iter()
        .filter(|(_, m)| links.binary_search(&m.link).is_ok())
        .flat_map(|(v, m)| {
            let lanes = std::iter::once(m.lane).chain(m.shift.and_then(|s| s.from));
            lanes.map(move |lane| (v.index, (m.link, lane, m.s, v.body.length, m.v)))
        })
        .collect();
    on.sort_by_key(|(i, _)| *i);
    on.into_iter().map(|(_, o)| o).collect()
}

pub fn depart(
    mut commands: Commands,
    clock: Res<SimClock>,
    net: Res<RoadNetwork>,
    vehicles: Query<(&Vehicle, &Motion)>,
    closed: Res<ClosedLanes>,
    mut plan: ResMut<Departures>,
) {
    let t = clock.t();
    let due = plan.due(t);
    let Departures {
        queue,
        waiting,
        gone,
    } = &mut *plan;
    if due == 0 && waiting.is_empty() {
        return;
    }
    // Where vehicles are now (the lane index is last step's, before its lane changes).
    let mut links: Vec<u32> = waiting
        .iter()
        .chain(queue.range(..due))
        .map(|d| d.links[0])
        .collect();
    links.sort_unstable();
    links.dedup();
    let mut on = on_entry_links(&links, &vehicles);
    let mut still = Vec::new();
    let mut entries = Vec::new();
    // Those still waiting from earlier steps first, then the newly due in the plan's order;
    // a departure leaves the plan whole, only its name stays (`Departures::gone`).
    let newly = queue
        .drain(..due)
        .inspect(|d| gone.push(d.id.as_str().into()));
    for d in std::mem::take(waiting).into_iter().chain(newly) {
        let link = d.links[0];
        let l = &net.links[link as usize];
        let len = d.length;
        // `pos` is where the front bumper starts (SUMO's departPos); a vehicle is put wholly on
        // its link, so a smaller value puts its back at the link's start (SUMO's "base").
        let pos = d.pos.max(len.min(l.length));
        let lanes: Vec<u8> = if d.lane == u8::MAX {
            (0..l.lanes)
                .filter(|ln| !closed.0.contains(&(link, *ln)) && l.allows(*ln, d.class))
                .collect()
        } else {
            vec![d.lane.min(l.lanes - 1)]
        };
        // The lane with the most room ahead, among those safe for whoever comes up behind.
        let drv = driver(&d);
        let best = lanes
            .iter()
            .filter_map(|&ln| {
                let room = entry_gap(&on, link, ln, pos, len)?;
                let speed = entry_speed(&d, &drv, l.speed_limit, (room.gap, room.v_lead));
                let behind_ok = room
                    .behind
                    .is_none_or(|(back, v)| follower_can_stop(back, v, speed.max(0.0)));
                behind_ok.then_some((ln, room.gap, speed))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((lane, gap, speed)) = best else {
            still.push(d);
            continue;
        };
        if d.fit_speed && gap < drv.idm.s0 + 1.0 {
            still.push(d);
            continue;
        }
        entries.push(Entry {
            d,
            drives: drv,
            lane,
            pos,
            speed: speed.max(0.0),
        });
        on.push((link, lane, pos, len, 0.0));
    }
    // Bevy tables, rapier's sets and the vehicles' data now hold what the plan held: its
    // buffer goes before they grow (all of a bench's vehicles depart in its first step).
    if queue.len() < queue.capacity() / 2 {
        queue.shrink_to_fit();
    }
    spawn_all(&mut commands, entries);
    *waiting = still;
}

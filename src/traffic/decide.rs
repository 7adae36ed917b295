//! The driving decision of every vehicle for one step: IDM behind the nearest relevant obstacle
//! (leader, red or amber stop line, yield line, perceived hazard, bus stop, V2X advice).
use bevy::ecs::query::QueryData;
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use super::components::*;
use super::conflict::{Violators, must_yield};
use super::idm::{Idm, idm_on};
use super::lanes::{At, LaneIndex, Snap};
use super::spawn::effective_v0;
use super::{ClosedLanes, LOOKAHEAD};
use crate::clock::SimClock;
use crate::road::RoadNetwork;
use crate::road::network::JunctionCtl;
use crate::road::signals::Colour;

/// Critical gap for entering a priority road from a minor one, s: HCM 6th ed. Exhibit 20-15 base
/// critical headway for a minor-street through movement at a four-leg junction is 6.5 s; 5 s is
/// used for the shorter crossing distances of urban junctions (assumed).
pub const CRITICAL_GAP: f64 = 5.0;

/// Deceleration of a vehicle that breaks down, m/s² (assumed: a firm but not emergency stop).
pub const STALL_DECEL: f64 = 4.0;

/// Snapshot every vehicle into the lane index.
pub fn snapshot(
    net: Res<RoadNetwork>,
    mut index: ResMut<LaneIndex>,
    vehicles: Query<(Entity, &Vehicle, &Motion, &Driver, Option<&Hazard>)>,
) {
    index.snaps.clear();
    for (entity, veh, m, d, hazard) in &vehicles {
        let limit = net.links[m.link as usize].speed_limit;
        index.snaps.push(Snap {
            entity,
            index: veh.index,
            link: m.link,
            lane: m.lane,
            s: m.s,
            v: m.v,
            length: veh.body.length,
            prev: m.prev.filter(|_| m.s - veh.body.length < 0.0),
            hazard: hazard.map(|h| h.id),
            idm: d.idm,
            v0: effective_v0(d, limit),
        });
    }
    index.rebuild(&net);
}

/// The resources the driving decision reads.
#[derive(SystemParam)]
pub struct DriveCtx<'w> {
    clock: Res<'w, SimClock>,
    net: Res<'w, RoadNetwork>,
    index: Res<'w, LaneIndex>,
    closed: Res<'w, ClosedLanes>,
    violators: Res<'w, Violators>,
}

/// What the driving decision reads and writes of one vehicle.
#[derive(QueryData)]
#[query_data(mutable)]
pub struct Driving {
    veh: &'static Vehicle,
    motion: &'static mut Motion,
    route: &'static Route,
    driver: &'static Driver,
    aware: &'static Awareness,
    stalled: Option<&'static Stalled>,
    emergency: Option<&'static mut EmergencyStop>,
    stops: Option<&'static mut BusStops>,
    advice: Option<&'static Advice>,
    around: &'static mut Surroundings,
}

/// Deceleration of a stalled vehicle: [`STALL_DECEL`], or less to stop within this step.
pub fn stall_accel(v: f64, dt: f64) -> f64 {
    if v > 0.0 {
        -(STALL_DECEL.min(v / dt))
    } else {
        0.0
    }
}

/// The acceleration chosen so far: IDM's free-road value, lowered by each obstacle in turn.
#[derive(Debug, Clone, Copy)]
pub struct Brake {
    pub idm: Idm,
    pub v: f64,
    pub acc: f64,
}

impl Brake {
    /// Start from the free-road acceleration at speed `v`.
    pub fn free(idm: Idm, v: f64) -> Self {
        Brake {
            idm,
            v,
            acc: idm.accel_free(v),
        }
    }

    /// Approach a standing obstacle `d` metres ahead with IDM (ignored once half a metre past it).
    pub fn stop_at(&mut self, d: f64) {
        if d > -0.5 {
            self.acc = self.acc.min(self.idm.accel(self.v, d.max(0.01), self.v));
        }
    }

    /// Follow a leader `gap` metres ahead driving at `v_l`.
    pub fn follow(&mut self, gap: f64, v_l: f64) {
        self.acc = self.acc.min(self.idm.accel(self.v, gap, self.v - v_l));
    }

    /// Never exceed `cap`.
    pub fn cap(&mut self, cap: f64) {
        self.acc = self.acc.min(cap);
    }
}

/// Choose every vehicle's acceleration.
pub fn accelerate(
    ctx: DriveCtx,
    mut vehicles: Query<Driving>,
    pedestrians: Query<(&Pedestrian, &Hazard)>,
) {
    let t = ctx.clock.t();
    let dt = ctx.clock.dt;
    for mut d in &mut vehicles {
        *d.around = Surroundings::default();
        if d.stalled.is_some() {
            d.motion.acc = stall_accel(d.motion.v, dt);
            continue;
        }
        let m = *d.motion;
        if let Some(a) = d.emergency.as_mut().and_then(|e| e.accel(m.v, t, dt)) {
            d.motion.acc = a;
            continue;
        }
        let (route, driver, aware) = (d.route, d.driver, d.aware);
        let link = &ctx.net.links[m.link as usize];
        let mut v0 = effective_v0(driver, link.speed_limit);
        if let Some(cap) = d.advice.and_then(|a| a.max_speed) {
            v0 = v0.min(cap).max(0.5);
        }
        let knows = |h: u32| aware.since(h).is_some_and(|k| t >= k + driver.reaction);
        let mut b = Brake::free(idm_on(&driver.idm, v0), m.v);
        *d.around = follow_leader(&ctx, &mut b, d.veh, &m, route, &knows);
        let to_end = link.length - m.s;
        junction_line(&ctx, &mut b, &m, route, driver, to_end);
        // Intersection collision warning: a known red-light runner due at my junction when I am.
        if must_yield(&ctx.net, &m, route, &ctx.violators, knows) {
            b.stop_at(to_end);
        }
        lane_ends(&ctx, &mut b, &m, route, to_end);
        // Pedestrians on this link, once known: in my lane, or walking towards it and due there
        // before I would be safely past.
        for (p, h) in &pedestrians {
            if p.link == m.link && p.s > m.s && knows(h.id) {
                let lane_c = crate::road::network::LinkData::lane_offset(link.lanes, m.lane);
                if pedestrian_conflict(p.lateral, p.dir, p.speed, lane_c, p.s - m.s, m.v) {
                    b.stop_at(p.s - m.s - 1.5);
                }
            }
        }
        if let Some(stops) = d.stops.as_mut() {
            bus_stop(&mut b, stops, route, m.s, t, dt);
        }
        if let Some(advice) = d.advice {
            // V2X advice to stop short (red-light warning, hazard ahead).
            if let Some(stop) = advice.stop_at {
                b.stop_at(stop - m.s);
            }
            // V2X advice from a farther leader (EEBL multi-anticipation).
            if let Some(cap) = advice.max_accel {
                b.cap(cap);
            }
        }
        d.motion.acc = b.acc;
    }
}

/// Follow the nearest vehicle ahead, except stalled ones not yet perceived; returns the gap
/// and time to collision seen.
fn follow_leader(
    ctx: &DriveCtx,
    b: &mut Brake,
    veh: &Vehicle,
    m: &Motion,
    route: &Route,
    knows: &impl Fn(u32) -> bool,
) -> Surroundings {
    let mut around = Surroundings::default();
    let me = ctx.index.slot(veh.index);
    let at = At {
        link: m.link,
        lane: m.lane,
        s: m.s,
    };
    if let Some((o, d)) = ctx
        .index
        .leader(&ctx.net, at, me, route.ahead(), LOOKAHEAD, |s| {
            s.hazard.is_none_or(knows)
        })
    {
        let l = &ctx.index.snaps[o as usize];
        let gap = d - l.length;
        b.follow(gap, l.v);
        around.gap = Some(gap);
        if m.v > l.v && gap > 0.0 {
            around.ttc = Some(gap / (m.v - l.v));
        }
    }
    around
}

/// Stop at a signal or yield line at the end of the link when the junction asks for it.
fn junction_line(
    ctx: &DriveCtx,
    b: &mut Brake,
    m: &Motion,
    route: &Route,
    driver: &Driver,
    to_end: f64,
) {
    let (net, index, t) = (&ctx.net, &ctx.index, ctx.clock.t());
    if !(m.s >= 0.0 && to_end < LOOKAHEAD && route.next().is_some()) {
        return;
    }
    let link = &net.links[m.link as usize];
    let Some(j) = net.nodes[link.to as usize].junction else {
        return;
    };
    match &net.junctions[j as usize].ctl {
        // A red-light runner ignores the signal (and who is still in the box).
        JunctionCtl::Signal(_) if driver.runs_red => {}
        JunctionCtl::Signal(p) => {
            let must_stop = match p.state(m.link, t).colour {
                Colour::Green => false,
                Colour::Red => true,
                // Stop at amber when a comfortable stop is still possible.
                Colour::Amber => to_end > m.v * m.v / (2.0 * b.idm.b),
            };
            // At green, wait while the junction box still holds vehicles of another phase (the
            // last ones through on amber): drivers do not enter an occupied junction.
            if must_stop
                || (to_end < BOX_CHECK
                    && box_held_by_others(net, index, link.to, m.link, |l| {
                        p.state(l, t).colour != Colour::Green
                    }))
            {
                b.stop_at(to_end);
            }
        }
        JunctionCtl::Priority { major } => {
            if !major.contains(&m.link) && priority_conflict(net, index, link.to, major) {
                b.stop_at(to_end);
            }
        }
    }
}

/// A closed lane, or a lane that does not lead where the route goes: wait near its end until a
/// lane change gets us out.
fn lane_ends(ctx: &DriveCtx, b: &mut Brake, m: &Motion, route: &Route, to_end: f64) {
    if ctx.closed.0.contains(&(m.link, m.lane)) {
        b.stop_at(to_end - super::events::CLOSURE_BEFORE_END_M);
    }
    if let Some(next) = route.next()
        && m.s >= 0.0
        && to_end < super::lane_change::WRONG_LANE_STOP
    {
        let (lo, hi) = ctx.net.lanes_for(m.link, next);
        if m.lane < lo || m.lane > hi {
            b.stop_at(to_end - 2.0);
        }
    }
}

/// Bus stops: dwell at the current one, or approach the next one on this link.
fn bus_stop(b: &mut Brake, stops: &mut BusStops, route: &Route, s: f64, t: f64, dt: f64) {
    if let Some(until) = stops.dwell_until {
        if t < until {
            b.acc = -(b.v / dt).min(b.idm.b);
        } else {
            stops.dwell_until = None;
            stops.next += 1;
        }
    } else if let Some(&(_, at, pos, _)) = stops.stops.get(stops.next) {
        if at == route.at {
            // Stop with the front at the stop (IDM keeps s0 to an obstacle).
            b.stop_at(pos - s + b.idm.s0);
        } else if at < route.at {
            stops.next += 1;
        }
    }
}

/// Distance from the stop line within which a driver checks that the junction box is clear, m.
pub const BOX_CHECK: f64 = 30.0;

/// True when a vehicle that came from another approach than `link`, one for which `other_phase`
/// holds, is still inside the junction box of `node`.
fn box_held_by_others(
    net: &RoadNetwork,
    index: &LaneIndex,
    node: u32,
    link: u32,
    other_phase: impl Fn(u32) -> bool,
) -> bool {
    for &out in &net.nodes[node as usize].outgoing {
        for lane in 0..net.links[out as usize].lanes {
            for &o in index.lane(out, lane) {
                let snap = &index.snaps[o as usize];
                if snap.s - snap.length >= 0.0 {
                    break;
                }
                if let Some(from) = snap.prev
                    && from != link
                    && other_phase(from)
                {
                    return true;
                }
            }
        }
    }
    false
}

/// Half-width of the band around a lane centre a pedestrian must keep out of, m: half a lane
/// plus a body width.
pub const PEDESTRIAN_BAND: f64 = 2.5;
/// A pedestrian entering my lane up to this long after I would reach them still counts, s.
pub const PEDESTRIAN_MARGIN: f64 = 1.5;

/// Will a pedestrian at lateral offset `lateral` walking in direction `dir` at `speed` be in the
/// lane centred at `lane_c` by the time a vehicle `ahead` metres back at speed `v` gets there?
pub fn pedestrian_conflict(
    lateral: f64,
    dir: f64,
    speed: f64,
    lane_c: f64,
    ahead: f64,
    v: f64,
) -> bool {
    let off = lateral - lane_c;
    if off.abs() < PEDESTRIAN_BAND {
        return true;
    }
    let approaching = off * dir < 0.0;
    let t_enter = (off.abs() - PEDESTRIAN_BAND) / speed.max(0.1);
    approaching && t_enter < ahead / v.max(0.1) + PEDESTRIAN_MARGIN
}

/// True when a vehicle on a major approach would reach the junction within the critical gap,
/// or any vehicle is still inside the junction box (a minor-road driver enters an empty box only).
fn priority_conflict(net: &RoadNetwork, index: &LaneIndex, node: u32, major: &[u32]) -> bool {
    for &ml in major {
        let l = &net.links[ml as usize];
        if l.to != node {
            continue;
        }
        for lane in 0..l.lanes {
            if let Some(&o) = index.lane(ml, lane).last() {
                let s = &index.snaps[o as usize];
                let d = l.length - s.s;
                if d >= 0.0 && d / s.v.max(0.5) < CRITICAL_GAP && d < s.v * CRITICAL_GAP + 5.0 {
                    return true;
                }
            }
        }
    }
    // Anyone still crossing the box.
    for &out in &net.nodes[node as usize].outgoing {
        for lane in 0..net.links[out as usize].lanes {
            if let Some(&o) = index.lane(out, lane).first()
                && index.snaps[o as usize].s < 0.0
            {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stalled_vehicle_brakes_at_stall_decel_and_never_reverses() {
        let dt = 0.01;
        // Fast: the full breakdown deceleration.
        assert_eq!(stall_accel(10.0, dt), -STALL_DECEL);
        // Slower than one step of braking: exactly to a standstill, v + a·dt = 0.
        let v = 0.5 * STALL_DECEL * dt;
        assert!((v + stall_accel(v, dt) * dt).abs() < 1e-15);
        // Standing: stays put.
        assert_eq!(stall_accel(0.0, dt), 0.0);
    }

    #[test]
    fn pedestrian_conflict_predicts_entry_into_the_lane() {
        // In the band: always.
        assert!(pedestrian_conflict(9.0, -1.0, 1.5, 8.75, 100.0, 14.0));
        // 6 m off, walking towards the lane at 1.5 m/s: in the band after 2.3 s; a car 60 m back
        // at 14 m/s arrives after 4.3 s: conflict.
        assert!(pedestrian_conflict(14.75, -1.0, 1.5, 8.75, 60.0, 14.0));
        // The same pedestrian walking away: none.
        assert!(!pedestrian_conflict(14.75, 1.0, 1.5, 8.75, 60.0, 14.0));
        // Far off and slow, the car long past by then: none.
        assert!(!pedestrian_conflict(30.0, -1.0, 1.0, 8.75, 10.0, 14.0));
    }
}

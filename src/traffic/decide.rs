//! The driving decision of every vehicle for one step: IDM behind the nearest relevant obstacle
//! (leader, red or amber stop line, yield line, perceived hazard, bus stop, V2X advice).
use bevy::prelude::*;

use super::components::*;
use super::conflict::{Violators, must_yield};
use super::idm::Idm;
use super::lanes::{LaneIndex, Snap};
use super::signals::Colour;
use super::spawn::effective_v0;
use super::{ClosedLanes, LOOKAHEAD};
use crate::clock::SimClock;
use crate::road::RoadNetwork;
use crate::road::network::JunctionCtl;

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

/// IDM parameters with the desired speed of this link.
pub fn idm_on(idm: &Idm, v0: f64) -> Idm {
    Idm { v0, ..*idm }
}

/// Choose every vehicle's acceleration.
#[allow(clippy::type_complexity)]
pub fn accelerate(
    clock: Res<SimClock>,
    net: Res<RoadNetwork>,
    index: Res<LaneIndex>,
    closed: Res<ClosedLanes>,
    violators: Res<Violators>,
    mut vehicles: Query<(
        &Vehicle,
        &mut Motion,
        &Route,
        &Driver,
        &Awareness,
        Option<&Stalled>,
        Option<&mut EmergencyStop>,
        Option<&mut BusStops>,
        Option<&Advice>,
        &mut Surroundings,
    )>,
    pedestrians: Query<(&Pedestrian, &Hazard)>,
) {
    let t = clock.t();
    let dt = clock.dt;
    for (veh, mut m, route, driver, aware, stalled, emergency, stops, advice, mut around) in
        &mut vehicles
    {
        *around = Surroundings::default();
        if stalled.is_some() {
            m.acc = if m.v > 0.0 {
                -(STALL_DECEL.min(m.v / dt))
            } else {
                0.0
            };
            continue;
        }
        if let Some(a) = emergency.and_then(|mut e| e.accel(m.v, t, dt)) {
            m.acc = a;
            continue;
        }
        let link = &net.links[m.link as usize];
        let mut v0 = effective_v0(driver, link.speed_limit);
        if let Some(cap) = advice.and_then(|a| a.max_speed) {
            v0 = v0.min(cap).max(0.5);
        }
        let idm = idm_on(&driver.idm, v0);
        let knows = |h: u32| aware.since(h).is_some_and(|k| t >= k + driver.reaction);
        let mut acc = idm.accel_free(m.v);
        let me = index.slot(veh.index);

        // Leader: the nearest vehicle ahead, except stalled ones not yet perceived.
        if let Some((o, d)) = index.leader(
            &net,
            m.link,
            m.lane,
            m.s,
            me,
            route.ahead(),
            LOOKAHEAD,
            |s| s.hazard.is_none_or(knows),
        ) {
            let l = &index.snaps[o as usize];
            let gap = d - l.length;
            acc = acc.min(idm.accel(m.v, gap, m.v - l.v));
            around.gap = Some(gap);
            if m.v > l.v && gap > 0.0 {
                around.ttc = Some(gap / (m.v - l.v));
            }
        }
        let to_end = link.length - m.s;
        // Obstacles on this link at a stop point: (distance ahead).
        let stop_at = |d: f64, acc: &mut f64| {
            if d > -0.5 {
                *acc = acc.min(idm.accel(m.v, d.max(0.01), m.v));
            }
        };
        // Signal or yield line at the end of the link.
        if m.s >= 0.0 && to_end < LOOKAHEAD && route.next().is_some() {
            let node = &net.nodes[link.to as usize];
            if let Some(j) = node.junction {
                match &net.junctions[j as usize].ctl {
                    // A red-light runner ignores the signal (and who is still in the box).
                    JunctionCtl::Signal(_) if driver.runs_red => {}
                    JunctionCtl::Signal(p) => {
                        let st = p.state(m.link, t);
                        let must_stop = match st.colour {
                            Colour::Green => false,
                            Colour::Red => true,
                            // Stop at amber when a comfortable stop is still possible.
                            Colour::Amber => to_end > m.v * m.v / (2.0 * idm.b),
                        };
                        // At green, wait while the junction box still holds vehicles of
                        // another phase (the last ones through on amber): drivers do not
                        // enter an occupied junction.
                        if must_stop
                            || (to_end < BOX_CHECK
                                && box_held_by_others(&net, &index, link.to, m.link, |l| {
                                    p.state(l, t).colour != Colour::Green
                                }))
                        {
                            stop_at(to_end, &mut acc);
                        }
                    }
                    JunctionCtl::Priority { major } => {
                        if !major.contains(&m.link)
                            && priority_conflict(&net, &index, link.to, major)
                        {
                            stop_at(to_end, &mut acc);
                        }
                    }
                }
            }
        }
        // Intersection collision warning: a known red-light runner due at my junction when I am.
        if must_yield(&net, &m, route, &violators, knows) {
            stop_at(to_end, &mut acc);
        }
        // A closed lane, or a lane that does not lead where the route goes: wait near its end
        // until a lane change gets us out.
        if closed.0.contains(&(m.link, m.lane)) {
            stop_at(to_end - super::events::CLOSURE_BEFORE_END_M, &mut acc);
        }
        if let Some(next) = route.next()
            && m.s >= 0.0
            && to_end < super::lane_change::WRONG_LANE_STOP
        {
            let (lo, hi) = net.lanes_for(m.link, next);
            if m.lane < lo || m.lane > hi {
                stop_at(to_end - 2.0, &mut acc);
            }
        }
        // Pedestrians on this link, once known: in my lane, or walking towards it and due there
        // before I would be safely past.
        for (p, h) in &pedestrians {
            if p.link == m.link && p.s > m.s && knows(h.id) {
                let lane_c = crate::road::network::LinkData::lane_offset(link.lanes, m.lane);
                if pedestrian_conflict(p.lateral, p.dir, p.speed, lane_c, p.s - m.s, m.v) {
                    stop_at(p.s - m.s - 1.5, &mut acc);
                }
            }
        }
        // Bus stops.
        if let Some(mut stops) = stops {
            if let Some(until) = stops.dwell_until {
                if t < until {
                    acc = -(m.v / dt).min(idm.b);
                } else {
                    stops.dwell_until = None;
                    stops.next += 1;
                }
            } else if let Some(&(_, at, pos, _)) = stops.stops.get(stops.next) {
                if at == route.at {
                    // Stop with the front at the stop (IDM keeps s0 to an obstacle).
                    stop_at(pos - m.s + idm.s0, &mut acc);
                } else if at < route.at {
                    stops.next += 1;
                }
            }
        }
        // V2X advice to stop short (red-light warning, hazard ahead).
        if let Some(d) = advice.and_then(|a| a.stop_at) {
            stop_at(d - m.s, &mut acc);
        }
        // V2X advice from a farther leader (EEBL multi-anticipation).
        if let Some(cap) = advice.and_then(|a| a.max_accel) {
            acc = acc.min(cap);
        }
        m.acc = acc;
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

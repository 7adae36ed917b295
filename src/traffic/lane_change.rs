//! Discretionary lane changes by MOBIL, evaluated once a second per vehicle against the step's
//! snapshot, so that the outcome does not depend on visiting order. A change decided here is
//! driven as a manoeuvre over seconds ([`super::shift`]).
use bevy::ecs::query::QueryData;
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use super::components::*;
use super::idm::Idm;
use super::idm::idm_on;
use super::lanes::{At, LaneIndex};
use super::mobil::{LaneChangeInputs, Mobil};
use super::shift::Shift;
use super::{ClosedLanes, LOOKAHEAD};
use crate::clock::SimClock;
use crate::road::RoadNetwork;

/// How often a driver reconsiders its lane, s.
const EVERY: f64 = 1.0;
/// No lane change this close to the end of a link (the stop line), m.
const NO_CHANGE_ZONE: f64 = 30.0;
/// Incentive added to leave a closed lane or reach the lane the route needs, m/s².
const CLOSED_LANE_BIAS: f64 = 3.0;
/// Within this distance of the end of a link, a vehicle must be in a lane that leads where its
/// route goes (mandatory lane change), m.
pub const MANDATORY_ZONE: f64 = 250.0;
/// A vehicle still in the wrong lane this close to the end stops and waits for a gap, m.
pub const WRONG_LANE_STOP: f64 = 40.0;

/// The resources lane changing reads.
#[derive(SystemParam)]
pub struct LaneCtx<'w> {
    clock: Res<'w, SimClock>,
    net: Res<'w, RoadNetwork>,
    index: Res<'w, LaneIndex>,
    closed: Res<'w, ClosedLanes>,
}

/// What lane changing reads and writes of one vehicle.
#[derive(QueryData)]
#[query_data(mutable)]
pub struct Changer {
    veh: &'static Vehicle,
    motion: &'static mut Motion,
    route: &'static Route,
    driver: &'static mut Driver,
    aware: &'static Awareness,
    command: Option<&'static LaneCommand>,
    mode: Option<&'static LaneChangeMode>,
}

pub fn change_lanes(ctx: LaneCtx, mut vehicles: Query<Changer, Without<Stalled>>) {
    let (clock, net) = (&ctx.clock, &ctx.net);
    let period = (EVERY / clock.dt).round().max(1.0) as u64;
    let mut swaps: Vec<(u32, u32)> = Vec::new();
    for mut c in &mut vehicles {
        c.driver.since_lane_change += clock.dt;
        let (veh, m, route) = (c.veh, *c.motion, c.route);
        let link = &net.links[m.link as usize];
        if link.lanes < 2 || m.s < veh.body.length {
            continue;
        }
        let to_end = link.length - m.s;
        if to_end < super::shift::room(c.driver.lane_change_s, link.length) {
            continue;
        }
        // Lanes that lead where the route goes, once near the end of the link.
        let (lo, hi) = match route.next() {
            Some(next) if to_end < MANDATORY_ZONE => net.lanes_for(m.link, next),
            _ => (0, link.lanes - 1),
        };
        let wrong = m.lane < lo || m.lane > hi;
        let commanded = c.command.filter(|k| clock.t() < k.until);
        if let Some(k) = commanded {
            if k.lane == m.lane || k.lane >= link.lanes || m.shift.is_some() {
                continue;
            }
        } else {
            let mode = c.mode.copied().unwrap_or(LaneChangeMode(1621));
            if !(if wrong {
                mode.strategic()
            } else {
                mode.discretionary()
            }) {
                continue;
            }
            // A change waits for the one under way: a discretionary one until it ends, a
            // mandatory one (two lanes to cross) until the body has left the first lane, so
            // that it is never in more than two.
            if m.shift.is_some_and(|s| !wrong || s.from.is_some()) {
                continue;
            }
            let turn = clock.step + u64::from(veh.index);
            if !due(turn, period, wrong, c.driver.since_lane_change, to_end) {
                continue;
            }
        }
        let Some(me) = ctx.index.slot(veh.index) else {
            continue;
        };
        let driver = &*c.driver;
        let mover = Mover {
            me,
            length: veh.body.length,
            m,
            ahead: route.ahead(),
            idm: idm_on(&driver.idm, ctx.index.snaps[me as usize].v0),
        };
        let own_now = mover.accel_behind(&ctx, m.lane, m.s, m.v);
        let (mobil, targets) = match commanded {
            // One lane towards the one asked for, needing only to be safe.
            Some(k) => {
                let step = if k.lane > m.lane {
                    m.lane + 1
                } else {
                    m.lane - 1
                };
                (mobil_for(driver.mobil(), false, true), [Some(step), None])
            }
            None => {
                let in_closed = knows_closed(&ctx, &m, to_end, c.aware, driver.reaction);
                // A lane reserved for other kinds only when no lane the route needs is open
                // to mine (a right turn only from the bus lane).
                let needed = wrong && !(lo..=hi).any(|k| link.allows(k, veh.class));
                let targets = [m.lane.wrapping_sub(1), m.lane + 1].map(|target| {
                    let open = !ctx.closed.0.contains(&(m.link, target))
                        && (needed || link.allows(target, veh.class));
                    (open && candidate(m.lane, target, link.lanes, (lo, hi), wrong))
                        .then_some(target)
                });
                (mobil_for(driver.mobil(), in_closed, wrong), targets)
            }
        };
        let best = mover.best(&ctx, &mobil, targets.into_iter().flatten(), own_now);
        if best.is_none() && wrong && commanded.is_none() && to_end < WRONG_LANE_STOP {
            swaps.extend(swap_partner(&ctx, me, (lo, hi)).map(|other| (me, other)));
        }
        if let Some((_, lane)) = best {
            let now = m.shift.map_or(0.0, |s| s.offset());
            let shift = Shift::new(
                (link.lanes, link.lane_width),
                m.lane,
                lane,
                now,
                driver.lane_change_s,
            );
            c.motion.shift = Some(shift);
            c.motion.lane = lane;
            c.driver.since_lane_change = 0.0;
        }
    }
    apply_swaps(&ctx, &mut vehicles, swaps);
}

/// Two vehicles standing side by side, each in the lane the other needs, can wait for each other
/// for ever: they swap lanes at once, as SUMO's lane changer swaps two vehicles that block each
/// other (`MSLaneChanger`). Pairs are applied in the order of their lower snapshot slot, each
/// vehicle at most once.
fn apply_swaps(
    ctx: &LaneCtx,
    vehicles: &mut Query<Changer, Without<Stalled>>,
    mut swaps: Vec<(u32, u32)>,
) {
    for pair in &mut swaps {
        *pair = (pair.0.min(pair.1), pair.0.max(pair.1));
    }
    swaps.sort_unstable();
    swaps.dedup();
    let mut done: Vec<u32> = Vec::new();
    for (a, b) in swaps {
        if done.contains(&a) || done.contains(&b) {
            continue;
        }
        let (sa, sb) = (&ctx.index.snaps[a as usize], &ctx.index.snaps[b as usize]);
        let Ok([mut x, mut y]) = vehicles.get_many_mut([sa.entity, sb.entity]) else {
            continue;
        };
        let (la, lb) = (x.motion.lane, y.motion.lane);
        for (c, lane) in [(&mut x, lb), (&mut y, la)] {
            c.motion.lane = lane;
            c.motion.shift = None;
            c.driver.since_lane_change = 0.0;
        }
        done.extend([a, b]);
    }
}

/// The vehicle (snapshot slot) standing beside `me` in the next lane towards the lanes my route
/// needs (`lo..=hi`), that stands in a lane its route does not lead on from and needs mine.
fn swap_partner(ctx: &LaneCtx, me: u32, (lo, hi): (u8, u8)) -> Option<u32> {
    let mine = &ctx.index.snaps[me as usize];
    if mine.v >= super::decide::STANDING_SPEED || mine.also.is_some() {
        return None;
    }
    let target = if mine.lane < lo {
        mine.lane + 1
    } else {
        mine.lane.checked_sub(1)?
    };
    ctx.index
        .lane(mine.link, target)
        .iter()
        .copied()
        .find(|&o| {
            let s = &ctx.index.snaps[o as usize];
            let Some(next) = s.next else {
                return false;
            };
            let (l2, h2) = ctx.net.lanes_for(s.link, next);
            s.v < super::decide::STANDING_SPEED
                && s.also.is_none()
                && (s.s - mine.s).abs() < mine.length.min(s.length)
                && !(l2..=h2).contains(&s.lane)
                && (l2..=h2).contains(&mine.lane)
                && (lo..=hi).contains(&s.lane)
        })
}

/// Is the vehicle in a closed lane and knows it? A closed lane is left once the driver knows of
/// it: on sight (sensor range), or from a road-works DENM after the reaction time.
fn knows_closed(ctx: &LaneCtx, m: &Motion, to_end: f64, aware: &Awareness, reaction: f64) -> bool {
    let road_works = crate::ids::ObjectId::Roadworks {
        link: m.link,
        lane: m.lane,
    };
    ctx.closed.0.contains(&(m.link, m.lane))
        && (to_end < super::perceive::SENSOR_RANGE
            || road_works
                .wire()
                .and_then(|id| aware.since(id))
                .is_some_and(|k| ctx.clock.t() >= k + reaction))
}

/// Is it this vehicle's turn to reconsider its lane? In a wrong lane (mandatory): every half
/// period, half a second after the last change, anywhere on the link; otherwise every period,
/// 3 s after the last change, and not within [`NO_CHANGE_ZONE`] of the end. `turn` is the step
/// number offset by the vehicle's index, which spreads drivers over the period.
pub fn due(turn: u64, period: u64, wrong: bool, since_change: f64, to_end: f64) -> bool {
    if wrong {
        since_change >= 0.5 && turn.is_multiple_of((period / 2).max(1))
    } else {
        turn.is_multiple_of(period) && since_change >= 3.0 && to_end >= NO_CHANGE_ZONE
    }
}

/// May a vehicle in `lane` consider `target` on a link of `lanes` lanes, where `allowed` lanes
/// lead where its route goes? From a wrong lane only a step towards the allowed ones; from a
/// right one only a lane that is also allowed.
pub fn candidate(lane: u8, target: u8, lanes: u8, allowed: (u8, u8), wrong: bool) -> bool {
    let (lo, hi) = allowed;
    if target >= lanes {
        return false;
    }
    let toward = if lane < lo {
        target > lane
    } else {
        target < lane
    };
    !((wrong && !toward) || (!wrong && (target < lo || target > hi)))
}

/// MOBIL for this driver now: leaving a known closed lane adds [`CLOSED_LANE_BIAS`]; a
/// mandatory change (wrong lane for the route) adds ten times that, so it needs only be safe.
fn mobil_for(mut mobil: Mobil, in_closed: bool, wrong: bool) -> Mobil {
    if in_closed {
        mobil.bias += CLOSED_LANE_BIAS;
    }
    if wrong {
        mobil.bias += 10.0 * CLOSED_LANE_BIAS;
    }
    mobil
}

/// A vehicle weighing a lane change, as the snapshot sees it.
struct Mover<'a> {
    me: u32,
    length: f64,
    m: Motion,
    ahead: &'a [u32],
    idm: Idm,
}

impl Mover<'_> {
    /// The target lane with the largest incentive among those MOBIL accepts (the first on a tie),
    /// as (incentive, lane).
    fn best(
        &self,
        ctx: &LaneCtx,
        mobil: &Mobil,
        targets: impl Iterator<Item = u8>,
        own_now: f64,
    ) -> Option<(f64, u8)> {
        let mut best: Option<(f64, u8)> = None;
        for target in targets {
            let Some(x) = self.inputs(ctx, target, own_now) else {
                continue;
            };
            if mobil.should_change(&x) {
                let gain = mobil.incentive(&x);
                if best.is_none_or(|(g, _)| gain > g) {
                    best = Some((gain, target));
                }
            }
        }
        best
    }

    /// IDM acceleration at position `s` and speed `v` in `lane` behind the leader there.
    fn accel_behind(&self, ctx: &LaneCtx, lane: u8, s: f64, v: f64) -> f64 {
        let at = At {
            link: self.m.link,
            lane,
            s,
        };
        let idx = &ctx.index;
        match idx.leader(&ctx.net, at, Some(self.me), self.ahead, LOOKAHEAD, |_| true) {
            Some((o, d)) => {
                let l = &idx.snaps[o as usize];
                self.idm.accel(v, d - l.length, v - l.v)
            }
            None => self.idm.accel_free(v),
        }
    }

    /// MOBIL's inputs for a change into `target`, or None when there is no room there (nobody
    /// may overlap me, with a metre to spare).
    fn inputs(&self, ctx: &LaneCtx, target: u8, own_now: f64) -> Option<LaneChangeInputs> {
        let (m, idx, len) = (&self.m, &ctx.index, self.length);
        let at = At {
            link: m.link,
            lane: target,
            s: m.s - len,
        };
        let lead = idx.leader(&ctx.net, at, Some(self.me), self.ahead, LOOKAHEAD, |_| true);
        let own_after = match lead {
            Some((o, d)) => {
                let l = &idx.snaps[o as usize];
                let gap = d - len - l.length;
                if gap < 1.0 {
                    return None;
                }
                self.idm.accel(m.v, gap, m.v - l.v)
            }
            None => self.idm.accel_free(m.v),
        };
        let (nf_now, nf_after) = match idx.follower(m.link, target, m.s, Some(self.me)) {
            Some((o, d)) => {
                let f = &idx.snaps[o as usize];
                let fidm = idm_on(&f.idm, f.v0);
                let gap_me = d - len;
                if gap_me < 1.0 {
                    return None;
                }
                let now = match lead {
                    Some((l, dl)) => {
                        let l = &idx.snaps[l as usize];
                        fidm.accel(f.v, dl + gap_me - l.length, f.v - l.v)
                    }
                    None => fidm.accel_free(f.v),
                };
                (now, fidm.accel(f.v, gap_me, f.v - m.v))
            }
            None => (0.0, 0.0),
        };
        Some(LaneChangeInputs {
            own_now,
            own_after,
            new_follower_now: nf_now,
            new_follower_after: nf_after,
            old_follower_now: 0.0,
            old_follower_after: 0.0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_moves_towards_the_lanes_the_route_needs() {
        // Three lanes, the route needs lane 2 (leftmost): from lane 0 only lane 1 is a step
        // towards it; lane 3 does not exist.
        assert!(candidate(0, 1, 3, (2, 2), true));
        assert!(!candidate(2, 3, 3, (0, 1), true));
        // In lane 2 with lanes 0..=1 needed: only down.
        assert!(candidate(2, 1, 3, (0, 1), true));
        // Discretionary: any existing allowed neighbour, none outside the allowed range.
        assert!(candidate(1, 2, 3, (0, 2), false));
        assert!(!candidate(1, 2, 3, (0, 1), false));
        // wrapping_sub of lane 0 gives 255: no such lane.
        assert!(!candidate(0, 0u8.wrapping_sub(1), 3, (0, 2), false));
    }

    #[test]
    fn reconsiders_once_a_period_or_twice_as_often_when_mandatory() {
        let period = 100;
        // Discretionary: on the period, 3 s after the last change, away from the stop line.
        assert!(due(200, period, false, 3.0, NO_CHANGE_ZONE));
        assert!(!due(250, period, false, 3.0, 100.0));
        assert!(!due(200, period, false, 2.9, 100.0));
        assert!(!due(200, period, false, 5.0, NO_CHANGE_ZONE - 0.1));
        // Mandatory: every half period, anywhere, 0.5 s after the last change.
        assert!(due(250, period, true, 0.5, 0.0));
        assert!(!due(250, period, true, 0.4, 0.0));
        assert!(!due(225, period, true, 5.0, 0.0));
    }
}

//! Discretionary lane changes by MOBIL, evaluated once a second per vehicle against the step's
//! snapshot, so that the outcome does not depend on visiting order.
use bevy::prelude::*;

use super::components::*;
use super::decide::idm_on;
use super::lanes::LaneIndex;
use super::mobil::LaneChangeInputs;
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

pub fn change_lanes(
    clock: Res<SimClock>,
    net: Res<RoadNetwork>,
    index: Res<LaneIndex>,
    closed: Res<ClosedLanes>,
    mut vehicles: Query<(&Vehicle, &mut Motion, &Route, &mut Driver, &Awareness), Without<Stalled>>,
) {
    let period = (EVERY / clock.dt).round().max(1.0) as u64;
    for (veh, mut m, route, mut driver, aware) in &mut vehicles {
        driver.since_lane_change += clock.dt;
        let link = &net.links[m.link as usize];
        if link.lanes < 2 || m.s < veh.body.length {
            continue;
        }
        let to_end = link.length - m.s;
        // Lanes that lead where the route goes, once near the end of the link.
        let (lo, hi) = match route.next() {
            Some(next) if to_end < MANDATORY_ZONE => net.lanes_for(m.link, next),
            _ => (0, link.lanes - 1),
        };
        let wrong = m.lane < lo || m.lane > hi;
        if wrong {
            // Mandatory: try every half second, anywhere on the link.
            if driver.since_lane_change < 0.5
                || !(clock.step + u64::from(veh.index)).is_multiple_of((period / 2).max(1))
            {
                continue;
            }
        } else if !(clock.step + u64::from(veh.index)).is_multiple_of(period)
            || driver.since_lane_change < 3.0
            || to_end < NO_CHANGE_ZONE
        {
            continue;
        }
        let Some(me) = index.slot(veh.index) else {
            continue;
        };
        let v0 = index.snaps[me as usize].v0;
        let idm = idm_on(&driver.idm, v0);
        let accel_behind = |lane: u8, s: f64, v: f64| -> f64 {
            match index.leader(
                &net,
                m.link,
                lane,
                s,
                Some(me),
                route.ahead(),
                LOOKAHEAD,
                |_| true,
            ) {
                Some((o, d)) => {
                    let l = &index.snaps[o as usize];
                    idm.accel(v, d - l.length, v - l.v)
                }
                None => idm.accel_free(v),
            }
        };
        let own_now = accel_behind(m.lane, m.s, m.v);
        // A closed lane is left once the driver knows of it: on sight (sensor range), or from a
        // road-works DENM after the reaction time.
        let in_closed = closed.0.contains(&(m.link, m.lane))
            && (to_end < super::perceive::SENSOR_RANGE
                || (crate::ids::ObjectId::Roadworks {
                    link: m.link,
                    lane: m.lane,
                }
                .wire())
                .and_then(|id| aware.since(id))
                .is_some_and(|k| clock.t() >= k + driver.reaction));
        let mut best: Option<(f64, u8)> = None;
        for target in [m.lane.wrapping_sub(1), m.lane + 1] {
            if target >= link.lanes || closed.0.contains(&(m.link, target)) {
                continue;
            }
            let toward = if m.lane < lo {
                target > m.lane
            } else {
                target < m.lane
            };
            if (wrong && !toward) || (!wrong && (target < lo || target > hi)) {
                continue;
            }
            // Room: nobody overlapping me in the target lane.
            let lead = index.leader(
                &net,
                m.link,
                target,
                m.s - veh.body.length,
                Some(me),
                route.ahead(),
                LOOKAHEAD,
                |_| true,
            );
            let own_after = match lead {
                Some((o, d)) => {
                    let l = &index.snaps[o as usize];
                    let gap = d - veh.body.length - l.length;
                    if gap < 1.0 {
                        continue;
                    }
                    idm.accel(m.v, gap, m.v - l.v)
                }
                None => idm.accel_free(m.v),
            };
            let (nf_now, nf_after) = match index.follower(m.link, target, m.s, Some(me)) {
                Some((o, d)) => {
                    let f = &index.snaps[o as usize];
                    let fidm = idm_on(&f.idm, f.v0);
                    let gap_me = d - veh.body.length;
                    if gap_me < 1.0 {
                        continue;
                    }
                    let now = match lead {
                        Some((l, dl)) => {
                            let l = &index.snaps[l as usize];
                            fidm.accel(f.v, dl + gap_me - l.length, f.v - l.v)
                        }
                        None => fidm.accel_free(f.v),
                    };
                    (now, fidm.accel(f.v, gap_me, f.v - m.v))
                }
                None => (0.0, 0.0),
            };
            let x = LaneChangeInputs {
                own_now,
                own_after,
                new_follower_now: nf_now,
                new_follower_after: nf_after,
                old_follower_now: 0.0,
                old_follower_after: 0.0,
            };
            let mut mobil = driver.mobil;
            if in_closed {
                mobil.bias += CLOSED_LANE_BIAS;
            }
            if wrong {
                // A mandatory change needs only to be safe.
                mobil.bias += 10.0 * CLOSED_LANE_BIAS;
            }
            if mobil.should_change(&x) {
                let gain = mobil.incentive(&x);
                if best.is_none_or(|(g, _)| gain > g) {
                    best = Some((gain, target));
                }
            }
        }
        if let Some((_, lane)) = best {
            m.lane = lane;
            driver.since_lane_change = 0.0;
        }
    }
}

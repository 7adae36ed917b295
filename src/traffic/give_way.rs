//! Right of way by a junction's give-way table (`spec::GiveWay`; SUMO's `<request>` foe
//! matrix): a movement waits while a vehicle on a movement it gives way to would be in the
//! junction while it passes, with a second to spare (SUMO's `MSLink::blockedByFoe`).
//!
//! A vehicle standing at its line is due only if it will go: it is not itself held by a
//! vehicle it gives way to. Where everyone waits for someone else (four vehicles at a
//! right-before-left crossing, each giving way to the one on its right), the one with the
//! lowest vehicle index goes first (SUMO breaks the same tie by the order in which it updates
//! its vehicles; docs/traffic-models.md, "Junctions").
use super::components::StopSignWait;
use super::decide::{Brake, STANDING_SPEED, time_to_cover};
use super::lanes::{LaneIndex, Snap};
use crate::road::RoadNetwork;
use crate::road::network::{GiveWays, TurnKey};

/// How far before its line a driver on a movement that gives way sees whether anyone comes,
/// m: SUMO's default foe visibility distance for a minor link (`visibility` of a
/// `<connection>`, 4.5 m unless set; netconvert's `NBEdge`).
pub const VISIBILITY: f64 = 4.5;

/// Approach a line where I give way slowly enough to stop at it from where I can see the
/// foes' lanes: at most `sqrt(2·b·VISIBILITY)` by [`VISIBILITY`] metres before it (SUMO's
/// `slowedDownForMinor` in `MSVehicle::planMoveInternal`), free again from there.
pub fn approach_minor(b: &mut Brake, to_end: f64) {
    if to_end > VISIBILITY {
        b.slow_for(to_end - VISIBILITY, (2.0 * b.idm.b * VISIBILITY).sqrt());
    }
}

/// A driver below [`STANDING_SPEED`] within this of where a stop at the line ends has stopped
/// at it, m (`Brake::stop_smoothly_at` ends IDM's s0 short of the line; assumed).
pub const AT_STOP_LINE: f64 = 1.0;

/// A stop sign on link `link`, `to_stop` metres ahead of where a stop at it ends (the line
/// less IDM's s0), for a driver at speed `v`: whether it must still stop there. It must until
/// it has come to a standstill there (below [`STANDING_SPEED`]); then it goes on at once,
/// giving way as the table says. SUMO 1.28 does the same at its stop signs (link state `s`):
/// drivers creep to 0.1 m/s at the line and go on without a dwell (measured on a
/// `priority_stop` grid; docs/traffic-models.md, "Stop signs"). Standing further back, in a
/// queue, does not count.
pub fn stop_sign(wait: &mut StopSignWait, (link, to_stop, v): (u32, f64, f64)) -> bool {
    match wait.0 {
        Some((at, done)) if at == link => {
            let stopped = done || (v < STANDING_SPEED && to_stop < AT_STOP_LINE);
            wait.0 = Some((link, stopped));
            !stopped
        }
        _ => {
            wait.0 = Some((link, false));
            stop_sign(wait, (link, to_stop, v))
        }
    }
}

/// A standing vehicle this close to its line waits at it, m: IDM's s0 (2–3 m) short of the
/// line, with a car length to spare (assumed).
pub const AT_LINE: f64 = 8.0;
/// The gap a driver who gives way leaves between clearing the junction and the next vehicle it
/// gives way to arriving, s: SUMO's `jmTimegapMinor` default (1 s).
pub const TIMEGAP_MINOR: f64 = 1.0;
/// How many vehicles a chain of give-way waits is followed through before it is taken as no
/// deadlock (more than the approaches of any junction).
const MAX_CHAIN: usize = 32;

/// One junction's give-way table with the vehicles around it.
pub struct GiveWay<'a> {
    pub net: &'a RoadNetwork,
    pub index: &'a LaneIndex,
    pub node: u32,
    pub table: &'a GiveWays,
}

impl GiveWay<'_> {
    /// Must vehicle `me` (by vehicle index) on movement `mine` wait at its line?
    pub fn must_wait(&self, mine: TurnKey, me: u32) -> bool {
        let Some(slot) = self.index.slot(me) else {
            return false;
        };
        let mut chain = vec![slot];
        !self.goes((mine.0, mine.1), &mut chain)
    }

    /// Does the last vehicle of `chain` (slots), on movement `movement`, go? The vehicles
    /// before it in `chain` go only if it does not.
    fn goes(&self, movement: (u32, u32), chain: &mut Vec<u32>) -> bool {
        let Some(foes) = self.table.get(&movement) else {
            return true;
        };
        let Some(&x) = chain.last() else {
            return true;
        };
        let window = self.window(&self.index.snaps[x as usize], movement.1);
        for y in self.due(foes, window) {
            let s = &self.index.snaps[y as usize];
            if !self.waiting(s) {
                return false;
            }
            if let Some(at) = chain.iter().position(|&c| c == y) {
                // Everyone in chain[at..] waits for the next: the lowest index goes.
                if self.lowest(&chain[at..]) == y {
                    return false;
                }
                continue;
            }
            let Some(next) = s.next else {
                return false;
            };
            if chain.len() >= MAX_CHAIN {
                return false;
            }
            chain.push(y);
            let y_goes = self.goes((s.link, next), chain);
            chain.pop();
            if y_goes {
                return false;
            }
        }
        true
    }

    /// When a vehicle reaches its line and when its rear leaves the junction onto `next`, s
    /// from now, accelerating as it can.
    fn window(&self, s: &Snap, next: u32) -> (f64, f64) {
        let d = self.net.links[s.link as usize].length - s.s;
        let lane = self.net.entry_lane(s.link, next, s.lane);
        let through = self.net.turn_length(s.link, next, lane) + s.length;
        let top = s.v0.max(s.v).max(1.0);
        (
            reach_time(d, s.v, s.idm.a, top),
            reach_time(d + through, s.v, s.idm.a, top),
        )
    }

    /// The slot of the vehicle with the lowest index among `slots`.
    fn lowest(&self, slots: &[u32]) -> u32 {
        let by_index = |&&s: &&u32| self.index.snaps[s as usize].index;
        slots
            .iter()
            .min_by_key(by_index)
            .copied()
            .unwrap_or(u32::MAX)
    }

    /// Standing at its line.
    fn waiting(&self, s: &Snap) -> bool {
        s.v < STANDING_SPEED && self.net.links[s.link as usize].length - s.s < AT_LINE
    }

    /// The vehicles (slots, ascending) on the movements `foes` in the junction while I pass:
    /// due before I have left it plus [`TIMEGAP_MINOR`], and not gone before I arrive (SUMO's
    /// `MSLink::blockedByFoe`). Behind a standing vehicle nobody on its lane is due sooner.
    fn due(&self, foes: &[(u32, u32)], (arrive, leave): (f64, f64)) -> Vec<u32> {
        let mut out = Vec::new();
        for &(from, to) in foes {
            let l = &self.net.links[from as usize];
            if l.to != self.node {
                continue;
            }
            for lane in 0..l.lanes {
                for &o in self.index.lane(from, lane).iter().rev() {
                    let s = &self.index.snaps[o as usize];
                    if s.s > l.length {
                        continue;
                    }
                    let (a, b) = self.window(s, s.next.unwrap_or(to));
                    if a > leave + TIMEGAP_MINOR {
                        break;
                    }
                    if s.next.is_none_or(|n| n == to) && b >= arrive {
                        out.push(o);
                    }
                    if s.v < STANDING_SPEED {
                        break;
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Time to cover `d` metres from speed `v`, accelerating at `a` up to `top`, s.
pub fn reach_time(d: f64, v: f64, a: f64, top: f64) -> f64 {
    let d = d.max(0.0);
    let v = v.min(top);
    // Distance needed to reach `top`.
    let ramp = (top * top - v * v) / (2.0 * a);
    if d <= ramp {
        time_to_cover(d, v, a)
    } else {
        (top - v) / a + (d - ramp) / top
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stop sign holds a driver until it has stood at the line itself: not while it rolls
    /// up, nor while it stands in the queue further back; once it has, it goes on (moving off
    /// does not bring the stop back), and on the next link it starts afresh.
    #[test]
    fn a_stop_sign_holds_until_the_driver_has_stood_at_the_line() {
        let mut w = StopSignWait::default();
        assert!(stop_sign(&mut w, (3, 40.0, 12.0)), "approaching");
        assert!(stop_sign(&mut w, (3, 8.0, 0.0)), "standing in the queue");
        assert!(
            stop_sign(&mut w, (3, 0.4, 0.3)),
            "still rolling at the line"
        );
        assert!(!stop_sign(&mut w, (3, 0.3, 0.05)), "stood at the line");
        assert!(!stop_sign(&mut w, (3, -0.5, 1.5)), "driving off");
        assert!(stop_sign(&mut w, (4, 60.0, 10.0)), "the next stop sign");
    }

    /// Constant acceleration to the top speed, then constant speed: from rest at 2 m/s² to
    /// 10 m/s takes 5 s over 25 m; 100 m more at 10 m/s take 10 s.
    #[test]
    fn reach_time_accelerates_to_the_top_speed_then_cruises() {
        assert!((reach_time(25.0, 0.0, 2.0, 10.0) - 5.0).abs() < 1e-12);
        assert!((reach_time(125.0, 0.0, 2.0, 10.0) - 15.0).abs() < 1e-12);
        // Within the ramp: d = v t + a t² / 2 solved for t (15 m from 2 m/s at 2 m/s²: 3 s).
        assert!((reach_time(15.0, 2.0, 2.0, 10.0) - 3.0).abs() < 1e-12);
        // Already at the top speed: d / v; at the line: 0.
        assert!((reach_time(50.0, 10.0, 2.0, 10.0) - 5.0).abs() < 1e-12);
        assert_eq!(reach_time(0.0, 3.0, 2.0, 10.0), 0.0);
    }

    /// SUMO's cautious approach to a minor link: a driver at 13.9 m/s far from the line is not
    /// held; close to the line, braking sets in to be at no more than sqrt(2·b·4.5) m/s by
    /// 4.5 m before it; within 4.5 m it is free again.
    #[test]
    fn a_minor_approach_slows_to_where_the_driver_can_still_stop() {
        let idm = crate::traffic::kind::default_idm(crate::scenario::spec::Kind::Car);
        let free = Brake::free(idm, 13.9).acc;
        let mut far = Brake::free(idm, 13.9);
        approach_minor(&mut far, 300.0);
        assert_eq!(far.acc, free);
        let mut near = Brake::free(idm, 13.9);
        approach_minor(&mut near, 50.0);
        let v_vis = (2.0 * idm.b * VISIBILITY).sqrt();
        let need = (13.9f64.powi(2) - v_vis * v_vis) / (2.0 * (50.0 - VISIBILITY));
        assert!((near.acc + need).abs() < 1e-12, "{} vs {}", near.acc, -need);
        let mut inside = Brake::free(idm, 5.0);
        approach_minor(&mut inside, 3.0);
        assert_eq!(inside.acc, Brake::free(idm, 5.0).acc);
    }
}

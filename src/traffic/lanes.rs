//! A per-step snapshot of every vehicle, bucketed by (link, lane) and sorted by position: the
//! data every driving decision of the step reads, so that decisions do not depend on the order
//! in which vehicles are visited.
use bevy::prelude::*;

use super::idm::Idm;
use crate::road::RoadNetwork;

/// One vehicle as seen by the others this step.
#[derive(Debug, Clone, Copy)]
pub struct Snap {
    pub entity: Entity,
    pub index: u32,
    pub link: u32,
    pub lane: u8,
    pub s: f64,
    pub v: f64,
    pub length: f64,
    /// The link it came from while it crosses a junction box (s < 0).
    pub prev: Option<u32>,
    /// Set for stalled vehicles: followers must perceive it first.
    pub hazard: Option<u32>,
    pub idm: Idm,
    /// This vehicle's desired speed on its current link, m/s.
    pub v0: f64,
}

/// Vehicles by (link, lane), each bucket sorted by (s, index).
#[derive(Resource, Default)]
pub struct LaneIndex {
    pub snaps: Vec<Snap>,
    /// `first[link]` is the bucket of lane 0 of that link.
    first: Vec<usize>,
    buckets: Vec<Vec<u32>>,
}

impl LaneIndex {
    /// Position of a vehicle (by its index) in `snaps`, if it was in the snapshot.
    pub fn slot(&self, vehicle: u32) -> Option<u32> {
        self.snaps
            .binary_search_by_key(&vehicle, |s| s.index)
            .ok()
            .map(|i| i as u32)
    }

    /// Rebuild from this step's snapshot (allocations are reused between steps).
    pub fn rebuild(&mut self, net: &RoadNetwork) {
        if self.first.len() != net.links.len() {
            self.first.clear();
            let mut n = 0;
            for l in &net.links {
                self.first.push(n);
                n += l.lanes as usize;
            }
            self.buckets = vec![Vec::new(); n];
        }
        for b in &mut self.buckets {
            b.clear();
        }
        self.snaps.sort_unstable_by_key(|s| s.index);
        for (i, s) in self.snaps.iter().enumerate() {
            let slot = self.first[s.link as usize] + s.lane as usize;
            self.buckets[slot].push(i as u32);
        }
        let snaps = &self.snaps;
        for b in &mut self.buckets {
            b.sort_unstable_by(|&a, &c| {
                let (a, c) = (&snaps[a as usize], &snaps[c as usize]);
                a.s.total_cmp(&c.s).then(a.index.cmp(&c.index))
            });
        }
    }

    /// Vehicles on a lane, sorted by position.
    pub fn lane(&self, link: u32, lane: u8) -> &[u32] {
        match self.first.get(link as usize) {
            Some(&f) => self
                .buckets
                .get(f + lane as usize)
                .map_or(&[], |b| b.as_slice()),
            None => &[],
        }
    }

    /// Position of snapshot `i` within its lane bucket.
    pub fn rank(&self, i: u32) -> usize {
        let s = &self.snaps[i as usize];
        let lane = self.lane(s.link, s.lane);
        lane.binary_search_by(|&o| {
            let o = &self.snaps[o as usize];
            o.s.total_cmp(&s.s).then(o.index.cmp(&s.index))
        })
        .unwrap_or(0)
    }

    /// The nearest vehicle ahead of position `s` on (link, lane), then along the `ahead` links
    /// (entering each in lane `min(lane, lanes - 1)`), that `accept` takes, as (snapshot index,
    /// distance from `s` to its front bumper). Looks no further than `horizon` metres.
    #[allow(clippy::too_many_arguments)]
    pub fn leader(
        &self,
        net: &RoadNetwork,
        link: u32,
        lane: u8,
        s: f64,
        me: Option<u32>,
        ahead: &[u32],
        horizon: f64,
        accept: impl Fn(&Snap) -> bool,
    ) -> Option<(u32, f64)> {
        let bucket = self.lane(link, lane);
        // First vehicle at or beyond s (skipping myself).
        let start = bucket.partition_point(|&o| self.snaps[o as usize].s < s);
        for &o in &bucket[start..] {
            let snap = &self.snaps[o as usize];
            if Some(o) == me {
                continue;
            }
            if snap.s - s > horizon {
                return None;
            }
            if accept(snap) {
                return Some((o, snap.s - s));
            }
        }
        let mut base = net.links[link as usize].length - s;
        // Vehicles that left my lane into the junction box towards other links than mine are
        // still in front of me until they clear the box.
        let mut diverging: Option<(u32, f64)> = None;
        if base <= horizon {
            for &b in &net.nodes[net.links[link as usize].to as usize].outgoing {
                if ahead.first() == Some(&b) {
                    continue;
                }
                let lane_b = net.entry_lane(link, b, lane);
                for &o in self.lane(b, lane_b) {
                    let snap = &self.snaps[o as usize];
                    if snap.s >= 0.0 {
                        break;
                    }
                    if snap.prev == Some(link) && accept(snap) {
                        let d = base + net.turn_length(link, b, lane_b) + snap.s;
                        if diverging.is_none_or(|(_, x)| d < x) {
                            diverging = Some((o, d));
                        }
                        break;
                    }
                }
            }
        }
        let nearest = |found: Option<(u32, f64)>| match (found, diverging) {
            (Some(f), Some(d)) if d.1 < f.1 => Some(d),
            (None, d) => d,
            (f, _) => f,
        };
        let (mut prev, mut lane_now) = (link, lane);
        for &next in ahead {
            if base > horizon {
                return nearest(None);
            }
            let nl = &net.links[next as usize];
            lane_now = net.entry_lane(prev, next, lane_now).min(nl.lanes - 1);
            let turn = net.turn_length(prev, next, lane_now);
            for &o in self.lane(next, lane_now) {
                let snap = &self.snaps[o as usize];
                let d = base + turn + snap.s;
                if d > horizon {
                    return nearest(None);
                }
                if accept(snap) {
                    return nearest(Some((o, d)));
                }
            }
            base += turn + nl.length;
            prev = next;
        }
        nearest(None)
    }

    /// The nearest vehicle behind position `s` on (link, lane), as (snapshot index, distance
    /// from its front bumper to `s`).
    pub fn follower(&self, link: u32, lane: u8, s: f64, me: Option<u32>) -> Option<(u32, f64)> {
        let bucket = self.lane(link, lane);
        let end = bucket.partition_point(|&o| self.snaps[o as usize].s <= s);
        bucket[..end]
            .iter()
            .rev()
            .find(|&&o| Some(o) != me)
            .map(|&o| (o, s - self.snaps[o as usize].s))
    }
}

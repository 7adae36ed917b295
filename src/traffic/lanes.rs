//! A per-step snapshot of every vehicle, bucketed by (link, lane) and sorted by position: the
//! data every driving decision of the step reads, so that decisions do not depend on the order
//! in which vehicles are visited.
use bevy::prelude::*;

use super::idm::Idm;
use crate::road::RoadNetwork;

/// A position on a lane: the link, the lane and the distance from the start of the link, m.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct At {
    pub link: u32,
    pub lane: u8,
    pub s: f64,
}

/// One vehicle as seen by the others this step.
#[derive(Debug, Clone, Copy)]
pub struct Snap {
    pub entity: Entity,
    pub index: u32,
    pub link: u32,
    pub lane: u8,
    /// The lane it is leaving and still overlaps, during a lane change: it is in both.
    pub also: Option<u8>,
    pub s: f64,
    pub v: f64,
    pub length: f64,
    /// The link it came from while it crosses a junction box (s < 0).
    pub prev: Option<u32>,
    /// The link its route takes after this one (its movement through the next junction).
    pub next: Option<u32>,
    /// Set for stalled vehicles: followers must perceive it first.
    pub hazard: Option<u32>,
    pub idm: Idm,
    /// This vehicle's desired speed on its current link, m/s.
    pub v0: f64,
}

/// Vehicles by (link, lane), each bucket sorted by (s, index). A vehicle changing lanes is in
/// the buckets of both lanes. The buckets lie end to end in one list (`order`, bucket `b` at
/// `start[b]..start[b + 1]`): a bucket per `Vec` cost a pointer chase and a cache miss per lane
/// looked at, which grew with the network (`LaneIndex::leader` 7 % of a 1,000-vehicle bench,
/// 18 % at 10,648 vehicles on the 23×23 grid).
#[derive(Resource, Default)]
pub struct LaneIndex {
    pub snaps: Vec<Snap>,
    /// `first[link]` is the bucket of lane 0 of that link.
    first: Vec<usize>,
    start: Vec<u32>,
    order: Vec<u32>,
    /// Where each bucket is being filled, while rebuilding.
    fill: Vec<u32>,
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
            self.start = vec![0; n + 1];
        }
        self.snaps.sort_unstable_by_key(|s| s.index);
        self.start.fill(0);
        for (_, b) in entries(&self.snaps, &self.first, net) {
            self.start[b + 1] += 1;
        }
        for b in 1..self.start.len() {
            self.start[b] += self.start[b - 1];
        }
        self.fill.clear();
        self.fill.extend_from_slice(&self.start);
        self.order.clear();
        self.order
            .resize(self.start.last().map_or(0, |&n| n as usize), 0);
        for (i, b) in entries(&self.snaps, &self.first, net) {
            self.order[self.fill[b] as usize] = i;
            self.fill[b] += 1;
        }
        let snaps = &self.snaps;
        for w in self.start.windows(2) {
            self.order[w[0] as usize..w[1] as usize].sort_unstable_by(|&a, &c| {
                let (a, c) = (&snaps[a as usize], &snaps[c as usize]);
                a.s.total_cmp(&c.s).then(a.index.cmp(&c.index))
            });
        }
    }

    /// Vehicles still crossing the junction box of `node` (rear short of the link they are
    /// entering): (link entered, lane, snapshot), by link, lane and position.
    pub fn in_box<'a>(
        &'a self,
        net: &'a RoadNetwork,
        node: u32,
    ) -> impl Iterator<Item = (u32, u8, &'a Snap)> + 'a {
        net.nodes[node as usize]
            .outgoing
            .iter()
            .flat_map(move |&out| {
                (0..net.links[out as usize].lanes).flat_map(move |lane| {
                    self.lane(out, lane)
                        .iter()
                        .map(|&o| &self.snaps[o as usize])
                        .take_while(|s| s.s - s.length < 0.0)
                        .map(move |s| (out, lane, s))
                })
            })
    }

    /// Vehicles on a lane, sorted by position.
    pub fn lane(&self, link: u32, lane: u8) -> &[u32] {
        let Some(&f) = self.first.get(link as usize) else {
            return &[];
        };
        let b = f + lane as usize;
        match (self.start.get(b), self.start.get(b + 1)) {
            (Some(&from), Some(&to)) => &self.order[from as usize..to as usize],
            _ => &[],
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

    /// The nearest vehicle ahead of position `at` on its lane, then along the `ahead` links
    /// (entering each in lane `min(lane, lanes - 1)`), that `accept` takes, as (snapshot index,
    /// distance from `s` to its front bumper). Looks no further than `horizon` metres.
    pub fn leader(
        &self,
        net: &RoadNetwork,
        at: At,
        me: Option<u32>,
        ahead: &[u32],
        horizon: f64,
        accept: impl Fn(&Snap) -> bool,
    ) -> Option<(u32, f64)> {
        if let Some(found) = self.leader_on_lane(at, me, horizon, &accept) {
            return found;
        }
        let base = net.links[at.link as usize].length - at.s;
        let diverging = if base <= horizon {
            self.diverging(net, at, base, ahead, &accept)
        } else {
            None
        };
        match (
            self.leader_along(net, at, base, ahead, horizon, &accept),
            diverging,
        ) {
            (Some(f), Some(d)) if d.1 < f.1 => Some(d),
            (None, d) => d,
            (f, _) => f,
        }
    }

    /// The leader on `at`'s own lane: `Some(answer)` when the lane decides it (a vehicle found,
    /// or the horizon reached), `None` to look beyond the end of the link.
    fn leader_on_lane(
        &self,
        at: At,
        me: Option<u32>,
        horizon: f64,
        accept: &impl Fn(&Snap) -> bool,
    ) -> Option<Option<(u32, f64)>> {
        let bucket = self.lane(at.link, at.lane);
        // First vehicle at or beyond s (skipping myself).
        let start = bucket.partition_point(|&o| self.snaps[o as usize].s < at.s);
        for &o in &bucket[start..] {
            let snap = &self.snaps[o as usize];
            if Some(o) == me {
                continue;
            }
            if snap.s - at.s > horizon {
                return Some(None);
            }
            if accept(snap) {
                return Some(Some((o, snap.s - at.s)));
            }
        }
        None
    }

    /// Vehicles that left my lane into the junction box towards other links than mine are still
    /// in front of me until they clear the box: the nearest of them, `base` metres to the box.
    fn diverging(
        &self,
        net: &RoadNetwork,
        at: At,
        base: f64,
        ahead: &[u32],
        accept: &impl Fn(&Snap) -> bool,
    ) -> Option<(u32, f64)> {
        let mut diverging: Option<(u32, f64)> = None;
        for &b in &net.nodes[net.links[at.link as usize].to as usize].outgoing {
            if ahead.first() == Some(&b) {
                continue;
            }
            let lane_b = net.entry_lane(at.link, b, at.lane);
            for &o in self.lane(b, lane_b) {
                let snap = &self.snaps[o as usize];
                if snap.s >= 0.0 {
                    break;
                }
                if snap.prev == Some(at.link) && accept(snap) {
                    let d = base + net.turn_length(at.link, b, lane_b) + snap.s;
                    if diverging.is_none_or(|(_, x)| d < x) {
                        diverging = Some((o, d));
                    }
                    break;
                }
            }
        }
        diverging
    }

    /// The leader along the `ahead` links, the first of them `base` metres away.
    fn leader_along(
        &self,
        net: &RoadNetwork,
        at: At,
        mut base: f64,
        ahead: &[u32],
        horizon: f64,
        accept: &impl Fn(&Snap) -> bool,
    ) -> Option<(u32, f64)> {
        let (mut prev, mut lane_now) = (at.link, at.lane);
        for &next in ahead {
            if base > horizon {
                return None;
            }
            let nl = &net.links[next as usize];
            lane_now = net.entry_lane(prev, next, lane_now).min(nl.lanes - 1);
            let turn = net.turn_length(prev, next, lane_now);
            let controlled = net.nodes[nl.from as usize].junction.is_some();
            for &o in self.lane(next, lane_now) {
                let snap = &self.snaps[o as usize];
                // A vehicle entering the box from another approach onto the same lane is not
                // ahead of me on my path yet: at a controlled junction the box check at my line
                // decides who goes first (`decide::box_conflict`).
                if controlled && snap.s < 0.0 && snap.prev.is_some_and(|p| p != prev) {
                    continue;
                }
                let d = base + turn + snap.s;
                if d > horizon {
                    return None;
                }
                if accept(snap) {
                    return Some((o, d));
                }
            }
            base += turn + nl.length;
            prev = next;
        }
        None
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

/// Every (snapshot, bucket) pair of a snapshot: a vehicle is in its lane's bucket, and during a
/// lane change also in the one it is leaving.
fn entries<'a>(
    snaps: &'a [Snap],
    first: &'a [usize],
    net: &'a RoadNetwork,
) -> impl Iterator<Item = (u32, usize)> + 'a {
    snaps.iter().enumerate().flat_map(move |(i, s)| {
        let slot = first[s.link as usize];
        let lanes = net.links[s.link as usize].lanes;
        std::iter::once(s.lane)
            .chain(s.also.filter(|&l| l < lanes))
            .map(move |lane| (i as u32, slot + lane as usize))
    })
}

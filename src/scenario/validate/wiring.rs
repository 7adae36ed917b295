//! Checks of a link's lane width and its lane-to-lane connections (`Link::connections`), and
//! the successor links that routes and trips may take.
use super::Checker;
use super::MAX_COORD_M;
use crate::scenario::spec::{LaneLink, Link, ReservedLane};

/// Widest lane, m (the widest design lanes are 3.75 m; SUMO networks from OpenDRIVE carry
/// shoulders and parking lanes up to some 5 m).
pub const MAX_LANE_WIDTH_M: f64 = 10.0;
/// Most points on the path of one connection through a junction (SUMO's internal lanes have
/// a dozen or so; a left turn is two of them).
pub const MAX_VIA_POINTS: usize = 256;

impl Checker<'_, '_> {
    /// The lane width and every connection of link `i`.
    pub(super) fn wiring(&mut self, p: &str, i: usize) {
        let l = self.link(i);
        if l.exact_ends && l.shape.len() < 2 {
            self.out.err(
                format!("{p}.exact_ends"),
                format!("needs at least two shape points, found {}", l.shape.len()),
                Some(
                    "give the carriageway's first and last points in `shape`, or drop `exact_ends`"
                        .into(),
                ),
            );
        }
        if l.dead_end && !l.connections.is_empty() {
            self.out.err(
                format!("{p}.dead_end"),
                "a dead end has no connections, but this link has some",
                Some("drop `dead_end`, or its `connections`".into()),
            );
        }
        if let Some(w) = l
            .lane_width
            .filter(|w| !(*w > 0.0 && *w <= MAX_LANE_WIDTH_M))
        {
            self.out
                .positive_upto(&format!("{p}.lane_width"), w, MAX_LANE_WIDTH_M, "m");
        }
        let mut seen = Vec::new();
        for (k, r) in l.reserved.iter().enumerate() {
            let path = format!("{p}.reserved[{k}].lane");
            lane_in(self, &path, r.lane, l);
            if seen.contains(&r.lane) {
                self.out.err(
                    path,
                    format!("lane {} is reserved twice", r.lane),
                    Some("list each lane once, with every kind that may use it".into()),
                );
            }
            seen.push(r.lane);
        }
        // Checked first without building paths: a large network has some 50,000 connections.
        let bad = l
            .connections
            .iter()
            .enumerate()
            .filter(|(_, c)| !self.fine(l, c));
        for (k, c) in bad.collect::<Vec<_>>() {
            let p = format!("{p}.connections[{k}]");
            lane_in(self, &format!("{p}.lane"), c.lane, l);
            if let Some(to) = self.out.reference(&format!("{p}.to"), &c.to, &self.links) {
                let next = self.link(to);
                if next.from != l.to {
                    self.out.err(
                        format!("{p}.to"),
                        format!(
                            "link `{}` starts at node `{}`, not at node `{}` where link `{}` ends",
                            next.id, next.from, l.to, l.id
                        ),
                        Some("a connection leads onto a link leaving this link's `to` node".into()),
                    );
                }
                lane_in(self, &format!("{p}.to_lane"), c.to_lane, next);
            }
            if c.via.len() > MAX_VIA_POINTS {
                self.out.err(
                    format!("{p}.via"),
                    format!(
                        "has {} points, at most {MAX_VIA_POINTS} are allowed",
                        c.via.len()
                    ),
                    Some("a path through a junction needs a few dozen points at most".into()),
                );
                continue;
            }
            for (n, pt) in c.via.iter().enumerate() {
                self.out.point(&format!("{p}.via[{n}]"), *pt);
            }
        }
    }

    /// Whether a connection of `l` is right in every respect checked below.
    fn fine(&self, l: &Link, c: &LaneLink) -> bool {
        let Some(&to) = self.links.map.get(c.to.as_str()) else {
            return false;
        };
        let next = self.link(to);
        let point = |p: &(f64, f64)| {
            p.0.is_finite()
                && p.1.is_finite()
                && p.0.abs() <= MAX_COORD_M
                && p.1.abs() <= MAX_COORD_M
        };
        c.lane < l.lanes
            && next.from == l.to
            && c.to_lane < next.lanes
            && c.via.len() <= MAX_VIA_POINTS
            && c.via.iter().all(point)
    }

    /// The links a vehicle at the end of link `l` may go on to: its connections' links when
    /// it has any, else every link leaving its end node.
    pub(super) fn successors(&self, l: usize) -> Vec<usize> {
        let link = self.link(l);
        if link.dead_end {
            return Vec::new();
        }
        if link.connections.is_empty() {
            let end = self.nodes.map.get(link.to.as_str());
            return end.map_or_else(Vec::new, |&n| self.out_links[n].clone());
        }
        let mut next: Vec<usize> = link
            .connections
            .iter()
            .filter_map(|c| self.links.map.get(c.to.as_str()).copied())
            .collect();
        next.sort_unstable();
        next.dedup();
        next
    }

    /// What to check when there is no path: the links' directions, and their connections if
    /// the network has any.
    pub(super) fn one_way_hint(&self) -> String {
        let links = &self.spec.network.links;
        let wired = links
            .iter()
            .any(|l| l.dead_end || !l.connections.is_empty());
        let more = if wired {
            ", and a link leads on only through its `connections` (SUMO's `<connection>`s; none at a `dead_end`)"
        } else {
            ""
        };
        format!("links are one-way (`from` -> `to`){more}; check their directions")
    }

    /// Whether a vehicle may drive from link `a` straight onto link `b` (`b` leaves where `a`
    /// ends, and `a`'s connections, if any, lead onto it).
    pub(super) fn joins(&self, a: usize, b: usize) -> bool {
        let (la, lb) = (self.link(a), self.link(b));
        la.to == lb.from
            && !la.dead_end
            && (la.connections.is_empty() || la.connections.iter().any(|c| c.to == lb.id))
    }
}

/// Who may use `lane` of `link`, when it is reserved.
pub(super) fn reserved_for(link: &Link, lane: u8) -> Option<&ReservedLane> {
    link.reserved.iter().find(|r| r.lane == lane)
}

/// `lane` must be one of the lanes of `link`.
fn lane_in(c: &mut Checker<'_, '_>, path: &str, lane: u8, link: &Link) {
    if (1..=8).contains(&link.lanes) && lane >= link.lanes {
        c.out.err(
            path,
            format!(
                "lane {lane} does not exist on link `{}`, which has {} lane(s)",
                link.id, link.lanes
            ),
            Some("lanes are numbered from 0 (the rightmost)".into()),
        );
    }
}

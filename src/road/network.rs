//! The road network as the simulation uses it: indexed nodes and links, lane centrelines, turn
//! paths through junction boxes. Built once per run from the spec; read-only afterwards.
use std::collections::BTreeMap;

use bevy::prelude::Resource;

use super::curves::{Curve, curves, turn_speed};
use super::elevation::Profile;
use super::geometry::{P2, Polyline, bezier, line_intersection};
use crate::scenario::spec::{Class, Control, Junction, Link, Spec};

/// Lane width, m. Korean urban arterials use 3.0-3.5 m lanes (MOLIT road structure rules);
/// 3.5 m keeps an 8-lane World Cup-buk-ro at its real ~30 m carriageway width.
pub const LANE_WIDTH: f64 = 3.5;

/// Shortest usable link after trimming by junction radii, m.
const MIN_LINK_LEN: f64 = 1.0;

#[derive(Debug, Clone)]
pub struct NodeData {
    pub id: String,
    pub pos: P2,
    /// Height of the ground, m above the map's datum.
    pub z: f64,
    pub radius: f64,
    pub incoming: Vec<u32>,
    pub outgoing: Vec<u32>,
    /// Index into `RoadNetwork::junctions`, if the node is a junction.
    pub junction: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct LinkData {
    pub id: String,
    pub name: String,
    pub from: u32,
    pub to: u32,
    pub lanes: u8,
    /// Width of each lane, m.
    pub lane_width: f64,
    /// The classes each lane is open to, lane 0 first: one bit per class ([`Class::bit`]).
    pub open: Vec<u32>,
    /// Speed limit, m/s.
    pub speed_limit: f64,
    /// Centreline between the trimmed ends (stop line at the far end).
    pub center: Polyline,
    /// One centreline per lane, lane 0 rightmost.
    pub lane_paths: Vec<Polyline>,
    /// The bends of each lane, in order along it.
    pub curves: Vec<Vec<Curve>>,
    pub length: f64,
    /// Height of the ground along the centreline; `None` on flat ground (height 0).
    pub heights: Option<Profile>,
}

impl LinkData {
    /// Right-offset of a lane's centre from the link centreline (right-hand traffic), for
    /// lanes `width` metres wide.
    pub fn lane_offset(lanes: u8, lane: u8, width: f64) -> f64 {
        (f64::from(lanes) - f64::from(lane) - 0.5) * width
    }

    /// Right-offset of lane `lane`'s centre from this link's centreline, m.
    pub fn offset_of(&self, lane: u8) -> f64 {
        Self::lane_offset(self.lanes, lane, self.lane_width)
    }

    /// Whether vehicles of `class` may use `lane`.
    pub fn allows(&self, lane: u8, class: Class) -> bool {
        self.open
            .get(usize::from(lane))
            .is_none_or(|o| o & class.bit() != 0)
    }

    /// Height of the road at centreline position `s`, m above the map's datum.
    pub fn ground(&self, s: f64) -> f64 {
        self.heights.as_ref().map_or(0.0, |h| h.at(s))
    }

    /// Whether every class may use `lane` (not a reserved lane).
    pub fn open_to_all(&self, lane: u8) -> bool {
        self.open
            .get(usize::from(lane))
            .is_none_or(|o| *o == Class::EVERY)
    }

    /// Width of the carriageway (all its lanes), m.
    pub fn width(&self) -> f64 {
        f64::from(self.lanes) * self.lane_width
    }

    /// How many metres a vehicle on `lane` drives per metre of centreline at position `s`.
    /// Positions are kept along the centreline (one coordinate for all lanes, so that gaps and
    /// lane changes compare like with like); a lane's segment i runs beside the centreline's
    /// segment i, longer on the outside of a bend and shorter on the inside.
    pub fn stretch(&self, lane: u8, s: f64) -> f64 {
        self.beside(lane)
            .map_or(1.0, |(c, p)| ratio(c, p, self.center.segment(s)))
    }

    /// The centreline position at distance `arc` along `lane`'s own path: the inverse of
    /// [`LinkData::lane_arc`].
    pub fn station(&self, lane: u8, arc: f64) -> f64 {
        let Some((c, p)) = self.beside(lane) else {
            return arc;
        };
        let i = self.lane_paths[usize::from(lane.min(self.lanes - 1))].segment(arc);
        c[i] + (arc - p[i]) / ratio(c, p, i)
    }

    /// Distance along `lane`'s own path at centreline position `s`, m (SUMO's lane position).
    pub fn lane_arc(&self, lane: u8, s: f64) -> f64 {
        let Some((c, p)) = self.beside(lane) else {
            return s;
        };
        let i = self.center.segment(s);
        p[i] + (s - c[i]) * ratio(c, p, i)
    }

    /// Cumulative lengths of the centreline and of `lane`'s path, point beside point (`None`
    /// when they do not correspond).
    fn beside(&self, lane: u8) -> Option<(&[f64], &[f64])> {
        let path = &self.lane_paths[usize::from(lane.min(self.lanes - 1))];
        let (c, p) = (self.center.cumulative(), path.cumulative());
        (c.len() == p.len() && c.len() >= 2).then_some((c, p))
    }
}

/// Length of segment `i` of a lane over that of the centreline beside it.
fn ratio(c: &[f64], p: &[f64], i: usize) -> f64 {
    let cs = c[i + 1] - c[i];
    if cs <= 0.0 {
        return 1.0;
    }
    ((p[i + 1] - p[i]) / cs).clamp(0.2, 5.0)
}

/// How a junction is controlled, with link ids resolved to indices.
#[derive(Debug, Clone)]
pub enum JunctionCtl {
    Signal(crate::road::signals::Program),
    Priority {
        major: Vec<u32>,
        /// Who gives way to whom by movement (from link, to link), when the scenario gives it
        /// (`spec::GiveWay`); `None`: minor links give way to major ones.
        yields: Option<GiveWays>,
        /// Movements whose drivers stop at the line first (`spec::GiveWay::stop`).
        stops: StopSigns,
    },
}

/// The movements each movement of a junction gives way to, (from link, to link) each.
pub type GiveWays = std::collections::BTreeMap<(u32, u32), Vec<(u32, u32)>>;

/// The movements of a junction with a stop sign, sorted: (from link, to link).
pub type StopSigns = Vec<(u32, u32)>;

#[derive(Debug, Clone)]
pub struct JunctionData {
    pub id: String,
    pub name: String,
    pub node: u32,
    pub ctl: JunctionCtl,
}

/// A path through a junction box from one lane to the next link's lane.
#[derive(Debug, Clone)]
pub struct Turn {
    pub path: Polyline,
    /// The highest speed along it ([`turn_speed`]), m/s.
    pub speed: f64,
    /// The lane of the incoming link the path starts from.
    pub from_lane: u8,
}

/// A movement through a junction: (incoming link, outgoing link).
type Movement = (u32, u32);

/// Which way a movement through a junction turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TurnDir {
    Left,
    Straight,
    Right,
}

impl TurnDir {
    /// From the heading change between two unit directions: more than 30° either way is a turn
    /// (a U-turn counts as left).
    pub fn between(a: P2, b: P2) -> TurnDir {
        let cross = a[0] * b[1] - a[1] * b[0];
        let dot = a[0] * b[0] + a[1] * b[1];
        let angle = cross.atan2(dot).to_degrees();
        if !(-150.0..=30.0).contains(&angle) {
            TurnDir::Left
        } else if angle < -30.0 {
            TurnDir::Right
        } else {
            TurnDir::Straight
        }
    }
}

#[derive(Debug, Clone, Resource, Default)]
pub struct RoadNetwork {
    pub nodes: Vec<NodeData>,
    pub links: Vec<LinkData>,
    pub junctions: Vec<JunctionData>,
    pub node_index: BTreeMap<String, u32>,
    pub link_index: BTreeMap<String, u32>,
    pub junction_index: BTreeMap<String, u32>,
    /// Turn paths keyed by (incoming link, outgoing link, lane on the outgoing link).
    turns: BTreeMap<(u32, u32, u8), Turn>,
    /// Movements through junctions, by incoming link: (outgoing, (direction, allowed lanes
    /// lo..=hi)), by outgoing link. A short list per link: looked up for every vehicle every
    /// step, where a map of all movements cost 9 % of a grid run (`perf`).
    movements: Vec<Vec<(u32, MovementLanes)>>,
    /// Lane-to-lane connections at the end of each link, by link (empty: the lane rules).
    wiring: Vec<Vec<Wire>>,
    /// Links with no way on (`Link::dead_end`).
    dead_ends: Vec<bool>,
    /// Conflict areas between turns from different approaches of one junction: (turn, other
    /// turn) -> the stretch of the first turn's path (arc lengths, m) where a vehicle on it
    /// would touch one on the other (within [`CONFLICT_WIDTH`]).
    conflicts: BTreeMap<(TurnKey, TurnKey), (f64, f64)>,
    /// Whether any road has a height (else the ground is 0 everywhere).
    elevated: bool,
}

/// A movement's direction and the lanes of the incoming link allowed to make it (lo..=hi).
type MovementLanes = (TurnDir, u8, u8);

/// A lane-to-lane connection with its links resolved (`spec::LaneLink`).
#[derive(Debug, Clone)]
struct Wire {
    lane: u8,
    to: u32,
    to_lane: u8,
    via: Vec<P2>,
}

/// A turn path's key: (incoming link, outgoing link, lane on the outgoing link).
pub type TurnKey = (u32, u32, u8);

/// Two vehicles on paths through a junction touch when their centre lines come closer than
/// this, m: a car's width (1.8 m) and a margin on either side of 0.35 m (assumed).
pub const CONFLICT_WIDTH: f64 = 2.5;

impl RoadNetwork {
    /// Build from a validated spec (unknown references were rejected at load; any left are
    /// skipped here rather than panicking).
    pub fn build(spec: &Spec) -> Self {
        let mut net = RoadNetwork::default();
        for n in &spec.network.nodes {
            net.node_index.insert(n.id.clone(), net.nodes.len() as u32);
            net.nodes.push(NodeData {
                id: n.id.clone(),
                pos: [n.pos.0, n.pos.1],
                z: n.z,
                radius: n.radius.max(0.0),
                incoming: Vec::new(),
                outgoing: Vec::new(),
                junction: None,
            });
        }
        for l in &spec.network.links {
            net.add_link(l);
        }
        net.wire(&spec.network.links);
        for j in &spec.network.junctions {
            net.add_junction(j);
        }
        net.build_turns();
        net.build_conflicts();
        net.elevated = net.links.iter().any(|l| l.heights.is_some());
        net
    }

    /// Add a link between two known nodes, its centreline trimmed by the junction radii at both
    /// ends (unless that would leave less than [`MIN_LINK_LEN`]).
    fn add_link(&mut self, l: &Link) {
        let (Some(&from), Some(&to)) = (self.node_index.get(&l.from), self.node_index.get(&l.to))
        else {
            return;
        };
        let (center, heights) = self.centreline(l, from, to);
        let lanes = l.lanes.clamp(1, 8);
        let lane_width = l.lane_width.unwrap_or(LANE_WIDTH);
        let lane_paths = (0..lanes)
            .map(|i| center.offset_right(LinkData::lane_offset(lanes, i, lane_width)))
            .collect::<Vec<_>>();
        let curves = lane_paths.iter().map(|p| curves(&center, p)).collect();
        let idx = self.links.len() as u32;
        self.link_index.insert(l.id.clone(), idx);
        self.nodes[from as usize].outgoing.push(idx);
        self.nodes[to as usize].incoming.push(idx);
        self.links.push(LinkData {
            id: l.id.clone(),
            name: l.name.clone(),
            from,
            to,
            lanes,
            lane_width,
            open: open_lanes(l, lanes),
            speed_limit: l.speed_limit_kmh / 3.6,
            length: center.length(),
            center,
            lane_paths,
            curves,
            heights,
        });
    }

    /// A link's centreline: its shape as given when it has exact ends, else from node to node
    /// through its shape, trimmed by the nodes' radii (unless that would leave less than
    /// [`MIN_LINK_LEN`]); and the height of the ground along it, unless flat.
    fn centreline(&self, l: &Link, from: u32, to: u32) -> (Polyline, Option<Profile>) {
        let shape = l.shape.iter().map(|p| [p.0, p.1]);
        let heights = |pts: &[P2], z: &[f64], start| Profile::along(pts, z, start);
        if l.exact_ends && l.shape.len() >= 2 {
            let pts: Vec<P2> = shape.collect();
            let profile = heights(&pts, &l.heights, 0.0);
            return (Polyline::new(pts), profile);
        }
        let (a, b) = (&self.nodes[from as usize], &self.nodes[to as usize]);
        let mut pts = vec![a.pos];
        pts.extend(shape);
        pts.push(b.pos);
        let mut z = vec![a.z];
        match l.heights.len() {
            0 => z.extend(l.shape.iter().map(|_| f64::NAN)),
            _ => z.extend(&l.heights),
        }
        z.push(b.z);
        fill_between(&pts, &mut z);
        let full = Polyline::new(pts.clone());
        let len = full.length();
        let r0 = a.radius.min(len * 0.45);
        let r1 = b.radius.min(len * 0.45);
        if len - r0 - r1 >= MIN_LINK_LEN {
            (full.slice(r0, len - r1), heights(&pts, &z, r0))
        } else {
            (full, heights(&pts, &z, 0.0))
        }
    }

    /// Resolve each link's connections (those to unknown links or lanes are skipped; the
    /// validator reported them).
    fn wire(&mut self, links: &[Link]) {
        self.wiring = vec![Vec::new(); self.links.len()];
        self.dead_ends = vec![false; self.links.len()];
        for l in links {
            let Some(a) = self.link(&l.id) else { continue };
            self.dead_ends[a as usize] = l.dead_end;
            for c in &l.connections {
                let Some(b) = self.link(&c.to) else { continue };
                let (la, lb) = (&self.links[a as usize], &self.links[b as usize]);
                if la.to == lb.from && c.lane < la.lanes && c.to_lane < lb.lanes {
                    self.wiring[a as usize].push(Wire {
                        lane: c.lane,
                        to: b,
                        to_lane: c.to_lane,
                        via: c.via.iter().map(|p| [p.0, p.1]).collect(),
                    });
                }
            }
        }
    }

    /// Whether any link has explicit lane-to-lane connections or is a dead end (then routes
    /// follow them).
    pub fn wired(&self) -> bool {
        self.wiring.iter().any(|w| !w.is_empty()) || self.dead_ends.contains(&true)
    }

    /// The links a vehicle at the end of link `a` may go on to.
    pub fn next_links(&self, a: u32) -> impl Iterator<Item = u32> + '_ {
        self.movements
            .get(a as usize)
            .into_iter()
            .flatten()
            .map(|(b, _)| *b)
    }

    /// Add a junction at a known node, its signal program compiled against the link indices.
    fn add_junction(&mut self, j: &Junction) {
        let Some(&node) = self.node_index.get(&j.node) else {
            return;
        };
        let ctl = match &j.control {
            Control::Signal(p) => {
                JunctionCtl::Signal(crate::road::signals::Program::compile(p, |id| {
                    self.link_index.get(id).copied()
                }))
            }
            Control::Priority { major, yields } => JunctionCtl::Priority {
                major: major
                    .iter()
                    .filter_map(|id| self.link_index.get(id).copied())
                    .collect(),
                yields: (!yields.is_empty()).then(|| self.give_ways(yields)),
                stops: self.stop_signs(yields),
            },
        };
        let idx = self.junctions.len() as u32;
        self.junction_index.insert(j.id.clone(), idx);
        self.nodes[node as usize].junction = Some(idx);
        self.junctions.push(JunctionData {
            id: j.id.clone(),
            name: j.name.clone(),
            node,
            ctl,
        });
    }

    /// A junction's give-way table with link ids resolved (the validator checked them).
    fn give_ways(&self, yields: &[crate::scenario::spec::GiveWay]) -> GiveWays {
        let id =
            |(a, b): &(String, String)| Some((*self.link_index.get(a)?, *self.link_index.get(b)?));
        let mut table = GiveWays::new();
        for g in yields {
            if let Some(m) = id(&g.movement) {
                let to = table.entry(m).or_default();
                to.extend(g.to.iter().filter_map(id));
                to.sort_unstable();
                to.dedup();
            }
        }
        table
    }

    /// The movements of a give-way table with a stop sign, sorted.
    fn stop_signs(&self, yields: &[crate::scenario::spec::GiveWay]) -> StopSigns {
        let id = |a: &String| self.link_index.get(a).copied();
        let mut stops: StopSigns = yields
            .iter()
            .filter(|g| g.stop)
            .filter_map(|g| Some((id(&g.movement.0)?, id(&g.movement.1)?)))
            .collect();
        stops.sort_unstable();
        stops.dedup();
        stops
    }

    fn build_turns(&mut self) {
        let mut moves: BTreeMap<Movement, MovementLanes> = BTreeMap::new();
        for node in &self.nodes {
            for &a in node
                .incoming
                .iter()
                .filter(|a| !self.dead_ends[**a as usize])
            {
                let la = &self.links[a as usize];
                let wires = &self.wiring[a as usize];
                for &b in &node.outgoing {
                    let lb = &self.links[b as usize];
                    if wires.is_empty() {
                        moves.insert((a, b), movement(la, lb));
                    } else if let Some(m) = wired_movement(la, lb, wires, b) {
                        moves.insert((a, b), m);
                    }
                }
            }
        }
        self.movements = vec![Vec::new(); self.links.len()];
        for (&(a, b), &m) in &moves {
            self.movements[a as usize].push((b, m));
        }
        for ((a, b), (_, lo, hi)) in moves {
            let (la, lb) = (&self.links[a as usize], &self.links[b as usize]);
            let wires = &self.wiring[a as usize];
            if wires.is_empty() {
                // Allowed lanes first (their paths never cross), then a fallback path for
                // every other entry lane so that a pose always exists.
                let mut sources: Vec<u8> = (lo..=hi).collect();
                sources.extend((0..la.lanes).filter(|l| *l < lo || *l > hi));
                for lane_a in sources {
                    let lane_b = self.entry_lane(a, b, lane_a);
                    self.turns
                        .entry((a, b, lane_b))
                        .or_insert_with(|| turn_path(la, lane_a, lb, lane_b));
                }
            }
            for w in wires.iter().filter(|w| w.to == b) {
                self.turns
                    .entry((a, b, w.to_lane))
                    .or_insert_with(|| wired_path(la, w, lb));
            }
            for lane_b in 0..lb.lanes {
                if let std::collections::btree_map::Entry::Vacant(slot) =
                    self.turns.entry((a, b, lane_b))
                {
                    slot.insert(fallback_turn(la, lb, lane_b));
                }
            }
        }
    }

    /// Where each pair of turns from different approaches of a junction conflict.
    fn build_conflicts(&mut self) {
        let mut by_node: BTreeMap<u32, Vec<TurnKey>> = BTreeMap::new();
        for k in self.turns.keys() {
            by_node
                .entry(self.links[k.0 as usize].to)
                .or_default()
                .push(*k);
        }
        for keys in by_node.values() {
            for &k1 in keys {
                for &k2 in keys.iter().filter(|k2| k2.0 != k1.0) {
                    let (p1, p2) = (&self.turns[&k1].path, &self.turns[&k2].path);
                    if let Some(span) = p1.conflict_span(p2, CONFLICT_WIDTH) {
                        self.conflicts.insert((k1, k2), span);
                    }
                }
            }
        }
    }

    /// The stretch of turn `mine`'s path where it conflicts with turn `other` (arc lengths, m),
    /// or `None` when the two never come close.
    pub fn conflict(&self, mine: TurnKey, other: TurnKey) -> Option<(f64, f64)> {
        self.conflicts.get(&(mine, other)).copied()
    }

    /// The lanes of link `a` from which a vehicle may continue onto link `b`, as an inclusive
    /// range: left turns from the leftmost lane, right turns from the rightmost, straight on from
    /// the lanes that continue (so that paths through the junction box never cross or merge).
    pub fn lanes_for(&self, a: u32, b: u32) -> (u8, u8) {
        self.movement(a, b).map_or((0, u8::MAX), |m| (m.1, m.2))
    }

    /// The movement from link `a` onto link `b`, if they meet at a junction.
    fn movement(&self, a: u32, b: u32) -> Option<MovementLanes> {
        let from = self.movements.get(a as usize)?;
        from.iter().find(|(to, _)| *to == b).map(|(_, m)| *m)
    }

    /// The lane of link `b` a vehicle enters from lane `lane_a` of link `a`: left turns into the
    /// leftmost lane, right turns into the rightmost, straight on into the lane at the same
    /// distance from the median.
    pub fn entry_lane(&self, a: u32, b: u32, lane_a: u8) -> u8 {
        let lb = &self.links[b as usize];
        let lanes_b = lb.lanes;
        if let Some(wires) = self.wiring.get(a as usize).filter(|w| !w.is_empty()) {
            return wired_entry(wires, lb, b, lane_a).unwrap_or(lane_a.min(lanes_b - 1));
        }
        let lane = match self.movement(a, b) {
            Some((TurnDir::Left, _, hi)) => (lanes_b - 1).saturating_sub(hi.saturating_sub(lane_a)),
            Some((TurnDir::Right, lo, _)) => lane_a.saturating_sub(lo).min(lanes_b - 1),
            Some((TurnDir::Straight, ..)) => {
                let lanes_a = self.links[a as usize].lanes;
                (lane_a + lanes_b).saturating_sub(lanes_a).min(lanes_b - 1)
            }
            None => lane_a.min(lanes_b - 1),
        };
        unreserved(lb, lane)
    }

    /// The turn path from link `a` into lane `lane` of link `b`.
    pub fn turn(&self, a: u32, b: u32, lane: u8) -> Option<&Turn> {
        self.turns.get(&(a, b, lane))
    }

    pub fn turns(&self) -> impl Iterator<Item = (&(u32, u32, u8), &Turn)> {
        self.turns.iter()
    }

    /// Length of the turn path, or 0 when the links are not joined.
    pub fn turn_length(&self, a: u32, b: u32, lane: u8) -> f64 {
        self.turn(a, b, lane).map_or(0.0, |t| t.path.length())
    }

    /// Pose (point, unit direction) on lane `lane` of link `link` at `s`; negative `s` lies on the
    /// turn path from `prev` into this link.
    pub fn pose(&self, link: u32, lane: u8, s: f64, prev: Option<u32>) -> (P2, P2) {
        let l = &self.links[link as usize];
        let lane = lane.min(l.lanes - 1);
        if s < 0.0
            && let Some(p) = prev
            && let Some(turn) = self.turn(p, link, lane)
        {
            let len = turn.path.length();
            if len + s >= 0.0 {
                return turn.path.at(len + s);
            }
            // Behind the turn: still on the lane it came from.
            return self.pose(
                p,
                turn.from_lane,
                self.links[p as usize].length + len + s,
                None,
            );
        }
        // Positions are measured along the centreline; map onto the lane beside it.
        l.lane_paths[lane as usize].at(l.lane_arc(lane, s))
    }

    /// Height of the road under centreline position `s` of `link`, m above the map's datum;
    /// negative `s` lies on the turn path from `prev`, whose ground runs evenly from the end of
    /// the lane it leaves to the start of this link.
    pub fn ground(&self, link: u32, lane: u8, s: f64, prev: Option<u32>) -> f64 {
        if !self.elevated {
            return 0.0;
        }
        let l = &self.links[link as usize];
        if s < 0.0
            && let Some(p) = prev
            && let Some(turn) = self.turn(p, link, lane.min(l.lanes - 1))
        {
            let (len, before) = (turn.path.length(), &self.links[p as usize]);
            if len + s >= 0.0 {
                let t = if len > 0.0 { (len + s) / len } else { 1.0 };
                return super::elevation::between(before.ground(before.length), l.ground(0.0), t);
            }
            return before.ground(before.length + len + s);
        }
        l.ground(s)
    }

    /// Pose between lanes: at fractional lane index `lane` (1.5 is half-way between lanes 1
    /// and 2) and centreline position `s` ≥ 0, interpolated between the two lanes' own poses, so
    /// that a whole number gives exactly the lane's pose (a vehicle changing lanes starts and
    /// ends on its lanes, whatever the bends).
    pub fn pose_between(&self, link: u32, lane: f64, s: f64) -> (P2, P2) {
        let l = &self.links[link as usize];
        if l.lanes < 2 {
            return self.pose(link, 0, s, None);
        }
        let k = lane.floor().clamp(0.0, f64::from(l.lanes - 2));
        let w = lane - k;
        let (a, da) = self.pose(link, k as u8, s, None);
        let (b, db) = self.pose(link, k as u8 + 1, s, None);
        let mix = |x: f64, y: f64| x + (y - x) * w;
        let d = [mix(da[0], db[0]), mix(da[1], db[1])];
        let n = d[0].hypot(d[1]).max(1e-9);
        ([mix(a[0], b[0]), mix(a[1], b[1])], [d[0] / n, d[1] / n])
    }

    /// Whether any road has a height.
    pub fn elevated(&self) -> bool {
        self.elevated
    }

    /// Link index by id.
    pub fn link(&self, id: &str) -> Option<u32> {
        self.link_index.get(id).copied()
    }

    /// Bounding box of all nodes, m: (min, max).
    pub fn bounds(&self) -> (P2, P2) {
        let mut lo = [f64::INFINITY; 2];
        let mut hi = [f64::NEG_INFINITY; 2];
        for n in &self.nodes {
            for k in 0..2 {
                lo[k] = lo[k].min(n.pos[k]);
                hi[k] = hi[k].max(n.pos[k]);
            }
        }
        (lo, hi)
    }
}

/// The movement from link `la` onto link `lb`: its direction and the lanes of `la` allowed to
/// make it (inclusive).
fn movement(la: &LinkData, lb: &LinkData) -> (TurnDir, u8, u8) {
    let (_, da) = la.center.at(la.length);
    let (_, db) = lb.center.at(0.0);
    let dir = TurnDir::between(da, db);
    let (lo, hi) = match dir {
        TurnDir::Left => (la.lanes - 1, la.lanes - 1),
        TurnDir::Right => (0, 0),
        // Lanes are aligned at the median: when the road narrows, the rightmost lanes end;
        // when it widens, lanes are added on the right.
        TurnDir::Straight => (la.lanes.saturating_sub(lb.lanes), la.lanes - 1),
    };
    (dir, lo, hi)
}

/// The kinds each lane of a link is open to: all, but for its reserved lanes.
fn open_lanes(l: &Link, lanes: u8) -> Vec<u32> {
    let mut open = vec![Class::EVERY; usize::from(lanes)];
    for r in &l.reserved {
        if let Some(o) = open.get_mut(usize::from(r.lane)) {
            *o = r.mask();
        }
    }
    open
}

/// A movement given by connections: its direction from the geometry, the lanes of `la` with a
/// connection onto `b` (their span, when they are not side by side), or `None` if there is
/// none.
fn wired_movement(la: &LinkData, lb: &LinkData, wires: &[Wire], b: u32) -> Option<MovementLanes> {
    let lanes = wires.iter().filter(|w| w.to == b).map(|w| w.lane);
    let (lo, hi) = (lanes.clone().min()?, lanes.max()?);
    Some((movement(la, lb).0, lo, hi))
}

/// Heights not given (NaN: shape points of a link whose heights follow its nodes) linear in
/// the distance along the line between its ends' heights.
fn fill_between(pts: &[P2], z: &mut [f64]) {
    let Some(last) = z.len().checked_sub(1) else {
        return;
    };
    let mut cum = vec![0.0; pts.len()];
    for i in 1..pts.len() {
        cum[i] = cum[i - 1] + super::geometry::dist(pts[i - 1], pts[i]);
    }
    let total = cum[last].max(f64::EPSILON);
    for i in 1..last {
        if z[i].is_nan() {
            z[i] = super::elevation::between(z[0], z[last], cum[i] / total);
        }
    }
}

/// The lane of `b` a connection from lane `lane_a` leads into (of several, the first into a
/// lane open to every kind); from another lane (a vehicle that could not reach a connected
/// lane), that of the nearest connected lane.
fn wired_entry(wires: &[Wire], lb: &LinkData, b: u32, lane_a: u8) -> Option<u8> {
    wires
        .iter()
        .filter(|w| w.to == b)
        .min_by_key(|w| (w.lane.abs_diff(lane_a), !lb.open_to_all(w.to_lane), w.lane))
        .map(|w| w.to_lane)
}

/// `lane` of `lb`, or when it is reserved for some kinds (a bus lane), the nearest lane open to
/// every kind (the lower of two as near); a vehicle allowed into the reserved lane changes
/// into it afterwards. A link with no such lane keeps `lane`.
fn unreserved(lb: &LinkData, lane: u8) -> u8 {
    if lb.open_to_all(lane) {
        return lane;
    }
    (0..lb.lanes)
        .filter(|k| lb.open_to_all(*k))
        .min_by_key(|k| (k.abs_diff(lane), *k))
        .unwrap_or(lane)
}

/// The path of a connection: from the end of its lane through its `via` points to the start of
/// its lane on the next link. Only the points ahead of the lane's end and before the next
/// lane's start are taken (SUMO's internal lanes begin and end at SUMO's lane ends, which need
/// not be where the junction box trims this link); without any, a curve as for the lane rules.
fn wired_path(la: &LinkData, w: &Wire, lb: &LinkData) -> Turn {
    let pa = &la.lane_paths[w.lane as usize];
    let (end, da) = pa.at(pa.length());
    let (start, db) = lb.lane_paths[w.to_lane as usize].at(0.0);
    let ahead = |p: &P2, o: P2, d: P2, sign: f64| {
        sign * ((p[0] - o[0]) * d[0] + (p[1] - o[1]) * d[1]) > 0.5
    };
    let inner: Vec<P2> = w
        .via
        .iter()
        .filter(|p| ahead(p, end, da, 1.0) && ahead(p, start, db, -1.0))
        .copied()
        .collect();
    if inner.is_empty() {
        return turn_path(la, w.lane, lb, w.to_lane);
    }
    let mut pts = vec![end];
    pts.extend(inner);
    pts.push(start);
    let path = Polyline::new(pts);
    Turn {
        speed: turn_speed(&path),
        path,
        from_lane: w.lane,
    }
}

/// The path through the junction box from the end of lane `lane_a` of `la` to the start of lane
/// `lane_b` of `lb`: a quadratic Bézier whose control point is where the two lane tangents meet
/// (ahead of the first), or the midpoint when they do not.
fn turn_path(la: &LinkData, lane_a: u8, lb: &LinkData, lane_b: u8) -> Turn {
    let pa = &la.lane_paths[lane_a as usize];
    let (end, da) = pa.at(pa.length());
    let (start, db) = lb.lane_paths[lane_b as usize].at(0.0);
    // The tangents of nearly parallel lanes meet far away (kilometres for a slight kink): such
    // a control point would make a path far longer than the gap it bridges, so it is taken only
    // when it lies within the span of the gap.
    let gap = super::geometry::dist(end, start);
    let ctrl = line_intersection(end, da, start, db)
        .filter(|c| (c[0] - end[0]) * da[0] + (c[1] - end[1]) * da[1] > 0.0)
        .filter(|c| super::geometry::dist(end, *c) <= gap + 1.0)
        .unwrap_or([(end[0] + start[0]) / 2.0, (end[1] + start[1]) / 2.0]);
    let path = bezier(end, ctrl, start, 16);
    Turn {
        speed: turn_speed(&path),
        path,
        from_lane: lane_a,
    }
}

/// A straight path into lane `lane_b` of `lb` no allowed lane leads to (so that a pose always
/// exists), from the nearest lane of `la`.
fn fallback_turn(la: &LinkData, lb: &LinkData, lane_b: u8) -> Turn {
    let lane_a = lane_b.min(la.lanes - 1);
    let pa = &la.lane_paths[lane_a as usize];
    let (end, _) = pa.at(pa.length());
    let (start, _) = lb.lane_paths[lane_b as usize].at(0.0);
    let mid = [(end[0] + start[0]) / 2.0, (end[1] + start[1]) / 2.0];
    let path = bezier(end, mid, start, 2);
    Turn {
        speed: turn_speed(&path),
        path,
        from_lane: lane_a,
    }
}

#[cfg(test)]
#[path = "network/tests.rs"]
mod tests;

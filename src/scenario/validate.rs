//! Semantic validation of a parsed (and merged) scenario: every problem in one pass.
//!
//! serde has already checked shapes and types; this checks meaning: references between
//! things, route connectivity, value ranges, and the caps that keep a run bounded. Each
//! problem is an [`Issue`] at a value path; `load` turns paths into file:line:col.
//! Checks that depend on a broken value are skipped rather than reported twice.

#[path = "validate/check.rs"]
mod check;
pub mod lint;
#[path = "validate/traffic.rs"]
mod traffic;
#[path = "validate/v2x.rs"]
mod v2x;
#[path = "validate/wiring.rs"]
mod wiring;

use std::collections::{HashMap, VecDeque};

pub use check::{IdSet, Issue, Sink};

use super::spec::{Control, Footprint, Link, Network, STEP_BOUNDS, SignalProgram, Spec};
pub use check::MAX_COORD_M;
pub use wiring::{MAX_LANE_WIDTH_M, MAX_VIA_POINTS};

/// Most explicitly placed vehicles (after merging includes).
pub const MAX_VEHICLES: usize = 20_000;
/// Longest simulated time, s (one day).
pub const MAX_DURATION: f64 = 86_400.0;
/// Largest expected number of flow vehicles (sum over flows of `per_hour` x window).
pub const MAX_FLOW_VEHICLES: f64 = 200_000.0;

// Physical ranges of numeric fields (docs/scenario-format.md, "Ranges", gives the reasons).
/// Highest initial vehicle speed, m/s (360 km/h, above any road vehicle).
pub const MAX_SPEED_MS: f64 = 100.0;
/// Highest pedestrian walking speed, m/s (a sprint).
pub const MAX_WALK_MS: f64 = 10.0;
/// Highest link speed limit, km/h.
pub const MAX_SPEED_LIMIT_KMH: f64 = 300.0;
/// Largest junction box half-size, m: the widest urban junctions are some 60 m across, and a
/// box far larger than its roads makes turn paths kilometres long (and their conflict checks,
/// sampled every 0.5 m, take time with the square of that).
pub const MAX_JUNCTION_RADIUS_M: f64 = 100.0;
/// Most laps of a loop route (each lap repeats the loop's links in the planned route).
pub const MAX_LAPS: u32 = 1_000;
/// Longest vehicle body, m (a road train; SUMO's longest road class, `trailer`, is 16.5 m).
pub const MAX_LENGTH_M: f64 = 60.0;
/// Largest vehicle-mix weight (weights are relative; large ones only overflow their sum).
pub const MAX_MIX_WEIGHT: f64 = 1e6;
/// Transmit power range, dBm: a gNB macro cell radiates ~46-49 dBm, a UE 23 dBm, an RSU ≤ 33.
pub const MIN_TX_DBM: f64 = -40.0;
pub const MAX_TX_DBM: f64 = 60.0;
/// Longest radio range cut-off, m (sidelink reaches ~1 km; a larger cut-off only costs time).
pub const MAX_RANGE_M: f64 = 10_000.0;

/// All semantic problems of `spec`, in no particular order; or, if a count is over its
/// limit, only that (the rest would be noise: 20 001 vehicles at one spot give 10 000 overlap
/// errors that bury the one that matters, and checking them all costs time).
pub fn validate(spec: &Spec) -> Vec<Issue> {
    let limits = limits(spec);
    if !limits.is_empty() {
        return limits;
    }
    let mut sink = Sink::default();
    let mut c = Checker::new(spec, &mut sink);
    c.scenario();
    c.network();
    c.buildings();
    c.vehicles();
    c.flows();
    c.pedestrians();
    c.v2x();
    c.events();
    c.expectations();
    if sink.dropped > 0 {
        let total = sink.issues.len() + sink.dropped;
        sink.issues.push(Issue {
            path: String::new(),
            message: format!(
                "{total} problems found; only the first {} were located",
                check::MAX_ISSUES
            ),
            help: None,
            see: None,
        });
    }
    sink.issues
}

/// Counts over their limits.
fn limits(spec: &Spec) -> Vec<Issue> {
    let mut sink = Sink::default();
    if spec.vehicles.len() > MAX_VEHICLES {
        sink.err(
            format!("vehicles[{MAX_VEHICLES}]"),
            format!(
                "too many vehicles: {}, the limit is {MAX_VEHICLES}",
                spec.vehicles.len()
            ),
            Some("use `flows` for large demand".into()),
        );
    }
    sink.issues
}

/// Id sets and derived geometry shared by the checks.
pub(crate) struct Checker<'a, 's> {
    pub spec: &'a Spec,
    pub out: &'s mut Sink,
    pub nodes: IdSet<'a>,
    pub links: IdSet<'a>,
    pub junctions: IdSet<'a>,
    pub vehicles: IdSet<'a>,
    pub flows: IdSet<'a>,
    pub rsus: IdSet<'a>,
    pub gnbs: IdSet<'a>,
    /// Per link: length along its polyline, m, if both end nodes exist.
    pub link_len: Vec<Option<f64>>,
    /// Links leaving each node, by node index.
    pub out_links: Vec<Vec<usize>>,
    /// What can be reached from a node or from the end of a link, computed on demand.
    reach: HashMap<Origin, Reach>,
}

impl<'a, 's> Checker<'a, 's> {
    fn new(spec: &'a Spec, out: &'s mut Sink) -> Self {
        let net = &spec.network;
        let nodes = IdSet::required(
            out,
            "node",
            "network.nodes",
            net.nodes.iter().map(|n| n.id.as_str()),
        );
        let links = IdSet::required(
            out,
            "link",
            "network.links",
            net.links.iter().map(|l| l.id.as_str()),
        );
        let junctions = IdSet::required(
            out,
            "junction",
            "network.junctions",
            net.junctions.iter().map(|j| j.id.as_str()),
        );
        let vehicles = IdSet::required(
            out,
            "vehicle",
            "vehicles",
            spec.vehicles.iter().map(|v| v.id.as_str()),
        );
        let flows = IdSet::required(
            out,
            "flow",
            "flows",
            spec.flows.iter().map(|f| f.id.as_str()),
        );
        let rsus = IdSet::required(
            out,
            "RSU",
            "v2x.rsus",
            spec.v2x.rsus.iter().map(|r| r.id.as_str()),
        );
        let gnbs = IdSet::required(
            out,
            "gNB",
            "v2x.gnbs",
            spec.v2x.gnbs.iter().map(|g| g.id.as_str()),
        );
        let (link_len, out_links) = link_geometry(net, &nodes, &links);
        Checker {
            spec,
            out,
            nodes,
            links,
            junctions,
            vehicles,
            flows,
            rsus,
            gnbs,
            link_len,
            out_links,
            reach: HashMap::new(),
        }
    }

    pub fn link(&self, i: usize) -> &'a Link {
        &self.spec.network.links[i]
    }

    fn scenario(&mut self) {
        let s = self.spec;
        if s.name.trim().is_empty() {
            self.out.err(
                "name",
                "must not be empty",
                Some("give the scenario a short name".into()),
            );
        }
        if self.out.positive("duration", s.duration, "s") && s.duration > MAX_DURATION {
            self.out.err(
                "duration",
                format!(
                    "must be at most {MAX_DURATION} s (one day), found {}",
                    s.duration
                ),
                None,
            );
        }
        let (lo, hi) = STEP_BOUNDS;
        if !(lo..=hi).contains(&s.step) {
            self.out.err(
                "step",
                format!("must be between {lo} and {hi} s, found {}", s.step),
                Some("the fixed step is 1-100 ms; the default is 0.01".into()),
            );
        }
    }

    /// The scenario duration if it is usable for comparisons.
    pub fn duration(&self) -> Option<f64> {
        let d = self.spec.duration;
        (d.is_finite() && d > 0.0).then_some(d)
    }

    fn network(&mut self) {
        let net = &self.spec.network;
        if net.links.is_empty() {
            self.out.err(
                "network",
                "the network has no links",
                Some("define `network.links`, or include a map fragment".into()),
            );
        }
        for (i, n) in net.nodes.iter().enumerate() {
            let p = format!("network.nodes[{i}]");
            self.out.point(&format!("{p}.pos"), n.pos);
            self.out.non_negative_upto(
                &format!("{p}.radius"),
                n.radius,
                MAX_JUNCTION_RADIUS_M,
                "m",
            );
            self.out.height(&format!("{p}.z"), n.z);
        }
        if let Some((lat, lon)) = net.geo_origin
            && !((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon))
        {
            self.out.err(
                "network.geo_origin",
                format!("must be (latitude, longitude) in degrees, found ({lat}, {lon})"),
                Some(
                    "latitude within ±90, longitude within ±180: Sangam is (37.577, 126.8898)"
                        .into(),
                ),
            );
        }
        self.links();
        self.junctions();
    }

    /// One height per shape point, or none.
    fn heights(&mut self, p: &str, l: &crate::scenario::spec::Link) {
        if !l.heights.is_empty() && l.heights.len() != l.shape.len() {
            self.out.err(
                format!("{p}.heights"),
                format!(
                    "has {} height(s) for {} shape point(s)",
                    l.heights.len(),
                    l.shape.len()
                ),
                Some(
                    "give one height per point of `shape`, or none for a road whose height follows its nodes' `z`".into(),
                ),
            );
        }
        for (k, z) in l.heights.iter().enumerate() {
            self.out.height(&format!("{p}.heights[{k}]"), *z);
        }
    }

    fn links(&mut self) {
        let net = &self.spec.network;
        for (i, l) in net.links.iter().enumerate() {
            let p = format!("network.links[{i}]");
            let from = self
                .out
                .reference(&format!("{p}.from"), &l.from, &self.nodes);
            let to = self.out.reference(&format!("{p}.to"), &l.to, &self.nodes);
            if !(1..=8).contains(&l.lanes) {
                self.out.err(
                    format!("{p}.lanes"),
                    format!("must be between 1 and 8, found {}", l.lanes),
                    None,
                );
            }
            self.out.positive_upto(
                &format!("{p}.speed_limit_kmh"),
                l.speed_limit_kmh,
                MAX_SPEED_LIMIT_KMH,
                "km/h",
            );
            let mut shape_ok = true;
            for (k, pt) in l.shape.iter().enumerate() {
                shape_ok &= self.out.point(&format!("{p}.shape[{k}]"), *pt);
            }
            self.heights(&p, l);
            self.wiring(&p, i);
            if let (Some(_), Some(_), true, Some(len)) = (from, to, shape_ok, self.link_len[i])
                && len <= 0.0
            {
                self.out.err(
                    p,
                    format!("link `{}` has zero length", l.id),
                    Some(
                        "its `from` and `to` nodes (and shape points) are at the same place".into(),
                    ),
                );
            }
        }
    }

    fn junctions(&mut self) {
        let net = &self.spec.network;
        let mut controlled: HashMap<&str, usize> = HashMap::new();
        for (i, j) in net.junctions.iter().enumerate() {
            let p = format!("network.junctions[{i}]");
            if self
                .out
                .reference(&format!("{p}.node"), &j.node, &self.nodes)
                .is_some()
            {
                if let Some(&first) = controlled.get(j.node.as_str()) {
                    self.out.err_see(
                        format!("{p}.node"),
                        format!(
                            "node `{}` is already controlled by junction `{}`",
                            j.node, net.junctions[first].id
                        ),
                        Some("a node has at most one junction".into()),
                        "the other junction is",
                        format!("network.junctions[{first}]"),
                    );
                } else {
                    controlled.insert(&j.node, i);
                }
            }
            let node = self.nodes.contains(&j.node).then_some(j.node.as_str());
            match &j.control {
                Control::Signal(prog) => self.program(&format!("{p}.control"), prog, node),
                Control::Priority { major, yields } => {
                    for (k, l) in major.iter().enumerate() {
                        self.incoming(&format!("{p}.control.major[{k}]"), l, node);
                    }
                    for (k, g) in yields.iter().enumerate() {
                        let q = format!("{p}.control.yields[{k}]");
                        self.turn(&format!("{q}.movement"), &g.movement, node);
                        for (n, m) in g.to.iter().enumerate() {
                            self.turn(&format!("{q}.to[{n}]"), m, node);
                        }
                    }
                }
            }
        }
    }

    /// A fixed-time program of the junction at `node` (if known).
    pub fn program(&mut self, p: &str, prog: &SignalProgram, node: Option<&str>) {
        self.out.finite(&format!("{p}.offset"), prog.offset);
        self.out
            .non_negative(&format!("{p}.amber"), prog.amber, "s");
        self.out
            .non_negative(&format!("{p}.all_red"), prog.all_red, "s");
        if prog.phases.is_empty() {
            self.out.err(
                format!("{p}.phases"),
                "a signal program needs at least one phase",
                None,
            );
        }
        for (k, ph) in prog.phases.iter().enumerate() {
            self.out
                .positive(&format!("{p}.phases[{k}].duration"), ph.duration, "s");
            for (m, l) in ph.green.iter().enumerate() {
                self.incoming(&format!("{p}.phases[{k}].green[{m}]"), l, node);
            }
            for (field, turns) in [("turns", &ph.turns), ("permissive", &ph.permissive)] {
                for (m, turn) in turns.iter().enumerate() {
                    self.turn(&format!("{p}.phases[{k}].{field}[{m}]"), turn, node);
                }
            }
        }
    }

    /// A movement `(from, to)` through `node`: `from` ends there and `to` starts there.
    fn turn(&mut self, path: &str, (from, to): &(String, String), node: Option<&str>) {
        self.incoming(&format!("{path}.0"), from, node);
        let path = format!("{path}.1");
        let Some(li) = self.out.reference(&path, to, &self.links) else {
            return;
        };
        let start = &self.link(li).from;
        if let Some(node) = node
            && start != node
        {
            self.out.err(
                path,
                format!("link `{to}` does not start at node `{node}` of this junction (it starts at `{start}`)"),
                Some(format!("a movement goes from a link ending at `{node}` onto one starting there")),
            );
        }
    }

    /// `link` must exist and end at `node`.
    fn incoming(&mut self, path: &str, link: &str, node: Option<&str>) {
        let Some(li) = self.out.reference(path, link, &self.links) else {
            return;
        };
        let to = &self.link(li).to;
        if let Some(node) = node
            && to != node
        {
            self.out.err(
                    path,
                    format!("link `{link}` does not end at node `{node}` of this junction (it ends at `{to}`)"),
                    Some(format!("only links whose `to` is `{node}` can be controlled here")),
                );
        }
    }

    fn buildings(&mut self) {
        // Building ids are display names and may repeat (several blocks of one complex).
        for (i, b) in self.spec.buildings.iter().enumerate() {
            let p = format!("buildings[{i}]");
            self.out.positive(&format!("{p}.height"), b.height, "m");
            match &b.shape {
                Footprint::Box {
                    center,
                    size,
                    rotation_deg,
                } => {
                    self.out.point(&format!("{p}.shape.center"), *center);
                    self.out
                        .positive(&format!("{p}.shape.size[0]"), size.0, "m");
                    self.out
                        .positive(&format!("{p}.shape.size[1]"), size.1, "m");
                    self.out
                        .finite(&format!("{p}.shape.rotation_deg"), *rotation_deg);
                }
                Footprint::Polygon(pts) => {
                    if pts.len() < 3 {
                        self.out.err(
                            format!("{p}.shape"),
                            format!("a polygon needs at least 3 points, found {}", pts.len()),
                            None,
                        );
                    }
                    for (k, pt) in pts.iter().enumerate() {
                        self.out.point(&format!("{p}.shape[{k}]"), *pt);
                    }
                }
            }
        }
    }

    /// Whether node `to` can be reached from node `from` along links and through the
    /// junctions' connections (BFS, cached per origin).
    pub fn reachable(&mut self, from: usize, to: usize) -> bool {
        from == to
            || self
                .reach(Origin::Node(from))
                .nodes
                .get(to)
                .copied()
                .unwrap_or(false)
    }

    /// Whether link `b` can be reached from the end of link `a`.
    pub fn reaches(&mut self, a: usize, b: usize) -> bool {
        self.reach(Origin::Link(a))
            .links
            .get(b)
            .copied()
            .unwrap_or(false)
    }

    fn reach(&mut self, origin: Origin) -> &Reach {
        if !self.reach.contains_key(&origin) {
            let r = self.search(origin);
            self.reach.insert(origin, r);
        }
        &self.reach[&origin]
    }

    /// Breadth-first over links, each followed by its successors.
    fn search(&self, origin: Origin) -> Reach {
        let links = &self.spec.network.links;
        let mut r = Reach {
            nodes: vec![false; self.out_links.len()],
            links: vec![false; links.len()],
        };
        let seeds = match origin {
            Origin::Node(n) => self.out_links[n].clone(),
            Origin::Link(a) => self.successors(a),
        };
        let mut queue = VecDeque::new();
        for l in seeds {
            r.links[l] = true;
            queue.push_back(l);
        }
        while let Some(l) = queue.pop_front() {
            if let Some(&n) = self.nodes.map.get(links[l].to.as_str()) {
                r.nodes[n] = true;
            }
            for next in self.successors(l) {
                if !r.links[next] {
                    r.links[next] = true;
                    queue.push_back(next);
                }
            }
        }
        r
    }
}

/// Where a reachability search starts: at a node, or at the end of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Origin {
    Node(usize),
    Link(usize),
}

/// The nodes and links a search reached.
struct Reach {
    nodes: Vec<bool>,
    links: Vec<bool>,
}

/// Per link, its length along the polyline (if both end nodes exist and it is finite); per
/// node, the links leaving it (only the first link of a duplicated id).
fn link_geometry(
    net: &Network,
    nodes: &IdSet<'_>,
    links: &IdSet<'_>,
) -> (Vec<Option<f64>>, Vec<Vec<usize>>) {
    let mut out_links = vec![Vec::new(); net.nodes.len()];
    let link_len = net
        .links
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let from = nodes.map.get(l.from.as_str()).copied()?;
            let to = nodes.map.get(l.to.as_str()).copied()?;
            if links.map.get(l.id.as_str()) == Some(&i) {
                out_links[from].push(i);
            }
            let len = match l.shape.as_slice() {
                [first, inner @ .., last] if l.exact_ends => polyline_len(*first, inner, *last),
                _ => polyline_len(net.nodes[from].pos, &l.shape, net.nodes[to].pos),
            };
            len.is_finite().then_some(len)
        })
        .collect();
    (link_len, out_links)
}

/// Length of the polyline `from`, `shape...`, `to`, m.
pub fn polyline_len(from: (f64, f64), shape: &[(f64, f64)], to: (f64, f64)) -> f64 {
    let mut len = 0.0;
    let mut prev = from;
    for &p in shape.iter().chain(std::iter::once(&to)) {
        len += ((p.0 - prev.0).powi(2) + (p.1 - prev.1).powi(2)).sqrt();
        prev = p;
    }
    len
}

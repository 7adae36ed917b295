//! A SUMO `.net.xml` read line by line, independently of the importer, to check the importer
//! against: connections, internal lanes, edges; and the checks that the imported network has
//! SUMO's connections and paths through junctions.
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::Path;

use sangam_sim::road::RoadNetwork;
use sangam_sim::road::geometry::{Polyline, dist};
use sangam_sim::scenario::spec::Spec;

/// The value of attribute `key` on an XML line.
pub fn attr<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let start = line.find(&format!(" {key}=\""))? + key.len() + 3;
    line[start..].split('"').next()
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A `.net.xml` as the test reads it, line by line: connections between normal edges
/// (from, from lane, to, to lane, via), internal lanes' shapes, which internal lane follows
/// which, and each normal edge's (length, speed) of its first lane.
#[derive(Default)]
pub struct Sumo {
    pub connections: Vec<(String, u8, String, u8, Option<String>)>,
    /// Internal lanes: (shape, length, speed).
    pub internal: BTreeMap<String, (Vec<[f64; 2]>, f64, f64)>,
    pub next: BTreeMap<String, String>,
    pub edges: BTreeMap<String, (f64, f64)>,
}

fn points(shape: &str) -> Vec<[f64; 2]> {
    shape
        .split_whitespace()
        .map(|p| {
            let v: Vec<f64> = p.split(',').map(|c| c.parse().expect("number")).collect();
            [v[0], v[1]]
        })
        .collect()
}

pub fn census(xml: &str) -> Sumo {
    let mut s = Sumo::default();
    let mut edge: Option<String> = None;
    let lane = |l: &str, k: &str| attr(l, k).and_then(|v| v.parse().ok()).expect("lane index");
    for l in xml.lines().map(str::trim) {
        if l.starts_with("<edge ") {
            edge = attr(l, "id").map(str::to_string);
        } else if l.starts_with("<lane ")
            && let Some(e) = &edge
        {
            let id = attr(l, "id").expect("lane id").to_string();
            let num = |k| attr(l, k).and_then(|v| v.parse().ok()).expect(k);
            if e.starts_with(':') {
                let shape = points(attr(l, "shape").expect("shape"));
                s.internal.insert(id, (shape, num("length"), num("speed")));
            } else if attr(l, "index") == Some("0") {
                s.edges.insert(e.clone(), (num("length"), num("speed")));
            }
        } else if l.starts_with("<connection ") {
            let (from, to) = (attr(l, "from").expect("from"), attr(l, "to").expect("to"));
            let via = attr(l, "via").map(str::to_string);
            if let Some(inner) = from.strip_prefix(':') {
                if let Some(v) = via {
                    s.next.insert(
                        format!(":{inner}_{}", attr(l, "fromLane").expect("lane")),
                        v,
                    );
                }
            } else {
                let (a, b) = (lane(l, "fromLane"), lane(l, "toLane"));
                s.connections.push((from.into(), a, to.into(), b, via));
            }
        }
    }
    s
}

impl Sumo {
    /// The shape of a connection's internal lanes, one after the other.
    pub fn via<'a>(&'a self, mut lane: Option<&'a String>) -> Vec<[f64; 2]> {
        let mut out = Vec::new();
        while let Some(id) = lane {
            out.extend(self.internal[id].0.iter().copied());
            lane = self.next.get(id);
        }
        out
    }

    /// Free-flow time of a route, s, by SUMO's own lengths and speeds of its edges and of the
    /// internal lanes between them.
    pub fn time(&self, route: &[String]) -> f64 {
        let edges: f64 = route
            .iter()
            .map(|e| self.edges[e].0 / self.edges[e].1)
            .sum();
        let inner = route.windows(2).map(|w| {
            let c = self.connections.iter().find(|c| c.0 == w[0] && c.2 == w[1]);
            let mut lane = c.and_then(|c| c.4.as_ref());
            let mut t = 0.0;
            while let Some(id) = lane {
                t += self.internal[id].1 / self.internal[id].2;
                lane = self.next.get(id);
            }
            t
        });
        edges + inner.sum::<f64>()
    }
}

/// `netgenerate ARGS --seed 7 -o DIR/NAME.net.xml`; the network's path.
pub fn generate(dir: &Path, name: &str, args: &[&str]) -> std::path::PathBuf {
    let out = dir.join(format!("{name}.net.xml"));
    let mut all: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
    all.extend([OsStr::new("--seed"), OsStr::new("7"), OsStr::new("-o")]);
    all.push(out.as_os_str());
    super::run_sumo("netgenerate", &all);
    out
}

/// Every SUMO connection of the network `xml` is a connection of its link in `spec`, lane for
/// lane, and the vehicles' path through the junction from each connected lane runs along
/// SUMO's internal lanes (every point within 15 cm of them, and both ends on them).
pub fn same_connections(name: &str, xml: &str, spec: &Spec) {
    let sumo = census(xml);
    let mut ours: Vec<(String, u8, String, u8)> = Vec::new();
    for l in &spec.network.links {
        ours.extend(
            l.connections
                .iter()
                .map(|c| (l.id.clone(), c.lane, c.to.clone(), c.to_lane)),
        );
    }
    let mut theirs: Vec<_> = sumo
        .connections
        .iter()
        .map(|c| (c.0.clone(), c.1, c.2.clone(), c.3))
        .collect();
    ours.sort();
    theirs.sort();
    assert_eq!(ours, theirs, "{name}: connections");
    let built = RoadNetwork::build(spec);
    let mut checked = 0;
    for (from, lane, to, to_lane, via) in &sumo.connections {
        let (a, b) = (
            built.link(from).expect("link"),
            built.link(to).expect("link"),
        );
        let turn = built
            .turn(a, b, *to_lane)
            .expect("a path into every connected lane");
        if turn.from_lane != *lane || via.is_none() {
            continue; // Another connection's path leads into this lane.
        }
        let inner = Polyline::new(sumo.via(via.as_ref()));
        for p in turn.path.points() {
            let (s, _, _) = inner.project(*p);
            let off = dist(inner.at(s).0, *p);
            assert!(
                off < 0.15,
                "{name}: {from}_{lane} -> {to}_{to_lane}: {off:.3} m off"
            );
        }
        let (ends, path) = (inner.points(), turn.path.points());
        assert!(
            dist(ends[0], path[0]) < 0.15
                && dist(ends[ends.len() - 1], path[path.len() - 1]) < 0.15
        );
        checked += 1;
    }
    assert!(
        checked * 2 > sumo.connections.len(),
        "{name}: {checked} paths checked"
    );
}

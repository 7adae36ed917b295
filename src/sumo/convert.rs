//! A SUMO network as a sangam-sim road network: nodes at SUMO's junctions, a link per normal
//! edge (its lanes, their speed, the carriageway's left edge as the centreline), signal programs
//! from the static `tlLogic`s, right of way elsewhere from the junctions' `<request>` foe
//! matrices and the edges' priorities. What cannot be
//! carried over is said once per kind (docs/sumo-import.md).
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::net::{Connection, Edge, SumoNet, TlLogic};
use crate::road::elevation::Profile;
use crate::road::geometry::{P2, Polyline, dist};
use crate::scenario::spec::{
    Class, Control, GiveWay, Junction, Kind, LaneLink, Link, Network, Node, Phase, ReservedLane,
    SignalProgram,
};

/// The imported network and what the import could not carry over.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub network: Network,
    /// Junctions with a signal program (their ids).
    pub signalised: Vec<String>,
    /// One per kind of thing not read or approximated: the line of the first, and what.
    pub notes: Vec<super::Note>,
    /// How what was read is carried over where sangam-sim's model differs (said by `import`,
    /// not repeated as a warning on every load).
    pub remarks: Vec<super::Note>,
}

/// The centreline sangam-sim builds lanes from: the left edge of the carriageway (the
/// leftmost lane's shape moved half its width to the left).
fn centreline(e: &Edge) -> Option<Vec<P2>> {
    let left = e.lanes.iter().max_by_key(|l| l.index)?;
    let line = Polyline::new(left.shape.clone()).offset_right(-left.width / 2.0);
    Some(line.points().to_vec())
}

/// The height of each point of an edge's centreline: the leftmost lane's at the same fraction
/// of the way along (the centreline is that lane's shape moved sideways); none when it is flat.
fn heights(e: &Edge, centre: &[P2]) -> Vec<f64> {
    let Some(left) = e.lanes.iter().max_by_key(|l| l.index) else {
        return Vec::new();
    };
    let Some(profile) = Profile::along(&left.shape, &left.z, 0.0) else {
        return Vec::new();
    };
    let lane_len = Polyline::new(left.shape.clone()).length();
    let line = Polyline::new(centre.to_vec());
    let len = line.length().max(f64::EPSILON);
    let r = |z: f64| (z * 1000.0).round() / 1000.0;
    line.cumulative()
        .iter()
        .map(|s| r(profile.at(s / len * lane_len)))
        .collect()
}

/// The width of an edge's lanes, m: their mean, to the millimetre (netconvert gives all lanes
/// of an edge one width unless told otherwise).
fn lane_width(e: &Edge) -> f64 {
    let sum: f64 = e.lanes.iter().map(|l| l.width).sum();
    (sum / e.lanes.len().max(1) as f64 * 1000.0).round() / 1000.0
}

/// The lanes of an edge not open to every class, with the kinds (by their own classes) and
/// further classes they are open to.
fn reserved(e: &Edge) -> Vec<ReservedLane> {
    let lo = lowest(e);
    e.lanes
        .iter()
        .filter(|l| l.open != Class::EVERY && l.index - lo < 8)
        .map(|l| {
            let kinds: Vec<Kind> = Kind::ALL
                .into_iter()
                .filter(|k| l.open & Class::of_kind(*k).bit() != 0)
                .collect();
            let classes = Class::ALL
                .into_iter()
                .filter(|c| l.open & c.bit() != 0)
                .filter(|c| !kinds.iter().any(|k| Class::of_kind(*k) == *c))
                .collect();
            ReservedLane {
                lane: l.index - lo,
                kinds,
                classes,
            }
        })
        .collect()
}

/// The lowest lane index of an edge as imported (kerb lanes closed to cars are cut off, so
/// sangam-sim's lane 0 is SUMO's lane `lowest`).
fn lowest(e: &Edge) -> u8 {
    e.lanes.iter().map(|l| l.index).min().unwrap_or(0)
}

/// An edge's connections as lane-to-lane connections of its link, each with the path of its
/// internal lanes. Connections from or to lanes left out (kerb lanes, lanes past the eighth)
/// are left out too.
fn lane_links(net: &SumoNet, edges: &BTreeMap<&str, &Edge>, cs: &[&Connection]) -> Vec<LaneLink> {
    cs.iter()
        .filter_map(|c| {
            let (a, b) = (edges.get(c.from.as_str())?, edges.get(c.to.as_str())?);
            let lane = c.from_lane.checked_sub(lowest(a)).filter(|l| *l < 8)?;
            let to_lane = c.to_lane.checked_sub(lowest(b)).filter(|l| *l < 8)?;
            let has = |e: &Edge, i| e.lanes.iter().any(|l| l.index == i);
            (has(a, c.from_lane) && has(b, c.to_lane)).then(|| LaneLink {
                lane,
                to: c.to.clone(),
                to_lane,
                via: via_path(net, c.via.as_deref()),
            })
        })
        .collect()
}

/// Most internal lanes one connection runs through (SUMO uses two for a turn that waits
/// half-way; the bound stops a malformed file's loop).
const MAX_INTERNAL: usize = 4;

/// The shape of a connection's internal lanes, one after another, rounded to the centimetre.
fn via_path<'a>(net: &'a SumoNet, mut via: Option<&'a str>) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = Vec::new();
    for _ in 0..MAX_INTERNAL {
        let Some(shape) = via.and_then(|v| net.internal.get(v)) else {
            break;
        };
        let r = |x: f64| (x * 100.0).round() / 100.0;
        for p in shape {
            let p = (r(p[0]), r(p[1]));
            if pts.last() != Some(&p) {
                pts.push(p);
            }
        }
        via = via.and_then(|v| net.inner_via.get(v)).map(String::as_str);
    }
    pts.truncate(crate::scenario::validate::MAX_VIA_POINTS);
    pts
}

/// Convert, checking every reference; every broken one is an error (line, message).
pub fn to_network(full: SumoNet) -> Result<Imported, Vec<(usize, String)>> {
    let mut errors = {
        let junctions: BTreeMap<&str, &super::net::Junction> =
            full.junctions.iter().map(|j| (j.id.as_str(), j)).collect();
        let all: BTreeMap<&str, &Edge> = full.edges.iter().map(|e| (e.id.as_str(), e)).collect();
        check_references(&full, &junctions, &all)
    };
    let (net, car_notes) = for_cars(full);
    let net = &net;
    let junctions: BTreeMap<&str, &super::net::Junction> =
        net.junctions.iter().map(|j| (j.id.as_str(), j)).collect();
    let edges: BTreeMap<&str, &Edge> = net.edges.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut links = Vec::new();
    let mut radius: BTreeMap<&str, f64> = BTreeMap::new();
    let mut out_of: BTreeMap<&str, Vec<&Connection>> = BTreeMap::new();
    for c in &net.connections {
        out_of.entry(c.from.as_str()).or_default().push(c);
    }
    for e in &net.edges {
        let Some(shape) = centreline(e) else {
            errors.push((e.line, format!("edge `{}` has no lanes", e.id)));
            continue;
        };
        for (node, end) in [(&e.from, shape[0]), (&e.to, shape[shape.len() - 1])] {
            if let Some(j) = junctions.get(node.as_str()) {
                let r = radius.entry(j.id.as_str()).or_insert(f64::INFINITY);
                *r = r.min(dist(j.pos, end));
            }
        }
        let speed = e.lanes.iter().map(|l| l.speed).fold(0.0, f64::max);
        let connections = out_of
            .get(e.id.as_str())
            .map_or_else(Vec::new, |cs| lane_links(net, &edges, cs));
        links.push(Link {
            id: e.id.clone(),
            from: e.from.clone(),
            to: e.to.clone(),
            lanes: e.lanes.len().min(8) as u8,
            speed_limit_kmh: speed * 3.6,
            shape: shape.iter().map(|p| (p[0], p[1])).collect(),
            heights: heights(e, &shape),
            name: e.name.clone(),
            exact_ends: true,
            lane_width: Some(lane_width(e)),
            connections: connections.clone(),
            dead_end: connections.is_empty(),
            reserved: reserved(e),
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let nodes = net
        .junctions
        .iter()
        .map(|j| Node {
            id: j.id.clone(),
            pos: (j.pos[0], j.pos[1]),
            radius: radius
                .get(j.id.as_str())
                .copied()
                .filter(|r| r.is_finite())
                .map_or(0.0, |r| {
                    r.min(crate::scenario::validate::MAX_JUNCTION_RADIUS_M)
                }),
            z: j.z,
        })
        .collect();
    let (controls, signalised, mut notes) = controls(net, &edges);
    notes.extend(car_notes);
    notes.extend(ignored_notes(net));
    Ok(Imported {
        network: Network {
            nodes,
            links,
            junctions: controls,
            ..Network::default()
        },
        signalised,
        notes,
        remarks: remarks(net),
    })
}

/// The network as cars see it: edges with at least one lane open to passenger cars, each with
/// its lanes from the rightmost to the leftmost lane open to a car, bus or truck (sidewalks and
/// bike lanes at the kerb left out; bus lanes kept, reserved), and the connections between such
/// edges. Footways, cycleways, rail and bus-only edges are left out with a note, as are the
/// lanes cut off.
fn for_cars(mut net: SumoNet) -> (SumoNet, Vec<super::Note>) {
    // (count, line of the first) of the edges and lanes left out.
    let (mut edges_out, mut lanes_out) = ((0, 0), (0, 0));
    let first = |seen: (usize, usize), line| if seen.0 == 0 { line } else { seen.1 };
    net.edges.retain_mut(|e| {
        let road = e.lanes.iter().filter(|l| l.open != 0).map(|l| l.index);
        let (Some(lo), Some(hi)) = (road.clone().min(), road.max()) else {
            edges_out = (edges_out.0 + 1, first(edges_out, e.line));
            return false;
        };
        if !e.lanes.iter().any(|l| l.open & Class::Passenger.bit() != 0) {
            edges_out = (edges_out.0 + 1, first(edges_out, e.line));
            return false;
        }
        let before = e.lanes.len();
        e.lanes.retain(|l| (lo..=hi).contains(&l.index));
        if e.lanes.len() < before {
            lanes_out = (
                lanes_out.0 + before - e.lanes.len(),
                first(lanes_out, e.line),
            );
        }
        true
    });
    let kept: BTreeSet<String> = net.edges.iter().map(|e| e.id.clone()).collect();
    net.connections
        .retain(|c| kept.contains(c.from.as_str()) && kept.contains(c.to.as_str()));
    let out = net;
    let mut notes = Vec::new();
    if edges_out.0 > 0 {
        notes.push((edges_out.1, format!("{} edge(s) closed to passenger cars (footways, cycleways, rail, bus-only; `allow`/`disallow`) left out: sangam-sim's road users are cars, buses and trucks", edges_out.0)));
    }
    if lanes_out.0 > 0 {
        notes.push((lanes_out.1, format!("{} lane(s) closed to cars, buses and trucks at the edge of a carriageway (sidewalks, bike lanes) left out", lanes_out.0)));
    }
    (out, notes)
}

/// Edges between junctions that exist, connections between lanes that exist, programs for
/// traffic lights that exist.
fn check_references(
    net: &SumoNet,
    junctions: &BTreeMap<&str, &super::net::Junction>,
    edges: &BTreeMap<&str, &Edge>,
) -> Vec<(usize, String)> {
    let mut errors = Vec::new();
    for e in &net.edges {
        for (end, j) in [("from", &e.from), ("to", &e.to)] {
            if !junctions.contains_key(j.as_str()) {
                errors.push((
                    e.line,
                    format!(
                        "edge `{}`: its {end} junction `{j}` is not in the network",
                        e.id
                    ),
                ));
            }
        }
    }
    let tls: BTreeSet<&str> = net.tls.iter().map(|t| t.id.as_str()).collect();
    for c in &net.connections {
        for (end, id, lane) in [("from", &c.from, c.from_lane), ("to", &c.to, c.to_lane)] {
            match edges.get(id.as_str()) {
                None => errors.push((
                    c.line,
                    format!("connection {end} edge `{id}`, which is not in the network"),
                )),
                Some(e) if !e.lanes.iter().any(|l| l.index == lane) => errors.push((
                    c.line,
                    format!(
                        "connection {end} lane {lane} of `{id}`, which has {} lane(s)",
                        e.lanes.len()
                    ),
                )),
                Some(_) => {}
            }
        }
        if let Some((t, _)) = &c.tl
            && !tls.contains(t.as_str())
        {
            errors.push((
                c.line,
                format!("connection controlled by traffic light `{t}`, which has no program"),
            ));
        }
    }
    errors
}

/// Junction controls: signal programs for traffic lights, major roads for priority junctions;
/// other kinds are left uncontrolled, with a note.
fn controls(
    net: &SumoNet,
    edges: &BTreeMap<&str, &Edge>,
) -> (Vec<Junction>, Vec<String>, Vec<super::Note>) {
    let programs: BTreeMap<&str, &TlLogic> = net.tls.iter().map(|t| (t.id.as_str(), t)).collect();
    // Grouped once: scanning every connection per light, or every edge per junction, is
    // quadratic in the network's size. Turnarounds are left out: sangam-sim has no U-turns.
    let mut links_of: BTreeMap<&str, Movements> = BTreeMap::new();
    for c in net.connections.iter().filter(|c| c.dir != "t") {
        if let Some((tl, i)) = &c.tl {
            links_of
                .entry(tl.as_str())
                .or_default()
                .entry(*i)
                .or_default()
                .push((c.from.as_str(), c.to.as_str()));
        }
    }
    let mut incoming: BTreeMap<&str, Vec<&Edge>> = BTreeMap::new();
    for e in &net.edges {
        incoming.entry(e.to.as_str()).or_default().push(e);
    }
    // Roundabout junctions: the ring edges coming in are the major road.
    let mut ring_at: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for r in &net.roundabouts {
        let ring: BTreeSet<&str> = r.edges.iter().map(String::as_str).collect();
        for n in &r.nodes {
            ring_at
                .entry(n.as_str())
                .or_default()
                .extend(ring.iter().copied());
        }
    }
    // Each link of a junction is the connection running on its internal lane.
    let by_via: HashMap<&str, JLink> = net
        .connections
        .iter()
        .filter(|c| c.dir != "t")
        .filter_map(|c| {
            let stop = matches!(c.state.as_str(), "s" | "w");
            Some((c.via.as_deref()?, (c.from.as_str(), c.to.as_str(), stop)))
        })
        .collect();
    let none = BTreeMap::new();
    let mut out = Vec::new();
    let mut signalised = Vec::new();
    let mut other: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for j in &net.junctions {
        let control = match j.kind.as_str() {
            "traffic_light" | "traffic_light_right_on_red" => programs
                .get(j.id.as_str())
                .map(|t| Control::Signal(program(links_of.get(j.id.as_str()).unwrap_or(&none), t))),
            k if GIVE_WAY_KINDS.contains(&k) => {
                let into = incoming.get(j.id.as_str()).map_or(&[][..], Vec::as_slice);
                let major = match ring_at.get(j.id.as_str()) {
                    Some(ring) => into
                        .iter()
                        .filter(|e| ring.contains(e.id.as_str()))
                        .map(|e| e.id.clone())
                        .collect(),
                    None => major_road(into, edges),
                };
                if k == "allway_stop" || k == "zipper" {
                    let e = other.entry(k).or_insert((0, j.line));
                    e.0 += 1;
                }
                let yields = give_ways(j, &by_via);
                (!major.is_empty() || !yields.is_empty())
                    .then_some(Control::Priority { major, yields })
            }
            "dead_end" => None,
            k => {
                let e = other.entry(k).or_insert((0, j.line));
                e.0 += 1;
                None
            }
        };
        if let Some(control) = control {
            if matches!(control, Control::Signal(_)) {
                signalised.push(j.id.clone());
            }
            out.push(Junction {
                id: j.id.clone(),
                node: j.id.clone(),
                control,
                name: String::new(),
            });
        }
    }
    let notes = other
        .into_iter()
        .map(|(k, (n, line))| {
            (
                line,
                format!("{n} junction(s) of type `{k}` {}", approximation(k)),
            )
        })
        .collect();
    (out, signalised, notes)
}

/// How a junction of SUMO type `kind` is read, where not as SUMO has it.
fn approximation(kind: &str) -> &'static str {
    if kind == "allway_stop" {
        "read by SUMO's foe matrix with a stop at every line: of drivers who stopped, a tie goes to the lower vehicle index, not to who stopped first"
    } else if kind == "zipper" {
        "read as give-way junctions by SUMO's foe matrix (a tie goes to the lower vehicle index): merging in turn is not modelled"
    } else {
        "read as uncontrolled: only traffic lights and junctions with a foe matrix (priority, stop, right-before-left, zipper) are modelled"
    }
}

/// The movements (from edge, to edge) behind each link index of a light.
type Movements<'a> = BTreeMap<usize, Vec<(&'a str, &'a str)>>;

/// A static program: each SUMO phase that gives green (`G` or `g`) and shows no yellow is a
/// phase; yellow phases set the amber time and all-red phases the all-red time (the longest of
/// each).
/// Within a green phase, an edge whose every movement has green is a `green` link, else its
/// `G` movements are protected `turns`; `g` movements (and no `G` for the same edge pair) are
/// `permissive`.
fn program(by_index: &Movements, t: &TlLogic) -> SignalProgram {
    let (mut phases, mut amber, mut all_red) = (Vec::new(), 0.0f64, 0.0f64);
    for p in &t.phases {
        // A phase showing yellow anywhere is a change interval, even where a movement green
        // on both sides of it (a free right turn) keeps its `G`.
        if p.state.contains(['y', 'Y']) {
            amber = amber.max(p.duration);
        } else if p.state.contains(['G', 'g']) {
            phases.push(phase(by_index, &p.state, p.duration));
        } else {
            all_red = all_red.max(p.duration);
        }
    }
    SignalProgram {
        offset: t.offset,
        amber: if amber > 0.0 { amber } else { 3.0 },
        all_red,
        phases,
    }
}

/// One green phase from its SUMO state string.
fn phase(by_index: &Movements, state: &str, duration: f64) -> Phase {
    // Per movement: protected (some `G`), else permissive (some `g`), else red.
    let mut signal: BTreeMap<(&str, &str), char> = BTreeMap::new();
    for (i, s) in state.chars().enumerate() {
        for &turn in by_index.get(&i).into_iter().flatten() {
            let best = signal.entry(turn).or_insert('r');
            if s == 'G' || (s == 'g' && *best != 'G') {
                *best = s;
            }
        }
    }
    let mut by_edge: BTreeMap<&str, Vec<(&str, char)>> = BTreeMap::new();
    for (&(from, to), &s) in &signal {
        by_edge.entry(from).or_default().push((to, s));
    }
    let mut out = Phase {
        duration,
        ..Phase::default()
    };
    let pair = |from: &str, to: &str| (from.to_string(), to.to_string());
    for (from, turns) in by_edge {
        let whole = turns.iter().all(|(_, s)| *s != 'r');
        if whole {
            out.green.push(from.to_string());
        }
        for (to, s) in turns {
            match s {
                'g' => out.permissive.push(pair(from, to)),
                'G' if !whole => out.turns.push(pair(from, to)),
                _ => {}
            }
        }
    }
    out
}

/// SUMO junction types whose right of way is its `<request>` foe matrix (at stop signs, after a
/// stop at the line).
const GIVE_WAY_KINDS: [&str; 6] = [
    "priority",
    "priority_stop",
    "right_before_left",
    "left_before_right",
    "allway_stop",
    "zipper",
];

/// The main road of a junction: the incoming edges of the highest priority, when not all are
/// equal.
fn major_road(incoming: &[&Edge], edges: &BTreeMap<&str, &Edge>) -> Vec<String> {
    let Some(top) = incoming.iter().map(|e| e.priority).max() else {
        return Vec::new();
    };
    if incoming.iter().all(|e| e.priority == top) {
        return Vec::new();
    }
    incoming
        .iter()
        .filter(|e| e.priority == top && edges.contains_key(e.id.as_str()))
        .map(|e| e.id.clone())
        .collect()
}

/// A junction link: the movement (from edge, to edge) on it, and whether it has a stop sign.
type JLink<'a> = (&'a str, &'a str, bool);

/// The junction's foe matrix by movement: link `i` is the connection on internal lane
/// `intLanes[i]`, and its `response` has bit `k` (from the right) set when it gives way to link
/// `k`. Lanes of one movement pool their foes; foes on the same incoming edge are left to car
/// following, turnarounds and links not driven by cars (crossings) left out. Movements with a
/// stop sign (state `s` or `w`) are listed even without foes. Empty without internal lanes (a
/// network built with `--no-internal-links`).
fn give_ways(j: &super::net::Junction, by_via: &HashMap<&str, JLink>) -> Vec<GiveWay> {
    let links: Vec<Option<JLink>> = j
        .int_lanes
        .iter()
        .map(|l| by_via.get(l.as_str()).copied())
        .collect();
    type Movement<'a> = (&'a str, &'a str);
    let mut table: BTreeMap<Movement, (bool, BTreeSet<Movement>)> = BTreeMap::new();
    for &(from, to, stop) in links.iter().flatten().filter(|l| l.2) {
        table.entry((from, to)).or_default().0 = stop;
    }
    for (&i, response) in &j.responses {
        let Some(Some(mine)) = links.get(i) else {
            continue;
        };
        let foes = response
            .bytes()
            .rev()
            .enumerate()
            .filter(|(_, b)| *b == b'1');
        for (k, _) in foes {
            if let Some(Some(foe)) = links.get(k)
                && foe.0 != mine.0
            {
                let entry = table.entry((mine.0, mine.1)).or_default();
                entry.1.insert((foe.0, foe.1));
            }
        }
    }
    let pair = |(a, b): Movement| (a.to_string(), b.to_string());
    table
        .into_iter()
        .map(|(m, (stop, to))| GiveWay {
            movement: pair(m),
            to: to.into_iter().map(pair).collect(),
            stop,
        })
        .collect()
}

/// One note per kind of element not read.
fn ignored_notes(net: &SumoNet) -> Vec<super::Note> {
    net.ignored
        .iter()
        .map(|(k, (n, line))| {
            (
                *line,
                format!("{n} `<{k}>` element(s) ignored: not read yet"),
            )
        })
        .collect()
}

/// How connections are carried over.
fn remarks(net: &SumoNet) -> Vec<super::Note> {
    let mut notes = Vec::new();
    if let Some(first) = net.connections.first() {
        notes.push((first.line, format!(
            "{} `<connection>` elements read: lanes through junctions follow them, along their internal lanes' shapes; right of way at junctions without lights is SUMO's `<request>` foe matrix, movement by movement (with a stop at the line where the link's `state` is a stop sign), at lights the signal program with sangam-sim's own conflict areas",
            net.connections.len()
        )));
    }
    notes
}

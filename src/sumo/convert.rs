//! A SUMO network as a sangam-sim road network: nodes at SUMO's junctions, a link per normal
//! edge (its lanes, their speed, the carriageway's left edge as the centreline), signal programs
//! from the static `tlLogic`s, priority junctions from the edges' priorities. What cannot be
//! carried over is said once per kind (docs/sumo-import.md).
use std::collections::{BTreeMap, BTreeSet};

use super::net::{Edge, SumoNet, TlLogic};
use crate::road::geometry::{P2, Polyline, dist};
use crate::scenario::spec::{Control, Junction, Link, Network, Node, Phase, SignalProgram};

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

/// Convert, checking every reference; every broken one is an error (line, message).
pub fn to_network(net: &SumoNet) -> Result<Imported, Vec<(usize, String)>> {
    let junctions: BTreeMap<&str, &super::net::Junction> =
        net.junctions.iter().map(|j| (j.id.as_str(), j)).collect();
    let edges: BTreeMap<&str, &Edge> = net.edges.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut errors = check_references(net, &junctions, &edges);
    let mut links = Vec::new();
    let mut radius: BTreeMap<&str, f64> = BTreeMap::new();
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
        links.push(Link {
            id: e.id.clone(),
            from: e.from.clone(),
            to: e.to.clone(),
            lanes: e.lanes.len().min(8) as u8,
            speed_limit_kmh: speed * 3.6,
            shape: shape.iter().map(|p| (p[0], p[1])).collect(),
            name: e.name.clone(),
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
                .unwrap_or(0.0),
        })
        .collect();
    let (controls, signalised, mut notes) = controls(net, &edges);
    notes.extend(ignored_notes(net));
    Ok(Imported {
        network: Network {
            nodes,
            links,
            junctions: controls,
        },
        signalised,
        notes,
        remarks: remarks(net),
    })
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
    // quadratic in the network's size.
    let mut links_of: BTreeMap<&str, BTreeMap<usize, &str>> = BTreeMap::new();
    for c in &net.connections {
        if let Some((tl, i)) = &c.tl {
            links_of
                .entry(tl.as_str())
                .or_default()
                .insert(*i, c.from.as_str());
        }
    }
    let mut incoming: BTreeMap<&str, Vec<&Edge>> = BTreeMap::new();
    for e in &net.edges {
        incoming.entry(e.to.as_str()).or_default().push(e);
    }
    let none = BTreeMap::new();
    let mut out = Vec::new();
    let mut signalised = Vec::new();
    let mut other: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for j in &net.junctions {
        let control = match j.kind.as_str() {
            "traffic_light" | "traffic_light_right_on_red" => programs
                .get(j.id.as_str())
                .map(|t| Control::Signal(program(links_of.get(j.id.as_str()).unwrap_or(&none), t))),
            "priority" | "priority_stop" => priority(
                incoming.get(j.id.as_str()).map_or(&[], Vec::as_slice),
                edges,
            ),
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
            (line, format!("{n} junction(s) of type `{k}` read as uncontrolled: only traffic lights and priority junctions are modelled"))
        })
        .collect();
    (out, signalised, notes)
}

/// A static program: each SUMO phase that gives green (`G` or `g`) to some link is a phase
/// whose green links are the edges those links come from; yellow phases set the amber time
/// and all-red phases the all-red time (the longest of each).
/// `by_index`: the edge each of the light's link indices comes from.
fn program(by_index: &BTreeMap<usize, &str>, t: &TlLogic) -> SignalProgram {
    let (mut phases, mut amber, mut all_red) = (Vec::new(), 0.0f64, 0.0f64);
    for p in &t.phases {
        let green: BTreeSet<&str> = p
            .state
            .chars()
            .enumerate()
            .filter(|(_, s)| matches!(s, 'G' | 'g'))
            .filter_map(|(i, _)| by_index.get(&i).copied())
            .collect();
        if !green.is_empty() {
            phases.push(Phase {
                green: green.into_iter().map(str::to_string).collect(),
                duration: p.duration,
            });
        } else if p.state.contains(['y', 'Y']) {
            amber = amber.max(p.duration);
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

/// A priority junction: the incoming edges of the highest priority are the major road.
fn priority(incoming: &[&Edge], edges: &BTreeMap<&str, &Edge>) -> Option<Control> {
    let top = incoming.iter().map(|e| e.priority).max()?;
    if incoming.iter().all(|e| e.priority == top) {
        return None;
    }
    let major = incoming
        .iter()
        .filter(|e| e.priority == top && edges.contains_key(e.id.as_str()))
        .map(|e| e.id.clone())
        .collect();
    Some(Control::Priority { major })
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
            "{} `<connection>` elements read for signal programs only: lanes through junctions follow sangam-sim's own lane rules (docs/traffic-models.md)",
            net.connections.len()
        )));
    }
    notes
}

//! Reading a SUMO network (`.net.xml`, as `netconvert` and `netgenerate` write it) into plain
//! data: edges with their lanes, junctions, connections and static traffic-light programs.
//! Everything else the file holds is counted per element name, so the importer can say what it
//! did not read. Errors carry the line and column of the element (docs/sumo-import.md).
use std::collections::BTreeMap;

use super::xml::{Element, Visit, walk};
pub use super::xml::{NetError, line_col};

/// A lane of an edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    pub index: u8,
    /// m/s.
    pub speed: f64,
    /// m (SUMO's default lane width is 3.2).
    pub width: f64,
    pub shape: Vec<[f64; 2]>,
    /// Open to passenger cars (SUMO's `allow` / `disallow`; all classes when neither is given).
    pub cars: bool,
}

/// A normal (non-internal) edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub id: String,
    pub from: String,
    pub to: String,
    pub priority: i32,
    pub name: String,
    pub lanes: Vec<Lane>,
    /// Line of the element, for messages.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Junction {
    pub id: String,
    /// SUMO's type: `traffic_light`, `priority`, `right_before_left`, `dead_end`, ...
    pub kind: String,
    pub pos: [f64; 2],
    pub line: usize,
}

/// A connection between lanes of two normal edges.
#[derive(Debug, Clone, PartialEq)]
pub struct Connection {
    pub from: String,
    pub to: String,
    pub from_lane: u8,
    pub to_lane: u8,
    /// Traffic light controlling it and its index in the program's state strings.
    pub tl: Option<(String, usize)>,
    /// SUMO's direction: `s`, `r`, `l`, `t` (turnaround), `R`/`L` (partial), `invalid`.
    pub dir: String,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TlPhase {
    pub duration: f64,
    /// One signal per controlled link: `G`, `g`, `y`, `r`, ...
    pub state: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TlLogic {
    pub id: String,
    pub offset: f64,
    pub phases: Vec<TlPhase>,
    pub line: usize,
}

/// A SUMO network as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SumoNet {
    pub edges: Vec<Edge>,
    pub junctions: Vec<Junction>,
    pub connections: Vec<Connection>,
    pub tls: Vec<TlLogic>,
    /// Elements not read, by name: (count, line of the first).
    pub ignored: BTreeMap<String, (usize, usize)>,
    /// Roundabouts: the ring's junctions and edges.
    pub roundabouts: Vec<Roundabout>,
    /// Lanes whose shape has a height (x,y,z with z ≠ 0): (count, line of the first).
    pub elevated: (usize, usize),
}

/// A roundabout (`<roundabout nodes edges>`): traffic on the ring has the right of way over
/// traffic entering it, whatever the roads' priorities (SUMO's roundabout junction logic).
#[derive(Debug, Clone, PartialEq)]
pub struct Roundabout {
    pub nodes: Vec<String>,
    pub edges: Vec<String>,
}

/// Read a network from the text of a `.net.xml` file: every error in one pass.
pub fn parse(text: &str) -> Result<SumoNet, Vec<NetError>> {
    let mut st = State::default();
    let errors = walk(text, &mut st);
    if errors.is_empty() {
        Ok(st.net)
    } else {
        Err(errors)
    }
}

/// The reader's state between elements.
#[derive(Default)]
struct State {
    net: SumoNet,
    edge: Option<Edge>,
    tl: Option<TlLogic>,
}

impl Visit for State {
    fn open(&mut self, el: &mut Element, _opens: bool) -> bool {
        read_element(el, &mut self.net, &mut self.edge, &mut self.tl);
        match el.name.as_str() {
            // An internal edge's lanes (the paths through a junction) are not read.
            "edge" => self.edge.is_some(),
            name => matches!(name, "net" | "tlLogic" | "junction"),
        }
    }

    fn close(&mut self, name: &[u8]) {
        match name {
            b"edge" => self.net.edges.extend(self.edge.take()),
            b"tlLogic" => self.net.tls.extend(self.tl.take()),
            _ => {}
        }
    }
}

/// Take in one element of the network (or count it as not read).
fn read_element(
    el: &mut Element,
    net: &mut SumoNet,
    edge: &mut Option<Edge>,
    tl: &mut Option<TlLogic>,
) {
    match el.name.as_str() {
        "net" => {}
        "edge" => *edge = read_edge(el, net),
        "lane" if edge.is_some() => {
            if el.opt("shape").is_some_and(has_height) {
                let first = if net.elevated.0 == 0 {
                    el.at.0
                } else {
                    net.elevated.1
                };
                net.elevated = (net.elevated.0 + 1, first);
            }
            if let (Some(e), Some(l)) = (edge.as_mut(), read_lane(el)) {
                e.lanes.push(l);
            }
        }
        "lane" => {}
        "junction" => {
            let kind = el.opt("type").unwrap_or("priority").to_string();
            if kind != "internal"
                && let (Some(id), Some(x), Some(y)) =
                    (el.get("id"), el.num("x", None), el.num("y", None))
            {
                net.junctions.push(Junction {
                    id,
                    kind,
                    pos: [x, y],
                    line: el.at.0,
                });
            }
        }
        "connection" => read_connection(el, net),
        "tlLogic" => {
            *tl = match (el.get("id"), el.num("offset", Some(0.0))) {
                (Some(id), Some(offset)) => Some(TlLogic {
                    id,
                    offset,
                    phases: Vec::new(),
                    line: el.at.0,
                }),
                _ => None,
            };
        }
        "phase" => {
            if let (Some(t), Some(d), Some(s)) =
                (tl.as_mut(), el.num("duration", None), el.get("state"))
            {
                t.phases.push(TlPhase {
                    duration: d,
                    state: s,
                });
            }
        }
        "roundabout" => {
            if let (Some(nodes), Some(edges)) = (el.get("nodes"), el.get("edges")) {
                let list = |s: String| s.split_whitespace().map(str::to_string).collect();
                net.roundabouts.push(Roundabout {
                    nodes: list(nodes),
                    edges: list(edges),
                });
            }
        }
        // Parts of elements read above, or of the junction logic we derive ourselves.
        "request" | "location" | "param" | "neigh" => {}
        other => {
            let e = net.ignored.entry(other.to_string()).or_insert((0, el.at.0));
            e.0 += 1;
        }
    }
}

/// A normal edge (internal edges, the paths through junctions, are derived by the importer).
fn read_edge(el: &mut Element, net: &mut SumoNet) -> Option<Edge> {
    if el.opt("function").is_some_and(|f| f == "internal") {
        return None;
    }
    if let Some(f) = el.opt("function").filter(|f| *f != "normal") {
        let e = net
            .ignored
            .entry(format!("edge function=\"{f}\""))
            .or_insert((0, el.at.0));
        e.0 += 1;
        return None;
    }
    Some(Edge {
        id: el.get("id")?,
        from: el.get("from")?,
        to: el.get("to")?,
        priority: el.num("priority", Some(-1))?,
        name: el.opt("name").unwrap_or_default().to_string(),
        lanes: Vec::new(),
        line: el.at.0,
    })
}

fn read_lane(el: &mut Element) -> Option<Lane> {
    let index = el.num("index", None);
    let speed = el.num("speed", None);
    let width = el.num("width", Some(3.2));
    let shape = el.shape("shape");
    let cars = opens_to_cars(el.opt("allow"), el.opt("disallow"));
    Some(Lane {
        index: index?,
        speed: speed?,
        width: width?,
        shape: shape?,
        cars,
    })
}

/// Does a shape have a point with a height other than 0 (`x,y,z`)?
fn has_height(shape: &str) -> bool {
    shape
        .split_whitespace()
        .filter_map(|p| p.split(',').nth(2))
        .any(|z| z.parse::<f64>().is_ok_and(|z| z != 0.0))
}

/// Does a lane with these `allow` / `disallow` lists (SUMO vehicle classes, space-separated;
/// `all` for every class) let passenger cars through? SUMO: with neither, every class may.
fn opens_to_cars(allow: Option<&str>, disallow: Option<&str>) -> bool {
    let has = |list: &str| {
        list.split_whitespace()
            .any(|c| matches!(c, "all" | "passenger" | "private"))
    };
    match (allow, disallow) {
        (Some(a), _) => has(a),
        (None, Some(d)) => !has(d),
        (None, None) => true,
    }
}

fn read_connection(el: &mut Element, net: &mut SumoNet) {
    // Connections out of internal lanes (`from=":J_0"`) are the junction's inner wiring.
    if el.opt("from").is_some_and(|f| f.starts_with(':')) {
        return;
    }
    let (from, to) = (el.get("from"), el.get("to"));
    let (fl, tl) = (el.num("fromLane", None), el.num("toLane", None));
    let tl_ref = match (el.opt("tl").map(str::to_string), el.opt("linkIndex")) {
        (Some(t), Some(_)) => el.num::<usize>("linkIndex", None).map(|i| (t, i)),
        _ => None,
    };
    if let (Some(from), Some(to), Some(from_lane), Some(to_lane)) = (from, to, fl, tl) {
        net.connections.push(Connection {
            from,
            to,
            from_lane,
            to_lane,
            tl: tl_ref,
            dir: el.opt("dir").unwrap_or_default().to_string(),
            line: el.at.0,
        });
    }
}

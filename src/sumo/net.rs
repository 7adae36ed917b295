//! Reading a SUMO network (`.net.xml`, as `netconvert` and `netgenerate` write it) into plain
//! data: edges with their lanes, junctions, connections and static traffic-light programs.
//! Everything else the file holds is counted per element name, so the importer can say what it
//! did not read. Errors carry the line and column of the element (docs/sumo-import.md).
use std::collections::{BTreeMap, HashMap};

use super::xml::{Element, Visit, walk};
pub use super::xml::{NetError, line_col};
use crate::scenario::spec::Class;

/// A lane of an edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    pub index: u8,
    /// m/s.
    pub speed: f64,
    /// m (SUMO's default lane width is 3.2).
    pub width: f64,
    pub shape: Vec<[f64; 2]>,
    /// Height of each shape point, m (SUMO's `x,y,z`); empty when the lane is flat.
    pub z: Vec<f64>,
    /// The road vehicle classes it is open to ([`Class::bit`]s; SUMO's `allow` / `disallow`;
    /// all classes when neither is given). 0 for a sidewalk, a bike lane or a track.
    pub open: u32,
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
    /// Height, m (`z`; 0 when not given).
    pub z: f64,
    /// The lanes coming in (`incLanes`) and the internal lanes through it (`intLanes`), the
    /// latter one per link, in link-index order.
    pub inc_lanes: Vec<String>,
    pub int_lanes: Vec<String>,
    /// Each link's `response` (by `<request index>`): bit `j` from the right set when the link
    /// gives way to link `j`.
    pub responses: BTreeMap<usize, String>,
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
    /// The internal lane it runs on through the junction (`via`), if any.
    pub via: Option<String>,
    /// SUMO's link state (`state`): `M` major, `m` minor, `s` stop sign, `w` all-way stop,
    /// `=` equal, `o` off, ...; empty when not given.
    pub state: String,
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
    /// Shapes of internal lanes (the paths through junctions), by lane id (`:J_0_0`).
    pub internal: HashMap<String, Vec<[f64; 2]>>,
    /// The internal lane that follows an internal lane (a left turn waits half-way on a
    /// second one): from lane id to the next lane's id.
    pub inner_via: HashMap<String, String>,
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
    /// Inside an internal edge: only its lanes' shapes are read.
    internal: bool,
    tl: Option<TlLogic>,
    /// Inside a (non-internal) junction: its `<request>`s are read.
    junction: bool,
}

impl Visit for State {
    fn open(&mut self, el: &mut Element, _opens: bool) -> bool {
        if self.internal {
            read_internal_lane(el, &mut self.net);
            return false;
        }
        if self.junction && el.name == "request" {
            read_request(el, &mut self.net);
            return false;
        }
        let junctions = self.net.junctions.len();
        read_element(el, &mut self.net, &mut self.edge, &mut self.tl);
        match el.name.as_str() {
            "edge" => {
                self.internal = el.opt("function") == Some("internal");
                self.edge.is_some() || self.internal
            }
            // A junction's `<request>`s (its foe matrix) are read; an internal junction's,
            // the second half of a left turn's wait, are not.
            "junction" => {
                self.junction = self.net.junctions.len() > junctions;
                self.junction
            }
            name => matches!(name, "net" | "tlLogic"),
        }
    }

    fn close(&mut self, name: &[u8]) {
        match name {
            b"edge" => {
                self.internal = false;
                self.net.edges.extend(self.edge.take());
            }
            b"tlLogic" => self.net.tls.extend(self.tl.take()),
            b"junction" => self.junction = false,
            _ => {}
        }
    }
}

/// A lane of an internal edge: its id and shape, nothing else.
fn read_internal_lane(el: &mut Element, net: &mut SumoNet) {
    if el.name == "lane"
        && let (Some(id), Some(shape)) = (el.get("id"), el.shape("shape"))
    {
        net.internal.insert(id, shape);
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
                let list = |k| {
                    el.opt(k).map_or(Vec::new(), |v: &str| {
                        v.split_whitespace().map(str::to_string).collect()
                    })
                };
                let (inc_lanes, int_lanes) = (list("incLanes"), list("intLanes"));
                net.junctions.push(Junction {
                    id,
                    kind,
                    pos: [x, y],
                    z: el
                        .num("z", Some(0.0))
                        .filter(|z: &f64| z.is_finite())
                        .unwrap_or(0.0),
                    inc_lanes,
                    int_lanes,
                    responses: BTreeMap::new(),
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

/// One row of the junction's foe matrix: which links link `index` gives way to.
fn read_request(el: &mut Element, net: &mut SumoNet) {
    let (Some(index), Some(response)) = (el.num::<usize>("index", None), el.get("response")) else {
        return;
    };
    if !response.bytes().all(|b| b == b'0' || b == b'1') {
        el.fail(format!(
            "`response` must be a string of 0s and 1s, one per link of the junction; found `{response}`"
        ));
        return;
    }
    let Some(j) = net.junctions.last_mut() else {
        return;
    };
    let links = j.int_lanes.len();
    if links > 0 && (index >= links || response.len() != links) {
        el.fail(format!(
            "link {index} with {} response bit(s) at junction `{}`, which has {links} link(s) (`intLanes`)",
            response.len(),
            j.id
        ));
        return;
    }
    j.responses.insert(index, response);
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
    let (shape, z) = el.shape_z("shape").unzip();
    let z = z
        .filter(|z| z.iter().any(|h| *h != 0.0))
        .unwrap_or_default();
    let (allow, disallow) = (el.opt("allow"), el.opt("disallow"));
    let open = Class::ALL
        .into_iter()
        .filter(|c| opens_to(allow, disallow, c.sumo_name()))
        .fold(0, |m, c| m | c.bit());
    Some(Lane {
        index: index?,
        speed: speed?,
        width: width?,
        shape: shape?,
        z,
        open,
    })
}

/// Does a lane with these `allow` / `disallow` lists (SUMO vehicle classes, space-separated;
/// `all` for every class) let vehicles of `class` through? SUMO: with neither, every class may.
fn opens_to(allow: Option<&str>, disallow: Option<&str>, class: &str) -> bool {
    let has = |list: &str| list.split_whitespace().any(|c| c == "all" || c == class);
    match (allow, disallow) {
        (Some(a), _) => has(a),
        (None, Some(d)) => !has(d),
        (None, None) => true,
    }
}

fn read_connection(el: &mut Element, net: &mut SumoNet) {
    // Connections out of internal lanes (`from=":J_0"`) are the junction's inner wiring: only
    // which internal lane follows which is kept.
    if let Some(from) = el.opt("from").filter(|f| f.starts_with(':')) {
        if let (Some(lane), Some(via)) = (el.opt("fromLane"), el.opt("via")) {
            net.inner_via
                .insert(format!("{from}_{lane}"), via.to_string());
        }
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
            via: el.opt("via").map(str::to_string),
            state: el.opt("state").unwrap_or_default().to_string(),
            line: el.at.0,
        });
    }
}

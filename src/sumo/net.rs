//! Reading a SUMO network (`.net.xml`, as `netconvert` and `netgenerate` write it) into plain
//! data: edges with their lanes, junctions, connections and static traffic-light programs.
//! Everything else the file holds is counted per element name, so the importer can say what it
//! did not read. Errors carry the line and column of the element (docs/sumo-import.md).
use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// A lane of an edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    pub index: u8,
    /// m/s.
    pub speed: f64,
    /// m (SUMO's default lane width is 3.2).
    pub width: f64,
    pub shape: Vec<[f64; 2]>,
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
}

/// A problem in the file, at a line and column (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct NetError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// Line and column (1-based) of byte offset `pos` in `text`.
pub fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..pos.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, col)
}

/// The attributes of an element, unescaped.
fn attributes(e: &BytesStart) -> Result<BTreeMap<String, String>, String> {
    let mut out = BTreeMap::new();
    for a in e.attributes() {
        let a = a.map_err(|err| format!("malformed attribute: {err}"))?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a
            .unescape_value()
            .map_err(|err| format!("attribute `{key}`: {err}"))?;
        out.insert(key, value.into_owned());
    }
    Ok(out)
}

/// An element being read: its attributes, where it starts, and the errors found in it.
struct Element<'a> {
    name: String,
    attrs: BTreeMap<String, String>,
    at: (usize, usize),
    errors: &'a mut Vec<NetError>,
}

impl Element<'_> {
    fn fail(&mut self, message: String) {
        self.errors.push(NetError {
            line: self.at.0,
            col: self.at.1,
            message: format!("<{}>: {message}", self.name),
        });
    }

    /// A required attribute.
    fn get(&mut self, key: &str) -> Option<String> {
        let v = self.attrs.get(key).cloned();
        if v.is_none() {
            self.fail(format!("missing attribute `{key}`"));
        }
        v
    }

    fn opt(&self, key: &str) -> Option<&str> {
        self.attrs.get(key).map(String::as_str)
    }

    /// A number, required or with a default.
    fn num<T: std::str::FromStr>(&mut self, key: &str, default: Option<T>) -> Option<T> {
        match (self.attrs.get(key).cloned(), default) {
            (None, Some(d)) => Some(d),
            (None, None) => self.get(key).and(None),
            (Some(s), _) => match s.trim().parse::<T>() {
                Ok(v) => Some(v),
                Err(_) => {
                    self.fail(format!("`{key}` is `{s}`, expected a number"));
                    None
                }
            },
        }
    }

    /// A shape: space-separated `x,y[,z]` points, at least two.
    fn shape(&mut self, key: &str) -> Option<Vec<[f64; 2]>> {
        let s = self.get(key)?;
        let mut pts = Vec::new();
        for p in s.split_whitespace() {
            let xy: Vec<Option<f64>> = p.split(',').map(|c| c.parse().ok()).collect();
            match xy.as_slice() {
                [Some(x), Some(y)] | [Some(x), Some(y), Some(_)]
                    if x.is_finite() && y.is_finite() =>
                {
                    pts.push([*x, *y]);
                }
                _ => {
                    self.fail(format!("`{key}` has the point `{p}`, expected x,y"));
                    return None;
                }
            }
        }
        if pts.len() < 2 {
            self.fail(format!("`{key}` needs at least two points"));
            return None;
        }
        Some(pts)
    }
}

/// Read a network from the text of a `.net.xml` file: every error in one pass.
pub fn parse(text: &str) -> Result<SumoNet, Vec<NetError>> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut st = State::default();
    loop {
        let pos = reader.buffer_position() as usize;
        let (e, opens) = match reader.read_event() {
            Err(e) => {
                let (line, col) = line_col(text, reader.error_position() as usize);
                st.errors.push(NetError {
                    line,
                    col,
                    message: format!("malformed XML: {e}"),
                });
                break;
            }
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => (e, true),
            Ok(Event::Empty(e)) => (e, false),
            Ok(Event::End(e)) => {
                st.close(e.name().as_ref());
                continue;
            }
            Ok(_) => continue,
        };
        st.open(&e, opens, line_col(text, pos));
    }
    if st.errors.is_empty() {
        Ok(st.net)
    } else {
        Err(st.errors)
    }
}

/// The reader's state between events.
#[derive(Default)]
struct State {
    net: SumoNet,
    errors: Vec<NetError>,
    edge: Option<Edge>,
    tl: Option<TlLogic>,
    /// Depth inside an element that is not read (its children are skipped).
    skipping: usize,
}

impl State {
    fn open(&mut self, e: &BytesStart, opens: bool, at: (usize, usize)) {
        if self.skipping > 0 {
            self.skipping += usize::from(opens);
            return;
        }
        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        let attrs = match attributes(e) {
            Ok(a) => a,
            Err(message) => {
                self.errors.push(NetError {
                    line: at.0,
                    col: at.1,
                    message,
                });
                return;
            }
        };
        let mut el = Element {
            name: name.clone(),
            attrs,
            at,
            errors: &mut self.errors,
        };
        read_element(&mut el, &mut self.net, &mut self.edge, &mut self.tl);
        if opens && !matches!(name.as_str(), "net" | "edge" | "tlLogic" | "junction") {
            self.skipping = 1;
        }
    }

    fn close(&mut self, name: &[u8]) {
        if self.skipping > 0 {
            self.skipping -= 1;
            return;
        }
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
    Some(Lane {
        index: index?,
        speed: speed?,
        width: width?,
        shape: shape?,
    })
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
            line: el.at.0,
        });
    }
}

//! Reading SUMO demand (`.rou.xml`, as `randomTrips.py`, `duarouter` or a hand write it) into
//! plain data: vehicle types, named routes, vehicles, trips and flows, with the departure
//! attributes as written. Interpreting them against a network is `demand`'s job; what the file
//! holds that is not read is counted per element name (docs/sumo-import.md).
use std::collections::BTreeMap;

use super::xml::{Element, NetError, Visit, walk};

/// A `<vType>`: only what was written (SUMO's defaults by class are applied later).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VType {
    pub id: String,
    /// SUMO's `vClass` (default `passenger`).
    pub class: String,
    pub length: Option<f64>,
    pub accel: Option<f64>,
    pub decel: Option<f64>,
    pub tau: Option<f64>,
    pub min_gap: Option<f64>,
    pub max_speed: Option<f64>,
    pub delta: Option<f64>,
    /// Mean of the speed factor (`speedFactor`, a number or `normc(mean,dev,...)`).
    pub speed_factor: Option<f64>,
    /// Its standard deviation (`speedDev`, or the second argument of `normc`).
    pub speed_dev: Option<f64>,
    /// `carFollowModel` (default Krauss).
    pub model: Option<String>,
    pub line: usize,
}

/// Where a vehicle or flow goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Way {
    /// Edges, in order.
    Edges(Vec<String>),
    /// A named `<route>`.
    Named(String),
    /// From one edge to another (a trip or a flow with `from`/`to`), through `via` edges.
    Trip {
        from: String,
        to: String,
        via: Vec<String>,
    },
    /// From one junction to another (`fromJunction`/`toJunction`).
    Junctions { from: String, to: String },
}

/// How often a flow departs, as written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rate {
    PerHour(f64),
    /// Seconds between departures.
    Period(f64),
    /// `period="exp(r)"`: Poisson with `r` departures a second.
    Exp(f64),
    /// A departure each second with this probability.
    Probability(f64),
    /// Only `number` given: spread evenly over `begin`..`end`.
    Spread,
}

/// What kind of element a demand entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Vehicle,
    Trip,
    Flow,
}

/// A vehicle, trip or flow as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub tag: Tag,
    pub id: String,
    pub vtype: Option<String>,
    /// `depart` (vehicles, trips) or `begin` (flows), s.
    pub begin: f64,
    pub end: Option<f64>,
    pub rate: Option<Rate>,
    pub number: Option<u32>,
    pub way: Option<Way>,
    /// `departLane`, `departPos`, `departSpeed` as written.
    pub lane: Option<String>,
    pub pos: Option<String>,
    pub speed: Option<String>,
    pub at: (usize, usize),
}

/// A demand file as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SumoDemand {
    pub vtypes: Vec<VType>,
    /// Named routes: id -> edges.
    pub routes: BTreeMap<String, Vec<String>>,
    pub entries: Vec<Entry>,
    /// Elements and attributes not read, by name: (count, line of the first).
    pub ignored: BTreeMap<String, (usize, usize)>,
}

/// Read demand from the text of a `.rou.xml` file: what could be read, and every error (an
/// element with an error is left out; a malformed-XML error ends the reading).
pub fn parse(text: &str) -> (SumoDemand, Vec<NetError>) {
    let mut st = State::default();
    let errors = walk(text, &mut st);
    (st.demand, errors)
}

#[derive(Default)]
struct State {
    demand: SumoDemand,
    /// The vehicle, trip or flow being read (its nested `<route>` belongs to it).
    entry: Option<Entry>,
    vtype: Option<VType>,
}

impl Visit for State {
    fn open(&mut self, el: &mut Element, _opens: bool) -> bool {
        let d = &mut self.demand;
        match el.name.as_str() {
            "routes" | "additional" => return true,
            "vType" => {
                self.vtype = read_vtype(el, d);
                return true;
            }
            "carFollowing-IDM" => {
                if let Some(v) = self.vtype.as_mut() {
                    v.model = Some("IDM".into());
                    read_cf(el, v);
                }
            }
            "route" => read_route(el, d, self.entry.as_mut()),
            "vehicle" | "trip" | "flow" => {
                self.entry = read_entry(el, d);
                return true;
            }
            "param" => {}
            other => count(d, &format!("`<{other}>` element"), el.at.0),
        }
        false
    }

    fn close(&mut self, name: &[u8]) {
        match name {
            b"vType" => self.demand.vtypes.extend(self.vtype.take()),
            b"vehicle" | b"trip" | b"flow" => self.demand.entries.extend(self.entry.take()),
            _ => {}
        }
    }
}

/// Counts something not read.
fn count(d: &mut SumoDemand, what: &str, line: usize) {
    d.ignored.entry(what.to_string()).or_insert((0, line)).0 += 1;
}

fn read_vtype(el: &mut Element, d: &mut SumoDemand) -> Option<VType> {
    let mut v = VType {
        id: el.get("id")?,
        class: el.opt("vClass").unwrap_or("passenger").to_string(),
        model: el.opt("carFollowModel").map(str::to_string),
        line: el.at.0,
        ..VType::default()
    };
    read_cf(el, &mut v);
    if el.opt("sigma").is_some() {
        count(
            d,
            "`sigma` attribute of <vType> (Krauss driver imperfection)",
            el.at.0,
        );
    }
    match el.opt("speedFactor") {
        Some(s) if s.starts_with("norm") => {
            let args: Vec<f64> = s
                .trim_start_matches("normc")
                .trim_start_matches("norm")
                .trim_matches(|c| c == '(' || c == ')')
                .split(',')
                .filter_map(|a| a.trim().parse().ok())
                .collect();
            if args.len() < 2 {
                el.fail(format!(
                    "`speedFactor` is `{s}`, expected a number or normc(mean,dev[,min,max])"
                ));
            } else {
                (v.speed_factor, v.speed_dev) = (Some(args[0]), Some(args[1]));
            }
        }
        Some(_) => v.speed_factor = opt_num(el, "speedFactor"),
        None => {}
    }
    if el.opt("speedDev").is_some() {
        v.speed_dev = opt_num(el, "speedDev");
    }
    Some(v)
}

/// Car-following parameters, on a `<vType>` or its `<carFollowing-*>` child.
fn read_cf(el: &mut Element, v: &mut VType) {
    let fields: [(&str, &mut Option<f64>); 7] = [
        ("length", &mut v.length),
        ("accel", &mut v.accel),
        ("decel", &mut v.decel),
        ("tau", &mut v.tau),
        ("minGap", &mut v.min_gap),
        ("maxSpeed", &mut v.max_speed),
        ("delta", &mut v.delta),
    ];
    for (key, slot) in fields {
        if el.opt(key).is_some() {
            *slot = opt_num(el, key);
        }
    }
}

/// A number attribute known to be present (`None` and an error if it is not a finite number).
fn opt_num(el: &mut Element, key: &str) -> Option<f64> {
    let v: f64 = el.num(key, None)?;
    if v.is_finite() {
        Some(v)
    } else {
        el.fail(format!("`{key}` is `{v}`, expected a finite number"));
        None
    }
}

fn edges(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_string).collect()
}

/// A `<route>`: named at the top level, or the way of the vehicle or flow it is inside.
fn read_route(el: &mut Element, d: &mut SumoDemand, entry: Option<&mut Entry>) {
    let Some(list) = el.get("edges") else {
        return;
    };
    match entry {
        Some(e) => e.way = Some(Way::Edges(edges(&list))),
        None => {
            if let Some(id) = el.get("id") {
                d.routes.insert(id, edges(&list));
            }
        }
    }
}

fn read_entry(el: &mut Element, d: &mut SumoDemand) -> Option<Entry> {
    let tag = match el.name.as_str() {
        "vehicle" => Tag::Vehicle,
        "trip" => Tag::Trip,
        _ => Tag::Flow,
    };
    let id = el.get("id")?;
    let begin = if tag == Tag::Flow {
        time(el, "begin", Some(0.0))?
    } else {
        time(el, "depart", None)?
    };
    for ignored in ["arrivalLane", "arrivalPos", "arrivalSpeed", "departPosLat"] {
        if el.opt(ignored).is_some() {
            count(
                d,
                &format!("`{ignored}` attribute of <{}>", el.name),
                el.at.0,
            );
        }
    }
    let (rate, number, end) = if tag == Tag::Flow {
        flow_rate(el)?
    } else {
        (None, None, None)
    };
    Some(Entry {
        tag,
        id,
        vtype: el.opt("type").map(str::to_string),
        begin,
        end,
        rate,
        number,
        way: way(el),
        lane: el.opt("departLane").map(str::to_string),
        pos: el.opt("departPos").map(str::to_string),
        speed: el.opt("departSpeed").map(str::to_string),
        at: el.at,
    })
}

/// A time attribute in seconds (SUMO also writes triggered departures, which need a person or
/// container to board: not supported).
fn time(el: &mut Element, key: &str, default: Option<f64>) -> Option<f64> {
    let t: f64 = match el.opt(key) {
        Some(s) if s.parse::<f64>().is_err() => {
            el.fail(format!(
                "`{key}` is `{s}`, expected a time in seconds (triggered departures are not supported)"
            ));
            return None;
        }
        _ => el.num(key, default)?,
    };
    if t.is_finite() && t >= 0.0 {
        Some(t)
    } else {
        el.fail(format!("`{key}` is `{t}`, expected a time of 0 s or later"));
        None
    }
}

/// A flow's rate, `number` and `end`: exactly one of `vehsPerHour`, `period`, `probability`,
/// or `number` alone with an `end`.
fn flow_rate(el: &mut Element) -> Option<(Option<Rate>, Option<u32>, Option<f64>)> {
    let number: Option<u32> = match el.opt("number") {
        Some(_) => Some(el.num("number", None)?),
        None => None,
    };
    let end = match el.opt("end") {
        Some(_) => Some(time(el, "end", None)?),
        None => None,
    };
    let given: Vec<&str> = ["vehsPerHour", "period", "probability"]
        .into_iter()
        .filter(|k| el.opt(k).is_some())
        .collect();
    let rate = match given.as_slice() {
        ["vehsPerHour"] => Rate::PerHour(opt_num(el, "vehsPerHour")?),
        ["period"] => period(el)?,
        ["probability"] => Rate::Probability(opt_num(el, "probability")?),
        [] if number.is_some() && end.is_some() => Rate::Spread,
        [] => {
            el.fail(
                "needs one of `vehsPerHour`, `period`, `probability`, or `number` with `end`"
                    .into(),
            );
            return None;
        }
        _ => {
            el.fail(format!("has {}; give only one", given.join(" and ")));
            return None;
        }
    };
    Some((Some(rate), number, end))
}

fn period(el: &mut Element) -> Option<Rate> {
    let s = el.opt("period").unwrap_or_default().to_string();
    if let Some(r) = s.strip_prefix("exp(").and_then(|r| r.strip_suffix(')')) {
        return match r.trim().parse::<f64>() {
            Ok(r) if r.is_finite() && r > 0.0 => Some(Rate::Exp(r)),
            _ => {
                el.fail(format!(
                    "`period` is `{s}`, expected exp(rate) with a rate > 0"
                ));
                None
            }
        };
    }
    opt_num(el, "period").map(Rate::Period)
}

/// The way written on the element itself (a nested `<route>` may set it later).
fn way(el: &Element) -> Option<Way> {
    if let Some(r) = el.opt("route") {
        return Some(Way::Named(r.to_string()));
    }
    if let (Some(from), Some(to)) = (el.opt("from"), el.opt("to")) {
        return Some(Way::Trip {
            from: from.to_string(),
            to: to.to_string(),
            via: edges(el.opt("via").unwrap_or_default()),
        });
    }
    if let (Some(from), Some(to)) = (el.opt("fromJunction"), el.opt("toJunction")) {
        return Some(Way::Junctions {
            from: from.to_string(),
            to: to.to_string(),
        });
    }
    None
}

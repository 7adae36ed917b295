//! SUMO demand as sangam-sim vehicles and flows. A `<vehicle>` or `<trip>` becomes a vehicle, a
//! `<flow>` a flow with SUMO's spacing (`vehsPerHour`, `period` and `number` evenly spaced,
//! `probability` a draw each second, `period="exp(r)"` Poisson), so that the same ids depart
//! at the same times as in SUMO. Vehicle types keep their class's SUMO defaults for what they
//! do not set (`SUMOVTypeParameter`'s `VClassDefaultValues`), and drive IDM with their `accel`,
//! `decel`, `tau` (T), `minGap` (s0) and `delta` (docs/sumo-import.md).
use std::collections::{BTreeMap, HashMap};

use super::routes::{Entry, Rate, SumoDemand, Tag, VType, Way};
use super::xml::NetError;
use crate::scenario::spec::{
    Arrivals, Class, DriverSpec, Flow, Kind, KindMix, Network, Route, VehicleSpawn,
};

/// What the demand became, and what could not be carried over.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Demand {
    pub vehicles: Vec<VehicleSpawn>,
    pub flows: Vec<Flow>,
    /// One per kind of thing not read or approximated: the line of the first, and what.
    pub notes: Vec<super::Note>,
}

/// A vehicle type with SUMO's defaults filled in.
#[derive(Debug, Clone, PartialEq)]
struct Resolved {
    kind: Kind,
    /// Its class for lane permissions where that is not the kind's.
    class: Option<Class>,
    length: f64,
    driver: DriverSpec,
}

/// SUMO's defaults for a vehicle class: (length m, accel m/s², decel m/s², top speed m/s,
/// speed deviation), from `SUMOVTypeParameter::VClassDefaultValues` and `getDefaultAccel` /
/// `getDefaultDecel` (passenger: 5 m, 2.6, 4.5, 200 km/h, 0.1).
fn class_defaults(class: &str) -> (f64, f64, f64, f64, f64) {
    match class {
        "bus" => (12.0, 1.2, 4.0, 100.0 / 3.6, 0.1),
        "coach" => (14.0, 2.0, 4.0, 100.0 / 3.6, 0.1),
        "truck" => (7.1, 1.3, 4.0, 130.0 / 3.6, 0.05),
        "trailer" => (16.5, 1.1, 4.0, 130.0 / 3.6, 0.05),
        "delivery" | "emergency" => (6.5, 2.6, 4.5, 200.0 / 3.6, 0.1),
        _ => (5.0, 2.6, 4.5, 200.0 / 3.6, 0.1),
    }
}

/// Classes that are not road vehicles sangam-sim drives.
fn unsupported(class: &str) -> bool {
    matches!(
        class,
        "pedestrian"
            | "bicycle"
            | "tram"
            | "rail"
            | "rail_urban"
            | "rail_electric"
            | "rail_fast"
            | "ship"
            | "subway"
            | "cable_car"
            | "aircraft"
            | "wheelchair"
            | "scooter"
            | "drone"
            | "container"
    )
}

fn kind_of(class: &str) -> Kind {
    match class {
        "bus" | "coach" => Kind::Bus,
        "truck" | "trailer" => Kind::Truck,
        _ => Kind::Car,
    }
}

/// SUMO's speed deviation is the standard deviation of a normal factor; sangam-sim draws it
/// uniformly, and a uniform spread of ±√3·σ has the same standard deviation.
fn spread(dev: f64) -> f64 {
    dev * 3f64.sqrt()
}

fn resolve(t: &VType) -> Resolved {
    let (length, accel, decel, top, dev) = class_defaults(&t.class);
    let kind = kind_of(&t.class);
    Resolved {
        kind,
        // Named only where it is not the kind's own (a taxi, a delivery van, a coach).
        class: Class::from_sumo(&t.class).filter(|c| *c != Class::of_kind(kind)),
        length: t.length.unwrap_or(length),
        driver: DriverSpec {
            time_headway: Some(t.tau.unwrap_or(1.0)),
            accel: Some(t.accel.unwrap_or(accel)),
            decel: Some(t.decel.unwrap_or(decel)),
            min_gap: Some(t.min_gap.unwrap_or(2.5)),
            delta: Some(t.delta.unwrap_or(4.0)),
            max_speed: Some(t.max_speed.unwrap_or(top)),
            speed_factor: Some(t.speed_factor.unwrap_or(1.0)),
            speed_spread: Some(spread(t.speed_dev.unwrap_or(dev))),
            ..DriverSpec::default()
        },
    }
}

/// The links and nodes a demand may name: link id -> (from node, to node).
pub struct Known<'a> {
    links: HashMap<&'a str, (&'a str, &'a str)>,
    nodes: HashMap<&'a str, ()>,
    /// The links each link's lane-to-lane connections lead onto (links without any: absent).
    onto: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Known<'a> {
    pub fn new(networks: &[&'a Network]) -> Known<'a> {
        let mut k = Known {
            links: HashMap::new(),
            nodes: HashMap::new(),
            onto: HashMap::new(),
        };
        for n in networks {
            for l in &n.links {
                k.links.insert(&l.id, (&l.from, &l.to));
                if !l.connections.is_empty() {
                    let onto = l.connections.iter().map(|c| c.to.as_str()).collect();
                    k.onto.insert(&l.id, onto);
                }
            }
            for node in &n.nodes {
                k.nodes.insert(&node.id, ());
            }
        }
        k
    }
}

/// The conversion's running state: types, named routes, errors and notes.
struct Converter<'a> {
    types: BTreeMap<String, Resolved>,
    unsupported: BTreeMap<String, String>,
    demand: &'a SumoDemand,
    known: &'a Known<'a>,
    errors: Vec<NetError>,
    notes: BTreeMap<String, (usize, usize)>,
}

/// Convert demand, checking every reference against `known`; every broken one is an error.
pub fn to_demand(d: &SumoDemand, known: &Known) -> Result<Demand, Vec<NetError>> {
    let mut c = Converter {
        types: BTreeMap::new(),
        unsupported: BTreeMap::new(),
        demand: d,
        known,
        errors: Vec::new(),
        notes: d.ignored.clone(),
    };
    c.types.insert(
        "DEFAULT_VEHTYPE".into(),
        resolve(&VType {
            class: "passenger".into(),
            ..VType::default()
        }),
    );
    for t in &d.vtypes {
        c.vtype(t);
    }
    let mut out = Demand::default();
    for e in &d.entries {
        c.entry(e, &mut out);
    }
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    out.notes = c
        .notes
        .iter()
        .map(|(what, (n, line))| (*line, format!("{n} × {what}: not read or approximated")))
        .collect();
    Ok(out)
}

impl Converter<'_> {
    fn note(&mut self, what: &str, line: usize) {
        self.notes.entry(what.to_string()).or_insert((0, line)).0 += 1;
    }

    fn fail(&mut self, at: (usize, usize), message: String) {
        self.errors.push(NetError {
            line: at.0,
            col: at.1,
            message,
        });
    }

    fn vtype(&mut self, t: &VType) {
        if unsupported(&t.class) {
            self.unsupported.insert(t.id.clone(), t.class.clone());
            return;
        }
        if t.model.as_deref().is_some_and(|m| m != "IDM") {
            self.note(
                "vType carFollowModel other than IDM (driven as IDM)",
                t.line,
            );
        }
        self.types.insert(t.id.clone(), resolve(t));
    }

    fn entry(&mut self, e: &Entry, out: &mut Demand) {
        let tname = e.vtype.as_deref().unwrap_or("DEFAULT_VEHTYPE");
        if let Some(class) = self.unsupported.get(tname) {
            let what =
                format!("vehicle of vClass `{class}` (not a road vehicle sangam-sim drives)");
            self.note(&what, e.at.0);
            return;
        }
        let Some(t) = self.types.get(tname).cloned() else {
            let hint = if self.demand.vtypes.is_empty() {
                String::new()
            } else {
                format!("; the file defines {}", self.type_names())
            };
            self.fail(
                e.at,
                format!("<{}> `{}`: unknown type `{tname}`{hint}", tag(e.tag), e.id),
            );
            return;
        };
        let Some(route) = self.route(e) else {
            return;
        };
        match e.tag {
            Tag::Flow => {
                if let Some(f) = self.flow(e, &t, route) {
                    out.flows.push(f);
                }
            }
            _ => out.vehicles.push(self.vehicle(e, &t, route)),
        }
    }

    fn type_names(&self) -> String {
        let names: Vec<String> = self
            .demand
            .vtypes
            .iter()
            .take(8)
            .map(|t| format!("`{}`", t.id))
            .collect();
        names.join(", ")
    }

    /// The route of a vehicle or flow, its links checked.
    fn route(&mut self, e: &Entry) -> Option<Route> {
        let way = match &e.way {
            Some(Way::Named(r)) => match self.demand.routes.get(r) {
                Some(edges) => Way::Edges(edges.clone()),
                None => {
                    self.fail(
                        e.at,
                        format!("<{}> `{}`: unknown route `{r}`", tag(e.tag), e.id),
                    );
                    return None;
                }
            },
            Some(w) => w.clone(),
            None => {
                let m = format!(
                    "<{}> `{}` has no route: give `route`, a nested <route edges=..>, or `from` and `to`",
                    tag(e.tag),
                    e.id
                );
                self.fail(e.at, m);
                return None;
            }
        };
        match way {
            Way::Edges(edges) => self.chain(e, &edges).then_some(Route::Links(edges)),
            Way::Trip { from, to, via } => {
                if !via.is_empty() {
                    self.note(
                        &format!("{} via (routed by travel time instead)", tag(e.tag)),
                        e.at.0,
                    );
                }
                let ok = self.chain(e, std::slice::from_ref(&from))
                    & self.chain(e, std::slice::from_ref(&to));
                ok.then_some(Route::LinkTrip { from, to })
            }
            Way::Junctions { from, to } => {
                let ok = [&from, &to].iter().all(|j| {
                    let known = self.known.nodes.contains_key(j.as_str());
                    if !known {
                        self.fail(
                            e.at,
                            format!("<{}> `{}`: unknown junction `{j}`", tag(e.tag), e.id),
                        );
                    }
                    known
                });
                ok.then_some(Route::Trip { from, to })
            }
            Way::Named(_) => None,
        }
    }

    /// Whether every edge exists and each starts where the one before ends.
    fn chain(&mut self, e: &Entry, edges: &[String]) -> bool {
        if edges.is_empty() {
            self.fail(
                e.at,
                format!("<{}> `{}`: the route has no edges", tag(e.tag), e.id),
            );
            return false;
        }
        let mut ok = true;
        let mut prev: Option<(&str, &str)> = None;
        for id in edges {
            let Some(&(from, to)) = self.known.links.get(id.as_str()) else {
                self.fail(
                    e.at,
                    format!("<{}> `{}`: unknown edge `{id}`", tag(e.tag), e.id),
                );
                ok = false;
                prev = None;
                continue;
            };
            if let Some((p, pto)) = prev
                && pto != from
            {
                let m = format!(
                    "<{}> `{}`: edge `{id}` does not start where `{p}` ends (junction `{pto}`)",
                    tag(e.tag),
                    e.id
                );
                self.fail(e.at, m);
                ok = false;
            } else if let Some((p, _)) = prev
                && self
                    .known
                    .onto
                    .get(p)
                    .is_some_and(|o| !o.contains(&id.as_str()))
            {
                let m = format!(
                    "<{}> `{}`: no connection from edge `{p}` to edge `{id}`",
                    tag(e.tag),
                    e.id
                );
                self.fail(e.at, m);
                ok = false;
            }
            prev = Some((id, to));
        }
        ok
    }

    fn vehicle(&mut self, e: &Entry, t: &Resolved, route: Route) -> VehicleSpawn {
        let (lane, fit_lane) = self.lane(e);
        let (speed, fit_speed) = self.speed(e);
        VehicleSpawn {
            id: e.id.clone(),
            kind: t.kind,
            route,
            depart: e.begin,
            speed: speed.unwrap_or(0.0),
            fit_speed,
            length: Some(t.length),
            pos: self.pos(e),
            lane,
            fit_lane,
            automated: false,
            driver: t.driver.clone(),
            radios: None,
            stops: Vec::new(),
            runs_red: false,
            class: t.class,
        }
    }

    fn flow(&mut self, e: &Entry, t: &Resolved, route: Route) -> Option<Flow> {
        let (per_hour, arrivals) = match e.rate? {
            Rate::PerHour(q) if q > 0.0 => (whole_ms(q), Arrivals::Regular),
            Rate::Period(p) if p > 0.0 => (whole_ms(3600.0 / p), Arrivals::Regular),
            Rate::Exp(r) => (3600.0 * r, Arrivals::Poisson),
            Rate::Probability(p) if (0.0..=1.0).contains(&p) => (3600.0 * p, Arrivals::Bernoulli),
            Rate::Spread => {
                let (n, end) = (e.number.unwrap_or(0), e.end.unwrap_or(e.begin));
                (
                    whole_ms(f64::from(n) * 3600.0 / (end - e.begin).max(1e-9)),
                    Arrivals::Regular,
                )
            }
            other => {
                self.fail(
                    e.at,
                    format!("<flow> `{}`: rate {other:?} is out of range", e.id),
                );
                return None;
            }
        };
        if e.pos.is_some() {
            self.note(
                "flow departPos (flows depart at the start of their first edge)",
                e.at.0,
            );
        }
        let (lane, fit_lane) = self.lane(e);
        let (speed, fit_speed) = self.speed(e);
        Some(Flow {
            id: e.id.clone(),
            from: String::new(),
            to: String::new(),
            route: Some(route),
            per_hour,
            arrivals,
            number: e.number,
            lane: (!fit_lane).then_some(lane),
            speed: if fit_speed {
                None
            } else {
                Some(speed.unwrap_or(0.0))
            },
            length: Some(t.length),
            begin: e.begin,
            end: e.end,
            mix: KindMix::only(t.kind),
            automated: 0.0,
            driver: t.driver.clone(),
            class: t.class,
        })
    }

    /// `departLane`: a lane index, `first` (SUMO's default, the rightmost), or a choice made at
    /// departure (`best`, `free`, `random`, `allowed`: the lane with the most room).
    fn lane(&mut self, e: &Entry) -> (u8, bool) {
        match e.lane.as_deref() {
            None | Some("first") => (0, false),
            Some("best" | "free" | "allowed" | "random" | "random_free") => (0, true),
            Some(s) => match s.parse::<u8>() {
                Ok(n) => (n, false),
                Err(_) => {
                    self.fail(e.at, format!("<{}> `{}`: `departLane` is `{s}`, expected a lane index, `first`, `best`, `free`, `random` or `allowed`", tag(e.tag), e.id));
                    (0, false)
                }
            },
        }
    }

    /// `departSpeed`: metres a second (default 0), or as fast as is safe (`max`, `desired`,
    /// `speedLimit`, `avg`, `last`, `random`: sangam-sim's safe entry speed).
    fn speed(&mut self, e: &Entry) -> (Option<f64>, bool) {
        match e.speed.as_deref() {
            None => (None, false),
            Some("max" | "desired" | "speedLimit" | "avg" | "last" | "random") => (None, true),
            Some(s) => match s.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => (Some(v), false),
                _ => {
                    self.fail(
                        e.at,
                        format!(
                            "<{}> `{}`: `departSpeed` is `{s}`, expected m/s or `max`",
                            tag(e.tag),
                            e.id
                        ),
                    );
                    (None, false)
                }
            },
        }
    }

    /// `departPos`: metres from the start of the edge to the front, or `base` (SUMO's default:
    /// the back at the start); the other choices start at the base too, with a note.
    fn pos(&mut self, e: &Entry) -> f64 {
        match e.pos.as_deref() {
            None | Some("base") => 0.0,
            Some(s) => match s.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => v,
                Ok(_) => {
                    self.fail(e.at, format!("<{}> `{}`: `departPos` is `{s}`; negative positions (from the end) are not supported", tag(e.tag), e.id));
                    0.0
                }
                Err(_) => {
                    self.note(
                        &format!("departPos=\"{s}\" (departs at the base instead)"),
                        e.at.0,
                    );
                    0.0
                }
            },
        }
    }
}

fn tag(t: Tag) -> &'static str {
    match t {
        Tag::Vehicle => "vehicle",
        Tag::Trip => "trip",
        Tag::Flow => "flow",
    }
}

/// A regular flow's rate with its headway rounded to whole milliseconds, as SUMO stores it
/// (`SUMOVehicleParserHelper`: `repetitionOffset = TIME2STEPS(3600 / vehsPerHour)`; SUMO times
/// are integer ms): 700 veh/h departs every 5.143 s, so vehicle 7 leaves at 36.001 s, one
/// 0.1 s step after 36.0 s, in SUMO and here alike.
fn whole_ms(per_hour: f64) -> f64 {
    let headway = (3600.0 / per_hour * 1000.0).round().max(1.0) / 1000.0;
    3600.0 / headway
}

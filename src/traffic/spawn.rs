//! Departures: explicit vehicles and Poisson flows, planned once at build time from the demand
//! and driver streams, then inserted when due and when their entry lane has room.
use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use bevy::prelude::*;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::components::*;
use super::idm::Idm;
use super::kind::{driver_idm, lane_change_s, reaction_time};
use super::mobil::Mobil;
use crate::rng::{Stream, stream};
use crate::road::RoadNetwork;
use crate::road::routing::{link_trip, shortest_path};
use crate::scenario::spec::{Arrivals, Class, Flow, Kind, Route as RouteSpec, Spec, VehicleSpawn};

/// A vehicle waiting to depart.
#[derive(Debug, Clone)]
pub struct Departure {
    pub index: u32,
    pub id: String,
    pub kind: Kind,
    /// Class for lane permissions (the kind's unless the spec names one).
    pub class: Class,
    pub automated: bool,
    pub flow: Option<String>,
    pub depart: f64,
    /// The route's links, shared by every departure that drives the same ones ([`Routes`]).
    pub links: Arc<[u32]>,
    pub pos: f64,
    pub speed: f64,
    pub lane: u8,
    /// Depart as fast as the gap ahead allows rather than at `speed`.
    pub fit_speed: bool,
    /// Body length, m.
    pub length: f64,
    pub idm: Idm,
    /// Top speed, m/s (infinite: none).
    pub max_speed: f64,
    /// Multiplier on the speed limit for drivers without an explicit v0.
    pub speed_factor: f64,
    pub politeness: f64,
    pub reaction: f64,
    /// How long a lane change takes at speed, s.
    pub lane_change_s: f64,
    /// Ignores red and amber signals (`VehicleSpawn::runs_red`).
    pub runs_red: bool,
    pub stops: Vec<(String, usize, f64, f64)>,
    /// Radios on board (empty: no OBU).
    pub radios: Vec<crate::scenario::spec::Tech>,
}

/// Departures not yet on the road.
#[derive(Resource, Debug, Default)]
pub struct Departures {
    /// Not yet due, sorted by (depart, index).
    pub queue: VecDeque<Departure>,
    /// Departures that were due but found their lane blocked; retried every step.
    pub waiting: Vec<Departure>,
    /// The names of those that have left `queue`, in order: all a departed vehicle's plan is
    /// still asked for (co-simulation reports them as loaded and refuses their names again).
    /// A whole `Departure` kept for the run was ~0.25 KB a vehicle.
    pub gone: Vec<Box<str>>,
}

impl Departures {
    /// How many of the queue are due at `t`, s (the queue is sorted by departure time).
    pub fn due(&self, t: f64) -> usize {
        self.queue.partition_point(|q| q.depart <= t + 1e-9)
    }
}

/// Driver-to-driver variation of desired speed: ±10 % uniform (Treiber & Kesting 2013, §12.3
/// model heterogeneity), only for flow vehicles; explicit vehicles are exactly as written.
const V0_SPREAD: f64 = 0.10;

/// Every distinct route of the plan, once: vehicles that drive the same links share them, as
/// SUMO's vehicles share a named route (`MSRoute`). A bench vehicle drives its block lap after
/// lap (22 laps of 4 links for its default 900 s: 0.35 KB), and its route is one of four per
/// block (where it starts).
#[derive(Default)]
struct Routes(HashSet<Arc<[u32]>>);

impl Routes {
    /// The shared copy of `links`.
    fn share(&mut self, links: Arc<[u32]>) -> Arc<[u32]> {
        if let Some(known) = self.0.get(&links) {
            return known.clone();
        }
        self.0.insert(links.clone());
        links
    }
}

/// Expand routes and flows into the departure plan.
pub fn plan(spec: &Spec, net: &RoadNetwork) -> Departures {
    let mut routes = Routes::default();
    let mut out: Vec<Departure> = spec
        .vehicles
        .iter()
        .filter_map(|v| explicit(v, spec, net))
        .map(|mut d| {
            d.links = routes.share(d.links);
            d
        })
        .collect();
    let mut demand = stream(spec.seed, Stream::Demand);
    let mut drivers = stream(spec.seed, Stream::Drivers);
    for f in &spec.flows {
        flow_departures(f, spec, net, (&mut demand, &mut drivers), &mut out);
    }
    out.sort_by(|a, b| a.depart.total_cmp(&b.depart).then_with(|| a.id.cmp(&b.id)));
    for (i, d) in out.iter_mut().enumerate() {
        d.index = i as u32;
    }
    Departures {
        queue: out.into(),
        ..Default::default()
    }
}

/// The departure of a vehicle written in the scenario (None when its route does not resolve).
pub(crate) fn explicit(v: &VehicleSpawn, spec: &Spec, net: &RoadNetwork) -> Option<Departure> {
    let links = resolve_route(&v.route, net)?;
    let radios = match &v.radios {
        Some(r) => r.clone(),
        None if v.automated => spec.v2x.obu.automated.clone(),
        None => Vec::new(),
    };
    // Every pass over a stop's link serves it (loops serve their stops on every lap).
    let mut stops: Vec<(String, usize, f64, f64)> = Vec::new();
    for (at, l) in links.iter().enumerate() {
        for st in &v.stops {
            if net.link(&st.link) == Some(*l) {
                stops.push((st.name.clone(), at, st.pos, st.dwell));
            }
        }
    }
    stops.sort_by(|a, b| a.1.cmp(&b.1).then(a.2.total_cmp(&b.2)));
    Some(Departure {
        index: 0,
        id: v.id.clone(),
        kind: v.kind,
        class: v.class.unwrap_or(Class::of_kind(v.kind)),
        automated: v.automated,
        flow: None,
        depart: v.depart,
        pos: v.pos,
        speed: v.speed,
        lane: if v.fit_lane { u8::MAX } else { v.lane },
        fit_speed: v.fit_speed,
        length: v.length.unwrap_or(v.kind.body().length),
        idm: driver_idm(v.kind, &v.driver),
        max_speed: v.driver.max_speed.unwrap_or(f64::INFINITY),
        speed_factor: v.driver.speed_factor.unwrap_or(1.0),
        politeness: v.driver.politeness.unwrap_or(Mobil::default().politeness),
        reaction: reaction_time(v.automated, &v.driver),
        lane_change_s: lane_change_s(&v.driver),
        runs_red: v.runs_red,
        links: links.into(),
        stops,
        radios,
    })
}

/// Time to the next arrival of a Poisson stream of `per_hour` vehicles an hour, s, from a
/// uniform draw `u` in (0, 1]: the inverse of the exponential distribution's CDF, mean 3600 / q.
pub fn poisson_headway(u: f64, per_hour: f64) -> f64 {
    -u.ln() * 3600.0 / per_hour
}

/// A flow's departures, drawn from the demand and driver streams (in that order, so that the
/// draws and therefore the plan are the same on every run).
fn flow_departures(
    f: &Flow,
    spec: &Spec,
    net: &RoadNetwork,
    (demand, drivers): (&mut ChaCha8Rng, &mut ChaCha8Rng),
    out: &mut Vec<Departure>,
) {
    let Some(links) = flow_links(f, net).map(Arc::<[u32]>::from) else {
        return;
    };
    if links.is_empty() || f.per_hour <= 0.0 {
        return;
    }
    let end = f.end.unwrap_or(spec.duration).min(spec.duration);
    let mut times = Arrival::new(f);
    let mut n = 0u32;
    while f.number.is_none_or(|max| n < max) {
        let Some(t) = times.next(f, demand).filter(|t| *t < end) else {
            break;
        };
        let kind = pick_kind(demand, f.mix.car, f.mix.bus, f.mix.truck);
        let automated = demand.random::<f64>() < f.automated;
        let has_obu = automated || demand.random::<f64>() < spec.v2x.obu.human_penetration;
        let radios = match (automated, has_obu) {
            (true, _) => spec.v2x.obu.automated.clone(),
            (false, true) => spec.v2x.obu.human.clone(),
            _ => Vec::new(),
        };
        let idm = driver_idm(kind, &f.driver);
        let spread = f.driver.speed_spread.unwrap_or(V0_SPREAD);
        let factor = f.driver.speed_factor.unwrap_or(1.0);
        let speed_factor = factor * (1.0 + spread * (2.0 * drivers.random::<f64>() - 1.0));
        out.push(Departure {
            index: 0,
            id: format!("{}.{n}", f.id),
            kind,
            class: f.class.unwrap_or(Class::of_kind(kind)),
            automated,
            flow: Some(f.id.clone()),
            depart: t,
            links: links.clone(),
            pos: 0.0,
            speed: f.speed.unwrap_or(0.0),
            lane: f.lane.unwrap_or(u8::MAX),
            fit_speed: f.speed.is_none(),
            length: f.length.unwrap_or(kind.body().length),
            idm,
            max_speed: f.driver.max_speed.unwrap_or(f64::INFINITY),
            speed_factor,
            politeness: f.driver.politeness.unwrap_or(Mobil::default().politeness),
            reaction: reaction_time(automated, &f.driver),
            lane_change_s: lane_change_s(&f.driver),
            runs_red: false,
            stops: Vec::new(),
            radios,
        });
        n += 1;
    }
}

/// The links a flow's vehicles drive: its route, or the fastest path between its nodes.
fn flow_links(f: &Flow, net: &RoadNetwork) -> Option<Vec<u32>> {
    if let Some(route) = &f.route {
        return resolve_route(route, net);
    }
    let (&a, &b) = (net.node_index.get(&f.from)?, net.node_index.get(&f.to)?);
    shortest_path(net, a, b)
}

/// The departure times of a flow, one after another.
struct Arrival {
    /// The last departure (Poisson), or the next second to try (Bernoulli).
    t: f64,
    /// Departures so far (regular spacing counts from `begin`, without accumulating error).
    k: u32,
}

impl Arrival {
    fn new(f: &Flow) -> Arrival {
        Arrival { t: f.begin, k: 0 }
    }

    /// The next departure, drawing from `demand` where the spacing is random.
    fn next(&mut self, f: &Flow, demand: &mut ChaCha8Rng) -> Option<f64> {
        match f.arrivals {
            Arrivals::Poisson => {
                let u: f64 = demand.random::<f64>().max(1e-12);
                self.t += poisson_headway(u, f.per_hour);
                Some(self.t)
            }
            Arrivals::Regular => {
                let t = f.begin + f64::from(self.k) * 3600.0 / f.per_hour;
                self.k = self.k.checked_add(1)?;
                Some(t)
            }
            Arrivals::Bernoulli => {
                let p = f.per_hour / 3600.0;
                // A second with no departure is a draw too; bounded by the window's seconds.
                for _ in 0..=MAX_SECONDS {
                    let t = self.t;
                    self.t += 1.0;
                    if demand.random::<f64>() < p {
                        return Some(t);
                    }
                    if t > f.end.unwrap_or(f64::MAX).min(MAX_SECONDS as f64) {
                        return None;
                    }
                }
                None
            }
        }
    }
}

/// Longest window a Bernoulli flow is drawn over, s (the longest scenario, a day).
const MAX_SECONDS: u32 = 86_400;

fn pick_kind(rng: &mut ChaCha8Rng, car: f64, bus: f64, truck: f64) -> Kind {
    let total = (car + bus + truck).max(1e-12);
    let u = rng.random::<f64>() * total;
    if u < car {
        Kind::Car
    } else if u < car + bus {
        Kind::Bus
    } else {
        Kind::Truck
    }
}

/// Resolve a route spec to link indices (None if it does not resolve; validation reports why).
pub fn resolve_route(route: &RouteSpec, net: &RoadNetwork) -> Option<Vec<u32>> {
    match route {
        RouteSpec::Links(ids) => ids.iter().map(|id| net.link(id)).collect(),
        RouteSpec::Trip { from, to } => {
            shortest_path(net, *net.node_index.get(from)?, *net.node_index.get(to)?)
        }
        RouteSpec::LinkTrip { from, to } => link_trip(net, net.link(from)?, net.link(to)?),
        RouteSpec::Loop { links, laps } => {
            let one: Vec<u32> = links.iter().map(|id| net.link(id)).collect::<Option<_>>()?;
            let mut all = Vec::with_capacity(one.len() * (*laps).max(1) as usize + 1);
            for _ in 0..(*laps).max(1) {
                all.extend_from_slice(&one);
            }
            // Finish where the loop started: back at the start of the first link.
            all.push(one[0]);
            Some(all)
        }
    }
}

/// Driver state for a departure.
pub fn driver(d: &Departure) -> Driver {
    Driver {
        idm: d.idm,
        politeness: d.politeness,
        reaction: d.reaction,
        lane_change_s: d.lane_change_s,
        runs_red: d.runs_red,
        speed_factor: d.speed_factor,
        max_speed: d.max_speed,
        since_lane_change: 10.0,
    }
}

/// Desired speed on a link: the driver's own v0, or the speed limit scaled by the driver's factor.
pub fn effective_v0(driver: &Driver, limit: f64) -> f64 {
    if driver.idm.v0.is_finite() {
        driver.idm.v0
    } else {
        (limit * driver.speed_factor).min(driver.max_speed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_headways_are_exponential_with_mean_3600_over_q() {
        // The inverse CDF: P(H > h) = exp(-q h / 3600), so u = exp(-1) gives the mean headway.
        assert!((poisson_headway((-1.0f64).exp(), 720.0) - 5.0).abs() < 1e-12);
        // The median: u = 1/2 gives ln 2 · 3600 / q.
        assert!((poisson_headway(0.5, 3600.0) - std::f64::consts::LN_2).abs() < 1e-12);
        // Sample mean over a fine uniform grid of u: within 1 % of 3600 / q.
        let n = 100_000;
        let mean: f64 = (1..=n)
            .map(|i| poisson_headway(i as f64 / n as f64, 600.0))
            .sum::<f64>()
            / n as f64;
        assert!((mean - 6.0).abs() < 0.06, "{mean}");
    }
}

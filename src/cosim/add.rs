//! Adding vehicles and routes through TraCI (`traci.route.add`, `traci.vehicle.add`): a new
//! vehicle becomes a departure in the world's own plan, so it enters the road exactly as a
//! scenario vehicle would (when its lane has room; SUMO's insertion likewise waits).
use std::collections::BTreeMap;

use bevy::prelude::*;

use super::codec::Value;
use crate::road::RoadNetwork;
use crate::scenario::spec::{Kind, Route, VehicleSpawn};
use crate::sim::SpecRes;
use crate::traffic::spawn::{Departures, explicit};

/// Routes added by clients: id → edge ids.
pub type Routes = BTreeMap<String, Vec<String>>;

/// `traci.route.add(id, edges)`: the edges must exist and follow each other.
pub fn route(net: &RoadNetwork, routes: &mut Routes, id: &str, v: &Value) -> Result<(), String> {
    let Value::StrList(edges) = v else {
        return Err("route.add needs a list of edge ids".into());
    };
    if routes.contains_key(id) {
        return Err(format!("Could not add route '{id}': it exists"));
    }
    let links: Vec<u32> = edges
        .iter()
        .map(|e| {
            net.link(e).ok_or(format!(
                "Could not add route '{id}': edge '{e}' is not known"
            ))
        })
        .collect::<Result<_, _>>()?;
    if links.is_empty() {
        return Err(format!("Could not add route '{id}': it has no edges"));
    }
    connected(net, &links).map_err(|e| format!("Could not add route '{id}': {e}"))?;
    routes.insert(id.to_string(), edges.clone());
    Ok(())
}

/// Does each link lead to the next (its end is the next one's start, and a connection joins
/// them where the network has lane-to-lane connections)?
pub fn connected(net: &RoadNetwork, links: &[u32]) -> Result<(), String> {
    for w in links.windows(2) {
        let (a, b) = (&net.links[w[0] as usize], &net.links[w[1] as usize]);
        if a.to != b.from {
            return Err(format!("'{}' does not lead to '{}'", a.id, b.id));
        }
        if !net.next_links(w[0]).any(|m| m == w[1]) {
            return Err(format!(
                "No connection between edge '{}' and edge '{}' found",
                a.id, b.id
            ));
        }
    }
    Ok(())
}

/// What `vehicle.add` asks for: (route id, type id, depart, lane, pos, speed), SUMO's strings.
struct AddArgs<'a> {
    route: &'a str,
    kind: &'a str,
    depart: &'a str,
    lane: &'a str,
    pos: &'a str,
    speed: &'a str,
}

fn args(v: &Value) -> Result<AddArgs<'_>, String> {
    let Value::Compound(items) = v else {
        return Err("vehicle.add needs a compound".into());
    };
    let s = |i: usize| match items.get(i) {
        Some(Value::Str(s)) => Ok(s.as_str()),
        _ => Err(format!("vehicle.add: item {i} must be a string")),
    };
    Ok(AddArgs {
        route: s(0)?,
        kind: s(1)?,
        depart: s(2)?,
        lane: s(3)?,
        pos: s(4)?,
        speed: s(5)?,
    })
}

fn number(field: &str, s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .ok()
        .filter(|x| x.is_finite() && *x >= 0.0)
        .ok_or(format!("vehicle.add: {field} '{s}' is not supported (a number >= 0 or SUMO's keyword; docs/traci.md)"))
}

/// `traci.vehicle.add(id, routeID, typeID, depart, departLane, departPos, departSpeed, ...)`
/// at time `t` with spawn index `index`: queued as a departure.
pub fn vehicle(
    world: &mut World,
    routes: &Routes,
    id: &str,
    v: &Value,
    t: f64,
    index: u32,
) -> Result<(), String> {
    let a = args(v)?;
    let edges = routes.get(a.route).ok_or(format!(
        "Invalid route '{}' for vehicle '{id}' (add it with route.add)",
        a.route
    ))?;
    let kind = match a.kind {
        "" | "DEFAULT_VEHTYPE" | "car" | "passenger" => Kind::Car,
        "bus" => Kind::Bus,
        "truck" => Kind::Truck,
        other => {
            return Err(format!(
                "Invalid type '{other}' for vehicle '{id}': car, bus or truck"
            ));
        }
    };
    let depart = match a.depart {
        "now" | "triggered" => t,
        d => number("depart", d)?.max(t),
    };
    let (lane, fit_lane) = match a.lane {
        "first" | "" => (0, false),
        "best" | "free" | "random" | "allowed" => (0, true),
        l => (
            l.parse::<u8>()
                .map_err(|_| format!("vehicle.add: departLane '{l}' is not supported"))?,
            false,
        ),
    };
    let pos = match a.pos {
        "base" | "" => 0.0,
        p => number("departPos", p)?,
    };
    let (speed, fit_speed) = match a.speed {
        "max" | "desired" | "speedLimit" => (0.0, true),
        s => (number("departSpeed", s)?, false),
    };
    let spawn = VehicleSpawn {
        id: id.to_string(),
        kind,
        route: Route::Links(edges.clone()),
        depart,
        speed,
        fit_speed,
        length: None,
        pos,
        lane,
        fit_lane,
        automated: false,
        driver: Default::default(),
        radios: None,
        stops: Vec::new(),
        runs_red: false,
        class: None,
    };
    let spec = world.resource::<SpecRes>().0.clone();
    let net = world.resource::<RoadNetwork>();
    let mut d = explicit(&spawn, &spec, net)
        .ok_or(format!("vehicle.add: route of '{id}' does not resolve"))?;
    d.index = index;
    let mut plan = world.resource_mut::<Departures>();
    let ids = plan
        .queue
        .iter()
        .chain(&plan.waiting)
        .map(|q| q.id.as_str());
    if ids.chain(plan.gone.iter().map(|g| &**g)).any(|q| q == id) {
        return Err(format!(
            "Could not add vehicle '{id}': it is already planned"
        ));
    }
    // Due now: tried in the next step; later: in the plan's order (depart, then index).
    let at = plan.queue.partition_point(|q| q.depart <= depart);
    plan.queue.insert(at, d);
    Ok(())
}

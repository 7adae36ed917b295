//! The world as TraCI sees it: one headless app stepped on request, the vehicles that departed
//! and arrived in the last step, and the variables of the vehicle and simulation domains.
//!
//! Values follow SUMO's definitions (SUMO documentation, "TraCI/Vehicle Value Retrieval" and
//! "TraCI/Simulation Value Retrieval"): a vehicle's position is the centre of its front bumper
//! in network coordinates, its angle is degrees clockwise from north, its lane position is the
//! front bumper's distance along the lane, lane 0 is the rightmost.
use std::collections::HashMap;

use bevy::prelude::*;

use super::codec::Value;
use super::signals::{self, Tls};
use super::v2x::V2xView;
use crate::clock::SimClock;
use crate::radio::outcome::{AirEvents, StationNames};
use crate::road::RoadNetwork;
use crate::traffic::components::{
    Driver, LaneChangeMode, LaneCommand, Motion, Route, SpeedCommand, SpeedMode, Vehicle,
};
use crate::traffic::spawn::{Departures, resolve_route};

/// Vehicle variables (SUMO `TraCIConstants.h`).
pub mod var {
    pub const ID_LIST: u8 = 0x00;
    pub const ID_COUNT: u8 = 0x01;
    pub const SPEED: u8 = 0x40;
    pub const POSITION: u8 = 0x42;
    pub const ANGLE: u8 = 0x43;
    pub const LENGTH: u8 = 0x44;
    pub const POSITION3D: u8 = 0x39;
    pub const SLOPE: u8 = 0x36;
    pub const VEHICLECLASS: u8 = 0x49;
    pub const TYPE: u8 = 0x4f;
    pub const ROAD_ID: u8 = 0x50;
    pub const LANE_ID: u8 = 0x51;
    pub const LANE_INDEX: u8 = 0x52;
    pub const ROUTE_ID: u8 = 0x53;
    pub const EDGES: u8 = 0x54;
    pub const LANEPOSITION: u8 = 0x56;
    pub const ROUTE_INDEX: u8 = 0x69;
    pub const ACCELERATION: u8 = 0x72;
    pub const SLOWDOWN: u8 = 0x14;
    pub const CHANGELANE: u8 = 0x13;
    pub const CHANGETARGET: u8 = 0x31;
    pub const ROUTE: u8 = 0x57;
    pub const PARAMETER: u8 = 0x7e;
    pub const ADD: u8 = 0x80;
    pub const REMOVE: u8 = 0x81;
    pub const ADD_FULL: u8 = 0x85;
    pub const SPEEDSETMODE: u8 = 0xb3;
    pub const LANECHANGE_MODE: u8 = 0xb6;
    // Simulation variables.
    pub const TIME: u8 = 0x66;
    pub const TIME_STEP: u8 = 0x70;
    pub const LOADED_NUMBER: u8 = 0x71;
    pub const LOADED_IDS: u8 = 0x72;
    pub const DEPARTED_NUMBER: u8 = 0x73;
    pub const DEPARTED_IDS: u8 = 0x74;
    pub const ARRIVED_NUMBER: u8 = 0x79;
    pub const ARRIVED_IDS: u8 = 0x7a;
    pub const DELTA_T: u8 = 0x7b;
    pub const MIN_EXPECTED: u8 = 0x7d;
}

/// A world driven by TraCI, and what changed in its last step.
pub struct Sim {
    pub app: App,
    /// Vehicles on the road: (spawn index, entity, id), sorted by index.
    on_road: Vec<(u32, Entity, String)>,
    by_id: HashMap<String, Entity>,
    departed: Vec<String>,
    arrived: Vec<String>,
    loaded: Vec<String>,
    vehicles: QueryState<(Entity, &'static Vehicle)>,
    pub tls: Vec<Tls>,
    pub v2x: V2xView,
    /// Routes added by clients.
    pub routes: super::add::Routes,
    /// The spawn index the next added vehicle gets.
    next_index: u32,
    /// Vehicles removed by a client, reported as arrived after the next step (as in SUMO).
    removed: Vec<String>,
    /// Keep the departures, arrivals and V2X receptions TraCI reports (off: a plain world, as
    /// the view without clients needs; see [`Sim::set_tracking`]).
    tracking: bool,
}

/// A variable this domain does not have.
pub fn unknown_var(domain: &str, var: u8) -> String {
    format!("{domain} variable 0x{var:02x} is not implemented by sangam-sim (docs/traci.md)")
}

impl Sim {
    /// Take a built app (`runner::build_app`) and run its first update, which starts the
    /// clocks; the time is then 0 and no step has run, as in SUMO before the first
    /// `simulationStep`.
    pub fn new(mut app: App) -> Self {
        app.init_resource::<StationNames>()
            .init_resource::<AirEvents>();
        app.update();
        let vehicles = app.world_mut().query::<(Entity, &Vehicle)>();
        let tls = signals::signalised(app.world().resource::<RoadNetwork>());
        let plan = app.world().resource::<Departures>();
        let planned = plan.queue.len() + plan.gone.len();
        Sim {
            tls,
            routes: Default::default(),
            next_index: u32::try_from(planned).unwrap_or(u32::MAX),
            removed: Vec::new(),
            tracking: true,
            v2x: V2xView::default(),
            app,
            on_road: Vec::new(),
            by_id: HashMap::new(),
            departed: Vec::new(),
            arrived: Vec::new(),
            loaded: Vec::new(),
            vehicles,
        }
    }

    fn clock(&self) -> &SimClock {
        self.app.world().resource::<SimClock>()
    }

    /// Current simulated time, s.
    pub fn time(&self) -> f64 {
        self.clock().t()
    }

    pub fn dt(&self) -> f64 {
        self.clock().dt
    }

    /// The scenario's duration is reached: no more steps.
    pub fn ended(&self) -> bool {
        let c = self.clock();
        c.step >= c.total
    }

    /// Track what TraCI reports, or not (a world nobody queries steps without that work).
    /// Switch it on before the first step a client sees.
    pub fn set_tracking(&mut self, on: bool) {
        self.tracking = on;
    }

    /// Run one step and, when tracking, note who departed, arrived and was loaded in it and
    /// what was received.
    pub fn step(&mut self) {
        let before = self.app.world().resource::<Departures>().gone.len();
        self.app.update();
        if !self.tracking {
            return;
        }
        let deps = self.app.world().resource::<Departures>();
        self.loaded = deps.gone[before..]
            .iter()
            .map(|id| id.to_string())
            .collect();
        self.track();
        let now_us = self.clock().t_us();
        let world = self.app.world();
        let (events, names) = (
            world.resource::<AirEvents>(),
            world.resource::<StationNames>(),
        );
        self.v2x.update(events, names, now_us);
    }

    /// Compare the vehicles on the road with the last step's, both in spawn order.
    fn track(&mut self) {
        let world = self.app.world();
        let mut now: Vec<(u32, Entity)> = self
            .vehicles
            .iter(world)
            .map(|(e, v)| (v.index, e))
            .collect();
        now.sort_unstable_by_key(|(i, _)| *i);
        let old = std::mem::take(&mut self.on_road);
        self.departed.clear();
        self.arrived = std::mem::take(&mut self.removed);
        let mut old = old.into_iter().peekable();
        for (index, entity) in now {
            while let Some(gone) = old.next_if(|o| o.0 < index) {
                self.by_id.remove(&gone.2);
                self.arrived.push(gone.2);
            }
            if let Some(same) = old.next_if(|o| o.0 == index) {
                self.on_road.push(same);
                continue;
            }
            let id = world
                .get::<Vehicle>(entity)
                .map_or_else(String::new, |v| v.id.clone());
            self.by_id.insert(id.clone(), entity);
            self.departed.push(id.clone());
            self.on_road.push((index, entity, id));
        }
        for gone in old {
            self.by_id.remove(&gone.2);
            self.arrived.push(gone.2);
        }
    }

    /// Vehicles on the road or still to depart; 0 once the scenario has ended (a client's
    /// `while getMinExpectedNumber() > 0` loop then stops at the scenario's duration).
    fn min_expected(&self) -> usize {
        if self.ended() {
            return 0;
        }
        let d = self.app.world().resource::<Departures>();
        self.on_road.len() + d.queue.len() + d.waiting.len()
    }

    /// A variable of the simulation domain.
    pub fn sim_var(&self, v: u8, param: Option<&Value>) -> Result<Value, String> {
        let ids = |l: &[String]| Value::StrList(l.to_vec());
        let count = |n: usize| Value::Int(i32::try_from(n).unwrap_or(i32::MAX));
        Ok(match v {
            var::TIME => Value::Double(self.time()),
            var::TIME_STEP => Value::Int((self.time() * 1000.0).round() as i32),
            var::DELTA_T => Value::Double(self.dt()),
            var::DEPARTED_IDS => ids(&self.departed),
            var::DEPARTED_NUMBER => count(self.departed.len()),
            var::ARRIVED_IDS => ids(&self.arrived),
            var::ARRIVED_NUMBER => count(self.arrived.len()),
            var::LOADED_IDS => ids(&self.loaded),
            var::LOADED_NUMBER => count(self.loaded.len()),
            var::MIN_EXPECTED => count(self.min_expected()),
            var::PARAMETER => match param {
                Some(Value::Str(key)) => Value::Str(self.v2x.totals(key)?),
                _ => return Err("getParameter needs a string key".into()),
            },
            _ => return Err(unknown_var("simulation", v)),
        })
    }

    /// The vehicle with this id on the road, or SUMO's error text.
    pub fn vehicle(&self, id: &str) -> Result<Entity, String> {
        self.by_id
            .get(id)
            .copied()
            .ok_or_else(|| format!("Vehicle '{id}' is not known."))
    }

    /// Vehicle ids in SUMO's order (its vehicle dictionary is a `std::map`: by byte order).
    fn id_list(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.on_road.iter().map(|o| o.2.clone()).collect();
        ids.sort_unstable();
        ids
    }

    /// A variable of the vehicle domain (`id` is ignored for the id list and count).
    pub fn vehicle_var(&self, v: u8, id: &str, param: Option<&Value>) -> Result<Value, String> {
        match v {
            var::ID_LIST => return Ok(Value::StrList(self.id_list())),
            var::ID_COUNT => return Ok(Value::Int(self.on_road.len() as i32)),
            _ => {}
        }
        let e = self.vehicle(id)?;
        let world = self.app.world();
        let (Some(veh), Some(m), Some(tf), Some(route)) = (
            world.get::<Vehicle>(e),
            world.get::<Motion>(e),
            world.get::<Transform>(e),
            world.get::<Route>(e),
        ) else {
            return Err(format!("Vehicle '{id}' is not known."));
        };
        let net = world.resource::<RoadNetwork>();
        // The FCD row (front bumper, heading, lane) only for the variables that need it.
        let row = || crate::trace::fcd_row(net, veh, m, tf);
        let link = |l: u32| net.links.get(l as usize).map_or("", |l| l.id.as_str());
        Ok(match v {
            var::SPEED => Value::Double(m.v),
            var::ACCELERATION => Value::Double(m.acc),
            var::POSITION => {
                let [x, y] = row().front;
                Value::Pos2d(x, y)
            }
            // As SUMO: the front bumper, on the road's height there.
            var::POSITION3D => {
                let r = row();
                let [x, y] = r.front;
                Value::Pos3d(x, y, r.ground.map_or(0.0, |g| g.0))
            }
            var::ANGLE => Value::Double(row().heading),
            var::LENGTH => Value::Double(veh.body.length),
            var::TYPE => Value::Str(veh.kind.name().to_string()),
            var::VEHICLECLASS => Value::Str(veh.class.sumo_name().to_string()),
            var::SLOPE => Value::Double(row().ground.map_or(0.0, |g| g.1)),
            var::ROAD_ID => Value::Str(link(m.link).to_string()),
            var::LANE_ID => Value::Str(row().lane),
            var::LANE_INDEX => Value::Int(i32::from(m.lane)),
            var::LANEPOSITION => Value::Double(row().pos),
            var::ROUTE_ID => Value::Str(format!("!{id}")),
            var::EDGES => Value::StrList(route.links.iter().map(|&l| link(l).into()).collect()),
            var::ROUTE_INDEX => Value::Int(route.at as i32),
            var::SPEEDSETMODE => {
                Value::Int(world.get::<SpeedMode>(e).copied().unwrap_or_default().0)
            }
            var::LANECHANGE_MODE => {
                Value::Int(world.get::<LaneChangeMode>(e).map_or(1621, |m| m.0))
            }
            var::PARAMETER => match param {
                Some(Value::Str(key)) => Value::Str(self.v2x.vehicle(veh.index, key)?),
                _ => return Err("getParameter needs a string key".into()),
            },
            _ => return Err(unknown_var("vehicle", v)),
        })
    }

    /// Change a vehicle variable: speed (`setSpeed`, `slowDown`), lane (`changeLane`) and
    /// route (`changeTarget`, `setRoute`).
    pub fn set_vehicle(&mut self, v: u8, id: &str, value: &Value) -> Result<(), String> {
        if v == var::ADD_FULL {
            return self.add_vehicle(id, value);
        }
        let e = self.vehicle(id)?;
        match v {
            var::REMOVE => {
                self.remove_vehicle(e, id);
                Ok(())
            }
            var::SPEED | var::SLOWDOWN => self.set_speed(e, v, value),
            var::CHANGELANE => self.change_lane(e, value),
            var::SPEEDSETMODE | var::LANECHANGE_MODE => self.set_mode(e, v, value),
            var::CHANGETARGET | var::ROUTE => self.reroute(e, v, value),
            var::PARAMETER => match value {
                Value::Compound(kv) => match kv.as_slice() {
                    [Value::Str(k), Value::Str(event)] if k == "v2x.send.denm" => {
                        let t = self.time();
                        super::send::denm(self.app.world_mut(), e, event, t)
                    }
                    [Value::Str(k), _] => Err(super::v2x::unknown_key(k)),
                    _ => Err("setParameter needs (key, value)".into()),
                },
                _ => Err("setParameter needs (key, value)".into()),
            },
            _ => Err(unknown_var("vehicle", v)),
        }
    }

    fn set_speed(&mut self, e: Entity, v: u8, value: &Value) -> Result<(), String> {
        let t = self.time();
        let world = self.app.world_mut();
        let speed_now = world.get::<Motion>(e).map_or(0.0, |m| m.v);
        let command = match (v, value) {
            (var::SPEED, v) => match v.number() {
                Some(s) if !s.is_finite() => return Err(format!("setSpeed got {s}")),
                Some(s) if s < 0.0 => None,
                Some(s) => Some(SpeedCommand {
                    target: s,
                    ramp: None,
                }),
                None => return Err("setSpeed needs a double".into()),
            },
            (_, Value::Compound(items)) => {
                let (speed, dur) = numbers2(items).ok_or("slowDown needs (speed, duration)")?;
                if !(speed >= 0.0 && dur >= 0.0) {
                    return Err(format!(
                        "slowDown needs a speed and a duration >= 0, got {speed} and {dur}"
                    ));
                }
                Some(SpeedCommand {
                    target: speed,
                    ramp: Some((t, speed_now, t + dur)),
                })
            }
            _ => return Err("slowDown needs (speed, duration)".into()),
        };
        let mut ent = world.entity_mut(e);
        match command {
            Some(c) => ent.insert(c),
            None => ent.remove::<SpeedCommand>(),
        };
        Ok(())
    }

    /// `vehicle.add`: a departure in the plan, with the next spawn index.
    fn add_vehicle(&mut self, id: &str, value: &Value) -> Result<(), String> {
        if self.by_id.contains_key(id) {
            return Err(format!("Could not add vehicle '{id}': it exists"));
        }
        let t = self.time();
        let world = self.app.world_mut();
        super::add::vehicle(world, &self.routes, id, value, t, self.next_index)?;
        self.next_index += 1;
        Ok(())
    }

    /// `vehicle.remove`: off the road now, in the arrived list after the next step.
    fn remove_vehicle(&mut self, e: Entity, id: &str) {
        self.app.world_mut().despawn(e);
        self.on_road.retain(|o| o.1 != e);
        self.by_id.remove(id);
        self.removed.push(id.to_string());
    }

    /// `route.add` and the route domain's variables.
    pub fn add_route(&mut self, v: u8, id: &str, value: &Value) -> Result<(), String> {
        if v != var::ADD {
            return Err(unknown_var("route", v));
        }
        let net = self.app.world().resource::<RoadNetwork>();
        super::add::route(net, &mut self.routes, id, value)
    }

    pub fn route_var(&self, v: u8, id: &str) -> Result<Value, String> {
        match v {
            var::ID_LIST => Ok(Value::StrList(self.routes.keys().cloned().collect())),
            var::ID_COUNT => Ok(Value::Int(self.routes.len() as i32)),
            var::EDGES => self
                .routes
                .get(id)
                .map(|r| Value::StrList(r.clone()))
                .ok_or(format!("Route '{id}' is not known")),
            _ => Err(unknown_var("route", v)),
        }
    }

    /// `setSpeedMode` (bit 4 off: the driver runs red lights) and `setLaneChangeMode`.
    fn set_mode(&mut self, e: Entity, v: u8, value: &Value) -> Result<(), String> {
        let Value::Int(bits) = *value else {
            return Err("a mode is an integer".into());
        };
        let mut ent = self.app.world_mut().entity_mut(e);
        if v == var::SPEEDSETMODE {
            let mode = SpeedMode(bits);
            ent.insert(mode);
            if let Some(mut d) = ent.get_mut::<Driver>() {
                d.runs_red = !mode.obeys_signals();
            }
        } else {
            ent.insert(LaneChangeMode(bits));
        }
        Ok(())
    }

    /// `changeLane(id, lane, duration)`: a compound of a byte and a double.
    fn change_lane(&mut self, e: Entity, value: &Value) -> Result<(), String> {
        let bad = || "changeLane needs (lane index, duration)".to_string();
        let Value::Compound(items) = value else {
            return Err(bad());
        };
        let (lane, dur) = numbers2(items).ok_or_else(bad)?;
        if !(0.0..=255.0).contains(&lane) || dur.is_nan() || dur < 0.0 {
            return Err(format!("No lane with index {lane} on the vehicle's edge"));
        }
        let until = self.time() + dur;
        let cmd = LaneCommand {
            lane: lane as u8,
            until,
        };
        self.app.world_mut().entity_mut(e).insert(cmd);
        Ok(())
    }

    /// `changeTarget(id, edge)` (the fastest route from where it is) or `setRoute(id, edges)`
    /// (which must start with the current edge and connect).
    fn reroute(&mut self, e: Entity, v: u8, value: &Value) -> Result<(), String> {
        let world = self.app.world_mut();
        let m = *world.get::<Motion>(e).ok_or("vehicle without motion")?;
        let net = world.resource::<RoadNetwork>();
        let here = net.links[m.link as usize].id.clone();
        let links = match (v, value) {
            (var::CHANGETARGET, Value::Str(to)) => {
                net.link(to).ok_or(format!("Edge '{to}' is not known"))?;
                let trip = crate::scenario::spec::Route::LinkTrip {
                    from: here,
                    to: to.clone(),
                };
                resolve_route(&trip, net).ok_or(format!("No route to '{to}' from the vehicle"))?
            }
            (var::ROUTE, Value::StrList(ids)) => route_from(net, ids, m.link)?,
            _ => return Err("changeTarget needs an edge id, setRoute a list of them".into()),
        };
        world.entity_mut(e).insert(Route {
            links: links.into(),
            at: 0,
        });
        Ok(())
    }
}

/// A route given as edge ids: it must start on the current link and each edge must follow
/// the one before.
fn route_from(net: &RoadNetwork, ids: &[String], current: u32) -> Result<Vec<u32>, String> {
    let links: Vec<u32> = ids
        .iter()
        .map(|id| net.link(id).ok_or(format!("Edge '{id}' is not known")))
        .collect::<Result<_, _>>()?;
    if links.first() != Some(&current) {
        return Err(format!(
            "Route replacement failed: the route must start with the current edge '{}'",
            net.links[current as usize].id
        ));
    }
    super::add::connected(net, &links).map_err(|e| format!("Route replacement failed: {e}"))?;
    Ok(links)
}

/// Two numbers of a compound.
fn numbers2(items: &[Value]) -> Option<(f64, f64)> {
    match items {
        [a, b] => Some((a.number()?, b.number()?)),
        _ => None,
    }
}

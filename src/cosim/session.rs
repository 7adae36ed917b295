//! One client's commands, answered from the world: the control commands (`getVersion`,
//! `simulationStep`, `setOrder`, `close`), the vehicle and simulation domains' get, set and
//! variable-subscription commands. Command ids and layouts: SUMO's `TraCIConstants.h` and
//! documentation ("TraCI/Control-related commands", "TraCI/Object Variable Subscription").
use super::codec::{
    CodecError, Command, RTYPE_ERR, RTYPE_NOTIMPLEMENTED, RTYPE_OK, Reader, Value, Writer,
};
use super::network::{CMD_GET_EDGE, CMD_GET_LANE, CMD_GET_PERSON, edge_var, lane_var, person_var};
use super::signals::{CMD_GET_TL, CMD_SET_TL};
use super::world::Sim;

pub const CMD_GETVERSION: u8 = 0x00;
pub const CMD_SIMSTEP: u8 = 0x02;
pub const CMD_SETORDER: u8 = 0x03;
pub const CMD_CLOSE: u8 = 0x7F;
const CMD_GET_VEHICLE: u8 = 0xa4;
const CMD_SET_VEHICLE: u8 = 0xc4;
const CMD_SUBSCRIBE_VEHICLE: u8 = 0xd4;
const CMD_GET_SIM: u8 = 0xab;
const CMD_SET_SIM: u8 = 0xcb;
const CMD_CONTEXT_VEHICLE: u8 = 0x84;
const CMD_GET_ROUTE: u8 = 0xa6;
const CMD_SET_ROUTE: u8 = 0xc6;
const CMD_CONTEXT_SIM: u8 = 0x8b;
/// A variable subscription's id is its domain's get command's plus this.
const SUBSCRIBE_OFFSET: u8 = 0x30;
/// A response command's id is its request's plus this (get and subscribe alike).
const RESPONSE_OFFSET: u8 = 0x10;

/// The TraCI API version spoken: that of SUMO 1.28 and its Python client.
pub const API_VERSION: i32 = 22;

/// SUMO's "no time limit" for a subscription's begin or end.
const INVALID_DOUBLE: f64 = -1_073_741_824.0;

/// What the server does after a command.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Next {
    /// Answer the next command.
    More,
    /// Step until this time (the reply comes once it is reached).
    Step(f64),
    /// The client said goodbye.
    Close,
}

/// A variable subscription: values sent after every step while `begin <= t <= end`.
#[derive(Debug, Clone, PartialEq)]
struct Subscription {
    /// The subscribe command (vehicle or simulation domain).
    cmd: u8,
    id: String,
    vars: Vec<u8>,
    begin: f64,
    end: f64,
    /// A context subscription: the objects' domain (its get command) and the distance, m.
    context: Option<(u8, f64)>,
}

/// One connected client's state.
#[derive(Debug, Default)]
pub struct Client {
    /// Its place in the order of clients (`setOrder`).
    pub order: Option<i32>,
    subs: Vec<Subscription>,
}

impl Client {
    /// Answer one command into `out`; a step is answered later by [`Client::step_reply`].
    pub fn handle(&mut self, sim: &mut Sim, cmd: Command, out: &mut Writer) -> Next {
        let mut r = Reader::new(cmd.body);
        let result = match cmd.id {
            CMD_GETVERSION => version(out),
            CMD_SIMSTEP => return step_target(sim, &mut r, out),
            CMD_SETORDER => r
                .int()
                .map(|o| {
                    self.order = Some(o);
                    out.status(cmd.id, RTYPE_OK, "");
                })
                .map_err(malformed(cmd.id)),
            CMD_CLOSE => {
                out.status(cmd.id, RTYPE_OK, "");
                return Next::Close;
            }
            id if is_get(id) => get(sim, cmd.id, &mut r, out),
            CMD_SET_TL | CMD_SET_SIM | CMD_SET_ROUTE | CMD_SET_VEHICLE => set(sim, cmd.id, &mut r)
                .map(|()| {
                    out.status(cmd.id, RTYPE_OK, "");
                }),
            id if is_get(id.wrapping_sub(SUBSCRIBE_OFFSET)) => {
                self.subscribe(sim, cmd.id, &mut r, out)
            }
            CMD_CONTEXT_VEHICLE | CMD_CONTEXT_SIM => self.subscribe(sim, cmd.id, &mut r, out),
            id => {
                let text = format!(
                    "command 0x{id:02x} is not implemented by sangam-sim (docs/traci.md lists what is)"
                );
                out.status(id, RTYPE_NOTIMPLEMENTED, &text);
                return Next::More;
            }
        };
        match result {
            Ok(()) => {}
            Err(e) => {
                out.status(cmd.id, RTYPE_ERR, &e);
            }
        }
        Next::More
    }

    /// The reply to a `simulationStep` once its time is reached: the status, then the
    /// results of every live subscription, in the order they were made.
    pub fn step_reply(&mut self, sim: &mut Sim, out: &mut Writer) {
        let t = sim.time();
        self.subs.retain(|s| {
            let on_vehicle = s.cmd == CMD_SUBSCRIBE_VEHICLE || s.cmd == CMD_CONTEXT_VEHICLE;
            let alive = !on_vehicle || sim.vehicle(&s.id).is_ok();
            alive && (s.end == INVALID_DOUBLE || t <= s.end)
        });
        let live: Vec<&Subscription> = self
            .subs
            .iter()
            .filter(|s| s.begin == INVALID_DOUBLE || t >= s.begin)
            .collect();
        out.status(CMD_SIMSTEP, RTYPE_OK, "");
        out.int(live.len() as i32);
        for s in live {
            subscription_result(sim, s, out);
        }
    }

    /// Subscribe to (or, with no variables, unsubscribe from) an object's variables. The
    /// reply carries their current values, as SUMO's does.
    fn subscribe(
        &mut self,
        sim: &mut Sim,
        cmd: u8,
        r: &mut Reader,
        out: &mut Writer,
    ) -> Result<(), String> {
        let bad = malformed(cmd);
        let (begin, end) = (r.double().map_err(&bad)?, r.double().map_err(&bad)?);
        let id = r.string().map_err(&bad)?;
        let context = if cmd < CMD_GET_VEHICLE {
            let domain = r.ubyte().map_err(&bad)?;
            let dist = r.double().map_err(&bad)?;
            if domain != CMD_GET_VEHICLE {
                return Err(format!(
                    "context subscriptions to domain 0x{domain:02x} are not implemented by sangam-sim (vehicles are: 0xa4)"
                ));
            }
            Some((domain, dist))
        } else {
            None
        };
        let n = r.ubyte().map_err(&bad)?;
        let vars = (0..n)
            .map(|_| r.ubyte())
            .collect::<Result<Vec<u8>, _>>()
            .map_err(&bad)?;
        self.subs.retain(|s| s.cmd != cmd || s.id != id);
        if vars.is_empty() {
            out.status(cmd, RTYPE_OK, "");
            return Ok(());
        }
        if cmd == CMD_SUBSCRIBE_VEHICLE || cmd == CMD_CONTEXT_VEHICLE {
            sim.vehicle(&id)?;
        }
        let sub = Subscription {
            cmd,
            id,
            vars,
            begin,
            end,
            context,
        };
        out.status(cmd, RTYPE_OK, "");
        subscription_result(sim, &sub, out);
        self.subs.push(sub);
        Ok(())
    }
}

/// The get commands of the domains served.
fn is_get(cmd: u8) -> bool {
    matches!(
        cmd,
        CMD_GET_VEHICLE
            | CMD_GET_SIM
            | CMD_GET_TL
            | CMD_GET_LANE
            | CMD_GET_EDGE
            | CMD_GET_PERSON
            | CMD_GET_ROUTE
    )
}

/// A command whose content could not be read.
fn malformed(cmd: u8) -> impl Fn(CodecError) -> String {
    move |e| format!("malformed command 0x{cmd:02x}: {e}")
}

fn version(out: &mut Writer) -> Result<(), String> {
    let mut c = Writer::default();
    c.int(API_VERSION)
        .string(&format!("sangam-sim {}", env!("CARGO_PKG_VERSION")));
    out.status(CMD_GETVERSION, RTYPE_OK, "");
    out.command(CMD_GETVERSION, &c.buf);
    Ok(())
}

/// `simulationStep(t)`: 0 means one step; a time not after the current one means none
/// (answered at once); past the scenario's end is an error.
fn step_target(sim: &Sim, r: &mut Reader, out: &mut Writer) -> Next {
    let target = match r.double() {
        Ok(t) if t.is_finite() => t,
        Ok(t) => {
            out.status(CMD_SIMSTEP, RTYPE_ERR, &format!("simulationStep to {t}"));
            return Next::More;
        }
        Err(e) => {
            out.status(CMD_SIMSTEP, RTYPE_ERR, &malformed(CMD_SIMSTEP)(e));
            return Next::More;
        }
    };
    if sim.ended() && (target == 0.0 || target > sim.time()) {
        let text = format!(
            "the scenario ends at {} s (its duration): no more steps; close the connection",
            sim.time()
        );
        out.status(CMD_SIMSTEP, RTYPE_ERR, &text);
        return Next::More;
    }
    if target == 0.0 {
        Next::Step(sim.time() + sim.dt() * 0.5)
    } else {
        Next::Step(target)
    }
}

/// A get command: variable, object id, then the response command with the typed value.
fn get(sim: &mut Sim, cmd: u8, r: &mut Reader, out: &mut Writer) -> Result<(), String> {
    let bad = malformed(cmd);
    let var = r.ubyte().map_err(&bad)?;
    let id = r.string().map_err(&bad)?;
    let param = if r.left() > 0 {
        Some(r.value().map_err(&bad)?)
    } else {
        None
    };
    let value = value_of(sim, cmd, var, &id, param.as_ref())?;
    let mut c = Writer::default();
    c.ubyte(var).string(&id).value(&value);
    out.status(cmd, RTYPE_OK, "");
    out.command(cmd + RESPONSE_OFFSET, &c.buf);
    Ok(())
}

fn value_of(
    sim: &mut Sim,
    cmd: u8,
    var: u8,
    id: &str,
    param: Option<&Value>,
) -> Result<Value, String> {
    let t = sim.time();
    match cmd {
        CMD_GET_VEHICLE => sim.vehicle_var(var, id, param),
        CMD_GET_TL => {
            let net = sim.app.world().resource::<crate::road::RoadNetwork>();
            super::signals::get(net, &sim.tls, var, id, t)
        }
        CMD_GET_LANE => lane_var(sim.app.world_mut(), var, id),
        CMD_GET_EDGE => edge_var(sim.app.world_mut(), var, id),
        CMD_GET_PERSON => person_var(sim.app.world_mut(), var, id),
        CMD_GET_ROUTE => sim.route_var(var, id),
        _ => sim.sim_var(var, param),
    }
}

/// A set command: variable, object id, typed value, for the domain of `cmd`.
fn set(sim: &mut Sim, cmd: u8, r: &mut Reader) -> Result<(), String> {
    let bad = malformed(cmd);
    let var = r.ubyte().map_err(&bad)?;
    let id = r.string().map_err(&bad)?;
    let value = r.value().map_err(&bad)?;
    let t = sim.time();
    match cmd {
        CMD_SET_VEHICLE => sim.set_vehicle(var, &id, &value),
        CMD_SET_ROUTE => sim.add_route(var, &id, &value),
        CMD_SET_TL => {
            let Sim { app, tls, .. } = sim;
            let mut net = app.world_mut().resource_mut::<crate::road::RoadNetwork>();
            super::signals::set(&mut net, tls, var, &id, &value, t)
        }
        _ => set_sim(sim, var, &id, value, t),
    }
}

/// The simulation domain's `setParameter(RSU, "v2x.send.denm", EVENT)`: an RSU sends.
fn set_sim(sim: &mut Sim, var: u8, id: &str, value: Value, t: f64) -> Result<(), String> {
    match (var, value) {
        (0x7e, Value::Compound(kv)) => match kv.as_slice() {
            [Value::Str(k), Value::Str(event)] if k == "v2x.send.denm" => {
                super::send::rsu_denm(sim.app.world_mut(), id, event, t)
            }
            [Value::Str(k), _] => Err(super::v2x::unknown_key(k)),
            _ => Err("setParameter needs (key, value)".into()),
        },
        _ => Err(format!(
            "simulation variable 0x{var:02x} cannot be set in sangam-sim (docs/traci.md)"
        )),
    }
}

/// One subscription's values: the response command with, per variable, its status and value
/// (or an error text).
fn subscription_result(sim: &mut Sim, s: &Subscription, out: &mut Writer) {
    if let Some((domain, dist)) = s.context {
        return context_result(sim, s, domain, dist, out);
    }
    let mut c = Writer::default();
    c.string(&s.id).ubyte(s.vars.len() as u8);
    for &v in &s.vars {
        c.ubyte(v);
        match value_of(sim, s.cmd - SUBSCRIBE_OFFSET, v, &s.id, None) {
            Ok(value) => c.ubyte(RTYPE_OK).value(&value),
            Err(e) => c.ubyte(RTYPE_ERR).value(&Value::Str(e)),
        };
    }
    out.command(s.cmd + RESPONSE_OFFSET, &c.buf);
}

/// A context subscription's values: every vehicle within `dist` of the ego vehicle's position
/// (itself included, as in SUMO), or every vehicle for the simulation's context, by id; per
/// vehicle, each variable's status and value.
fn context_result(sim: &mut Sim, s: &Subscription, domain: u8, dist: f64, out: &mut Writer) {
    let pos = |sim: &Sim, id: &str| match sim.vehicle_var(0x42, id, None) {
        Ok(Value::Pos2d(x, y)) => Some((x, y)),
        _ => None,
    };
    let centre = (s.cmd == CMD_CONTEXT_VEHICLE)
        .then(|| pos(sim, &s.id))
        .flatten();
    let ids: Vec<String> = match sim.vehicle_var(0x00, "", None) {
        Ok(Value::StrList(ids)) => ids,
        _ => Vec::new(),
    };
    let near: Vec<String> = ids
        .into_iter()
        .filter(|id| match (centre, pos(sim, id)) {
            (Some(c), Some(p)) => (p.0 - c.0).hypot(p.1 - c.1) <= dist,
            _ => s.cmd == CMD_CONTEXT_SIM,
        })
        .collect();
    let mut c = Writer::default();
    c.string(&s.id).ubyte(domain).ubyte(s.vars.len() as u8);
    c.int(near.len() as i32);
    for id in &near {
        c.string(id);
        for &v in &s.vars {
            c.ubyte(v);
            match value_of(sim, domain, v, id, None) {
                Ok(value) => c.ubyte(RTYPE_OK).value(&value),
                Err(e) => c.ubyte(RTYPE_ERR).value(&Value::Str(e)),
            };
        }
    }
    out.command(s.cmd + RESPONSE_OFFSET, &c.buf);
}

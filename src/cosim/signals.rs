//! The traffic light domain: signal states, phases and controlled links of the signalised
//! junctions, and switching them (SUMO documentation, "TraCI/Traffic Lights Value Retrieval"
//! and "Change Traffic Lights State").
//!
//! A junction's controlled links, in TraCI's index order, are its movements (incoming link,
//! outgoing link) sorted by link index; each has one signal character: `G` protected green,
//! `g` permissive green (yields to protected movements), `y` amber, `r` red.
use crate::road::RoadNetwork;
use crate::road::network::JunctionCtl;
use crate::road::signals::{Colour, Interval, Program, TurnTiming};

use super::codec::Value;
use super::world::unknown_var;

pub const CMD_GET_TL: u8 = 0xa2;
pub const CMD_SET_TL: u8 = 0xc2;
const ID_LIST: u8 = 0x00;
const ID_COUNT: u8 = 0x01;
const STATE: u8 = 0x20;
const PHASE_INDEX: u8 = 0x22;
const PROGRAM: u8 = 0x23;
const PHASE_DURATION: u8 = 0x24;
const CONTROLLED_LANES: u8 = 0x26;
const CONTROLLED_LINKS: u8 = 0x27;
const CURRENT_PHASE: u8 = 0x28;
const CURRENT_PROGRAM: u8 = 0x29;
const NEXT_SWITCH: u8 = 0x2d;

/// One signalised junction as TraCI addresses it.
#[derive(Debug, Clone)]
pub struct Tls {
    pub id: String,
    /// Index into `RoadNetwork::junctions`.
    junction: usize,
    movements: Vec<(u32, u32)>,
    /// The static program, kept while a held state (SUMO's program "online") replaces it,
    /// so that `setProgram("0")` can bring it back.
    online: Option<Program>,
}

/// The signalised junctions, sorted by id (SUMO's traffic light dictionary is a `std::map`).
pub fn signalised(net: &RoadNetwork) -> Vec<Tls> {
    let mut tls: Vec<Tls> = net
        .junctions
        .iter()
        .enumerate()
        .filter(|(_, j)| matches!(j.ctl, JunctionCtl::Signal(_)))
        .map(|(i, j)| Tls {
            id: j.id.clone(),
            junction: i,
            movements: Vec::new(),
            online: None,
        })
        .collect();
    tls.sort_by(|a, b| a.id.cmp(&b.id));
    for (&(a, b, _), _) in net.turns() {
        let node = net.links[a as usize].to;
        let Some(j) = net.nodes[node as usize].junction else {
            continue;
        };
        if let Some(t) = tls.iter_mut().find(|t| t.junction == j as usize) {
            t.movements.push((a, b));
        }
    }
    for t in &mut tls {
        t.movements.sort_unstable();
        t.movements.dedup();
    }
    tls
}

fn program<'a>(net: &'a RoadNetwork, t: &Tls) -> Option<&'a Program> {
    match &net.junctions.get(t.junction)?.ctl {
        JunctionCtl::Signal(p) => Some(p),
        JunctionCtl::Priority { .. } => None,
    }
}

fn signal_char(p: &Program, (a, b): (u32, u32), t: f64) -> char {
    match p.turn_state(a, b, t).colour {
        Colour::Green if p.permissive(a, b, t) => 'g',
        Colour::Green => 'G',
        Colour::Amber => 'y',
        Colour::Red => 'r',
    }
}

fn find<'a>(tls: &'a [Tls], id: &str) -> Result<&'a Tls, String> {
    tls.binary_search_by(|t| t.id.as_str().cmp(id))
        .map(|i| &tls[i])
        .map_err(|_| format!("Traffic light '{id}' is not known"))
}

/// A variable of the traffic light domain at time `t`.
pub fn get(net: &RoadNetwork, tls: &[Tls], var: u8, id: &str, t: f64) -> Result<Value, String> {
    match var {
        ID_LIST => return Ok(Value::StrList(tls.iter().map(|t| t.id.clone()).collect())),
        ID_COUNT => return Ok(Value::Int(tls.len() as i32)),
        _ => {}
    }
    let tl = find(tls, id)?;
    let p = program(net, tl).ok_or_else(|| format!("Traffic light '{id}' is not known"))?;
    let phase = p.phase_at(t);
    let span = |i: usize| {
        let next = p.phases.get(i + 1).map_or(p.cycle, |n| n.0);
        next - p.phases[i].0
    };
    let lane = |l: u32, k: u8| format!("{}_{k}", net.links[l as usize].id);
    Ok(match var {
        STATE => Value::Str(tl.movements.iter().map(|&m| signal_char(p, m, t)).collect()),
        CURRENT_PHASE => Value::Int(phase.map_or(0, |(i, _)| i as i32)),
        CURRENT_PROGRAM => Value::Str(if tl.online.is_some() { "online" } else { "0" }.into()),
        PHASE_DURATION => Value::Double(phase.map_or(f64::INFINITY, |(i, _)| span(i))),
        NEXT_SWITCH => Value::Double(phase.map_or(f64::INFINITY, |(i, start)| start + span(i))),
        CONTROLLED_LANES => Value::StrList(
            tl.movements
                .iter()
                .map(|&(a, b)| lane(a, net.lanes_for(a, b).0))
                .collect(),
        ),
        CONTROLLED_LINKS => {
            let mut items = vec![Value::Int(tl.movements.len() as i32)];
            for &(a, b) in &tl.movements {
                let (lo, hi) = net.lanes_for(a, b);
                items.push(Value::Int(i32::from(hi - lo) + 1));
                for k in lo..=hi {
                    let to = net.entry_lane(a, b, k);
                    items.push(Value::StrList(vec![lane(a, k), lane(b, to), String::new()]));
                }
            }
            Value::Compound(items)
        }
        _ => return Err(unknown_var("traffic light", var)),
    })
}

/// Change a traffic light: its signal state (held until changed again: SUMO's "online"
/// program; `setProgram("0")` brings the static program back), its phase (the cycle restarts at that phase now) or the time left of the
/// current phase's green (the cycle shifts; later phases keep their durations).
pub fn set(
    net: &mut RoadNetwork,
    tls: &mut [Tls],
    var: u8,
    id: &str,
    value: &Value,
    t: f64,
) -> Result<(), String> {
    let i = tls
        .binary_search_by(|t| t.id.as_str().cmp(id))
        .map_err(|_| format!("Traffic light '{id}' is not known"))?;
    let tl = &mut tls[i];
    let JunctionCtl::Signal(p) = &mut net.junctions[tl.junction].ctl else {
        return Err(format!("Traffic light '{id}' is not known"));
    };
    match (var, value) {
        (STATE, Value::Str(state)) => {
            let static_program = std::mem::replace(p, held(&tl.movements, state)?);
            tl.online.get_or_insert(static_program);
        }
        (PROGRAM, Value::Str(name)) if name == "0" => {
            if let Some(static_program) = tl.online.take() {
                *p = static_program;
            }
        }
        (PROGRAM, Value::Str(name)) => {
            return Err(format!(
                "Could not set program '{name}' for traffic light '{id}': sangam-sim has one static program, '0'"
            ));
        }
        (PHASE_INDEX, Value::Int(k)) => {
            let k = usize::try_from(*k)
                .ok()
                .filter(|&k| k < p.phases.len())
                .ok_or_else(|| {
                    format!(
                        "The phase index {k} is not in the allowed range [0,{}].",
                        p.phases.len().saturating_sub(1)
                    )
                })?;
            p.jump_to_phase(k, t);
        }
        (PHASE_DURATION, v) => {
            let d = v
                .number()
                .ok_or("setPhaseDuration needs a number of seconds")?;
            p.green_for(d, t)?;
        }
        _ => return Err(unknown_var("traffic light", var)),
    }
    Ok(())
}

/// A program that holds one signal character per movement until it is replaced.
fn held(movements: &[(u32, u32)], state: &str) -> Result<Program, String> {
    let chars: Vec<char> = state.chars().collect();
    if chars.len() != movements.len() {
        return Err(format!(
            "The state has {} signals, but the traffic light controls {} links",
            chars.len(),
            movements.len()
        ));
    }
    let colour = |c: char| match c {
        'G' | 'g' => Ok(Colour::Green),
        'y' | 'Y' => Ok(Colour::Amber),
        'r' | 'R' => Ok(Colour::Red),
        other => Err(format!(
            "signal '{other}' is not supported: use G, g, y or r (docs/traci.md)"
        )),
    };
    let constant = |c: Colour| {
        vec![Interval {
            start: 0.0,
            end: 1.0,
            colour: c,
        }]
    };
    let mut timelines: Vec<(u32, Vec<Interval>)> = Vec::new();
    let mut turns = Vec::new();
    for (&(a, b), &c) in movements.iter().zip(&chars) {
        let col = colour(c)?;
        match timelines.last_mut() {
            Some((l, tl)) if *l == a => tl[0].colour = tl[0].colour.min(col),
            _ => timelines.push((a, constant(col))),
        }
        let permissive = if c == 'g' {
            vec![(0.0, 1.0)]
        } else {
            Vec::new()
        };
        let timing = TurnTiming {
            timeline: constant(col),
            permissive,
        };
        turns.push(((a, b), timing));
    }
    let rest = timelines
        .iter()
        .map(|(l, _)| (*l, constant(Colour::Red)))
        .collect();
    Ok(Program {
        cycle: 1.0,
        offset: 0.0,
        timelines,
        turns,
        rest,
        phases: vec![(0.0, 1.0)],
    })
}

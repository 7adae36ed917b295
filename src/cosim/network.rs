//! The lane, edge and person domains (SUMO documentation, "TraCI/Lane Value Retrieval",
//! "Edge Value Retrieval", "Person Value Retrieval"). A lane id is `<link id>_<index>`, lane 0
//! the rightmost, as in SUMO; an edge is a link.
use bevy::prelude::*;

use super::codec::Value;
use super::world::unknown_var;
use crate::road::RoadNetwork;
use crate::traffic::components::{Motion, Pedestrian, Vehicle};

pub const CMD_GET_LANE: u8 = 0xa3;
pub const CMD_GET_EDGE: u8 = 0xaa;
pub const CMD_GET_PERSON: u8 = 0xae;
const ID_LIST: u8 = 0x00;
const ID_COUNT: u8 = 0x01;
const VEHICLE_NUMBER: u8 = 0x10;
const MEAN_SPEED: u8 = 0x11;
const VEHICLE_IDS: u8 = 0x12;
const NAME: u8 = 0x1b;
const EDGE_ID: u8 = 0x31;
const MAXSPEED: u8 = 0x41;
const POSITION: u8 = 0x42;
const LENGTH: u8 = 0x44;
const WIDTH: u8 = 0x4d;
const ROAD_ID: u8 = 0x50;
const LANE_NUMBER: u8 = 0x52;
const SPEED: u8 = 0x40;

/// Every lane id, links in index order, lanes from the rightmost.
fn lane_ids(net: &RoadNetwork) -> Vec<String> {
    net.links
        .iter()
        .flat_map(|l| (0..l.lanes).map(move |k| format!("{}_{k}", l.id)))
        .collect()
}

/// (link, lane) of a lane id: the link id is everything before the last `_`.
fn lane(net: &RoadNetwork, id: &str) -> Result<(u32, u8), String> {
    let unknown = || format!("Lane '{id}' is not known");
    let (link, k) = id.rsplit_once('_').ok_or_else(unknown)?;
    let l = net.link(link).ok_or_else(unknown)?;
    let k: u8 = k.parse().map_err(|_| unknown())?;
    (k < net.links[l as usize].lanes)
        .then_some((l, k))
        .ok_or_else(unknown)
}

/// Vehicles on a link (one lane of it, or all), upstream first: (id, speed).
fn on(world: &mut World, link: u32, lane: Option<u8>) -> Vec<(String, f64)> {
    let mut q = world.query::<(&Vehicle, &Motion)>();
    let mut found: Vec<(f64, String, f64)> = q
        .iter(world)
        .filter(|(_, m)| m.link == link && lane.is_none_or(|k| m.lane == k))
        .map(|(v, m)| (m.s, v.id.clone(), m.v))
        .collect();
    found.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    found.into_iter().map(|(_, id, v)| (id, v)).collect()
}

/// The counts, mean speed (the limit when empty, as SUMO) or ids of the last step.
fn last_step(var: u8, found: Vec<(String, f64)>, limit: f64) -> Value {
    match var {
        VEHICLE_NUMBER => Value::Int(found.len() as i32),
        MEAN_SPEED if found.is_empty() => Value::Double(limit),
        MEAN_SPEED => Value::Double(found.iter().map(|f| f.1).sum::<f64>() / found.len() as f64),
        _ => Value::StrList(found.into_iter().map(|f| f.0).collect()),
    }
}

/// A variable of the lane domain.
pub fn lane_var(world: &mut World, var: u8, id: &str) -> Result<Value, String> {
    let net = world.resource::<RoadNetwork>();
    match var {
        ID_LIST => return Ok(Value::StrList(lane_ids(net))),
        ID_COUNT => return Ok(Value::Int(lane_ids(net).len() as i32)),
        _ => {}
    }
    let (l, k) = lane(net, id)?;
    let link = &net.links[l as usize];
    Ok(match var {
        LENGTH => Value::Double(link.lane_arc(k, link.length)),
        MAXSPEED => Value::Double(link.speed_limit),
        WIDTH => Value::Double(link.lane_width),
        EDGE_ID => Value::Str(link.id.clone()),
        VEHICLE_NUMBER | MEAN_SPEED | VEHICLE_IDS => {
            let limit = link.speed_limit;
            last_step(var, on(world, l, Some(k)), limit)
        }
        _ => return Err(unknown_var("lane", var)),
    })
}

/// A variable of the edge domain.
pub fn edge_var(world: &mut World, var: u8, id: &str) -> Result<Value, String> {
    let net = world.resource::<RoadNetwork>();
    match var {
        ID_LIST => {
            return Ok(Value::StrList(
                net.links.iter().map(|l| l.id.clone()).collect(),
            ));
        }
        ID_COUNT => return Ok(Value::Int(net.links.len() as i32)),
        _ => {}
    }
    let l = net
        .link(id)
        .ok_or_else(|| format!("Edge '{id}' is not known"))?;
    let link = &net.links[l as usize];
    Ok(match var {
        LANE_NUMBER => Value::Int(i32::from(link.lanes)),
        NAME => Value::Str(link.name.clone()),
        VEHICLE_NUMBER | MEAN_SPEED | VEHICLE_IDS => {
            let limit = link.speed_limit;
            last_step(var, on(world, l, None), limit)
        }
        _ => return Err(unknown_var("edge", var)),
    })
}

/// A variable of the person domain: pedestrians on their crossing.
pub fn person_var(world: &mut World, var: u8, id: &str) -> Result<Value, String> {
    let mut q = world.query::<(&Pedestrian, &Transform)>();
    let mut all: Vec<(&Pedestrian, &Transform)> = q.iter(world).collect();
    all.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    match var {
        ID_LIST => return Ok(Value::StrList(all.iter().map(|p| p.0.id.clone()).collect())),
        ID_COUNT => return Ok(Value::Int(all.len() as i32)),
        _ => {}
    }
    let (p, tf) = all
        .into_iter()
        .find(|p| p.0.id == id)
        .ok_or_else(|| format!("Person '{id}' is not known"))?;
    let net = world.resource::<RoadNetwork>();
    Ok(match var {
        POSITION => Value::Pos2d(f64::from(tf.translation.x), -f64::from(tf.translation.z)),
        SPEED => Value::Double(p.speed),
        ROAD_ID => Value::Str(net.links.get(p.link as usize).map_or("", |l| &l.id).into()),
        _ => return Err(unknown_var("person", var)),
    })
}

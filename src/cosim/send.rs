//! Making a vehicle or a roadside unit send through TraCI: `setParameter(id, "v2x.send.denm",
//! EVENT)` starts a DENM event at the vehicle (or, through the simulation domain, at the RSU
//! `id`), as its own detection would: the unit repeats it at the scenario's DENM interval for
//! its repetition duration (EN 302 637-3; `v2x.messages`), and receivers react to it as to any
//! other. An RSU's event then ends with a cancellation DENM, as for a hazard it no longer sees.
use bevy::prelude::*;

use crate::ids::StationId;
use crate::sim::SpecRes;
use crate::traffic::components::Vehicle;
use crate::v2x::denm::{DenmOriginator, DenmTiming};
use crate::v2x::messages::DenmEvent;
use crate::v2x::nodes::{OnBoard, Rsu};

/// The events a client may raise, by their ETSI TS 102 894-2 cause names.
const EVENTS: [(&str, DenmEvent); 5] = [
    ("stationaryVehicle", DenmEvent::StalledVehicle),
    ("dangerousSituation", DenmEvent::EmergencyBraking),
    ("roadworks", DenmEvent::RoadWorks),
    ("collisionRisk", DenmEvent::CollisionRisk),
    ("hazardousLocation", DenmEvent::HazardousLocation),
];

/// The event named `event`, in a scenario that sends DENMs: (event, DENM timing).
fn event_in(world: &World, event: &str) -> Result<(DenmEvent, DenmTiming), String> {
    let names = || EVENTS.map(|(n, _)| n).join(", ");
    let kind = EVENTS
        .iter()
        .find(|(n, _)| *n == event)
        .map(|(_, k)| *k)
        .ok_or_else(|| {
            format!(
                "v2x.send.denm: unknown event '{event}', expected one of {}",
                names()
            )
        })?;
    let spec = &world.resource::<SpecRes>().0;
    if !(spec.v2x.enabled && spec.v2x.messages.denm) {
        return Err(
            "v2x.send.denm: DENMs are off in this scenario (v2x.enabled, v2x.messages.denm)".into(),
        );
    }
    Ok((kind, DenmTiming::of(&spec.v2x.messages)))
}

/// Start a DENM event `event` at the vehicle `e` at time `t`.
pub fn denm(world: &mut World, e: Entity, event: &str, t: f64) -> Result<(), String> {
    let (kind, timing) = event_in(world, event)?;
    let (index, pos) = match (world.get::<Vehicle>(e), world.get::<Transform>(e)) {
        (Some(v), Some(tf)) => (
            v.index,
            (f64::from(tf.translation.x), -f64::from(tf.translation.z)),
        ),
        _ => return Err("v2x.send.denm: no such vehicle".into()),
    };
    let Some(mut ob) = world.get_mut::<OnBoard>(e) else {
        return Err("v2x.send.denm: this vehicle has no on-board unit (v2x.obu)".into());
    };
    if ob.own_denm.is_some() {
        return Err("v2x.send.denm: this vehicle's own DENM event is still under way".into());
    }
    let id = ob.sequence.next(index);
    ob.own_denm = Some(DenmOriginator::trigger(id, kind, pos, t, timing));
    Ok(())
}

/// Start a DENM event `event` at the RSU `id` at time `t`.
pub fn rsu_denm(world: &mut World, id: &str, event: &str, t: f64) -> Result<(), String> {
    let (kind, timing) = event_in(world, event)?;
    let mut q = world.query::<&mut Rsu>();
    let mut rsu = q
        .iter_mut(world)
        .find(|r| r.id == id)
        .ok_or_else(|| format!("v2x.send.denm: no roadside unit '{id}'"))?;
    let station = StationId::Rsu(rsu.index)
        .wire()
        .ok_or("v2x.send.denm: RSU index out of range")?;
    let aid = rsu.sequence.next(station);
    // Seen until its repetitions are over: then cancelled, as a hazard no longer seen.
    let until = t + timing.duration_s.unwrap_or(timing.validity_s);
    let o = DenmOriginator::trigger(aid, kind, (rsu.pos[0], rsu.pos[1]), t, timing);
    rsu.denms.push((u32::MAX, o, until));
    Ok(())
}

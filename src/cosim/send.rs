//! Making a vehicle send through TraCI: `setParameter(id, "v2x.send.denm", EVENT)` starts a
//! DENM event at the vehicle, as its own detection would (a hard brake, a breakdown): the
//! on-board unit repeats it at the scenario's DENM interval for its repetition duration
//! (EN 302 637-3; `v2x.messages`), and receivers react to it as to any other.
use bevy::prelude::*;

use crate::sim::SpecRes;
use crate::traffic::components::Vehicle;
use crate::v2x::denm::{DenmOriginator, DenmTiming};
use crate::v2x::messages::DenmEvent;
use crate::v2x::nodes::OnBoard;

/// The events a client may raise, by their ETSI TS 102 894-2 cause names.
const EVENTS: [(&str, DenmEvent); 5] = [
    ("stationaryVehicle", DenmEvent::StalledVehicle),
    ("dangerousSituation", DenmEvent::EmergencyBraking),
    ("roadworks", DenmEvent::RoadWorks),
    ("collisionRisk", DenmEvent::CollisionRisk),
    ("hazardousLocation", DenmEvent::HazardousLocation),
];

/// Start a DENM event `event` at the vehicle `e` at time `t`.
pub fn denm(world: &mut World, e: Entity, event: &str, t: f64) -> Result<(), String> {
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
    let spec = world.resource::<SpecRes>().0.clone();
    if !(spec.v2x.enabled && spec.v2x.messages.denm) {
        return Err(
            "v2x.send.denm: DENMs are off in this scenario (v2x.enabled, v2x.messages.denm)".into(),
        );
    }
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
    let timing = DenmTiming::of(&spec.v2x.messages);
    ob.own_denm = Some(DenmOriginator::trigger(id, kind, pos, t, timing));
    Ok(())
}

//! Timed events that change traffic (stalls, emergency stops, closed lanes, signal
//! programs): applied on the step whose time reaches them, in file order.
use bevy::prelude::*;

use super::ClosedLanes;
use super::components::{EmergencyStop, Hazard, Stalled, Vehicle};
use crate::clock::SimClock;
use crate::ids::ObjectId;
use crate::road::RoadNetwork;
use crate::road::network::JunctionCtl;
use crate::road::signals::Program;
use crate::scenario::spec::Action;
use crate::sim::SpecRes;

/// A closed lane is blocked this far before the end of its link, m.
pub const CLOSURE_BEFORE_END_M: f64 = 5.0;

/// The traffic actions among the events (faults for the radio are `crate::v2x::faults`'s).
pub fn apply(
    mut commands: Commands,
    clock: Res<SimClock>,
    spec: Res<SpecRes>,
    mut net: ResMut<RoadNetwork>,
    mut closed: ResMut<ClosedLanes>,
    vehicles: Query<(Entity, &Vehicle)>,
) {
    let (t0, t1) = (clock.t() - clock.dt * 0.5, clock.t() + clock.dt * 0.5);
    for ev in &spec.0.events {
        if !(ev.at >= t0 && ev.at < t1) {
            continue;
        }
        match &ev.action {
            Action::Stall { vehicle } => {
                if let Some((e, v)) = vehicles.iter().find(|(_, v)| &v.id == vehicle) {
                    let mut stalled = commands.entity(e);
                    stalled.insert(Stalled { since: clock.t() });
                    if let Some(id) = ObjectId::Stalled(v.index).wire() {
                        stalled.insert(Hazard { id });
                    }
                }
            }
            Action::EmergencyBrake {
                vehicle,
                decel,
                for_s,
            } => {
                if let Some((e, _)) = vehicles.iter().find(|(_, v)| &v.id == vehicle) {
                    commands
                        .entity(e)
                        .insert(EmergencyStop::new(*decel, *for_s));
                }
            }
            Action::CloseLane { link, lane } => {
                if let Some(l) = net.link(link) {
                    closed.0.insert((l, *lane));
                }
            }
            Action::SetProgram { junction, program } => {
                if let Some(&j) = net.junction_index.get(junction) {
                    let compiled = Program::compile(program, |id| net.link(id));
                    net.junctions[j as usize].ctl = JunctionCtl::Signal(compiled);
                }
            }
            _ => {}
        }
    }
}

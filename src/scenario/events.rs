//! Timed events: applied on the step whose time reaches them, in file order.
use bevy::prelude::*;

use super::SpecRes;
use super::spec::Action;
use crate::clock::SimClock;
use crate::road::RoadNetwork;
use crate::road::network::JunctionCtl;
use crate::traffic::ClosedLanes;
use crate::traffic::components::{EmergencyStop, Hazard, Stalled, Vehicle};
use crate::traffic::signals::Program;

/// Hazard ids of stalled vehicles start here (pedestrians use their own index below it).
pub const STALL_HAZARD_BASE: u32 = 1_000_000;
/// Ids of ordinary vehicles as perceived objects (CPM object ids, and what drivers know of
/// red-light runners) start here: vehicle index + this.
pub const VEHICLE_OBJECT_BASE: u32 = 3_000_000;

/// Hazard ids of road works (closed lanes) start here: see [`roadworks_id`].
pub const ROADWORKS_HAZARD_BASE: u32 = 2_500_000;

/// Hazard id of the road works closing `lane` of `link` (what a road-works DENM tells of).
pub fn roadworks_id(link: u32, lane: u8) -> u32 {
    ROADWORKS_HAZARD_BASE + link * 8 + u32::from(lane)
}

/// A closed lane is blocked this far before the end of its link, m.
pub const CLOSURE_BEFORE_END_M: f64 = 5.0;

/// Faults for the radio layer, in force until `until` (s); read by the V2X systems.
#[derive(Resource, Debug, Default, Clone)]
pub struct Faults {
    pub events: Vec<(f64, Action)>,
}

pub fn apply(
    mut commands: Commands,
    clock: Res<SimClock>,
    spec: Res<SpecRes>,
    mut net: ResMut<RoadNetwork>,
    mut closed: ResMut<ClosedLanes>,
    vehicles: Query<(Entity, &Vehicle)>,
    mut faults: ResMut<Faults>,
) {
    let (t0, t1) = (clock.t() - clock.dt * 0.5, clock.t() + clock.dt * 0.5);
    for ev in &spec.0.events {
        if !(ev.at >= t0 && ev.at < t1) {
            continue;
        }
        match &ev.action {
            Action::Stall { vehicle } => {
                if let Some((e, v)) = vehicles.iter().find(|(_, v)| &v.id == vehicle) {
                    commands.entity(e).insert((
                        Stalled { since: clock.t() },
                        Hazard {
                            id: STALL_HAZARD_BASE + v.index,
                        },
                    ));
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
            other => faults.events.push((ev.at, other.clone())),
        }
    }
}

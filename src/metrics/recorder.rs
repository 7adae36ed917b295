//! The recorder: everything observable during a run, gathered by thin systems in
//! `RecordSystems`, and turned into the report at the end.
use bevy::prelude::*;

pub use super::report::round;
use super::report::{CollisionRecord, VehicleResult, WarningRecord};
use crate::clock::SimClock;
use crate::traffic::components::{Arrived, Motion, StopServed, Surroundings, Vehicle};

/// Deceleration above which a braking counts as hard, m/s² (0.4 g: the threshold used by
/// naturalistic driving studies, e.g. SHRP2 kinematic triggers at 0.3-0.5 g).
pub const HARD_BRAKE: f64 = 4.0;

/// Speed below which a vehicle counts as stopped, and above which it counts as moving again, m/s
/// (hysteresis so that creeping in a queue is one stop, not many).
const STOPPED_BELOW: f64 = 0.1;
const MOVING_ABOVE: f64 = 1.0;

/// Per-vehicle running statistics.
#[derive(Component, Debug, Clone, Default)]
pub struct TripStats {
    pub depart: f64,
    pub distance: f64,
    pub stops: u32,
    pub stopped: bool,
    pub max_decel: f64,
    pub braking_hard: bool,
    pub braking_uncomfortably: bool,
    pub min_ttc: Option<f64>,
}

/// Everything recorded so far.
#[derive(Resource, Debug, Default)]
pub struct Recorder {
    pub finished: Vec<VehicleResult>,
    pub collisions: Vec<CollisionRecord>,
    pub warnings: Vec<WarningRecord>,
    /// (stop name, vehicle index, time) for every served bus stop.
    pub stops_served: Vec<(String, u32, f64)>,
    pub hard_brakings: u32,
    /// Brakings beyond the comfortable deceleration not caused by a vehicle ahead: (count, the
    /// first one's vehicle and time).
    pub uncomfortable: (u32, Option<(String, f64)>),
    pub vehicle_updates: u64,
    pub v2x: super::v2x_stats::V2xLog,
}

pub fn start_trip(add: On<Add, Vehicle>, clock: Res<SimClock>, mut commands: Commands) {
    commands.entity(add.entity).insert(TripStats {
        depart: clock.t(),
        stopped: false,
        ..default()
    });
}

/// Per-step bookkeeping of every vehicle.
pub fn track(
    clock: Res<SimClock>,
    mut rec: ResMut<Recorder>,
    mut vehicles: Query<(&Vehicle, &Motion, &Surroundings, &mut TripStats)>,
) {
    let mut n = 0u64;
    for (v, m, around, mut st) in &mut vehicles {
        n += 1;
        st.distance += m.v * clock.dt;
        if !st.stopped && m.v < STOPPED_BELOW && st.distance > 1.0 {
            st.stopped = true;
            st.stops += 1;
        } else if st.stopped && m.v > MOVING_ABOVE {
            st.stopped = false;
        }
        // A standing vehicle's negative acceleration is not a braking (it cannot slow further).
        let decel = if m.v > 0.0 { -m.acc } else { 0.0 };
        st.max_decel = st.max_decel.max(decel);
        let hard = decel > HARD_BRAKE;
        if hard && !st.braking_hard {
            rec.hard_brakings += 1;
        }
        st.braking_hard = hard;
        if around.uncomfortable && !st.braking_uncomfortably {
            rec.uncomfortable.0 += 1;
            if rec.uncomfortable.1.is_none() {
                rec.uncomfortable.1 = Some((v.id.clone(), clock.t()));
            }
        }
        st.braking_uncomfortably = around.uncomfortable;
        if let Some(ttc) = around.ttc {
            st.min_ttc = Some(st.min_ttc.map_or(ttc, |x: f64| x.min(ttc)));
        }
    }
    rec.vehicle_updates += n;
}

/// The result line of one vehicle.
pub fn result(v: &Vehicle, st: &TripStats, arrive: Option<f64>) -> VehicleResult {
    VehicleResult {
        id: v.id.clone(),
        kind: v.kind.name().to_string(),
        automated: v.automated,
        flow: v.flow.clone(),
        depart_s: round(st.depart, 3),
        arrive_s: arrive.map(|a| round(a, 3)),
        travel_time_s: arrive.map(|a| round(a - st.depart, 3)),
        distance_m: round(st.distance, 2),
        stops: st.stops,
        max_decel: round(st.max_decel, 3),
        min_ttc_s: st.min_ttc.map(|x| round(x, 3)),
    }
}

/// Log arrivals and take the vehicles off the road.
pub fn arrivals(
    mut commands: Commands,
    mut arrived: MessageReader<Arrived>,
    vehicles: Query<(&Vehicle, &TripStats)>,
    mut rec: ResMut<Recorder>,
) {
    for a in arrived.read() {
        if let Ok((v, st)) = vehicles.get(a.entity) {
            let r = result(v, st, Some(a.t));
            rec.finished.push(r);
            commands.entity(a.entity).despawn();
        }
    }
}

pub fn stops_served(mut served: MessageReader<StopServed>, mut rec: ResMut<Recorder>) {
    for s in served.read() {
        rec.stops_served.push((s.stop.clone(), s.vehicle, s.t));
    }
}

//! Metrics: everything observable goes through here. The report, traces, JUnit, plots and the
//! dashboard all read the same recorded data.
pub mod aoi;
pub mod expect;
pub mod recorder;
pub mod report;
pub mod v2x_stats;

use bevy::prelude::*;

pub use recorder::{Recorder, TripStats};

use crate::clock::SimClock;
use crate::par::Threads;
use crate::radio::outcome::AirEvents;
use crate::sim::RecordStage;
use crate::sim::SpecRes;
use crate::traffic::components::Vehicle;
use expect::{Evidence, check};
use recorder::{result, round};
use report::{Report, Summary, V2xSummary};

pub(crate) fn plugin(app: &mut App) {
    app.init_resource::<Recorder>()
        .init_resource::<AirEvents>()
        .add_observer(recorder::start_trip)
        .add_systems(
            FixedUpdate,
            (
                air,
                recorder::track,
                recorder::stops_served,
                recorder::arrivals,
            )
                .chain()
                .in_set(RecordStage::Metrics),
        );
}

/// Count what the air did this step, in the order it happened.
fn air(events: Res<AirEvents>, mut rec: ResMut<Recorder>, threads: Option<Res<Threads>>) {
    let threads = Threads::of(threads);
    rec.v2x.note_all(&events.0, threads);
}

/// Build the report from a finished world.
/// The file name of a scenario's path as given (`a/b/c.ron`, `./c.ron` and `/x/c.ron` all give
/// `c.ron`); names without a file part, like `<embedded>`, are kept.
pub fn source_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
}

pub fn report(world: &mut World) -> Report {
    let clock = *world.resource::<SimClock>();
    let spec = world.resource::<SpecRes>().clone();
    let vehicles = all_vehicles(world);
    let rec = world.resource::<Recorder>();
    let mut collisions = rec.collisions.clone();
    collisions.sort_by(|a, b| {
        a.time_s
            .total_cmp(&b.time_s)
            .then_with(|| (&a.a, &a.b).cmp(&(&b.a, &b.b)))
    });
    let mut warnings = rec.warnings.clone();
    warnings.sort_by(|a, b| {
        a.received_s
            .total_cmp(&b.received_s)
            .then_with(|| a.vehicle.cmp(&b.vehicle))
    });
    let ev = Evidence {
        vehicles: &vehicles,
        collisions: &collisions,
        warnings: &warnings,
        v2x: &rec.v2x,
        stops_served: &rec.stops_served,
        uncomfortable: &rec.uncomfortable,
        end_s: clock.t(),
    };
    let expectations: Vec<_> = spec.0.expectations.iter().map(|e| check(e, &ev)).collect();
    Report {
        scenario: spec.0.name.clone(),
        source: source_name(&spec.1),
        seed: spec.0.seed,
        version: env!("CARGO_PKG_VERSION").to_string(),
        step_s: spec.0.step,
        steps: clock.step,
        sim_time_s: round(clock.t(), 6),
        passed: expectations.iter().all(|v| v.passed),
        summary: summarise(&vehicles, collisions.len(), rec),
        vehicles,
        collisions,
        v2x: v2x_summary(spec.0.v2x.enabled, &rec.v2x),
        warnings,
        events: events_until(&spec.0.events, clock.t()),
        expectations,
    }
}

/// Every vehicle's result, finished or still on the road, in departure order.
///
/// Spawn order is the departure order, which equals sorting by (depart, id). Ties (an id used
/// twice at one time) keep the order of the finished vehicles by arrival, then of those still on
/// the road by spawn index: the rank every result is tagged with, so one list and an in-place
/// sort give that order (a list of those on the road, a copy of it and a stable sort's scratch
/// space held ~0.5 KB a vehicle while the report was built).
fn all_vehicles(world: &mut World) -> Vec<report::VehicleResult> {
    let mut q = world.query::<(&Vehicle, &TripStats)>();
    let world = &*world;
    let finished = &world.resource::<Recorder>().finished;
    let after = finished.len() as u64;
    let mut all: Vec<(u64, report::VehicleResult)> =
        Vec::with_capacity(finished.len() + q.iter(world).len());
    all.extend((0..).zip(finished.iter().cloned()));
    all.extend(
        q.iter(world)
            .map(|(v, st)| (after + u64::from(v.index), result(v, st, None))),
    );
    all.sort_unstable_by(|(ra, a), (rb, b)| {
        a.depart_s
            .total_cmp(&b.depart_s)
            .then_with(|| a.id.cmp(&b.id))
            .then(ra.cmp(rb))
    });
    all.into_iter().map(|(_, r)| r).collect()
}

/// The traffic summary of a run.
fn summarise(vehicles: &[report::VehicleResult], collisions: usize, rec: &Recorder) -> Summary {
    let arrived: Vec<f64> = vehicles.iter().filter_map(|v| v.travel_time_s).collect();
    let mean_tt =
        (!arrived.is_empty()).then(|| round(arrived.iter().sum::<f64>() / arrived.len() as f64, 3));
    let min_ttc = vehicles
        .iter()
        .filter_map(|v| v.min_ttc_s)
        .min_by(f64::total_cmp);
    let mean_stops = (!vehicles.is_empty()).then(|| {
        round(
            vehicles.iter().map(|v| f64::from(v.stops)).sum::<f64>() / vehicles.len() as f64,
            3,
        )
    });
    Summary {
        vehicles: vehicles.len() as u32,
        arrived: arrived.len() as u32,
        mean_travel_time_s: mean_tt,
        collisions: collisions as u32,
        min_ttc_s: min_ttc,
        hard_brakings: rec.hard_brakings,
        uncomfortable_brakings: rec.uncomfortable.0,
        mean_stops,
        vehicle_updates: rec.vehicle_updates,
    }
}

/// The V2X summary of a run: per message type and technology, channel busy ratios and cell loads
/// (means over the samples taken).
fn v2x_summary(enabled: bool, log: &v2x_stats::V2xLog) -> V2xSummary {
    V2xSummary {
        enabled,
        by_type: log.by.iter().map(|((m, t), a)| a.stats(*m, *t)).collect(),
        channel_busy_ratio: log
            .cbr
            .iter()
            .map(|(t, (s, n))| (t.name().to_string(), round(s / (*n).max(1) as f64, 4)))
            .collect(),
        cell_load: log
            .cell_load
            .iter()
            .map(|(g, (s, n))| (g.clone(), round(s / (*n).max(1) as f64, 4)))
            .collect(),
    }
}

/// The scenario's timed events that happened by `t`, described.
fn events_until(events: &[crate::scenario::spec::TimedEvent], t: f64) -> Vec<(f64, String)> {
    events
        .iter()
        .filter(|e| e.at <= t)
        .map(|e| {
            let what = e.describe();
            match e.action.window_s() {
                Some(d) => (e.at, format!("{what} for {d} s")),
                None => (e.at, what),
            }
        })
        .collect()
}

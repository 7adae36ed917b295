//! The headless app: `MinimalPlugins`, the simulation, rapier; single-threaded executors on
//! every schedule and manual time, so no wall clock and no thread scheduling enters a run.
use std::sync::Arc;
use std::time::{Duration, Instant};

use bevy::app::FixedMain;
use bevy::ecs::schedule::{ScheduleLabel, SingleThreadedExecutor};
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;

use crate::SimPlugin;
use crate::clock::SimClock;
use crate::metrics::report::{Report, Timing};
use crate::physics::PhysicsPlugin;
use crate::rng::Rngs;
use crate::road::RoadNetwork;
use crate::scenario::SpecRes;
use crate::scenario::spec::Spec;
use crate::traffic::{pedestrians, spawn};

/// Options of one run.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Called every ~1 % of the run with (steps done, steps total).
    pub progress: Option<Arc<dyn Fn(u64, u64) + Send + Sync>>,
}

/// A finished run.
pub struct Outcome {
    pub report: Report,
    pub timing: Timing,
}

/// Build the world of a run: the network, the departure plan, the plugins.
pub fn build_app(spec: Spec, source: &str, opts: &RunOptions) -> App {
    let mut spec = spec;
    if let Some(seed) = opts.seed {
        spec.seed = seed;
    }
    let step = Duration::from_secs_f64(spec.step);
    let net = RoadNetwork::build(&spec);
    let departures = spawn::plan(&spec, &net);
    let peds = pedestrians::plan(&spec, &net);
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, TransformPlugin))
        .insert_resource(Time::<Fixed>::from_duration(step))
        .insert_resource(TimeUpdateStrategy::ManualDuration(step))
        .insert_resource(SimClock::new(spec.step, spec.duration))
        .insert_resource(Rngs::new(spec.seed))
        .insert_resource(net)
        .insert_resource(departures)
        .insert_resource(peds)
        .insert_resource(SpecRes(Arc::new(spec.clone()), source.to_string()))
        .add_plugins(SimPlugin)
        .add_plugins(PhysicsPlugin {
            dt: spec.step as f32,
        })
        .add_systems(FixedLast, advance_clock);
    single_threaded(&mut app);
    app
}

/// The clock advances after everything else in the step.
fn advance_clock(mut clock: ResMut<SimClock>) {
    clock.step += 1;
}

/// The multi-threaded executor costs ~1 ms per update on a 2-core machine; one thread per world
/// costs 10-30 µs, and parallelism comes from running many worlds at once.
pub fn single_threaded(app: &mut App) {
    for label in [
        Main.intern(),
        PreStartup.intern(),
        Startup.intern(),
        PostStartup.intern(),
        First.intern(),
        PreUpdate.intern(),
        RunFixedMainLoop.intern(),
        FixedMain.intern(),
        FixedFirst.intern(),
        FixedPreUpdate.intern(),
        FixedUpdate.intern(),
        FixedPostUpdate.intern(),
        FixedLast.intern(),
        Update.intern(),
        PostUpdate.intern(),
        Last.intern(),
    ] {
        app.edit_schedule(label, |s| {
            s.set_executor(SingleThreadedExecutor::new());
        });
    }
}

/// Step until the clock reaches the scenario's duration (one fixed step per update).
pub fn drive(app: &mut App, opts: &RunOptions) {
    let total = app.world().resource::<SimClock>().total;
    let every = (total / 100).max(1);
    // The first update starts the clocks; each later one runs exactly one fixed step.
    app.update();
    loop {
        let step = app.world().resource::<SimClock>().step;
        if step >= total {
            break;
        }
        app.update();
        if let Some(p) = &opts.progress
            && step % every == 0
        {
            p(step, total);
        }
    }
}

/// Run a scenario to the end and report.
pub fn run(spec: Spec, source: &str, opts: &RunOptions) -> Outcome {
    let started = Instant::now();
    let mut app = build_app(spec, source, opts);
    drive(&mut app, opts);
    let report = crate::metrics::report(app.world_mut());
    let wall = started.elapsed().as_secs_f64().max(1e-9);
    let timing = Timing {
        wall_s: wall,
        vehicle_updates_per_s: report.summary.vehicle_updates as f64 / wall,
        real_time_factor: report.sim_time_s / wall,
        steps_per_s: report.steps as f64 / wall,
    };
    Outcome { report, timing }
}

//! The headless app: `MinimalPlugins` and the simulation ([`SimPlugin`], rapier included); single-threaded executors on
//! every schedule and manual time, so no wall clock and no thread scheduling enters a run.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bevy::app::FixedMain;
use bevy::ecs::schedule::{ScheduleLabel, SingleThreadedExecutor};
use bevy::prelude::*;
use bevy::time::TimeUpdateStrategy;

use crate::SimPlugin;
use crate::clock::SimClock;
use crate::metrics::report::{Report, Timing};
use crate::output::{OutputError, OutputSet, Staged, json};
use crate::par::Threads;
use crate::rng::Rngs;
use crate::road::RoadNetwork;
use crate::scenario::spec::Spec;
use crate::sim::SpecRes;
use crate::traffic::{pedestrians, spawn};

/// Options of one run.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Called every ~1 % of the run with (steps done, steps total).
    pub progress: Option<Arc<dyn Fn(u64, u64) + Send + Sync>>,
    /// Wall-clock limit: the run stops at the first step boundary past it and its outcome is
    /// marked `timed_out` (the report then covers only the simulated time reached). Polled
    /// between steps, so a single step is never interrupted and determinism is unaffected for
    /// runs that finish in time.
    pub deadline: Option<Instant>,
    /// Write trace files (FCD, V2X log) into this directory; see [`crate::trace`].
    pub trace_dir: Option<PathBuf>,
    /// With `trace_dir`: also write SUMO FCD XML (`fcd.xml`).
    pub fcd_xml: bool,
    /// With `trace_dir`: also capture sidelink frames (`v2x.pcap`).
    pub pcap: Option<crate::trace::Capture>,
    /// Record a replay for the browser report (`crate::replay`).
    pub replay: bool,
    /// Threads the world may use for its own work (`crate::par`; 0 counts as 1). The output is
    /// the same for any number.
    pub threads: usize,
    /// Items per thread from which a step's work is split (`par::Threads::min_per_thread`; 0:
    /// the default). Only tests set it, to split small worlds; the output does not depend on it.
    pub split_from: usize,
}

/// A finished run.
pub struct Outcome {
    pub report: Report,
    pub timing: Timing,
    /// The run hit `RunOptions::deadline` before the scenario's duration.
    pub timed_out: bool,
    /// Why the trace files could not be written (they are then absent, never partial).
    pub trace_error: Option<OutputError>,
    /// The trace files, complete and synced under temporary names: [`Outcome::commit`] puts them
    /// in place with the report; dropped, they are removed.
    pub traces: Vec<Staged>,
    /// The recorded replay, when asked for (`RunOptions::replay`).
    pub replay: Option<Box<crate::replay::Replay>>,
}

impl Outcome {
    /// Write the run's outputs into `dir` as one set: report.json, timing.json, the traces and
    /// the browser page (when a replay was recorded),
    /// with a manifest written last (`crate::output::set`). Returns the files written; the
    /// traces are consumed either way.
    pub fn commit(&mut self, dir: &Path) -> Result<Vec<PathBuf>, OutputError> {
        let mut set = OutputSet::open(dir)?;
        set.stage_bytes("report.json", &json(&self.report))?;
        set.stage_bytes("timing.json", &json(&self.timing))?;
        for t in std::mem::take(&mut self.traces) {
            set.adopt(t);
        }
        if let Some(replay) = &self.replay {
            set.stage_bytes("report.html", &crate::html::page(&self.report, replay))?;
        }
        set.commit()
    }
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
    if !opts.replay {
        spec.vehicles = Vec::new();
    }
    let mut app = App::new();
    app.add_plugins((MinimalPlugins, TransformPlugin))
        .insert_resource(Time::<Fixed>::from_duration(step))
        .insert_resource(TimeUpdateStrategy::ManualDuration(step))
        .insert_resource(SimClock::new(spec.step, spec.duration))
        .insert_resource(Rngs::new(spec.seed))
        .insert_resource(Threads::new(opts.threads, opts.split_from))
        .insert_resource(net)
        .insert_resource(departures)
        .insert_resource(peds)
        .add_plugins(SimPlugin {
            step_s: spec.step as f32,
        })
        .insert_resource(SpecRes(Arc::new(spec), source.to_string()));
    single_threaded(&mut app);
    app
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

/// Step until the clock reaches the scenario's duration (one fixed step per update), or until
/// `opts.deadline` passes; returns true when stopped by the deadline.
pub fn drive(app: &mut App, opts: &RunOptions) -> bool {
    let total = app.world().resource::<SimClock>().total;
    let every = (total / 100).max(1);
    // The first update starts the clocks; each later one runs exactly one fixed step.
    app.update();
    loop {
        let step = app.world().resource::<SimClock>().step;
        if step >= total {
            return false;
        }
        if opts.deadline.is_some_and(|d| Instant::now() >= d) {
            return true;
        }
        app.update();
        if let Some(p) = &opts.progress
            && step.is_multiple_of(every)
        {
            p(step, total);
        }
    }
}

/// A built world with its trace writer running, before its first step.
pub struct Started {
    pub app: App,
    writer: Option<crate::trace::TraceWriter>,
    trace_error: Option<OutputError>,
    started: Instant,
}

/// Build the world of a run and start its trace writer. If the writer cannot start (no
/// directory, no permission) the run still goes ahead and the error is reported with the
/// outcome.
pub fn start(spec: Spec, source: &str, opts: &RunOptions) -> Started {
    let started = Instant::now();
    let mut app = build_app(spec, source, opts);
    if opts.replay {
        crate::replay::install(&mut app);
    }
    let mut trace_error = None;
    let writer = opts.trace_dir.as_ref().and_then(|dir| {
        let topts = crate::trace::TraceOptions {
            dir: dir.clone(),
            fcd_xml: opts.fcd_xml,
            pcap: opts.pcap,
        };
        match crate::trace::start(&topts) {
            Ok((sink, writer)) => {
                crate::trace::install(&mut app, sink, opts.pcap);
                Some(writer)
            }
            Err(e) => {
                trace_error = Some(e);
                None
            }
        }
    });
    Started {
        app,
        writer,
        trace_error,
        started,
    }
}

/// Run a scenario to the end and report.
pub fn run(spec: Spec, source: &str, opts: &RunOptions) -> Outcome {
    let mut s = start(spec, source, opts);
    let timed_out = drive(&mut s.app, opts);
    finish(s, timed_out)
}

/// Close the traces and report on the time simulated.
pub fn finish(s: Started, timed_out: bool) -> Outcome {
    let Started {
        mut app,
        writer,
        mut trace_error,
        started,
    } = s;
    let traces = match writer.map(|w| w.finish(app.world_mut())) {
        Some(Ok(staged)) => staged,
        Some(Err(e)) => {
            trace_error = Some(e);
            Vec::new()
        }
        None => Vec::new(),
    };
    crate::physics::release(app.world_mut());
    let report = crate::metrics::report(app.world_mut());
    let replay = crate::replay::take(app.world_mut(), &report).map(Box::new);
    let wall = started.elapsed().as_secs_f64().max(1e-9);
    let timing = Timing {
        wall_s: wall,
        vehicle_updates_per_s: report.summary.vehicle_updates as f64 / wall,
        real_time_factor: report.sim_time_s / wall,
        steps_per_s: report.steps as f64 / wall,
    };
    Outcome {
        report,
        timing,
        timed_out,
        trace_error,
        traces,
        replay,
    }
}

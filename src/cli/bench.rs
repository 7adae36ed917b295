//! `sangam-sim bench`: the 8×8 grid benchmark, reporting the figures SUMO prints (vehicle
//! updates per second, real-time factor) so the two can be set side by side.
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::{BAD_INPUT, OK, output_error};
use crate::output::{OutputError, json, write_file};
use crate::runner::grid::{grid_spec, side_for};
use crate::runner::{Outcome, RunOptions, run};
use crate::scenario::spec::Spec;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Vehicles on the grid for the whole run.
    #[arg(long, default_value_t = 1000)]
    pub vehicles: usize,
    /// Simulated time, s [default: 900 with V2X off, 120 with it on: about a minute each on
    /// 2 cores; `--long` 3600 and 900].
    #[arg(long)]
    pub duration: Option<f64>,
    /// The long run, for figures to quote: 3600 s of simulated time with V2X off, 900 s with it
    /// on.
    #[arg(long, conflicts_with = "duration")]
    pub long: bool,
    /// V2X: CAM for every vehicle over PC5 and Uu.
    #[arg(long, value_enum, default_value_t = OnOff::Off)]
    pub v2x: OnOff,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
    /// Write the benchmark scenario as RON to this file and exit.
    #[arg(long)]
    pub emit: Option<PathBuf>,
    /// Benchmark a SUMO network instead of the grid, with the demand of `--routes`; SUMO (from
    /// `SUMO_BIN`, else `sumo` on the PATH) runs the same files at the same step in the same
    /// invocation, and both figures are printed side by side (docs/performance.md).
    #[arg(long, value_name = "NET.xml", requires = "routes")]
    pub net: Option<PathBuf>,
    /// SUMO demand files for `--net`.
    #[arg(long, value_name = "ROU.xml", num_args = 1..)]
    pub routes: Vec<PathBuf>,
    /// Fixed step, s (with `--net`; both simulators use it).
    #[arg(long, default_value_t = 0.01)]
    pub step: f64,
    /// Write the library's grid-8x8 scenario (the 8×8 grid with edge stubs, placed vehicles,
    /// flows, RSUs and gNBs: `scenarios/grid-8x8.ron`) to this file and exit.
    #[arg(long, value_name = "FILE")]
    pub emit_library: Option<PathBuf>,
    /// Threads the world may use (default: the machine's cores); the figures' run is the same
    /// for any number.
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(Serialize)]
pub(super) struct Figures {
    vehicles: usize,
    /// Vehicles that moved at all during the run.
    vehicles_driving: usize,
    /// Junctions per side of the grid (8 up to 1,078 vehicles; grows to keep density).
    grid_side: usize,
    v2x: bool,
    sim_time_s: f64,
    steps: u64,
    wall_s: f64,
    vehicle_updates: u64,
    vehicle_updates_per_s: f64,
    real_time_factor: f64,
    steps_per_s: f64,
    messages_delivered: u64,
    messages_delivered_per_s: f64,
    peak_memory_mb: Option<f64>,
    cores: usize,
    /// Threads the world could use (`--threads`).
    threads: usize,
    collisions: u32,
}

/// Peak resident memory of this process, MB (Linux `VmHWM`).
pub fn peak_memory_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

impl BenchArgs {
    /// The simulated time to run, s: `--duration`, else about a minute's worth (`--long`: the
    /// long run).
    pub fn duration_s(&self) -> f64 {
        let on = self.v2x == OnOff::On;
        self.duration.unwrap_or(match (self.long, on) {
            (false, false) => 900.0,
            (false, true) => 120.0,
            (true, false) => 3600.0,
            (true, true) => 900.0,
        })
    }
}

pub fn bench(args: &BenchArgs) -> i32 {
    let v2x = args.v2x == OnOff::On;
    let duration = args.duration_s();
    if !(duration > 0.0 && duration <= 86_400.0) || args.vehicles > 20_000 {
        eprintln!("error: --duration must be in (0, 86400] s and --vehicles at most 20000");
        return BAD_INPUT;
    }
    let threads = match super::parse_threads(args.threads, 1) {
        Ok(t) => t,
        Err(msg) => {
            eprintln!("error: {msg}");
            return BAD_INPUT;
        }
    };
    if let Some(net) = &args.net {
        return super::bench_sumo::bench(net, &args.routes, args, v2x);
    }
    let spec = grid_spec(args.vehicles, duration, v2x);
    if let Some(path) = &args.emit_library {
        return match write_file(path, crate::runner::library_grid::text().as_bytes()) {
            Ok(()) => OK,
            Err(e) => output_error(&e),
        };
    }
    if let Some(path) = &args.emit {
        return emit(&spec, path);
    }
    let opts = RunOptions {
        seed: None,
        progress: super::run::progress_callback("bench".into()),
        threads,
        ..RunOptions::default()
    };
    let side = side_for(args.vehicles);
    let out = run(spec, "<bench>", &opts);
    let f = figures((args.vehicles, side, v2x), threads, &out);
    if args.json {
        print!("{}", String::from_utf8_lossy(&json(&f)));
    } else {
        print_table(&f);
    }
    OK
}

/// Writes the benchmark scenario as RON to `path`.
fn emit(spec: &Spec, path: &Path) -> i32 {
    let pretty = ron::ser::PrettyConfig::new().depth_limit(4);
    let text = match ron::ser::to_string_pretty(spec, pretty) {
        Ok(t) => t,
        Err(e) => {
            return output_error(&OutputError::Encode {
                what: "the benchmark scenario".into(),
                problem: e.to_string(),
            });
        }
    };
    let side = side_for(spec.vehicles.len());
    let header = format!(
        "// The benchmark grid of `sangam-sim bench`: {side}×{side} signalised junctions, 200 m blocks,\n// 2 lanes each way, vehicles circling the blocks. Generated by `sangam-sim bench --emit`.\n"
    );
    if let Err(e) = write_file(path, format!("{header}{text}\n").as_bytes()) {
        return output_error(&e);
    }
    OK
}

/// The figures of one benchmark run. A vehicle counts as driving if it covered any distance:
/// vehicle updates of cars that never moved would inflate UPS without any car-following work.
pub(super) fn figures(
    (vehicles, side, v2x): (usize, usize, bool),
    threads: usize,
    out: &Outcome,
) -> Figures {
    let delivered: u64 = out.report.v2x.by_type.iter().map(|t| t.delivered).sum();
    let driving = out.report.vehicles.iter().filter(|v| v.distance_m > 0.0);
    Figures {
        vehicles,
        vehicles_driving: driving.count(),
        grid_side: side,
        v2x,
        sim_time_s: out.report.sim_time_s,
        steps: out.report.steps,
        wall_s: out.timing.wall_s,
        vehicle_updates: out.report.summary.vehicle_updates,
        vehicle_updates_per_s: out.timing.vehicle_updates_per_s,
        real_time_factor: out.timing.real_time_factor,
        steps_per_s: out.timing.steps_per_s,
        messages_delivered: delivered,
        messages_delivered_per_s: delivered as f64 / out.timing.wall_s,
        peak_memory_mb: peak_memory_mb(),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        threads,
        collisions: out.report.summary.collisions,
    }
}

fn print_table(f: &Figures) {
    println!(
        "grid {}x{}, {} vehicles ({} driving), V2X {}, {} s simulated in {} steps",
        f.grid_side,
        f.grid_side,
        f.vehicles,
        f.vehicles_driving,
        if f.v2x { "on" } else { "off" },
        f.sim_time_s,
        f.steps
    );
    print_figures(f);
}

/// The figures below the header line.
pub(super) fn print_figures(f: &Figures) {
    println!("UPS (vehicle updates/s)  {:.0}", f.vehicle_updates_per_s);
    println!("real-time factor         {:.1}", f.real_time_factor);
    println!("steps/s                  {:.0}", f.steps_per_s);
    println!("messages delivered/s     {:.0}", f.messages_delivered_per_s);
    println!(
        "peak memory              {}",
        f.peak_memory_mb
            .map_or("-".into(), |m| format!("{m:.0} MB"))
    );
    println!(
        "wall time                {:.2} s on {} cores, {} threads",
        f.wall_s, f.cores, f.threads
    );
    println!("collisions               {}", f.collisions);
}

//! The command line: `run`, `check`, `bench`, `test`, `sweep`, `merge` (and `view`).
//!
//! Exit codes: 0 every expectation held, 1 an expectation failed, 2 bad input or usage.
mod bench;
mod bench_sumo;
mod check;
mod import;
mod isolation;
mod merge;
mod run;
mod serve;
mod summary;
mod sweep;
mod test;
#[cfg(feature = "viz")]
mod view;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Exit code: all expectations held.
pub const OK: i32 = 0;
/// Exit code: an expectation failed.
pub const FAILED: i32 = 1;
/// Exit code: bad input or usage.
pub const BAD_INPUT: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "sangam-sim",
    version,
    about = "Deterministic simulator of the Sangam (Seoul DMC) 5G connected-driving testbed"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Let `include` read files outside the scenario's directory tree (symlinks resolved).
    #[arg(long, global = true)]
    pub allow_include_outside: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run one scenario (the embedded Sangam DMC scenario when none is given) and report.
    Run(run::RunArgs),
    /// Check scenario files: print every error with file:line:col, or `ok` per file.
    Check {
        /// Scenario files, or names of built-in ones.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Benchmark on the 8×8 signalised grid: vehicle updates per second and real-time factor.
    Bench(bench::BenchArgs),
    /// Open the 3D view and control-centre dashboard (feature `viz`).
    #[cfg(feature = "viz")]
    View(view::ViewArgs),
    /// Without the `viz` feature: says how to get the view.
    #[cfg(not(feature = "viz"))]
    #[command(hide = true)]
    View {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run many scenarios in parallel and judge them: results table, JUnit XML, JSON summary.
    Test(test::TestArgs),
    /// Run a base scenario over a grid of overrides: per-point reports, points.csv, SVG plots.
    Sweep(sweep::SweepArgs),
    /// Combine the output directories of sweep shards into what one unsharded run writes.
    Merge(merge::MergeArgs),
    /// Serve a scenario to TraCI clients (SUMO's `traci` and libtraci, Veins, ...): they step
    /// it and steer its vehicles; the report is written when they close (docs/traci.md).
    Serve(serve::ServeArgs),
    /// Write a scenario on a SUMO network (.net.xml; OSM and OpenDRIVE through netconvert).
    Import(import::ImportArgs),
    /// Run one job read from stdin (started by `test` and `sweep`; not for people).
    #[command(name = "__worker", hide = true)]
    Worker(isolation::WorkerArgs),
}

/// Parse arguments, run, and return the exit code.
pub fn main_entry() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { BAD_INPUT } else { OK };
            let _ = e.print();
            return code;
        }
    };
    crate::scenario::load::set_allow_include_outside(cli.allow_include_outside);
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Check { files } => check::check(&files),
        Command::Bench(args) => bench::bench(&args),
        #[cfg(feature = "viz")]
        Command::View(args) => view::view(args),
        #[cfg(not(feature = "viz"))]
        Command::View { .. } => no_view(),
        Command::Test(args) => test::test(&args),
        Command::Sweep(args) => sweep::sweep(&args),
        Command::Merge(args) => merge::merge(&args),
        Command::Import(args) => import::import(&args),
        Command::Serve(args) => serve::serve(&args),
        Command::Worker(args) => crate::runner::worker::serve(args.memory_limit_bytes),
    }
}

/// Print an output error the one way (`error:` with the path, `help:` with what to do) and
/// give the exit code for it.
pub(crate) fn output_error(e: &crate::output::OutputError) -> i32 {
    eprintln!("error: {e}");
    eprintln!("  help: {}", e.hint());
    BAD_INPUT
}

/// `--timeout` as a duration: a positive, finite number of seconds.
pub(crate) fn parse_timeout(t: Option<f64>) -> Result<Option<std::time::Duration>, String> {
    match t {
        None => Ok(None),
        Some(t) if t.is_finite() && t > 0.0 => Ok(Some(std::time::Duration::from_secs_f64(t))),
        Some(t) => Err(format!(
            "--timeout must be a positive number of seconds, got {t}"
        )),
    }
}

/// `-j` as a number of workers (default: the machine's cores).
pub(crate) fn parse_jobs(j: Option<usize>) -> Result<usize, String> {
    match j {
        Some(0) => Err("-j must be at least 1".into()),
        Some(n) => Ok(n),
        None => Ok(crate::runner::pool::default_workers()),
    }
}

/// `--threads` as the threads each world may use: given, or the machine's cores shared
/// between the `workers` worlds that run at once.
pub(crate) fn parse_threads(t: Option<usize>, workers: usize) -> Result<usize, String> {
    match t {
        Some(0) => Err("--threads must be at least 1".into()),
        Some(n) => Ok(n),
        None => Ok((crate::runner::pool::default_workers() / workers.max(1)).max(1)),
    }
}

/// Load a scenario from a path, or the embedded default; errors are printed and mapped to 2.
/// Warnings, one line each with their place (`warning: FILE:LINE:COL: ...`) and any help.
pub(crate) fn print_warnings(warnings: &crate::scenario::diag::Diagnostics) {
    for w in warnings.iter() {
        eprintln!("warning: {w}");
        if let Some(help) = &w.help {
            eprintln!("  help: {help}");
        }
    }
}

/// `view` on a binary built without it.
#[cfg(not(feature = "viz"))]
fn no_view() -> i32 {
    eprintln!("error: this sangam-sim was built without the 3D view");
    eprintln!(
        "  help: build and start it with `cargo run --release --features viz -- view [FILE]` \
         (it needs the system libraries in docs/viz.md)"
    );
    BAD_INPUT
}

/// A scenario file, or a built-in scenario by name when no such file exists (`run sangam-dmc`,
/// `check grid-8x8.ron`).
pub(crate) fn load_named(
    p: &std::path::Path,
) -> Result<crate::scenario::load::Loaded, crate::scenario::diag::Diagnostics> {
    use crate::scenario::embedded;
    let builtin = p.to_str().filter(|_| !p.exists()).and_then(|name| {
        [name.to_string(), format!("{name}.ron")]
            .into_iter()
            .find(|n| embedded::get(n).is_some())
    });
    match builtin {
        Some(name) => embedded::load_embedded(&name),
        None => crate::scenario::load::load_file(p),
    }
}

pub(crate) fn load(path: Option<&std::path::Path>) -> Result<crate::scenario::load::Loaded, i32> {
    let loaded = match path {
        Some(p) => load_named(p),
        None => crate::scenario::embedded::load_embedded(crate::scenario::embedded::DEFAULT),
    };
    loaded.map_err(|d| {
        eprint!("{}", d.render_fancy());
        eprintln!(
            "{} error{} in scenario",
            d.len(),
            if d.len() == 1 { "" } else { "s" }
        );
        BAD_INPUT
    })
}

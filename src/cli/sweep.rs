//! `sangam-sim sweep FILE [--shard k/n] [--out DIR] [-j N] [--timeout SECS] [--isolation ...]`: run a base scenario over a grid of
//! overrides (see `runner::sweep` for the file and the point order, `runner::sweep_out` for the
//! output layout).
//!
//! Exit codes: 0 every point ran (failed expectations are data in a sweep, not errors), 1 a
//! point panicked or timed out, 2 bad input.
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::isolation::IsolationArgs;
use super::{BAD_INPUT, FAILED, OK, output_error, parse_jobs, parse_threads, parse_timeout};
use crate::output::{OutputError, json, write_file};
use crate::runner::job::{Job, JobEnd, JobResult};
use crate::runner::pool::run_all;
use crate::runner::sweep::{
    InputFile, Plan, Point, apply, check, input_file, parse_shard, points, read, validate_points,
};
use crate::runner::sweep_out::{PointResult, write_point, write_results};
use crate::runner::worker::Isolation;
use crate::scenario::load::load_file;

#[derive(Args, Debug)]
pub struct SweepArgs {
    /// The sweep file (RON).
    pub file: PathBuf,
    /// Run only the points with index % n == k (for scale-out; combine with `merge`).
    #[arg(long)]
    pub shard: Option<String>,
    /// Output directory.
    #[arg(long, default_value = "sweep-out")]
    pub out: PathBuf,
    /// Points run at once (default: the machine's cores).
    #[arg(short = 'j', long = "jobs")]
    pub jobs: Option<usize>,
    /// Threads each point may use (default: the machine's cores shared between the points
    /// that run at once); results are the same for any number.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Wall-time limit per point, s; a point over it is an error.
    #[arg(long)]
    pub timeout: Option<f64>,
    #[command(flatten)]
    pub isolation: IsolationArgs,
}

/// The options that are not files, checked.
struct Options {
    shard: (usize, usize),
    timeout: Option<std::time::Duration>,
    workers: usize,
    threads: Option<usize>,
    isolation: Isolation,
}

impl Options {
    fn of(args: &SweepArgs) -> Result<Options, String> {
        let shard = args.shard.as_deref().map(parse_shard).transpose()?;
        Ok(Options {
            shard: shard.unwrap_or((0, 1)),
            timeout: parse_timeout(args.timeout)?,
            workers: parse_jobs(args.jobs)?,
            threads: parse_threads(args.threads, 1).map(|_| args.threads)?,
            isolation: args.isolation.isolation()?,
        })
    }
}

/// The sweep file, the base scenario and its includes, hashed.
fn plan_inputs(
    file: &Path,
    base_path: &Path,
    base: &str,
    loaded: &crate::scenario::load::Loaded,
) -> Result<Vec<InputFile>, OutputError> {
    let name = file.file_name().unwrap_or_default().to_string_lossy();
    let mut inputs = vec![
        input_file("sweep", &name, file)?,
        input_file("base", base, base_path)?,
    ];
    for (rel, path) in loaded.spec.include.iter().zip(&loaded.includes) {
        inputs.push(input_file("include", rel, Path::new(path))?);
    }
    Ok(inputs)
}

/// The plan of a sweep file and its base scenario, or a printed error.
pub fn plan(file: &Path) -> Result<(Plan, crate::scenario::spec::Spec), i32> {
    let sweep = read(file).map_err(|e| {
        eprintln!("error: {e}");
        BAD_INPUT
    })?;
    let problems = check(&sweep);
    if !problems.is_empty() {
        for p in problems {
            eprintln!("error: {}: {p}", file.display());
        }
        return Err(BAD_INPUT);
    }
    let base_path = file.parent().unwrap_or(Path::new(".")).join(&sweep.base);
    let loaded = load_file(&base_path).map_err(|d| {
        eprint!("{}", d.render_fancy());
        eprintln!("error: base scenario {} does not load", base_path.display());
        BAD_INPUT
    })?;
    let inputs =
        plan_inputs(file, &base_path, &sweep.base, &loaded).map_err(|e| output_error(&e))?;
    let plan = Plan {
        base: sweep.base.clone(),
        scenario: loaded.spec.name.clone(),
        points: points(&sweep),
        sweep,
        inputs,
    };
    let invalid = validate_points(&loaded.spec, &plan);
    if !invalid.is_empty() {
        for e in invalid.iter().take(20) {
            eprintln!("error: {e}");
        }
        eprintln!("error: {} problems in the sweep's points", invalid.len());
        return Err(BAD_INPUT);
    }
    Ok((plan, loaded.spec))
}

pub fn sweep(args: &SweepArgs) -> i32 {
    let opts = match Options::of(args) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("error: {msg}");
            return BAD_INPUT;
        }
    };
    let (plan, base) = match plan(&args.file) {
        Ok(p) => p,
        Err(code) => return code,
    };
    if let Err(e) = write_file(&args.out.join("sweep.json"), &json(&plan)) {
        return output_error(&e);
    }
    let (k, n) = opts.shard;
    let mine: Vec<Point> = plan
        .points
        .iter()
        .filter(|p| p.index % n == k)
        .cloned()
        .collect();
    if let Err(errors) = run_points(args, &opts, &plan, &base, &mine) {
        for e in &errors {
            output_error(e);
        }
        return BAD_INPUT;
    }
    summarize(args, &plan, &mine, opts.shard)
}

/// Run this shard's points on the pool, each written to disk as soon as it ends (so an
/// interrupted sweep keeps its work); points not run are written as errors. Every write that
/// failed is returned.
fn run_points(
    args: &SweepArgs,
    opts: &Options,
    plan: &Plan,
    base: &crate::scenario::spec::Spec,
    mine: &[Point],
) -> Result<(), Vec<OutputError>> {
    let threads = parse_threads(opts.threads, opts.workers.min(mine.len())).unwrap_or(1);
    let jobs: Vec<Job> = mine
        .iter()
        .map(|p| Job {
            spec: apply(base, p, plan.sweep.duration),
            source: plan.base.clone(),
            seed: p.seed,
            timeout: opts.timeout,
            html: false,
            threads,
        })
        .collect();
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = ProgressBar::new(jobs.len() as u64);
        b.set_style(
            ProgressStyle::with_template(
                "sweep [{bar:40}] {pos}/{len} points, {elapsed} elapsed, eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    });
    let mut write_errors = Vec::new();
    let results = run_all(jobs, opts.workers, &opts.isolation, |i, r| {
        if let Err(e) = write_point(&args.out, &mine[i], &point_result(r)) {
            write_errors.push(e);
        }
        if let Some(b) = &bar {
            b.inc(1);
        }
        true
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    for (p, r) in mine.iter().zip(&results) {
        if r.is_none()
            && let Err(e) = write_point(&args.out, p, &PointResult::Error("not run".into()))
        {
            write_errors.push(e);
        }
    }
    if write_errors.is_empty() {
        Ok(())
    } else {
        Err(write_errors)
    }
}

/// Write points.csv and the plots over this shard's points, and say how they went.
fn summarize(args: &SweepArgs, plan: &Plan, mine: &[Point], (k, n): (usize, usize)) -> i32 {
    let done = match write_results(&args.out, mine) {
        Ok(d) => d,
        Err(e) => return output_error(&e),
    };
    let errors = done
        .iter()
        .filter(|(_, r)| matches!(r, PointResult::Error(_)))
        .count();
    let failed = done
        .iter()
        .filter(|(_, r)| matches!(r, PointResult::Report(r) if !r.passed))
        .count();
    let shard = if n > 1 {
        format!(" (shard {k}/{n} of {})", plan.points.len())
    } else {
        String::new()
    };
    println!(
        "{} points{shard}: {} passed, {failed} failed expectations, {errors} errors; results in {}",
        done.len(),
        done.len() - failed - errors,
        args.out.display()
    );
    for (p, r) in &done {
        if let PointResult::Error(e) = r {
            eprintln!("error: point {}: {e}", p.id);
        }
    }
    if errors > 0 { FAILED } else { OK }
}

fn point_result(r: &JobResult) -> PointResult {
    match (&r.end, r.end.error()) {
        (JobEnd::Finished(rep, _), _) => PointResult::Report(rep.clone()),
        (_, e) => PointResult::Error(e.unwrap_or_default()),
    }
}

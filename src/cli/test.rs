//! `sangam-sim test [PATHS or GLOBS]... [-j N] [--junit FILE] [--json FILE] [--filter TEXT]
//! [--fail-fast] [--timeout SECS] [--isolation process|thread] [--memory-limit MIB]`: run many
//! scenarios in parallel, each in its own worker process, and judge them.
//!
//! Every file is loaded before anything runs, so all broken files are reported together (with
//! their diagnostics) while the others still run. Results are ordered by path, never by
//! completion, so the table, the JUnit XML and the JSON summary are the same for any `-j`.
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::isolation::IsolationArgs;
use super::{BAD_INPUT, FAILED, OK, output_error, parse_jobs, parse_threads, parse_timeout};
use crate::output::{json, write_file};
use crate::runner::discover::expand;
use crate::runner::job::{Job, JobEnd};
use crate::runner::junit::junit;
use crate::runner::pool::run_all;
use crate::runner::suite::{Case, Counts, SuiteSummary, table};
use crate::runner::suite_page::{index, page_name};
use crate::runner::worker::Isolation;
use crate::scenario::load::load_file;

#[derive(Args, Debug)]
pub struct TestArgs {
    /// Scenario files, directories (every *.ron below, except under `common/` and `sweeps/`)
    /// or glob patterns (quote them).
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Scenarios run at once (default: the machine's cores).
    #[arg(short = 'j', long = "jobs")]
    pub jobs: Option<usize>,
    /// Threads each scenario may use (default: the machine's cores shared between the
    /// scenarios that run at once); reports are the same for any number.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Write JUnit XML here.
    #[arg(long)]
    pub junit: Option<PathBuf>,
    /// Write a JSON summary here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Write a browser report per scenario into this directory, with an index.html listing
    /// failures first (the JUnit cases then name their page).
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
    /// Only scenarios whose path or name contains this text.
    #[arg(long)]
    pub filter: Option<String>,
    /// Start no new scenario after the first failure or error.
    #[arg(long)]
    pub fail_fast: bool,
    /// Wall-time limit per scenario, s; a scenario over it is an error.
    #[arg(long)]
    pub timeout: Option<f64>,
    #[command(flatten)]
    pub isolation: IsolationArgs,
}

/// A loaded scenario waiting to run, or a finished case.
enum Slot {
    Run(Box<Job>),
    Done(Case),
}

pub fn test(args: &TestArgs) -> i32 {
    let checked = parse_timeout(args.timeout).and_then(|t| {
        parse_threads(args.threads, 1)?;
        Ok((t, parse_jobs(args.jobs)?, args.isolation.isolation()?))
    });
    let (timeout, workers, isolation) = match checked {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("error: {msg}");
            return BAD_INPUT;
        }
    };
    let started = Instant::now();
    let (mut slots, bad) = collect(args, timeout);
    share_cores(&mut slots, args.threads, workers);
    if slots.is_empty() {
        eprintln!(
            "error: no scenario to run{}",
            args.filter
                .as_ref()
                .map_or(String::new(), |f| format!(" (filter `{f}`)"))
        );
        return BAD_INPUT;
    }
    let (cases, pages) = run_slots(slots, workers, &isolation, args.fail_fast);
    print!("{}", table(&cases));
    let counts = Counts::of(&cases);
    let code = if bad {
        BAD_INPUT
    } else if counts.failed + counts.errors > 0 {
        FAILED
    } else {
        OK
    };
    let pages = match &args.html {
        Some(dir) => match write_pages(dir, &cases, pages) {
            Ok(names) => names,
            Err(e) => return output_error(&e),
        },
        None => vec![None; cases.len()],
    };
    write_reports(
        args,
        cases,
        &pages,
        counts,
        code,
        started.elapsed().as_secs_f64(),
    )
}

/// Give each run its threads: `--threads`, or the cores shared between the runs that can go at
/// once (a lone scenario gets them all).
fn share_cores(slots: &mut [(String, Slot)], threads: Option<usize>, workers: usize) {
    let runs = slots
        .iter()
        .filter(|(_, s)| matches!(s, Slot::Run(_)))
        .count();
    let threads = parse_threads(threads, workers.min(runs)).unwrap_or(1);
    for (_, slot) in slots {
        if let Slot::Run(job) = slot {
            job.threads = threads;
        }
    }
}

/// Each case's page and the index into `dir`, as one set (`output::OutputSet`); returns each
/// case's page path as the JUnit file names it.
fn write_pages(
    dir: &std::path::Path,
    cases: &[Case],
    pages: Vec<Option<String>>,
) -> Result<Vec<Option<String>>, crate::output::OutputError> {
    let mut set = crate::output::OutputSet::open(dir)?;
    let mut names: Vec<String> = vec!["index.html".into()];
    let mut listed = Vec::new();
    for (c, page) in cases.iter().zip(pages) {
        let name = page.map(|p| (page_name(&c.path, &names), p));
        if let Some((n, p)) = &name {
            set.stage_bytes(n, p.as_bytes())?;
            names.push(n.clone());
        }
        listed.push((c.clone(), name.map(|(n, _)| n)));
    }
    set.stage_bytes("index.html", &index(&listed))?;
    set.commit()?;
    println!("browser reports: {}", dir.join("index.html").display());
    Ok(listed
        .into_iter()
        .map(|(_, n)| n.map(|n| dir.join(n).display().to_string()))
        .collect())
}

/// Every scenario the arguments name, loaded and sorted by path: runnable ones as jobs, bad
/// paths and files that do not load as finished cases (reported on stderr). `true` if any was bad.
fn collect(args: &TestArgs, timeout: Option<Duration>) -> (Vec<(String, Slot)>, bool) {
    let (files, problems) = expand(&args.paths);
    let mut bad = false;
    let mut slots: Vec<(String, Slot)> = Vec::new();
    for (arg, msg) in problems {
        eprintln!("error: {arg}: {msg}");
        slots.push((
            arg.clone(),
            Slot::Done(Case::bad_input(&arg, format!("{arg}: {msg}"))),
        ));
        bad = true;
    }
    for f in &files {
        let path = f.display().to_string();
        let keep = |name: &str| {
            args.filter
                .as_ref()
                .is_none_or(|t| path.contains(t.as_str()) || name.contains(t.as_str()))
        };
        match load_file(f) {
            Ok(l) if keep(&l.spec.name) => {
                let job = Job {
                    spec: l.spec,
                    source: path.clone(),
                    seed: None,
                    timeout,
                    html: args.html.is_some(),
                    threads: 1,
                };
                slots.push((path, Slot::Run(Box::new(job))));
            }
            Ok(_) => {}
            Err(d) if keep("") => {
                eprint!("{}", d.render_fancy());
                bad = true;
                slots.push((
                    path.clone(),
                    Slot::Done(Case::bad_input(&path, d.to_string().trim_end().to_string())),
                ));
            }
            Err(_) => {}
        }
    }
    slots.sort_by(|a, b| a.0.cmp(&b.0));
    (slots, bad)
}

/// Writes `--junit` and `--json` if asked; returns `code`, or exit 2 if a file cannot be written.
fn write_reports(
    args: &TestArgs,
    cases: Vec<Case>,
    pages: &[Option<String>],
    counts: Counts,
    code: i32,
    wall_s: f64,
) -> i32 {
    if let Some(path) = &args.junit
        && let Err(e) = write_file(path, junit(&cases, pages, wall_s).as_bytes())
    {
        return output_error(&e);
    }
    if let Some(path) = &args.json {
        let summary = SuiteSummary {
            counts,
            exit_code: code,
            cases,
        };
        if let Err(e) = write_file(path, &json(&summary)) {
            return output_error(&e);
        }
    }
    code
}

/// Run the loaded scenarios on the pool and put every case back in its slot.
fn run_slots(
    slots: Vec<(String, Slot)>,
    workers: usize,
    isolation: &Isolation,
    fail_fast: bool,
) -> (Vec<Case>, Vec<Option<String>>) {
    let mut jobs = Vec::new();
    let mut job_slot = Vec::new();
    for (i, (_, s)) in slots.iter().enumerate() {
        if let Slot::Run(j) = s {
            jobs.push(j.as_ref().clone());
            job_slot.push(i);
        }
    }
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = ProgressBar::new(jobs.len() as u64);
        b.set_style(
            ProgressStyle::with_template("test [{bar:40}] {pos}/{len} eta {eta} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        b
    });
    let results = run_all(jobs, workers, isolation, |i, r| {
        if let Some(b) = &bar {
            b.set_message(slots[job_slot[i]].0.clone());
            b.inc(1);
        }
        !fail_fast || matches!(&r.end, JobEnd::Finished(rep, _) if rep.passed)
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let mut results = results.into_iter();
    slots
        .into_iter()
        .map(|(path, s)| match s {
            Slot::Done(c) => (c, None),
            Slot::Run(job) => {
                let seed = job.spec.seed;
                match results.next().flatten() {
                    Some(r) => (Case::from_job(&path, &job.spec.name, seed, &r), r.page),
                    None => (Case::skipped(&path, &job.spec.name, seed), None),
                }
            }
        })
        .unzip()
}

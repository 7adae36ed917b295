//! One scenario run as a job: what to run, how it ended, and running it on the calling thread
//! with its panics caught. The pool runs many jobs; a worker process runs one.
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::app::{RunOptions, run};
use crate::metrics::report::{Report, Timing};
use crate::scenario::spec::Spec;

/// Name prefix of worker threads; their panics are captured rather than printed.
pub(super) const WORKER: &str = "sangam-worker";

/// One run to do (sent to a worker process as RON, whose floats round-trip exactly).
#[derive(Clone, Serialize, Deserialize)]
pub struct Job {
    pub spec: Spec,
    /// Display name of the scenario's file (goes into the report's `source`).
    pub source: String,
    pub seed: Option<u64>,
    /// Wall-clock limit for this run, counted from when a worker picks it up.
    pub timeout: Option<Duration>,
    /// Also make the run's browser page (`crate::html`).
    #[serde(default)]
    pub html: bool,
    /// Threads the run may use (`RunOptions::threads`).
    #[serde(default)]
    pub threads: usize,
}

/// How one run ended.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum JobEnd {
    /// Ran to the scenario's duration.
    Finished(Box<Report>, Timing),
    /// Stopped by its wall-clock limit at a step boundary, with the report of the part that ran.
    TimedOut(Box<Report>, Duration),
    /// Did not come back from a step by its wall-clock limit (plus a grace), so its worker
    /// process was killed: the limit, and how long it had run.
    Killed(Duration, Duration),
    /// Panicked: the message and where.
    Panicked(String),
    /// Its worker process ended without a result (abort, signal): how, and its last words.
    Crashed(String),
    /// Its worker process ran out of memory under the memory limit.
    OutOfMemory(String),
}

impl JobEnd {
    /// What went wrong, for tables and logs; `None` for a run that finished.
    pub fn error(&self) -> Option<String> {
        match self {
            JobEnd::Finished(..) => None,
            JobEnd::TimedOut(report, limit) => Some(format!(
                "timed out: wall-time limit of {} s reached at {:.2} s of simulated time",
                limit.as_secs_f64(),
                report.sim_time_s
            )),
            JobEnd::Killed(limit, ran) => Some(format!(
                "timed out: wall-time limit of {} s passed inside a step; the worker was killed \
                 after {:.1} s",
                limit.as_secs_f64(),
                ran.as_secs_f64()
            )),
            JobEnd::Panicked(msg) | JobEnd::Crashed(msg) | JobEnd::OutOfMemory(msg) => {
                Some(msg.clone())
            }
        }
    }
}

/// A job's end and its wall time (kept apart from everything deterministic).
#[derive(Debug, Clone)]
pub struct JobResult {
    pub end: JobEnd,
    pub wall_s: f64,
    /// The run's browser page, when the job asked for it and the run finished or timed out.
    pub page: Option<String>,
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Capture panics of worker threads (message and location) instead of printing them among the
/// results; other threads keep the previous hook.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let worker = std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with(WORKER));
            if !worker {
                return previous(info);
            }
            let msg = payload_text(info.payload());
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("panicked: {msg}{at}")));
        }));
    });
}

fn payload_text(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".into()
    }
}

/// Run one job on the calling thread, turning a panic into [`JobEnd::Panicked`].
pub fn run_job(job: Job) -> JobResult {
    install_panic_hook();
    let started = Instant::now();
    let opts = RunOptions {
        seed: job.seed,
        deadline: job.timeout.map(|t| started + t),
        replay: job.html,
        threads: job.threads,
        ..RunOptions::default()
    };
    let result = catch_unwind(AssertUnwindSafe(|| {
        super::fault::inject(&job.spec.name);
        run(job.spec, &job.source, &opts)
    }));
    let wall_s = started.elapsed().as_secs_f64();
    let page = result.as_ref().ok().and_then(|out| {
        let replay = out.replay.as_ref()?;
        String::from_utf8(crate::html::page(&out.report, replay)).ok()
    });
    let end = match result {
        Ok(out) if out.timed_out => {
            JobEnd::TimedOut(Box::new(out.report), job.timeout.unwrap_or_default())
        }
        Ok(out) => JobEnd::Finished(Box::new(out.report), out.timing),
        Err(payload) => {
            let captured = LAST_PANIC.with(|p| p.borrow_mut().take());
            JobEnd::Panicked(
                captured.unwrap_or_else(|| format!("panicked: {}", payload_text(&*payload))),
            )
        }
    };
    JobResult { end, wall_s, page }
}

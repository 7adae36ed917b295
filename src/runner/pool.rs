//! The worker pool: many scenario runs at once, one Bevy app per worker.
//!
//! Each run is single-threaded and deterministic, so parallelism comes from running several
//! worlds side by side. Results come back indexed by input position, never by completion
//! order, so everything built from them is the same for any number of workers. A run that
//! panics is caught and reported as an error; with [`Isolation::Process`] each run is a child
//! process (see [`super::worker`]), so one that aborts, hangs inside a step or runs out of
//! memory is reported too while the others go on.
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam::channel::{bounded, unbounded};

use super::job::{Job, JobResult, WORKER, run_job};
use super::worker::{Isolation, run_in_process};

/// Run one job as `isolation` says.
fn run_isolated(job: Job, isolation: &Isolation) -> JobResult {
    match isolation {
        Isolation::Thread => run_job(job),
        Isolation::Process(limits) => run_in_process(&job, limits),
    }
}

/// Run `jobs` on `workers` threads, each run isolated as `isolation` says. `done` is called on the calling thread as each job ends
/// (in completion order: for progress display only). With `stop` set by `done` returning
/// false, jobs not yet started are skipped and come back as `None`.
pub fn run_all(
    jobs: Vec<Job>,
    workers: usize,
    isolation: &Isolation,
    mut done: impl FnMut(usize, &JobResult) -> bool,
) -> Vec<Option<JobResult>> {
    let n = jobs.len();
    let workers = workers.clamp(1, n.max(1));
    let stop = AtomicBool::new(false);
    let (job_tx, job_rx) = bounded::<(usize, Job)>(n.max(1));
    let (res_tx, res_rx) = unbounded::<(usize, JobResult)>();
    for (i, j) in jobs.into_iter().enumerate() {
        // Cannot fail: the channel holds all jobs and its receiver is alive.
        let _ = job_tx.send((i, j));
    }
    drop(job_tx);
    let mut results: Vec<Option<JobResult>> = (0..n).map(|_| None).collect();
    // A worker itself panicking outside a run is not expected (runs are caught); if it
    // happened, its remaining jobs would simply stay `None`.
    let _ = crossbeam::thread::scope(|s| {
        for w in 0..workers {
            let (job_rx, res_tx, stop) = (job_rx.clone(), res_tx.clone(), &stop);
            // If a spawn fails the other workers drain the queue.
            let _ = s.builder().name(format!("{WORKER}-{w}")).spawn(move |_| {
                for (i, job) in job_rx.iter() {
                    if stop.load(Ordering::Relaxed) {
                        continue;
                    }
                    if res_tx.send((i, run_isolated(job, isolation))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(res_tx);
        for (i, r) in res_rx.iter() {
            if !done(i, &r) {
                stop.store(true, Ordering::Relaxed);
            }
            results[i] = Some(r);
        }
    });
    results
}

/// Default worker count: the machine's cores.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

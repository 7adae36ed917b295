//! Results of `sangam-sim test`: one [`Case`] per scenario file, the results table, the JSON
//! summary. Everything but `wall_s` is deterministic, so outputs compare equal for any number
//! of workers.
use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::job::{JobEnd, JobResult};
use crate::metrics::report::Verdict;

/// What became of one scenario file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// Every expectation held.
    Pass,
    /// An expectation failed.
    Fail,
    /// Could not be judged: malformed input, a panic, or the wall-time limit.
    Error,
    /// Not run (`--fail-fast` after an earlier failure).
    Skipped,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Error => "ERROR",
            Status::Skipped => "SKIP",
        }
    }
}

/// Why a case is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    BadInput,
    Panic,
    Timeout,
    /// The worker process ended without a result (abort, signal).
    Crash,
    /// The worker process passed its memory limit.
    OutOfMemory,
}

/// One scenario file's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// The file, as found on the command line or under a directory.
    pub path: String,
    /// The scenario's `name` (None when the file did not load).
    pub scenario: Option<String>,
    pub seed: Option<u64>,
    pub status: Status,
    /// Expectations checked.
    pub expectations: usize,
    /// The failed expectations, measured against wanted.
    pub failures: Vec<Verdict>,
    pub error_kind: Option<ErrorKind>,
    /// The diagnostics, panic message or time-out.
    pub error: Option<String>,
    /// Simulated time reached, s.
    pub sim_time_s: Option<f64>,
    /// Wall time of the run, s: the one field that differs between identical runs.
    pub wall_s: Option<f64>,
}

impl Case {
    fn blank(path: &str, status: Status) -> Case {
        Case {
            path: path.into(),
            scenario: None,
            seed: None,
            status,
            expectations: 0,
            failures: Vec::new(),
            error_kind: None,
            error: None,
            sim_time_s: None,
            wall_s: None,
        }
    }

    /// A file that did not load; `diagnostics` is the plain `file:line:col: message` text.
    pub fn bad_input(path: &str, diagnostics: String) -> Case {
        Case {
            error_kind: Some(ErrorKind::BadInput),
            error: Some(diagnostics),
            ..Case::blank(path, Status::Error)
        }
    }

    pub fn skipped(path: &str, scenario: &str, seed: u64) -> Case {
        Case {
            scenario: Some(scenario.into()),
            seed: Some(seed),
            ..Case::blank(path, Status::Skipped)
        }
    }

    /// Mark the case an error of `kind`, with the run's own account of it.
    fn fail_with(&mut self, kind: ErrorKind, end: &JobEnd) {
        self.status = Status::Error;
        self.error_kind = Some(kind);
        self.error = end.error();
    }

    /// A run's result.
    pub fn from_job(path: &str, scenario: &str, seed: u64, r: &JobResult) -> Case {
        let mut c = Case {
            scenario: Some(scenario.into()),
            seed: Some(seed),
            wall_s: Some(r.wall_s),
            ..Case::blank(path, Status::Pass)
        };
        match &r.end {
            JobEnd::Finished(report, _) => {
                c.expectations = report.expectations.len();
                c.failures = report
                    .expectations
                    .iter()
                    .filter(|v| !v.passed)
                    .cloned()
                    .collect();
                c.status = if report.passed {
                    Status::Pass
                } else {
                    Status::Fail
                };
                c.sim_time_s = Some(report.sim_time_s);
            }
            JobEnd::TimedOut(report, _) => {
                c.sim_time_s = Some(report.sim_time_s);
                c.fail_with(ErrorKind::Timeout, &r.end);
            }
            JobEnd::Killed(..) => c.fail_with(ErrorKind::Timeout, &r.end),
            JobEnd::Panicked(_) => c.fail_with(ErrorKind::Panic, &r.end),
            JobEnd::Crashed(_) => c.fail_with(ErrorKind::Crash, &r.end),
            JobEnd::OutOfMemory(_) => c.fail_with(ErrorKind::OutOfMemory, &r.end),
        }
        c
    }
}

/// Counts over all cases.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub total: usize,
    pub passed: usize,
    pub failed: usize,
    pub errors: usize,
    pub skipped: usize,
}

impl Counts {
    pub fn of(cases: &[Case]) -> Counts {
        let n = |s| cases.iter().filter(|c| c.status == s).count();
        Counts {
            total: cases.len(),
            passed: n(Status::Pass),
            failed: n(Status::Fail),
            errors: n(Status::Error),
            skipped: n(Status::Skipped),
        }
    }
}

/// The JSON summary written by `--json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteSummary {
    pub counts: Counts,
    /// The exit code of the command.
    pub exit_code: i32,
    pub cases: Vec<Case>,
}

fn secs(x: Option<f64>) -> String {
    x.map_or("-".into(), |x| format!("{x:.1}s"))
}

/// The results table, one line per case in path order, with the failed expectations (measured
/// vs wanted) and errors indented under their case.
pub fn table(cases: &[Case]) -> String {
    let width = cases
        .iter()
        .map(|c| c.path.chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<6} {:<width$} {:>6} {:>10} {:>9}",
        "RESULT", "SCENARIO", "SEED", "SIM TIME", "WALL"
    );
    for c in cases {
        let seed = c.seed.map_or("-".into(), |x| x.to_string());
        let _ = writeln!(
            s,
            "{:<6} {:<width$} {:>6} {:>10} {:>9}",
            c.status.label(),
            c.path,
            seed,
            secs(c.sim_time_s),
            secs(c.wall_s)
        );
        for v in &c.failures {
            let _ = writeln!(
                s,
                "       FAIL {}: {} (wanted {})",
                v.expectation, v.measured, v.wanted
            );
        }
        if let Some(e) = &c.error {
            for line in e.lines().take(12) {
                let _ = writeln!(s, "       {line}");
            }
        }
    }
    let k = Counts::of(cases);
    let _ = writeln!(
        s,
        "{} scenarios: {} passed, {} failed, {} errors, {} skipped",
        k.total, k.passed, k.failed, k.errors, k.skipped
    );
    s
}

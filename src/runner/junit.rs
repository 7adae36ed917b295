//! JUnit XML for CI systems (GitLab, Jenkins, GitHub test reporters): one `<testsuite>` with
//! one `<testcase>` per scenario file; failed expectations become `<failure>`, malformed input,
//! panics and time-outs become `<error>`.
//!
//! No `time` or `timestamp` attributes are written, so the file is the same for any number of
//! workers and can be compared between runs (wall times are in the JSON summary).
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use super::suite::{Case, ErrorKind, Status};
use crate::output::OutputError;

/// Name of the report and its one suite.
pub const SUITE: &str = "sangam-sim";

fn test_case(c: &Case) -> TestCase {
    let status = match c.status {
        Status::Pass => TestCaseStatus::success(),
        Status::Skipped => {
            let mut s = TestCaseStatus::skipped();
            s.set_message("not run: --fail-fast stopped the suite after an earlier failure");
            s
        }
        Status::Fail => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            let first = c.failures.first();
            s.set_type("expectation");
            s.set_message(match first {
                Some(v) if c.failures.len() == 1 => {
                    format!("{}: {} (wanted {})", v.expectation, v.measured, v.wanted)
                }
                Some(v) => format!(
                    "{} of {} expectations failed; first: {}: {} (wanted {})",
                    c.failures.len(),
                    c.expectations,
                    v.expectation,
                    v.measured,
                    v.wanted
                ),
                None => "failed".into(),
            });
            let all: Vec<String> = c
                .failures
                .iter()
                .map(|v| {
                    format!(
                        "{}: measured {}, wanted {}",
                        v.expectation, v.measured, v.wanted
                    )
                })
                .collect();
            s.set_description(all.join("\n"));
            s
        }
        Status::Error => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
            s.set_type(match c.error_kind {
                Some(ErrorKind::BadInput) => "bad-input",
                Some(ErrorKind::Panic) => "panic",
                Some(ErrorKind::Timeout) => "timeout",
                Some(ErrorKind::Crash) => "crash",
                Some(ErrorKind::OutOfMemory) => "out-of-memory",
                None => "error",
            });
            let text = c.error.clone().unwrap_or_default();
            s.set_message(text.lines().next().unwrap_or("error").to_string());
            s.set_description(text);
            s
        }
    };
    let mut t = TestCase::new(c.scenario.clone().unwrap_or_else(|| c.path.clone()), status);
    t.set_classname(c.path.clone());
    t.set_assertions(c.expectations);
    t
}

/// The JUnit document.
pub fn junit(cases: &[Case]) -> Result<String, OutputError> {
    let mut suite = TestSuite::new(SUITE);
    suite.add_test_cases(cases.iter().map(test_case));
    let mut report = Report::new(SUITE);
    report.add_test_suite(suite);
    report.to_string().map_err(|e| OutputError::Encode {
        what: "the JUnit report".into(),
        problem: e.to_string(),
    })
}

//! JUnit XML for CI systems (GitLab, Jenkins, GitHub test reporters): one `<testsuite>` with
//! one `<testcase>` per scenario file; failed expectations become `<failure>`, malformed input,
//! panics, crashes and time-outs become `<error>`, cases `--fail-fast` did not run `<skipped>`.
//!
//! The document follows the schema Jenkins validates against (xunit-plugin's `junit-10.xsd`,
//! the common denominator of CI readers): only the attributes it declares, `time` in seconds on
//! the suites and on every case. Wall time belongs here, not in the reports: apart from the
//! `time` attributes the file is the same for any number of workers.
use std::fmt::Write;

use crate::output::xml_escape as escape;

use super::suite::{Case, Counts, ErrorKind, Status};

/// Name of the report and its one suite.
pub const SUITE: &str = "sangam-sim";

/// Seconds as JUnit's `time` (Surefire's pattern: digits, a point, digits).
fn seconds(s: f64) -> String {
    format!("{:.3}", if s > 0.0 { s } else { 0.0 })
}

/// The outcome element of a case that did not pass: (element, type, message, text).
fn outcome(c: &Case) -> Option<(&'static str, &'static str, String, String)> {
    match c.status {
        Status::Pass => None,
        Status::Skipped => Some((
            "skipped",
            "fail-fast",
            "not run: --fail-fast stopped the suite after an earlier failure".into(),
            String::new(),
        )),
        Status::Fail => Some(("failure", "expectation", failure_message(c), failures(c))),
        Status::Error => {
            let kind = match c.error_kind {
                Some(ErrorKind::BadInput) => "bad-input",
                Some(ErrorKind::Panic) => "panic",
                Some(ErrorKind::Timeout) => "timeout",
                Some(ErrorKind::Crash) => "crash",
                Some(ErrorKind::OutOfMemory) => "out-of-memory",
                None => "error",
            };
            let text = c.error.clone().unwrap_or_default();
            let first = text.lines().next().unwrap_or("error").to_string();
            Some(("error", kind, first, text))
        }
    }
}

/// One line for a failed case: its one failed expectation, or how many failed and the first.
fn failure_message(c: &Case) -> String {
    match c.failures.first() {
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
    }
}

/// Every failed expectation, one per line.
fn failures(c: &Case) -> String {
    let lines: Vec<String> = c
        .failures
        .iter()
        .map(|v| {
            format!(
                "{}: measured {}, wanted {}",
                v.expectation, v.measured, v.wanted
            )
        })
        .collect();
    lines.join("\n")
}

/// A case's page for CI readers: GitLab and Jenkins' attachments plugin take
/// `[[ATTACHMENT|path]]` in the case's standard output as a file to link.
fn attachment(page: Option<&String>) -> String {
    page.map_or(String::new(), |p| {
        format!(
            "\n      <system-out>[[ATTACHMENT|{}]]</system-out>",
            escape(p)
        )
    })
}

fn test_case(out: &mut String, c: &Case, page: Option<&String>) {
    let name = c.scenario.clone().unwrap_or_else(|| c.path.clone());
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
        escape(&name),
        escape(&c.path),
        seconds(c.wall_s.unwrap_or(0.0))
    );
    let attached = attachment(page);
    match outcome(c) {
        None if attached.is_empty() => out.push_str("/>\n"),
        None => {
            let _ = writeln!(out, ">{attached}\n    </testcase>");
        }
        Some((element, kind, message, text)) => {
            let _ = writeln!(
                out,
                ">\n      <{element} type=\"{kind}\" message=\"{}\">{}</{element}>{attached}\n    </testcase>",
                escape(&message),
                escape(&text)
            );
        }
    }
}

/// The JUnit document for `cases` (with each one's browser page, if any), run in `wall_s`
/// seconds.
pub fn junit(cases: &[Case], pages: &[Option<String>], wall_s: f64) -> String {
    let Counts {
        total: tests,
        failed: failures,
        errors,
        skipped,
        ..
    } = Counts::of(cases);
    let time = seconds(wall_s);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{SUITE}\" tests=\"{tests}\" failures=\"{failures}\" \
         errors=\"{errors}\" time=\"{time}\">\n  <testsuite name=\"{SUITE}\" tests=\"{tests}\" \
         failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{time}\">"
    );
    for (i, c) in cases.iter().enumerate() {
        test_case(&mut out, c, pages.get(i).and_then(Option::as_ref));
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_follow_surefires_pattern() {
        assert_eq!(seconds(1234.5678), "1234.568");
        assert_eq!(seconds(-0.0), "0.000");
    }
}

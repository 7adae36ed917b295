//! One scenario that aborts, never returns from a step or eats memory does not take
//! `sangam-sim test` down: each run is a worker process, watched and limited, and its end is an
//! error in the table, the JSON and the JUnit while the others finish. The faults are injected
//! with the test hook `SANGAM_SIM_TEST_FAULT` (src/runner/fault.rs) into a real run.
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use sangam_sim::runner::discover::expand;
use sangam_sim::scenario::load::load_file;
use sangam_sim::scenario::spec::Spec;

mod support;
use support::junit_without_times;

const PANIC: &str = "tests/fixtures/runner/suite/panic.ron";
const PASS_A: &str = "tests/fixtures/runner/suite/pass-a.ron";
const PASS_B: &str = "tests/fixtures/runner/suite/pass-b.ron";
const FAIL: &str = "tests/fixtures/runner/suite/fail.ron";
/// Far above what any of these runs should take: the test fails rather than hangs.
const GUARD: Duration = Duration::from_secs(120);

/// Run the binary with the fault `kind` armed for the `runner-panic` scenario, killing it if
/// it outlives [`GUARD`].
fn sim_with_fault(kind: Option<&str>, args: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sangam-sim"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("SANGAM_SIM_TEST_FAULT")
        .env("RUST_BACKTRACE", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(k) = kind {
        c.env("SANGAM_SIM_TEST_FAULT", format!("runner-panic:{k}"));
    }
    let mut child = c.spawn().expect("the binary runs");
    let started = Instant::now();
    while child.try_wait().expect("wait works").is_none() {
        if started.elapsed() > GUARD {
            let _ = child.kill();
            panic!("sangam-sim {args:?} with fault {kind:?} ran past {GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output is read")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The JSON summary of a suite run with fault `kind`, and the process output.
fn suite(kind: &str, extra: &[&str]) -> (serde_json::Value, String, Output) {
    let dir = tempfile::tempdir().unwrap();
    let (json, xml) = (dir.path().join("s.json"), dir.path().join("s.xml"));
    let mut args = vec![
        "test",
        PANIC,
        PASS_A,
        PASS_B,
        FAIL,
        "--json",
        json.to_str().unwrap(),
        "--junit",
        xml.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = sim_with_fault(Some(kind), &args);
    let summary = serde_json::from_slice(&std::fs::read(&json).expect("the JSON is written"))
        .expect("the JSON parses");
    (summary, std::fs::read_to_string(&xml).unwrap(), out)
}

/// The case of the faulty scenario, after checking that the others ran to their verdicts.
fn faulty_case(summary: &serde_json::Value) -> serde_json::Value {
    let cases = summary["cases"].as_array().unwrap();
    let status = |path: &str| {
        cases.iter().find(|c| c["path"] == path).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(status(PASS_A), "PASS", "{summary}");
    assert_eq!(status(PASS_B), "PASS", "{summary}");
    assert_eq!(status(FAIL), "FAIL", "{summary}");
    let counts = &summary["counts"];
    assert_eq!(
        (&counts["passed"], &counts["failed"], &counts["errors"]),
        (&2.into(), &1.into(), &1.into()),
        "{summary}"
    );
    assert_eq!(summary["exit_code"], 1);
    let c = cases.iter().find(|c| c["path"] == PANIC).unwrap().clone();
    assert_eq!(c["status"], "ERROR", "{c}");
    c
}

#[test]
fn an_abort_is_one_error_and_the_others_finish() {
    let (summary, xml, out) = suite("abort", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let c = faulty_case(&summary);
    assert_eq!(c["error_kind"], "crash");
    let msg = c["error"].as_str().unwrap();
    assert!(
        msg.starts_with("crashed: the worker process was killed by signal 6 (SIGABRT)"),
        "{msg}"
    );
    assert!(xml.contains(r#"type="crash""#), "{xml}");
    let table = text(&out.stdout);
    assert!(
        table.contains("4 scenarios: 2 passed, 1 failed, 1 errors"),
        "{table}"
    );
}

#[test]
fn a_step_that_never_returns_is_killed_at_the_timeout() {
    let started = Instant::now();
    let (summary, xml, out) = suite("hang", &["--timeout", "3"]);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let c = faulty_case(&summary);
    assert_eq!(c["error_kind"], "timeout");
    let msg = c["error"].as_str().unwrap();
    assert!(
        msg.starts_with(
            "timed out: wall-time limit of 3 s passed inside a step; the worker was killed after"
        ),
        "{msg}"
    );
    // Killed at the limit plus the grace (1 s + 10 %), not later.
    let wall = c["wall_s"].as_f64().unwrap();
    assert!((4.3..10.0).contains(&wall), "killed after {wall} s");
    assert!(took < GUARD, "the suite took {took:?}");
    assert!(xml.contains(r#"type="timeout""#), "{xml}");
}

#[test]
fn a_runaway_allocation_stops_at_the_memory_limit() {
    let (summary, xml, out) = suite("alloc", &["--memory-limit", "512"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let c = faulty_case(&summary);
    assert_eq!(c["error_kind"], "out_of_memory");
    let msg = c["error"].as_str().unwrap();
    assert!(
        msg.starts_with("out of memory (a limit of 512 MiB): memory allocation of"),
        "{msg}"
    );
    assert!(xml.contains(r#"type="out-of-memory""#), "{xml}");
}

#[test]
fn a_panic_reads_the_same_from_a_worker_process_as_from_a_thread() {
    let strip = |mut v: serde_json::Value| {
        for c in v["cases"].as_array_mut().unwrap() {
            c.as_object_mut().unwrap().remove("wall_s");
        }
        v
    };
    let (process, _, _) = suite("panic", &["--isolation", "process"]);
    let (thread, _, _) = suite("panic", &["--isolation", "thread"]);
    let c = faulty_case(&process);
    assert_eq!(c["error_kind"], "panic");
    assert!(
        c["error"]
            .as_str()
            .unwrap()
            .starts_with("panicked: SANGAM_SIM_TEST_FAULT test hook fired for scenario `runner-panic` at src/runner/fault.rs:"),
        "{c}"
    );
    assert_eq!(strip(process), strip(thread));
}

#[test]
fn faulty_runs_give_the_same_results_for_any_number_of_workers() {
    let strip = |(mut v, xml, _): (serde_json::Value, String, Output)| {
        for c in v["cases"].as_array_mut().unwrap() {
            c.as_object_mut().unwrap().remove("wall_s");
        }
        (v, junit_without_times(&xml))
    };
    let one = strip(suite("abort", &["-j", "1"]));
    let two = strip(suite("abort", &["-j", "2"]));
    assert_eq!(one, two);
}

#[test]
fn a_memory_limit_without_worker_processes_is_refused() {
    let out = sim_with_fault(
        None,
        &[
            "test",
            PASS_A,
            "--isolation",
            "thread",
            "--memory-limit",
            "512",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(
            "error: --memory-limit needs worker processes; drop it or use --isolation process"
        ),
        "{}",
        text(&out.stderr)
    );
    let huge = sim_with_fault(
        None,
        &["test", PASS_A, "--memory-limit", "18446744073709551615"],
    );
    assert_eq!(huge.status.code(), Some(2));
    assert!(text(&huge.stderr).contains("more than this machine can address"));
}

/// Every library scenario crosses the process boundary as RON and comes back equal: the
/// worker runs exactly the spec the parent loaded.
#[test]
fn every_library_scenario_survives_the_trip_to_a_worker() {
    let (files, problems) = expand(&["scenarios".to_string()]);
    assert!(problems.is_empty(), "{problems:?}");
    let mut n = 0;
    for path in files {
        let spec = load_file(&path).unwrap().spec;
        let text = ron::to_string(&spec).unwrap();
        let back: Spec = ron::from_str(&text).unwrap();
        assert_eq!(spec, back, "{}", path.display());
        n += 1;
    }
    assert!(n >= 10, "only {n} scenarios found");
}

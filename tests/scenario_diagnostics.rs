//! Diagnostics of issue 12: sweep-file errors carry file:line:col and a hint like scenario
//! errors (every bad value in one pass), and a count over its limit is reported alone instead
//! of under thousands of errors it causes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sangam_sim::scenario::load::load_str;

fn sweeps() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad/sweep")
}

/// `sangam-sim sweep FILE` from the sweep fixtures directory (so paths print relative).
fn sweep(file: &str, name: &str) -> Output {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("sweep-diag-{name}"));
    Command::new(env!("CARGO_BIN_EXE_sangam-sim"))
        .current_dir(sweeps())
        .args(["sweep", file, "--out"])
        .arg(&out)
        .output()
        .expect("run sangam-sim")
}

#[test]
fn every_bad_sweep_value_is_reported_at_its_position_with_a_hint() {
    let out = sweep("bad_values.ron", "values");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: bad_values.ron:3:24: penetration[1]: must be between 0 and 1, found 1.5
  help: a share of automated vehicles, 0-1 (0.5 is half)
bad_values.ron:3:29: penetration[2]: must be a finite number, found NaN
  help: NaN and infinite values are not allowed
bad_values.ron:4:14: demand[0]: must be 0 or more, found -1
  help: a multiplier on every flow's `per_hour`, such as 0.5 or 2.0
bad_values.ron:5:22: gnb_latency_ms[0]: must be greater than 0 ms, found 0
  help: a median gNB-to-edge latency in ms, such as 5.0
bad_values.ron:6:20: duration: must be at most 86400 s, found 1000000000
  help: simulated seconds of every point, at most one day
"
    );
}

#[test]
fn a_sweep_syntax_error_reads_like_a_scenario_one() {
    let out = sweep("unknown_axis.ron", "syntax");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: unknown_axis.ron:3:5: unknown field `penetraton` in the sweep file, expected one of \
         base, seeds, penetration, gnb_latency_ms, rsu_count, demand, duration (did you mean \
         `penetration`?)\n"
    );
}

#[test]
fn a_missing_or_empty_sweep_file_has_a_position() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sweep-diag-empty");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("empty.ron"), "").expect("write");
    std::fs::write(dir.join("nobase.ron"), "Sweep(\n  seeds: [1],\n)\n").expect("write");
    for (file, want) in [
        (
            "empty.ron",
            "error: empty.ron:1:1: expected `(`\n  help: the file is empty; a scenario is one `( ... )`\n",
        ),
        (
            "nobase.ron",
            "error: nobase.ron:3:1: missing field `base` in the sweep file\n  help: add `base: ...`; it has no default\n",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_sangam-sim"))
            .current_dir(&dir)
            .args(["sweep", file, "--out", "out"])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), want, "{file}");
    }
}

#[test]
fn the_vehicle_limit_is_reported_alone_not_under_overlap_errors() {
    // 20 001 vehicles all at the start of one lane at t = 0: 20 000 overlaps besides the limit.
    let vehicles: String = (0..20_001)
        .map(|i| format!("(id:\"v{i}\",kind:Car,route:Links([\"l\"]),depart:0.0),\n"))
        .collect();
    let src = format!(
        "(name:\"many\",duration:100.0,network:(nodes:[(id:\"a\",pos:(0.0,0.0)),(id:\"b\",pos:(100.0,0.0))],links:[(id:\"l\",from:\"a\",to:\"b\")]),vehicles:[\n{vehicles}])"
    );
    let err = load_str("many.ron", &src).expect_err("too many");
    assert_eq!(
        err.to_string(),
        "many.ron:20002:1: vehicles[20000]: too many vehicles: 20001, the limit is 20000\n  help: use `flows` for large demand"
    );
    // Under the limit the same pile-up is reported (so the check above is not vacuous).
    let fewer: String = (0..3)
        .map(|i| format!("(id:\"v{i}\",kind:Car,route:Links([\"l\"]),depart:0.0),\n"))
        .collect();
    let src = src.replace(&vehicles, &fewer);
    let err = load_str("few.ron", &src).expect_err("overlaps");
    assert!(err.len() >= 2, "{err}");
    assert!(err.iter().all(|d| !d.message.contains("too many")), "{err}");
}

#[test]
fn an_empty_file_has_the_same_position_in_check_and_test() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("diag-empty-agree");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("empty.ron"), "").expect("write");
    for cmd in ["check", "test"] {
        let out = Command::new(env!("CARGO_BIN_EXE_sangam-sim"))
            .current_dir(&dir)
            .args([cmd, "empty.ron"])
            .output()
            .expect("run");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(2), "{cmd}: {all}");
        assert!(all.contains("empty.ron:1:1: expected `(`"), "{cmd}: {all}");
        assert!(all.contains("the file is empty"), "{cmd}: {all}");
    }
}

/// A value that is valid but probably not meant gets a warning from `check` with its place in
/// the file, and the exit code stays 0 (the scenario runs as written).
#[test]
fn check_warns_of_a_driver_above_every_limit_and_exits_0() {
    let out = Command::new(env!("CARGO_BIN_EXE_sangam-sim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "tests/fixtures/warn/speeding.ron"])
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(
            "warning: tests/fixtures/warn/speeding.ron:10:70: vehicles[0].driver.v0: desired speed 30 m/s"
        ),
        "{err}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("ok, 1 warning"));
}

//! Sweeps: a sweep run in two shards (one in worker processes, one on threads) and merged is
//! byte for byte the unsharded run (plan, per-point reports, points.csv, plots), and the
//! overrides reach the scenarios.
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

mod support;
use support::sim;

const SWEEP: &str = "tests/fixtures/runner/sweep/sweep.ron";

fn ok(out: Output) -> Output {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Every file under `dir` (relative path → bytes).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn merged_shards_equal_the_unsharded_run_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |n: &str| tmp.path().join(n).to_string_lossy().into_owned();
    ok(sim(&["sweep", SWEEP, "--out", &p("all"), "-j", "2"]));
    ok(sim(&[
        "sweep",
        SWEEP,
        "--out",
        &p("s0"),
        "--shard",
        "0/2",
        "-j",
        "1",
    ]));
    ok(sim(&[
        "sweep",
        SWEEP,
        "--out",
        &p("s1"),
        "--shard",
        "1/2",
        "-j",
        "1",
        // One shard on threads: its reports equal those sent back by worker processes.
        "--isolation",
        "thread",
    ]));
    ok(sim(&["merge", &p("s1"), &p("s0"), "--out", &p("merged")]));

    let all = files(&tmp.path().join("all"));
    let merged = files(&tmp.path().join("merged"));
    assert_eq!(
        all.keys().collect::<Vec<_>>(),
        merged.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &all {
        assert!(merged[name] == *bytes, "{name} differs after merge");
    }
    for f in [
        "sweep.json",
        "points.csv",
        "latency_cdf.svg",
        "pdr_vs_distance.svg",
        "travel_time_vs_penetration.svg",
        "collisions_vs_penetration.svg",
        "points/p0000/report.json",
        "points/p0007/report.json",
    ] {
        assert!(all.contains_key(f), "{f} missing: {:?}", all.keys());
    }
    // Shard 0 holds the even points only.
    let s0 = files(&tmp.path().join("s0"));
    assert!(
        s0.contains_key("points/p0006/report.json") && !s0.contains_key("points/p0007/report.json")
    );

    // One row per point, in point order, with the overrides.
    let mut csv = csv::Reader::from_reader(&all["points.csv"][..]);
    let header = csv.headers().unwrap().clone();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 8);
    let ids: Vec<&str> = rows.iter().map(|r| &r[col("id")]).collect();
    assert_eq!(
        ids,
        [
            "p0000", "p0001", "p0002", "p0003", "p0004", "p0005", "p0006", "p0007"
        ]
    );
    // Seeds vary fastest, then demand, then penetration.
    let seeds: Vec<&str> = rows.iter().map(|r| &r[col("seed")]).collect();
    assert_eq!(seeds, ["1", "2", "1", "2", "1", "2", "1", "2"]);
    assert_eq!(&rows[2][col("demand")], "1");
    assert_eq!(&rows[4][col("penetration")], "1");
    // Penetration 1 makes every vehicle automated (the explicit cars and the flow's).
    assert_eq!(&rows[0][col("automated_share")], "0");
    assert_eq!(&rows[5][col("automated_share")], "1");
    assert_eq!(&rows[0][col("scenario_seed")], "1");
    assert_eq!(&rows[1][col("scenario_seed")], "2");
    // The SVGs are complete documents.
    let svg = String::from_utf8(all["travel_time_vs_penetration.svg"].clone()).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
}

#[test]
fn merge_refuses_incomplete_or_foreign_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |n: &str| tmp.path().join(n).to_string_lossy().into_owned();
    ok(sim(&["sweep", SWEEP, "--out", &p("s0"), "--shard", "0/2"]));
    let out = sim(&["merge", &p("s0"), "--out", &p("merged")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("4 of 8 points are in none of the directories")
    );

    let bad = sim(&["sweep", SWEEP, "--shard", "2/2", "--out", &p("x")]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--shard must be k/n"));
}

/// Output failures of every command that writes files read the same way: `error:` naming the
/// path that failed, a `help:` line, exit 2 (the one error type of outputs, issue 11).
#[test]
fn output_failures_name_the_path_and_say_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    // A regular file where a directory is needed.
    let blocker = tmp.path().join("blocker");
    std::fs::write(&blocker, "not a directory").unwrap();
    let under = |name: &str| blocker.join(name).to_string_lossy().into_owned();
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec!["sweep".into(), SWEEP.into(), "--out".into(), under("sweep")],
            under("sweep"),
        ),
        (
            vec![
                "test".into(),
                "tests/fixtures/runner/suite/pass-a.ron".into(),
                "--junit".into(),
                under("junit.xml"),
            ],
            under("junit.xml"),
        ),
        (
            vec![
                "run".into(),
                "scenarios/examples/minimal.ron".into(),
                "--trace".into(),
                "--out".into(),
                under("run"),
            ],
            under("run"),
        ),
        (
            vec!["bench".into(), "--emit".into(), under("grid.ron")],
            under("grid.ron"),
        ),
    ];
    for (args, path) in cases {
        let out = sim(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        let first = err.lines().find(|l| l.starts_with("error: ")).unwrap_or("");
        assert!(
            first.contains(&path),
            "{args:?}: the error names {path}: {err}"
        );
        assert!(
            err.lines().any(|l| l.trim_start().starts_with("help: ")),
            "{args:?}: a help line: {err}"
        );
    }
}

//! A run's outputs are one set (docs/testing.md, "Outputs"): committed together with a manifest
//! written last, nothing of an earlier run left beside them, dead runs' temporaries cleaned, and
//! a failure naming the path that failed.
use std::path::Path;
use std::process::{Command, Output};

use sangam_sim::output::hash::fnv64_read;
use sangam_sim::output::set::{MANIFEST, verify};

fn run(out: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sangam-sim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "tests/fixtures/runner/trace.ron", "-q", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn the_manifest_names_exactly_the_runs_files_with_their_hashes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), &["--trace", "--fcd-xml"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = verify(tmp.path()).unwrap().expect("a manifest");
    let listed: Vec<&str> = manifest.files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        listed,
        [
            "report.json",
            "timing.json",
            "fcd.csv",
            "v2x.csv",
            "fcd.xml"
        ]
    );
    for f in &manifest.files {
        let (hash, len) =
            fnv64_read(std::fs::File::open(tmp.path().join(&f.name)).unwrap()).unwrap();
        assert_eq!((hash, len), (f.fnv1a64.clone(), f.bytes), "{}", f.name);
    }
    let mut all = listed.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    all.push(MANIFEST.into());
    all.sort();
    assert_eq!(names(tmp.path()), all, "nothing else, no temporaries");
}

#[test]
fn a_run_without_traces_leaves_no_earlier_traces_beside_its_report() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(
        run(tmp.path(), &["--trace", "--fcd-xml"]).status.code(),
        Some(0)
    );
    assert!(tmp.path().join("fcd.csv").exists());
    assert_eq!(run(tmp.path(), &[]).status.code(), Some(0));
    assert_eq!(
        names(tmp.path()),
        ["manifest.json", "report.json", "timing.json"]
    );
    assert_eq!(verify(tmp.path()).unwrap().unwrap().files.len(), 2);
}

#[test]
fn dead_runs_temporaries_are_removed_and_other_files_kept() {
    let tmp = tempfile::tempdir().unwrap();
    // A pid above the kernel's pid_max (at most 2^22) never belongs to a live process.
    let stale = tmp.path().join(".fcd.csv.4294967.3.tmp");
    let mine = tmp.path().join("notes.txt");
    std::fs::write(&stale, vec![0u8; 4096]).unwrap();
    std::fs::write(&mine, b"keep").unwrap();
    assert_eq!(run(tmp.path(), &[]).status.code(), Some(0));
    assert!(!stale.exists(), "stale temporary left behind");
    assert_eq!(std::fs::read(&mine).unwrap(), b"keep");
}

#[test]
fn an_unwritable_output_names_the_path_and_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let target = file.join("out");
    for extra in [&[][..], &["--trace"][..]] {
        let out = run(&target, extra);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(&target.display().to_string()), "{err}");
        assert!(err.contains("help:"), "{err}");
    }
    assert_eq!(names(tmp.path()), ["a-file"]);
}

#[test]
fn the_report_does_not_depend_on_how_the_path_was_spelled() {
    let tmp = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let absolute = root.join("tests/fixtures/runner/trace.ron");
    let spellings: [(&Path, String); 3] = [
        (root, "tests/fixtures/runner/trace.ron".into()),
        (root, "./tests/fixtures/../fixtures/runner/trace.ron".into()),
        (tmp.path(), absolute.to_string_lossy().into_owned()),
    ];
    let mut reports = Vec::new();
    for (i, (cwd, path)) in spellings.iter().enumerate() {
        let out = tmp.path().join(format!("o{i}"));
        let o = Command::new(env!("CARGO_BIN_EXE_sangam-sim"))
            .current_dir(cwd)
            .args(["run", path.as_str(), "-q", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        reports.push(std::fs::read(out.join("report.json")).unwrap());
    }
    assert!(
        reports.iter().all(|r| *r == reports[0]),
        "report.json bytes differ"
    );
    let text = String::from_utf8(reports[0].clone()).unwrap();
    assert!(text.contains("\"source\": \"trace.ron\""), "{text}");
}

/// `sangam-sim` with `args`, from a directory with no scenario files in it.
fn elsewhere(args: &[&str]) -> (Output, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sangam-sim"))
        .current_dir(tmp.path())
        .args(args)
        .output()
        .unwrap();
    (out, tmp)
}

/// Where no such file exists, a library scenario's name runs or checks the built-in copy, with
/// or without `.ron`; an unknown name is still bad input.
#[test]
fn library_names_work_where_there_is_no_such_file() {
    let (out, _) = elsewhere(&["check", "hidden-pedestrian", "grid-8x8.ron"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("hidden-pedestrian: ok") && text.contains("grid-8x8.ron: ok"));
    let (out, tmp) = elsewhere(&["run", "red-light-runner", "-q", "--out", "o"]);
    assert_eq!(out.status.code(), Some(0));
    let report = std::fs::read_to_string(tmp.path().join("o/report.json")).unwrap();
    assert!(
        report.contains("\"scenario\": \"red-light-runner\""),
        "{report}"
    );
    let (out, _) = elsewhere(&["check", "no-such-scenario"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `view` on a build without the view says how to get it, as bad usage.
#[cfg(not(feature = "viz"))]
#[test]
fn view_without_the_feature_says_how_to_build_it() {
    let (out, _) = elsewhere(&["view", "sangam-dmc", "--speed", "2"]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("--features viz"), "{text}");
}

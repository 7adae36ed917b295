//! Generated scenario files are current (issue 11): `tools/gen_sangam.py` (the Sangam map) and
//! `sangam-sim bench --emit-library` (the grid, from the Rust code that also builds the benchmark
//! grid) regenerated into a temporary directory give exactly the committed bytes, so a change to
//! a generator (or a hand edit of a generated file) that is not followed by regenerating and
//! committing fails CI.
use std::path::Path;
use std::process::Command;

/// Every file the Python generator writes, relative to `scenarios/`.
const GENERATED: [&str; 2] = [
    "common/sangam-map.ron",
    "common/hidden-pedestrian-world.ron",
];

#[test]
fn generated_scenarios_match_the_generator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().expect("a temporary directory");
    let run = Command::new("python3")
        .arg(root.join("tools/gen_sangam.py"))
        .arg("--out")
        .arg(out.path())
        .output()
        .expect("python3 runs (CI installs it)");
    assert!(
        run.status.success(),
        "gen_sangam.py failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut stale = Vec::new();
    for file in GENERATED {
        let fresh = std::fs::read(out.path().join(file)).expect("the generator wrote it");
        let committed = std::fs::read(root.join("scenarios").join(file)).expect("committed");
        if fresh != committed {
            stale.push(file);
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated scenarios {stale:?}: run `python3 tools/gen_sangam.py` and commit"
    );
}

#[test]
fn the_library_grid_matches_the_rust_grid_builder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::tempdir().expect("a temporary directory");
    let file = out.path().join("grid-8x8.ron");
    let run = Command::new(env!("CARGO_BIN_EXE_sangam-sim"))
        .args(["bench", "--emit-library"])
        .arg(&file)
        .output()
        .expect("the binary runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let fresh = std::fs::read(&file).expect("written");
    let committed = std::fs::read(root.join("scenarios/grid-8x8.ron")).expect("committed");
    assert!(
        fresh == committed,
        "scenarios/grid-8x8.ron is stale: run `sangam-sim bench --emit-library scenarios/grid-8x8.ron` and commit"
    );
}

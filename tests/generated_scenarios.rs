//! Generated scenario files are current (issue 11): `tools/gen_sangam.py` regenerated into a
//! temporary directory gives exactly the committed bytes, so a change to the generator (or a
//! hand edit of a generated file) that is not followed by regenerating and committing fails CI.
use std::path::Path;
use std::process::Command;

/// Every file the generator writes, relative to `scenarios/`.
const GENERATED: [&str; 3] = [
    "common/sangam-map.ron",
    "common/hidden-pedestrian-world.ron",
    "grid-8x8.ron",
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

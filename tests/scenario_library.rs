//! Every scenario in `scenarios/` loads and passes its own expectations, run through the same
//! `sangam-sim test` CI users run (in parallel, one world per worker).
use std::path::{Path, PathBuf};
use std::process::Command;

fn scenario_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("scenarios/ readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if p.is_dir() {
            // Fragments and sweep files are not scenarios.
            if name != "common" && name != "sweeps" {
                scenario_files(&p, out);
            }
        } else if name.ends_with(".ron") {
            out.push(p);
        }
    }
}

#[test]
fn every_library_scenario_passes_its_expectations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    scenario_files(&root.join("scenarios"), &mut files);
    assert!(files.len() >= 9, "scenario library shrank: {files:?}");
    let out = std::env::temp_dir().join(format!("sangam-library-{}", std::process::id()));
    let summary = out.join("summary.json");
    let status = Command::new(env!("CARGO_BIN_EXE_sangam-sim"))
        .current_dir(root)
        .args(["test", "scenarios", "-j", "2", "--json"])
        .arg(&summary)
        .status()
        .expect("sangam-sim runs");
    let text = std::fs::read_to_string(&summary).expect("summary written");
    let _ = std::fs::remove_dir_all(&out);
    assert_eq!(status.code(), Some(0), "library did not pass:\n{text}");
    let json: serde_json::Value = serde_json::from_str(&text).expect("summary is JSON");
    let cases = json["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), files.len(), "not every scenario ran");
    for c in cases {
        assert_eq!(c["status"], "PASS", "{c}");
    }
}

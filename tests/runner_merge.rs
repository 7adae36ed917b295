//! `merge` refuses shards that do not belong together (a different base scenario behind the same
//! sweep file), a missing shard and a damaged one, with exit 2 and nothing written.
use std::path::{Path, PathBuf};

mod support;
use support::sim;

const FIXTURE: &str = "tests/fixtures/runner/sweep";

/// A copy of the fixture sweep in `dir`, its base scenario's text passed through `edit`.
fn sweep_copy(dir: &Path, edit: impl Fn(String) -> String) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(src.join("sweep.ron"), dir.join("sweep.ron")).unwrap();
    let base = std::fs::read_to_string(src.join("base.ron")).unwrap();
    std::fs::write(dir.join("base.ron"), edit(base)).unwrap();
    dir.join("sweep.ron").to_string_lossy().into_owned()
}

fn shard(sweep: &str, k: usize, out: &Path) {
    let o = sim(&[
        "sweep",
        sweep,
        "--shard",
        &format!("{k}/2"),
        "-j",
        "1",
        "--out",
        &s(out),
    ]);
    assert!(
        o.status.code() == Some(0) || o.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn refused(dirs: &[PathBuf], out: &Path, expect: &str) {
    let mut args = vec!["merge".to_string()];
    args.extend(dirs.iter().map(|d| s(d)));
    args.extend(["--out".to_string(), s(out)]);
    let o = sim(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(expect), "expected `{expect}` in:\n{err}");
    assert!(!out.exists(), "merge left {} behind", out.display());
    let leftovers: Vec<_> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporaries left: {leftovers:?}");
}

#[test]
fn shards_of_different_bases_a_missing_and_a_damaged_shard_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let t = |n: &str| tmp.path().join(n);
    let a = sweep_copy(&t("a"), |b| b);
    let b = sweep_copy(&t("b"), |b| b.replacen("seed: 1,", "seed: 7,", 1));
    shard(&a, 0, &t("a0"));
    shard(&a, 1, &t("a1"));
    shard(&b, 1, &t("b1"));

    refused(
        &[t("a0"), t("b1")],
        &t("merged"),
        "its base `base.ron` has different contents",
    );
    refused(
        &[t("a0")],
        &t("merged"),
        "4 of 8 points are in none of the directories",
    );

    let report = t("a1").join("points/p0001/report.json");
    let text = std::fs::read_to_string(&report).unwrap();
    std::fs::write(&report, &text[..text.len() / 2]).unwrap();
    refused(&[t("a0"), t("a1")], &t("merged"), &s(&report));
}

//! Includes are confined to the scenario's directory tree, and a file that is not a scenario
//! is never echoed (issue 12, "Files and security"): the binary is run as a user would, and
//! a secret written into the outside file must not appear anywhere in its output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Text of the outside file; it must never be printed.
const SECRET: &str = "hunter2-s5-secret";

/// A fresh directory tree: `outside/secret.txt` and `outside/secret.ron` (a valid fragment
/// holding the secret as a building id), and `lib/` where the scenarios go.
fn tree(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("includes-{name}"));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("outside")).expect("outside dir");
    std::fs::create_dir_all(root.join("lib/common")).expect("lib dir");
    std::fs::write(
        root.join("outside/secret.txt"),
        format!("{SECRET}=1\nsecond line\n"),
    )
    .expect("secret");
    std::fs::write(
        root.join("outside/secret.ron"),
        format!(
            "(buildings: [(id: \"{SECRET}\", shape: Box(center: (0.0, 0.0), size: (1.0, 1.0)), height: -1.0)])"
        ),
    )
    .expect("secret fragment");
    root
}

/// A minimal valid scenario in `dir` including `include`.
fn scenario(dir: &Path, include: &str) -> PathBuf {
    let path = dir.join("s.ron");
    let src = format!(
        r#"(
    name: "s",
    include: ["{include}"],
    duration: 5.0,
    network: (
        nodes: [(id: "a", pos: (0.0, 0.0)), (id: "b", pos: (100.0, 0.0))],
        links: [(id: "ab", from: "a", to: "b")],
    ),
)
"#
    );
    std::fs::write(&path, src).expect("scenario");
    path
}

fn sim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sangam-sim"))
        .args(args)
        .output()
        .expect("run sangam-sim")
}

/// Whether `all` holds `want`, ignoring whitespace and miette's margin, which wraps long
/// messages anywhere (even inside a path).
fn has(all: &str, want: &str) -> bool {
    let squeeze = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && *c != '│')
            .collect()
    };
    squeeze(all).contains(&squeeze(want))
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `check` and `test` both refuse the include with exit 2, the plain message and the hint,
/// and print nothing of the outside file.
fn assert_refused(path: &Path, include: &str, resolved: &str) {
    let p = path.to_str().expect("utf-8 path");
    for args in [vec!["check", p], vec!["test", p]] {
        let out = sim(&args);
        let all = text(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {all}");
        assert!(
            has(
                &all,
                &format!(
                    "include[0]: `{include}` is outside the scenario's directory (resolved to `{resolved}`)"
                )
            ),
            "{args:?}: {all}"
        );
        assert!(all.contains("--allow-include-outside"), "{args:?}: {all}");
        assert!(!all.contains(SECRET), "{args:?} echoed the secret: {all}");
    }
}

#[test]
fn an_absolute_include_outside_the_tree_is_refused() {
    let root = tree("absolute");
    let target = root.join("outside/secret.txt");
    let target = target.to_str().expect("utf-8");
    let s = scenario(&root.join("lib"), target);
    assert_refused(&s, target, target);
}

#[test]
fn a_dotdot_escape_is_refused() {
    let root = tree("dotdot");
    let s = scenario(&root.join("lib"), "common/../../outside/secret.ron");
    let resolved = format!("{}/outside/secret.ron", root.display());
    assert_refused(&s, "common/../../outside/secret.ron", &resolved);
}

#[cfg(unix)]
#[test]
fn a_symlink_escape_is_refused() {
    let root = tree("symlink");
    let link = root.join("lib/common/map.ron");
    std::os::unix::fs::symlink(root.join("outside/secret.ron"), &link).expect("symlink");
    let s = scenario(&root.join("lib"), "common/map.ron");
    let real = std::fs::canonicalize(root.join("outside/secret.ron")).expect("real path");
    assert_refused(&s, "common/map.ron", &real.display().to_string());
}

#[test]
fn the_flag_allows_outside_includes_but_never_echoes_a_non_scenario() {
    let root = tree("flag");
    let lib = root.join("lib");
    // A fragment outside: read, and its (scenario) errors reported against it.
    let s = scenario(&lib, "../outside/secret.ron");
    let p = s.to_str().expect("utf-8");
    let out = sim(&["check", "--allow-include-outside", p]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        has(
            &all,
            "buildings[0].height: must be greater than 0 m, found -1"
        ) && has(&all, "secret.ron:1:98]"),
        "{all}"
    );
    // A file that is not a scenario: only its path and position, none of its text.
    for flag_first in [true, false] {
        let s = scenario(&lib, "../outside/secret.txt");
        let p = s.to_str().expect("utf-8");
        let args = if flag_first {
            vec!["--allow-include-outside", "test", p]
        } else {
            vec!["test", p, "--allow-include-outside"]
        };
        let out = sim(&args);
        let all = text(&out);
        assert_eq!(out.status.code(), Some(2), "{all}");
        assert!(
            has(
                &all,
                "secret.txt:1:1: expected `(`: this is not a scenario file, so its text is not shown"
            ),
            "{all}"
        );
        assert!(!all.contains(SECRET), "echoed the secret: {all}");
    }
}

#[test]
fn a_main_file_that_is_not_a_scenario_is_not_echoed() {
    let root = tree("main");
    let p = root.join("outside/secret.txt");
    let out = sim(&["check", p.to_str().expect("utf-8")]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        has(
            &all,
            "secret.txt:1:1: expected `(`: this is not a scenario file"
        ),
        "{all}"
    );
    assert!(!all.contains(SECRET), "echoed the secret: {all}");
}

#[test]
fn includes_inside_the_tree_still_load() {
    let root = tree("inside");
    let lib = root.join("lib");
    std::fs::write(
        lib.join("common/frag.ron"),
        "(buildings: [(id: \"b\", shape: Box(center: (50.0, 20.0), size: (5.0, 5.0)), height: 10.0)])",
    )
    .expect("fragment");
    let s = scenario(&lib, "./common/../common/frag.ron");
    let out = sim(&["check", s.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

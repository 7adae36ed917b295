//! Every malformed scenario in `tests/fixtures/bad/` must fail to load with exactly the
//! diagnostics its header promises, and no input at all may panic the loader.
//!
//! Fixture header format (comment lines anywhere before the scenario):
//!
//! ```text
//! // expect: 12:7: unknown vehicle kind `Bsu`, expected one of Car, Bus, Truck (did you mean `Bus`?)
//! // expect-help: the help line of the diagnostic above (optional; checked only if given)
//! // expect: include/frag.ron:5:40: a diagnostic in another file (named relative to bad/)
//! ```
//!
//! The list must match the loader's output exactly, in order (sorted by file, line, column), so
//! a fixture with several errors also asserts that all of them are reported. The fixtures
//! directory prefix is stripped from messages so that expectations do not depend on where the
//! checkout lives.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use sangam_sim::scenario::embedded;
use sangam_sim::scenario::load::{load_file, load_str, load_with};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad")
}

/// (location and message, optional help) as written in a fixture header.
fn expectations(src: &str) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for line in src.lines() {
        let line = line.trim();
        if let Some(e) = line.strip_prefix("// expect: ") {
            out.push((e.to_string(), None));
        } else if let Some(h) = line.strip_prefix("// expect-help: ")
            && let Some(last) = out.last_mut()
        {
            last.1 = Some(h.to_string());
        }
    }
    out
}

/// Checks one fixture; returns a description of every mismatch.
fn check_fixture(path: &Path) -> Result<(), String> {
    let src = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let want = expectations(&src);
    if want.is_empty() {
        return Err(format!("{}: no `// expect:` lines", path.display()));
    }
    let Err(diags) = load_file(path) else {
        return Err(format!("{}: loaded without errors", path.display()));
    };
    let main = path.display().to_string();
    let prefix = format!("{}/", fixtures().display());
    let got: Vec<(String, Option<String>)> = diags
        .iter()
        .map(|d| {
            let loc = if d.file == main {
                format!("{}:{}", d.line, d.col)
            } else {
                format!("{}:{}:{}", d.file.replace(&prefix, ""), d.line, d.col)
            };
            let help = d.help.as_ref().map(|h| h.replace(&prefix, ""));
            (format!("{loc}: {}", d.message.replace(&prefix, "")), help)
        })
        .collect();
    let same = got.len() == want.len()
        && got
            .iter()
            .zip(&want)
            .all(|(g, w)| g.0 == w.0 && w.1.as_ref().is_none_or(|wh| g.1.as_ref() == Some(wh)));
    if same {
        return Ok(());
    }
    let show = |list: &[(String, Option<String>)]| {
        list.iter()
            .map(|(m, h)| match h {
                Some(h) => format!("    {m}\n      help: {h}"),
                None => format!("    {m}"),
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    Err(format!(
        "{}:\n  expected:\n{}\n  got:\n{}",
        path.display(),
        show(&want),
        show(&got)
    ))
}

/// Runs every fixture; panics listing all failures at once.
pub fn check_all_fixtures() -> usize {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .expect("fixtures dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    paths.sort();
    let failures: Vec<String> = paths
        .iter()
        .filter_map(|p| check_fixture(p).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    paths.len()
}

#[test]
fn bad_fixtures_report_exactly_their_expected_diagnostics() {
    let n = check_all_fixtures();
    assert!(n >= 24, "only {n} fixtures");
}

#[test]
fn plain_display_is_one_line_per_error_with_help_below() {
    let path = fixtures().join("unknown_kind.ron");
    let err = load_file(&path).expect_err("bad fixture");
    assert_eq!(
        err.to_string(),
        format!(
            "{}:35:28: unknown vehicle kind `Bsu`, expected one of Car, Bus, Truck (did you mean `Bus`?)",
            path.display()
        )
    );
    let fancy = err.render_fancy();
    assert!(fancy.contains("unknown vehicle kind `Bsu`"), "{fancy}");
    assert!(fancy.contains("kind: Bsu"), "snippet missing: {fancy}");
}

#[test]
fn oversized_input_is_refused_before_parsing() {
    let big = format!("({})", " ".repeat(8 * 1024 * 1024 + 1));
    let err = load_str("big.ron", &big).expect_err("too big");
    assert_eq!(
        err.to_string(),
        "big.ron:1:1: file is 8.0 MiB, larger than the 8 MiB limit for scenario files"
    );
    let dir = std::env::temp_dir().join(format!("sangam-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("big.ron");
    std::fs::write(&file, &big).expect("write");
    let err = load_file(&file).expect_err("too big");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        err.to_string()
            .ends_with("larger than the 8 MiB limit for scenario files")
    );
}

#[test]
fn too_many_vehicles_is_a_clear_error() {
    let vehicles: String = (0..20_001)
        .map(|i| format!("(id:\"v{i}\",kind:Car,route:Links([\"l\"]),depart:{i}.0),\n"))
        .collect();
    let src = format!(
        "(name:\"many\",duration:86400.0,network:(nodes:[(id:\"a\",pos:(0.0,0.0)),(id:\"b\",pos:(100.0,0.0))],links:[(id:\"l\",from:\"a\",to:\"b\")]),vehicles:[\n{vehicles}])"
    );
    let err = load_str("many.ron", &src).expect_err("too many");
    assert_eq!(
        err.to_string(),
        "many.ron:20002:1: vehicles[20000]: too many vehicles: 20001, the limit is 20000\n  help: use `flows` for large demand"
    );
}

#[test]
fn floods_of_errors_are_capped() {
    let vehicles: String = (0..5_000)
        .map(|i| format!("(id:\"v{i}\",kind:Car,route:Links([\"x{i}\"]),speed:-1.0),\n"))
        .collect();
    let src = format!(
        "(name:\"flood\",duration:60.0,network:(nodes:[(id:\"a\",pos:(0.0,0.0)),(id:\"b\",pos:(9.0,0.0))],links:[(id:\"l\",from:\"a\",to:\"b\")]),vehicles:[\n{vehicles}])"
    );
    let err = load_str("flood.ron", &src).expect_err("invalid");
    assert_eq!(err.len(), 201);
    assert_eq!(err.diags[200].message, "... and 9800 more errors not shown");
}

#[test]
fn every_embedded_scenario_loads() {
    for name in embedded::names().filter(|n| !n.starts_with("common/")) {
        if let Err(e) = embedded::load_embedded(name) {
            panic!("{name}:\n{e}");
        }
    }
    assert!(embedded::load_embedded(embedded::DEFAULT).is_ok());
    assert!(embedded::load_embedded("nope.ron").is_err());
}

#[test]
fn the_documented_example_loads() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenario-format.md"),
    )
    .expect("docs/scenario-format.md");
    let start = doc.find("## Complete example").expect("example section");
    let body = &doc[start..];
    let open = body.find("```ron\n").expect("ron block") + "```ron\n".len();
    let len = body[open..].find("```").expect("end of block");
    if let Err(e) = load_str("docs/scenario-format.md", &body[open..open + len]) {
        panic!("{e}");
    }
}

/// A small valid scenario exercising most syntax (for the mutation fuzzing below).
const VALID: &str = r#"// valid
Scenario(
    name: "fuzz", duration: 60.0, step: 0.01,
    network: (
        nodes: [(id: "a", pos: (0.0, 0.0)), (id: "b", pos: (100.0, 0.0), radius: 8.0), (id: "c", pos: (200.0, 0.0))],
        links: [
            (id: "ab", from: "a", to: "b", lanes: 2, shape: [(50.0, 5.0)]),
            (id: "bc", from: "b", to: "c"),
            (id: "ba", from: "b", to: "a"),
        ],
        junctions: [(id: "j", node: "b", control: Signal((phases: [(green: ["ab"], duration: 20.0)])))],
    ),
    buildings: [(shape: Box(center: (50.0, 30.0), size: (10.0, 10.0)), height: 20.0)],
    vehicles: [
        (id: "v1", kind: Car, route: Links(["ab", "bc"]), speed: 10.0, radios: Some([Pc5])),
        (id: "v2", kind: Bus, route: Trip(from: "a", to: "c"), depart: 3.0,
         stops: [(name: "s", link: "bc", pos: 10.0, dwell: 5.0)]),
    ],
    flows: [(id: "f", from: "a", to: "c", per_hour: 600.0, end: Some(30.0), automated: 0.5)],
    pedestrians: [(id: "p", link: "bc", pos: 50.0, depart: 10.0)],
    events: [(at: 20.0, action: Stall(vehicle: "v1")), (at: 25.0, action: Rsu(id: "r", up: false))],
    v2x: (enabled: true, rsus: [(id: "r", pos: (100.0, 10.0), junction: Some("j"))],
          links: (uu: (uplink: Empirical([(1.0, 0.5), (4.0, 1.0)])))),
    expectations: [NoCollisions, MaxTravelTime(of: "f", max_s: 100.0), Latency(msg: Cam, percentile: 99.0, below_ms: 50.0)],
)
"#;

#[test]
fn the_fuzz_seed_is_valid() {
    if let Err(e) = load_str("fuzz.ron", VALID) {
        panic!("{e}");
    }
}

/// Loads with includes resolved from the embedded table only (no disk access while fuzzing).
fn load_quiet(src: &str) {
    let result = load_with("fuzz.ron", src, &mut |p: &str| {
        embedded::get(p)
            .map(str::to_string)
            .ok_or_else(|| "no such file".to_string())
    });
    if let Err(d) = result {
        assert!(!d.is_empty());
        let _ = d.to_string();
        let _ = d.render_fancy();
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Delete(usize, usize),
    Insert(usize, String),
    Replace(usize, char),
}

fn edit() -> impl Strategy<Value = Edit> {
    let tokens = prop_oneof![
        Just("(".to_string()),
        Just(")".to_string()),
        Just("[".to_string()),
        Just(",".to_string()),
        Just("\"".to_string()),
        Just("/*".to_string()),
        Just("NaN".to_string()),
        Just("-1e308".to_string()),
        Just("Some(".to_string()),
        Just("r#\"".to_string()),
        Just("include: [\"common/sangam-map.ron\"],".to_string()),
        "\\PC{0,6}",
    ];
    prop_oneof![
        (any::<usize>(), 1usize..12).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<usize>(), tokens).prop_map(|(i, s)| Edit::Insert(i, s)),
        (any::<usize>(), any::<char>()).prop_map(|(i, c)| Edit::Replace(i, c)),
    ]
}

fn apply(src: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = src.chars().collect();
    for e in edits {
        let len = chars.len().max(1);
        match e {
            Edit::Delete(i, n) => {
                let at = i % len;
                let end = (at + n).min(chars.len());
                if at < end {
                    chars.drain(at..end);
                }
            }
            Edit::Insert(i, s) => {
                let at = i % (chars.len() + 1);
                chars.splice(at..at, s.chars());
            }
            Edit::Replace(i, c) => {
                if !chars.is_empty() {
                    chars[i % len] = *c;
                }
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        load_quiet(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn mutated_scenarios_never_panic(edits in proptest::collection::vec(edit(), 1..6)) {
        load_quiet(&apply(VALID, &edits));
    }
}

/// Writes `bytes` to a fresh file under the target dir and loads it.
fn load_bytes(name: &str, bytes: &[u8]) -> Result<(), Vec<String>> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scenario_errors");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    load_file(&path).map(|_| ()).map_err(|d| {
        d.iter()
            .map(|d| format!("{}:{}: {}", d.line, d.col, d.message))
            .collect()
    })
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let src = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bus-loop.ron"))
        .expect("library scenario");
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), &src].concat();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let path = dir.join(".bom-test-bus-loop.ron");
    std::fs::write(&path, &with_bom).expect("write");
    let res = load_file(&path);
    std::fs::remove_file(&path).expect("cleanup");
    assert!(
        res.is_ok(),
        "{}",
        res.err().map(|d| d.to_string()).unwrap_or_default()
    );
}

#[test]
fn non_utf8_and_empty_files_have_a_line_and_column() {
    let bad = load_bytes("bad8.ron", b"(\n  name: \"x\xff\",\n)").unwrap_err();
    assert_eq!(bad, ["2:11: file is not valid UTF-8 at line 2, column 11"]);
    let empty = load_bytes("empty.ron", b"").unwrap_err();
    assert_eq!(empty, ["1:1: expected `(`"]);
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_blocking() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scenario_errors");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let fifo = dir.join("fifo.ron");
    let _ = std::fs::remove_file(&fifo);
    let ok = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !ok.is_ok_and(|s| s.success()) {
        return; // no mkfifo on this system
    }
    let err = load_file(&fifo).expect_err("a FIFO is not a scenario");
    assert_eq!(
        err.iter()
            .map(|d| (d.line, d.col, d.message.clone()))
            .collect::<Vec<_>>(),
        [(
            1,
            1,
            "not a regular file (a FIFO, socket or device), refused".to_string()
        )]
    );
}

/// miette pads to the column with a width format that panics past 65,535: an error far along
/// a single line must render (without a snippet) instead.
#[test]
fn errors_past_column_65536_render_without_panicking() {
    let veh: Vec<String> = (0..2000)
        .map(|i| format!("(id: \"v{i}\", kind: Car, route: Links([\"ab\"]), depart: {i}.0)"))
        .collect();
    let src = format!(
        "(name: \"long\", duration: 3000.0, network: (nodes: [(id: \"a\", pos: (0.0, 0.0)), \
         (id: \"b\", pos: (100.0, 0.0))], links: [(id: \"ab\", from: \"a\", to: \"b\")]), \
         vehicles: [{}, (id: \"last\", kind: Car, route: Links([\"ab\"]), speed: -1.0)])",
        veh.join(", ")
    );
    let err = load_str("long.ron", &src).expect_err("negative speed");
    let last = err.iter().last().expect("one error");
    assert!(last.col > 65_536, "column {}", last.col);
    let fancy = err.render_fancy();
    assert!(
        fancy.contains(&format!("long.ron:1:{}: vehicles[2000].speed", last.col)),
        "{fancy}"
    );
}

#[test]
fn an_empty_file_says_so_and_a_non_scenario_is_not_quoted() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scenario_errors/empty-help.ron");
    std::fs::create_dir_all(path.parent().expect("dir")).expect("tmp dir");
    std::fs::write(&path, "// only a comment\n  \n").expect("write");
    let err = load_file(&path).expect_err("empty");
    assert_eq!(
        err.to_string(),
        format!(
            "{}:1:1: expected `(`\n  help: the file is empty; a scenario is one `( ... )`",
            path.display()
        )
    );
    let err = load_str("pw.ron", "\n  root:x:0:0:secret-word\n").expect_err("not ron");
    let d = &err.diags[0];
    assert_eq!((d.line, d.col), (2, 3));
    assert!(!err.to_string().contains("secret-word"), "{err}");
    assert!(
        !err.render_fancy().contains("secret-word"),
        "{}",
        err.render_fancy()
    );
}

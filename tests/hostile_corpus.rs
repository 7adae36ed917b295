//! The hostile corpus of issue 12 ("Done means"): mutations of every library scenario and
//! fragment with numeric values at and beyond every documented bound (and 0, negatives, huge,
//! NaN, infinities, integer overflow), plus hand-written hostile files. Every file goes through
//! `sangam-sim check` as a child process; a sample of what `check` accepts is also run (its
//! `duration` cut to [`RUN_DURATION_S`] in the text, since `run` has no duration override).
//!
//! Each child runs under a wall-clock watchdog ([`TIMEOUT`], then killed) and an address-space
//! limit ([`MEM_LIMIT_BYTES`], via `prlimit --as` from util-linux, which Debian always has), and
//! must end with exit 0, 1 or 2, never print `panicked`, and put a `file:line:col` in its errors.
//! Generation is deterministic (proptest strategies driven by a fixed-seed ChaCha RNG), so a
//! failure names a case that reproduces.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use sangam_sim::scenario::load::{MAX_DURATION, MAX_FLOW_VEHICLES, MAX_VEHICLES};
use sangam_sim::scenario::spec::STEP_BOUNDS;
use sangam_sim::scenario::validate::{
    MAX_COORD_M, MAX_LAPS, MAX_MIX_WEIGHT, MAX_RANGE_M, MAX_SPEED_LIMIT_KMH, MAX_SPEED_MS,
    MAX_TX_DBM, MAX_WALK_MS, MIN_TX_DBM,
};

/// Mutated files checked (each its own `check` process, ~10 ms; with [`RUN_CASES`] the test
/// takes ~10 s on 2 idle cores).
const CHECK_CASES: usize = 1500;
/// Files accepted by `check` that are also run.
const RUN_CASES: usize = 60;
/// Simulated time of each run, s (longer runs are cut to this).
const RUN_DURATION_S: f64 = 30.0;
/// Wall-clock limit of one child process.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Address-space limit of one child process (a sound run of the library needs < 100 MB RSS;
/// address space is larger because of thread stacks and allocator arenas).
const MEM_LIMIT_BYTES: u64 = 4 << 30;
/// Fixed seed of the generator.
const SEED: [u8; 32] = *b"sangam-sim hostile corpus seed!!";

/// Numbers at and just beyond every documented bound, and values no field should survive.
fn hostile_values() -> Vec<String> {
    let bounds = [
        MAX_COORD_M,
        MAX_SPEED_MS,
        MAX_WALK_MS,
        MAX_SPEED_LIMIT_KMH,
        f64::from(MAX_LAPS),
        MAX_MIX_WEIGHT,
        MIN_TX_DBM,
        MAX_TX_DBM,
        MAX_RANGE_M,
        MAX_DURATION,
        MAX_VEHICLES as f64,
        MAX_FLOW_VEHICLES,
        STEP_BOUNDS.0,
        STEP_BOUNDS.1,
        30.0, // antenna gain, noise figure
        -30.0,
        50.0, // SINR threshold
        8.0,  // lanes
        255.0,
    ];
    let mut out: Vec<String> = [
        "0",
        "0.0",
        "-0.0",
        "-1",
        "-1.0",
        "1e-300",
        "1e21",
        "1e300",
        "-1e300",
        "1.7e308",
        "NaN",
        "inf",
        "-inf",
        "4294967295",
        "4294967296",
        "18446744073709551616",
        "256",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for b in bounds {
        let beyond = b + b.abs().max(1.0) * 0.01;
        for x in [b, beyond, -b, -beyond] {
            out.push(format!("{x:?}"));
            if x.fract() == 0.0 && x.abs() < 1e15 {
                out.push(format!("{}", x as i64));
            }
        }
    }
    out
}

/// Byte ranges of the numeric literals of `src` (outside comments and strings).
fn literals(src: &str) -> Vec<(usize, usize)> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            c if (c.is_ascii_digit()
                || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
                && !(i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let start = i;
                i += 1;
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'.' | b'_' | b'-' | b'+'))
                    && (b[i] != b'-' || matches!(b[i - 1], b'e' | b'E'))
                {
                    i += 1;
                }
                out.push((start, i));
            }
            _ => i += 1,
        }
    }
    out
}

/// One library file with the literals at `picks` (indices into its literals, taken modulo
/// their count) replaced by `values`.
fn mutate(src: &str, picks: &[(usize, String)]) -> String {
    let lits = literals(src);
    let mut edits: Vec<(usize, usize, &str)> = picks
        .iter()
        .map(|(k, v)| {
            let (s, e) = lits[k % lits.len()];
            (s, e, v.as_str())
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    edits.dedup_by_key(|e| e.0);
    let mut out = src.to_string();
    for (s, e, v) in edits {
        out.replace_range(s..e, v);
    }
    out
}

/// A copy of the library (scenarios and fragments) in a scratch directory.
fn library_copy(dir: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let lib = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("common")).expect("scratch dir");
    let mut mains = Vec::new();
    let mut frags = Vec::new();
    for (sub, list) in [("", &mut mains), ("common", &mut frags)] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(lib.join(sub))
            .expect("library")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "ron"))
            .collect();
        files.sort();
        for f in files {
            let to = dir.join(sub).join(f.file_name().expect("name"));
            std::fs::copy(&f, &to).expect("copy");
            list.push(to);
        }
    }
    (mains, frags)
}

/// What one child process did.
#[derive(Debug)]
struct Outcome {
    code: Option<i32>,
    stderr: String,
    wall: Duration,
    timed_out: bool,
}

/// Runs the binary under the address-space limit and the watchdog.
fn sim(args: &[&str]) -> Outcome {
    let start = Instant::now();
    let mut child = Command::new("prlimit")
        .arg(format!("--as={MEM_LIMIT_BYTES}"))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_sangam-sim"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("prlimit (util-linux) runs the simulator");
    let mut stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("wait after kill");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Outcome {
        code: status.code(),
        stderr: reader.join().unwrap_or_default(),
        wall: start.elapsed(),
        timed_out,
    }
}

/// Whether `text` has a `NAME.ron:LINE:COL` position.
fn has_position(text: &str) -> bool {
    text.match_indices(".ron:").any(|(i, m)| {
        let rest = &text[i + m.len()..];
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let n = digits(rest);
        n > 0 && rest[n..].starts_with(':') && digits(&rest[n + 1..]) > 0
    })
}

/// Problems with one outcome (empty if sound).
fn judge(what: &str, o: &Outcome) -> Option<String> {
    let mut bad = Vec::new();
    if o.timed_out {
        bad.push(format!("no exit within {TIMEOUT:?}"));
    } else if !matches!(o.code, Some(0..=2)) {
        bad.push(format!("exit {:?}", o.code));
    }
    if o.stderr.contains("panicked") {
        bad.push("panicked".into());
    }
    if o.code == Some(2) && !has_position(&o.stderr) {
        bad.push("error without file:line:col".into());
    }
    (!bad.is_empty()).then(|| {
        let tail: String = o.stderr.chars().take(600).collect();
        format!("{what}: {}\n{tail}", bad.join(", "))
    })
}

/// A mutation case: which file (index over scenarios then fragments) and which literals.
fn case_strategy(
    files: usize,
    values: Vec<String>,
) -> impl Strategy<Value = (usize, Vec<(usize, String)>)> {
    let value = proptest::sample::select(values);
    (
        0..files,
        proptest::collection::vec((any::<usize>(), value), 1..=3),
    )
}

/// The hostile corpus: (name, text, where the mutated file goes).
fn corpus(dir: &Path) -> Vec<(String, PathBuf)> {
    let (mains, frags) = library_copy(dir);
    let values = hostile_values();
    let strategy = case_strategy(mains.len() + frags.len(), values);
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &SEED),
    );
    let mut out = Vec::new();
    for n in 0..CHECK_CASES {
        let (file, picks) = strategy.new_tree(&mut runner).expect("case").current();
        let path = dir.join(format!("mut-{n:04}.ron"));
        if file < mains.len() {
            let src = std::fs::read_to_string(&mains[file]).expect("read");
            std::fs::write(&path, mutate(&src, &picks)).expect("write");
        } else {
            // A mutated fragment, included by the first scenario that includes the original.
            let frag = &frags[file - mains.len()];
            let fname = frag
                .file_name()
                .expect("name")
                .to_string_lossy()
                .to_string();
            let src = std::fs::read_to_string(frag).expect("read");
            let mutated = format!("common/mut-{n:04}.ron");
            std::fs::write(dir.join(&mutated), mutate(&src, &picks)).expect("write");
            let host = mains
                .iter()
                .map(|m| std::fs::read_to_string(m).expect("read"))
                .find(|s| s.contains(&format!("common/{fname}")))
                .expect("a scenario includes every fragment");
            std::fs::write(&path, host.replace(&format!("common/{fname}"), &mutated))
                .expect("write");
        }
        out.push((format!("case {n} ({file}, {picks:?})"), path));
    }
    out.extend(hostile_files(dir));
    out
}

/// Hand-written hostile files.
fn hostile_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let deep = format!("{}{}", "(".repeat(100_000), ")".repeat(100_000));
    let wide = format!(
        "(name: \"w\", duration: 10.0, vehicles: [{}])",
        "(id: \"v\", kind: Car, route: Links([\"x\"]), speed: -1.0),".repeat(3000)
    );
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("bom-only", b"\xEF\xBB\xBF".to_vec()),
        ("binary", (0..=255u8).cycle().take(4096).collect()),
        ("deep", deep.into_bytes()),
        ("wide", wide.into_bytes()),
        (
            "environ",
            b"(name: \"e\", duration: 1.0, include: [\"/proc/self/environ\"])".to_vec(),
        ),
        (
            "escape",
            b"(name: \"e\", duration: 1.0, include: [\"../../../../etc/passwd\"])".to_vec(),
        ),
        (
            "dir-include",
            b"(name: \"e\", duration: 1.0, include: [\"common\"])".to_vec(),
        ),
        (
            "many-includes",
            format!(
                "(name: \"e\", duration: 1.0, include: [{}])",
                "\"common/sangam-map.ron\",".repeat(40)
            )
            .into_bytes(),
        ),
    ];
    files
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.join(format!("hostile-{name}.ron"));
            std::fs::write(&path, bytes).expect("write");
            (format!("hostile {name}"), path)
        })
        .collect()
}

/// `src` with its top-level `duration` cut to [`RUN_DURATION_S`] (if longer).
fn shorten(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    for line in src.split_inclusive('\n') {
        if let Some(v) = line.strip_prefix("    duration: ")
            && let Ok(d) = v.trim().trim_end_matches(',').parse::<f64>()
            && d > RUN_DURATION_S
        {
            out.push_str(&format!("    duration: {RUN_DURATION_S:?},\n"));
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Runs `f` over `items` on two threads; results in input order.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let half = items.len().div_ceil(2);
    std::thread::scope(|s| {
        let parts: Vec<_> = items
            .chunks(half.max(1))
            .map(|c| s.spawn(|| c.iter().map(&f).collect::<Vec<R>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().expect("worker"))
            .collect()
    })
}

#[test]
fn mutated_library_and_hostile_files_end_cleanly_in_bounded_time_and_memory() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-corpus");
    let cases = corpus(&dir);
    let started = Instant::now();
    let checked = parallel(&cases, |(name, path)| {
        let o = sim(&["check", path.to_str().expect("utf-8")]);
        (name.clone(), path.clone(), o)
    });
    let mut failures: Vec<String> = checked
        .iter()
        .filter_map(|(name, _, o)| judge(&format!("check {name}"), o))
        .collect();
    let accepted: Vec<&PathBuf> = checked
        .iter()
        .filter(|(_, _, o)| o.code == Some(0))
        .map(|(_, p, _)| p)
        .collect();
    let rejected = checked.iter().filter(|(_, _, o)| o.code == Some(2)).count();
    // Spread the run sample over the accepted files (deterministic).
    let step = (accepted.len() / RUN_CASES).max(1);
    let sample: Vec<PathBuf> = accepted
        .iter()
        .step_by(step)
        .take(RUN_CASES)
        .map(|p| {
            let short = p.with_extension("run.ron");
            let src = std::fs::read_to_string(p).expect("read");
            std::fs::write(&short, shorten(&src)).expect("write");
            short
        })
        .collect();
    let ran = parallel(&sample, |p| {
        let out = p.with_extension("out");
        let o = sim(&[
            "run",
            "-q",
            "--out",
            out.to_str().expect("utf-8"),
            p.to_str().expect("utf-8"),
        ]);
        (p.clone(), o)
    });
    failures.extend(
        ran.iter()
            .filter_map(|(p, o)| judge(&format!("run {}", p.display()), o)),
    );
    let simulated = ran
        .iter()
        .filter(|(_, o)| matches!(o.code, Some(0 | 1)))
        .count();
    let slowest = ran.iter().map(|(_, o)| o.wall).max().unwrap_or_default();
    eprintln!(
        "hostile corpus: {} files checked ({} accepted, {rejected} rejected), {} run ({simulated} simulated, slowest {slowest:?}), {:?} in all",
        checked.len(),
        accepted.len(),
        ran.len(),
        started.elapsed()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The corpus must exercise both sides: values the validator refuses and runs that happen.
    assert!(rejected > checked.len() / 4, "only {rejected} rejected");
    assert!(
        accepted.len() >= RUN_CASES,
        "only {} accepted",
        accepted.len()
    );
    assert!(
        simulated >= RUN_CASES / 2,
        "only {simulated} of the runs simulated"
    );
}

#[test]
fn literal_scanner_skips_comments_strings_and_identifiers() {
    let src = "// 12 in a comment\n(a: \"x1 2\", e0_1: -3.5e-2, b: [4, 5.0], c: Some((6.0, -7)))";
    let got: Vec<&str> = literals(src).iter().map(|&(s, e)| &src[s..e]).collect();
    assert_eq!(got, ["-3.5e-2", "4", "5.0", "6.0", "-7"]);
    assert!(has_position("  ╭─[dir/a.ron:12:7]"));
    assert!(!has_position("a.ron: 2 errors"));
}

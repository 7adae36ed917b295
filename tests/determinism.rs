//! Same scenario + same seed = byte-identical report; another seed = another report.
use sangam_sim::output::json;
use sangam_sim::runner::grid::grid_spec;
use sangam_sim::runner::{RunOptions, run};
use sangam_sim::scenario::embedded::{DEFAULT, load_embedded};
use sangam_sim::scenario::load::load_file;
use sangam_sim::scenario::spec::Spec;

fn report_bytes(path: Option<&str>, seed: Option<u64>, duration: f64) -> Vec<u8> {
    let loaded = match path {
        Some(p) => load_file(std::path::Path::new(p)).expect("scenario loads"),
        None => load_embedded(DEFAULT).expect("default loads"),
    };
    let mut spec = loaded.spec;
    spec.duration = duration;
    let opts = RunOptions {
        seed,
        ..RunOptions::default()
    };
    json(&run(spec, &loaded.name, &opts).report)
}

/// The default Sangam scenario (V2X on, Korean profile: BSM under congestion control, SPaT,
/// MAP and RSA on PC5, WAVE and Uu) for 90 s.
#[test]
fn default_scenario_with_v2x_is_byte_identical_across_runs_and_seed_sensitive() {
    let a = report_bytes(None, None, 90.0);
    let b = report_bytes(None, None, 90.0);
    assert!(a == b, "two runs of the same scenario and seed differ");
    let text = String::from_utf8_lossy(&a);
    assert!(
        text.contains("\"bsm\""),
        "V2X statistics missing from the report"
    );
    let c = report_bytes(None, Some(12345), 90.0);
    assert!(a != c, "another seed gave the same report");
}

/// A world built and run on another thread gives the same bytes (no thread-dependent state).
#[test]
fn runs_on_other_threads_give_the_same_report() {
    let here = report_bytes(Some("scenarios/gnb-outage.ron"), None, 60.0);
    let there = std::thread::spawn(|| report_bytes(Some("scenarios/gnb-outage.ron"), None, 60.0))
        .join()
        .expect("thread ran");
    assert!(here == there);
}

/// Every file a run writes (report, FCD, every reception attempt in v2x.csv, the capture with
/// every decoded reception), by name, for a world on `threads` threads.
fn outputs(spec: &Spec, threads: usize) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let opts = RunOptions {
        trace_dir: Some(dir.path().to_path_buf()),
        pcap: Some(sangam_sim::trace::Capture { tx: true, rx: true }),
        threads,
        // Split every step with more than a few receptions, so a short run of a small world
        // takes the parallel path as a long one of a large world does.
        split_from: 64,
        ..RunOptions::default()
    };
    let mut out = run(spec.clone(), &spec.name, &opts);
    out.commit(dir.path()).expect("outputs written");
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.path())
        .expect("outputs listed")
        .map(|e| e.expect("entry").path())
        .filter(|p| !p.ends_with("timing.json") && !p.ends_with("manifest.json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).expect("output read"))
        })
        .collect();
    files.sort();
    files
}

/// The same files on 1, 2 and 3 threads, and the run did split its receptions.
fn same_bytes_on_more_threads(spec: &Spec) {
    let one = outputs(spec, 1);
    let names: Vec<&str> = one.iter().map(|(n, _)| n.as_str()).collect();
    for want in ["report.json", "v2x.csv", "fcd.csv", "v2x.pcap"] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    for threads in [2, 3] {
        let before = sangam_sim::par::splits();
        let other = outputs(spec, threads);
        assert!(
            sangam_sim::par::splits() > before,
            "{}: nothing was split over {threads} threads",
            spec.name
        );
        assert_eq!(other.len(), one.len());
        for ((name, a), (_, b)) in one.iter().zip(&other) {
            assert!(
                a == b,
                "{}: {name} differs between 1 and {threads} threads",
                spec.name
            );
        }
    }
}

/// One world's receptions decided on 1, 2 or 3 threads (`--threads`) write the same bytes into
/// every file: the default scenario (buildings, so line of sight comes from the cache and from
/// rays cast by the threads; PC5, WAVE and Uu), and 300 vehicles on the benchmark grid with
/// CAM over PC5 and Uu (thousands of receptions in every step).
#[test]
fn a_world_on_more_threads_writes_the_same_bytes() {
    let mut sangam = load_embedded(DEFAULT).expect("default loads").spec;
    sangam.duration = 45.0;
    same_bytes_on_more_threads(&sangam);
    same_bytes_on_more_threads(&grid_spec(300, 3.0, true));
}

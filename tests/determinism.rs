//! Same scenario + same seed = byte-identical report; another seed = another report.
use sangam_sim::output::json;
use sangam_sim::runner::{RunOptions, run};
use sangam_sim::scenario::embedded::{DEFAULT, load_embedded};
use sangam_sim::scenario::load::load_file;

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

//! The Korean C-ITS profile (`v2x.profile: Korea`): BSMs on SAE J2945/1's schedule, read back
//! from the run's own trace, against the standard's closed form; and message types the profile
//! never sends refused when an expectation names them.
use std::collections::BTreeMap;

use sangam_sim::runner::{RunOptions, run};
use sangam_sim::scenario::load::load_str;

/// J2945/1 §6.3.8 (reference §5b): density coefficient 25 vehicles, 100 ms to 600 ms.
fn itt_ms(neighbours: usize) -> f64 {
    (100.0 * (neighbours as f64 / 25.0).max(1.0)).min(600.0)
}

/// Run `src` with a trace; (`fcd.csv`, `v2x.csv`) as text.
fn traced(src: &str) -> (String, String) {
    let l = match load_str("korea.ron", src) {
        Ok(l) => l,
        Err(d) => panic!("{d}"),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let mut out = run(
        l.spec,
        &l.name,
        &RunOptions {
            trace_dir: Some(dir.path().to_path_buf()),
            ..RunOptions::default()
        },
    );
    assert!(out.report.passed, "{:?}", out.report.expectations);
    out.commit(dir.path()).expect("outputs written");
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).expect(f);
    (read("fcd.csv"), read("v2x.csv"))
}

/// Two automated cars 50 m apart at 12 m/s on a 2 km road for 20 s, on the Korean profile with
/// `v2x` (more fields) and `expect`.
fn two_cars(v2x: &str, expect: &str) -> String {
    format!(
        r#"(name: "two", duration: 20.0,
        network: (
            nodes: [(id: "w", pos: (0.0, 0.0)), (id: "e", pos: (2000.0, 0.0))],
            links: [(id: "we", from: "w", to: "e", lanes: 1)],
        ),
        vehicles: [
            (id: "a", kind: Car, route: Links(["we"]), pos: 100.0, speed: 12.0, automated: true),
            (id: "b", kind: Car, route: Links(["we"]), pos: 150.0, speed: 12.0, automated: true),
        ],
        v2x: (enabled: true, profile: Korea, {v2x}),
        expectations: [{expect}],
    )"#
    )
}

/// Each sender's BSM send times, s, in order (v2x.csv: time_sent, time_received, message_id,
/// type, sender, ...), one per message.
fn bsm_times(v2x: &str) -> BTreeMap<String, Vec<f64>> {
    let mut seen = BTreeMap::<String, BTreeMap<u64, f64>>::new();
    for row in v2x
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
    {
        if row[3] == "bsm" {
            let t: f64 = row[0].parse().expect("time_sent");
            let id: u64 = row[2].parse().expect("message_id");
            seen.entry(row[4].to_string()).or_default().insert(id, t);
        }
    }
    seen.into_iter()
        .map(|(k, v)| (k, v.into_values().collect()))
        .collect()
}

/// On an empty road BSMs go every 100 ms exactly, from the first step after a vehicle appears.
#[test]
fn bsms_go_every_100_ms_without_congestion() {
    let (_, v2x) = traced(&two_cars(
        "obu: (automated: [Pc5])",
        "MinDelivered(msg: Bsm, count: 300)",
    ));
    let times = bsm_times(&v2x);
    assert_eq!(times.len(), 2);
    for (who, t) in &times {
        assert!(t.len() >= 195, "{who}: {} BSMs in 20 s", t.len());
        for w in t.windows(2) {
            assert!((w[1] - w[0] - 0.1).abs() < 1e-6, "{who}: {w:?}");
        }
    }
}

/// Four lanes of stalled cars 12 m apart (nobody is near the 100 m edge of another's range:
/// within it is exactly |Δ| ≤ 8 places): once the density filter has settled, each car's BSM
/// interval is J2945/1's ITT for the cars around it, to the 10 ms step.
#[test]
fn in_a_jam_the_interval_follows_the_density_around_each_car() {
    let per_lane = 40;
    let mut vehicles = String::new();
    let mut events = String::new();
    for lane in 0..4 {
        for k in 0..per_lane {
            let id = format!("c{lane}_{k}");
            vehicles.push_str(&format!(
                "(id: \"{id}\", kind: Car, route: Links([\"we\"]), pos: {}.0, speed: 0.0, lane: {lane}, automated: true),\n",
                20 + 12 * k
            ));
            events.push_str(&format!("(at: 0.0, action: Stall(vehicle: \"{id}\")),\n"));
        }
    }
    let (fcd, v2x) = traced(&format!(
        r#"(name: "jam", duration: 40.0,
        network: (
            nodes: [(id: "w", pos: (0.0, 0.0)), (id: "e", pos: (1000.0, 0.0))],
            links: [(id: "we", from: "w", to: "e", lanes: 4)],
        ),
        vehicles: [{vehicles}],
        events: [{events}],
        v2x: (enabled: true, profile: Korea, obu: (automated: [Pc5])),
    )"#
    ));
    // Where each car stands (fcd.csv: time, id, kind, x, y, ...), at the end.
    let mut pos = BTreeMap::new();
    for row in fcd
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
    {
        let p: (f64, f64) = (row[3].parse().expect("x"), row[4].parse().expect("y"));
        pos.insert(row[1].to_string(), p);
    }
    assert_eq!(pos.len(), 4 * per_lane);
    let times = bsm_times(&v2x);
    let mut intervals = Vec::new();
    for (id, &(x, y)) in &pos {
        let around = pos
            .values()
            .filter(|&&(u, v)| (u - x).hypot(v - y) <= 100.0)
            .count()
            - 1;
        let want = itt_ms(around);
        let t = &times[id];
        let late: Vec<f64> = t
            .windows(2)
            .filter(|w| w[0] >= 30.0)
            .map(|w| w[1] - w[0])
            .collect();
        assert!(!late.is_empty(), "{id}");
        for got in late {
            let got_ms = got * 1000.0;
            assert!(
                got_ms >= want - 5.0 - 1e-6 && got_ms < want + 5.0 + 1e-6,
                "{id} with {around} around: every {got_ms} ms, J2945/1 says {want}"
            );
        }
        intervals.push(want);
    }
    // The jam spans the range of densities: the ends of the queue and its middle differ.
    let (lo, hi) = intervals
        .iter()
        .fold((f64::MAX, 0.0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
    assert!(lo <= 150.0 && hi >= 250.0, "{lo}..{hi}");
}

/// Vehicles with a 5G radio report Probe Vehicle Data once a second over the uplink to the
/// control centre's server; those without one do not.
#[test]
fn probe_data_goes_to_the_control_centre_once_a_second() {
    let (_, v2x) = traced(&two_cars(
        "control_centre: Some((500.0, 300.0)), gnbs: [(id: \"cell\", pos: (400.0, 100.0))],
            obu: (automated: [Pc5, Uu])",
        "MinDelivered(msg: Pvd, count: 30)",
    ));
    let mut per_sender = BTreeMap::<String, Vec<f64>>::new();
    for row in v2x
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
    {
        if row[3] == "pvd" {
            assert_eq!((row[5], row[6]), ("control_centre", "uu"), "{row:?}");
            per_sender
                .entry(row[4].to_string())
                .or_default()
                .push(row[0].parse().expect("time_sent"));
        }
    }
    assert_eq!(per_sender.len(), 2);
    for (who, t) in &per_sender {
        assert!((19..=20).contains(&t.len()), "{who}: {t:?}");
        for w in t.windows(2) {
            assert!((w[1] - w[0] - 1.0).abs() < 1e-6, "{who}: {w:?}");
        }
    }
}

/// An expectation on a message the profile never sends is an error at its `msg`, with a hint.
#[test]
fn expectations_name_messages_the_profile_sends() {
    let src = |profile: &str, msg: &str| {
        format!(
            r#"(name: "x", duration: 10.0,
            network: (
                nodes: [(id: "w", pos: (0.0, 0.0)), (id: "e", pos: (500.0, 0.0))],
                links: [(id: "we", from: "w", to: "e")],
            ),
            v2x: (enabled: true, profile: {profile}),
            expectations: [MinDelivered(msg: {msg}, count: 1)],
        )"#
        )
    };
    for (profile, msg, ok) in [
        ("Korea", "Bsm", true),
        ("Korea", "Rsa", true),
        ("Korea", "Spat", true),
        ("Korea", "Cam", false),
        ("Korea", "Cpm", false),
        ("Etsi", "Denm", true),
        ("Etsi", "Bsm", false),
    ] {
        match load_str("x.ron", &src(profile, msg)) {
            Ok(_) => assert!(ok, "{profile} {msg} loaded"),
            Err(d) => {
                assert!(!ok, "{profile} {msg}: {d}");
                let text = d.to_string();
                assert!(
                    text.contains("expectations[0].msg")
                        && text.contains(&format!("{msg} is never sent on the {profile} profile")),
                    "{text}"
                );
            }
        }
    }
}

//! V2X end to end: what the radio layer delivers, and what vehicles make of it.
use sangam_sim::metrics::report::Report;
use sangam_sim::runner::{RunOptions, run};
use sangam_sim::scenario::load::{load_file, load_str};

fn run_file(path: &str) -> Report {
    let l = load_file(std::path::Path::new(path)).expect("scenario loads");
    run(l.spec, &l.name, &RunOptions::default()).report
}

fn run_text(src: &str) -> Report {
    let l = match load_str("inline.ron", src) {
        Ok(l) => l,
        Err(d) => panic!("{d}"),
    };
    run(l.spec, &l.name, &RunOptions::default()).report
}

fn stats<'a>(
    r: &'a Report,
    msg: &str,
    tech: &str,
) -> Option<&'a sangam_sim::metrics::report::MsgStats> {
    r.v2x
        .by_type
        .iter()
        .find(|s| s.msg == msg && s.tech == tech)
}

/// The pedestrian hidden by a bus: without V2X the automated car hits them; with the RSU's
/// camera it stops in time, warned by a Road Side Alert on the Korean profile and by CPM and
/// DENM on the ETSI one.
#[test]
fn hidden_pedestrian_collides_without_v2x_and_not_with_it() {
    let without = run_file("scenarios/hidden-pedestrian-no-v2x.ron");
    assert!(
        without
            .collisions
            .iter()
            .any(|c| c.a == "av_car" || c.b == "av_car"),
        "no collision without V2X"
    );
    assert!(without.passed);
    for (file, via) in [
        ("scenarios/hidden-pedestrian.ron", "rsa"),
        ("scenarios/hidden-pedestrian-etsi.ron", "cpm"),
    ] {
        let with = run_file(file);
        assert!(
            with.collisions.is_empty(),
            "{file}: collision with V2X: {:?}",
            with.collisions
        );
        assert!(
            !with.warnings.is_empty(),
            "{file}: the car was never warned"
        );
        assert!(
            stats(&with, via, "wave").is_some_and(|s| s.delivered > 0),
            "{file}: no {via} delivered"
        );
        assert!(with.passed, "{file}");
    }
}

/// A red-light runner hidden by a corner building: without V2X the automated car, on green,
/// sees it too late and hits it; with the junction RSU's camera it learns of the runner once
/// the runner can no longer stop, ~2.4 s before its own stop line, and waits: from a CPM on the
/// ETSI profile, from an Intersection Collision Avoidance message on the Korean one.
#[test]
fn red_light_runner_collides_without_v2x_and_not_with_it() {
    let without = run_file("scenarios/red-light-runner-no-v2x.ron");
    let hit = |r: &Report| {
        r.collisions
            .iter()
            .any(|c| (c.a == "ego" && c.b == "runner") || (c.a == "runner" && c.b == "ego"))
    };
    assert!(
        hit(&without),
        "no collision without V2X: {:?}",
        without.collisions
    );
    // Without V2X the ego never even braked: its sensors saw the runner too late.
    let ego = |r: &Report| {
        r.vehicles
            .iter()
            .find(|v| v.id == "ego")
            .cloned()
            .expect("ego")
    };
    assert!(ego(&without).max_decel < 1.0, "{:?}", ego(&without));
    assert!(without.passed);
    for (file, via) in [
        ("scenarios/red-light-runner.ron", "cpm"),
        ("scenarios/red-light-runner-korea.ron", "ica"),
    ] {
        let with = run_file(file);
        assert!(
            with.collisions.is_empty(),
            "{file}: collision with V2X: {:?}",
            with.collisions
        );
        // The warning came by that message, about the runner, named as what it is, in time.
        let w = with
            .warnings
            .iter()
            .find(|w| w.vehicle == "ego")
            .expect("the ego was warned");
        assert_eq!(
            (w.kind.as_str(), w.hazard.as_str()),
            (via, "red-light runner runner")
        );
        assert!(w.lead_time_s.is_some_and(|l| l > 1.0), "{file}: {w:?}");
        assert!(stats(&with, via, "pc5").is_some_and(|s| s.delivered > 0));
        assert!(with.passed, "{file}");
    }
}

/// The same red-light runner without V2X but also without the corner building: the ego's own
/// sensors (120 m, line of sight) see the runner as soon as it can no longer stop, early enough
/// to wait at the line. So in the baseline it is the building that hides the runner.
#[test]
fn without_the_corner_building_the_egos_own_sensors_see_the_runner_in_time() {
    let mut l = load_file(std::path::Path::new(
        "scenarios/red-light-runner-no-v2x.ron",
    ))
    .expect("scenario loads");
    assert!(!l.spec.buildings.is_empty());
    l.spec.buildings.clear();
    let r = run(l.spec, &l.name, &RunOptions::default()).report;
    assert!(r.collisions.is_empty(), "{:?}", r.collisions);
    // It braked for the runner (no V2X: no warning records).
    let ego = r.vehicles.iter().find(|v| v.id == "ego").expect("ego");
    assert!(ego.max_decel > 2.0, "{ego:?}");
    assert!(r.warnings.is_empty());
}

/// The lead car of a platoon brakes at 8 m/s². With its EEBL DENM the automated car at the tail
/// brakes for it before the braking wave reaches it through the two human-driven cars in between,
/// so it brakes earlier and more gently: its peak deceleration is lower (below the 4 m/s²
/// hard-braking threshold, which it crosses without V2X), and there is one hard braking fewer.
/// Everything else in the platoon is the same: the human drivers ignore V2X. The same on both
/// profiles: an EEBL DENM (ETSI) or a BSM with the hard-braking flag (Korea).
#[test]
fn eebl_lets_the_automated_car_brake_earlier_and_more_gently() {
    let without = run_file("scenarios/emergency-brake-eebl-no-v2x.ron");
    let decel = |r: &Report, id: &str| {
        r.vehicles
            .iter()
            .find(|v| v.id == id)
            .map(|v| v.max_decel)
            .expect("vehicle in the report")
    };
    let hard = sangam_sim::metrics::recorder::HARD_BRAKE;
    for (file, msg) in [
        ("scenarios/emergency-brake-eebl.ron", "denm"),
        ("scenarios/emergency-brake-eebl-korea.ron", "bsm"),
    ] {
        let with = run_file(file);
        assert!(
            decel(&without, "ego") > hard && decel(&with, "ego") < hard,
            "{file}: ego peak deceleration {} m/s² without V2X, {} with",
            decel(&without, "ego"),
            decel(&with, "ego")
        );
        for human in ["lead", "human_1", "human_2"] {
            assert_eq!(
                decel(&without, human),
                decel(&with, human),
                "{file}: {human} changed"
            );
        }
        assert_eq!(
            with.summary.hard_brakings + 1,
            without.summary.hard_brakings,
            "{file}"
        );
        assert!(stats(&with, msg, "pc5").is_some_and(|s| s.delivered > 0));
        assert!(with.collisions.is_empty() && without.collisions.is_empty());
        assert!(without.passed && with.passed, "{file}");
    }
}

/// EEBL acts on braking in the receiver's own lane only: a car braking hard in the next lane,
/// 40 m ahead, does not slow the automated car down although its DENM arrives.
#[test]
fn eebl_from_the_next_lane_is_ignored() {
    let r = run_text(
        r#"(name: "eebl-next-lane", duration: 30.0,
        network: (
            nodes: [(id: "w", pos: (0.0, 0.0)), (id: "e", pos: (1000.0, 0.0))],
            links: [(id: "road", from: "w", to: "e", lanes: 2)],
        ),
        vehicles: [
            (id: "braker", kind: Car, route: Links(["road"]), pos: 140.0, speed: 13.9, lane: 1,
             driver: (v0: Some(13.9)), radios: Some([Pc5])),
            (id: "ego", kind: Car, route: Links(["road"]), pos: 100.0, speed: 13.9, lane: 0,
             automated: true, driver: (v0: Some(13.9))),
        ],
        events: [(at: 5.0, action: EmergencyBrake(vehicle: "braker", decel: 8.0, for_s: 5.0))],
        v2x: (enabled: true, obu: (automated: [Pc5]), messages: (denm_via: [Pc5])),
    )"#,
    );
    assert!(stats(&r, "denm", "pc5").is_some_and(|s| s.delivered > 0));
    let ego = r.vehicles.iter().find(|v| v.id == "ego").expect("ego");
    assert!(ego.max_decel < 0.1, "{ego:?}");
}

/// Two RSUs 200 m apart on an empty road: in line of sight WAVE gets SPaT through nearly
/// always; a tower between them turns the link NLOS (TR 37.885 NLOS path loss, 111 dB at
/// 100 m vs 86 dB LOS) and delivery collapses.
#[test]
fn a_building_between_two_stations_switches_the_link_to_nlos() {
    let world = |building: &str| {
        format!(
            r#"(name: "los", duration: 10.0,
            network: (
                nodes: [(id: "a", pos: (0.0, 0.0)), (id: "j", pos: (500.0, 0.0), radius: 10.0), (id: "b", pos: (1000.0, 0.0))],
                links: [(id: "aj", from: "a", to: "j"), (id: "jb", from: "j", to: "b")],
                junctions: [(id: "sig", node: "j", control: Signal((phases: [(green: ["aj"], duration: 30.0)])))],
            ),
            buildings: [{building}],
            v2x: (enabled: true,
                rsus: [
                    (id: "tx", pos: (500.0, 20.0), height: 6.0, radios: [Wave], junction: Some("sig")),
                    (id: "rx", pos: (500.0, 420.0), height: 6.0, radios: [Wave]),
                ],
                links: (wave: (max_range: 1000.0)),
            ),
        )"#
        )
    };
    let los = run_text(&world(""));
    let nlos = run_text(&world(
        r#"(shape: Box(center: (500.0, 220.0), size: (60.0, 40.0)), height: 80.0)"#,
    ));
    let pdr = |r: &Report| {
        stats(r, "spat", "wave")
            .and_then(|s| s.delivery_ratio)
            .unwrap_or(0.0)
    };
    assert!(pdr(&los) > 0.95, "LOS PDR {}", pdr(&los));
    assert!(pdr(&nlos) < 0.05, "NLOS PDR {}", pdr(&nlos));
}

/// The gNB outage: Uu deliveries stop while the cell is down; PC5 and WAVE carry on. The run
/// ends a minute into the outage (at 200 s), which is all these checks need; the whole scenario
/// and its own expectations run in `scenario_library`.
#[test]
fn gnb_outage_stops_uu_and_sidelinks_carry_on() {
    let mut l = load_file(std::path::Path::new("scenarios/gnb-outage.ron")).expect("loads");
    assert!(
        l.spec.events.iter().any(|e| e.at == 200.0),
        "the outage starts at 200 s"
    );
    l.spec.duration = 260.0;
    let r = run(l.spec, &l.name, &RunOptions::default()).report;
    let pc5 = stats(&r, "cam", "pc5").expect("CAM over PC5");
    assert!(pc5.delivery_ratio.unwrap_or(0.0) > 0.5);
    let lost_down: u64 = r
        .v2x
        .by_type
        .iter()
        .filter(|s| s.tech == "uu")
        .flat_map(|s| s.lost.iter())
        .filter(|(reason, _)| reason == "node_down" || reason == "no_coverage")
        .map(|(_, n)| n)
        .sum();
    assert!(lost_down > 0, "no Uu message was lost to the outage");
}

/// Three automated cars on an 800 m road under one gNB ("cell", with `gnb_extra` fields),
/// sending CAM on `radios`.
fn one_cell(duration: f64, gnb_extra: &str, radios: &str, events: &str) -> String {
    format!(
        r#"(name: "cell", duration: {duration},
        network: (
            nodes: [(id: "a", pos: (0.0, 0.0)), (id: "b", pos: (800.0, 0.0))],
            links: [(id: "ab", from: "a", to: "b", lanes: 2)],
        ),
        vehicles: [
            (id: "v1", kind: Car, route: Links(["ab"]), pos: 10.0, speed: 10.0, automated: true),
            (id: "v2", kind: Car, route: Links(["ab"]), pos: 60.0, speed: 10.0, automated: true),
            (id: "v3", kind: Car, route: Links(["ab"]), pos: 110.0, speed: 10.0, automated: true, lane: 1),
        ],
        events: [{events}],
        v2x: (enabled: true,
            gnbs: [(id: "cell", pos: (400.0, 100.0){gnb_extra})],
            obu: (automated: {radios}),
            messages: (cam_via: {radios}),
        ),
    )"#
    )
}

/// One cell, down for the whole run: nothing is delivered over Uu in it, while PC5 still works;
/// with the cell up, Uu delivers.
#[test]
fn a_cell_outage_drops_uu_delivery_to_zero_and_pc5_still_works() {
    let world = |events: &str| one_cell(20.0, "", "[Pc5, Uu]", events);
    let up = run_text(&world(""));
    let down = run_text(&world(r#"(at: 0.0, action: Gnb(id: "cell", up: false))"#));
    let delivered = |r: &Report, tech| stats(r, "cam", tech).map_or(0, |s| s.delivered);
    assert!(
        delivered(&up, "uu") > 0,
        "Uu delivers nothing with the cell up"
    );
    assert_eq!(delivered(&down, "uu"), 0, "Uu delivered with the cell down");
    assert!(delivered(&down, "pc5") > 0, "PC5 stopped with the cell");
    assert_eq!(
        delivered(&up, "pc5"),
        delivered(&down, "pc5"),
        "the outage changed PC5"
    );
}

/// Uu's configured residual loss (`uu.loss`) is recorded as `residual_loss`, at its rate, and
/// never as a radio failure: one cell, three cars well inside it.
#[test]
fn uu_residual_loss_is_named_for_what_it_is() {
    let r = run_text(&one_cell(20.0, "", "[Uu]", "").replace(
        "messages: (cam_via: [Uu]),",
        "messages: (cam_via: [Uu]), links: (uu: (loss: 0.2)),",
    ));
    let s = stats(&r, "cam", "uu").expect("CAM over Uu");
    let lost = |why: &str| s.lost.iter().find(|(w, _)| w == why).map_or(0, |(_, n)| *n);
    assert_eq!(lost("below_threshold"), 0, "{:?}", s.lost);
    // Two independent draws (uplink, downlink) of 0.2: 1 - 0.8² = 0.36 of the attempts.
    let share = lost("residual_loss") as f64 / s.attempts as f64;
    assert!((share - 0.36).abs() < 0.05, "{share} of {}", s.attempts);
}

/// A camera's configured range is its range: an RSU whose one camera reaches 250 m sees a
/// stalled car 200 m away and warns of it by DENM; with a 150 m camera it does not. (The car
/// itself has no radio: the RSU is the only source.)
#[test]
fn a_camera_sees_as_far_as_its_configured_range() {
    let world = |range: f64| {
        format!(
            r#"(name: "camera", duration: 8.0,
            network: (
                nodes: [(id: "a", pos: (0.0, 0.0)), (id: "b", pos: (600.0, 0.0))],
                links: [(id: "ab", from: "a", to: "b", lanes: 2)],
            ),
            vehicles: [
                (id: "stalled", kind: Car, route: Links(["ab"]), pos: 200.0, speed: 0.0),
                (id: "av", kind: Car, route: Links(["ab"]), pos: 10.0, speed: 5.0, lane: 1, automated: true),
            ],
            events: [(at: 0.0, action: Stall(vehicle: "stalled"))],
            v2x: (enabled: true,
                rsus: [(id: "cam", pos: (0.0, 8.0), radios: [Pc5],
                        cctv: [(heading_deg: 0.0, fov_deg: 40.0, range: {range})])],
                messages: (denm_via: [Pc5]),
            ),
        )"#
        )
    };
    let denms = |r: &Report| stats(r, "denm", "pc5").map_or(0, |s| s.attempts);
    assert!(
        denms(&run_text(&world(250.0))) > 0,
        "the 250 m camera missed the car"
    );
    assert_eq!(
        denms(&run_text(&world(150.0))),
        0,
        "a 150 m camera saw 200 m"
    );
}

/// No cliff: on a straight 3 km road with no buildings, cars 100 m apart exchanging CAMs over
/// WAVE see their delivery ratio fall with distance as the link budget and vehicle blockage
/// make it, with no step anywhere (in particular not at the old 1000 m cut-off), and still
/// some deliveries past 1 km.
#[test]
fn delivery_falls_smoothly_with_distance() {
    let cars: Vec<String> = (0..31)
        .map(|i| {
            format!(
                r#"(id: "c{i}", kind: Car, route: Links(["ab"]), pos: {}, speed: 10.0, automated: true)"#,
                100.0 + 100.0 * f64::from(i)
            )
        })
        .collect();
    let r = run_text(&format!(
        r#"(name: "cliff", duration: 6.0, seed: 3,
        network: (
            nodes: [(id: "a", pos: (0.0, 0.0)), (id: "b", pos: (3400.0, 0.0))],
            links: [(id: "ab", from: "a", to: "b", lanes: 1, speed_limit_kmh: 130.0)],
        ),
        vehicles: [{}],
        v2x: (enabled: true, obu: (automated: [Wave]), messages: (cam_via: [Wave])),
    )"#,
        cars.join(",\n")
    ));
    let s = stats(&r, "cam", "wave").expect("CAM over WAVE");
    // Delivery ratio per 200 m band, from the 50 m bins.
    let mut bands = [(0u64, 0u64); 10];
    for &(start, a, d) in &s.pdr_by_distance {
        if let Some(b) = bands.get_mut((start / 200.0) as usize) {
            b.0 += a;
            b.1 += d;
        }
    }
    let pdr: Vec<f64> = bands.iter().map(|(a, d)| *d as f64 / *a as f64).collect();
    assert!(bands.iter().all(|(a, _)| *a > 100), "{bands:?}");
    for w in pdr.windows(2) {
        assert!(w[1] <= w[0] + 0.05, "delivery rose with distance: {pdr:?}");
        assert!(w[0] - w[1] < 0.3, "a step in delivery: {pdr:?}");
    }
    assert!(pdr[0] > 0.9 && pdr[5] > 0.05, "{pdr:?}");
    assert!(pdr[9] < pdr[0] - 0.3, "{pdr:?}");
}

/// An edge server behind the transport network (`mec_at_gnb: false`) adds the configured core
/// latency (median 10 ms) to Uu: the median end-to-end latency grows by about that much.
#[test]
fn a_remote_edge_server_adds_the_core_latency_to_uu() {
    let world = |at_gnb: bool| {
        format!(
            r#"(name: "edge", duration: 20.0,
            network: (
                nodes: [(id: "a", pos: (0.0, 0.0)), (id: "b", pos: (800.0, 0.0))],
                links: [(id: "ab", from: "a", to: "b", lanes: 2)],
            ),
            vehicles: [
                (id: "v1", kind: Car, route: Links(["ab"]), pos: 10.0, speed: 10.0, automated: true),
                (id: "v2", kind: Car, route: Links(["ab"]), pos: 60.0, speed: 10.0, automated: true),
            ],
            v2x: (enabled: true,
                gnbs: [(id: "cell", pos: (400.0, 100.0), mec_at_gnb: {at_gnb})],
                obu: (automated: [Uu]),
                messages: (cam_via: [Uu]),
                links: (uu: (core: Constant(10.0))),
            ),
        )"#
        )
    };
    let p50 = |r: &Report| {
        stats(r, "cam", "uu")
            .and_then(|s| s.latency_ms.as_ref())
            .map(|p| p.p50)
            .expect("Uu CAM latency")
    };
    let near = p50(&run_text(&world(true)));
    let far = p50(&run_text(&world(false)));
    assert!(
        (far - near - 10.0).abs() < 1.5,
        "at the gNB {near} ms, behind the core {far} ms"
    );
}

/// Two cars cruising 50 m apart on an empty road, CAM over PC5, with `extra` in `v2x`.
fn cruising_pair(extra: &str, events: &str) -> Report {
    run_text(&format!(
        r#"(name: "pair", duration: 60.0,
        network: (
            nodes: [(id: "a", pos: (0.0, 0.0)), (id: "b", pos: (2000.0, 0.0))],
            links: [(id: "ab", from: "a", to: "b", lanes: 2, speed_limit_kmh: 36.0)],
        ),
        vehicles: [
            (id: "v1", kind: Car, route: Links(["ab"]), pos: 100.0, speed: 10.0, automated: true),
            (id: "v2", kind: Car, route: Links(["ab"]), pos: 50.0, speed: 10.0, automated: true),
        ],
        events: [{events}],
        v2x: (enabled: true, obu: (automated: [Pc5]){extra}),
    )"#
    ))
}

/// Age of information of CAM between two cruising cars: each arrival finds the information one
/// generation interval old, more after a loss, plus the latency. With interval T (from the CAMs
/// sent), delivery ratio q and mean latency L, the mean peak age is T / q + L.
#[test]
fn cam_age_of_information_is_the_interval_over_the_delivery_ratio_plus_latency() {
    let r = cruising_pair("", "");
    let s = stats(&r, "cam", "pc5").expect("CAM over PC5");
    let interval_ms = 60_000.0 / (s.sent as f64 / 2.0);
    let q = s.delivered as f64 / s.attempts as f64;
    let lat = s.latency_ms.as_ref().expect("latencies").p50;
    let want = interval_ms / q + lat;
    let got = s.mean_age_ms.expect("an age of information");
    assert!(
        (got - want).abs() < 0.03 * want,
        "mean age {got} ms, expected {want} ms (interval {interval_ms} ms, PDR {q}, p50 {lat} ms)"
    );
    // Cruising, the 4 m trigger sets the interval, within T_GenCamMin..T_GenCamMax
    // (EN 302 637-2): the age is not the 1 s of a standing vehicle.
    assert!((100.0..=700.0).contains(&interval_ms), "{interval_ms}");
}

/// A latency spike beyond the packet lifetime makes every copy arrive too late: they are
/// recorded as expired, not delivered; before and after the spike they get through.
#[test]
fn copies_later_than_the_lifetime_expire() {
    let spike = r#"(at: 20.0, action: LatencySpike(tech: Pc5, extra_ms: 1500.0, for_s: 10.0))"#;
    let r = cruising_pair("", spike);
    let s = stats(&r, "cam", "pc5").expect("CAM over PC5");
    let expired = s
        .lost
        .iter()
        .find(|(why, _)| why == "expired")
        .map_or(0, |(_, n)| *n);
    // About a sixth of the run (10 s of 60) is under the spike.
    let share = expired as f64 / s.attempts as f64;
    assert!((0.12..0.21).contains(&share), "expired share {share}");
    assert!(s.latency_ms.as_ref().expect("latencies").max < 1000.0);
    // A lifetime longer than the spike lets them through, late.
    let r = cruising_pair(", messages: (lifetime_s: 2.0)", spike);
    let s = stats(&r, "cam", "pc5").expect("CAM over PC5");
    assert!(s.lost.iter().all(|(why, _)| why != "expired"));
    assert!(s.latency_ms.as_ref().expect("latencies").max > 1500.0);
}

/// A receiver within the message's area (CAM: 300 m) but beyond the radio's `max_range` is
/// an attempt lost as out of range; beyond the area it is not an attempt at all.
#[test]
fn receivers_beyond_max_range_in_the_message_area_are_out_of_range() {
    let pc5 =
        |range: f64| format!(", links: (pc5: (max_range: {range})), messages: (cam_via: [Pc5])");
    // 50 m apart: reached with 1000 m, out of range with 30 m.
    let near = cruising_pair(&pc5(1000.0), "");
    let far = cruising_pair(&pc5(30.0), "");
    let lost = |r: &Report, why: &str| {
        stats(r, "cam", "pc5").map_or(0, |s| {
            s.lost.iter().find(|(w, _)| w == why).map_or(0, |(_, n)| *n)
        })
    };
    assert_eq!(lost(&near, "out_of_range"), 0);
    let s = stats(&far, "cam", "pc5").expect("CAM over PC5");
    assert_eq!(s.delivered, 0);
    assert_eq!(lost(&far, "out_of_range"), s.attempts);
    assert!(s.attempts > 0);
}

/// A loaded cell makes Uu packets wait for radio resources. At 90 % load the M/M/1 wait per
/// radio hop (0.5 ms NR slot) is 0 with probability 0.1, else exponential with mean 5 ms: the
/// two hops (uplink, downlink) move the median latency by about 7.5 ms. The report gives the
/// cell's load (the background plus the little the V2X traffic adds).
#[test]
fn a_loaded_cell_delays_uu_and_reports_its_load() {
    let world = |load: f64, events: &str| {
        run_text(&one_cell(30.0, &format!(", load: {load}"), "[Uu]", events))
    };
    let (idle, busy) = (world(0.0, ""), world(0.9, ""));
    let p50 = |r: &Report| {
        stats(r, "cam", "uu")
            .and_then(|s| s.latency_ms.as_ref())
            .expect("Uu latencies")
            .p50
    };
    let shift = p50(&busy) - p50(&idle);
    assert!((5.0..=10.0).contains(&shift), "median moved by {shift} ms");
    let load = |r: &Report| {
        r.v2x
            .cell_load
            .iter()
            .find(|(g, _)| g == "cell")
            .expect("cell load")
            .1
    };
    assert!((0.0..0.01).contains(&load(&idle)), "{}", load(&idle));
    assert!((0.9..0.91).contains(&load(&busy)), "{}", load(&busy));
    // The same load as an event for the first half of the run: half the mean load, and the
    // report lists the event.
    let event = world(
        0.0,
        r#"(at: 0.0, action: CellLoad(id: "cell", load: 0.9, for_s: 15.0))"#,
    );
    assert!((0.44..0.46).contains(&load(&event)), "{}", load(&event));
    assert!(
        event
            .events
            .iter()
            .any(|(_, what)| what.contains("load 90 %")),
        "{:?}",
        event.events
    );
}

/// Road works: lane 0 of a 1 km link is closed near its end. A driver who only sees it leaves
/// the lane within sensor range (120 m); an automated car told by the nearest RSU (a road-works
/// DENM, or on the Korean profile a Traveler Information Message, repeated at the testbed's
/// 1 Hz) leaves it as soon as it may change lanes, most of a kilometre earlier.
#[test]
fn a_road_works_denm_moves_an_automated_car_out_of_the_closed_lane_early() {
    let left_lane_at = |v2x: bool, profile: &str| -> (f64, Report) {
        let src = format!(
            r#"(name: "works", duration: 90.0,
            network: (
                nodes: [(id: "a", pos: (0.0, 0.0)), (id: "b", pos: (1000.0, 0.0)), (id: "c", pos: (1300.0, 0.0))],
                links: [(id: "ab", from: "a", to: "b", lanes: 2), (id: "bc", from: "b", to: "c", lanes: 2)],
            ),
            vehicles: [
                (id: "av", kind: Car, route: Links(["ab", "bc"]), pos: 50.0, speed: 12.0, automated: true),
            ],
            events: [(at: 0.0, action: CloseLane(link: "ab", lane: 0))],
            v2x: (enabled: {v2x}, profile: {profile},
                rsus: [(id: "rw", pos: (900.0, 10.0), radios: [Wave])],
                obu: (automated: [Wave]),
            ),
        )"#
        );
        let l = load_str("works.ron", &src).expect("scenario loads");
        let dir = tempfile::tempdir().expect("temp dir");
        let mut out = run(
            l.spec,
            &l.name,
            &RunOptions {
                trace_dir: Some(dir.path().to_path_buf()),
                ..RunOptions::default()
            },
        );
        assert!(out.report.collisions.is_empty());
        out.commit(dir.path()).expect("outputs written");
        let fcd = std::fs::read_to_string(dir.path().join("fcd.csv")).expect("fcd.csv");
        // time,id,kind,x,y,z,speed,heading,lane: the first row of `av` in lane 1 of `ab`.
        let x = fcd
            .lines()
            .map(|l| l.split(',').collect::<Vec<_>>())
            .find(|c| c.len() == 9 && c[1] == "av" && c[8] == "ab_1")
            .map(|c| c[3].parse::<f64>().expect("x"))
            .expect("av left the closed lane on ab");
        (1000.0 - x, out.report)
    };
    let (seen, _) = left_lane_at(false, "Etsi");
    assert!(seen <= 120.0, "without V2X it left {seen} m before the end");
    for (profile, msg) in [("Etsi", "denm"), ("Korea", "tim")] {
        let (told, report) = left_lane_at(true, profile);
        assert!(
            told >= 700.0,
            "{profile}: told by the RSU it left {told} m before the end"
        );
        let sent = stats(&report, msg, "wave").map_or(0, |s| s.sent);
        if profile == "Korea" {
            // Once a second for the 90 s run, from the RSU's first cycle.
            assert!((89..=90).contains(&sent), "{sent} TIMs in 90 s");
            assert!(
                stats(&report, "rsa", "wave").is_none(),
                "road works went as RSA"
            );
        } else {
            assert!(sent > 0, "no road-works DENM");
        }
    }
}

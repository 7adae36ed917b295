//! Signal compliance and queue discharge.
mod support;

use support::*;

fn signalised(red_first_s: f64, vehicles: &str) -> String {
    // One approach `ab` into a signalised node `b`, then `bc`. Phase 1 gives `ab` nothing
    // (red) for `red_first_s`, phase 2 gives it green for 60 s.
    format!(
        r#"(name: "signal", duration: 120.0,
            network: (
                nodes: [(id: "a", pos: (0.0, 0.0)), (id: "b", pos: (400.0, 0.0), radius: 10.0), (id: "c", pos: (900.0, 0.0))],
                links: [(id: "ab", from: "a", to: "b", lanes: 1), (id: "bc", from: "b", to: "c", lanes: 1)],
                junctions: [(id: "j", node: "b", control: Signal((amber: 3.0, all_red: 2.0, phases: [
                    (green: [], duration: {g}),
                    (green: ["ab"], duration: 60.0),
                ])))],
            ),
            vehicles: [{vehicles}],
            expectations: [NoCollisions])"#,
        g = red_first_s - 5.0
    )
}

/// A car approaching a red light stops before the stop line (the trimmed end of the link).
#[test]
fn stops_before_a_red_stop_line_and_goes_at_green() {
    let mut app = world(spec(&signalised(
        40.0,
        r#"(id: "car", kind: Car, route: Links(["ab", "bc"]), pos: 10.0, speed: 13.9)"#,
    )));
    let stop_line = 400.0 - 10.0;
    let mut min_v = f64::MAX;
    let mut max_s_on_red = 0.0f64;
    while time(&app) < 39.9 {
        step(&mut app);
        if let Some(m) = motion(&mut app, "car") {
            assert_eq!(
                m.link,
                0,
                "crossed the junction on red at t = {}",
                time(&app)
            );
            max_s_on_red = max_s_on_red.max(m.s);
            min_v = min_v.min(m.v);
        }
    }
    assert!(min_v < 0.01, "never stopped (min speed {min_v})");
    assert!(
        max_s_on_red <= stop_line,
        "front at {max_s_on_red}, stop line at {stop_line}"
    );
    assert!(
        max_s_on_red > stop_line - 3.0,
        "stopped too early at {max_s_on_red}"
    );
    // Green from t = 40: it leaves.
    while time(&app) < 60.0 {
        step(&mut app);
    }
    assert_eq!(
        motion(&mut app, "car").map(|m| m.link),
        Some(1),
        "still waiting after green"
    );
}

/// A standing queue discharges at green at a saturation flow in the 1,700-2,100 veh/h/lane
/// range (HCM 6th ed. base saturation flow 1,900 pc/h/ln), measured from the 5th vehicle on
/// as the HCM prescribes.
#[test]
fn queue_discharges_at_saturation_flow() {
    let n = 16;
    let vehicles: Vec<String> = (0..n)
        .map(|k| {
            format!(
                r#"(id: "q{k}", kind: Car, route: Links(["ab", "bc"]), pos: {:.1})"#,
                389.0 - k as f64 * 6.5
            )
        })
        .collect();
    let mut app = world(spec(&signalised(20.0, &vehicles.join(", "))));
    let mut crossed: Vec<Option<f64>> = vec![None; n];
    while time(&app) < 100.0 {
        step(&mut app);
        for (k, c) in crossed.iter_mut().enumerate() {
            if c.is_none() && motion(&mut app, &format!("q{k}")).is_some_and(|m| m.link == 1) {
                *c = Some(time(&app));
            }
        }
    }
    let t: Vec<f64> = crossed
        .iter()
        .map(|c| c.expect("every car crossed"))
        .collect();
    assert!(t[0] >= 20.0, "first car left on red at {}", t[0]);
    let flow = (n - 5) as f64 / (t[n - 1] - t[4]) * 3600.0;
    assert!(
        (1700.0..=2100.0).contains(&flow),
        "saturation flow {flow:.0} veh/h/lane"
    );
}

/// A red-light runner (`runs_red`) drives through the red light at its desired speed, ~28 s
/// after departure (390 m at 13.9 m/s), while the same car without the flag waits for green.
#[test]
fn a_red_light_runner_crosses_on_red_and_a_normal_driver_waits() {
    let mut app = world(spec(&signalised(
        40.0,
        r#"(id: "runner", kind: Car, route: Links(["ab", "bc"]), pos: 0.0, speed: 13.9, lane: 0, runs_red: true, driver: (v0: Some(13.9))),
           (id: "normal", kind: Car, route: Links(["ab", "bc"]), pos: 0.0, speed: 13.9, depart: 1.0, driver: (v0: Some(13.9)))"#,
    )));
    let mut runner_crossed = None;
    while time(&app) < 39.9 {
        step(&mut app);
        if runner_crossed.is_none() && motion(&mut app, "runner").is_some_and(|m| m.link == 1) {
            runner_crossed = Some(time(&app));
        }
        if let Some(m) = motion(&mut app, "normal") {
            assert_eq!(m.link, 0, "the normal driver crossed on red");
        }
    }
    let t = runner_crossed.expect("the runner stopped at the red light");
    assert!((27.5..29.5).contains(&t), "crossed at {t}");
}

/// Amber at t = 20 s on `ab` (then red for 60 s), cars at 13.9 m/s 20-100 m before the
/// stop line at that moment. A car that can stop s0 short of the line at b = 2 m/s² (x_c =
/// s0 + v²/2b = 50.3 m, Gazis-Herman-Maradudin) stops, never braking harder than b; one that
/// cannot goes on, and nobody enters on red who could have stopped.
#[test]
fn at_amber_drivers_stop_comfortably_or_go() {
    let line = 390.0;
    let (v, x_c) = (13.9, 2.0 + 13.9 * 13.9 / 4.0);
    // Each car in its own run, so no car follows another.
    for before in [20.0, 35.0, 45.0, 55.0, 70.0, 100.0] {
        let start = line - before - v * 20.0;
        let car = format!(
            r#"(id: "car", kind: Car, route: Links(["ab", "bc"]), pos: {start}, speed: {v},
               driver: (v0: Some(13.9)))"#
        );
        // Green first (the red phase comes second), so amber starts at t = 20 s.
        let src = signalised(25.0, &car).replace(
            r#"(green: [], duration: 20),
                    (green: ["ab"], duration: 60.0),"#,
            r#"(green: ["ab"], duration: 20.0),
                    (green: [], duration: 60.0),"#,
        );
        assert!(src.contains(r#"(green: ["ab"], duration: 20.0)"#), "{src}");
        let mut app = world(spec(&src));
        let (mut crossed_at, mut worst) = (None, 0.0f64);
        while time(&app) < 40.0 {
            step(&mut app);
            let Some(m) = motion(&mut app, "car") else {
                break;
            };
            worst = worst.max(-m.acc);
            if m.link == 1 && crossed_at.is_none() {
                crossed_at = Some(time(&app));
            }
        }
        if before < x_c {
            let t = crossed_at.unwrap_or_else(|| panic!("{before} m: stopped inside x_c"));
            assert!(t > 20.0, "{before} m: crossed at {t}");
        } else {
            assert_eq!(crossed_at, None, "{before} m: ran the red");
            assert!(worst <= 2.0 + 1e-6, "{before} m: braked at {worst} m/s²");
        }
    }
}

/// Two-phase cross: north-south through traffic, then east-west. At the end of the north-south
/// green a car from the north and one from the south both go on amber; the one from the south,
/// reaching its line while the northern car is in the box, is not held back by it (their paths
/// never meet), and no one waits at a line for a vehicle that does not cross their path.
#[test]
fn opposing_through_traffic_of_the_same_phase_does_not_block_the_box() {
    let src = r#"(name: "cross", duration: 40.0,
        network: (
            nodes: [(id: "n", pos: (0.0, 300.0)), (id: "s", pos: (0.0, -300.0)),
                    (id: "w", pos: (-300.0, 0.0)), (id: "e", pos: (300.0, 0.0)),
                    (id: "c", pos: (0.0, 0.0), radius: 12.0)],
            links: [(id: "nc", from: "n", to: "c", lanes: 1), (id: "cs", from: "c", to: "s", lanes: 1),
                    (id: "sc", from: "s", to: "c", lanes: 1), (id: "cn", from: "c", to: "n", lanes: 1),
                    (id: "wc", from: "w", to: "c", lanes: 1), (id: "ce", from: "c", to: "e", lanes: 1),
                    (id: "ec", from: "e", to: "c", lanes: 1), (id: "cw", from: "c", to: "w", lanes: 1)],
            junctions: [(id: "j", node: "c", control: Signal((amber: 3.0, all_red: 2.0, phases: [
                (green: ["nc", "sc"], duration: 20.0),
                (green: ["wc", "ec"], duration: 20.0),
            ])))],
        ),
        vehicles: [
            (id: "north", kind: Car, route: Links(["nc", "cs"]), pos: 5.0, speed: 13.9,
             driver: (v0: Some(13.9))),
            (id: "south", kind: Car, route: Links(["sc", "cn"]), pos: 0.0, speed: 13.9,
             driver: (v0: Some(13.9))),
        ],
    )"#;
    let net = sangam_sim::road::RoadNetwork::build(&spec(src));
    let id = |l: &str| net.link_index[l];
    let (nc, cs, sc, cn, wc, ce) = (id("nc"), id("cs"), id("sc"), id("cn"), id("wc"), id("ce"));
    assert_eq!(net.conflict((nc, cs, 0), (sc, cn, 0)), None);
    assert!(net.conflict((nc, cs, 0), (wc, ce, 0)).is_some());
    assert!(net.conflict((wc, ce, 0), (nc, cs, 0)).is_some());
    let mut app = world(spec(src));
    let mut worst = 0.0f64;
    while time(&app) < 30.0 {
        step(&mut app);
        if let Some(m) = motion(&mut app, "south") {
            worst = worst.max(-m.acc);
        }
    }
    assert!(
        worst <= 2.0 + 1e-6,
        "the southern car braked at {worst} m/s²"
    );
    for car in ["north", "south"] {
        let m = motion(&mut app, car);
        assert!(
            m.is_none_or(|m| m.link != nc && m.link != sc),
            "{car} still waits"
        );
    }
}

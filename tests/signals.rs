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

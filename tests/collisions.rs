//! Contacts between vehicle bodies become collisions at the analytic time.
mod support;

use support::*;

/// A car at constant speed runs into a stalled car it never reacts to (reaction time longer
/// than the run). Contact begins when its front reaches the other's rear:
/// t* = (s_lead − length − s_car) / v.
#[test]
fn collision_is_reported_at_the_analytic_time() {
    let road = straight_road(1000.0, 1, 50.0);
    let (s_lead, s_car, v, len) = (300.0, 10.0, 12.5, 4.5);
    let src = format!(
        r#"(name: "crash", duration: 40.0, {road},
            vehicles: [
                (id: "stalled", kind: Car, route: Links(["ab"]), pos: {s_lead}),
                (id: "car", kind: Car, route: Links(["ab"]), pos: {s_car}, speed: {v},
                 driver: (v0: Some({v}), reaction_time: Some(1000.0))),
            ],
            events: [(at: 0.0, action: Stall(vehicle: "stalled"))],
            expectations: [Collisions(min: 1)])"#
    );
    let mut app = world(spec(&src));
    while time(&app) < 35.0 {
        step(&mut app);
    }
    let report = sangam_sim::metrics::report(app.world_mut());
    let first = report.collisions.first().expect("a collision");
    let expected = (s_lead - len - s_car) / v;
    assert!(
        (first.time_s - expected).abs() <= 0.01 + 1e-9,
        "contact at {} s, analytic {expected} s",
        first.time_s
    );
    let mut pair = [first.a.as_str(), first.b.as_str()];
    pair.sort_unstable();
    assert_eq!(pair, ["car", "stalled"]);
    assert!(
        (first.relative_speed - v).abs() < 0.05,
        "relative speed {}",
        first.relative_speed
    );
    assert!(report.passed);
}

//! Lane changes as manoeuvres, and speed on bends and before lower limits, in the running
//! simulator against closed forms: the quintic lane-change profile over its duration
//! (Toledo & Zohar 2007's mean of 4.6 s), the bend speed √(a_lat R) with SUMO's 5.5 m/s², and
//! the speed limit of the next link reached by the line.
mod support;

use bevy::prelude::*;
use sangam_sim::road::geometry::{P2, dist};
use sangam_sim::road::{LANE_WIDTH, RoadNetwork};
use sangam_sim::traffic::act::front_point;
use sangam_sim::traffic::components::{Motion, Surroundings, Vehicle};
use sangam_sim::traffic::shift::DEFAULT_DURATION_S;
use support::*;

/// One vehicle after a step: its motion, front bumper, body yaw (rad) and surroundings.
struct Obs {
    m: Motion,
    front: P2,
    yaw: f64,
    around: Surroundings,
}

fn observe(app: &mut App, id: &str) -> Option<Obs> {
    let net = app.world().resource::<RoadNetwork>().clone();
    let mut q = app
        .world_mut()
        .query::<(&Vehicle, &Motion, &Transform, &Surroundings)>();
    q.iter(app.world())
        .find(|(v, ..)| v.id == id)
        .map(|(_, m, tf, around)| Obs {
            m: *m,
            front: front_point(&net, m),
            yaw: f64::from(tf.rotation.to_euler(EulerRot::YXZ).0),
            around: *around,
        })
}

/// A two-lane straight road eastwards; lane 0 (right) has its centre 5.25 m south of the
/// centreline, lane 1 1.75 m.
fn overtaking(extra: &str) -> App {
    let road = straight_road(3000.0, 2, 80.0);
    world(spec(&format!(
        r#"(name: "overtake", duration: 60.0, {road},
            vehicles: [
                (id: "slow", kind: Car, route: Links(["ab"]), pos: 400.0, speed: 6.0, driver: (v0: Some(6.0))),
                (id: "car", kind: Car, route: Links(["ab"]), pos: 330.0, speed: 14.0, driver: (v0: Some(14.0))),
                {extra}
            ])"#
    )))
}

/// A car behind a slow one overtakes: it moves from the centre of lane 0 to that of lane 1 over
/// the lane-change duration, sideways along the quintic profile (peak lateral speed
/// 1.875 W / T), never further in a step than its speed allows, its body turned towards the new
/// lane by the path's angle.
#[test]
fn a_lane_change_is_a_smooth_manoeuvre_of_its_duration() {
    let mut app = overtaking("");
    let mut during = Vec::new();
    let mut last: Option<Obs> = None;
    for _ in 0..3000 {
        step(&mut app);
        let o = observe(&mut app, "car").expect("car on the road");
        if let Some(p) = &last {
            let moved = dist(p.front, o.front);
            assert!(
                moved <= p.m.v.max(o.m.v) * 0.01 * 1.05 + 1e-9,
                "{moved} m in one step at {} m/s (t = {})",
                o.m.v,
                time(&app)
            );
            if p.m.shift.is_some() || o.m.shift.is_some() {
                during.push((p.front, o.front, o.m.v, o.yaw));
            }
        }
        last = Some(o);
    }
    assert!(!during.is_empty(), "the car never changed lanes");
    // From the centre of lane 0 to the centre of lane 1.
    let (y0, y1) = (during[0].0[1], during[during.len() - 1].1[1]);
    assert!((y0 + 5.25).abs() < 1e-6, "starts at y = {y0}");
    assert!((y1 + 1.75).abs() < 1e-6, "ends at y = {y1}");
    // Over its duration (the car is above the full-manoeuvre speed throughout).
    let took = during.len() as f64 * 0.01;
    assert!(
        (took - DEFAULT_DURATION_S).abs() <= 0.011,
        "took {took} s, not {DEFAULT_DURATION_S}"
    );
    // Sideways only to the left, peaking at 1.875 W / T.
    let lateral: Vec<f64> = during
        .iter()
        .map(|(a, b, ..)| (b[1] - a[1]) / 0.01)
        .collect();
    assert!(lateral.iter().all(|v| *v >= -1e-9));
    let peak = lateral.iter().cloned().fold(0.0, f64::max);
    let want = 1.875 * LANE_WIDTH / DEFAULT_DURATION_S;
    assert!(
        (peak / want - 1.0).abs() < 0.01,
        "peak lateral speed {peak} vs {want}"
    );
    // The body turns left (counter-clockwise) by at most atan(peak / v).
    let (max_yaw, v_at) = during
        .iter()
        .map(|(.., v, yaw)| (*yaw, *v))
        .fold((0.0, 0.0), |a, b| if b.0 > a.0 { b } else { a });
    assert!(
        max_yaw > 0.0 && (max_yaw - (want / v_at).atan()).abs() < 0.01,
        "{max_yaw}"
    );
}

/// While its body still overlaps the lane it leaves, a vehicle changing lanes is in both lanes:
/// the car behind it in the old lane keeps it as its leader (not the slow car beyond), and a
/// faster car closing in on it in the new lane sees it from the first step, with a time to
/// collision: the cut-in is a conflict.
#[test]
fn a_car_changing_lanes_is_in_both_lanes_and_a_cut_in_is_a_conflict() {
    let mut app = overtaking(
        r#"(id: "behind", kind: Car, route: Links(["ab"]), pos: 300.0, speed: 7.0, driver: (v0: Some(7.0))),
           (id: "passer", kind: Car, route: Links(["ab"]), lane: 1, pos: 120.0, speed: 18.0, driver: (v0: Some(18.0))),"#,
    );
    let (mut overlapping, mut closing) = (0, 0);
    for _ in 0..3000 {
        let car_before = observe(&mut app, "car").map(|o| o.m);
        step(&mut app);
        let (Some(car), Some(behind), Some(passer)) = (
            car_before,
            observe(&mut app, "behind"),
            observe(&mut app, "passer"),
        ) else {
            continue;
        };
        // Decisions are made on the state before the step.
        let Some(shift) = car.shift else { continue };
        if shift.from == Some(0) && behind.m.lane == 0 {
            overlapping += 1;
            let gap = behind.around.gap.expect("behind has a leader");
            let to_car = car.s - 4.5 - (behind.m.s - behind.m.v * 0.01);
            assert!(
                (gap - to_car).abs() < 0.3,
                "gap {gap} is not to the car ({to_car})"
            );
        }
        if passer.m.lane == 1 && passer.m.s < car.s && passer.m.v > car.v {
            closing += 1;
            assert!(
                passer.around.ttc.is_some(),
                "the cut-in is not seen at {}",
                time(&app)
            );
        }
    }
    assert!(
        overlapping > 50,
        "the car never overlapped the old lane ({overlapping}, {closing})"
    );
    assert!(
        closing > 50,
        "no closing follower in the new lane ({closing})"
    );
}

/// A two-lane road east 300 m, a 90° left bend of centreline radius `r`, north 300 m; the
/// right lane (0) is on the outside of the bend, 5.25 m out.
fn bend(r: f64, kmh: f64, vehicles: &str) -> App {
    let mut shape = vec![(300.0, 0.0)];
    for k in 1..=18 {
        let a = std::f64::consts::FRAC_PI_2 * f64::from(k) / 18.0;
        shape.push((300.0 + r * a.sin(), r * (1.0 - a.cos())));
    }
    let end = (300.0 + r, r + 300.0);
    let pts: Vec<String> = shape
        .iter()
        .map(|p| format!("({}, {})", p.0, p.1))
        .collect();
    world(spec(&format!(
        r#"(name: "bend", duration: 120.0,
            network: (
                nodes: [(id: "a", pos: (0.0, 0.0)), (id: "b", pos: ({}, {}))],
                links: [(id: "ab", from: "a", to: "b", lanes: 2, speed_limit_kmh: {kmh}, shape: [{}])],
            ),
            vehicles: [{vehicles}])"#,
        end.0,
        end.1,
        pts.join(", ")
    )))
}

/// On the bend, the distance the front bumper covers in 0.1 s (an FCD period) is what the
/// speed integrates to, within 1 %, in both lanes (before, positions were scaled from the
/// centreline: 5.25 / 40 = 13 % too far on the outside). And a driver slows for the bend:
/// no faster than √(5.5 r) on it for the radius r of its own lane, never braking harder than b.
#[test]
fn on_a_bend_speed_and_position_agree_and_drivers_slow_for_it() {
    let r = 40.0;
    let mut app = bend(
        r,
        100.0,
        r#"(id: "out", kind: Car, route: Links(["ab"]), lane: 0, pos: 100.0, speed: 8.0, driver: (v0: Some(8.0))),
           (id: "in", kind: Car, route: Links(["ab"]), lane: 1, pos: 50.0, speed: 25.0, driver: (v0: Some(25.0)))"#,
    );
    let on_bend = |p: P2| p[0] > 300.5 && p[1] < r - 0.5;
    let (mut checked, mut fastest_in) = (0, 0.0f64);
    let mut prev: std::collections::BTreeMap<&str, (P2, f64)> = Default::default();
    for k in 1..=3000 {
        step(&mut app);
        for id in ["out", "in"] {
            let Some(o) = observe(&mut app, id) else {
                continue;
            };
            if id == "in" {
                assert!(o.m.acc >= -2.0 - 1e-6, "brakes at {} m/s²", o.m.acc);
                if on_bend(o.front) {
                    fastest_in = fastest_in.max(o.m.v);
                }
            }
            if k % 10 != 0 {
                continue;
            }
            if let Some((p, v)) = prev.insert(id, (o.front, o.m.v))
                && on_bend(p)
                && on_bend(o.front)
            {
                let driven = (v + o.m.v) / 2.0 * 0.1;
                let moved = dist(p, o.front);
                assert!(
                    (moved / driven - 1.0).abs() < 0.01,
                    "{id}: {moved} m for {driven} m"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "too few samples on the bend ({checked})");
    // Lane 1 is 1.75 m right of the centreline, on the outside of this left bend: r + 1.75.
    let limit = (5.5 * (r + 1.75)).sqrt();
    assert!(
        fastest_in <= limit * 1.01,
        "{fastest_in} m/s on the bend, limit {limit}"
    );
    assert!(
        fastest_in > limit * 0.9,
        "{fastest_in} m/s: slower than needed"
    );
}

/// A driver without a desired speed of its own drives at the limit; before a link with a lower
/// limit it slows down in time to be at that limit when it enters, never braking harder than
/// its comfortable deceleration (before, it entered at the old speed and slowed there).
#[test]
fn drivers_reach_a_lower_limit_ahead_by_its_start() {
    let mut app = world(spec(
        r#"(name: "limits", duration: 80.0,
            network: (
                nodes: [(id: "a", pos: (0.0, 0.0)), (id: "b", pos: (600.0, 0.0)), (id: "c", pos: (1200.0, 0.0))],
                links: [
                    (id: "ab", from: "a", to: "b", lanes: 1, speed_limit_kmh: 80.0),
                    (id: "bc", from: "b", to: "c", lanes: 1, speed_limit_kmh: 30.0),
                ],
            ),
            vehicles: [(id: "car", kind: Car, route: Links(["ab", "bc"]), pos: 100.0, speed: 22.0)])"#,
    ));
    let bc = app
        .world()
        .resource::<RoadNetwork>()
        .link("bc")
        .expect("bc");
    let mut on_bc = 0;
    for _ in 0..5000 {
        step(&mut app);
        let Some(o) = observe(&mut app, "car") else {
            break;
        };
        assert!(o.m.acc >= -2.0 - 1e-6, "brakes at {} m/s²", o.m.acc);
        if o.m.link == bc {
            on_bc += 1;
            assert!(
                o.m.v <= 30.0 / 3.6 + 1e-3,
                "{} m/s on the 30 km/h link",
                o.m.v
            );
        }
    }
    assert!(on_bc > 100);
}

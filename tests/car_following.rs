//! IDM in the running simulator against closed-form physics.
mod support;

use sangam_sim::scenario::spec::Kind;
use sangam_sim::traffic::idm::Idm;
use sangam_sim::traffic::kind::default_idm;
use support::*;

/// A lone car on a free road follows dv/dt = a (1 − (v/v0)^4): compare the simulated speed with
/// an RK4 integration of the ODE at 1 ms, and the distance with the integral of that speed.
#[test]
fn free_vehicle_follows_the_idm_acceleration_profile() {
    let road = straight_road(3000.0, 1, 60.0);
    let mut app = world(spec(&format!(
        r#"(name: "free", duration: 60.0, {road},
            vehicles: [(id: "car", kind: Car, route: Links(["ab"]), driver: (v0: Some(15.0)))])"#
    )));
    let idm = Idm {
        v0: 15.0,
        ..default_idm(Kind::Car)
    };
    let f = |v: f64| idm.a * (1.0 - (v / idm.v0).powi(4));
    let (mut vr, mut xr) = (0.0f64, 0.0f64);
    let start = motion(&mut app, "car").map(|m| m.s);
    // The car appears during the first step; step until it is there.
    let mut t_ref = 0.0;
    let s0 = start.unwrap_or_else(|| {
        step(&mut app);
        motion(&mut app, "car").expect("car departs").s
    });
    for _ in 0..2500 {
        step(&mut app);
        for _ in 0..10 {
            let h = 0.001;
            let k1 = f(vr);
            let k2 = f(vr + h / 2.0 * k1);
            let k3 = f(vr + h / 2.0 * k2);
            let k4 = f(vr + h * k3);
            xr += vr * h + h * h / 6.0 * (k1 + k2 + k3);
            vr += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
        }
        t_ref += 0.01;
    }
    let m = motion(&mut app, "car").expect("still driving");
    assert!(
        (m.v - vr).abs() < 0.01,
        "speed {} vs closed form {vr} at {t_ref} s",
        m.v
    );
    let x = m.s - s0;
    assert!((x - xr).abs() / xr < 0.005, "distance {x} vs {xr}");
    assert!(m.v > 0.99 * 15.0 && m.v <= 15.0);
}

/// A follower behind a leader at constant speed settles at the IDM equilibrium gap
/// s_e = (s0 + vT) / sqrt(1 − (v/v0)^4), which for v ≪ v0 is s0 + vT.
#[test]
fn follower_settles_at_the_equilibrium_gap() {
    let road = straight_road(6000.0, 1, 120.0);
    let mut app = world(spec(&format!(
        r#"(name: "follow", duration: 200.0, {road},
            vehicles: [
                (id: "lead", kind: Car, route: Links(["ab"]), pos: 150.0, speed: 10.0, driver: (v0: Some(10.0))),
                (id: "follow", kind: Car, route: Links(["ab"]), pos: 20.0, speed: 10.0, driver: (v0: Some(30.0))),
            ])"#
    )));
    for _ in 0..18000 {
        step(&mut app);
    }
    let lead = motion(&mut app, "lead").expect("lead on road");
    let fol = motion(&mut app, "follow").expect("follower on road");
    let gap = lead.s - 4.5 - fol.s;
    let car = default_idm(Kind::Car);
    let (s0, v, t, v0) = (car.s0, 10.0, car.t, 30.0);
    let exact = (s0 + v * t) / (1.0 - (v / v0).powi(4)).sqrt();
    assert!((fol.v - v).abs() < 0.01, "follower speed {}", fol.v);
    assert!(
        (gap / exact - 1.0).abs() < 0.01,
        "gap {gap} vs equilibrium {exact}"
    );
    assert!(
        (gap / (s0 + v * t) - 1.0).abs() < 0.01,
        "gap {gap} vs s0 + vT = {}",
        s0 + v * t
    );
}

/// Approaching a stopped vehicle with default parameters ends stopped, at least s0 behind, with
/// no collision.
#[test]
fn approach_to_a_stopped_vehicle_ends_stopped_without_collision() {
    let road = straight_road(1000.0, 1, 50.0);
    let src = format!(
        r#"(name: "approach", duration: 90.0, {road},
            vehicles: [
                (id: "stopped", kind: Car, route: Links(["ab"]), pos: 600.0, driver: (v0: Some(0.0001))),
                (id: "car", kind: Car, route: Links(["ab"]), pos: 10.0, speed: 13.9),
            ],
            expectations: [NoCollisions])"#
    );
    let mut app = world(spec(&src));
    for _ in 0..9000 {
        step(&mut app);
    }
    let a = motion(&mut app, "stopped").expect("stopped car");
    let c = motion(&mut app, "car").expect("car");
    assert!(c.v < 0.01, "still moving at {}", c.v);
    let gap = a.s - 4.5 - c.s;
    assert!(
        gap >= default_idm(Kind::Car).s0 - 1e-6,
        "gap {gap} below s0"
    );
    assert!(gap < 3.0, "stopped too far back: {gap}");
    let report = sangam_sim::metrics::report(app.world_mut());
    assert_eq!(report.summary.collisions, 0);
    assert!(report.passed);
}

/// `pos` is where the front bumper starts (SUMO's departPos), and a vehicle departs wholly on
/// its link (docs/scenario-format.md): at `pos: 0` its back is at the start of the link, and a
/// larger `pos` is taken as given.
#[test]
fn a_vehicle_departs_wholly_on_its_link() {
    let mut app = world(spec(&format!(
        r#"(name: "depart", duration: 5.0, {},
        vehicles: [
            (id: "bus", kind: Bus, route: Links(["ab"]), pos: 0.0, speed: 0.0, lane: 0),
            (id: "car", kind: Car, route: Links(["ab"]), pos: 30.0, speed: 0.0, lane: 1),
        ])"#,
        straight_road(500.0, 2, 50.0)
    )));
    step(&mut app);
    // One 10 ms step from standstill moves a vehicle by less than a millimetre.
    let at =
        |app: &mut bevy::prelude::App, id: &str| motion(app, id).map(|m| m.s).expect("departed");
    let bus = at(&mut app, "bus");
    assert!(
        (bus - 11.0).abs() < 1e-3,
        "the bus's front starts a bus length in: {bus}"
    );
    assert!((at(&mut app, "car") - 30.0).abs() < 1e-3);
}

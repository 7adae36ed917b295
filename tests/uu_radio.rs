//! The 5G Uu radio hop in the running simulator (3GPP TR 38.901 UMa, `radio::nr`): cell
//! selection sees the buildings, and a road that leaves a cell's coverage loses its Uu
//! receptions as `no_coverage`.
mod support;

use bevy::prelude::*;
use sangam_sim::radio::nr;
use sangam_sim::runner::{RunOptions, run};
use sangam_sim::scenario::load::load_file;
use sangam_sim::traffic::components::Vehicle;
use sangam_sim::v2x::nodes::{Gnb, OnBoard};
use support::*;

/// Two stopped cars near a cell on a mast 25 m high: one 10 m from it (line of sight certain:
/// the UMa LOS probability is 1 within 18 m), one 60 m along the road behind an 80 m tower. The
/// SINR each measures is that of the UMa LOS and NLOS path loss at its position, with no other
/// cell to interfere.
#[test]
fn a_street_behind_a_tall_building_is_nlos() {
    let road = straight_road(400.0, 1, 50.0);
    let mut app = world(spec(&format!(
        r#"(name: "nlos", duration: 10.0, {road},
            buildings: [(shape: Box(center: (230.0, 7.0), size: (10.0, 10.0)), height: 80.0)],
            vehicles: [
                (id: "open", kind: Car, route: Links(["ab"]), pos: 202.25, automated: true),
                (id: "hidden", kind: Car, route: Links(["ab"]), pos: 262.25, automated: true),
            ],
            events: [(at: 0.0, action: Stall(vehicle: "open")), (at: 0.0, action: Stall(vehicle: "hidden"))],
            v2x: (enabled: true, gnbs: [(id: "cell", pos: (200.0, 8.0))], obu: (automated: [Uu]), messages: (cam_via: [Uu])),
        )"#
    )));
    for _ in 0..300 {
        step(&mut app);
    }
    let world = app.world_mut();
    let cell = world
        .query::<&Gnb>()
        .iter(world)
        .next()
        .expect("a gNB")
        .cell();
    let mut q = world.query::<(&Vehicle, &OnBoard, &Transform)>();
    let mut seen = 0;
    for (v, ob, tf) in q.iter(world) {
        let pos = [f64::from(tf.translation.x), -f64::from(tf.translation.z)];
        let los = v.id == "open";
        let want = nr::sinr_db(cell.rsrp_dbm(pos, los), &[]);
        assert!(
            (ob.sinr_db - want).abs() < 1e-9,
            "{}: SINR {} dB, {} wants {want}",
            v.id,
            ob.sinr_db,
            if los { "LOS" } else { "NLOS" }
        );
        seen += 1;
    }
    assert_eq!(seen, 2);
    // The tower costs the hidden car more than the extra 50 m: NLOS is ~20 dB down here.
    let at = |x: f64, los: bool| cell.rsrp_dbm([x, -1.75], los);
    assert!(at(260.0, true) - at(260.0, false) > 15.0);
}

/// The library's coverage-hole scenario: one macro cell at the start of a 2.5 km road. Its
/// coverage out of line of sight ends at about half a kilometre; vehicles beyond keep it only
/// where the LOS draw puts them in line of sight, so most Uu receptions are lost for want of
/// coverage while PC5 between neighbours is unaffected.
#[test]
fn a_road_out_of_coverage_loses_uu_receptions_as_no_coverage() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/coverage-hole.ron");
    let spec = load_file(std::path::Path::new(path))
        .unwrap_or_else(|d| panic!("{d}"))
        .spec;
    let g = &spec.v2x.gnbs[0];
    let cell = nr::Cell {
        pos: [g.pos.0, g.pos.1],
        height: g.height,
        tx_dbm: g.tx_dbm,
        freq_ghz: g.freq_ghz,
    };
    let radius = nr::coverage_radius_m(&cell, spec.v2x.links.uu.min_rsrp_dbm, false);
    assert!((400.0..800.0).contains(&radius), "NLOS radius {radius}");
    let report = run(spec, "coverage-hole.ron", &RunOptions::default()).report;
    let cam = |tech: &str| {
        report
            .v2x
            .by_type
            .iter()
            .find(|s| s.msg == "cam" && s.tech == tech)
            .unwrap_or_else(|| panic!("no CAM over {tech}"))
    };
    let uu = cam("uu");
    let lost = |reason: &str| {
        uu.lost
            .iter()
            .find(|(r, _)| r == reason)
            .map_or(0, |(_, n)| *n)
    };
    let share = lost("no_coverage") as f64 / uu.attempts as f64;
    assert!(share > 0.5, "no_coverage share {share}");
    assert!(uu.delivered > 0, "nothing delivered near the cell");
    assert!(cam("pc5").delivery_ratio.unwrap_or(0.0) > 0.5);
}

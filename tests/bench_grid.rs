//! `sangam-sim bench` sizes its grid to the vehicle count (issue 12): the generated scenario
//! passes the project's own validator at every vehicle count `bench` accepts, and the figures
//! count only the vehicles that actually drove.
use std::process::Command;

use sangam_sim::runner::grid::{BLOCK, grid_spec, side_for};
use sangam_sim::scenario::validate::validate;

/// The spec as `bench` builds it validates with no issue at all (no overlaps, no bound crossed).
fn assert_valid(vehicles: usize, v2x: bool) {
    let spec = grid_spec(vehicles, 60.0, v2x);
    assert_eq!(spec.vehicles.len(), vehicles);
    let issues = validate(&spec);
    assert!(
        issues.is_empty(),
        "{vehicles} vehicles, V2X {v2x}: {} issues, first: {:?}",
        issues.len(),
        issues.first()
    );
}

#[test]
fn grid_validates_for_1000_10000_and_20000_vehicles() {
    for vehicles in [1_000, 10_000, 20_000] {
        assert_valid(vehicles, false);
        assert_valid(vehicles, true);
    }
}

/// Density stays that of the default: per lane-metre of block loops, the 10,000- and
/// 20,000-vehicle grids carry no more than the 1,000-vehicle 8×8 grid with one slot's rounding.
#[test]
fn grid_keeps_the_default_density() {
    assert_eq!(
        side_for(1_000),
        8,
        "the default benchmark network is the 8×8 grid"
    );
    let loop_m = 4.0 * (BLOCK - 20.0);
    let density = |vehicles: usize| {
        let s = side_for(vehicles) as f64;
        vehicles as f64 / ((s - 1.0) * (s - 1.0) * 2.0 * loop_m)
    };
    let base = density(1_000);
    for vehicles in [10_000, 20_000] {
        let d = density(vehicles);
        assert!(
            d <= base * 1.1 && d >= base * 0.8,
            "{vehicles} vehicles: {d} veh/m against {base} at 1,000"
        );
    }
}

/// At 20,000 vehicles almost every car drives (before, the 8×8 grid packed them bumper to
/// bumper and UPS counted cars that never moved), and the JSON says how many did.
#[test]
fn bench_json_reports_the_vehicles_driving() {
    let out = Command::new(env!("CARGO_BIN_EXE_sangam-sim"))
        .args(["bench", "--vehicles", "20000", "--duration", "2", "--json"])
        .output()
        .expect("the binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON figures");
    assert_eq!(v["vehicles"], 20_000);
    assert_eq!(v["grid_side"], side_for(20_000));
    let driving = v["vehicles_driving"].as_u64().expect("vehicles_driving");
    assert!(driving <= 20_000);
    assert!(
        driving >= 18_000,
        "only {driving} of 20,000 vehicles drove in 2 s"
    );
    assert_eq!(v["collisions"], 0);
}

/// When a bench's vehicles all depart in its first step, the table they end up in holds room
/// for exactly them (bevy's doubling would leave up to half of it allocated and empty for the
/// run): the simulation reserves their rows (`traffic::depart::VehicleRows`), which needs the
/// full list of a vehicle's components, with and without radios, to stay right.
#[test]
fn first_step_vehicles_fill_their_table_exactly() {
    use bevy::prelude::*;
    use sangam_sim::runner::app::{RunOptions, build_app};
    use sangam_sim::traffic::components::Vehicle;
    for v2x in [false, true] {
        let vehicles = 1_500;
        let mut app = build_app(grid_spec(vehicles, 1.0, v2x), "", &RunOptions::default());
        app.update(); // starts the clocks
        app.update(); // the first step: every vehicle departs
        let world = app.world_mut();
        let on_road: Vec<Entity> = world
            .query_filtered::<Entity, With<Vehicle>>()
            .iter(world)
            .collect();
        assert_eq!(on_road.len(), vehicles, "V2X {v2x}: all depart at once");
        let table_of = |e: &Entity| world.entity(*e).archetype().table_id();
        let id = table_of(&on_road[0]);
        assert!(
            on_road.iter().all(|e| table_of(e) == id),
            "V2X {v2x}: one table"
        );
        let table = world
            .storages()
            .tables
            .get(id)
            .expect("the vehicles' table");
        assert_eq!(table.entity_count() as usize, vehicles);
        assert_eq!(
            table.capacity(),
            vehicles,
            "V2X {v2x}: room for them exactly"
        );
    }
}

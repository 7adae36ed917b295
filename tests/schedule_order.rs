//! Determinism must not rest on an implicit order: every pair of systems in the simulation's
//! schedules that touch the same data in conflicting ways (one writes what the other reads or
//! writes) has an explicit order. Bevy's schedule-ambiguity detection, at error level, checks
//! it on the whole app a run builds (every plugin, traces on, rapier included).
use bevy::app::FixedMain;
use bevy::ecs::schedule::{InternedScheduleLabel, LogLevel, ScheduleBuildSettings, ScheduleLabel};
use bevy::prelude::*;
use sangam_sim::runner::{RunOptions, build_app};
use sangam_sim::scenario::load::load_file;
use sangam_sim::trace::{TraceOptions, install, start};

/// The schedules our systems run in, each step and at start-up.
fn schedules() -> [InternedScheduleLabel; 5] {
    [
        Startup.intern(),
        FixedFirst.intern(),
        FixedUpdate.intern(),
        FixedPostUpdate.intern(),
        FixedLast.intern(),
    ]
}

fn ambiguities(scenario: &str) -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let loaded = load_file(&root.join(scenario)).expect("library scenario loads");
    let mut app = build_app(loaded.spec, &loaded.name, &RunOptions::default());
    let tmp = tempfile::tempdir().expect("temp dir");
    let (sink, _writer) = start(&TraceOptions {
        dir: tmp.path().to_path_buf(),
        fcd_xml: true,
        pcap: None,
    })
    .expect("trace writer starts");
    install(&mut app, sink, None);
    app.finish();
    app.cleanup();
    let _ = FixedMain.intern();
    let mut found = Vec::new();
    for label in schedules() {
        let world = app.world_mut();
        if world.try_schedule_scope(label, |_, _| ()).is_err() {
            continue;
        }
        world.schedule_scope(label, |world, s| {
            s.set_build_settings(ScheduleBuildSettings {
                ambiguity_detection: LogLevel::Error,
                ..default()
            });
            if let Err(e) = s.initialize(world) {
                found.push(format!("{label:?}: {}", e.to_string(s.graph(), world)));
            }
        });
    }
    found
}

#[test]
fn no_two_conflicting_systems_run_in_an_unspecified_order() {
    for scenario in [
        "scenarios/sangam-dmc.ron",
        "scenarios/hidden-pedestrian.ron",
    ] {
        let found = ambiguities(scenario);
        assert!(found.is_empty(), "{scenario}:\n{}", found.join("\n"));
    }
}

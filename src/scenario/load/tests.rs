//! Unit tests of loading internals: include paths, origin mapping, friendly ron errors.

use std::sync::Arc;

use super::*;
use crate::scenario::spec;

#[test]
fn include_paths_join_relative_to_the_including_file() {
    assert_eq!(
        join_include("a/b/s.ron", "common/m.ron"),
        "a/b/common/m.ron"
    );
    assert_eq!(join_include("a/b/s.ron", "../m.ron"), "a/m.ron");
    assert_eq!(join_include("s.ron", "./x/../m.ron"), "m.ron");
    assert_eq!(join_include("s.ron", "../../m.ron"), "../../m.ron");
    assert_eq!(join_include("/abs/s.ron", "m.ron"), "/abs/m.ron");
    assert_eq!(join_include("a/s.ron", "/etc/m.ron"), "/etc/m.ron");
}

const MAIN: &str = r#"(
    name: "m",
    include: ["frag/map.ron"],
    duration: 10.0,
    network: (links: [(id: "own", from: "b", to: "zz")]),
    v2x: (rsus: [(id: "r2", pos: (0.0, 0.0), height: 0.0)]),
)"#;

const FRAG: &str = r#"// map
(
    network: (
        nodes: [(id: "a", pos: (0.0, 0.0)), (id: "b", pos: (10.0, 0.0))],
        links: [(id: "ab", from: "a", to: "b"), (id: "bx", from: "b", to: "x")],
    ),
    rsus: [(id: "r1", pos: (0.0, 0.0), height: -1.0)],
    control_centre: Some((NaN, 0.0)),
)"#;

#[test]
fn merged_paths_map_back_to_the_file_they_came_from() {
    let mut asked = Vec::new();
    let err = load_with("dir/main.ron", MAIN, &mut |p: &str| {
        asked.push(p.to_string());
        Ok(FRAG.to_string())
    })
    .expect_err("invalid");
    assert_eq!(asked, ["dir/frag/map.ron"]);
    let text = err.to_string();
    let lines: Vec<&str> = text.lines().filter(|l| !l.starts_with("  help")).collect();
    assert_eq!(
        lines,
        [
            "dir/frag/map.ron:5:75: network.links[1].to: unknown node `x`",
            "dir/frag/map.ron:7:48: rsus[0].height: must be greater than 0 m, found -1",
            "dir/frag/map.ron:8:26: control_centre: must have finite coordinates, found (NaN, 0)",
            "dir/main.ron:5:50: network.links[0].to: unknown node `zz`",
            "dir/main.ron:6:54: v2x.rsus[0].height: must be greater than 0 m, found 0",
        ]
    );
}

#[test]
fn a_clean_include_merges_lists_fragment_first() {
    let frag = FRAG
        .replace("-1.0", "6.0")
        .replace("NaN", "1.0")
        .replace("\"x\"", "\"a\"");
    let main = MAIN
        .replace("\"zz\"", "\"a\"")
        .replace("height: 0.0", "height: 5.0");
    let loaded = load_with("main.ron", &main, &mut |_| Ok(frag.clone())).expect("valid");
    let ids: Vec<&str> = loaded
        .spec
        .network
        .links
        .iter()
        .map(|l| l.id.as_str())
        .collect();
    assert_eq!(ids, ["ab", "bx", "own"]);
    let rsus: Vec<&str> = loaded.spec.v2x.rsus.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(rsus, ["r1", "r2"]);
    assert_eq!(loaded.spec.v2x.control_centre, Some((1.0, 0.0)));
    assert_eq!(loaded.includes, ["frag/map.ron"]);
}

fn ron_message<T: serde::de::DeserializeOwned + std::fmt::Debug>(doc: &str) -> String {
    let src: Arc<str> = Arc::from(doc);
    let err = ron::Options::default()
        .from_str::<T>(doc)
        .expect_err("bad doc");
    ron_error::convert("t.ron", &src, &err).message
}

/// Every enum and struct of the spec has a friendly name, so renaming a Rust type cannot
/// silently leak Rust names into user-facing messages.
#[test]
fn every_spec_type_has_a_friendly_name() {
    let enums = [
        ron_message::<spec::Kind>("Zzz"),
        ron_message::<spec::Route>("Zzz"),
        ron_message::<spec::Tech>("Zzz"),
        ron_message::<spec::MsgType>("Zzz"),
        ron_message::<spec::Action>("Zzz"),
        ron_message::<spec::Expectation>("Zzz"),
        ron_message::<spec::Control>("Zzz"),
        ron_message::<spec::Latency>("Zzz"),
        ron_message::<spec::Footprint>("Zzz"),
    ];
    for m in &enums {
        assert!(
            m.starts_with("unknown ") && !m.starts_with("unknown variant"),
            "{m}"
        );
    }
    let structs = [
        ron_message::<spec::Spec>("(zzz: 1)"),
        ron_message::<include::Fragment>("(zzz: 1)"),
        ron_message::<spec::Network>("(zzz: 1)"),
        ron_message::<spec::Node>("(zzz: 1)"),
        ron_message::<spec::Link>("(zzz: 1)"),
        ron_message::<spec::Junction>("(zzz: 1)"),
        ron_message::<spec::SignalProgram>("(zzz: 1)"),
        ron_message::<spec::Phase>("(zzz: 1)"),
        ron_message::<spec::Building>("(zzz: 1)"),
        ron_message::<spec::VehicleSpawn>("(zzz: 1)"),
        ron_message::<spec::DriverSpec>("(zzz: 1)"),
        ron_message::<spec::BusStop>("(zzz: 1)"),
        ron_message::<spec::KindMix>("(zzz: 1)"),
        ron_message::<spec::Flow>("(zzz: 1)"),
        ron_message::<spec::PedestrianSpawn>("(zzz: 1)"),
        ron_message::<spec::TimedEvent>("(zzz: 1)"),
        ron_message::<spec::V2xSpec>("(zzz: 1)"),
        ron_message::<spec::RsuSpec>("(zzz: 1)"),
        ron_message::<spec::CctvSpec>("(zzz: 1)"),
        ron_message::<spec::GnbSpec>("(zzz: 1)"),
        ron_message::<spec::ObuSpec>("(zzz: 1)"),
        ron_message::<spec::LinkModels>("(zzz: 1)"),
        ron_message::<spec::SidelinkSpec>("(zzz: 1)"),
        ron_message::<spec::UuSpec>("(zzz: 1)"),
        ron_message::<spec::BackhaulSpec>("(zzz: 1)"),
        ron_message::<spec::MessageSpec>("(zzz: 1)"),
    ];
    for m in &structs {
        assert!(
            m.starts_with("unknown field `zzz` in ") && !m.contains(" in `"),
            "{m}"
        );
    }
}

#[test]
fn unknown_variant_message_reads_like_the_brief() {
    assert_eq!(
        ron_message::<spec::Kind>("Bsu"),
        "unknown vehicle kind `Bsu`, expected one of Car, Bus, Truck (did you mean `Bus`?)"
    );
}

//! Lane-to-lane connections (`Link::connections`) against the rules they replace.
use super::*;
use crate::road::routing::{link_trip, shortest_path};
use crate::scenario::load::load_str;
use crate::scenario::spec::Kind;

/// A cross at `c` (radius 10 m): a three-lane approach from the west, one-lane roads on to the
/// east, north and south, and a road back from the east. `wiring` is the approach's
/// connections (RON), `extra` more fields of it.
fn cross(wiring: &str, extra: &str) -> RoadNetwork {
    let src = format!(
        r#"(name: "t", duration: 10.0, network: (
            nodes: [(id: "w", pos: (-200.0, 0.0)), (id: "c", pos: (0.0, 0.0), radius: 10.0),
                    (id: "e", pos: (200.0, 0.0)), (id: "n", pos: (0.0, 200.0)), (id: "s", pos: (0.0, -300.0))],
            links: [(id: "in", from: "w", to: "c", lanes: 3, connections: [{wiring}], {extra}),
                    (id: "east", from: "c", to: "e"), (id: "north", from: "c", to: "n"),
                    (id: "south", from: "c", to: "s"), (id: "back", from: "e", to: "c"),
                    (id: "up", from: "s", to: "c")]))"#
    );
    let spec = load_str("t.ron", &src)
        .unwrap_or_else(|d| panic!("{d}"))
        .spec;
    RoadNetwork::build(&spec)
}

const ONE_EACH: &str = r#"(lane: 0, to: "south", to_lane: 0), (lane: 1, to: "east", to_lane: 0),
    (lane: 2, to: "north", to_lane: 0)"#;

#[test]
fn connections_decide_the_lanes_and_the_ways_on() {
    let net = cross(ONE_EACH, "");
    let id = |s: &str| net.link(s).expect("link");
    let (inn, east) = (id("in"), id("east"));
    // The lane rules would allow straight on from lane 2 only (aligned at the median).
    assert_eq!(net.lanes_for(inn, east), (1, 1));
    assert_eq!(net.lanes_for(inn, id("north")), (2, 2));
    assert_eq!(net.entry_lane(inn, east, 1), 0);
    // From a lane without a connection onto `east`: that of the nearest connected lane.
    assert_eq!(net.entry_lane(inn, east, 2), 0);
    let mut on: Vec<u32> = net.next_links(inn).collect();
    on.sort_unstable();
    assert_eq!(on, vec![east, id("north"), id("south")]);
    // Unwired links keep the rules: every link leaving the node, the U-turn included.
    assert_eq!(net.next_links(id("back")).count(), 3);
    assert_eq!(net.turn(inn, east, 0).expect("path").from_lane, 1);
}

#[test]
fn a_connection_path_runs_through_its_via_points() {
    let via = r#"(lane: 0, to: "south", to_lane: 0, via: [(-12.0, -5.0), (-6.0, -6.0), (-3.0, -8.0)]),
        (lane: 1, to: "east", to_lane: 0), (lane: 2, to: "north", to_lane: 0)"#;
    let net = cross(via, "");
    let (inn, south) = (
        net.link("in").expect("in"),
        net.link("south").expect("south"),
    );
    let t = net.turn(inn, south, 0).expect("path");
    let pts = t.path.points();
    let lane_end = net.links[inn as usize].lane_paths[0]
        .points()
        .last()
        .copied();
    assert_eq!(Some(pts[0]), lane_end);
    assert_eq!(
        pts[pts.len() - 1],
        net.links[south as usize].lane_paths[0].points()[0]
    );
    // The via point behind the lane's end (x = -12 < -10) is dropped; the others are kept.
    assert_eq!(&pts[1..pts.len() - 1], &[[-6.0, -6.0], [-3.0, -8.0]]);
}

#[test]
fn routes_take_only_connected_movements_and_dead_ends_lead_nowhere() {
    // No left turn from `in`: to reach `north`, go east (200 m), turn back and turn right,
    // rather than south (300 m), back and straight on.
    let no_left = r#"(lane: 0, to: "south", to_lane: 0), (lane: 1, to: "east", to_lane: 0)"#;
    let net = cross(no_left, "");
    let id = |s: &str| net.link(s).expect("link");
    let route = link_trip(&net, id("in"), id("north")).expect("a way round");
    assert_eq!(route, vec![id("in"), id("east"), id("back"), id("north")]);
    // Node to node likewise: from `w` to `n` through the only connected movements.
    let w = net.node_index["w"];
    let n = net.node_index["n"];
    assert_eq!(shortest_path(&net, w, n), Some(route));
    let dead = cross("", "dead_end: true");
    assert_eq!(dead.next_links(id("in")).count(), 0);
    assert_eq!(link_trip(&dead, id("in"), id("north")), None);
}

#[test]
fn a_reserved_lane_is_open_only_to_its_kinds() {
    let net = cross(ONE_EACH, "reserved: [(lane: 0, kinds: [Bus])]");
    let inn = &net.links[net.link("in").expect("in") as usize];
    let of = Class::of_kind;
    assert!(inn.allows(0, of(Kind::Bus)) && !inn.allows(0, of(Kind::Car)));
    assert!(!inn.allows(0, of(Kind::Truck)) && !inn.allows(0, Class::Coach));
    assert!(inn.allows(1, of(Kind::Car)) && inn.open_to_all(1) && !inn.open_to_all(0));
}

/// A bus lane taxis may use (SUMO's `allow="bus taxi"`): buses and taxis, not private cars,
/// whatever their kind's body.
#[test]
fn a_reserved_lane_opens_to_the_classes_it_names() {
    let net = cross(
        ONE_EACH,
        "reserved: [(lane: 0, kinds: [Bus], classes: [Taxi])]",
    );
    let inn = &net.links[net.link("in").expect("in") as usize];
    assert!(inn.allows(0, Class::Taxi) && inn.allows(0, Class::Bus));
    assert!(!inn.allows(0, Class::Passenger) && !inn.allows(0, Class::Emergency));
}

/// A ramp from a node at 0 m to one at 10 m over 200 m, with a junction box of 10 m at its top
/// and one shape point half-way (without a height of its own), then a level road on: heights
/// along the trimmed link, through the junction box, and on the next link.
#[test]
fn heights_follow_the_nodes_through_shape_points_and_junction_boxes() {
    let src = r#"(name: "t", duration: 10.0, network: (
        nodes: [(id: "a", pos: (0.0, 0.0)), (id: "b", pos: (200.0, 0.0), radius: 10.0, z: 10.0),
                (id: "c", pos: (400.0, 0.0), z: 10.0)],
        links: [(id: "up", from: "a", to: "b", shape: [(100.0, 0.0)]),
                (id: "on", from: "b", to: "c")]))"#;
    let spec = load_str("t.ron", src)
        .unwrap_or_else(|d| panic!("{d}"))
        .spec;
    let net = RoadNetwork::build(&spec);
    let (up, on) = (net.link("up").expect("up"), net.link("on").expect("on"));
    assert!(net.elevated());
    let near = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert!(near(net.ground(up, 0, 0.0, None), 0.0));
    assert!(near(net.ground(up, 0, 100.0, None), 5.0), "half-way up");
    // The link ends 10 m short of the node (the box), at 9.5 m.
    let len = net.links[up as usize].length;
    assert!(near(len, 190.0));
    assert!(near(net.ground(up, 0, len, None), 9.5));
    // Through the box (negative positions on the next link): from 9.5 m to 10 m.
    let turn = net.turn_length(up, on, 0);
    assert!(near(net.ground(on, 0, -turn / 2.0, Some(up)), 9.75));
    assert!(near(net.ground(on, 0, 50.0, Some(up)), 10.0));
}

#[test]
fn a_flat_network_has_no_heights() {
    let net = cross(ONE_EACH, "");
    assert!(!net.elevated());
    assert!(net.links.iter().all(|l| l.heights.is_none()));
}

//! Where a scenario's action is, so that the 3D view and the browser report open framed on it
//! rather than on the middle of the map: the places of its pedestrians and timed events; else,
//! for the whole Sangam district (a scenario with a control centre and no event of its own), the
//! district overview (`viz::camera`); else the junctions its roadside units watch, else its
//! busiest junction.
use crate::road::RoadNetwork;
use crate::road::geometry::P2;
use crate::scenario::spec::{Action, Route, Spec};

/// The smallest radius framed, m: a junction with its approaches.
pub const MIN_RADIUS_M: f64 = 45.0;
/// Events further apart than this (radius, m) are spread over the district: a scenario with a
/// control centre then opens on the district overview instead.
pub const SPREAD_M: f64 = 300.0;

/// Where a site (RSU or gNB) with this id stands.
fn site(spec: &Spec, id: &str) -> Option<P2> {
    let rsu = spec.v2x.rsus.iter().find(|r| r.id == id).map(|r| r.pos);
    let gnb = || spec.v2x.gnbs.iter().find(|g| g.id == id).map(|g| g.pos);
    rsu.or_else(gnb).map(|p| [p.0, p.1])
}

/// A point along a link's centreline, `s` m from its start (clamped).
fn on_link(net: &RoadNetwork, link: &str, s: Option<f64>) -> Option<P2> {
    let l = &net.links[net.link(link)? as usize];
    Some(
        l.center
            .at(s.unwrap_or(l.length / 2.0).clamp(0.0, l.length))
            .0,
    )
}

fn junction(net: &RoadNetwork, id: &str) -> Option<P2> {
    let j = net.junction_index.get(id)?;
    Some(net.nodes[net.junctions[*j as usize].node as usize].pos)
}

/// Where a placed vehicle is expected at `t` s: from its place on the first of its links, at its
/// initial speed since it departed. Before the run nothing better is known; the vehicles an
/// event names are placed in steady traffic or standing (`emergency-brake-eebl`'s lead car
/// brakes where this puts it, `stalled-vehicle-denm`'s car stands where it was placed).
fn vehicle_at(spec: &Spec, net: &RoadNetwork, id: &str, t: f64) -> Option<P2> {
    let v = spec.vehicles.iter().find(|v| v.id == id)?;
    let links = match &v.route {
        Route::Links(links) | Route::Loop { links, .. } => links,
        _ => return None,
    };
    let mut s = v.pos + v.speed * (t - v.depart).max(0.0);
    for (k, link) in links.iter().enumerate() {
        let length = net.links[net.link(link)? as usize].length;
        if s <= length || k + 1 == links.len() {
            return on_link(net, link, Some(s));
        }
        s -= length;
    }
    None
}

/// Where a timed action happens, if it has a place.
fn place(spec: &Spec, net: &RoadNetwork, at: f64, a: &Action) -> Option<P2> {
    match a {
        Action::Stall { vehicle } | Action::EmergencyBrake { vehicle, .. } => {
            vehicle_at(spec, net, vehicle, at)
        }
        Action::CloseLane { link, .. } => on_link(net, link, None),
        Action::SetProgram { junction: j, .. } => junction(net, j),
        Action::Gnb { id, .. } | Action::Rsu { id, .. } | Action::CellLoad { id, .. } => {
            site(spec, id)
        }
        Action::Backhaul { node, .. } => site(spec, node),
        Action::Jamming { center, .. } => Some([center.0, center.1]),
        _ => None,
    }
}

/// The places of the scenario's events: pedestrians' crossings and timed events with a place
/// (where the vehicle an event names is expected then).
pub fn event_points(spec: &Spec, net: &RoadNetwork) -> Vec<P2> {
    let crossings = spec
        .pedestrians
        .iter()
        .filter_map(|p| on_link(net, &p.link, Some(p.pos)));
    let events = spec
        .events
        .iter()
        .filter_map(|e| place(spec, net, e.at, &e.action));
    crossings.chain(events).collect()
}

/// The junctions (or places) of roadside units with cameras or a junction of their own.
pub fn watched_points(spec: &Spec, net: &RoadNetwork) -> Vec<P2> {
    spec.v2x
        .rsus
        .iter()
        .filter(|r| r.junction.is_some() || !r.cctv.is_empty())
        .map(|r| {
            r.junction
                .as_deref()
                .and_then(|j| junction(net, j))
                .unwrap_or([r.pos.0, r.pos.1])
        })
        .collect()
}

/// The busiest junction: the most lanes coming in (signalled ones first), the nearest to the
/// middle of the map on a tie.
pub fn busiest_junction(net: &RoadNetwork, centre: P2) -> Option<P2> {
    let score = |node: u32| -> (bool, u32, f64) {
        let n = &net.nodes[node as usize];
        let lanes = n
            .incoming
            .iter()
            .map(|l| u32::from(net.links[*l as usize].lanes))
            .sum();
        let signalled = n.junction.is_some_and(|j| {
            matches!(
                net.junctions[j as usize].ctl,
                crate::road::network::JunctionCtl::Signal(_)
            )
        });
        let d = (n.pos[0] - centre[0]).hypot(n.pos[1] - centre[1]);
        (signalled, lanes, -d)
    };
    (0..net.nodes.len() as u32)
        .filter(|i| net.nodes[*i as usize].incoming.len() >= 3)
        .max_by(|a, b| {
            let (x, y) = (score(*a), score(*b));
            (x.0, x.1).cmp(&(y.0, y.1)).then(x.2.total_cmp(&y.2))
        })
        .map(|i| net.nodes[i as usize].pos)
}

/// What to frame, as the middle and the radius that holds it: the places of the scenario's
/// events (within [`SPREAD_M`] of their middle, in the district); else none for the whole
/// district around a control centre (its overview); else the junctions roadside units watch,
/// else the busiest junction (none for a map without one).
pub fn action(spec: &Spec, net: &RoadNetwork, centre: P2) -> Option<(P2, f64)> {
    let district = spec.v2x.control_centre.is_some();
    let events = frame(&event_points(spec, net));
    if let Some((c, r)) = events
        && (r <= SPREAD_M || !district)
    {
        return Some((c, r));
    }
    if district {
        return None;
    }
    let watched = watched_points(spec, net);
    if !watched.is_empty() {
        return frame(&watched);
    }
    busiest_junction(net, centre).and_then(|j| frame(&[j]))
}

/// The middle of `points` and the radius that holds them all (at least [`MIN_RADIUS_M`]).
pub fn frame(points: &[P2]) -> Option<(P2, f64)> {
    if points.is_empty() {
        return None;
    }
    let n = points.len() as f64;
    let c = [
        points.iter().map(|p| p[0]).sum::<f64>() / n,
        points.iter().map(|p| p[1]).sum::<f64>() / n,
    ];
    let r = points
        .iter()
        .map(|p| (p[0] - c[0]).hypot(p[1] - c[1]))
        .fold(MIN_RADIUS_M, f64::max);
    Some((c, r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::embedded::load_embedded;

    fn library(name: &str) -> (Spec, RoadNetwork) {
        let spec = load_embedded(name)
            .unwrap_or_else(|d| panic!("{}", d.render_fancy()))
            .spec;
        let net = RoadNetwork::build(&spec);
        (spec, net)
    }

    #[test]
    fn a_frame_holds_its_points_and_is_never_tighter_than_a_junction() {
        let (c, r) = frame(&[[0.0, 0.0], [200.0, 0.0]]).unwrap();
        assert_eq!((c, r), ([100.0, 0.0], 100.0));
        assert_eq!(frame(&[[5.0, 5.0]]).unwrap().1, MIN_RADIUS_M);
        assert!(frame(&[]).is_none());
    }

    #[test]
    fn hidden_pedestrian_is_framed_on_the_crossing_and_red_light_runner_on_its_junction() {
        let (spec, net) = library("hidden-pedestrian.ron");
        let p = &spec.pedestrians[0];
        let crossing = on_link(&net, &p.link, Some(p.pos)).unwrap();
        // The bus parked from the start, whose front the pedestrian steps out 3 m beyond.
        let bus = on_link(&net, &p.link, Some(p.pos - 3.0)).unwrap();
        assert_eq!(event_points(&spec, &net), vec![crossing, bus]);
        let (c, r) = action(&spec, &net, [0.0, 0.0]).unwrap();
        assert!(
            (c[0] - crossing[0]).hypot(c[1] - crossing[1]) < 2.0,
            "{c:?}"
        );
        assert_eq!(r, MIN_RADIUS_M);
        // The junction's RSU watches with a camera: the frame is on it.
        let (spec, net) = library("red-light-runner.ron");
        let rsu = spec.v2x.rsus.iter().find(|r| !r.cctv.is_empty()).unwrap();
        assert_eq!(watched_points(&spec, &net), vec![[rsu.pos.0, rsu.pos.1]]);
        let (c, _) = action(&spec, &net, [0.0, 0.0]).unwrap();
        assert_eq!(c, [rsu.pos.0, rsu.pos.1]);
    }

    #[test]
    fn a_vehicle_event_is_framed_where_the_vehicle_is_expected() {
        // The lead car, placed at 400 m at 13.9 m/s and keeping to it, brakes at t = 15 s:
        // at 608.5 m of the straight road from (0, 0) to (1500, 0).
        let (spec, net) = library("emergency-brake-eebl.ron");
        let (c, r) = action(&spec, &net, [750.0, 0.0]).unwrap();
        assert!((c[0] - 608.5).abs() < 0.5, "{c:?}");
        assert_eq!(r, MIN_RADIUS_M);
    }

    #[test]
    fn the_busiest_junction_of_the_grid_has_the_most_lanes_in() {
        let (_, net) = library("grid-8x8.ron");
        let b = busiest_junction(&net, [0.0, 0.0]).unwrap();
        let node = net.nodes.iter().find(|n| n.pos == b).unwrap();
        let most = net.nodes.iter().map(|n| n.incoming.len()).max().unwrap();
        assert_eq!(node.incoming.len(), most);
    }
}

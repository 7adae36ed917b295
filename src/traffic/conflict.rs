//! Intersection collision warning against red-light runners. Each step, vehicles that will enter
//! a signalised junction on red are predicted from ground truth (`predict`, the test a
//! roadside camera or a tracking stack would apply). A driver who knows of such a vehicle (own
//! sensors in `perceive`, or, for automated vehicles, a CPM in `v2x::receive`) and would reach
//! the junction at about the same time waits at its own stop line (`must_yield`, in `decide`).
use bevy::prelude::*;

use super::components::*;
use crate::clock::SimClock;
use crate::ids::ObjectId;
use crate::road::RoadNetwork;
use crate::road::network::JunctionCtl;
use crate::road::signals::Colour;

/// Deceleration a driver still accepts to stop for a red light, m/s²: a vehicle that would need
/// more is predicted to go through. ITE, "Guidelines for Determining Traffic Signal Change and
/// Clearance Intervals" (2020) uses 3.0-3.4 m/s² (10-11.2 ft/s²) in the kinematic amber-time
/// formula; the lower end is taken (assumed).
pub const VIOLATION_DECEL: f64 = 3.0;
/// Violations are predicted no farther than this from the stop line, m (assumed: the reach of a
/// junction camera).
pub const VIOLATION_RANGE: f64 = 150.0;
/// Speed used for the arrival time of a vehicle slower than this, m/s (assumed): a vehicle
/// waiting at its line could move off and be in the junction soon, so it keeps waiting while a
/// violator is close, instead of creeping in.
pub const MIN_ARRIVAL_SPEED: f64 = 2.0;

/// Intersection collision warning: two arrivals closer than this are a conflict, s
/// (class E; FHWA SSAM counts post-encroachment times up to 5 s as conflicts, Gettman et
/// al., FHWA-HRT-08-051, 2008, so 2 s flags only the tight ones).
pub const ICW_GAP_S: f64 = 2.0;
/// Intersection collision warning horizon, s (class E).
pub const ICW_HORIZON_S: f64 = 8.0;

/// Time to reach a point `d_m` ahead at constant speed `v`, s (0 when already there, ∞
/// when not moving).
pub fn time_to_arrival(d_m: f64, v: f64) -> f64 {
    if d_m <= 0.0 {
        0.0
    } else if v <= 0.0 {
        f64::INFINITY
    } else {
        d_m / v
    }
}

/// Intersection collision warning by time-to-arrival: both vehicles reach the conflict
/// point within `horizon_s` and less than `gap_s` apart.
pub fn intersection_conflict(
    d_ego: f64,
    v_ego: f64,
    d_other: f64,
    v_other: f64,
    gap_s: f64,
    horizon_s: f64,
) -> bool {
    let (a, b) = (
        time_to_arrival(d_ego, v_ego),
        time_to_arrival(d_other, v_other),
    );
    a <= horizon_s && b <= horizon_s && (a - b).abs() < gap_s
}

/// A vehicle predicted to enter a junction on red.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Violator {
    pub index: u32,
    pub entity: Entity,
    /// The junction node it approaches, on `link`.
    pub node: u32,
    pub link: u32,
    /// Distance to its stop line, m, and speed, m/s.
    pub d: f64,
    pub v: f64,
    /// Where its body is (Bevy coordinates), for line-of-sight tests.
    pub at: Vec3,
}

/// This step's predicted red-light violators, sorted by vehicle index.
#[derive(Resource, Debug, Default)]
pub struct Violators(pub Vec<Violator>);

impl Violators {
    /// The violator with this vehicle index, if it is one.
    pub fn get(&self, index: u32) -> Option<&Violator> {
        self.0
            .binary_search_by_key(&index, |v| v.index)
            .ok()
            .map(|i| &self.0[i])
    }
}

/// Will a vehicle `d` m before a stop line showing `colour`, at speed `v`, enter on red? Yes when
/// the light is red, it is within [`VIOLATION_RANGE`] and it can no longer stop at
/// [`VIOLATION_DECEL`] (d < v² / 2b).
pub fn will_run_red(colour: Colour, d: f64, v: f64) -> bool {
    colour == Colour::Red
        && (0.0..=VIOLATION_RANGE).contains(&d)
        && d < v * v / (2.0 * VIOLATION_DECEL)
}

/// Intersection collision warning: does a vehicle `d_ego` m before its stop line at `v_ego` have
/// to wait for a violator `d_other` m before its own line at `v_other`? Both arrive within the
/// horizon and less than [`ICW_GAP_S`] apart (arrival at no less than [`MIN_ARRIVAL_SPEED`]).
pub fn yields_to(d_ego: f64, v_ego: f64, d_other: f64, v_other: f64) -> bool {
    intersection_conflict(
        d_ego,
        v_ego.max(MIN_ARRIVAL_SPEED),
        d_other,
        v_other,
        ICW_GAP_S,
        ICW_HORIZON_S,
    )
}

/// The junction node a vehicle is approaching on its current link and the distance to the stop
/// line, when its route continues through it.
pub fn approaching(net: &RoadNetwork, m: &Motion, route: &Route) -> Option<(u32, f64)> {
    let link = &net.links[m.link as usize];
    (m.s >= 0.0 && route.next().is_some()).then_some((link.to, link.length - m.s))
}

/// Violators approaching the same junction as this vehicle on another link.
pub fn crossing(violators: &Violators, node: u32, link: u32) -> impl Iterator<Item = &Violator> {
    violators
        .0
        .iter()
        .filter(move |v| v.node == node && v.link != link)
}

/// Should this vehicle wait at its stop line for a red-light runner it knows of?
pub fn must_yield(
    net: &RoadNetwork,
    m: &Motion,
    route: &Route,
    violators: &Violators,
    knows: impl Fn(u32) -> bool,
) -> bool {
    let Some((node, d)) = approaching(net, m, route) else {
        return false;
    };
    crossing(violators, node, m.link).any(|o| {
        ObjectId::Vehicle(o.index).wire().is_some_and(&knows) && yields_to(d, m.v, o.d, o.v)
    })
}

/// Predict this step's violators from every vehicle approaching a signalised junction.
pub fn predict(
    clock: Res<SimClock>,
    net: Res<RoadNetwork>,
    mut out: ResMut<Violators>,
    q: Query<(Entity, &Vehicle, &Motion, &Route, &Transform), Without<Stalled>>,
) {
    out.0.clear();
    let t = clock.t();
    for (e, veh, m, route, tf) in &q {
        let Some((node, d)) = approaching(&net, m, route) else {
            continue;
        };
        let Some(j) = net.nodes[node as usize].junction else {
            continue;
        };
        if let JunctionCtl::Signal(p) = &net.junctions[j as usize].ctl
            && will_run_red(p.state(m.link, t).colour, d, m.v)
        {
            out.0.push(Violator {
                index: veh.index,
                entity: e,
                node,
                link: m.link,
                d,
                v: m.v,
                at: tf.translation,
            });
        }
    }
    out.0.sort_by_key(|v| v.index);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_violation_is_a_red_light_the_driver_can_no_longer_stop_for() {
        // 16.7 m/s needs 16.7² / 6 = 46.5 m at 3 m/s².
        assert!(will_run_red(Colour::Red, 40.0, 16.7));
        assert!(!will_run_red(Colour::Red, 50.0, 16.7));
        assert!(!will_run_red(Colour::Green, 40.0, 16.7));
        assert!(!will_run_red(Colour::Amber, 40.0, 16.7));
        // Past the line, or stopped: no prediction.
        assert!(!will_run_red(Colour::Red, -1.0, 16.7));
        assert!(!will_run_red(Colour::Red, 5.0, 0.0));
        // A driver braking at b = 2 m/s² for the line (v² = 2 b d) is never flagged.
        for d in [1.0, 10.0, 40.0] {
            assert!(!will_run_red(Colour::Red, d, (2.0 * 2.0 * d).sqrt()));
        }
    }

    #[test]
    fn yielding_by_time_to_arrival() {
        // Me 42 m at 14 m/s (3 s), the runner 46 m at 16.7 m/s (2.75 s): conflict.
        assert!(yields_to(42.0, 14.0, 46.0, 16.7));
        // The runner 6.3 s away: I am through 3 s before it comes.
        assert!(!yields_to(42.0, 14.0, 105.0, 16.7));
        // Waiting 1 m before my line (as if at 2 m/s: 0.5 s) while the runner is 1 s away.
        assert!(yields_to(1.0, 0.0, 16.7, 16.7));
        // ... and once it is far, I go.
        assert!(!yields_to(1.0, 0.0, 100.0, 16.7));
    }

    #[test]
    fn intersection_tta() {
        assert_eq!(time_to_arrival(0.0, 0.0), 0.0);
        assert_eq!(time_to_arrival(10.0, 0.0), f64::INFINITY);
        // 50 m at 10 m/s (5 s) vs 60 m at 10 m/s (6 s): 1 s apart → conflict.
        assert!(intersection_conflict(
            50.0,
            10.0,
            60.0,
            10.0,
            ICW_GAP_S,
            ICW_HORIZON_S
        ));
        // 5 s vs 8 s: clear.
        assert!(!intersection_conflict(
            50.0,
            10.0,
            80.0,
            10.0,
            ICW_GAP_S,
            ICW_HORIZON_S
        ));
        // Other vehicle stopped: no conflict.
        assert!(!intersection_conflict(
            50.0,
            10.0,
            5.0,
            0.0,
            ICW_GAP_S,
            ICW_HORIZON_S
        ));
        // Both beyond the horizon.
        assert!(!intersection_conflict(
            100.0,
            10.0,
            100.0,
            10.0,
            ICW_GAP_S,
            ICW_HORIZON_S
        ));
    }
}

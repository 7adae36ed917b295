//! Emergency electronic brake light, receiving side. An automated vehicle that receives an EEBL
//! DENM (EN 302 637-3, cause 99 sub-cause 1) for an event ahead on its route treats the braking
//! vehicle as a second, farther leader while the DENM is valid (multi-anticipation, see
//! [`eebl_accel`]). Human-driven vehicles ignore V2X and only see their own leader.
use bevy::prelude::*;

use super::denm::{DenmUpdate, is_relevant};
use super::messages::Denm;
use super::nodes::{EeblNotice, OnBoard};
use super::reactions::eebl_accel;
use crate::clock::SimClock;
use crate::road::RoadNetwork;
use crate::road::geometry::{P2, dist};
use crate::road::network::LinkData;
use crate::traffic::LOOKAHEAD;
use crate::traffic::components::*;
use crate::traffic::idm::idm_on;
use crate::traffic::lanes::{At, LaneIndex};
use crate::traffic::spawn::effective_v0;

/// Largest angle between the reported heading and the lane direction for the event to count as
/// travelling in my direction, rad (45°, assumed: separates the two carriageways of a road and
/// the crossing roads of a junction).
pub const HEADING_TOLERANCE: f64 = std::f64::consts::FRAC_PI_4;
/// Slack beyond the carriageway edges for positioning error, m (assumed: GNSS-grade error).
const EDGE_SLACK: f64 = 1.0;

/// Map-match a reported position (and heading, if given) onto a link: its centreline position
/// and lane when the point lies on the link's carriageway (right of the centreline, up to its
/// width) and the heading agrees with the lane direction.
pub fn on_link(link: &LinkData, pos: P2, heading_rad: Option<f64>) -> Option<(f64, u8)> {
    let (s, off, dir) = link.center.project(pos);
    let width = link.width() + EDGE_SLACK;
    if !(-EDGE_SLACK..=width).contains(&off) || dist(link.center.at(s).0, pos) > width {
        return None;
    }
    let agrees =
        heading_rad.is_none_or(|h| dir[0] * h.cos() + dir[1] * h.sin() >= HEADING_TOLERANCE.cos());
    // Lane k's centre is (lanes − k − 0.5) lane widths right of the centreline.
    let from_median = (off / link.lane_width)
        .floor()
        .clamp(0.0, f64::from(link.lanes - 1)) as u8;
    agrees.then_some((s, link.lanes - 1 - from_median))
}

/// The lane a vehicle in `lane` now would drive on `link` (the same index, kept within the
/// link's lanes): the lane an EEBL event must be in to matter. Approximate beyond the current
/// link, where lane changes and junction lane rules may move the vehicle.
fn my_lane(net: &RoadNetwork, m: &Motion, link: u32) -> u8 {
    if link == m.link {
        m.lane
    } else {
        m.lane.min(net.links[link as usize].lanes - 1)
    }
}

/// Take an EEBL DENM into the vehicle's notices: a new or updated event that lies ahead on the
/// route, in my direction, within its relevance area, replaces any earlier notice of the same
/// event; a termination removes it. A repetition of an event not yet noted is checked again (the
/// receiver may have entered the relevance area since the first copy).
pub fn note(
    net: &RoadNetwork,
    m: &Motion,
    route: &Route,
    denm: &Denm,
    update: DenmUpdate,
    t_recv: f64,
    notices: &mut Vec<EeblNotice>,
) {
    match update {
        DenmUpdate::Terminated => {
            notices.retain(|n| n.action != denm.action_id);
            return;
        }
        DenmUpdate::New | DenmUpdate::Updated => {}
        DenmUpdate::Repetition if notices.iter().all(|n| n.action != denm.action_id) => {}
        DenmUpdate::Repetition | DenmUpdate::Ignored => return,
    }
    let me = net.pose(m.link, m.lane, m.s, m.prev).0;
    if !is_relevant(denm, (me[0], me[1])) {
        return;
    }
    let pos = [denm.pos.0, denm.pos.1];
    let located = std::iter::once(m.link)
        .chain(route.ahead().iter().copied())
        .find_map(|l| {
            let (s, lane) = on_link(&net.links[l as usize], pos, denm.event_heading_rad)?;
            route.distance_to(net, m, l, s).map(|_| (l, s, lane))
        });
    notices.retain(|n| n.action != denm.action_id);
    if let Some((link, s, lane)) = located {
        let at = notices.partition_point(|n| n.action < denm.action_id);
        notices.insert(
            at,
            EeblNotice {
                action: denm.action_id,
                link,
                s,
                lane,
                speed: denm.event_speed.unwrap_or(0.0),
                detected_s: denm.detection_time_s,
                until_s: denm.detection_time_s + denm.validity_s,
                received_s: t_recv,
            },
        );
    }
}

/// Cap every automated vehicle's acceleration by the IDM term against each braking vehicle it
/// was told of, once its reaction time has passed since the DENM arrived. A sender that is the
/// vehicle's immediate leader is left to the ordinary car following: its own sensors measure
/// that one directly, and the worst-case extrapolation would only make it brake harder than
/// needed (then raising an EEBL of its own, and so on down the platoon).
pub fn anticipate(
    clock: Res<SimClock>,
    net: Res<RoadNetwork>,
    index: Res<LaneIndex>,
    mut q: Query<(
        &Vehicle,
        &Motion,
        &Route,
        &Driver,
        &mut OnBoard,
        &mut Advice,
    )>,
) {
    let t = clock.t();
    for (v, m, route, driver, mut ob, mut advice) in &mut q {
        advice.max_accel = None;
        if !v.automated || ob.eebl.is_empty() {
            continue;
        }
        ob.eebl.retain(|n| t < n.until_s);
        let me = index.slot(v.index);
        let leader = index
            .leader(
                &net,
                At {
                    link: m.link,
                    lane: m.lane,
                    s: m.s,
                },
                me,
                route.ahead(),
                LOOKAHEAD,
                |_| true,
            )
            .map(|(o, _)| index.snaps[o as usize].index);
        let v0 = effective_v0(driver, net.links[m.link as usize].speed_limit);
        let idm = idm_on(&driver.idm, v0);
        for n in &ob.eebl {
            // Only braking in my lane matters: a hard brake next to me is no leader of mine.
            if t < n.received_s + driver.reaction
                || n.lane != my_lane(&net, m, n.link)
                || leader == Some(n.action.station_id)
            {
                continue;
            }
            if let Some(d) = route.distance_to(&net, m, n.link, n.s) {
                let a = eebl_accel(&idm, m.v, d, n.speed);
                advice.max_accel = Some(advice.max_accel.map_or(a, |c: f64| c.min(a)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::road::geometry::Polyline;

    fn eastbound(lanes: u8) -> LinkData {
        let center = Polyline::new(vec![[0.0, 0.0], [500.0, 0.0]]);
        LinkData {
            id: "e".into(),
            name: String::new(),
            from: 0,
            to: 1,
            lanes,
            lane_width: crate::road::LANE_WIDTH,
            open: Vec::new(),
            speed_limit: 13.9,
            lane_paths: Vec::new(),
            curves: Vec::new(),
            length: center.length(),
            center,
            heights: None,
        }
    }

    #[test]
    fn an_event_is_matched_to_its_own_carriageway_and_direction() {
        let link = eastbound(2);
        // Lane 1 centre (1.75 m right of the centreline, i.e. south), heading east.
        assert_eq!(on_link(&link, [120.0, -1.75], Some(0.0)), Some((120.0, 1)));
        // No heading reported: position alone; lane 0 is the outer (rightmost) one.
        assert_eq!(on_link(&link, [120.0, -5.25], None), Some((120.0, 0)));
        // A little beyond the kerb still counts, in the outer lane.
        assert_eq!(on_link(&link, [120.0, -7.5], None), Some((120.0, 0)));
        // Heading west: the other carriageway's traffic.
        assert_eq!(
            on_link(&link, [120.0, -1.75], Some(std::f64::consts::PI)),
            None
        );
        // North of the centreline: the opposite carriageway.
        assert_eq!(on_link(&link, [120.0, 3.0], Some(0.0)), None);
        // Beyond the link's far end, or far to the side: elsewhere.
        assert_eq!(on_link(&link, [530.0, -1.75], Some(0.0)), None);
        assert_eq!(on_link(&link, [120.0, -20.0], Some(0.0)), None);
        // 40° off the lane direction still counts, 50° does not.
        assert!(on_link(&link, [120.0, -1.75], Some(40f64.to_radians())).is_some());
        assert!(on_link(&link, [120.0, -1.75], Some(50f64.to_radians())).is_none());
    }
}

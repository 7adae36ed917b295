//! Vehicles that left my lane on another path through the junction and are still in my way.
//! Paths from one lane share their start until they part; a vehicle turning off that stops
//! before it has wholly left the shared stretch (a left turner waiting in the box for a gap)
//! blocks those behind it going elsewhere. Car following looks only along my own route and
//! conflict areas only between approaches, so neither sees it; this does.
use super::components::{Motion, Route};
use super::decide::BOX_CHECK;
use super::lanes::LaneIndex;
use crate::road::RoadNetwork;
use crate::road::network::{CONFLICT_WIDTH, Turn};

/// Where I am on my path through the next junction: the incoming link, the outgoing link, the
/// path, the lane I come from, and my front's arc length along the path (negative before it).
struct OnPath<'a> {
    from: u32,
    out: u32,
    turn: &'a Turn,
    from_lane: u8,
    arc: f64,
}

fn on_path<'a>(net: &'a RoadNetwork, m: &Motion, route: &Route) -> Option<OnPath<'a>> {
    if m.s >= 0.0 {
        let to_end = net.links[m.link as usize].length - m.s;
        let out = route.next().filter(|_| to_end < BOX_CHECK)?;
        let turn = net.turn(m.link, out, net.entry_lane(m.link, out, m.lane))?;
        let from_lane = m.lane;
        Some(OnPath {
            from: m.link,
            out,
            turn,
            from_lane,
            arc: -to_end,
        })
    } else {
        let from = m.prev?;
        let turn = net.turn(from, m.link, m.lane)?;
        let arc = turn.path.length() + m.s;
        Some(OnPath {
            from,
            out: m.link,
            turn,
            from_lane: turn.from_lane,
            arc,
        })
    }
}

/// The nearest vehicle ahead of me that came from my lane onto another link and whose rear is
/// still on my path: (gap to its rear, its speed).
pub fn diverged_leader(
    net: &RoadNetwork,
    index: &LaneIndex,
    m: &Motion,
    route: &Route,
) -> Option<(f64, f64)> {
    let me = on_path(net, m, route)?;
    let node = net.links[me.from as usize].to;
    let mut nearest: Option<(f64, f64)> = None;
    for (out, lane, s) in index.in_box(net, node) {
        if s.prev != Some(me.from) || out == me.out {
            continue;
        }
        let Some(theirs) = net.turn(me.from, out, lane) else {
            continue;
        };
        if theirs.from_lane != me.from_lane {
            continue;
        }
        let rear = theirs.path.length() + s.s - s.length;
        let (at, _) = theirs.path.at(rear.max(0.0));
        let (along, off, _) = me.turn.path.project(at);
        if off.abs() >= CONFLICT_WIDTH {
            continue;
        }
        let gap = along + rear.min(0.0) - me.arc;
        if gap > -0.5 && nearest.is_none_or(|(g, _)| gap < g) {
            nearest = Some((gap, s.v));
        }
    }
    nearest
}

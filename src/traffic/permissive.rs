//! Permissive greens: a movement that may go only through gaps in the protected movements
//! crossing it (SUMO's `g` link state; SAE J2735 `permissive-Movement-Allowed`), such as a left
//! turn across oncoming traffic.
//!
//! The driver pulls up to the first conflict area on its path (into the junction box when the
//! box lets it) and waits there until every protected vehicle due at a conflict area before it
//! could be clear of it has passed, with [`CONFLICT_MARGIN_S`] to spare. Once in the box it
//! leaves when its gap comes, amber or red: the "sneakers" who clear at the end of green
//! (HCM 2010, ch. 31, permissive left turns), which is also how SUMO lets a left turner wait on
//! its internal lane (Krajzewicz et al., "Recent development and applications of SUMO", 2012).
//! Crossing traffic that gets green next waits for it through the box check
//! (`decide::box_conflict`). docs/traffic-models.md#permissive-greens.
use super::decide::{BOX_ENTRY_ACCEL, CONFLICT_MARGIN_S, STANDING_SPEED, can_stop, time_to_cover};
use super::lanes::{LaneIndex, Snap};
use crate::road::RoadNetwork;
use crate::road::network::TurnKey;
use crate::road::signals::{Colour, Program};

/// Approaching vehicles farther than this from their stop line are not looked at, m (beyond
/// any gap a driver waits for at urban speeds).
pub const HORIZON_M: f64 = 200.0;

/// A vehicle on a permissive movement: its movement, where its front is along the turn path
/// (negative before the stop line), its speed and length, and whether its green has ended
/// (it is in the box, clearing it).
#[derive(Debug, Clone, Copy)]
pub struct Mover {
    pub turn: TurnKey,
    pub pos: f64,
    pub v: f64,
    pub length: f64,
    pub clearing: bool,
}

/// Another vehicle whose path crosses the mover's: the arc lengths on the mover's path where
/// the two conflict, how far it still has to its own conflict area (negative once in it), and
/// whether its rear has left that area.
struct Foe {
    mine: (f64, f64),
    to_conflict: f64,
    cleared: bool,
    v: f64,
    v0: f64,
}

/// Where on its path the mover must wait (the start of the first conflict area that a foe will
/// reach before the mover could be clear of it), or `None` when it may go on.
pub fn wait_at(
    net: &RoadNetwork,
    index: &LaneIndex,
    p: &Program,
    t: f64,
    me: &Mover,
) -> Option<f64> {
    let node = net.links[me.turn.0 as usize].to;
    let mut foes = Vec::new();
    approaching(net, index, (p, t), node, me, &mut foes);
    in_box(net, index, p, node, me.turn, &mut foes);
    foes.iter()
        .filter(|f| !f.cleared && blocks(me, f))
        .map(|f| f.mine.0)
        .filter(|&first| first > me.pos)
        .min_by(f64::total_cmp)
}

/// Will the foe be at the conflict area before the mover has left it (with the margin)?
fn blocks(me: &Mover, f: &Foe) -> bool {
    let leave = time_to_cover(f.mine.1 - me.pos + me.length, me.v, BOX_ENTRY_ACCEL);
    arrival(f.to_conflict, f.v, f.v0) < leave + CONFLICT_MARGIN_S
}

/// Time to cover `d` metres: at the speed held once at the desired speed `v0`, accelerating
/// briskly from below it (so that a vehicle moving off is not counted late).
fn arrival(d: f64, v: f64, v0: f64) -> f64 {
    if d <= 0.0 {
        0.0
    } else if v >= v0 - 0.5 {
        d / v.max(0.1)
    } else {
        time_to_cover(d, v, BOX_ENTRY_ACCEL)
    }
}

/// Vehicles approaching the node on protected movements that cross mine (`protected`).
fn approaching(
    net: &RoadNetwork,
    index: &LaneIndex,
    (p, t): (&Program, f64),
    node: u32,
    me: &Mover,
    foes: &mut Vec<Foe>,
) {
    let mine = me.turn;
    for &l in net.nodes[node as usize]
        .incoming
        .iter()
        .filter(|&&l| l != mine.0)
    {
        let link = &net.links[l as usize];
        for lane in 0..link.lanes {
            for &o in index.lane(l, lane).iter().rev() {
                let s = &index.snaps[o as usize];
                let d = link.length - s.s;
                if d > HORIZON_M {
                    break;
                }
                let Some(next) = s.next.filter(|_| s.lane == lane && d >= 0.0) else {
                    continue;
                };
                if !protected((p, t), (l, next), s, d, me.clearing) {
                    continue;
                }
                let theirs = (l, next, net.entry_lane(l, next, lane));
                if let (Some(span), Some((first, _))) =
                    (net.conflict(mine, theirs), net.conflict(theirs, mine))
                {
                    foes.push(foe(span, d + first, false, s));
                }
            }
        }
    }
}

/// Must the mover let this vehicle on `turn`, `d` metres from its line, go first? During the
/// mover's permissive green, when the vehicle's movement is green and not permissive; amber,
/// when it can no longer stop (it comes through). Once the mover is clearing the box after its
/// green, only vehicles that could no longer stop for it: the others wait for the box to clear.
fn protected((p, t): (&Program, f64), turn: (u32, u32), s: &Snap, d: f64, clearing: bool) -> bool {
    let committed = !can_stop(d, s.v, &s.idm);
    match p.turn_state(turn.0, turn.1, t).colour {
        Colour::Green if clearing => committed,
        Colour::Green => !p.permissive(turn.0, turn.1, t),
        Colour::Amber => committed,
        Colour::Red => false,
    }
}

/// Vehicles inside the junction box on paths that cross mine. A vehicle of another yielding
/// movement counts only while it moves, so that two of them waiting never wait for each other.
fn in_box(
    net: &RoadNetwork,
    index: &LaneIndex,
    p: &Program,
    node: u32,
    mine: TurnKey,
    foes: &mut Vec<Foe>,
) {
    for (out, lane, s) in index.in_box(net, node) {
        let Some(from) = s.prev.filter(|&f| f != mine.0 && s.lane == lane) else {
            continue;
        };
        if p.yields(from, out) && s.v < STANDING_SPEED {
            continue;
        }
        let theirs = (from, out, lane);
        if let (Some(span), Some((first, last))) =
            (net.conflict(mine, theirs), net.conflict(theirs, mine))
        {
            let pos = net.turn_length(from, out, lane) + s.s;
            foes.push(foe(span, first - pos, pos - s.length > last, s));
        }
    }
}

fn foe(mine: (f64, f64), to_conflict: f64, cleared: bool, s: &Snap) -> Foe {
    Foe {
        mine,
        to_conflict,
        cleared,
        v: s.v,
        v0: s.v0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mover(pos: f64, v: f64) -> Mover {
        Mover {
            turn: (0, 1, 0),
            pos,
            v,
            length: 5.0,
            clearing: false,
        }
    }

    fn oncoming(to_conflict: f64, v: f64) -> Foe {
        Foe {
            mine: (10.0, 14.0),
            to_conflict,
            cleared: false,
            v,
            v0: v,
        }
    }

    #[test]
    fn a_gap_longer_than_the_crossing_time_and_margin_is_taken() {
        // Standing 2 m before a conflict area 4 m deep, 5 m long: 11 m to be clear from rest at
        // 2 m/s² takes sqrt(11) = 3.32 s; with the 1 s margin an oncoming car must be more than
        // 4.32 s away.
        let me = mover(8.0, 0.0);
        let leave = (2.0f64 * 11.0 / BOX_ENTRY_ACCEL).sqrt();
        let at = |t: f64| oncoming(14.0 * t, 14.0);
        assert!(blocks(&me, &at(leave + CONFLICT_MARGIN_S - 0.05)));
        assert!(!blocks(&me, &at(leave + CONFLICT_MARGIN_S + 0.05)));
    }

    #[test]
    fn a_vehicle_moving_off_is_counted_as_accelerating() {
        // 20 m from rest at 2 m/s²: sqrt(20) = 4.47 s, not 20 m / 0.1 m/s.
        assert!((arrival(20.0, 0.0, 13.9) - 20.0f64.sqrt()).abs() < 1e-9);
        assert!((arrival(28.0, 14.0, 14.0) - 2.0).abs() < 1e-9);
        assert_eq!(arrival(-1.0, 5.0, 14.0), 0.0);
    }
}

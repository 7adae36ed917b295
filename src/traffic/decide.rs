//! The driving decision of every vehicle for one step: IDM behind the nearest relevant obstacle
//! (leader, red or amber stop line, yield line, perceived hazard, bus stop, V2X advice).
use bevy::ecs::query::QueryData;
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use super::components::*;
use super::conflict::{Violators, must_yield};
use super::diverge::diverged_leader;
use super::give_way::{self, GiveWay, approach_minor};
use super::idm::{Idm, MAX_DECEL, idm_on};
use super::lanes::{At, LaneIndex, Snap};
use super::spawn::effective_v0;
use super::{ClosedLanes, LOOKAHEAD};
use crate::clock::SimClock;
use crate::par::{self, Threads};
use crate::road::RoadNetwork;
use crate::road::curves::Curve;
use crate::road::network::{JunctionCtl, TurnKey};
use crate::road::signals::{Colour, Program};

/// Critical gap for entering a priority road from a minor one, s: HCM 6th ed. Exhibit 20-15 base
/// critical headway for a minor-street through movement at a four-leg junction is 6.5 s; 5 s is
/// used for the shorter crossing distances of urban junctions (assumed).
pub const CRITICAL_GAP: f64 = 5.0;

/// Deceleration beyond b still counted as comfortable, m/s²: the rounding of one 10 ms step.
pub const COMFORT_TOLERANCE: f64 = 1e-6;

/// Deceleration of a vehicle that breaks down, m/s² (assumed: a firm but not emergency stop).
pub const STALL_DECEL: f64 = 4.0;

/// What the lane index copies from each vehicle.
type SnapFrom<'a> = (
    Entity,
    &'a Vehicle,
    &'a Motion,
    &'a Driver,
    &'a Route,
    Option<&'a Hazard>,
);

/// Snapshot every vehicle into the lane index.
pub fn snapshot(net: Res<RoadNetwork>, mut index: ResMut<LaneIndex>, vehicles: Query<SnapFrom>) {
    index.snaps.clear();
    // Sized for every vehicle at once: grown by doubling, the list kept up to twice the room
    // (and left the smaller copies behind) when a bench's vehicles all depart in one step.
    index.snaps.reserve(vehicles.iter().len());
    for (entity, veh, m, d, route, hazard) in &vehicles {
        let limit = net.links[m.link as usize].speed_limit;
        index.snaps.push(Snap {
            entity,
            index: veh.index,
            link: m.link,
            lane: m.lane,
            also: m.shift.and_then(|s| s.from),
            s: m.s,
            v: m.v,
            length: veh.body.length,
            prev: m.prev.filter(|_| m.s - veh.body.length < 0.0),
            next: route.next(),
            hazard: hazard.map(|h| h.id),
            idm: d.idm,
            v0: effective_v0(d, limit),
        });
    }
    index.rebuild(&net);
}

/// The resources the driving decision reads.
#[derive(SystemParam)]
pub struct DriveCtx<'w> {
    clock: Res<'w, SimClock>,
    net: Res<'w, RoadNetwork>,
    index: Res<'w, LaneIndex>,
    closed: Res<'w, ClosedLanes>,
    violators: Res<'w, Violators>,
}

/// What the driving decision reads and writes of one vehicle.
#[derive(QueryData)]
#[query_data(mutable)]
pub struct Driving {
    veh: &'static Vehicle,
    motion: &'static mut Motion,
    route: &'static Route,
    driver: &'static Driver,
    aware: &'static Awareness,
    stalled: Option<&'static Stalled>,
    emergency: Option<&'static mut EmergencyStop>,
    stops: Option<&'static mut BusStops>,
    advice: Option<&'static Advice>,
    command: Option<&'static SpeedCommand>,
    mode: Option<&'static SpeedMode>,
    around: &'static mut Surroundings,
    amber: &'static mut AmberChoice,
    stop_sign: &'static mut StopSignWait,
}

/// Deceleration of a stalled vehicle: [`STALL_DECEL`], or less to stop within this step.
pub fn stall_accel(v: f64, dt: f64) -> f64 {
    if v > 0.0 {
        -(STALL_DECEL.min(v / dt))
    } else {
        0.0
    }
}

/// What set a vehicle's acceleration: the road ahead being free, a vehicle ahead, or anything
/// else that makes it stop or slow (a line, a lane end, a bus stop, V2X advice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cause {
    #[default]
    Free,
    Vehicle,
    Other,
}

/// The acceleration chosen so far: IDM's free-road value, lowered by each obstacle in turn,
/// and what lowered it last.
#[derive(Debug, Clone, Copy)]
pub struct Brake {
    pub idm: Idm,
    pub v: f64,
    pub acc: f64,
    pub cause: Cause,
    /// IDM's free-road term at `v` (`Idm::free`), which every obstacle's IDM acceleration
    /// shares.
    free: f64,
}

impl Brake {
    /// Start from the free-road acceleration at speed `v`.
    pub fn free(idm: Idm, v: f64) -> Self {
        let free = idm.free(v);
        Brake {
            idm,
            v,
            acc: free.max(-MAX_DECEL),
            cause: Cause::Free,
            free,
        }
    }

    /// IDM's acceleration at this speed behind something `gap` metres ahead approached at `dv`.
    fn idm_accel(&self, gap: f64, dv: f64) -> f64 {
        self.idm.accel_given_free(self.free, self.v, gap, dv)
    }

    /// Lower the acceleration to `acc` if that is lower, for `cause`.
    fn lower(&mut self, acc: f64, cause: Cause) {
        if acc < self.acc {
            self.acc = acc;
            self.cause = cause;
        }
    }

    /// Approach a standing obstacle `d` metres ahead with IDM (ignored once half a metre past it).
    pub fn stop_at(&mut self, d: f64) {
        if d > -0.5 {
            self.lower(self.idm_accel(d.max(0.01), self.v), Cause::Other);
        }
    }

    /// Follow a leader `gap` metres ahead driving at `v_l`.
    pub fn follow(&mut self, gap: f64, v_l: f64) {
        self.lower(self.idm_accel(gap, self.v - v_l), Cause::Vehicle);
    }

    /// Harder than the comfortable deceleration b for another reason than a vehicle ahead.
    pub fn uncomfortable(&self) -> bool {
        self.cause != Cause::Vehicle && self.v > 0.0 && self.acc < -self.idm.b - COMFORT_TOLERANCE
    }

    /// Stop at a line `d` metres ahead no harder than the stop needs: IDM's deceleration, but
    /// never more than the constant one that stops at IDM's standstill gap s0 before it
    /// (v² / 2(d − s0)). IDM alone brakes harder than that when the line appears close (its
    /// desired gap counts a time headway to a line that never moves).
    pub fn stop_smoothly_at(&mut self, d: f64) {
        if d <= -0.5 {
            return;
        }
        let idm = self.idm_accel(d.max(0.01), self.v);
        let room = d - self.idm.s0;
        let needed = if room > 0.01 {
            -(self.v * self.v) / (2.0 * room)
        } else {
            idm
        };
        self.lower(idm.max(needed), Cause::Other);
    }

    /// Stop at a line `d` metres ahead because of a vehicle beyond it (one still in the junction
    /// box): comfortably when that is possible, else as IDM must.
    pub fn stop_for_vehicle_at(&mut self, d: f64) {
        let before = (self.acc, self.cause);
        if can_stop(d, self.v, &self.idm) {
            self.stop_smoothly_at(d);
        } else {
            self.stop_at(d);
        }
        if (self.acc, self.cause) != before {
            self.cause = Cause::Vehicle;
        }
    }

    /// Be at no more than `vt` by `d` metres ahead (a bend, a lower speed limit): brake at the
    /// constant deceleration that just does it, from where that needs [`EARLY_STOP_SHARE`] of b
    /// (never harder than b); once there (`d` ≤ 0), drive as if `vt` were the desired speed.
    pub fn slow_for(&mut self, d: f64, vt: f64) {
        if d <= 0.0 {
            let capped = Idm {
                v0: vt.max(0.1),
                ..self.idm
            };
            self.lower(capped.accel_free(self.v), Cause::Other);
        } else if self.v > vt {
            let need = (self.v * self.v - vt * vt) / (2.0 * d);
            if need >= EARLY_STOP_SHARE * self.idm.b {
                self.lower(-need.min(self.idm.b), Cause::Other);
            }
        }
    }

    /// Never exceed `cap` (V2X advice of a braking vehicle farther ahead).
    pub fn cap(&mut self, cap: f64) {
        self.lower(cap, Cause::Vehicle);
    }
}

/// Choose every vehicle's acceleration. A vehicle's decision reads the step's snapshot and
/// writes only its own components, so the vehicles are split over the world's threads
/// (`crate::par`) and the result is the same for any split.
pub fn accelerate(
    ctx: DriveCtx,
    threads: Option<Res<Threads>>,
    mut vehicles: Query<Driving>,
    pedestrians: Query<(&Pedestrian, &Hazard)>,
) {
    let threads = Threads::of(threads);
    let walkers: Vec<Walker> = pedestrians.iter().collect();
    par::batches_mut(threads, vehicles.iter_mut(), |chunk| {
        for d in chunk {
            decide(&ctx, &walkers, d);
        }
    });
}

/// A pedestrian as the driving decision sees it.
type Walker<'a> = (&'a Pedestrian, &'a Hazard);

/// One vehicle's acceleration for this step.
fn decide(ctx: &DriveCtx, pedestrians: &[Walker], d: &mut DrivingItem) {
    let t = ctx.clock.t();
    let dt = ctx.clock.dt;
    *d.around = Surroundings::default();
    if d.stalled.is_some() {
        d.motion.acc = stall_accel(d.motion.v, dt);
        return;
    }
    let m = *d.motion;
    if let Some(a) = d.emergency.as_mut().and_then(|e| e.accel(m.v, t, dt)) {
        d.motion.acc = a;
        return;
    }
    let (route, driver, aware) = (d.route, d.driver, d.aware);
    let link = &ctx.net.links[m.link as usize];
    let mut v0 = effective_v0(driver, link.speed_limit);
    if let Some(cap) = d.advice.and_then(|a| a.max_speed) {
        v0 = v0.min(cap).max(0.5);
    }
    let commanded = d.command.and_then(|c| c.at(t));
    let mode = d.mode.copied().unwrap_or_default();
    if let Some(vc) = commanded.filter(|_| !mode.safe()) {
        // Told to ignore what is ahead: the commanded speed, within the mode's bounds.
        d.motion.acc = mode.toward(vc, m.v, dt, driver.idm.a, driver.idm.b);
        return;
    }
    if commanded.is_some() {
        v0 = f64::INFINITY;
    }
    let knows = |h: u32| aware.since(h).is_some_and(|k| t >= k + driver.reaction);
    let mut b = Brake::free(idm_on(&driver.idm, v0), m.v);
    if let Some(vc) = commanded {
        b.lower(mode.toward(vc, m.v, dt, b.idm.a, b.idm.b), Cause::Other);
    }
    *d.around = follow_leader(ctx, &mut b, d.veh, &m, route, &knows);
    if let Some((gap, v)) = diverged_leader(&ctx.net, &ctx.index, &m, route) {
        b.follow(gap, v);
    }
    slow_ahead(&ctx.net, &mut b, &m, route, driver);
    let to_end = link.length - m.s;
    let who = (driver, d.veh.index);
    let lines = (&mut *d.amber, &mut *d.stop_sign);
    junction_line(ctx, &mut b, &m, route, who, to_end, lines);
    keep_clear(ctx, &mut b, &m, route, d.veh.body.length, to_end);
    yield_in_gaps(ctx, &mut b, &m, route, d.veh.body.length, to_end);
    // Intersection collision warning: a known red-light runner due at my junction when I am.
    if must_yield(&ctx.net, &m, route, &ctx.violators, knows) {
        b.stop_for_vehicle_at(to_end);
    }
    lane_ends(ctx, &mut b, &m, route, to_end, driver.lane_change_s);
    // Pedestrians on this link, once known: in my lane, or walking towards it and due there
    // before I would be safely past.
    for (p, h) in pedestrians {
        if p.link == m.link && p.s > m.s && knows(h.id) {
            let lane_c = link.offset_of(m.lane);
            if pedestrian_conflict(p.lateral, p.dir, p.speed, lane_c, p.s - m.s, m.v) {
                b.stop_at(p.s - m.s - 1.5);
            }
        }
    }
    if let Some(stops) = d.stops.as_mut() {
        bus_stop(&mut b, stops, route, m.s, t, dt);
    }
    if let Some(advice) = d.advice {
        follow_advice(&mut b, advice, m.s);
    }
    d.motion.acc = b.acc;
    d.around.uncomfortable = b.uncomfortable();
}

/// V2X advice. A stop at the line (red-light violation warning) is followed when a comfortable
/// stop is still possible; otherwise the driver's own amber decision stands, as for a driver
/// who sees the signal change. A cap from a farther leader (EEBL multi-anticipation) always.
fn follow_advice(b: &mut Brake, advice: &Advice, s: f64) {
    if let Some(stop) = advice.stop_at
        && can_stop(stop - s, b.v, &b.idm)
    {
        b.stop_smoothly_at(stop - s);
    }
    if let Some(cap) = advice.max_accel {
        b.cap(cap);
    }
}

/// Follow the nearest vehicle ahead, except stalled ones not yet perceived, in my lane and, while
/// a lane change still overlaps it, in the lane I am leaving; returns the closest gap and the
/// shortest time to collision seen.
fn follow_leader(
    ctx: &DriveCtx,
    b: &mut Brake,
    veh: &Vehicle,
    m: &Motion,
    route: &Route,
    knows: &impl Fn(u32) -> bool,
) -> Surroundings {
    let mut around = Surroundings::default();
    let me = ctx.index.slot(veh.index);
    let leaving = m.shift.and_then(|s| s.from);
    for lane in std::iter::once(m.lane).chain(leaving) {
        let at = At {
            link: m.link,
            lane,
            s: m.s,
        };
        let Some((o, d)) = ctx
            .index
            .leader(&ctx.net, at, me, route.ahead(), LOOKAHEAD, |s| {
                s.hazard.is_none_or(knows)
            })
        else {
            continue;
        };
        let l = &ctx.index.snaps[o as usize];
        let gap = d - l.length;
        b.follow(gap, l.v);
        around.gap = Some(around.gap.map_or(gap, |g: f64| g.min(gap)));
        if m.v > l.v && gap > 0.0 {
            let ttc = gap / (m.v - l.v);
            around.ttc = Some(around.ttc.map_or(ttc, |x: f64| x.min(ttc)));
        }
    }
    around
}

/// Slow down in time for the bends of my lane, the turn through the next junction and a lower
/// speed limit on the next link, within the distance a comfortable slowing from here takes
/// (docs/traffic-models.md#speed-on-bends).
fn slow_ahead(net: &RoadNetwork, b: &mut Brake, m: &Motion, route: &Route, driver: &Driver) {
    let reach = b.v * b.v / (2.0 * EARLY_STOP_SHARE * b.idm.b) + 1.0;
    let link = &net.links[m.link as usize];
    if m.s < 0.0
        && let Some(turn) = m.prev.and_then(|p| net.turn(p, m.link, m.lane))
    {
        b.slow_for(0.0, turn.speed);
    }
    slow_for_curves(b, &link.curves[m.lane as usize], m.s, reach);
    let to_end = link.length - m.s;
    let Some(next) = route.next().filter(|_| to_end <= reach) else {
        return;
    };
    let lane = net.entry_lane(m.link, next, m.lane);
    let turn = net.turn(m.link, next, lane);
    b.slow_for(to_end, turn.map_or(f64::INFINITY, |t| t.speed));
    let nl = &net.links[next as usize];
    b.slow_for(to_end, effective_v0(driver, nl.speed_limit));
    let beyond = to_end + turn.map_or(0.0, |t| t.path.length());
    slow_for_curves(b, &nl.curves[lane as usize], -beyond, reach);
}

/// Slow for the bends of a lane ahead of position `s` (within `reach`).
fn slow_for_curves(b: &mut Brake, curves: &[Curve], s: f64, reach: f64) {
    for c in curves.iter().filter(|c| c.to > s) {
        let d = c.from - s;
        if d > reach {
            break;
        }
        b.slow_for(d, c.v);
    }
}

/// Stop at a signal or yield line at the end of the link when the junction asks for it.
fn junction_line(
    ctx: &DriveCtx,
    b: &mut Brake,
    m: &Motion,
    route: &Route,
    (driver, me): (&Driver, u32),
    to_end: f64,
    (amber, stop_sign): (&mut AmberChoice, &mut StopSignWait),
) {
    let (net, index, t) = (&ctx.net, &ctx.index, ctx.clock.t());
    if !(m.s >= 0.0 && to_end < LOOKAHEAD && route.next().is_some()) {
        return;
    }
    let link = &net.links[m.link as usize];
    let Some(j) = net.nodes[link.to as usize].junction else {
        return;
    };
    let mine = my_turn(net, m, route);
    match &net.junctions[j as usize].ctl {
        // A red-light runner ignores the signal (and who is still in the box).
        JunctionCtl::Signal(_) if driver.runs_red => {}
        JunctionCtl::Signal(p) => {
            let colour = mine
                .map_or(p.state(m.link, t), |k| p.turn_state(k.0, k.1, t))
                .colour;
            if colour == Colour::Green {
                amber.0 = None;
            }
            let must_stop =
                colour != Colour::Green && !amber_go(amber, m.link, colour, to_end, m.v, &b.idm);
            if must_stop {
                b.stop_smoothly_at(to_end);
            } else if to_end < BOX_CHECK
                && box_conflict(
                    net,
                    index,
                    (link.to, Some((p, t))),
                    m.link,
                    mine,
                    (to_end, m.v),
                )
            {
                // Drivers do not enter while a vehicle on a conflicting path will still be in
                // the conflict area when they get there (the last ones through on amber, a
                // turning vehicle): a stop for a vehicle, comfortable when it can be.
                b.stop_for_vehicle_at(to_end);
            }
        }
        JunctionCtl::Priority {
            major,
            yields,
            stops,
        } => {
            if let Some(k) = mine
                && stops.binary_search(&(k.0, k.1)).is_ok()
                && give_way::stop_sign(stop_sign, (m.link, to_end - b.idm.s0, m.v))
            {
                b.stop_smoothly_at(to_end);
                return;
            }
            let wait = match (yields, mine) {
                (Some(table), Some(k)) if table.contains_key(&(k.0, k.1)) => {
                    approach_minor(b, to_end);
                    let ways = GiveWay {
                        net,
                        index,
                        node: link.to,
                        table,
                    };
                    let approach = (to_end, m.v);
                    ways.must_wait(k, me)
                        || box_conflict(net, index, (link.to, None), m.link, mine, approach)
                }
                (Some(_), Some(_)) => false,
                _ => {
                    !major.contains(&m.link)
                        && priority_conflict(net, index, link.to, major, mine, (to_end, m.v))
                }
            };
            if wait {
                b.stop_for_vehicle_at(to_end);
            }
        }
    }
}

/// On a permissive green, or in the box on a movement that had one, wait short of the first
/// conflict area until a gap in the protected traffic comes (`traffic::permissive`).
fn yield_in_gaps(
    ctx: &DriveCtx,
    b: &mut Brake,
    m: &Motion,
    route: &Route,
    length: f64,
    to_end: f64,
) {
    let (net, t) = (&ctx.net, ctx.clock.t());
    let (turn, pos) = match m.prev {
        Some(from) if m.s < 0.0 => (
            (from, m.link, m.lane),
            net.turn_length(from, m.link, m.lane) + m.s,
        ),
        _ if to_end < BOX_CHECK => match my_turn(net, m, route) {
            Some(k) => (k, -to_end),
            None => return,
        },
        _ => return,
    };
    let Some(j) = net.nodes[net.links[turn.0 as usize].to as usize].junction else {
        return;
    };
    let JunctionCtl::Signal(p) = &net.junctions[j as usize].ctl else {
        return;
    };
    let green = p.turn_state(turn.0, turn.1, t).colour == Colour::Green;
    let permissive = green && p.permissive(turn.0, turn.1, t);
    let yielding = if pos < 0.0 {
        permissive
    } else {
        p.yields(turn.0, turn.1)
    };
    let clearing = !permissive;
    let me = super::permissive::Mover {
        turn,
        pos,
        v: m.v,
        length,
        clearing,
    };
    if let Some(at) = yielding
        .then(|| super::permissive::wait_at(net, &ctx.index, p, t, &me))
        .flatten()
    {
        b.stop_for_vehicle_at(at - pos);
    }
}

/// Do not enter a junction box without room to leave it: when the queue on the lane I enter
/// stands within my length (plus the jam gap) of its start, wait at the line, so that a vehicle
/// stuck in the box never blocks crossing traffic (SUMO's keep-clear rule for junctions).
fn keep_clear(ctx: &DriveCtx, b: &mut Brake, m: &Motion, route: &Route, length: f64, to_end: f64) {
    let Some(next) = route.next() else {
        return;
    };
    if m.s < 0.0
        || to_end >= BOX_CHECK
        || ctx.net.nodes[ctx.net.links[m.link as usize].to as usize]
            .junction
            .is_none()
    {
        return;
    }
    let lane = ctx.net.entry_lane(m.link, next, m.lane);
    let Some(&last) = ctx.index.lane(next, lane).first() else {
        return;
    };
    let last = &ctx.index.snaps[last as usize];
    if last.v < QUEUE_SPEED && last.s - last.length < length + b.idm.s0 {
        b.stop_for_vehicle_at(to_end);
    }
}

/// A vehicle slower than this is standing in a queue, m/s.
pub const QUEUE_SPEED: f64 = 1.0;

/// The driver's amber decision on `link`, made at the first sight of amber and then kept: stop
/// if the stop line (less IDM's standstill gap) can be reached at the comfortable deceleration
/// b, go otherwise (Gazis, Herman & Maradudin, "The problem of the amber signal light in
/// traffic flow", Operations Research 8(1), 1960: the critical stopping distance
/// x_c = v δ + v²/2b, with δ = 0 here because a simulated driver sees the signal change at
/// once). A vehicle first seeing its signal red stops. Between x_c and the clearing distance
/// v τ − (w + L) lies the dilemma zone: such a vehicle goes and leaves the box during red
/// (docs/traffic-models.md#amber-and-the-junction-box).
pub fn amber_go(
    choice: &mut AmberChoice,
    link: u32,
    colour: Colour,
    to_end: f64,
    v: f64,
    idm: &Idm,
) -> bool {
    // A driver who chose to go but was then held at the line (yielding to a vehicle in the
    // box or to oncoming traffic) stands there: the choice is made again, and now it is to stop.
    if let Some((l, go)) = choice.0
        && l == link
        && !(go && v < STANDING_SPEED)
    {
        return go;
    }
    let go = colour == Colour::Amber && !can_stop(to_end, v, idm);
    choice.0 = Some((link, go));
    go
}

/// Can a vehicle at speed `v` stop `to_end` metres ahead, s0 short of it, braking at most b?
/// A vehicle standing at the line (held there by a vehicle it yields to, within s0 of it) has
/// stopped already: it must not take amber as a reason to start across.
pub fn can_stop(to_end: f64, v: f64, idm: &Idm) -> bool {
    let room = to_end - idm.s0;
    v < STANDING_SPEED || (room > 0.0 && v * v <= 2.0 * idm.b * room)
}

/// My path through the junction at the end of my link, if my route goes on.
fn my_turn(net: &RoadNetwork, m: &Motion, route: &Route) -> Option<TurnKey> {
    let next = route.next()?;
    Some((m.link, next, net.entry_lane(m.link, next, m.lane)))
}

/// A closed lane, or a lane that does not lead where the route goes: wait near its end until a
/// lane change gets us out, slowing down in time to stop there comfortably (from
/// [`WRONG_LANE_STOP`](super::lane_change::WRONG_LANE_STOP), or earlier when the comfortable
/// stopping distance is longer).
fn lane_ends(
    ctx: &DriveCtx,
    b: &mut Brake,
    m: &Motion,
    route: &Route,
    to_end: f64,
    lane_change_s: f64,
) {
    if ctx.closed.0.contains(&(m.link, m.lane)) {
        b.stop_smoothly_at(to_end - super::events::CLOSURE_BEFORE_END_M);
    }
    let Some(next) = route.next().filter(|_| m.s >= 0.0) else {
        return;
    };
    let (lo, hi) = ctx.net.lanes_for(m.link, next);
    let across = f64::from(lo.saturating_sub(m.lane).max(m.lane.saturating_sub(hi)));
    if across == 0.0 {
        return;
    }
    // Wait where the lane changes still to make have the road they need.
    let length = ctx.net.links[m.link as usize].length;
    let room = super::shift::room(lane_change_s, length);
    let wait = (WRONG_LANE_WAIT_M + room * across).min(0.9 * length);
    let window = super::lane_change::WRONG_LANE_STOP
        .max(wait + b.idm.s0 + m.v * m.v / (2.0 * EARLY_STOP_SHARE * b.idm.b));
    if to_end < window {
        b.stop_smoothly_at(to_end - wait);
    }
}

/// A vehicle in a lane that does not lead where it goes waits this far before the end, m.
pub const WRONG_LANE_WAIT_M: f64 = 2.0;
/// A driver who must stop at a known point starts braking where this share of the comfortable
/// deceleration suffices (so that the stop stays below b, rounding included).
pub const EARLY_STOP_SHARE: f64 = 0.9;

/// Bus stops: dwell at the current one, or approach the next one on this link.
fn bus_stop(b: &mut Brake, stops: &mut BusStops, route: &Route, s: f64, t: f64, dt: f64) {
    if let Some(until) = stops.dwell_until {
        if t < until {
            b.acc = -(b.v / dt).min(b.idm.b);
            b.cause = Cause::Other;
        } else {
            stops.dwell_until = None;
            stops.next += 1;
        }
    } else if let Some(&(_, at, pos, _)) = stops.stops.get(stops.next) {
        if at == route.at {
            // Stop with the front at the stop (IDM keeps s0 to an obstacle).
            b.stop_smoothly_at(pos - s + b.idm.s0);
        } else if at < route.at {
            stops.next += 1;
        }
    }
}

/// Distance from the stop line within which a driver checks that the junction box is clear, m.
pub const BOX_CHECK: f64 = 30.0;

/// A vehicle must be out of a conflict area this long before I get there, s (assumed: the
/// 1 s of a short time headway).
pub const CONFLICT_MARGIN_S: f64 = 1.0;

/// True when a vehicle from another approach than `link` is inside the junction box of `node`
/// on a path that conflicts with mine (`RoadNetwork::conflict`) and will not have left the
/// conflict area with its rear, at its speed, [`CONFLICT_MARGIN_S`] before I reach it from
/// `(to_end, v)`. Vehicles on paths that never come near mine (the opposing through traffic of
/// my phase) do not hold me back. Without a path of mine, any vehicle in the box does.
/// Below this speed a vehicle in the junction box is standing, m/s.
pub const STANDING_SPEED: f64 = 0.1;

/// The acceleration assumed for a vehicle moving off towards a conflict area, m/s²: a brisk
/// start (IDM's default a is 1.0–1.5; assumed), so that the time to get there is not
/// overestimated when it creeps or stands at the line.
pub const BOX_ENTRY_ACCEL: f64 = 2.0;

/// Time to cover `d` metres from speed `v` accelerating at `a`, s: the root of
/// d = v t + a t² / 2.
pub fn time_to_cover(d: f64, v: f64, a: f64) -> f64 {
    let d = d.max(0.0);
    (-v + (v * v + 2.0 * a * d).sqrt()) / a
}

fn box_conflict(
    net: &RoadNetwork,
    index: &LaneIndex,
    (node, program): (u32, Option<(&Program, f64)>),
    link: u32,
    mine: Option<TurnKey>,
    (to_end, v): (f64, f64),
) -> bool {
    for (out, lane, snap) in index.in_box(net, node) {
        let Some(from) = snap.prev.filter(|f| *f != link) else {
            continue;
        };
        let theirs = (from, out, lane);
        let Some(mine) = mine else {
            return true;
        };
        let (Some((_, last)), Some((first, _))) =
            (net.conflict(theirs, mine), net.conflict(mine, theirs))
        else {
            continue;
        };
        let front = net.turn_length(from, out, lane) + snap.s;
        let rear = front - snap.length;
        // A vehicle short of our conflict area on a permissive green waits for a gap
        // (`traffic::permissive`): for me.
        let before = front < first_theirs(net, theirs, mine);
        if before && program.is_some_and(|(p, t)| p.permissive(from, out, t)) {
            continue;
        }
        // A vehicle standing in the box clears it when it moves again: not in any time that
        // can be counted on.
        let clear_in = if snap.v < STANDING_SPEED {
            f64::INFINITY
        } else {
            (last - rear).max(0.0) / snap.v
        };
        let reach_in = time_to_cover(to_end + first, v, BOX_ENTRY_ACCEL);
        if rear < last && clear_in + CONFLICT_MARGIN_S > reach_in {
            return true;
        }
    }
    false
}

/// Where on `theirs`'s path its conflict with `mine` starts.
fn first_theirs(net: &RoadNetwork, theirs: TurnKey, mine: TurnKey) -> f64 {
    net.conflict(theirs, mine).map_or(0.0, |(first, _)| first)
}

/// Half-width of the band around a lane centre a pedestrian must keep out of, m: half a lane
/// plus a body width.
pub const PEDESTRIAN_BAND: f64 = 2.5;
/// A pedestrian entering my lane up to this long after I would reach them still counts, s.
pub const PEDESTRIAN_MARGIN: f64 = 1.5;

/// Will a pedestrian at lateral offset `lateral` walking in direction `dir` at `speed` be in the
/// lane centred at `lane_c` by the time a vehicle `ahead` metres back at speed `v` gets there?
pub fn pedestrian_conflict(
    lateral: f64,
    dir: f64,
    speed: f64,
    lane_c: f64,
    ahead: f64,
    v: f64,
) -> bool {
    let off = lateral - lane_c;
    if off.abs() < PEDESTRIAN_BAND {
        return true;
    }
    let approaching = off * dir < 0.0;
    let t_enter = (off.abs() - PEDESTRIAN_BAND) / speed.max(0.1);
    approaching && t_enter < ahead / v.max(0.1) + PEDESTRIAN_MARGIN
}

/// True when a vehicle on a major approach whose path meets mine (crossing or merging) would
/// reach the junction within the critical gap, or a vehicle on a conflicting path is still in
/// the junction box. A major vehicle turning off where it cannot meet me (leaving a roundabout
/// before my entry) is no reason to wait: SUMO's junction foe matrix likewise lists only the
/// movements that cross or merge.
fn priority_conflict(
    net: &RoadNetwork,
    index: &LaneIndex,
    node: u32,
    major: &[u32],
    mine: Option<TurnKey>,
    approach: (f64, f64),
) -> bool {
    for &ml in major {
        let l = &net.links[ml as usize];
        if l.to != node {
            continue;
        }
        for lane in 0..l.lanes {
            for &o in index.lane(ml, lane).iter().rev() {
                let s = &index.snaps[o as usize];
                let d = l.length - s.s;
                if d < 0.0 || d >= s.v * CRITICAL_GAP + 5.0 {
                    break;
                }
                if d / s.v.max(0.5) < CRITICAL_GAP && meets(net, mine, ml, s) {
                    return true;
                }
            }
        }
    }
    let from = mine.map_or(u32::MAX, |k| k.0);
    box_conflict(net, index, (node, None), from, mine, approach)
}

/// Does the major vehicle `s` on link `ml` take a path through the junction that meets mine?
/// Unknown paths (mine or its) count as meeting.
fn meets(net: &RoadNetwork, mine: Option<TurnKey>, ml: u32, s: &Snap) -> bool {
    let (Some(mine), Some(next)) = (mine, s.next) else {
        return true;
    };
    let theirs = (ml, next, net.entry_lane(ml, next, s.lane));
    net.turn(ml, next, theirs.2).is_none() || net.conflict(mine, theirs).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stalled_vehicle_brakes_at_stall_decel_and_never_reverses() {
        let dt = 0.01;
        // Fast: the full breakdown deceleration.
        assert_eq!(stall_accel(10.0, dt), -STALL_DECEL);
        // Slower than one step of braking: exactly to a standstill, v + a·dt = 0.
        let v = 0.5 * STALL_DECEL * dt;
        assert!((v + stall_accel(v, dt) * dt).abs() < 1e-15);
        // Standing: stays put.
        assert_eq!(stall_accel(0.0, dt), 0.0);
    }

    const CAR: Idm = Idm {
        v0: 14.0,
        t: 1.5,
        a: 1.5,
        b: 2.0,
        s0: 2.0,
        delta: 4.0,
    };

    /// Gazis-Herman-Maradudin: a driver can stop iff the line is at least the critical stopping
    /// distance x_c = s0 + v²/2b away (δ = 0); the decision is made once per amber.
    #[test]
    fn the_amber_decision_uses_the_critical_stopping_distance() {
        assert!(can_stop(51.0, 14.0, &CAR) && !can_stop(50.99, 14.0, &CAR));
        let mut c = AmberChoice::default();
        assert!(amber_go(&mut c, 3, Colour::Amber, 40.0, 14.0, &CAR));
        // Kept on this link, even where a stop would now be possible.
        assert!(amber_go(&mut c, 3, Colour::Red, 100.0, 1.0, &CAR));
        let mut c = AmberChoice::default();
        assert!(!amber_go(&mut c, 3, Colour::Amber, 60.0, 14.0, &CAR));
        assert!(!amber_go(&mut c, 3, Colour::Amber, 20.0, 14.0, &CAR));
        // A new link decides anew; first seen red is a stop.
        assert!(!amber_go(&mut c, 4, Colour::Red, 10.0, 14.0, &CAR));
    }

    /// From anywhere outside x_c a stop at the line never brakes harder than b and ends within
    /// 0.25 m short of to 0.5 m beyond s0 before it (closed form: constant deceleration v²/2(d − s0) suffices).
    #[test]
    fn a_stop_at_a_line_is_comfortable_and_exact() {
        for d0 in [51.0, 60.0, 90.0, 200.0] {
            let (mut s, mut v, mut worst) = (0.0, 14.0, 0.0f64);
            for _ in 0..6000 {
                let mut b = Brake::free(CAR, v);
                b.stop_smoothly_at(d0 - s);
                worst = worst.max(-b.acc);
                let (dx, v1) = crate::traffic::idm::integrate(v, b.acc, 0.01);
                (s, v) = (s + dx, v1);
            }
            assert!(worst <= CAR.b + 1e-9, "from {d0} m: {worst}");
            let short = d0 - s;
            assert!(
                (CAR.s0 - 0.25..CAR.s0 + 0.5).contains(&short),
                "from {d0} m: {short} short"
            );
        }
    }

    #[test]
    fn pedestrian_conflict_predicts_entry_into_the_lane() {
        // In the band: always.
        assert!(pedestrian_conflict(9.0, -1.0, 1.5, 8.75, 100.0, 14.0));
        // 6 m off, walking towards the lane at 1.5 m/s: in the band after 2.3 s; a car 60 m back
        // at 14 m/s arrives after 4.3 s: conflict.
        assert!(pedestrian_conflict(14.75, -1.0, 1.5, 8.75, 60.0, 14.0));
        // The same pedestrian walking away: none.
        assert!(!pedestrian_conflict(14.75, 1.0, 1.5, 8.75, 60.0, 14.0));
        // Far off and slow, the car long past by then: none.
        assert!(!pedestrian_conflict(30.0, -1.0, 1.0, 8.75, 10.0, 14.0));
    }
}

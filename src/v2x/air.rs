//! What every transmission path shares: the world a transmission needs (radio environment,
//! random streams, buildings, the step's air events), building line of sight between antennas,
//! and the last word on a reception (message lifetime, delivery to a station that acts on it,
//! the outcome published for metrics, traces and the view).
use bevy::prelude::*;
use bevy_rapier3d::prelude::RapierContext;

use super::env::{Delivery, RadioEnv, Sent, Station};
use super::los::Place;
use crate::radio::outcome::{AirEvent, AirEvents, Frame, LossReason, Reception};
use crate::rng::Rngs;
use crate::scenario::spec::{MsgType, SidelinkSpec, Tech};
use crate::sight::BUILDINGS;
use crate::sight::clear;

/// What a transmission needs besides its own message.
pub struct Air<'a> {
    pub env: &'a mut RadioEnv,
    pub rngs: &'a mut Rngs,
    /// The physics world, for building line of sight (none before the first physics step).
    pub ctx: Option<&'a RapierContext<'a>>,
    pub events: &'a mut AirEvents,
    /// Scratch buffer for neighbour queries.
    pub buf: &'a mut Vec<u32>,
    /// Threads the receptions of a step may be decided on (`crate::par`).
    pub threads: crate::par::Threads,
}

impl Air<'_> {
    /// Building line of sight between two antennas (position, height).
    pub fn los(&mut self, a: ([f64; 2], f64), b: ([f64; 2], f64)) -> bool {
        building_los(self.env, self.ctx, a, b)
    }

    /// Indices (into `env.stations`) of the stations within `radius_m` of `pos`, by the
    /// neighbour grid, in the scratch buffer; hand it back with [`Air::done_with`].
    pub fn near(&mut self, pos: [f64; 2], radius_m: f64) -> Vec<u32> {
        let mut near = std::mem::take(self.buf);
        match &self.env.grid {
            Some(grid) => grid.query((pos[0], pos[1]), radius_m, &mut near),
            None => near.clear(),
        }
        near
    }

    /// What the threads deciding receptions read (`Sight`).
    pub fn sight(&self) -> Sight<'_> {
        Sight {
            env: self.env,
            ctx: self.ctx,
        }
    }

    /// Give the scratch buffer back for the next query.
    pub fn done_with(&mut self, near: Vec<u32>) {
        *self.buf = near;
    }

    /// A frame for the capture: sent at `at_us`, or received then (`rx`: receiver and dBm).
    pub fn frame(
        &mut self,
        sent: &Sent,
        tech: Tech,
        p: &SidelinkSpec,
        at_us: u64,
        rx: Option<(u32, f32)>,
    ) {
        self.events.0.push(frame(sent, (tech, p), at_us, rx));
    }

    /// A message went out on `tech`.
    pub fn sent(&mut self, msg: MsgType, tech: Tech, cbr: Option<f64>) {
        self.events.0.push(AirEvent::Sent { msg, tech, cbr });
    }
}

/// A line-of-sight answer found while receptions were decided in parallel, remembered after.
pub type Seen = ([f64; 2], [f64; 2], bool);

/// What every thread deciding receptions reads, and nothing it writes: the radio environment
/// and the buildings.
#[derive(Clone, Copy)]
pub struct Sight<'a> {
    pub env: &'a RadioEnv,
    pub ctx: Option<&'a RapierContext<'a>>,
}

/// An antenna (position, height) with its place in the line-of-sight cache, looked up once
/// for every question asked from or to it in a step.
#[derive(Debug, Clone, Copy)]
pub struct Antenna {
    pub at: ([f64; 2], f64),
    place: Place,
}

impl Sight<'_> {
    /// An antenna at `at`, placed in the cache.
    pub fn antenna(&self, at: ([f64; 2], f64)) -> Antenna {
        Antenna {
            at,
            place: self.env.los_cache.place(at.0),
        }
    }

    /// Building line of sight between two antennas: the cache's answer, else a ray cast, noted
    /// in `seen` for [`remember`]. A question the cache cannot answer yet is cast again by every
    /// reception that asks it in the same step, so no answer depends on which one asked first.
    pub fn los(&self, a: &Antenna, b: &Antenna, seen: &mut Vec<Seen>) -> bool {
        if !self.env.has_buildings {
            return true;
        }
        if let Some(v) = self.env.los_cache.peek_places(a.place, b.place) {
            return v;
        }
        let Some(ctx) = self.ctx else { return true };
        let v = cast(ctx, a.at, b.at);
        seen.push((a.at.0, b.at.0, v));
        v
    }
}

/// Remember the answers found in parallel, in the order of the receptions that found them: the
/// first answer for a pair of cells holds, as when they are decided one after the other.
pub fn remember(env: &mut RadioEnv, seen: Vec<Seen>) {
    for (a, b, v) in seen {
        if env.los_cache.peek(a, b).is_none() {
            env.los_cache.insert(a, b, v);
        }
    }
}

/// A ray between two antennas (position, height) that no building stops.
fn cast(ctx: &RapierContext, a: ([f64; 2], f64), b: ([f64; 2], f64)) -> bool {
    let p = |s: ([f64; 2], f64)| Vec3::new(s.0[0] as f32, s.1 as f32, -s.0[1] as f32);
    clear(ctx, p(a), p(b), BUILDINGS, &[])
}

/// Building line of sight between two antennas (position, height), cached per 10 m cell pair.
pub fn building_los(
    env: &mut RadioEnv,
    ctx: Option<&RapierContext>,
    a: ([f64; 2], f64),
    b: ([f64; 2], f64),
) -> bool {
    if !env.has_buildings {
        return true;
    }
    if let Some(v) = env.los_cache.get(a.0, b.0) {
        return v;
    }
    let Some(ctx) = ctx else { return true };
    let v = cast(ctx, a, b);
    env.los_cache.insert(a.0, b.0, v);
    v
}

/// A frame for the capture: sent at `at_us`, or received then (`rx`: receiver and dBm).
pub fn frame(
    sent: &Sent,
    (tech, p): (Tech, &SidelinkSpec),
    at_us: u64,
    rx: Option<(u32, f32)>,
) -> AirEvent {
    AirEvent::Frame(Frame {
        msg_id: sent.msg_id,
        msg: sent.msg.msg_type(),
        tech,
        at_us,
        from: sent.from.id,
        rx,
        packet: sent.packet.clone(),
        user_priority: super::sidelink::edca(sent.msg.msg_type()).user_priority,
        freq_ghz: p.freq_ghz,
        bandwidth_mhz: p.bandwidth_mhz,
        tx_dbm: sent.tx_dbm(p.tx_dbm),
        ethertype: sent.stack.ethertype(),
    })
}

/// The last word on a reception: a message older than its lifetime on arrival is lost as
/// `expired` (`messages.lifetime_s`, the GeoNetworking packet lifetime; docs/v2x-models.md);
/// a station that acts on it gets it queued for its arrival time (CAMs are only counted); the
/// outcome is published.
pub fn deliver(
    air: &mut Air,
    sent: &Sent,
    tech: Tech,
    r: &Station,
    d: f64,
    outcome: Result<u64, LossReason>,
) {
    let outcome = expire(air.env.lifetime_us, outcome);
    queue(air.env, sent, tech, r, outcome);
    air.events.0.push(reception(sent, tech, r, d, outcome));
}

/// A delivery later than the lifetime after sending is lost as `expired`.
pub fn expire(lifetime_us: u64, outcome: Result<u64, LossReason>) -> Result<u64, LossReason> {
    match outcome {
        Ok(lat) if lat > lifetime_us => Err(LossReason::Expired),
        o => o,
    }
}

/// Queue a delivered message for its arrival at a station that acts on it.
pub fn queue(
    env: &mut RadioEnv,
    sent: &Sent,
    tech: Tech,
    r: &Station,
    outcome: Result<u64, LossReason>,
) {
    if let Ok(lat) = outcome
        && r.acts
        && sent.msg.acted_on()
    {
        env.queue.push(
            sent.sent_us + lat,
            Delivery {
                to: r.entity,
                msg: sent.msg.clone(),
                sent_us: sent.sent_us,
                tech,
            },
        );
    }
}

/// A reception's outcome as published for metrics, traces and the view.
pub fn reception(
    sent: &Sent,
    tech: Tech,
    r: &Station,
    d: f64,
    outcome: Result<u64, LossReason>,
) -> AirEvent {
    AirEvent::Reception(Reception {
        msg_id: sent.msg_id,
        msg: sent.msg.msg_type(),
        tech,
        from: sent.from.id,
        to: r.id,
        from_pos: sent.from.pos,
        to_pos: r.pos,
        to_acts: r.acts,
        sent_us: sent.sent_us,
        outcome,
        distance: d,
    })
}

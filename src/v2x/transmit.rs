//! Every message of the step over every technology it is sent on: who receives it, after how
//! long, or why not. Uu outcomes are decided when a message is sent (its latency is known
//! then); sidelink ones when no later transmission can overlap it (`sidelink`). Only receivers
//! that act on a message get a delivery queued for its arrival time.
use std::sync::Arc;

use bevy::prelude::*;
use bevy_rapier3d::prelude::{RapierContext, ReadRapierContext};
use rand::Rng;

use super::env::{Delivery, RadioEnv, Station, Tx, bit, los_key};
use super::faults::FaultState;
use super::messages::Payload;
use super::nodes::Gnb;
use super::sidelink;
use crate::SpecRes;
use crate::clock::SimClock;
use crate::clock::{ms_from_us, us_from_ms_floor, us_from_s};
use crate::metrics::Recorder;
use crate::metrics::v2x_stats::MsgAgg;
use crate::physics::BUILDINGS;
use crate::physics::los::clear;
use crate::radio::cell::{MAX_LOAD, NR_SLOT_US, mm1_wait_us};
use crate::radio::latency::sample_us;
use crate::radio::outcome::LossReason;
use crate::rng::Rngs;
use crate::scenario::spec::{MsgType, Tech, UuSpec};

/// One reception outcome, for traces and the view.
#[derive(Debug, Clone)]
pub struct Reception {
    pub msg_id: u64,
    pub msg: MsgType,
    pub tech: Tech,
    pub from: Arc<str>,
    pub to: Arc<str>,
    pub from_pos: [f64; 2],
    pub to_pos: [f64; 2],
    pub sent_us: u64,
    pub outcome: Result<u64, LossReason>,
    pub distance: f64,
}

/// Receptions of the step, kept only while something (a trace, the view) wants them.
#[derive(Resource, Default)]
pub struct Receptions {
    pub keep: bool,
    pub list: Vec<Reception>,
}

/// A message as sent: what, when and by whom.
#[derive(Debug, Clone)]
pub struct Sent {
    pub msg_id: u64,
    pub msg: Arc<Payload>,
    pub sent_us: u64,
    pub from: Station,
    /// Sender name, kept only when receptions are.
    pub from_name: Option<Arc<str>>,
}

#[allow(clippy::too_many_arguments)]
pub fn transmit(
    clock: Res<SimClock>,
    spec: Res<SpecRes>,
    mut env: ResMut<RadioEnv>,
    mut rngs: ResMut<Rngs>,
    mut rec: ResMut<Recorder>,
    faults: Res<FaultState>,
    gnbs: Query<&Gnb>,
    rapier: ReadRapierContext,
    mut receptions: ResMut<Receptions>,
) {
    let now_us = clock.t_us();
    env.cbr_wave.roll(now_us);
    env.cbr_pc5.roll(now_us);
    let links = &spec.0.v2x.links;
    let ctx = rapier.single().ok();
    let rngs = &mut *rngs;
    let mut outbox = std::mem::take(&mut env.outbox);
    outbox.sort_by_key(|tx| env.stations[tx.from].id);
    let mut gnb_list: Vec<&Gnb> = gnbs.iter().collect();
    gnb_list.sort_by_key(|g| g.index);
    let window_closed = env
        .cells
        .roll(now_us, |c| gnb_list.get(c).map_or(0.0, |g| g.capacity_mbps));
    // Each cell's load holds for the whole step (it is measured over the last full window).
    let loads: Vec<f64> = gnb_list
        .iter()
        .map(|g| cell_load(g, &env, &faults))
        .collect();
    if window_closed {
        for (g, load) in gnb_list.iter().zip(&loads) {
            let e = rec.v2x.cell_load.entry(g.id.clone()).or_default();
            e.0 += load;
            e.1 += 1;
        }
    }
    let mut buf = Vec::new();
    for tx in &outbox {
        let msg_id = env.next_msg_id;
        env.next_msg_id += 1;
        let from = env.stations[tx.from];
        let sent = Sent {
            msg_id,
            msg: tx.msg.clone(),
            sent_us: now_us,
            from,
            from_name: receptions.keep.then(|| env.names[tx.from].clone()),
        };
        for &tech in &tx.via {
            if from.radios & bit(tech) == 0 && !(tech == Tech::Uu && from.is_rsu) {
                continue;
            }
            match tech {
                Tech::Wave | Tech::Pc5 => sidelink::schedule(
                    &mut env,
                    sent.clone(),
                    tech,
                    if tech == Tech::Wave {
                        &links.wave
                    } else {
                        &links.pc5
                    },
                    tx.area_m,
                    faults.extra_latency_us(tech),
                    faults.extra_loss(tech),
                    |p| faults.jam_dbm(p),
                    rngs,
                    &mut rec,
                    ctx.as_ref(),
                    &mut buf,
                    &mut receptions,
                ),
                Tech::Uu => uu(
                    &mut env,
                    &sent,
                    tx,
                    &links.uu,
                    links.backhaul.latency_ms,
                    links.backhaul.jitter_ms,
                    &gnb_list,
                    &loads,
                    rngs,
                    &mut rec,
                    &faults,
                    &mut buf,
                    &mut receptions,
                ),
                Tech::Backhaul => {}
            }
        }
    }
    outbox.clear();
    env.outbox = outbox;
    // Nothing sent from the next step on starts before it.
    let horizon = now_us + us_from_s(clock.dt);
    for (tech, p) in [(Tech::Wave, &links.wave), (Tech::Pc5, &links.pc5)] {
        sidelink::resolve(
            &mut env,
            tech,
            p,
            now_us,
            horizon,
            rngs,
            &mut rec,
            ctx.as_ref(),
            &mut receptions,
        );
    }
}

/// Building line of sight between two antennas (position, height), cached per 10 m cell pair.
pub(super) fn building_los(
    env: &mut RadioEnv,
    ctx: Option<&RapierContext>,
    a: ([f64; 2], f64),
    b: ([f64; 2], f64),
) -> bool {
    if !env.has_buildings {
        return true;
    }
    let key = los_key(a.0, b.0);
    if let Some(&v) = env.los_cache.get(&key) {
        return v;
    }
    let Some(ctx) = ctx else { return true };
    let p = |s: ([f64; 2], f64)| Vec3::new(s.0[0] as f32, s.1 as f32, -s.0[1] as f32);
    let v = clear(ctx, p(a), p(b), BUILDINGS, &[]);
    if env.los_cache.len() > 2_000_000 {
        env.los_cache.clear();
    }
    env.los_cache.insert(key, v);
    v
}

/// Age of information is measured at the receivers that use the information (automated
/// vehicles) within this distance of the sender, m: the CAM awareness radius of
/// `UU_CAM_RADIUS`, the GLOSA range.
pub const AOI_RANGE_M: f64 = 300.0;

/// Record an outcome (after the message lifetime check) with the age of information it
/// brings; queue it for a station that acts on it.
#[allow(clippy::too_many_arguments)]
pub(super) fn deliver(
    env: &mut RadioEnv,
    agg: &mut MsgAgg,
    receptions: &mut Receptions,
    sent: &Sent,
    tech: Tech,
    r: &Station,
    r_name: Option<Arc<str>>,
    d: f64,
    outcome: Result<u64, LossReason>,
) {
    let msg_type = sent.msg.msg_type();
    let outcome = match outcome {
        Ok(lat) if lat > env.lifetime_us => Err(LossReason::Expired),
        o => o,
    };
    agg.attempt(d, outcome);
    if let Ok(lat) = outcome {
        if r.acts
            && d <= AOI_RANGE_M
            && let Some(age_us) = env.aoi.update(
                msg_type,
                tech,
                r.id,
                sent.from.id,
                sent.sent_us,
                sent.sent_us + lat,
            )
        {
            agg.age(ms_from_us(age_us));
        }
        if r.acts && msg_type != MsgType::Cam {
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
    if receptions.keep {
        receptions.list.push(Reception {
            msg_id: sent.msg_id,
            msg: msg_type,
            tech,
            from: sent.from_name.clone().unwrap_or_default(),
            to: r_name.unwrap_or_default(),
            from_pos: sent.from.pos,
            to_pos: r.pos,
            sent_us: sent.sent_us,
            outcome,
            distance: d,
        });
    }
}

/// Load of a cell now: its background load (or a `CellLoad` event's) plus the V2X traffic
/// through it (`radio::cell`).
fn cell_load(g: &Gnb, env: &RadioEnv, faults: &FaultState) -> f64 {
    (faults.cell_load(&g.id, g.load) + env.cells.v2x_load(g.index as usize)).min(MAX_LOAD)
}

/// Time at the edge: the MEC's processing, plus the transport to it and back (`uu.core`) when
/// it is not at the gNB.
fn edge(g: &Gnb, p: &UuSpec, rng: &mut rand_chacha::ChaCha8Rng) -> u64 {
    let core = if g.mec_at_gnb {
        0
    } else {
        sample_us(&p.core, rng)
    };
    sample_us(&g.mec, rng) + core
}

/// Radius of the area a vehicle's CAM is relayed to over Uu (V2N2V awareness), m (assumed).
pub const UU_CAM_RADIUS: f64 = 300.0;

#[allow(clippy::too_many_arguments)]
fn uu(
    env: &mut RadioEnv,
    sent: &Sent,
    tx: &Tx,
    p: &UuSpec,
    backhaul_ms: f64,
    jitter_ms: f64,
    gnbs: &[&Gnb],
    loads: &[f64],
    rngs: &mut Rngs,
    rec: &mut Recorder,
    faults: &FaultState,
    buf: &mut Vec<u32>,
    receptions: &mut Receptions,
) {
    let msg_type = tx.msg.msg_type();
    let sender = sent.from;
    rec.v2x.agg(msg_type, Tech::Uu).sent += 1;
    let spike = faults.extra_latency_us(Tech::Uu);
    let burst = faults.extra_loss(Tech::Uu);
    let backhaul = |rng: &mut rand_chacha::ChaCha8Rng| -> u64 {
        us_from_ms_floor(backhaul_ms + jitter_ms * rng.random::<f64>())
    };
    // First hop: UE uplink to the serving gNB's edge server, or RSU backhaul to the nearest one.
    let first: Result<(u64, u32), LossReason> = if sender.is_rsu {
        let nearest = gnbs
            .iter()
            .filter(|g| env.gnb_up.get(g.index as usize).copied().unwrap_or(false))
            .min_by(|a, b| {
                let da = (a.pos[0] - sender.pos[0]).hypot(a.pos[1] - sender.pos[1]);
                let db = (b.pos[0] - sender.pos[0]).hypot(b.pos[1] - sender.pos[1]);
                da.total_cmp(&db).then(a.index.cmp(&b.index))
            });
        match (sender.backhaul, nearest) {
            (true, Some(g)) => Ok((
                backhaul(&mut rngs.network) + edge(g, p, &mut rngs.network),
                g.index,
            )),
            _ => Err(LossReason::NodeDown),
        }
    } else {
        match sender
            .serving
            .and_then(|s| gnbs.iter().find(|g| g.index == s))
        {
            Some(g) => {
                if rngs.network.random::<f64>() < p.loss {
                    Err(LossReason::BelowThreshold)
                } else {
                    let load = loads.get(g.index as usize).copied().unwrap_or(0.0);
                    let wait = mm1_wait_us(load, NR_SLOT_US, &mut rngs.network);
                    env.cells.add(g.index as usize, tx.msg.size_bytes());
                    Ok((
                        sample_us(&p.uplink, &mut rngs.network)
                            + wait
                            + edge(g, p, &mut rngs.network),
                        g.index,
                    ))
                }
            }
            None => Err(LossReason::NoCoverage),
        }
    };
    if let Some(grid) = &env.grid {
        grid.query((sender.pos[0], sender.pos[1]), tx.area_m, buf);
    } else {
        buf.clear();
    }
    let agg = rec.v2x.agg(msg_type, Tech::Uu);
    for &key in buf.iter() {
        let ri = key as usize;
        let r = env.stations[ri];
        if r.id == sender.id || r.radios & bit(Tech::Uu) == 0 || r.is_rsu {
            continue;
        }
        let (dx, dy) = (r.pos[0] - sender.pos[0], r.pos[1] - sender.pos[1]);
        let d = (dx * dx + dy * dy).sqrt();
        let outcome = match (first, r.serving) {
            (Err(e), _) => Err(e),
            (Ok(_), None) => Err(LossReason::NoCoverage),
            (Ok((up, g_from)), Some(g_to)) => {
                let u: f64 = rngs.network.random();
                if u < burst {
                    Err(LossReason::Injected)
                } else if u < burst + p.loss {
                    Err(LossReason::BelowThreshold)
                } else {
                    let inter = if g_from != g_to {
                        backhaul(&mut rngs.network)
                    } else {
                        0
                    };
                    let load = loads.get(g_to as usize).copied().unwrap_or(0.0);
                    let wait = mm1_wait_us(load, NR_SLOT_US, &mut rngs.network);
                    env.cells.add(g_to as usize, tx.msg.size_bytes());
                    Ok(up + inter + sample_us(&p.downlink, &mut rngs.network) + wait + spike)
                }
            }
        };
        let name = receptions.keep.then(|| env.names[ri].clone());
        deliver(env, agg, receptions, sent, Tech::Uu, &r, name, d, outcome);
    }
}

//! Every message of the step over every technology it is sent on: who receives it, after how
//! long, or why not. Statistics are recorded at send time (the latency is known then); only
//! receivers that act on a message get a delivery queued for its arrival time.
use bevy::prelude::*;
use bevy_rapier3d::prelude::ReadRapierContext;
use rand::Rng;

use super::env::{Delivery, RadioEnv, Station, Tx, airtime_us, bit, los_key};
use super::faults::FaultState;
use super::nodes::Gnb;
use crate::clock::SimClock;
use crate::metrics::Recorder;
use crate::metrics::v2x_stats::LossReason;
use crate::physics::BUILDINGS;
use crate::physics::los::clear;
use crate::radio::budget::{decodes, noise_floor_dbm, sum_dbm};
use crate::radio::dcc::CongestionModel;
use crate::radio::latency::sample_us;
use crate::radio::pathloss::{
    BLOCKER_HEIGHT_CAR_M, BlockerCase, V2vCondition, blocker_case, nlosv_extra_loss_db,
    shadow_sigma_db, shadowing_db, urban_db, urban_los_probability,
};
use crate::rng::Rngs;
use crate::scenario::SpecRes;
use crate::scenario::spec::{MsgType, SidelinkSpec, Tech, UuSpec};

/// One reception outcome, for traces and the view.
#[derive(Debug, Clone)]
pub struct Reception {
    pub msg_id: u64,
    pub msg: MsgType,
    pub tech: Tech,
    pub from: usize,
    pub to: usize,
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
    if env.outbox.is_empty() {
        return;
    }
    let mut outbox = std::mem::take(&mut env.outbox);
    outbox.sort_by_key(|tx| env.stations[tx.from].id);
    let links = &spec.0.v2x.links;
    let mut gnb_list: Vec<&Gnb> = gnbs.iter().collect();
    gnb_list.sort_by_key(|g| g.index);
    let ctx = rapier.single().ok();
    let mut buf = Vec::new();
    let rngs = &mut *rngs;
    for tx in &outbox {
        let msg_id = env.next_msg_id;
        env.next_msg_id += 1;
        let msg_type = tx.msg.msg_type();
        for &tech in &tx.via {
            let from = &env.stations[tx.from];
            if from.radios & bit(tech) == 0 && !(tech == Tech::Uu && from.is_rsu) {
                continue;
            }
            match tech {
                Tech::Wave | Tech::Pc5 => {
                    let params = if tech == Tech::Wave {
                        &links.wave
                    } else {
                        &links.pc5
                    };
                    sidelink(
                        &mut env,
                        tx,
                        msg_id,
                        tech,
                        params,
                        now_us,
                        rngs,
                        &mut rec,
                        &faults,
                        ctx.as_ref(),
                        &mut buf,
                        &mut receptions,
                    );
                }
                Tech::Uu => uu(
                    &mut env,
                    tx,
                    msg_id,
                    &links.uu,
                    links.backhaul.latency_ms,
                    links.backhaul.jitter_ms,
                    &gnb_list,
                    now_us,
                    rngs,
                    &mut rec,
                    &faults,
                    &mut buf,
                    &mut receptions,
                ),
                Tech::Backhaul => {}
            }
        }
        let _ = msg_type;
    }
    outbox.clear();
    env.outbox = outbox;
}

/// Building line of sight between two points (cached per 10 m cell pair).
fn building_los(
    env: &mut RadioEnv,
    ctx: Option<&bevy_rapier3d::prelude::RapierContext>,
    a: &Station,
    b: &Station,
) -> bool {
    if !env.has_buildings {
        return true;
    }
    let key = los_key(a.pos, b.pos);
    if let Some(&v) = env.los_cache.get(&key) {
        return v;
    }
    let Some(ctx) = ctx else { return true };
    let p = |s: &Station| Vec3::new(s.pos[0] as f32, s.height as f32, -s.pos[1] as f32);
    let v = clear(ctx, p(a), p(b), BUILDINGS, &[]);
    if env.los_cache.len() > 2_000_000 {
        env.los_cache.clear();
    }
    env.los_cache.insert(key, v);
    v
}

#[allow(clippy::too_many_arguments)]
fn sidelink(
    env: &mut RadioEnv,
    tx: &Tx,
    msg_id: u64,
    tech: Tech,
    p: &SidelinkSpec,
    now_us: u64,
    rngs: &mut Rngs,
    rec: &mut Recorder,
    faults: &FaultState,
    ctx: Option<&bevy_rapier3d::prelude::RapierContext>,
    buf: &mut Vec<u32>,
    receptions: &mut Receptions,
) {
    let msg_type = tx.msg.msg_type();
    let bytes = tx.msg.size_bytes();
    let air = airtime_us(tech, bytes);
    let sender = env.stations[tx.from];
    let cbr_here = env.cbr(tech).at(sender.pos);
    env.cbr(tech).add(sender.pos, air);
    let cbr_entry = rec.v2x.cbr.entry(tech).or_insert((0.0, 0));
    cbr_entry.0 += cbr_here;
    cbr_entry.1 += 1;
    let congestion = if tech == Tech::Wave {
        CongestionModel::wave()
    } else {
        CongestionModel::pc5()
    };
    let noise = noise_floor_dbm(p.bandwidth_mhz * 1e6, p.noise_figure_db);
    let spike = faults.extra_latency_us(tech);
    let burst = faults.extra_loss(tech);
    if let Some(grid) = &env.grid {
        grid.query((sender.pos[0], sender.pos[1]), p.max_range, buf);
    } else {
        buf.clear();
    }
    rec.v2x.agg(msg_type, tech).sent += 1;
    for &key in buf.iter() {
        let ri = key as usize;
        let r = env.stations[ri];
        if ri == tx.from || r.radios & bit(tech) == 0 {
            continue;
        }
        let (dx, dy, dz) = (
            r.pos[0] - sender.pos[0],
            r.pos[1] - sender.pos[1],
            r.height - sender.height,
        );
        let d2 = (dx * dx + dy * dy).sqrt();
        let d = (dx * dx + dy * dy + dz * dz).sqrt().max(1.0);
        let los_b = building_los(env, ctx, &sender, &r);
        let rng = &mut rngs.radio;
        // TR 37.885: buildings decide LOS/NLOS deterministically; vehicles in between are
        // drawn with the urban LOS probability (NLOSv otherwise).
        let cond = if !los_b {
            V2vCondition::Nlos
        } else if rng.random::<f64>() < urban_los_probability(d2) {
            V2vCondition::Los
        } else {
            V2vCondition::Nlosv
        };
        let mut pl = urban_db(cond, d, p.freq_ghz);
        if cond == V2vCondition::Nlosv {
            let case = blocker_case(sender.height, r.height, BLOCKER_HEIGHT_CAR_M);
            if case != BlockerCase::Above {
                pl += nlosv_extra_loss_db(d, case, rng);
            }
        }
        let shadow = shadowing_db(shadow_sigma_db(cond), rng);
        let rx = p.tx_dbm + 2.0 * p.antenna_gain_dbi - pl - shadow;
        let n = match faults.jam_dbm(r.pos) {
            Some(j) => sum_dbm([noise, j]),
            None => noise,
        };
        let cbr_r = env.cbr(tech).at(r.pos);
        let u: f64 = rng.random();
        let outcome = if !decodes(rx - n, p.sinr_threshold_db, p.error_curve, rng) {
            Err(LossReason::BelowThreshold)
        } else if u < burst {
            Err(LossReason::Injected)
        } else if u < burst + congestion.extra_loss(cbr_r) {
            Err(LossReason::Congestion)
        } else {
            let access = sample_us(&p.access, &mut rngs.latency);
            Ok(access + congestion.extra_access_us(cbr_r) as u64 + air + spike)
        };
        deliver(
            env, rec, tx, msg_id, tech, ri, &r, d2, now_us, outcome, receptions,
        );
    }
}

/// Record an outcome; queue it for a station that acts on it.
#[allow(clippy::too_many_arguments)]
fn deliver(
    env: &mut RadioEnv,
    rec: &mut Recorder,
    tx: &Tx,
    msg_id: u64,
    tech: Tech,
    ri: usize,
    r: &Station,
    d: f64,
    now_us: u64,
    outcome: Result<u64, LossReason>,
    receptions: &mut Receptions,
) {
    let msg_type = tx.msg.msg_type();
    rec.v2x.agg(msg_type, tech).attempt(d, outcome);
    if let Ok(lat) = outcome
        && r.acts
        && msg_type != MsgType::Cam
    {
        env.queue.push(
            now_us + lat,
            Delivery {
                to: r.entity,
                msg: tx.msg.clone(),
                sent_us: now_us,
                tech,
            },
        );
    }
    if receptions.keep {
        receptions.list.push(Reception {
            msg_id,
            msg: msg_type,
            tech,
            from: tx.from,
            to: ri,
            sent_us: now_us,
            outcome,
            distance: d,
        });
    }
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
    tx: &Tx,
    msg_id: u64,
    p: &UuSpec,
    backhaul_ms: f64,
    jitter_ms: f64,
    gnbs: &[&Gnb],
    now_us: u64,
    rngs: &mut Rngs,
    rec: &mut Recorder,
    faults: &FaultState,
    buf: &mut Vec<u32>,
    receptions: &mut Receptions,
) {
    let msg_type = tx.msg.msg_type();
    let sender = env.stations[tx.from];
    rec.v2x.agg(msg_type, Tech::Uu).sent += 1;
    let spike = faults.extra_latency_us(Tech::Uu);
    let burst = faults.extra_loss(Tech::Uu);
    let backhaul = |rng: &mut rand_chacha::ChaCha8Rng| -> u64 {
        ((backhaul_ms + jitter_ms * rng.random::<f64>()) * 1000.0) as u64
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
                backhaul(&mut rngs.latency) + edge(g, p, &mut rngs.latency),
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
                if rngs.radio.random::<f64>() < p.loss {
                    Err(LossReason::BelowThreshold)
                } else {
                    Ok((
                        sample_us(&p.uplink, &mut rngs.latency) + edge(g, p, &mut rngs.latency),
                        g.index,
                    ))
                }
            }
            None => Err(LossReason::NoCoverage),
        }
    };
    if let Some(grid) = &env.grid {
        grid.query((sender.pos[0], sender.pos[1]), tx.uu_radius, buf);
    } else {
        buf.clear();
    }
    for &key in buf.iter() {
        let ri = key as usize;
        let r = env.stations[ri];
        if ri == tx.from || r.radios & bit(Tech::Uu) == 0 || r.is_rsu {
            continue;
        }
        let d = (r.pos[0] - sender.pos[0]).hypot(r.pos[1] - sender.pos[1]);
        let outcome = match (first, r.serving) {
            (Err(e), _) => Err(e),
            (Ok(_), None) => Err(LossReason::NoCoverage),
            (Ok((up, g_from)), Some(g_to)) => {
                let u: f64 = rngs.radio.random();
                if u < burst {
                    Err(LossReason::Injected)
                } else if u < burst + p.loss {
                    Err(LossReason::BelowThreshold)
                } else {
                    let inter = if g_from != g_to {
                        backhaul(&mut rngs.latency)
                    } else {
                        0
                    };
                    Ok(up + inter + sample_us(&p.downlink, &mut rngs.latency) + spike)
                }
            }
        };
        deliver(
            env,
            rec,
            tx,
            msg_id,
            Tech::Uu,
            ri,
            &r,
            d,
            now_us,
            outcome,
            receptions,
        );
    }
}

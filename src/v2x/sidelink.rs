//! Sidelink (802.11p and PC5) transmissions on a shared medium.
//!
//! A message is *scheduled* when it is sent: channel access gives it a place on the medium
//! (`radio::medium`: CSMA/CA deferral on 802.11p, sub-channel selection by sensing on PC5), and
//! the signal every receiver in range gets is drawn then (path loss, LOS/NLOS/NLOSv, shadowing,
//! noise and jamming at the receiver). It is *resolved* once no transmission sent later can
//! overlap it any more (later ones start at their own step or after): then the interference of
//! every transmission that overlapped it is known, and each receiver decodes on its SINR, or
//! loses it because it was transmitting itself (half duplex).
use std::sync::Arc;

use bevy::prelude::Entity;
use bevy_rapier3d::prelude::RapierContext;
use rand::Rng;

use super::env::{RadioEnv, Station, airtime_us, bit};
use super::transmit::{Receptions, Sent, building_los, deliver};
use crate::metrics::Recorder;
use crate::radio::budget::{ErrorCurve, dbm_to_mw, decodes, mw_to_dbm, noise_floor_dbm, sum_dbm};
use crate::radio::dcc::Pc5Occupancy;
use crate::radio::latency::sample_us;
use crate::radio::medium::{Burst, CCA_DBM, Edca, SUBFRAME_US, csma_start, pc5_select};
use crate::radio::outcome::LossReason;
use crate::radio::pathloss::{
    BLOCKER_HEIGHT_CAR_M, BlockerCase, V2vCondition, blocker_case, nlosv_extra_loss_db,
    shadow_sigma_db, shadowing_db, urban_db, urban_los_probability,
};
use crate::rng::Rngs;
use crate::scenario::spec::{MsgType, SidelinkSpec, Tech};

/// A receiver in range of a scheduled transmission, with the signal it gets. Compact (40
/// bytes, single precision): a busy step holds one per receiver of every message on the air.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub entity: Entity,
    pub id: u32,
    pub acts: bool,
    pub pos: [f32; 2],
    pub height: f32,
    /// Horizontal distance, m.
    pub d: f32,
    pub rx_dbm: f32,
    /// Noise floor plus any jammer at the receiver, dBm.
    pub noise_dbm: f32,
}

impl Candidate {
    fn at(&self) -> ([f64; 2], f64) {
        (
            [f64::from(self.pos[0]), f64::from(self.pos[1])],
            f64::from(self.height),
        )
    }

    /// The receiving station, as far as recording a reception needs it.
    fn station(&self) -> Station {
        let (pos, height) = self.at();
        Station {
            entity: self.entity,
            id: self.id,
            pos,
            height,
            radios: 0,
            acts: self.acts,
            serving: None,
            is_rsu: false,
            backhaul: false,
        }
    }
}

/// A scheduled transmission waiting to be resolved.
#[derive(Debug, Clone)]
pub struct Pending {
    pub sent: Sent,
    pub spike_us: u64,
    pub burst_loss: f64,
    pub candidates: Vec<Candidate>,
    /// Receiver names, same order, kept only when receptions are.
    pub names: Vec<Arc<str>>,
}

/// A transmission on the medium; kept after it is resolved while it can still interfere with
/// one that is not.
#[derive(Debug, Clone)]
pub struct Airing {
    pub burst: Burst,
    pub pending: Option<Box<Pending>>,
}

/// Median received power of a transmission at a point, mW: TR 37.885 urban path loss with
/// LOS/NLOS from the buildings, without shadowing or vehicle blockage (interference and
/// carrier sensing use the median, class E).
fn mean_rx_mw(
    env: &mut RadioEnv,
    ctx: Option<&RapierContext>,
    tech: Tech,
    from: ([f64; 2], f64),
    to: ([f64; 2], f64),
) -> f64 {
    let (dx, dy, dz) = (to.0[0] - from.0[0], to.0[1] - from.0[1], to.1 - from.1);
    let d = (dx * dx + dy * dy + dz * dz).sqrt();
    let los = building_los(env, ctx, from, to);
    env.power(tech).mw(los, d)
}

/// EDCA access category of a message (EN 302 663: CAM AC_BE, DENM AC_VI; reference §3d).
fn edca(msg: MsgType) -> Edca {
    match msg {
        MsgType::Denm => Edca::VIDEO,
        _ => Edca::BEST_EFFORT,
    }
}

/// Put a message on the medium and draw the signal at every receiver in range.
#[allow(clippy::too_many_arguments)]
pub fn schedule(
    env: &mut RadioEnv,
    sent: Sent,
    tech: Tech,
    p: &SidelinkSpec,
    radius_m: f64,
    spike_us: u64,
    burst_loss: f64,
    jam: impl Fn([f64; 2]) -> Option<f64>,
    rngs: &mut Rngs,
    rec: &mut Recorder,
    ctx: Option<&RapierContext>,
    buf: &mut Vec<u32>,
    receptions: &mut Receptions,
) {
    let msg_type = sent.msg.msg_type();
    let bytes = sent.msg.size_bytes();
    let air = airtime_us(tech, bytes);
    let sender = sent.from;
    let now_us = sent.sent_us;
    let here = (sender.pos, sender.height);
    let cbr_here = env.cbr(tech).at(sender.pos);
    env.cbr(tech).add(sender.pos, air);
    let cbr_entry = rec.v2x.cbr.entry(tech).or_insert((0.0, 0));
    cbr_entry.0 += cbr_here;
    cbr_entry.1 += 1;
    rec.v2x.agg(msg_type, tech).sent += 1;

    // Channel access.
    let ready = now_us + sample_us(&p.access, &mut rngs.latency);
    let mut medium = std::mem::take(env.medium(tech));
    let burst = if tech == Tech::Wave {
        let cca_mw = dbm_to_mw(CCA_DBM);
        let mut sensed = Vec::new();
        for a in &medium {
            let b = a.burst;
            if b.end_us > ready && mean_rx_mw(env, ctx, tech, (b.pos, b.height), here) >= cca_mw {
                sensed.push((b.start_us, b.end_us));
            }
        }
        let start = csma_start(ready, air, &sensed, edca(msg_type), &mut rngs.radio);
        Burst {
            sender: sender.id,
            pos: sender.pos,
            height: sender.height,
            start_us: start,
            end_us: start + air,
            subch: None,
        }
    } else {
        let occ = Pc5Occupancy::default();
        // The next subframe boundary: never before the step it is sent in.
        let start = ready.div_ceil(SUBFRAME_US) * SUBFRAME_US;
        let mut sensed = Vec::new();
        for a in &medium {
            let b = a.burst;
            if b.start_us == start
                && let Some((first, n)) = b.subch
            {
                let mw = mean_rx_mw(env, ctx, tech, (b.pos, b.height), here);
                sensed.push((first, n, mw_to_dbm(mw)));
            }
        }
        let need = occ.subchannels_for(bytes) as u8;
        let first = pc5_select(occ.subchannels as u8, need, &sensed, &mut rngs.radio);
        Burst {
            sender: sender.id,
            pos: sender.pos,
            height: sender.height,
            start_us: start,
            end_us: start + SUBFRAME_US,
            subch: Some((first, need)),
        }
    };

    // Signal at every receiver in range; those in the message's area beyond `max_range` are
    // out of range.
    let noise = noise_floor_dbm(p.bandwidth_mhz * 1e6, p.noise_figure_db);
    if let Some(grid) = &env.grid {
        grid.query(
            (sender.pos[0], sender.pos[1]),
            p.max_range.max(radius_m),
            buf,
        );
    } else {
        buf.clear();
    }
    let mut candidates = Vec::new();
    let mut names = Vec::new();
    for &key in buf.iter() {
        let ri = key as usize;
        let r = env.stations[ri];
        if r.id == sender.id || r.radios & bit(tech) == 0 {
            continue;
        }
        let name = receptions.keep.then(|| env.names[ri].clone());
        let (dx, dy, dz) = (
            r.pos[0] - sender.pos[0],
            r.pos[1] - sender.pos[1],
            r.height - sender.height,
        );
        let d2 = (dx * dx + dy * dy).sqrt();
        if d2 > p.max_range {
            deliver(
                env,
                rec.v2x.agg(msg_type, tech),
                receptions,
                &sent,
                tech,
                &r,
                name,
                d2,
                Err(LossReason::OutOfRange),
            );
            continue;
        }
        let d = (dx * dx + dy * dy + dz * dz).sqrt().max(1.0);
        let los_b = building_los(env, ctx, here, (r.pos, r.height));
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
        let noise_dbm = match jam(r.pos) {
            Some(j) => sum_dbm([noise, j]),
            None => noise,
        };
        candidates.push(Candidate {
            entity: r.entity,
            id: r.id,
            acts: r.acts,
            pos: [r.pos[0] as f32, r.pos[1] as f32],
            height: r.height as f32,
            d: d2 as f32,
            rx_dbm: (p.tx_dbm + 2.0 * p.antenna_gain_dbi - pl - shadow) as f32,
            noise_dbm: noise_dbm as f32,
        });
        names.extend(name);
    }
    medium.push(Airing {
        burst,
        pending: Some(Box::new(Pending {
            sent,
            spike_us,
            burst_loss,
            candidates,
            names,
        })),
    });
    *env.medium(tech) = medium;
}

/// Decide every transmission on `tech` that ends by `horizon_us` (nothing sent from the next
/// step on can overlap it), in the order they were sent; then forget resolved transmissions
/// that can no longer overlap an unresolved one.
#[allow(clippy::too_many_arguments)]
pub fn resolve(
    env: &mut RadioEnv,
    tech: Tech,
    p: &SidelinkSpec,
    now_us: u64,
    horizon_us: u64,
    rngs: &mut Rngs,
    rec: &mut Recorder,
    ctx: Option<&RapierContext>,
    receptions: &mut Receptions,
) {
    let mut medium = std::mem::take(env.medium(tech));
    // Senders on the air at the same time (half duplex), and the antennas of transmissions on
    // the same resource (interference).
    let mut talking: Vec<u32> = Vec::new();
    let mut co_channel: Vec<([f64; 2], f64)> = Vec::new();
    for i in 0..medium.len() {
        if medium[i].burst.end_us > horizon_us {
            continue;
        }
        let Some(pending) = medium[i].pending.take() else {
            continue;
        };
        let me = medium[i].burst;
        talking.clear();
        co_channel.clear();
        for (j, a) in medium.iter().enumerate() {
            if j != i && me.overlaps_time(&a.burst) {
                talking.push(a.burst.sender);
                if me.interfered_by(&a.burst) {
                    co_channel.push((a.burst.pos, a.burst.height));
                }
            }
        }
        let Pending {
            sent,
            spike_us,
            burst_loss,
            candidates,
            names,
        } = *pending;
        let mut names = names.into_iter();
        let agg = rec.v2x.agg(sent.msg.msg_type(), tech);
        for c in candidates {
            let (rx_dbm, noise_dbm) = (f64::from(c.rx_dbm), f64::from(c.noise_dbm));
            let outcome = if talking.contains(&c.id) {
                Err(LossReason::HalfDuplex)
            } else {
                let snr = rx_dbm - noise_dbm;
                let hopeless = p.error_curve == ErrorCurve::Step && snr < p.sinr_threshold_db;
                let mut interference_mw = 0.0;
                // Interference only matters where the signal alone would get through.
                if !hopeless {
                    for &from in &co_channel {
                        interference_mw += mean_rx_mw(env, ctx, tech, from, c.at());
                    }
                }
                let sinr = if interference_mw > 0.0 {
                    rx_dbm - mw_to_dbm(dbm_to_mw(noise_dbm) + interference_mw)
                } else {
                    snr
                };
                if !decodes(sinr, p.sinr_threshold_db, p.error_curve, &mut rngs.radio) {
                    if interference_mw > 0.0 && snr >= p.sinr_threshold_db {
                        Err(LossReason::Collision)
                    } else {
                        Err(LossReason::BelowThreshold)
                    }
                } else if rngs.radio.random::<f64>() < burst_loss {
                    Err(LossReason::Injected)
                } else {
                    Ok(me.end_us - sent.sent_us + spike_us)
                }
            };
            let station = c.station();
            let d = f64::from(c.d);
            deliver(
                env,
                agg,
                receptions,
                &sent,
                tech,
                &station,
                names.next(),
                d,
                outcome,
            );
        }
    }
    let oldest_open = medium
        .iter()
        .filter(|a| a.pending.is_some())
        .map(|a| a.burst.start_us)
        .min()
        .unwrap_or(u64::MAX)
        .min(now_us);
    medium.retain(|a| a.pending.is_some() || a.burst.end_us > oldest_open);
    *env.medium(tech) = medium;
}

#[cfg(test)]
#[path = "sidelink_tests.rs"]
mod tests;

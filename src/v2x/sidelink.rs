//! Sidelink (802.11p and PC5) transmissions on a shared medium.
//!
//! A message is *scheduled* when it is sent: channel access gives it a place on the medium
//! (`radio::medium`: CSMA/CA deferral on 802.11p, sub-channel selection by sensing on PC5), and
//! the signal every receiver in range gets is drawn then (path loss, LOS/NLOS/NLOSv, shadowing,
//! noise and jamming at the receiver). It is *resolved* once no transmission sent later can
//! overlap it any more (later ones start at their own step or after): then the interference of
//! every transmission that overlapped it is known, and each receiver decodes on its SINR, or
//! loses it because it was transmitting itself (half duplex).
use rand::Rng;

use super::air::{Air, Antenna, Seen, Sight, deliver, expire, frame, queue, reception, remember};
use super::env::{Airing, Candidate, Pending, RadioEnv, Sent, airtime_us, bit};
use super::faults::FaultState;
use crate::par;
use crate::radio::budget::{
    dbm_to_mw, decodes, mw_to_dbm, noise_floor_dbm, sidelink_reach_m, sum_dbm,
};
use crate::radio::dcc::Pc5Occupancy;
use crate::radio::latency::sample_us;
use crate::radio::medium::{Burst, CCA_DBM, Edca, SUBFRAME_US, csma_start, pc5_select};
use crate::radio::outcome::{AirEvent, LossReason};
use crate::radio::pathloss::{
    BLOCKER_HEIGHT_CAR_M, BlockerCase, V2vCondition, blocker_case, log10_distance,
    nlosv_extra_loss_db_of_log, shadowing_db, urban_db_of_logs, urban_los_drawn,
};
use crate::rng::{Keyed, Stream};
use crate::scenario::spec::{ErrorCurve, MsgType, SidelinkSpec, Tech};

/// Median received power of a transmission at a point, mW: TR 37.885 urban path loss with
/// LOS/NLOS from the buildings (`los`), without shadowing or vehicle blockage (interference and
/// carrier sensing use the median, class E).
fn mean_rx_mw(
    env: &RadioEnv,
    tech: Tech,
    los: bool,
    from: ([f64; 2], f64),
    to: ([f64; 2], f64),
) -> f64 {
    let (dx, dy, dz) = (to.0[0] - from.0[0], to.0[1] - from.0[1], to.1 - from.1);
    let d = (dx * dx + dy * dy + dz * dz).sqrt();
    env.power(tech).mw(los, d)
}

/// A power ratio in dB as a factor.
fn db_to_ratio(db: f64) -> f64 {
    if db == 0.0 {
        1.0
    } else {
        10f64.powf(db / 10.0)
    }
}

/// EDCA access category of a message (EN 302 663: CAM AC_BE, DENM AC_VI; reference §3d).
pub fn edca(msg: MsgType) -> Edca {
    match msg {
        MsgType::Denm => Edca::VIDEO,
        _ => Edca::BEST_EFFORT,
    }
}

/// Put a message on the medium and draw the signal at every receiver in range.
pub fn schedule(
    air: &mut Air,
    sent: Sent,
    tech: Tech,
    p: &SidelinkSpec,
    radius_m: f64,
    faults: &FaultState,
) {
    let msg_type = sent.msg.msg_type();
    let bytes = sent.air_bytes(tech);
    let airtime = airtime_us(tech, bytes);
    let pos = sent.from.pos;
    let cbr_here = air.env.cbr(tech).at(pos);
    air.env.cbr(tech).add(pos, airtime);
    air.sent(msg_type, tech, Some(cbr_here));
    let ready = sent.sent_us + sample_us(&p.access, &mut air.rngs.latency);
    let mut medium = std::mem::take(air.env.medium(tech));
    let mut burst = match tech {
        Tech::Wave => csma_burst(air, &medium, &sent, ready, airtime),
        _ => pc5_burst(air, &medium, &sent, ready, bytes),
    };
    let tx_dbm = sent.tx_dbm(p.tx_dbm);
    burst.power_db = tx_dbm - p.tx_dbm;
    if air.env.capture.tx {
        air.frame(&sent, tech, p, burst.start_us, None);
    }
    let (candidates, undrawn) = receivers(air, &sent, tech, p, radius_m, faults);
    medium.push(Airing {
        burst,
        pending: Some(Box::new(Pending {
            sent,
            spike_us: faults.extra_latency_us(tech),
            burst_loss: faults.extra_loss(tech),
            candidates,
            undrawn,
        })),
    });
    *air.env.medium(tech) = medium;
}

/// The median power of a burst on the air at a sender about to access the channel, mW.
fn sensed_mw(air: &mut Air, tech: Tech, b: &Burst, here: ([f64; 2], f64)) -> f64 {
    let from = (b.pos, b.height);
    let los = air.los(from, here);
    mean_rx_mw(air.env, tech, los, from, here) * db_to_ratio(b.power_db)
}

/// 802.11p channel access: CSMA/CA defers behind transmissions sensed above CCA, then waits
/// AIFS and a back-off (EN 302 663 EDCA; `radio::medium`).
fn csma_burst(air: &mut Air, medium: &[Airing], sent: &Sent, ready: u64, airtime: u64) -> Burst {
    let s = sent.from;
    let here = (s.pos, s.height);
    let cca_mw = dbm_to_mw(CCA_DBM);
    let mut sensed = Vec::new();
    for a in medium {
        let b = a.burst;
        if b.end_us > ready && sensed_mw(air, Tech::Wave, &b, here) >= cca_mw {
            sensed.push((b.start_us, b.end_us));
        }
    }
    let edca = edca(sent.msg.msg_type());
    let start = csma_start(ready, airtime, &sensed, edca, &mut air.rngs.radio);
    Burst {
        sender: s.id,
        pos: s.pos,
        height: s.height,
        start_us: start,
        end_us: start + airtime,
        subch: None,
        power_db: 0.0,
    }
}

/// PC5 resource selection: the next subframe boundary (never before the step it is sent in),
/// sub-channels chosen by sensing (TS 36.213 20 % rule; `radio::medium`).
fn pc5_burst(air: &mut Air, medium: &[Airing], sent: &Sent, ready: u64, bytes: usize) -> Burst {
    let s = sent.from;
    let here = (s.pos, s.height);
    let occ = Pc5Occupancy::default();
    let start = ready.div_ceil(SUBFRAME_US) * SUBFRAME_US;
    let mut sensed = Vec::new();
    for a in medium {
        let b = a.burst;
        if b.start_us == start
            && let Some((first, n)) = b.subch
        {
            let mw = sensed_mw(air, Tech::Pc5, &b, here);
            sensed.push((first, n, mw_to_dbm(mw)));
        }
    }
    let need = occ.subchannels_for(bytes) as u8;
    let first = pc5_select(occ.subchannels as u8, need, &sensed, &mut air.rngs.radio);
    Burst {
        sender: s.id,
        pos: s.pos,
        height: s.height,
        start_us: start,
        end_us: start + SUBFRAME_US,
        subch: Some((first, need)),
        power_db: 0.0,
    }
}

/// Every receiver within the link's reach (`radio::budget::sidelink_reach_m`: beyond it
/// delivery is below one in a thousand even in the best case), its signal drawn later in the
/// step ([`draw_signals`]); those in the message's area beyond it are decided at once as out of
/// range.
fn receivers(
    air: &mut Air,
    sent: &Sent,
    tech: Tech,
    p: &SidelinkSpec,
    radius_m: f64,
    faults: &FaultState,
) -> (Vec<Candidate>, Vec<u32>) {
    let sender = sent.from;
    let noise = noise_floor_dbm(p.bandwidth_mhz * 1e6, p.noise_figure_db);
    let reach = sidelink_reach_m(p);
    let near = air.near(sender.pos, reach.max(radius_m));
    let (mut candidates, mut keys) = (Vec::new(), Vec::new());
    for &key in &near {
        let r = air.env.stations[key as usize];
        if r.id == sender.id || r.radios & bit(tech) == 0 {
            continue;
        }
        let (dx, dy) = (r.pos[0] - sender.pos[0], r.pos[1] - sender.pos[1]);
        let d2 = (dx * dx + dy * dy).sqrt();
        if d2 > reach {
            deliver(air, sent, tech, &r, d2, Err(LossReason::OutOfRange));
            continue;
        }
        let noise_dbm = faults.jam_dbm(r.pos).map_or(noise, |j| sum_dbm([noise, j]));
        candidates.push(Candidate {
            entity: r.entity,
            id: r.id,
            acts: r.acts,
            pos: [r.pos[0] as f32, r.pos[1] as f32],
            height: r.height as f32,
            d: d2 as f32,
            rx_dbm: f32::NAN,
            noise_dbm: noise_dbm as f32,
        });
        keys.push(key);
    }
    air.done_with(near);
    (candidates, keys)
}

/// The random draws of the receptions of one message on one technology, each reception its
/// own stream under it (`rng::Keyed`), so a reception draws the same whichever thread decides
/// it: [`reception_draws`].
fn transmission_rng(seed: u64, sent: &Sent, tech: Tech) -> Keyed {
    Keyed::new(seed, Stream::Reception, &[sent.msg_id, tech as u64])
}

/// The draws of the reception at `receiver`: `part` 0 is its signal, 1 its decoding.
fn reception_draws(transmission: &Keyed, receiver: u32, part: u64) -> Keyed {
    transmission.fork(u64::from(receiver) << 1 | part)
}

/// Draw the signal at every receiver of the transmissions sent this step (while the stations
/// are where they were when sent), on the world's threads.
fn draw_signals(air: &mut Air, tech: Tech, p: &SidelinkSpec, medium: &mut [Airing]) {
    let log_fc = p.freq_ghz.log10();
    let sight = air.sight();
    let links: Vec<Option<(Link, Keyed, Antenna)>> = medium
        .iter()
        .map(|a| {
            let pd = a.pending.as_deref().filter(|pd| !pd.undrawn.is_empty())?;
            let tx_dbm = pd.sent.tx_dbm(p.tx_dbm);
            let rng = transmission_rng(air.rngs.seed, &pd.sent, tech);
            let from = sight.antenna((pd.sent.from.pos, pd.sent.from.height));
            Some((Link { p, tx_dbm, log_fc }, rng, from))
        })
        .collect();
    let jobs: Vec<(u32, u32)> = medium
        .iter()
        .enumerate()
        .filter_map(|(i, a)| a.pending.as_ref().map(|pd| (i as u32, pd.undrawn.len())))
        .flat_map(|(i, n)| (0..n as u32).map(move |k| (i, k)))
        .collect();
    if jobs.is_empty() {
        return;
    }
    let (rx, seen) = par::map(air.threads, &jobs, |chunk| {
        let mut seen = Vec::new();
        let rx = chunk
            .iter()
            .map(|&(i, k)| {
                let pd = medium[i as usize].pending.as_deref();
                let pd = pd.expect("jobs are of pending transmissions");
                let (link, rng, from) = links[i as usize].as_ref().expect("drawn with a link");
                let r = &sight.env.stations[pd.undrawn[k as usize] as usize];
                let to = sight.antenna((r.pos, r.height));
                let mut rng = reception_draws(rng, r.id, 0);
                signal_dbm(&sight, &mut seen, (from, &to), link, &mut rng)
            })
            .collect();
        (rx, seen)
    });
    for (&(i, k), rx_dbm) in jobs.iter().zip(rx) {
        if let Some(pd) = medium[i as usize].pending.as_deref_mut() {
            pd.candidates[k as usize].rx_dbm = rx_dbm;
        }
    }
    for pd in medium.iter_mut().filter_map(|a| a.pending.as_deref_mut()) {
        pd.undrawn = Vec::new();
    }
    remember(air.env, seen);
}

/// A sidelink as every receiver of one transmission sees it: its parameters, the transmit
/// power, dBm, and log10 of its carrier, GHz (taken once per transmission).
#[derive(Clone, Copy)]
struct Link<'a> {
    p: &'a SidelinkSpec,
    tx_dbm: f64,
    log_fc: f64,
}

/// The signal a receiver gets, dBm: TR 37.885 urban path loss; buildings decide LOS/NLOS
/// deterministically, vehicles in between are drawn with the urban LOS probability (NLOSv
/// otherwise, with the blocker loss), then log-normal shadowing.
fn signal_dbm(
    sight: &Sight,
    seen: &mut Vec<Seen>,
    (s, r): (&Antenna, &Antenna),
    link: &Link,
    rng: &mut Keyed,
) -> f32 {
    let Link { p, tx_dbm, log_fc } = *link;
    let ((s_pos, s_height), (r_pos, r_height)) = (s.at, r.at);
    let (dx, dy, dz) = (
        r_pos[0] - s_pos[0],
        r_pos[1] - s_pos[1],
        r_height - s_height,
    );
    let d2 = (dx * dx + dy * dy).sqrt();
    let d = (dx * dx + dy * dy + dz * dz).sqrt().max(1.0);
    let los_b = sight.los(s, r, seen);
    let cond = if !los_b {
        V2vCondition::Nlos
    } else if urban_los_drawn(rng.random::<f64>(), d2) {
        V2vCondition::Los
    } else {
        V2vCondition::Nlosv
    };
    let log_d = log10_distance(d);
    let mut pl = urban_db_of_logs(cond, log_d, log_fc);
    if cond == V2vCondition::Nlosv {
        let case = blocker_case(s_height, r_height, BLOCKER_HEIGHT_CAR_M);
        if case != BlockerCase::Above {
            pl += nlosv_extra_loss_db_of_log(log_d, case, rng);
        }
    }
    let sigma = match cond {
        V2vCondition::Nlos => p.shadowing_db.1,
        V2vCondition::Los | V2vCondition::Nlosv => p.shadowing_db.0,
    };
    let shadow = shadowing_db(sigma, rng);
    (tx_dbm + 2.0 * p.antenna_gain_dbi - pl - shadow) as f32
}

/// Who else was on the air during a transmission.
struct Overlap {
    /// Senders on the air at the same time (half duplex).
    talking: Vec<u32>,
    /// Antennas of transmissions on the same resource (interference), with their power below
    /// the link's, dB.
    co_channel: Vec<(Antenna, f64)>,
}

impl Overlap {
    fn of(medium: &[Airing], i: usize, sight: &Sight) -> Overlap {
        let me = medium[i].burst;
        let mut o = Overlap {
            talking: Vec::new(),
            co_channel: Vec::new(),
        };
        for (j, a) in medium.iter().enumerate() {
            if j != i && me.overlaps_time(&a.burst) {
                o.talking.push(a.burst.sender);
                if me.interfered_by(&a.burst) {
                    let from = sight.antenna((a.burst.pos, a.burst.height));
                    o.co_channel.push((from, a.burst.power_db));
                }
            }
        }
        o
    }
}

/// Decide every transmission on `tech` that ends by `horizon_us` (nothing sent from the next
/// step on can overlap it), in the order they were sent; then forget resolved transmissions
/// that can no longer overlap an unresolved one. The signals of the step's transmissions are
/// drawn first; both are spread over the world's threads, and the outcomes published in order.
pub fn resolve(air: &mut Air, tech: Tech, p: &SidelinkSpec, now_us: u64, horizon_us: u64) {
    let mut medium = std::mem::take(air.env.medium(tech));
    draw_signals(air, tech, p, &mut medium);
    let mut due = Vec::new();
    let sight = air.sight();
    for i in 0..medium.len() {
        if medium[i].burst.end_us <= horizon_us
            && let Some(pending) = medium[i].pending.take()
        {
            let overlap = Overlap::of(&medium, i, &sight);
            due.push((pending, overlap, medium[i].burst.end_us));
        }
    }
    let outcomes = decode_all(air, (tech, p), &due);
    let mut outcomes = outcomes.into_iter();
    for (pending, _, _) in &due {
        let n = pending.candidates.len();
        if !pending.sent.msg.acted_on() {
            outcomes.by_ref().take(n).for_each(drop);
            continue;
        }
        for (c, outcome) in pending.candidates.iter().zip(outcomes.by_ref()) {
            queue(air.env, &pending.sent, tech, &c.station(), outcome);
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
    *air.env.medium(tech) = medium;
}

/// A due transmission: what was sent to whom, who else was on the air, when it ended (µs).
type Due = (Box<Pending>, Overlap, u64);

/// What deciding a chunk of receptions leaves: each one's outcome, the events it publishes
/// (its frame at the receiver for a capture, then its reception) and the line-of-sight answers
/// found.
struct Decided {
    outcomes: Vec<Result<u64, LossReason>>,
    events: Vec<AirEvent>,
    seen: Vec<Seen>,
}

/// Every receiver of every due transmission, in order, decided on the world's threads: its
/// outcome (latency to the end of the burst plus any injected spike, unless lost or expired),
/// with its events published in the same order.
fn decode_all(
    air: &mut Air,
    (tech, p): (Tech, &SidelinkSpec),
    due: &[Due],
) -> Vec<Result<u64, LossReason>> {
    let jobs: Vec<(u32, u32)> = due
        .iter()
        .enumerate()
        .flat_map(|(i, d)| (0..d.0.candidates.len() as u32).map(move |k| (i as u32, k)))
        .collect();
    // The first chunk appends to the step's events in place; the others' are appended after it
    // (copying every event once cost 4-5 % of `bench --v2x on`).
    let so_far = std::sync::Mutex::new(Some(std::mem::take(&mut air.events.0)));
    let sight = air.sight();
    let rngs: Vec<Keyed> = due
        .iter()
        .map(|d| transmission_rng(air.rngs.seed, &d.0.sent, tech))
        .collect();
    let frames = usize::from(air.env.capture.rx);
    let parts = par::chunks(air.threads, &jobs, |chunk| {
        let first = std::ptr::eq(chunk.as_ptr(), jobs.as_ptr());
        let mut events = first
            .then(|| so_far.lock().ok().and_then(|mut e| e.take()))
            .flatten()
            .unwrap_or_default();
        events.reserve(chunk.len() * (1 + frames));
        let mut noise = NoiseMw {
            dbm: f32::NAN,
            mw: f64::NAN,
        };
        let mut out = Decided {
            outcomes: Vec::with_capacity(chunk.len()),
            events,
            seen: Vec::new(),
        };
        for &(i, k) in chunk {
            let (pending, overlap, end_us) = &due[i as usize];
            let c = &pending.candidates[k as usize];
            let mut rng = reception_draws(&rngs[i as usize], c.id, 1);
            let rx = (c, &mut noise);
            let decided = decode(&sight, &mut out.seen, (tech, p), rx, overlap, &mut rng)
                .and_then(|()| burst_loss(pending.burst_loss, &mut rng))
                .map(|()| end_us - pending.sent.sent_us + pending.spike_us);
            let outcome = expire(sight.env.lifetime_us, decided);
            if let (Ok(lat), true) = (decided, sight.env.capture.rx) {
                let at = pending.sent.sent_us + lat;
                out.events
                    .push(frame(&pending.sent, (tech, p), at, Some((c.id, c.rx_dbm))));
            }
            let (r, d) = (c.station(), f64::from(c.d));
            out.events
                .push(reception(&pending.sent, tech, &r, d, outcome));
            out.outcomes.push(outcome);
        }
        out
    });
    let mut parts = parts.into_iter();
    let mut outcomes = Vec::new();
    if let Some(part) = parts.next() {
        (air.events.0, outcomes) = (part.events, part.outcomes);
        remember(air.env, part.seen);
    }
    let rest: Vec<Decided> = parts.collect();
    outcomes.reserve(jobs.len() - outcomes.len());
    air.events
        .0
        .reserve(rest.iter().map(|p| p.events.len()).sum());
    for part in rest {
        outcomes.extend(part.outcomes);
        air.events.0.extend(part.events);
        remember(air.env, part.seen);
    }
    outcomes
}

/// A noise floor in mW with the dBm it came from: the receivers of a step share one floor unless
/// jammed, so a chunk of decodings converts it once instead of with a `powf` per reception.
struct NoiseMw {
    dbm: f32,
    mw: f64,
}

impl NoiseMw {
    fn of(&mut self, dbm: f32) -> f64 {
        if self.dbm.to_bits() != dbm.to_bits() {
            *self = NoiseMw {
                dbm,
                mw: dbm_to_mw(f64::from(dbm)),
            };
        }
        self.mw
    }
}

/// Whether a receiver decodes: not while transmitting itself (half duplex); else on its SINR
/// over every co-channel transmission, lost as a collision when the signal alone would have
/// got through.
fn decode(
    sight: &Sight,
    seen: &mut Vec<Seen>,
    (tech, p): (Tech, &SidelinkSpec),
    (c, noise): (&Candidate, &mut NoiseMw),
    overlap: &Overlap,
    rng: &mut Keyed,
) -> Result<(), LossReason> {
    if overlap.talking.contains(&c.id) {
        return Err(LossReason::HalfDuplex);
    }
    let (rx_dbm, noise_dbm) = (f64::from(c.rx_dbm), f64::from(c.noise_dbm));
    let snr = rx_dbm - noise_dbm;
    let hopeless = p.error_curve == ErrorCurve::Step && snr < p.sinr_threshold_db;
    let mut interference_mw = 0.0;
    // Interference only matters where the signal alone would get through.
    if !hopeless && !overlap.co_channel.is_empty() {
        let to = sight.antenna(c.at());
        for (from, power_db) in &overlap.co_channel {
            let los = sight.los(from, &to, seen);
            interference_mw +=
                mean_rx_mw(sight.env, tech, los, from.at, to.at) * db_to_ratio(*power_db);
        }
    }
    let sinr = if interference_mw > 0.0 {
        rx_dbm - mw_to_dbm(noise.of(c.noise_dbm) + interference_mw)
    } else {
        snr
    };
    if decodes(sinr, p.sinr_threshold_db, p.error_curve, rng) {
        Ok(())
    } else if interference_mw > 0.0 && snr >= p.sinr_threshold_db {
        Err(LossReason::Collision)
    } else {
        Err(LossReason::BelowThreshold)
    }
}

/// An injected burst loss (a `RadioFault` event) takes a decoded message with this probability
/// (no draw without one).
fn burst_loss(probability: f64, rng: &mut Keyed) -> Result<(), LossReason> {
    if probability > 0.0 && rng.random::<f64>() < probability {
        Err(LossReason::Injected)
    } else {
        Ok(())
    }
}

#[cfg(test)]
#[path = "sidelink_tests.rs"]
mod tests;

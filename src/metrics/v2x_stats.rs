//! Streaming V2X statistics: counters, a log-binned latency histogram and delivery by distance
//! per (message type, technology). Nothing per message is kept, so memory does not grow with
//! run length (traces go to disk through the trace writer instead).
use std::collections::BTreeMap;

use super::aoi::{AOI_RANGE_M, AgeOfInformation};
use super::report::{MsgStats, Percentiles, round};
use crate::clock::ms_from_us;
use crate::par::{self, Threads};
use crate::radio::outcome::{AirEvent, LossReason, Reception};
use crate::scenario::spec::{MsgType, Tech};

/// Relative width of a latency bin: 0.5 %, so percentiles are exact to ±0.25 %.
const BIN_RATIO: f64 = 1.005;
/// 1 / ln(BIN_RATIO), precomputed.
const INV_LN_RATIO: f64 = 200.499_584_371_717_3;
/// Distance bins of 10 m up to 2 km; the report aggregates them to 50 m.
const DIST_BIN: f64 = 10.0;
const DIST_BINS: usize = 200;

/// Histogram bin of a latency, µs, by its logarithm.
fn bin_ln(lat_us: u64) -> usize {
    ((lat_us.max(1) as f64).ln() * INV_LN_RATIO) as usize
}

/// Latencies below this have their bin tabulated, µs (65.5 ms: nearly every delivery).
const BIN_TABLE_US: u64 = 1 << 16;

/// Histogram bin of a latency, µs: one table lookup below 65.5 ms instead of a logarithm for
/// every delivery (bins up to 2,224 fit in a u16).
fn bin_of(lat_us: u64) -> usize {
    static TABLE: std::sync::LazyLock<Vec<u16>> =
        std::sync::LazyLock::new(|| (0..BIN_TABLE_US).map(|l| bin_ln(l) as u16).collect());
    if lat_us < BIN_TABLE_US {
        usize::from(TABLE[lat_us as usize])
    } else {
        bin_ln(lat_us)
    }
}

/// Aggregates of one (message type, technology).
#[derive(Debug, Clone)]
pub struct MsgAgg {
    pub sent: u64,
    pub attempts: u64,
    pub delivered: u64,
    /// Latency histogram: bin k holds latencies in [BIN_RATIO^k, BIN_RATIO^(k+1)) µs (a flat
    /// vector: one increment per delivery, no allocation once grown).
    hist: Vec<u64>,
    max_us: u64,
    age_sum_ms: f64,
    age_n: u64,
    /// (attempts, delivered) per 10 m of sender-receiver distance.
    by_dist: Vec<(u64, u64)>,
    /// Attempts lost, by reason (its place in `LossReason::ALL`).
    lost: [u64; LossReason::ALL.len()],
}

impl MsgAgg {
    /// Reception attempts lost for `reason`.
    pub fn lost(&self, reason: LossReason) -> u64 {
        self.lost[reason as usize]
    }
}

impl Default for MsgAgg {
    fn default() -> Self {
        MsgAgg {
            sent: 0,
            attempts: 0,
            delivered: 0,
            hist: Vec::new(),
            max_us: 0,
            age_sum_ms: 0.0,
            age_n: 0,
            by_dist: vec![(0, 0); DIST_BINS],
            lost: [0; LossReason::ALL.len()],
        }
    }
}

impl MsgAgg {
    fn dist_bin(d: f64) -> usize {
        ((d / DIST_BIN) as usize).min(DIST_BINS - 1)
    }

    /// One reception attempt at distance `d` m: delivered after `latency_us`, or lost.
    pub fn attempt(&mut self, d: f64, outcome: Result<u64, LossReason>) {
        self.attempts += 1;
        let b = Self::dist_bin(d);
        self.by_dist[b].0 += 1;
        match outcome {
            Ok(lat) => {
                self.delivered += 1;
                self.by_dist[b].1 += 1;
                let k = bin_of(lat);
                if k >= self.hist.len() {
                    self.hist.resize(k + 1, 0);
                }
                self.hist[k] += 1;
                self.max_us = self.max_us.max(lat);
            }
            Err(r) => self.lost[r as usize] += 1,
        }
    }

    /// Add another's reception attempts (counts, latency histogram, distances, losses) to
    /// these: integer sums, so the order of adding never shows.
    fn add_attempts(&mut self, a: &MsgAgg) {
        self.attempts += a.attempts;
        self.delivered += a.delivered;
        if self.hist.len() < a.hist.len() {
            self.hist.resize(a.hist.len(), 0);
        }
        for (o, c) in self.hist.iter_mut().zip(&a.hist) {
            *o += c;
        }
        self.max_us = self.max_us.max(a.max_us);
        for (o, x) in self.by_dist.iter_mut().zip(&a.by_dist) {
            o.0 += x.0;
            o.1 += x.1;
        }
        for (o, x) in self.lost.iter_mut().zip(a.lost) {
            *o += x;
        }
    }

    /// Age of information at a receiver when a new message arrived, ms.
    pub fn age(&mut self, age_ms: f64) {
        self.age_sum_ms += age_ms;
        self.age_n += 1;
    }

    /// Latency percentile `p` (0-100], ms, from the histogram (bin geometric centre).
    pub fn percentile_ms(&self, p: f64) -> Option<f64> {
        let n: u64 = self.hist.iter().sum();
        if n == 0 {
            return None;
        }
        let rank = ((p / 100.0) * n as f64).ceil().max(1.0) as u64;
        let mut acc = 0;
        for (k, &c) in self.hist.iter().enumerate() {
            acc += c;
            if acc >= rank {
                let us = BIN_RATIO.powf(k as f64 + 0.5);
                return Some((us / 1e3).min(ms_from_us(self.max_us)));
            }
        }
        Some(ms_from_us(self.max_us))
    }

    /// Delivery ratio of attempts within `within_m` of the sender.
    pub fn ratio_within(&self, within_m: f64) -> Option<f64> {
        let bins = ((within_m / DIST_BIN).ceil() as usize).min(DIST_BINS);
        let (a, d) = self.by_dist[..bins]
            .iter()
            .fold((0, 0), |(a, d), (x, y)| (a + x, d + y));
        (a > 0).then(|| d as f64 / a as f64)
    }

    pub fn stats(&self, msg: MsgType, tech: Tech) -> MsgStats {
        let pct = |p| self.percentile_ms(p).map(|x| round(x, 3));
        let mut pdr = Vec::new();
        for (i, chunk) in self.by_dist.chunks(5).enumerate() {
            let (a, d) = chunk.iter().fold((0, 0), |(a, d), (x, y)| (a + x, d + y));
            if a > 0 {
                pdr.push((i as f64 * 50.0, a, d));
            }
        }
        MsgStats {
            msg: msg.name().into(),
            tech: tech.name().into(),
            sent: self.sent,
            attempts: self.attempts,
            delivered: self.delivered,
            delivery_ratio: (self.attempts > 0)
                .then(|| round(self.delivered as f64 / self.attempts as f64, 4)),
            latency_ms: pct(50.0).map(|p50| Percentiles {
                p50,
                p95: pct(95.0).unwrap_or(p50),
                p99: pct(99.0).unwrap_or(p50),
                max: round(ms_from_us(self.max_us), 3),
            }),
            mean_age_ms: (self.age_n > 0).then(|| round(self.age_sum_ms / self.age_n as f64, 2)),
            pdr_by_distance: pdr,
            lost: LossReason::ALL
                .iter()
                .zip(self.lost)
                .filter(|(_, n)| *n > 0)
                .map(|(r, n)| (r.name().to_string(), n))
                .collect(),
        }
    }
}

/// All V2X aggregates of a run, keyed by (message type, technology).
#[derive(Debug, Clone, Default)]
pub struct V2xLog {
    pub by: BTreeMap<(MsgType, Tech), MsgAgg>,
    /// Channel busy ratio samples per technology: (sum, count).
    pub cbr: BTreeMap<Tech, (f64, u64)>,
    /// Load of each gNB (by id) every 100 ms: (sum, count).
    pub cell_load: BTreeMap<String, (f64, u64)>,
    /// Age of information per (message, technology, receiver, sender).
    aoi: AgeOfInformation,
}

impl V2xLog {
    /// Count the step's events of the air: every reception attempt's counts on the world's
    /// threads (`par::chunks`; integer sums, so any split adds up the same), then in order
    /// what depends on order (messages sent, loads, age of information).
    pub fn note_all(&mut self, events: &[AirEvent], threads: Threads) {
        let parts = par::chunks(threads, events, |chunk| {
            let mut by: BTreeMap<(MsgType, Tech), MsgAgg> = BTreeMap::new();
            for e in chunk {
                if let AirEvent::Reception(r) = e {
                    let agg = by.entry((r.msg, r.tech)).or_default();
                    agg.attempt(r.distance, r.outcome);
                }
            }
            by
        });
        for part in parts {
            for (key, a) in part {
                self.by.entry(key).or_default().add_attempts(&a);
            }
        }
        for e in events {
            self.note_in_order(e);
        }
    }

    /// What of an event counts in order: all but the attempts' counts.
    fn note_in_order(&mut self, e: &AirEvent) {
        match e {
            AirEvent::Frame(_) => {}
            AirEvent::Sent { msg, tech, cbr } => {
                if let Some(cbr) = cbr {
                    let c = self.cbr.entry(*tech).or_insert((0.0, 0));
                    c.0 += cbr;
                    c.1 += 1;
                }
                self.agg(*msg, *tech).sent += 1;
            }
            AirEvent::CellLoad { gnb, load } => {
                let c = self.cell_load.entry(gnb.to_string()).or_default();
                c.0 += load;
                c.1 += 1;
            }
            AirEvent::Reception(r) => self.age_at(r),
        }
    }

    /// The age of information a delivery ended at a receiver that uses it (an automated
    /// vehicle within [`AOI_RANGE_M`] of the sender).
    fn age_at(&mut self, r: &Reception) {
        if let Ok(lat) = r.outcome
            && r.to_acts
            && r.distance <= AOI_RANGE_M
            && let Some(age_us) =
                self.aoi
                    .update(r.msg, r.tech, r.to, r.from, r.sent_us, r.sent_us + lat)
        {
            self.agg(r.msg, r.tech).age(ms_from_us(age_us));
        }
    }

    pub fn agg(&mut self, msg: MsgType, tech: Tech) -> &mut MsgAgg {
        self.by.entry((msg, tech)).or_default()
    }

    /// Merge the aggregates of `msg` over technologies (or only `tech`).
    pub fn merged(&self, msg: MsgType, tech: Option<Tech>) -> MsgAgg {
        let mut out = MsgAgg::default();
        for ((m, t), a) in &self.by {
            if *m != msg || tech.is_some_and(|x| x != *t) {
                continue;
            }
            out.sent += a.sent;
            out.add_attempts(a);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn losses_are_counted_by_reason_and_reported_in_declaration_order() {
        // Counts sit at each reason's place in `ALL`, which must be its declaration order.
        for (i, r) in LossReason::ALL.iter().enumerate() {
            assert_eq!(*r as usize, i, "{r:?}");
        }
        let mut a = MsgAgg::default();
        for r in [
            LossReason::Residual,
            LossReason::Collision,
            LossReason::Residual,
        ] {
            a.attempt(5.0, Err(r));
        }
        assert_eq!(a.lost(LossReason::Residual), 2);
        assert_eq!(a.lost(LossReason::HalfDuplex), 0);
        let lost = a.stats(MsgType::Cam, Tech::Pc5).lost;
        assert_eq!(lost, [("collision".into(), 1), ("residual_loss".into(), 2)]);
    }

    #[test]
    fn tabulated_bins_equal_the_logarithm() {
        for lat in (0..BIN_TABLE_US)
            .step_by(7)
            .chain([BIN_TABLE_US - 1, 1, 2, 999, 1000])
        {
            assert_eq!(bin_of(lat), bin_ln(lat), "{lat}");
        }
        assert_eq!(bin_of(BIN_TABLE_US), bin_ln(BIN_TABLE_US));
        assert!(bin_ln(BIN_TABLE_US - 1) < usize::from(u16::MAX));
    }

    #[test]
    fn percentiles_from_the_histogram_are_within_half_a_percent() {
        let mut a = MsgAgg::default();
        for us in 1..=10_000u64 {
            a.attempt(5.0, Ok(us * 10));
        }
        // True p50 = 50 ms, p99 = 99 ms.
        let p50 = a.percentile_ms(50.0).unwrap();
        let p99 = a.percentile_ms(99.0).unwrap();
        assert!((p50 / 50.0 - 1.0).abs() < 0.005, "{p50}");
        assert!((p99 / 99.0 - 1.0).abs() < 0.005, "{p99}");
        assert_eq!(a.percentile_ms(100.0).unwrap(), 100.0);
    }

    #[test]
    fn delivery_ratio_counts_only_attempts_within_range() {
        let mut a = MsgAgg::default();
        a.attempt(10.0, Ok(100));
        a.attempt(250.0, Err(LossReason::BelowThreshold));
        a.attempt(450.0, Err(LossReason::BelowThreshold));
        assert_eq!(a.ratio_within(300.0), Some(0.5));
        assert_eq!(a.ratio_within(100.0), Some(1.0));
    }
}

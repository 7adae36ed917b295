//! Reading the figures (recorder, latency sparkline, expectations) from the simulation.
use std::time::{Duration, Instant};

use bevy::prelude::*;

use super::{SPARK_N, Stats, TypeStats};
use crate::metrics::Recorder;
use crate::metrics::report::{CollisionRecord, WarningRecord};
use crate::scenario::spec::MsgType;
use crate::viz::messages::VizMessages;
use crate::viz::sim::SimHost;

/// Read the recorder (and, once a second, the expectations) from the simulation.
pub fn refresh(mut host: NonSendMut<SimHost>, mut stats: ResMut<Stats>, msgs: Res<VizMessages>) {
    let now = Instant::now();
    if stats
        .refreshed
        .is_some_and(|r| now - r < Duration::from_millis(200))
    {
        return;
    }
    stats.refreshed = Some(now);
    let clock = host.clock();
    let t = clock.t();
    let sent = stats.read(host.world().resource::<Recorder>());
    stats.update_rates(t, sent);
    stats.sample_spark(t, &msgs);
    // Expectations: the full check, at most once a second and only when time moved.
    if stats
        .verdicts_at
        .is_none_or(|(at, step)| step != clock.step && now - at > Duration::from_secs(1))
    {
        stats.verdicts_at = Some((now, clock.step));
        stats.verdicts = crate::metrics::report(host.world_mut()).expectations;
        let end = host.world().resource::<crate::sim::SpecRes>().0.duration;
        stats.verdicts_final = t >= end - 1e-9;
    }
}

/// The figures of a recorded run (`view --replay`) at the clock's time: what the report dates
/// (arrivals, collisions, warnings, marks) as far as the clock has come; the message counts,
/// rates and verdicts as the run ended (the report does not date them).
pub fn replayed(
    host: NonSend<SimHost>,
    pb: Res<crate::viz::playback::Playback>,
    mut stats: ResMut<Stats>,
    msgs: Res<VizMessages>,
    mut once: Local<bool>,
) {
    let t = host.clock().t();
    let r = &pb.report;
    stats.arrived = r
        .vehicles
        .iter()
        .filter(|v| v.arrive_s.is_some_and(|a| a <= t))
        .count();
    stats.safety(
        r.collisions.iter().filter(|c| c.time_s <= t),
        r.warnings.iter().filter(|w| w.received_s <= t),
    );
    stats.hard_brakings = r.summary.hard_brakings;
    if !std::mem::replace(&mut *once, true) {
        stats.marks = pb.replay.marks.iter().map(|m| (m.t, m.kind)).collect();
        stats.verdicts = r.expectations.clone();
        stats.verdicts_final = true;
        stats.recorded_types(r);
    }
    stats.sample_spark(t, &msgs);
}

impl Stats {
    /// Collisions and hazard warnings so far, with the last of each.
    fn safety<'a>(
        &mut self,
        collisions: impl Iterator<Item = &'a CollisionRecord>,
        warnings: impl Iterator<Item = &'a WarningRecord>,
    ) {
        let (n, last) = collisions.fold((0, None), |(n, _), c| (n + 1, Some(c)));
        self.collisions = n;
        self.last_collision = last.map(|c| format!("{} / {} at {:.1} s", c.a, c.b, c.time_s));
        let (n, last) = warnings.fold((0, None), |(n, _), w| (n + 1, Some(w)));
        self.warnings = n;
        self.last_warning = last.map(|w| {
            let by = w.kind.to_uppercase();
            format!("{}: {} ({by}, {:.1} s)", w.vehicle, w.hazard, w.received_s)
        });
    }

    /// The report's message figures per type (over every technology; latency of the one that
    /// delivered most), with the run's mean send rate.
    fn recorded_types(&mut self, r: &crate::metrics::report::Report) {
        for (i, m) in MsgType::ALL.iter().enumerate() {
            let rows: Vec<_> = r.v2x.by_type.iter().filter(|s| s.msg == m.name()).collect();
            let lat = rows
                .iter()
                .max_by_key(|s| s.delivered)
                .and_then(|s| s.latency_ms.as_ref());
            let sent = rows.iter().map(|s| s.sent).sum::<u64>();
            self.types[i] = TypeStats {
                sent,
                attempts: rows.iter().map(|s| s.attempts).sum(),
                delivered: rows.iter().map(|s| s.delivered).sum(),
                p50: lat.map(|l| l.p50),
                p99: lat.map(|l| l.p99),
                rate: sent as f64 / r.sim_time_s.max(1e-9),
            };
        }
        let no_cov = crate::radio::outcome::LossReason::NoCoverage.name();
        self.no_coverage = r
            .v2x
            .by_type
            .iter()
            .flat_map(|s| &s.lost)
            .filter(|(why, _)| why == no_cov)
            .map(|(_, n)| n)
            .sum();
    }

    /// Copy the recorder's figures; returns the messages sent so far per type.
    fn read(&mut self, rec: &Recorder) -> [u64; MsgType::COUNT] {
        self.arrived = rec.finished.iter().filter(|v| v.arrive_s.is_some()).count();
        self.safety(rec.collisions.iter(), rec.warnings.iter());
        self.hard_brakings = rec.hard_brakings;
        use crate::replay::MarkKind;
        let warned = rec
            .warnings
            .iter()
            .map(|w| (w.received_s, MarkKind::Warning));
        let hit = rec
            .collisions
            .iter()
            .map(|c| (c.time_s, MarkKind::Collision));
        self.marks = warned.chain(hit).collect();
        let mut sent = [0u64; MsgType::COUNT];
        self.no_coverage = 0;
        for (i, m) in MsgType::ALL.iter().enumerate() {
            let agg = rec.v2x.merged(*m, None);
            self.no_coverage += agg.lost(crate::radio::outcome::LossReason::NoCoverage);
            sent[i] = agg.sent;
            self.types[i] = TypeStats {
                sent: agg.sent,
                attempts: agg.attempts,
                delivered: agg.delivered,
                p50: agg.percentile_ms(50.0),
                p99: agg.percentile_ms(99.0),
                rate: self.types[i].rate,
            };
        }
        sent
    }

    /// Send rates over the last ~2 s of simulated time (the average so far when there is too
    /// little history: just started, or time jumped back).
    fn update_rates(&mut self, t: f64, sent: [u64; MsgType::COUNT]) {
        if self.sent_history.back().is_some_and(|(t0, _)| *t0 > t) {
            self.sent_history.clear();
        }
        self.sent_history.push_back((t, sent));
        while self.sent_history.len() > 2 && self.sent_history[1].0 <= t - 2.0 {
            self.sent_history.pop_front();
        }
        let (t0, s0) = match self.sent_history.front() {
            Some(&(t0, s0)) if t - t0 > 0.5 => (t0, s0),
            _ => (0.0, [0; MsgType::COUNT]),
        };
        if t - t0 > 1e-6 {
            for i in 0..5 {
                self.types[i].rate = (sent[i] - s0[i].min(sent[i])) as f64 / (t - t0);
            }
        }
    }

    /// The sparkline: one sample per simulated second, the p99 latency of the deliveries in
    /// that second, or the cumulative p99 when the view saw none.
    fn sample_spark(&mut self, t: f64, msgs: &VizMessages) {
        let sec = t.floor() as i64;
        if sec < self.spark_sec {
            self.spark.clear();
        }
        if sec == self.spark_sec {
            return;
        }
        self.spark_sec = sec;
        let lat: Vec<f64> = msgs
            .0
            .iter()
            .filter(|e| e.delivered && e.t_recv > t - 1.0 && e.t_recv <= t)
            .map(|e| e.latency_ms)
            .collect();
        let live = p99(lat);
        self.spark_live = live.is_some();
        let sample = live.or_else(|| self.types.iter().filter_map(|s| s.p99).reduce(f64::max));
        self.spark.push_back(sample);
        while self.spark.len() > SPARK_N {
            self.spark.pop_front();
        }
    }
}

/// The 99th percentile by the nearest-rank method (the smallest value with at least 99 % of the
/// samples at or below it), None for no samples.
fn p99(mut lat: Vec<f64>) -> Option<f64> {
    if lat.is_empty() {
        return None;
    }
    lat.sort_by(f64::total_cmp);
    Some(lat[((lat.len() as f64 * 0.99).ceil() as usize).clamp(1, lat.len()) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p99_is_the_nearest_rank() {
        assert_eq!(p99(vec![]), None);
        assert_eq!(p99(vec![7.0]), Some(7.0));
        // 100 samples: rank ceil(99) = 99, the second largest.
        let v: Vec<f64> = (1..=100).rev().map(f64::from).collect();
        assert_eq!(p99(v), Some(99.0));
        // 10 samples: rank ceil(9.9) = 10, the largest.
        assert_eq!(p99((1..=10).map(f64::from).collect()), Some(10.0));
    }

    #[test]
    fn rates_average_over_the_last_two_seconds() {
        let mut s = Stats::default();
        // 10 CAMs a second, steadily.
        for k in 0..=10 {
            let t = k as f64 * 0.5;
            let mut sent = [0; MsgType::COUNT];
            sent[0] = (t * 10.0) as u64;
            s.update_rates(t, sent);
        }
        assert!((s.types[0].rate - 10.0).abs() < 1e-9, "{}", s.types[0].rate);
        // The window holds about two seconds, not the whole run.
        let span = s.sent_history.back().map(|b| b.0).unwrap_or(0.0)
            - s.sent_history.front().map(|f| f.0).unwrap_or(0.0);
        assert!((2.0..=2.5).contains(&span), "{span}");
        // Time jumps back (a restart): the average since the start.
        let mut sent = [0; MsgType::COUNT];
        sent[0] = 4;
        s.update_rates(1.0, sent);
        assert!((s.types[0].rate - 4.0).abs() < 1e-9);
    }
}

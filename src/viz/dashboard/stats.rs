//! Reading the figures (recorder, latency sparkline, expectations) from the simulation.
use std::time::{Duration, Instant};

use bevy::prelude::*;

use super::{SPARK_N, Stats, TypeStats};
use crate::metrics::Recorder;
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
    {
        let world = host.world();
        let rec = world.resource::<Recorder>();
        stats.arrived = rec.finished.iter().filter(|v| v.arrive_s.is_some()).count();
        stats.collisions = rec.collisions.len();
        stats.last_collision = rec
            .collisions
            .last()
            .map(|c| format!("{} / {} at {:.1} s", c.a, c.b, c.time_s));
        stats.hard_brakings = rec.hard_brakings;
        stats.warnings = rec.warnings.len();
        stats.last_warning = rec
            .warnings
            .last()
            .map(|w| format!("{} <- {} at {:.1} s", w.vehicle, w.hazard, w.received_s));
        let mut sent = [0u64; 5];
        for (i, m) in MsgType::ALL.iter().enumerate() {
            let agg = rec.v2x.merged(*m, None);
            sent[i] = agg.sent;
            stats.types[i] = TypeStats {
                sent: agg.sent,
                attempts: agg.attempts,
                delivered: agg.delivered,
                p50: agg.percentile_ms(50.0),
                p99: agg.percentile_ms(99.0),
                rate: stats.types[i].rate,
            };
        }
        // Rates over the last ~2 s of simulated time.
        if stats.sent_history.back().is_some_and(|(t0, _)| *t0 > t) {
            stats.sent_history.clear();
        }
        stats.sent_history.push_back((t, sent));
        while stats.sent_history.len() > 2 && stats.sent_history[1].0 <= t - 2.0 {
            stats.sent_history.pop_front();
        }
        let (t0, s0) = match stats.sent_history.front() {
            Some(&(t0, s0)) if t - t0 > 0.5 => (t0, s0),
            // Too little history (just started, or a jump): the average so far.
            _ => (0.0, [0; 5]),
        };
        if t - t0 > 1e-6 {
            for i in 0..5 {
                stats.types[i].rate = (sent[i] - s0[i].min(sent[i])) as f64 / (t - t0);
            }
        }
    }
    // Sparkline: one sample per simulated second.
    let sec = t.floor() as i64;
    if sec < stats.spark_sec {
        stats.spark.clear();
    }
    if sec != stats.spark_sec {
        stats.spark_sec = sec;
        let mut lat: Vec<f64> = msgs
            .0
            .iter()
            .filter(|e| e.delivered && e.t_recv > t - 1.0 && e.t_recv <= t)
            .map(|e| e.latency_ms)
            .collect();
        let sample = if lat.is_empty() {
            stats.spark_live = false;
            stats.types.iter().filter_map(|s| s.p99).reduce(f64::max)
        } else {
            stats.spark_live = true;
            lat.sort_by(f64::total_cmp);
            Some(lat[((lat.len() as f64 * 0.99).ceil() as usize).clamp(1, lat.len()) - 1])
        };
        stats.spark.push_back(sample);
        while stats.spark.len() > SPARK_N {
            stats.spark.pop_front();
        }
    }
    // Expectations: the full check, at most once a second and only when time moved.
    if stats
        .verdicts_at
        .is_none_or(|(at, step)| step != clock.step && now - at > Duration::from_secs(1))
    {
        stats.verdicts_at = Some((now, clock.step));
        stats.verdicts = crate::metrics::report(host.app.world_mut()).expectations;
    }
}

//! Verdicts: each expectation of the scenario checked against what was recorded.
use super::recorder::round;
use super::report::{CollisionRecord, VehicleResult, Verdict, WarningRecord};
use super::v2x_stats::V2xLog;
use crate::scenario::spec::{Expectation, MsgType, Tech};

/// What the verdicts are computed from.
pub struct Evidence<'a> {
    pub vehicles: &'a [VehicleResult],
    pub collisions: &'a [CollisionRecord],
    pub warnings: &'a [WarningRecord],
    pub v2x: &'a V2xLog,
    /// (stop, vehicle index, time) of every served bus stop.
    pub stops_served: &'a [(String, u32, f64)],
    /// Brakings beyond the comfortable deceleration not caused by a vehicle ahead: (count, the
    /// first one's vehicle and time).
    pub uncomfortable: &'a (u32, Option<(String, f64)>),
    pub end_s: f64,
}

fn verdict(e: &Expectation, passed: bool, measured: String, wanted: String) -> Verdict {
    Verdict {
        expectation: ron::to_string(e).unwrap_or_else(|_| format!("{e:?}")),
        passed,
        measured,
        wanted,
    }
}

/// Vehicles of a group: `automated`, `human`, a flow id, or one vehicle id.
fn group<'a>(vs: &'a [VehicleResult], of: &'a str) -> impl Iterator<Item = &'a VehicleResult> {
    vs.iter().filter(move |v| match of {
        "automated" => v.automated,
        "human" => !v.automated,
        "all" => true,
        _ => v.id == of || v.flow.as_deref() == Some(of),
    })
}

fn mean(xs: impl Iterator<Item = f64>) -> Option<f64> {
    let (s, n) = xs.fold((0.0, 0u32), |(s, n), x| (s + x, n + 1));
    (n > 0).then(|| s / f64::from(n))
}

/// Whether an expectation held, what was measured and what was wanted.
type Outcome = (bool, String, String);

pub fn check(e: &Expectation, ev: &Evidence) -> Verdict {
    let (passed, measured, wanted) = match e {
        Expectation::NoCollisions => no_collisions(ev),
        Expectation::ComfortableBraking => {
            let (n, first) = ev.uncomfortable;
            let first = first
                .as_ref()
                .map(|(id, t)| format!(" (first: {id} at {t:.2} s)"))
                .unwrap_or_default();
            (
                *n == 0,
                format!("{n} brakings beyond the comfortable deceleration{first}"),
                "0 but for vehicles ahead".into(),
            )
        }
        Expectation::Collisions { min, max } => collisions(ev, *min, *max),
        Expectation::AllArrived { by } => all_arrived(ev, *by),
        Expectation::MaxTravelTime { of, max_s } => max_travel_time(ev, of, *max_s),
        Expectation::MinTimeToCollision { s } => min_ttc(ev, *s),
        Expectation::MaxStops { of, max } => max_stops(ev, of, *max),
        Expectation::AutomatedFewerStops => automated_fewer_stops(ev),
        Expectation::Latency {
            msg,
            percentile,
            below_ms,
            tech,
        } => latency(ev, *msg, *percentile, *below_ms, *tech),
        Expectation::DeliveryRatio {
            msg,
            within_m,
            at_least,
            tech,
        } => delivery_ratio(ev, *msg, *within_m, *at_least, *tech),
        Expectation::WarningLeadTime { at_least_s } => warning_lead_time(ev, *at_least_s),
        Expectation::MaxHeadway { max_s } => {
            let h = max_headway(ev.stops_served);
            let ok = h.is_some_and(|h| h <= *max_s);
            let measured = h.map_or("fewer than two buses served a stop".into(), |h| {
                format!("largest headway {h:.1} s")
            });
            (ok, measured, format!("≤ {max_s} s"))
        }
        Expectation::MinDelivered { msg, count } => {
            let n = ev.v2x.merged(*msg, None).delivered;
            let measured = format!("{n} {} delivered", msg.name());
            (n >= *count, measured, format!("≥ {count}"))
        }
    };
    verdict(e, passed, measured, wanted)
}

fn no_collisions(ev: &Evidence) -> Outcome {
    let n = ev.collisions.len();
    let first = ev
        .collisions
        .first()
        .map(|c| format!(" (first: {} and {} at {:.2} s)", c.a, c.b, c.time_s))
        .unwrap_or_default();
    (
        n == 0,
        format!("{n} collisions{first}"),
        "0 collisions".into(),
    )
}

fn collisions(ev: &Evidence, min: u32, max: Option<u32>) -> Outcome {
    let n = ev.collisions.len() as u32;
    let ok = n >= min && max.is_none_or(|m| n <= m);
    let wanted = match max {
        Some(m) => format!("{min}..={m} collisions"),
        None => format!("at least {min} collisions"),
    };
    (ok, format!("{n} collisions"), wanted)
}

fn all_arrived(ev: &Evidence, by: f64) -> Outcome {
    let late: Vec<&VehicleResult> = ev
        .vehicles
        .iter()
        .filter(|v| v.arrive_s.is_none_or(|a| a > by))
        .collect();
    let measured = match late.first() {
        None => format!("all {} arrived", ev.vehicles.len()),
        Some(v) => format!(
            "{} of {} not arrived by {by} s (e.g. {})",
            late.len(),
            ev.vehicles.len(),
            v.id
        ),
    };
    (late.is_empty(), measured, format!("all arrived by {by} s"))
}

fn max_travel_time(ev: &Evidence, of: &str, max_s: f64) -> Outcome {
    let m = mean(group(ev.vehicles, of).filter_map(|v| v.travel_time_s));
    let ok = m.is_some_and(|m| m <= max_s);
    let measured = m.map_or(format!("no vehicle of {of} arrived"), |m| {
        format!("mean travel time of {of} {:.1} s", m)
    });
    (ok, measured, format!("≤ {max_s} s"))
}

fn min_ttc(ev: &Evidence, s: f64) -> Outcome {
    let m = ev
        .vehicles
        .iter()
        .filter_map(|v| v.min_ttc_s)
        .min_by(f64::total_cmp);
    let ok = m.is_none_or(|m| m >= s);
    let measured = m.map_or("no closing-in follower".into(), |m| {
        format!("min TTC {m:.2} s")
    });
    (ok, measured, format!("≥ {s} s"))
}

fn max_stops(ev: &Evidence, of: &str, max: f64) -> Outcome {
    let m = mean(group(ev.vehicles, of).map(|v| f64::from(v.stops)));
    let ok = m.is_some_and(|m| m <= max);
    let measured = m.map_or(format!("no vehicle of {of}"), |m| {
        format!("mean stops of {of} {m:.2}")
    });
    (ok, measured, format!("≤ {max}"))
}

fn automated_fewer_stops(ev: &Evidence) -> Outcome {
    let a = mean(group(ev.vehicles, "automated").map(|v| f64::from(v.stops)));
    let h = mean(group(ev.vehicles, "human").map(|v| f64::from(v.stops)));
    let ok = matches!((a, h), (Some(a), Some(h)) if a < h);
    let f = |x: Option<f64>| x.map_or("n/a".to_string(), |x| format!("{x:.2}"));
    (
        ok,
        format!("mean stops automated {} vs human {}", f(a), f(h)),
        "automated < human".into(),
    )
}

fn latency(
    ev: &Evidence,
    msg: MsgType,
    percentile: f64,
    below_ms: f64,
    tech: Option<Tech>,
) -> Outcome {
    let agg = ev.v2x.merged(msg, tech);
    let p = agg.percentile_ms(percentile);
    let ok = p.is_some_and(|p| p < below_ms);
    let measured = p.map_or(format!("no {} delivered", msg.name()), |p| {
        format!(
            "{} p{percentile} = {:.3} ms over {} deliveries",
            msg.name(),
            round(p, 3),
            agg.delivered
        )
    });
    (ok, measured, format!("< {below_ms} ms"))
}

fn delivery_ratio(
    ev: &Evidence,
    msg: MsgType,
    within_m: f64,
    at_least: f64,
    tech: Option<Tech>,
) -> Outcome {
    let agg = ev.v2x.merged(msg, tech);
    let r = agg.ratio_within(within_m);
    let ok = r.is_some_and(|r| r >= at_least);
    let measured = r.map_or(format!("no {} reception attempted", msg.name()), |r| {
        format!(
            "{} delivery ratio within {within_m} m = {:.4}",
            msg.name(),
            r
        )
    });
    (ok, measured, format!("≥ {at_least}"))
}

fn warning_lead_time(ev: &Evidence, at_least_s: f64) -> Outcome {
    let leads: Vec<f64> = ev.warnings.iter().filter_map(|w| w.lead_time_s).collect();
    let m = leads.iter().copied().min_by(f64::total_cmp);
    let ok = m.is_some_and(|m| m >= at_least_s);
    let measured = m.map_or(
        "no warning reached a vehicle before its hazard".into(),
        |m| format!("min lead time {m:.2} s over {} warnings", leads.len()),
    );
    (ok, measured, format!("≥ {at_least_s} s"))
}

/// Largest gap between consecutive services of the same stop by different visits.
pub fn max_headway(served: &[(String, u32, f64)]) -> Option<f64> {
    let mut by_stop: std::collections::BTreeMap<&str, Vec<f64>> = Default::default();
    for (stop, _, t) in served {
        by_stop.entry(stop).or_default().push(*t);
    }
    by_stop
        .values_mut()
        .filter(|ts| ts.len() >= 2)
        .flat_map(|ts| {
            ts.sort_by(f64::total_cmp);
            ts.windows(2).map(|w| w[1] - w[0]).collect::<Vec<_>>()
        })
        .max_by(f64::total_cmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headway_is_the_largest_gap_at_any_stop() {
        let s = vec![
            ("a".to_string(), 0, 10.0),
            ("a".to_string(), 1, 130.0),
            ("b".to_string(), 0, 50.0),
            ("a".to_string(), 0, 200.0),
        ];
        assert_eq!(max_headway(&s), Some(120.0));
        assert_eq!(max_headway(&s[2..3]), None);
    }
}

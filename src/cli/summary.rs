//! The summary table printed after a run: the scenario's story in numbers.
use std::fmt::Write;

use crate::metrics::report::{Percentiles, Report, Timing};

fn opt(x: Option<f64>, unit: &str) -> String {
    x.map_or("-".into(), |x| format!("{x:.2}{unit}"))
}

pub fn table(r: &Report, timing: Option<&Timing>) -> String {
    let mut s = String::new();
    traffic(&mut s, r);
    if r.v2x.enabled {
        v2x(&mut s, r);
    }
    expectations(&mut s, r);
    if let Some(t) = timing {
        let _ = writeln!(
            s,
            "speed      {:.2} s wall, {:.0} vehicle updates/s, real-time factor {:.1}",
            t.wall_s, t.vehicle_updates_per_s, t.real_time_factor
        );
    }
    s
}

/// The run, its vehicles and their safety.
fn traffic(s: &mut String, r: &Report) {
    let _ = writeln!(
        s,
        "scenario   {} (seed {}, {:.0} s simulated, step {} ms)",
        r.scenario,
        r.seed,
        r.sim_time_s,
        r.step_s * 1000.0
    );
    let m = &r.summary;
    let _ = writeln!(
        s,
        "vehicles   {} departed, {} arrived, mean travel time {}",
        m.vehicles,
        m.arrived,
        opt(m.mean_travel_time_s, " s")
    );
    let _ = writeln!(
        s,
        "safety     {} collisions, min TTC {}, {} hard brakings, mean stops {}",
        m.collisions,
        opt(m.min_ttc_s, " s"),
        m.hard_brakings,
        opt(m.mean_stops, "")
    );
}

/// Per message type and technology: sent, receptions, PDR, latency; channel and cell load;
/// warnings. Labelled so that no figure reads as another: receptions count receivers (many per
/// message), and the PDR here is over every receiver in range, while expectations often
/// measure within a radius.
fn v2x(s: &mut String, r: &Report) {
    let _ = writeln!(
        s,
        "v2x        {:<6} {:<9} {:>9} {:>10} {:>8} {:>9} {:>9} {:>9}",
        "msg", "tech", "sent", "receptions", "PDR all", "p50 ms", "p99 ms", "max ms"
    );
    for t in &r.v2x.by_type {
        let ms = |f: fn(&Percentiles) -> f64| {
            t.latency_ms
                .as_ref()
                .map_or("-".into(), |p| format!("{:.2}", f(p)))
        };
        let _ = writeln!(
            s,
            "           {:<6} {:<9} {:>9} {:>10} {:>8} {:>9} {:>9} {:>9}",
            t.msg,
            t.tech,
            t.sent,
            t.delivered,
            t.delivery_ratio.map_or("-".into(), |x| format!("{x:.3}")),
            ms(|p| p.p50),
            ms(|p| p.p99),
            ms(|p| p.max)
        );
    }
    if !r.v2x.by_type.is_empty() {
        let _ = writeln!(
            s,
            "           (receptions: one per receiver that decoded a message; PDR all: of every \
             receiver in range, at any distance)"
        );
    }
    for (tech, cbr) in &r.v2x.channel_busy_ratio {
        let _ = writeln!(s, "           channel busy ratio {tech}: {cbr:.3}");
    }
    if !r.v2x.cell_load.is_empty() {
        let loads: Vec<String> = r
            .v2x
            .cell_load
            .iter()
            .map(|(g, l)| format!("{g} {l:.3}"))
            .collect();
        let _ = writeln!(s, "           cell load  {}", loads.join(", "));
    }
    if !r.warnings.is_empty() {
        let leads = r.warnings.iter().filter_map(|w| w.lead_time_s);
        let _ = writeln!(
            s,
            "warnings   {} hazard warnings (one per vehicle and hazard), min lead time {}",
            r.warnings.len(),
            opt(leads.min_by(f64::total_cmp), " s")
        );
    }
}

/// Each expectation with what was measured.
fn expectations(s: &mut String, r: &Report) {
    let passed = r.expectations.iter().filter(|v| v.passed).count();
    let _ = writeln!(
        s,
        "expect     {passed} passed, {} failed",
        r.expectations.len() - passed
    );
    for v in &r.expectations {
        let _ = writeln!(
            s,
            "  {} {}: {} (wanted {})",
            if v.passed { "PASS" } else { "FAIL" },
            v.expectation,
            v.measured,
            v.wanted
        );
    }
}

//! The summary table printed after a run: the scenario's story in numbers.
use std::fmt::Write;

use crate::metrics::report::{Report, Timing};

fn opt(x: Option<f64>, unit: &str) -> String {
    x.map_or("-".into(), |x| format!("{x:.2}{unit}"))
}

pub fn table(r: &Report, timing: Option<&Timing>) -> String {
    let mut s = String::new();
    let s_ = &mut s;
    let _ = writeln!(
        s_,
        "scenario   {} (seed {}, {:.0} s simulated, step {} ms)",
        r.scenario,
        r.seed,
        r.sim_time_s,
        r.step_s * 1000.0
    );
    let m = &r.summary;
    let _ = writeln!(
        s_,
        "vehicles   {} departed, {} arrived, mean travel time {}",
        m.vehicles,
        m.arrived,
        opt(m.mean_travel_time_s, " s")
    );
    let _ = writeln!(
        s_,
        "safety     {} collisions, min TTC {}, {} hard brakings, mean stops {}",
        m.collisions,
        opt(m.min_ttc_s, " s"),
        m.hard_brakings,
        opt(m.mean_stops, "")
    );
    if r.v2x.enabled {
        let _ = writeln!(
            s_,
            "v2x        {:<6} {:<9} {:>9} {:>10} {:>8} {:>9} {:>9} {:>9}",
            "msg", "tech", "sent", "delivered", "PDR", "p50 ms", "p99 ms", "max ms"
        );
        for t in &r.v2x.by_type {
            let (p50, p99, max) =
                t.latency_ms
                    .as_ref()
                    .map_or(("-".into(), "-".into(), "-".into()), |p| {
                        (
                            format!("{:.2}", p.p50),
                            format!("{:.2}", p.p99),
                            format!("{:.2}", p.max),
                        )
                    });
            let _ = writeln!(
                s_,
                "           {:<6} {:<9} {:>9} {:>10} {:>8} {:>9} {:>9} {:>9}",
                t.msg,
                t.tech,
                t.sent,
                t.delivered,
                t.delivery_ratio.map_or("-".into(), |x| format!("{x:.3}")),
                p50,
                p99,
                max
            );
        }
        for (tech, cbr) in &r.v2x.channel_busy_ratio {
            let _ = writeln!(s_, "           channel busy ratio {tech}: {cbr:.3}");
        }
        if !r.v2x.cell_load.is_empty() {
            let loads: Vec<String> = r
                .v2x
                .cell_load
                .iter()
                .map(|(g, l)| format!("{g} {l:.3}"))
                .collect();
            let _ = writeln!(s_, "           cell load  {}", loads.join(", "));
        }
        if !r.warnings.is_empty() {
            let leads: Vec<f64> = r.warnings.iter().filter_map(|w| w.lead_time_s).collect();
            let min = leads.iter().copied().min_by(f64::total_cmp);
            let _ = writeln!(
                s_,
                "warnings   {} hazard warnings received, min lead time {}",
                r.warnings.len(),
                opt(min, " s")
            );
        }
    }
    let passed = r.expectations.iter().filter(|v| v.passed).count();
    let _ = writeln!(
        s_,
        "expect     {passed} passed, {} failed",
        r.expectations.len() - passed
    );
    for v in &r.expectations {
        let _ = writeln!(
            s_,
            "  {} {}: {} (wanted {})",
            if v.passed { "PASS" } else { "FAIL" },
            v.expectation,
            v.measured,
            v.wanted
        );
    }
    if let Some(t) = timing {
        let _ = writeln!(
            s_,
            "speed      {:.2} s wall, {:.0} vehicle updates/s, real-time factor {:.1}",
            t.wall_s, t.vehicle_updates_per_s, t.real_time_factor
        );
    }
    s
}

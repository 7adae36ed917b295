//! The control-centre panel and clock: traffic, V2X, latency sparkline, safety, events and
//! expectations, written from `Stats` and the mirrored view.
use bevy::prelude::*;

use super::{Dash, ExpectLine, SPARK_N, SparkBar, Stats, mmss, set};
use crate::scenario::spec::{Kind, MsgType};
use crate::traffic::components::Vehicle;
use crate::viz::messages::type_label;
use crate::viz::palette as pal;
use crate::viz::scene::rgb;
use crate::viz::sim::{SimView, TimeCtl, ViewConfig, ViewPedestrian, ViewVehicle};

/// `Latency(msg:Denm,percentile:99.0,below_ms:100.0)` -> `Latency`.
fn expectation_name(ron: &str) -> &str {
    ron.split('(').next().unwrap_or(ron)
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() > n {
        let cut: String = s.chars().take(n - 1).collect();
        format!("{cut}~")
    } else {
        s.to_string()
    }
}

#[allow(clippy::too_many_arguments)]
pub fn update(
    stats: Res<Stats>,
    ctl: Res<TimeCtl>,
    view: Res<SimView>,
    cfg: Res<ViewConfig>,
    vehicles: Query<&Vehicle, With<ViewVehicle>>,
    peds: Query<(), With<ViewPedestrian>>,
    mut texts: Query<(&Dash, &mut Text, &mut TextColor)>,
    mut lines: Query<(&ExpectLine, &mut Text, &mut TextColor), Without<Dash>>,
    mut bars: Query<(&SparkBar, &mut Node, &mut BackgroundColor)>,
) {
    let Some(clock) = view.clock else { return };
    let t = clock.t();
    let total = clock.total as f64 * clock.dt;
    let state = if clock.done() {
        "FINISHED".to_string()
    } else if ctl.paused {
        "PAUSED".to_string()
    } else {
        format!("RUN {}", ctl.label())
    };
    let (mut cars, mut buses, mut trucks, mut auto) = (0, 0, 0, 0);
    for v in &vehicles {
        match v.kind {
            Kind::Car => cars += 1,
            Kind::Bus => buses += 1,
            Kind::Truck => trucks += 1,
        }
        auto += usize::from(v.automated);
    }
    let active = cars + buses + trucks;
    let spec = &cfg.spec;
    for (d, mut text, mut colour) in &mut texts {
        match d {
            Dash::Clock => set(
                &mut text,
                format!("{} / {}   {state}", mmss(t), mmss(total)),
            ),
            Dash::Sub => {
                let seed = cfg.seed.unwrap_or(spec.seed);
                let lag = if ctl.lagging {
                    "  (cannot keep up)"
                } else {
                    ""
                };
                set(
                    &mut text,
                    format!(
                        "{}  seed {seed}  step {}  actual {:.1}x{lag}",
                        spec.name, clock.step, ctl.achieved
                    ),
                );
            }
            Dash::Traffic => set(
                &mut text,
                format!(
                    "on the road {active:>5}   arrived {:>5}\n  cars {cars}  buses {buses}  trucks {trucks}\n  automated {auto}  human {}\npedestrians {:>5}",
                    stats.arrived,
                    active - auto,
                    peds.iter().count()
                ),
            ),
            Dash::V2x => {
                let s = if !spec.v2x.enabled {
                    "V2X is off in this scenario".to_string()
                } else if stats.types.iter().all(|s| s.sent == 0 && s.attempts == 0) {
                    "no messages yet".to_string()
                } else {
                    let mut s = String::from("type   msg/s  deliv    p50    p99\n");
                    let mut any = false;
                    for (i, m) in MsgType::ALL.iter().enumerate() {
                        let ts = stats.types[i];
                        if ts.sent == 0 && ts.attempts == 0 {
                            continue;
                        }
                        any = true;
                        let ratio = if ts.attempts > 0 {
                            format!("{:5.1}%", 100.0 * ts.delivered as f64 / ts.attempts as f64)
                        } else {
                            "    - ".into()
                        };
                        let ms = |x: Option<f64>| x.map_or("     -".into(), |v| format!("{v:6.1}"));
                        s.push_str(&format!(
                            "{:<5}{:>7.0} {ratio} {} {}\n",
                            type_label(*m),
                            ts.rate,
                            ms(ts.p50),
                            ms(ts.p99)
                        ));
                    }
                    if !any {
                        s.push_str("no messages yet\n");
                    }
                    s.push_str("latency in ms");
                    s
                };
                set(&mut text, s);
            }
            Dash::Latency => {
                let last = stats.spark.back().copied().flatten();
                let src = if stats.spark_live {
                    "live"
                } else {
                    "cumulative"
                };
                set(
                    &mut text,
                    match last {
                        Some(v) => format!("now {v:.1} ms ({src})"),
                        None => "no deliveries yet".into(),
                    },
                );
            }
            Dash::Safety => {
                let mut s = format!(
                    "collisions {:>6}\nhard brakings {:>3}\nhazard warnings {:>1}",
                    stats.collisions, stats.hard_brakings, stats.warnings
                );
                if let Some(c) = &stats.last_collision {
                    s.push_str(&format!("\n  last crash {c}"));
                }
                if let Some(w) = &stats.last_warning {
                    s.push_str(&format!("\n  last warning {w}"));
                }
                colour.0 = rgb(if stats.collisions > 0 {
                    pal::BAD
                } else {
                    pal::TEXT
                });
                set(&mut text, s);
            }
            Dash::Events => {
                let mut active_lines = Vec::new();
                let mut past = Vec::new();
                let mut next = None;
                for ev in &spec.events {
                    let (what, dur) = (ev.action.describe(), ev.action.window_s());
                    if ev.at > t {
                        if next
                            .as_ref()
                            .is_none_or(|(at, _): &(f64, String)| ev.at < *at)
                        {
                            next = Some((ev.at, what));
                        }
                        continue;
                    }
                    match dur {
                        Some(d) if t < ev.at + d => active_lines
                            .push(format!("ACTIVE {what} ({:.0} s left)", ev.at + d - t)),
                        _ => past.push(format!("{:>6.1} s {what}", ev.at)),
                    }
                }
                let mut s: Vec<String> = active_lines;
                s.extend(past.into_iter().rev().take(4));
                if let Some((at, what)) = next {
                    s.push(format!("next {at:.1} s: {what}"));
                }
                if s.is_empty() {
                    s.push("none".into());
                }
                colour.0 = rgb(if s.iter().any(|l| l.starts_with("ACTIVE")) {
                    pal::WARN
                } else {
                    pal::TEXT
                });
                set(&mut text, s.join("\n"));
            }
            Dash::Inspector => {}
        }
    }
    for (line, mut text, mut colour) in &mut lines {
        match stats.verdicts.get(line.0) {
            Some(v) => {
                let tag = if v.passed { "PASS" } else { "FAIL" };
                set(
                    &mut text,
                    clip(
                        &format!("{tag} {}: {}", expectation_name(&v.expectation), v.measured),
                        38,
                    ),
                );
                colour.0 = rgb(if v.passed { pal::GOOD } else { pal::BAD });
            }
            None => set(&mut text, "...".into()),
        }
    }
    let max = stats.spark.iter().flatten().fold(20.0f64, |a, b| a.max(*b));
    let n = stats.spark.len();
    for (bar, mut node, mut bg) in &mut bars {
        // Right-aligned: the newest sample is the last bar.
        let idx = (bar.0 + n).checked_sub(SPARK_N);
        let v = idx.and_then(|i| stats.spark.get(i).copied().flatten());
        let h = v.map_or(1.0, |v| (v / max * 34.0).max(2.0) as f32);
        if node.height != Val::Px(h) {
            node.height = Val::Px(h);
        }
        let c = v.map_or([0.3, 0.35, 0.4], pal::latency);
        let want = Color::srgba(c[0], c[1], c[2], if v.is_some() { 0.9 } else { 0.25 });
        if bg.0 != want {
            bg.0 = want;
        }
    }
}

//! The control-centre panel and clock: traffic, V2X, latency sparkline, safety, events and
//! expectations, written from `Stats` and the mirrored view.
use std::collections::VecDeque;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use super::{Dash, ExpectLine, SPARK_N, SparkBar, Stats, TypeStats, mmss, set};
use crate::metrics::report::Verdict;
use crate::scenario::spec::{Kind, MsgType, TimedEvent};
use crate::traffic::components::Vehicle;
use crate::viz::messages::{MsgToggles, type_label};
use crate::viz::palette as pal;
use crate::viz::scene::rgb;
use crate::viz::sim::{SimView, TimeCtl, ViewConfig, ViewPedestrian, ViewVehicle};

/// `Latency(msg:Denm,percentile:99.0,below_ms:100.0)` -> `Latency`.
fn expectation_name(ron: &str) -> &str {
    ron.split('(').next().unwrap_or(ron)
}

/// `s` broken into lines of at most `n` characters at spaces (a word longer than a line gets a
/// line of its own), every line after the first indented by two spaces.
fn wrap(s: &str, n: usize) -> String {
    let mut lines: Vec<String> = vec![String::new()];
    for word in s.split_whitespace() {
        let line = lines.last_mut().map_or(0, |l| l.chars().count());
        if line > 0 && line + 1 + word.chars().count() > n {
            lines.push("  ".into());
        }
        if let Some(l) = lines.last_mut() {
            if !l.trim().is_empty() {
                l.push(' ');
            }
            l.push_str(word);
        }
    }
    lines.join("\n")
}

/// How an expectation shows while the run goes on: `PASS` or `FAIL` once nothing later can
/// change it (at the end; a collision, a hard braking or a near miss fails its expectation for
/// good; a count of deliveries, once reached, stays reached), else `pending`.
fn verdict_tag(v: &Verdict, ended: bool) -> (&'static str, [f32; 3]) {
    let settled = ended
        || match expectation_name(&v.expectation) {
            "NoCollisions" | "ComfortableBraking" | "MinTimeToCollision" => !v.passed,
            "MinDelivered" => v.passed,
            _ => false,
        };
    match (settled, v.passed) {
        (false, _) => ("pending", pal::get().text_dim),
        (true, true) => ("PASS", pal::get().good),
        (true, false) => ("FAIL", pal::get().bad),
    }
}

/// What the panel reads from the view.
#[derive(SystemParam)]
pub struct PanelInput<'w, 's> {
    stats: Res<'w, Stats>,
    ctl: Res<'w, TimeCtl>,
    view: Res<'w, SimView>,
    cfg: Res<'w, ViewConfig>,
    toggles: Res<'w, MsgToggles>,
    vehicles: Query<'w, 's, &'static Vehicle, With<ViewVehicle>>,
    peds: Query<'w, 's, (), With<ViewPedestrian>>,
}

/// An expectation's line of text.
type LineItem = (
    &'static ExpectLine,
    &'static mut Text,
    &'static mut TextColor,
);
/// A bar of the latency sparkline.
type BarItem = (
    &'static SparkBar,
    &'static mut Node,
    &'static mut BackgroundColor,
);

/// The texts, expectation lines and sparkline bars the panel writes.
#[derive(SystemParam)]
pub struct PanelOutput<'w, 's> {
    texts: Query<'w, 's, (&'static Dash, &'static mut Text, &'static mut TextColor)>,
    lines: Query<'w, 's, LineItem, Without<Dash>>,
    bars: Query<'w, 's, BarItem>,
}

pub fn update(input: PanelInput, mut out: PanelOutput) {
    let Some(clock) = input.view.clock else {
        return;
    };
    let (stats, ctl, spec) = (&*input.stats, &*input.ctl, &input.cfg.spec);
    let t = clock.t();
    let fleet = Fleet::count(input.vehicles.iter());
    let pedestrians = input.peds.iter().count();
    for (d, mut text, mut colour) in &mut out.texts {
        let s = match d {
            Dash::Clock => {
                let total = clock.total as f64 * clock.dt;
                let state = run_state(clock.done(), ctl);
                format!("{} / {}   {state}", mmss(t), mmss(total))
            }
            Dash::Sub => {
                let seed = input.cfg.seed.unwrap_or(spec.seed);
                let lag = if ctl.lagging {
                    "  (cannot keep up)"
                } else {
                    ""
                };
                format!(
                    "{}  seed {seed}  step {}  actual {:.1}x  {:.0} fps{lag}",
                    spec.name, clock.step, ctl.achieved, ctl.fps
                )
            }
            Dash::Traffic => fleet.text(stats.arrived, pedestrians),
            Dash::Layers => super::legend::layers_text(&input.toggles),
            Dash::V2x => v2x_text(spec.v2x.enabled, &stats.types),
            Dash::Latency => latency_text(stats.spark.back().copied().flatten(), stats.spark_live),
            Dash::Safety => {
                colour.0 = rgb(if stats.collisions > 0 {
                    pal::get().bad
                } else {
                    pal::get().text
                });
                safety_text(stats)
            }
            Dash::Events => {
                let lines = event_lines(&spec.events, t);
                colour.0 = rgb(if lines.iter().any(|l| l.starts_with("ACTIVE")) {
                    pal::get().warn
                } else {
                    pal::get().text
                });
                lines.join("\n")
            }
            Dash::Inspector => continue,
        };
        set(&mut text, s);
    }
    expectation_lines(stats, &mut out.lines);
    sparkline(&stats.spark, &mut out.bars);
}

/// FINISHED, PAUSED or the speed it runs at.
fn run_state(done: bool, ctl: &TimeCtl) -> String {
    if done {
        "FINISHED".to_string()
    } else if ctl.paused {
        "PAUSED".to_string()
    } else {
        format!("RUN {}", ctl.label())
    }
}

/// The vehicles on the road, by kind and driver.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Fleet {
    cars: usize,
    buses: usize,
    trucks: usize,
    automated: usize,
}

impl Fleet {
    fn count<'a>(vehicles: impl IntoIterator<Item = &'a Vehicle>) -> Fleet {
        let mut f = Fleet::default();
        for v in vehicles {
            match v.kind {
                Kind::Car => f.cars += 1,
                Kind::Bus => f.buses += 1,
                Kind::Truck => f.trucks += 1,
            }
            f.automated += usize::from(v.automated);
        }
        f
    }

    fn text(&self, arrived: usize, pedestrians: usize) -> String {
        let Fleet {
            cars,
            buses,
            trucks,
            automated,
        } = *self;
        let active = cars + buses + trucks;
        format!(
            "on the road {active:>5}   arrived {arrived:>5}\n  cars {cars}  buses {buses}  trucks {trucks}\n  automated {automated}  human {}\npedestrians {pedestrians:>5}",
            active - automated
        )
    }
}

/// The per-type table: rate, delivery ratio and latency percentiles.
fn v2x_text(enabled: bool, types: &[TypeStats; MsgType::COUNT]) -> String {
    let quiet = |ts: &TypeStats| ts.sent == 0 && ts.attempts == 0;
    if !enabled {
        return "V2X is off in this scenario".to_string();
    }
    if types.iter().all(quiet) {
        return "no messages yet".to_string();
    }
    let mut s = String::from("type   msg/s  deliv    p50    p99\n");
    for (m, ts) in MsgType::ALL.iter().zip(types).filter(|(_, ts)| !quiet(ts)) {
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
    s.push_str("latency in ms");
    s
}

fn latency_text(last: Option<f64>, live: bool) -> String {
    let src = if live { "live" } else { "cumulative" };
    match last {
        Some(v) => format!("now {v:.1} ms ({src})"),
        None => "no deliveries yet".into(),
    }
}

fn safety_text(stats: &Stats) -> String {
    let mut s = format!(
        "collisions {:>6}\nhard brakings {:>3}\nhazard warnings {:>1}\nno 5G coverage {:>1}",
        stats.collisions, stats.hard_brakings, stats.warnings, stats.no_coverage
    );
    if let Some(c) = &stats.last_collision {
        s.push_str(&format!("\n  last crash {c}"));
    }
    if let Some(w) = &stats.last_warning {
        s.push_str(&format!("\n  last warning {w}"));
    }
    s
}

/// Events at time `t`: windows still open first, then the last four past ones (newest first),
/// then the next one to come.
fn event_lines(events: &[TimedEvent], t: f64) -> Vec<String> {
    let mut active = Vec::new();
    let mut past = Vec::new();
    let mut next: Option<(f64, String)> = None;
    for ev in events {
        let (what, dur) = (ev.describe(), ev.action.window_s());
        if ev.at > t {
            if next.as_ref().is_none_or(|(at, _)| ev.at < *at) {
                next = Some((ev.at, what));
            }
            continue;
        }
        match dur {
            Some(d) if t < ev.at + d => {
                active.push(format!("ACTIVE {what} ({:.0} s left)", ev.at + d - t))
            }
            _ => past.push(format!("{:>6.1} s {what}", ev.at)),
        }
    }
    let mut s = active;
    s.extend(past.into_iter().rev().take(4));
    if let Some((at, what)) = next {
        s.push(format!("next {at:.1} s: {what}"));
    }
    if s.is_empty() {
        s.push("none".into());
    }
    s
}

fn expectation_lines(stats: &Stats, lines: &mut Query<LineItem, Without<Dash>>) {
    for (line, mut text, mut colour) in lines {
        match stats.verdicts.get(line.0) {
            Some(v) => {
                let (tag, tone) = verdict_tag(v, stats.verdicts_final);
                let name = expectation_name(&v.expectation);
                set(
                    &mut text,
                    wrap(&format!("{tag} {name}: {}", v.measured), 38),
                );
                colour.0 = rgb(tone);
            }
            None => set(&mut text, "...".into()),
        }
    }
}

/// A bar's height, px, for a p99 latency against the largest shown (at least 20 ms): 34 px at
/// the top, never under 2 px; 1 px for a second without deliveries.
fn bar_height(v: Option<f64>, max: f64) -> f32 {
    v.map_or(1.0, |v| (v / max * 34.0).max(2.0) as f32)
}

fn sparkline(spark: &VecDeque<Option<f64>>, bars: &mut Query<BarItem>) {
    let max = spark.iter().flatten().fold(20.0f64, |a, b| a.max(*b));
    let n = spark.len();
    for (bar, mut node, mut bg) in bars {
        // Right-aligned: the newest sample is the last bar.
        let idx = (bar.0 + n).checked_sub(SPARK_N);
        let v = idx.and_then(|i| spark.get(i).copied().flatten());
        let h = bar_height(v, max);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::spec::Action;

    fn ev(at: f64, action: Action) -> TimedEvent {
        TimedEvent { at, action }
    }

    #[test]
    fn events_list_open_windows_recent_past_and_next() {
        let stall = |v: &str| Action::Stall {
            vehicle: v.to_string(),
        };
        let rsu = |up| Action::Rsu {
            id: "rsu_1".into(),
            up,
        };
        assert_eq!(event_lines(&[], 5.0), ["none"]);
        let events = [
            ev(1.0, stall("a")),
            ev(2.0, stall("b")),
            ev(3.0, rsu(false)),
            ev(4.0, stall("c")),
            ev(5.0, stall("d")),
            ev(40.0, rsu(true)),
            ev(30.0, stall("e")),
        ];
        let lines = event_lines(&events, 10.0);
        assert_eq!(
            lines,
            [
                "   5.0 s d breaks down",
                "   4.0 s c breaks down",
                "   3.0 s RSU rsu_1 DOWN",
                "   2.0 s b breaks down",
                "next 30.0 s: e breaks down",
            ]
        );
    }

    #[test]
    fn v2x_table_skips_silent_types_and_formats_ratios() {
        let mut types = [TypeStats::default(); MsgType::COUNT];
        assert_eq!(v2x_text(false, &types), "V2X is off in this scenario");
        assert_eq!(v2x_text(true, &types), "no messages yet");
        types[1] = TypeStats {
            sent: 10,
            attempts: 8,
            delivered: 6,
            p50: Some(12.34),
            p99: None,
            rate: 9.6,
        };
        let s = v2x_text(true, &types);
        let rows: Vec<&str> = s.lines().collect();
        assert_eq!(rows.len(), 3, "{s}");
        assert!(
            rows[1].contains(" 75.0% ") && rows[1].contains("  12.3      -"),
            "{s}"
        );
        assert!(rows[1].starts_with(type_label(MsgType::ALL[1])), "{s}");
        assert_eq!(rows[2], "latency in ms");
    }

    #[test]
    fn sparkline_bars_scale_to_the_largest_sample() {
        assert_eq!(bar_height(Some(50.0), 50.0), 34.0);
        assert_eq!(bar_height(Some(0.1), 50.0), 2.0);
        assert_eq!(bar_height(None, 50.0), 1.0);
        assert_eq!(expectation_name("Latency(msg:Denm)"), "Latency");
    }

    #[test]
    fn long_lines_wrap_at_spaces_never_inside_a_word() {
        let s = "PASS DeliveryRatio: 0.9775 cam delivery ratio within 300 m";
        let w = wrap(s, 20);
        assert_eq!(
            w,
            "PASS DeliveryRatio:\n  0.9775 cam\n  delivery ratio\n  within 300 m"
        );
        assert!(w.lines().all(|l| l.chars().count() <= 20));
        assert_eq!(wrap("short", 20), "short");
    }

    #[test]
    fn expectations_stay_pending_until_nothing_can_change_them() {
        let v = |e: &str, passed: bool| Verdict {
            expectation: e.into(),
            passed,
            measured: String::new(),
            wanted: String::new(),
        };
        assert_eq!(verdict_tag(&v("NoCollisions", true), false).0, "pending");
        assert_eq!(verdict_tag(&v("NoCollisions", false), false).0, "FAIL");
        assert_eq!(
            verdict_tag(&v("MinDelivered(msg:Rsa)", true), false).0,
            "PASS"
        );
        assert_eq!(
            verdict_tag(&v("MinDelivered(msg:Rsa)", false), false).0,
            "pending"
        );
        assert_eq!(
            verdict_tag(&v("DeliveryRatio(msg:Cam)", false), false).0,
            "pending"
        );
        assert_eq!(
            verdict_tag(&v("DeliveryRatio(msg:Cam)", false), true).0,
            "FAIL"
        );
        assert_eq!(verdict_tag(&v("NoCollisions", true), true).0, "PASS");
    }
}

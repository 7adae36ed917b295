//! The control-centre dashboard (the Seoul Future Mobility Center's view): sim clock and speed,
//! traffic, V2X rates, delivery and latency with a live sparkline, safety, faults and events,
//! expectation status; the inspector for the selected thing; the hotkey overlay.
use std::collections::VecDeque;
use std::time::{Duration, Instant};

use bevy::prelude::*;

use super::camera::PANEL_W;
use super::messages::{MsgToggles, PerEntity, VizMessages, coverage_radii, type_label};
use super::palette as pal;
use super::picking::{Infra, Selected};
use super::scene::{link_names, rgb};
use super::sim::{SimHost, SimView, TimeCtl, ViewConfig, ViewPedestrian, ViewVehicle};
use crate::metrics::Recorder;
use crate::metrics::TripStats;
use crate::metrics::report::Verdict;
use crate::road::RoadNetwork;
use crate::scenario::spec::{Action, Kind, MsgType};
use crate::traffic::Obu;
use crate::traffic::components::{
    Advice, BusStops, Motion, Pedestrian, Route, Stalled, Surroundings, Vehicle,
};

#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dash {
    Clock,
    Sub,
    Traffic,
    V2x,
    Latency,
    Safety,
    Events,
    Inspector,
}

#[derive(Component)]
pub struct ExpectLine(usize);
#[derive(Component)]
pub struct SparkBar(usize);
#[derive(Component)]
pub struct InspectorPanel;
#[derive(Component)]
pub struct HelpPanel;

const SPARK_N: usize = 60;

/// Per message type figures.
#[derive(Debug, Clone, Copy, Default)]
pub struct TypeStats {
    pub sent: u64,
    pub attempts: u64,
    pub delivered: u64,
    pub p50: Option<f64>,
    pub p99: Option<f64>,
    pub rate: f64,
}

/// Figures read from the simulation a few times a second.
#[derive(Resource, Default)]
pub struct Stats {
    refreshed: Option<Instant>,
    pub arrived: usize,
    pub collisions: usize,
    pub last_collision: Option<String>,
    pub hard_brakings: u32,
    pub warnings: usize,
    pub last_warning: Option<String>,
    pub types: [TypeStats; 5],
    sent_history: VecDeque<(f64, [u64; 5])>,
    /// p99 latency per simulated second, ms.
    pub spark: VecDeque<Option<f64>>,
    spark_live: bool,
    spark_sec: i64,
    pub verdicts: Vec<Verdict>,
    verdicts_at: Option<(Instant, u64)>,
}

fn font(px: f32) -> TextFont {
    TextFont {
        font_size: FontSize::Px(px),
        ..default()
    }
}

fn panel(c: [f32; 4]) -> BackgroundColor {
    BackgroundColor(Color::srgba(c[0], c[1], c[2], c[3]))
}

pub fn setup(mut commands: Commands, cfg: Res<ViewConfig>) {
    let title = |s: &str| {
        (
            Text::new(s),
            font(12.0),
            TextColor(rgb(pal::TEXT_DIM)),
            Node {
                margin: UiRect::top(Val::Px(6.0)),
                ..default()
            },
        )
    };
    // Clock, top left.
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                left: Val::Px(12.0),
                top: Val::Px(12.0),
                padding: UiRect::axes(Val::Px(14.0), Val::Px(10.0)),
                flex_direction: FlexDirection::Column,
                row_gap: Val::Px(3.0),
                border: UiRect::all(Val::Px(1.0)),
                border_radius: BorderRadius::all(Val::Px(8.0)),
                ..default()
            },
            panel(pal::PANEL),
            BorderColor::all(rgb(pal::PANEL_EDGE)),
        ))
        .with_children(|p| {
            p.spawn((
                Text::new("SANGAM DMC  5G C-ITS TESTBED"),
                font(13.0),
                TextColor(rgb(pal::ACCENT)),
            ));
            p.spawn((
                Dash::Clock,
                Text::new(""),
                font(24.0),
                TextColor(rgb(pal::TEXT)),
            ));
            p.spawn((
                Dash::Sub,
                Text::new(""),
                font(13.0),
                TextColor(rgb(pal::TEXT_DIM)),
            ));
            p.spawn((
                Text::new("H help   Space pause   [ ] speed   R restart"),
                font(12.0),
                TextColor(rgb(pal::TEXT_DIM)),
            ));
        });
    // Control centre, right.
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                right: Val::Px(0.0),
                top: Val::Px(0.0),
                bottom: Val::Px(0.0),
                width: Val::Px(PANEL_W),
                padding: UiRect::all(Val::Px(14.0)),
                flex_direction: FlexDirection::Column,
                row_gap: Val::Px(2.0),
                border: UiRect::left(Val::Px(1.0)),
                overflow: Overflow::clip(),
                ..default()
            },
            panel(pal::PANEL),
            BorderColor::all(rgb(pal::PANEL_EDGE)),
        ))
        .with_children(|p| {
            p.spawn((
                Text::new("CONTROL CENTRE"),
                font(19.0),
                TextColor(rgb(pal::ACCENT)),
            ));
            p.spawn((
                Text::new("Seoul Future Mobility Center"),
                font(12.0),
                TextColor(rgb(pal::TEXT_DIM)),
            ));
            p.spawn(title("TRAFFIC"));
            p.spawn((
                Dash::Traffic,
                Text::new(""),
                font(14.0),
                TextColor(rgb(pal::TEXT)),
            ));
            p.spawn(title("V2X MESSAGES"));
            p.spawn((
                Dash::V2x,
                Text::new(""),
                font(13.0),
                TextColor(rgb(pal::TEXT)),
            ));
            p.spawn(title("LATENCY p99, LAST 60 s"));
            p.spawn(Node {
                height: Val::Px(40.0),
                flex_direction: FlexDirection::Row,
                align_items: AlignItems::FlexEnd,
                column_gap: Val::Px(1.0),
                padding: UiRect::vertical(Val::Px(2.0)),
                ..default()
            })
            .with_children(|row| {
                for i in 0..SPARK_N {
                    row.spawn((
                        SparkBar(i),
                        Node {
                            width: Val::Px(4.0),
                            height: Val::Px(1.0),
                            ..default()
                        },
                        BackgroundColor(Color::srgba(1.0, 1.0, 1.0, 0.08)),
                    ));
                }
            });
            p.spawn((
                Dash::Latency,
                Text::new(""),
                font(12.0),
                TextColor(rgb(pal::TEXT_DIM)),
            ));
            p.spawn(title("SAFETY"));
            p.spawn((
                Dash::Safety,
                Text::new(""),
                font(14.0),
                TextColor(rgb(pal::TEXT)),
            ));
            p.spawn(title("FAULTS AND EVENTS"));
            p.spawn((
                Dash::Events,
                Text::new(""),
                font(13.0),
                TextColor(rgb(pal::TEXT)),
            ));
            p.spawn(title("EXPECTATIONS (SO FAR)"));
            if cfg.spec.expectations.is_empty() {
                p.spawn((
                    Text::new("none in this scenario"),
                    font(13.0),
                    TextColor(rgb(pal::TEXT_DIM)),
                ));
            }
            for i in 0..cfg.spec.expectations.len() {
                p.spawn((
                    ExpectLine(i),
                    Text::new(""),
                    font(13.0),
                    TextColor(rgb(pal::TEXT_DIM)),
                ));
            }
        });
    // Inspector, bottom left.
    commands
        .spawn((
            InspectorPanel,
            Node {
                position_type: PositionType::Absolute,
                left: Val::Px(12.0),
                bottom: Val::Px(12.0),
                width: Val::Px(400.0),
                padding: UiRect::axes(Val::Px(14.0), Val::Px(10.0)),
                border: UiRect::all(Val::Px(1.0)),
                border_radius: BorderRadius::all(Val::Px(8.0)),
                display: Display::None,
                ..default()
            },
            panel(pal::PANEL),
            BorderColor::all(rgb(pal::ACCENT)),
        ))
        .with_children(|p| {
            p.spawn((
                Dash::Inspector,
                Text::new(""),
                font(13.0),
                TextColor(rgb(pal::TEXT)),
            ));
        });
    // Hotkeys overlay.
    commands
        .spawn((
            HelpPanel,
            Node {
                position_type: PositionType::Absolute,
                left: Val::Px(220.0),
                top: Val::Px(90.0),
                width: Val::Px(520.0),
                padding: UiRect::all(Val::Px(18.0)),
                border: UiRect::all(Val::Px(1.0)),
                border_radius: BorderRadius::all(Val::Px(10.0)),
                flex_direction: FlexDirection::Column,
                display: Display::None,
                ..default()
            },
            panel([0.02, 0.03, 0.045, 0.96]),
            BorderColor::all(rgb(pal::ACCENT)),
        ))
        .with_children(|p| {
            p.spawn((
                Text::new("HOTKEYS"),
                font(18.0),
                TextColor(rgb(pal::ACCENT)),
            ));
            p.spawn((Text::new(HELP), font(14.0), TextColor(rgb(pal::TEXT))));
        });
}

const HELP: &str = "\
Time
  Space        pause / run
  N or .       one step (while paused)
  ] or +       faster   (0.25x .. 64x, then max)
  [ or -       slower
  M            as fast as it can
  R            restart (same scenario and seed)
Camera
  left drag    orbit            wheel      zoom
  right drag   pan              W A S D    pan
  Q / E        rotate           T          top-down
  F            follow selected  C          reset view
Select
  click        vehicle, RSU, gNB, pedestrian -> inspector
  Esc          clear selection
V2X layers
  1-5          CAM, DENM, SPaT, MAP, CPM arcs
  G            coverage rings   B          busy-ratio heat map
H or ?         this help";

/// Keyboard: time control, layers, help.
pub fn hotkeys(
    keys: Res<ButtonInput<KeyCode>>,
    mut ctl: ResMut<TimeCtl>,
    mut toggles: ResMut<MsgToggles>,
    mut selected: ResMut<Selected>,
    mut help: Query<&mut Node, With<HelpPanel>>,
) {
    let k = |c: KeyCode| keys.just_pressed(c);
    if k(KeyCode::Space) {
        ctl.paused = !ctl.paused;
    }
    if k(KeyCode::KeyN) || k(KeyCode::Period) {
        ctl.paused = true;
        ctl.step_once = true;
    }
    if k(KeyCode::BracketRight) || k(KeyCode::Equal) || k(KeyCode::NumpadAdd) {
        ctl.faster();
    }
    if k(KeyCode::BracketLeft) || k(KeyCode::Minus) || k(KeyCode::NumpadSubtract) {
        ctl.slower();
    }
    if k(KeyCode::KeyM) {
        ctl.speed = super::sim::SPEEDS.len();
    }
    if k(KeyCode::KeyR) {
        ctl.restart = true;
    }
    for (i, key) in [
        KeyCode::Digit1,
        KeyCode::Digit2,
        KeyCode::Digit3,
        KeyCode::Digit4,
        KeyCode::Digit5,
    ]
    .into_iter()
    .enumerate()
    {
        if k(key) {
            toggles.types[i] = !toggles.types[i];
        }
    }
    if k(KeyCode::KeyG) {
        toggles.rings = !toggles.rings;
    }
    if k(KeyCode::KeyB) {
        toggles.heat = !toggles.heat;
    }
    let mut show_help = None;
    if k(KeyCode::KeyH) || k(KeyCode::Slash) || k(KeyCode::F1) {
        show_help = Some(None);
    }
    if k(KeyCode::Escape) {
        selected.0 = None;
        show_help = Some(Some(false));
    }
    if let Some(want) = show_help {
        for mut node in &mut help {
            let on = want.unwrap_or(node.display == Display::None);
            node.display = if on { Display::Flex } else { Display::None };
        }
    }
}

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

fn mmss(t: f64) -> String {
    let m = (t / 60.0).floor();
    format!("{:02}:{:04.1}", m as u64, t - m * 60.0)
}

fn set(text: &mut Text, s: String) {
    if text.0 != s {
        text.0 = s;
    }
}

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

fn describe(a: &Action) -> (String, Option<f64>) {
    match a {
        Action::Stall { vehicle } => (format!("{vehicle} breaks down"), None),
        Action::CloseLane { link, lane } => (format!("lane {lane} of {link} closed"), None),
        Action::SetProgram { junction, .. } => (format!("new signal program at {junction}"), None),
        Action::Gnb { id, up } => (
            format!("gNB {id} {}", if *up { "back up" } else { "DOWN" }),
            None,
        ),
        Action::Rsu { id, up } => (
            format!("RSU {id} {}", if *up { "back up" } else { "DOWN" }),
            None,
        ),
        Action::Backhaul { node, up } => (
            format!(
                "backhaul of {node} {}",
                if *up { "restored" } else { "CUT" }
            ),
            None,
        ),
        Action::Jamming {
            radius,
            noise_dbm,
            for_s,
            ..
        } => (
            format!("jamming {radius:.0} m, {noise_dbm:.0} dBm"),
            Some(*for_s),
        ),
        Action::LatencySpike {
            tech,
            extra_ms,
            for_s,
        } => (
            format!("{} latency +{extra_ms:.0} ms", tech.name()),
            Some(*for_s),
        ),
        Action::BurstLoss { tech, loss, for_s } => (
            format!("{} loss {:.0} %", tech.name(), loss * 100.0),
            Some(*for_s),
        ),
        Action::GnssError {
            vehicle,
            sigma_m,
            for_s,
        } => {
            let who = if vehicle.is_empty() {
                "all"
            } else {
                vehicle.as_str()
            };
            (format!("GNSS error {sigma_m:.1} m ({who})"), Some(*for_s))
        }
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
                    let (what, dur) = describe(&ev.action);
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

/// The inspector: what the selected thing is and does, and its last messages.
#[allow(clippy::too_many_arguments)]
pub fn inspector(
    host: NonSend<SimHost>,
    cfg: Res<ViewConfig>,
    selected: Res<Selected>,
    per: Res<PerEntity>,
    view: Res<SimView>,
    vehicles: Query<(&Vehicle, &Motion, &ViewVehicle)>,
    peds: Query<&ViewPedestrian>,
    infra: Query<&Infra>,
    mut panel: Query<&mut Node, With<InspectorPanel>>,
    mut texts: Query<(&Dash, &mut Text)>,
) {
    let Ok(mut node) = panel.single_mut() else {
        return;
    };
    let Some(sel) = selected.0 else {
        if node.display != Display::None {
            node.display = Display::None;
        }
        return;
    };
    let world = host.world();
    let net = world.resource::<RoadNetwork>();
    let t = view.t();
    let mut s = String::new();
    if let Ok((v, m, vv)) = vehicles.get(sel) {
        let who = if v.automated {
            "automated"
        } else {
            "human-driven"
        };
        s.push_str(&format!("VEHICLE {}\n{who} {}\n", v.id, v.kind.name()));
        let braking = if m.acc < -1.0 { "  braking" } else { "" };
        s.push_str(&format!(
            "speed {:5.1} km/h   accel {:+.1} m/s2{braking}\n",
            m.v * 3.6,
            m.acc
        ));
        if let Some(l) = net.links.get(m.link as usize) {
            s.push_str(&format!(
                "on    {} ({}), lane {}, {:.0} m\n",
                l.name,
                l.id,
                m.lane,
                m.s.max(0.0)
            ));
        }
        if let Some(r) = world.get::<Route>(vv.sim) {
            let ahead = link_names(net, r.ahead());
            let ahead = if ahead.is_empty() {
                "end of route".to_string()
            } else {
                ahead.join(" > ")
            };
            s.push_str(&format!("route {ahead}\n"));
        }
        let mut state = if world.get::<Stalled>(vv.sim).is_some() {
            "BROKEN DOWN".to_string()
        } else if world
            .get::<BusStops>(vv.sim)
            .and_then(|b| b.dwell_until)
            .is_some()
        {
            "dwelling at a stop".to_string()
        } else if m.v < 0.1 {
            "stopped".to_string()
        } else {
            "driving".to_string()
        };
        if let Some(a) = world.get::<Surroundings>(vv.sim)
            && let Some(gap) = a.gap
        {
            state.push_str(&format!(", gap {gap:.0} m"));
            if let Some(ttc) = a.ttc {
                state.push_str(&format!(", TTC {ttc:.1} s"));
            }
        }
        s.push_str(&format!("state {state}\n"));
        if let Some(a) = world.get::<Advice>(vv.sim) {
            if let Some(v) = a.max_speed {
                s.push_str(&format!("advice max {:.0} km/h\n", v * 3.6));
            }
            if let Some(at) = a.stop_at {
                s.push_str(&format!("advice stop at {at:.0} m\n"));
            }
        }
        if let Some(tr) = world.get::<TripStats>(vv.sim) {
            s.push_str(&format!(
                "trip  since {:.1} s, {:.0} m, {} stop{}\n",
                tr.depart,
                tr.distance,
                tr.stops,
                if tr.stops == 1 { "" } else { "s" }
            ));
        }
        match world.get::<Obu>(vv.sim) {
            Some(o) => s.push_str(&format!(
                "OBU   {}\n",
                o.radios
                    .iter()
                    .map(|r| r.name())
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            None => s.push_str("OBU   none\n"),
        }
    } else if let Ok(p) = peds.get(sel) {
        if let Some(ped) = world.get::<Pedestrian>(p.sim) {
            let link = net
                .links
                .get(ped.link as usize)
                .map_or("?", |l| l.name.as_str());
            s.push_str(&format!(
                "PEDESTRIAN {}\ncrossing {link} at {:.0} m\n{:.1} m/s, {:.1} m to go\n",
                ped.id,
                ped.s,
                ped.speed,
                (ped.end - ped.lateral).abs()
            ));
        }
    } else if let Ok(i) = infra.get(sel) {
        let spec = &cfg.spec;
        let (rsu_r, gnb_r) = coverage_radii(spec);
        let down = |id: &str| {
            let mut down = false;
            for ev in spec.events.iter().filter(|e| e.at <= t) {
                match &ev.action {
                    Action::Gnb { id: x, up } | Action::Rsu { id: x, up } if x == id => down = !up,
                    _ => {}
                }
            }
            down
        };
        match *i {
            Infra::Rsu(k) => {
                let r = &spec.v2x.rsus[k];
                s.push_str(&format!("RSU {}\n", r.id));
                s.push_str(&format!(
                    "at ({:.0}, {:.0}) m, mast {:.0} m\n",
                    r.pos.0, r.pos.1, r.height
                ));
                s.push_str(&format!(
                    "radios {}\n",
                    r.radios
                        .iter()
                        .map(|x| x.name())
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
                if let Some(j) = &r.junction {
                    s.push_str(&format!("SPaT/MAP for {j}\n"));
                }
                s.push_str(&format!("CCTV cameras {}\n", r.cctv.len()));
                s.push_str(&format!("coverage ~{rsu_r:.0} m (NLOS estimate)\n"));
                s.push_str(&format!(
                    "status {}\n",
                    if down(&r.id) { "DOWN" } else { "up" }
                ));
            }
            Infra::Gnb(k) => {
                let g = &spec.v2x.gnbs[k];
                s.push_str(&format!("gNB {}\n", g.id));
                s.push_str(&format!(
                    "at ({:.0}, {:.0}) m, antenna {:.0} m\n",
                    g.pos.0, g.pos.1, g.height
                ));
                s.push_str(&format!(
                    "{:.1} GHz, {:.0} dBm, MEC {:?}\n",
                    g.freq_ghz, g.tx_dbm, g.mec
                ));
                s.push_str(&format!("coverage ~{gnb_r:.0} m (NLOS estimate)\n"));
                s.push_str(&format!(
                    "status {}\n",
                    if down(&g.id) { "DOWN" } else { "up" }
                ));
            }
            Infra::ControlCentre => {
                let c = spec.v2x.control_centre.unwrap_or((0.0, 0.0));
                s.push_str("CONTROL CENTRE\nSeoul Future Mobility Center\n");
                s.push_str(&format!("at ({:.0}, {:.0}) m\n", c.0, c.1));
            }
        }
    } else {
        if node.display != Display::None {
            node.display = Display::None;
        }
        return;
    }
    match per.0.get(&sel) {
        Some(q) if !q.is_empty() => {
            s.push_str("last messages\n");
            for (e, sent) in q.iter().rev().take(6) {
                let dir = if *sent { "sent" } else { "recv" };
                let what = if e.delivered {
                    format!("{:6.1} ms", e.latency_ms)
                } else {
                    "  LOST   ".into()
                };
                s.push_str(&format!(
                    "  {:<5}{dir} {:<8}{what}  {:.2} s\n",
                    type_label(e.msg),
                    e.tech.name(),
                    e.t_recv
                ));
            }
        }
        _ => s.push_str("last messages: none seen\n"),
    }
    s.push_str("F follow   Esc close");
    for (d, mut text) in &mut texts {
        if *d == Dash::Inspector {
            set(&mut text, s.clone());
        }
    }
    if node.display != Display::Flex {
        node.display = Display::Flex;
    }
}

/// A ring around the selection.
pub fn highlight(
    mut gizmos: Gizmos,
    selected: Res<Selected>,
    things: Query<&GlobalTransform>,
    real: Res<Time<Real>>,
) {
    let Some(tf) = selected.0.and_then(|e| things.get(e).ok()) else {
        return;
    };
    let p = tf.translation().with_y(0.3);
    let pulse = 1.0 + 0.15 * (real.elapsed_secs() * 4.0).sin();
    let c = pal::ACCENT;
    gizmos
        .circle(
            Isometry3d::new(p, Quat::from_rotation_x(std::f32::consts::FRAC_PI_2)),
            7.0 * pulse,
            Color::srgb(c[0], c[1], c[2]),
        )
        .resolution(48);
    gizmos.line(p, p + Vec3::Y * 25.0, Color::srgba(c[0], c[1], c[2], 0.6));
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::viz::sim::{Mirror, advance, mirror, snapshot};

    /// The inspector describes a selected vehicle and a selected RSU (windowless app).
    #[test]
    fn inspector_describes_the_selection() {
        let loaded = crate::scenario::embedded::load_embedded(crate::scenario::embedded::DEFAULT)
            .unwrap_or_else(|d| panic!("{}", d.render_fancy()));
        let cfg = ViewConfig {
            spec: Arc::new(loaded.spec),
            source: loaded.name,
            seed: None,
        };
        let mut app = App::new();
        app.add_plugins(MinimalPlugins);
        app.world_mut().insert_non_send(SimHost::new(&cfg));
        let mut ctl = TimeCtl::new(1.0, true);
        ctl.run_to = Some(1500);
        app.insert_resource(cfg)
            .insert_resource(ctl)
            .init_resource::<Mirror>()
            .init_resource::<SimView>()
            .init_resource::<Selected>()
            .init_resource::<PerEntity>()
            .init_resource::<Stats>()
            .init_resource::<VizMessages>()
            .add_systems(
                Update,
                (advance, mirror, snapshot, refresh, inspector).chain(),
            );
        app.world_mut()
            .spawn((InspectorPanel, Node::default()))
            .with_children(|p| {
                p.spawn((Dash::Inspector, Text::new("")));
            });
        let rsu = app.world_mut().spawn(Infra::Rsu(0)).id();
        app.update();
        app.update();
        let text = |app: &mut App| {
            let mut q = app.world_mut().query::<(&Dash, &Text)>();
            q.iter(app.world())
                .find(|(d, _)| **d == Dash::Inspector)
                .map(|(_, t)| t.0.clone())
                .unwrap_or_default()
        };
        let mut vq = app
            .world_mut()
            .query_filtered::<Entity, With<ViewVehicle>>();
        let vehicle = vq
            .iter(app.world())
            .next()
            .expect("a vehicle on the road at 15 s");
        app.world_mut().resource_mut::<Selected>().0 = Some(vehicle);
        app.update();
        let s = text(&mut app);
        assert!(s.starts_with("VEHICLE "), "{s}");
        assert!(s.contains("km/h") && s.contains("route"), "{s}");
        app.world_mut().resource_mut::<Selected>().0 = Some(rsu);
        app.update();
        let s = text(&mut app);
        assert!(s.starts_with("RSU rsu_"), "{s}");
        // Expectations were checked live.
        assert_eq!(
            app.world().resource::<Stats>().verdicts.len(),
            app.world().resource::<ViewConfig>().spec.expectations.len()
        );
    }
}

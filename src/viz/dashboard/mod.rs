//! The control-centre dashboard (the Seoul Future Mobility Center's view): sim clock and speed,
//! traffic, V2X rates, delivery and latency with a live sparkline, safety, faults and events,
//! expectation status; the inspector for the selected thing; the legend and the layers that
//! are on; the hotkey overlay.
mod inspector;
mod layout;
mod legend;
mod overlay;
mod panel;
mod stats;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::time::Instant;

use bevy::prelude::*;

use crate::metrics::report::Verdict;
use crate::scenario::spec::MsgType;

pub use inspector::{highlight, inspector};
pub use layout::setup;
pub use overlay::hotkeys;
pub use panel::update;
pub use stats::{refresh, replayed};

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
    /// Which layers are on (the legend).
    Layers,
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
    /// Receptions lost because a vehicle had no 5G cell (`no_coverage`).
    pub no_coverage: u64,
    pub types: [TypeStats; MsgType::COUNT],
    sent_history: VecDeque<(f64, [u64; MsgType::COUNT])>,
    /// p99 latency per simulated second, ms.
    pub spark: VecDeque<Option<f64>>,
    spark_live: bool,
    spark_sec: i64,
    /// Hazard warnings and collisions so far, for the timeline: (time, kind).
    pub marks: Vec<(f64, crate::replay::MarkKind)>,
    pub verdicts: Vec<Verdict>,
    /// The verdicts are the run's last (its end was reached).
    pub verdicts_final: bool,
    verdicts_at: Option<(Instant, u64)>,
}

fn font(px: f32) -> TextFont {
    TextFont {
        font_size: FontSize::Px(px),
        ..default()
    }
}

/// A floating panel placed by `at` (absolute position fields), its lines in a column.
fn floating(at: Node, pad: (f32, f32)) -> impl Bundle {
    (
        Node {
            position_type: PositionType::Absolute,
            padding: UiRect::axes(Val::Px(pad.0), Val::Px(pad.1)),
            flex_direction: FlexDirection::Column,
            row_gap: Val::Px(3.0),
            border: UiRect::all(Val::Px(1.0)),
            border_radius: BorderRadius::all(Val::Px(8.0)),
            ..at
        },
        panel(crate::viz::palette::get().panel),
        BorderColor::all(crate::viz::scene::rgb(
            crate::viz::palette::get().panel_edge,
        )),
    )
}

fn panel(c: [f32; 4]) -> BackgroundColor {
    BackgroundColor(Color::srgba(c[0], c[1], c[2], c[3]))
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

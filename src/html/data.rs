//! The data the browser report's script reads (`assets/report/report.js`), made compact:
//! tracks and arcs as columns of small integers, positions as differences from the sample
//! before. A 600 s Sangam run: see docs/browser-report.md for its size.
use serde::{Deserialize, Serialize};

use crate::metrics::report::Report;
use crate::radio::outcome::LossReason;
use crate::replay::{ARC_WINDOW_S, ARCS_PER_WINDOW, Mark, Replay, Scene, Track};
use crate::scenario::spec::{MsgType, Tech};

/// Everything the page shows.
#[derive(Serialize)]
pub struct PageData<'a> {
    pub report: &'a Report,
    /// The scenario as run, in RON (for `view --replay`; the page does not read it).
    pub scenario: &'a str,
    pub scene: &'a Scene,
    /// Track sample period, s.
    pub period: f64,
    pub tracks: Vec<TrackCols>,
    pub arcs: ArcCols,
    pub receptions: u64,
    pub arcs_per_window: usize,
    pub arc_window_s: f64,
    /// Message type and technology names, by the indices `arcs` uses.
    pub types: Vec<&'static str>,
    pub techs: Vec<&'static str>,
    pub markers: &'a [Mark],
}

/// One road user's track, by column: `x`, `y` in dm as differences, `z` ground height in dm as
/// differences (left out on a level map: all zero), `h` degrees, `v` dm/s, `g` gap ahead in dm
/// (-1: none).
#[derive(Serialize, Deserialize)]
pub struct TrackCols {
    pub id: String,
    pub kind: String,
    pub auto: bool,
    pub len: f64,
    pub wid: f64,
    pub first: u32,
    pub x: Vec<i32>,
    pub y: Vec<i32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub z: Vec<i32>,
    pub h: Vec<u16>,
    pub v: Vec<u16>,
    pub g: Vec<i64>,
}

/// The arcs by column: `t` sent time in ms as differences; `m`, `k` indices into `types` and
/// `techs`; ends in dm; `lat` latency in units of 10 µs, or -(1 + position in
/// `LossReason::ALL`) when lost.
#[derive(Serialize, Deserialize, Default)]
pub struct ArcCols {
    pub t: Vec<i64>,
    pub m: Vec<u8>,
    pub k: Vec<u8>,
    pub fx: Vec<i32>,
    pub fy: Vec<i32>,
    pub tx: Vec<i32>,
    pub ty: Vec<i32>,
    pub lat: Vec<i64>,
}

/// Successive differences (the first value as it is).
fn deltas<T: Copy + Into<i64>>(v: impl Iterator<Item = T>) -> Vec<i64> {
    let mut prev = 0i64;
    v.map(|x| {
        let x = x.into();
        let d = x - prev;
        prev = x;
        d
    })
    .collect()
}

fn narrow(v: Vec<i64>) -> Vec<i32> {
    v.into_iter()
        .map(|d| d.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32)
        .collect()
}

fn track(t: &Track) -> TrackCols {
    TrackCols {
        id: t.id.clone(),
        kind: t.kind.clone(),
        auto: t.automated,
        len: t.length,
        wid: t.width,
        first: t.first,
        x: narrow(deltas(t.samples.iter().map(|s| s.x_dm))),
        y: narrow(deltas(t.samples.iter().map(|s| s.y_dm))),
        z: if t.samples.iter().all(|s| s.z_dm == 0) {
            Vec::new()
        } else {
            narrow(deltas(t.samples.iter().map(|s| s.z_dm)))
        },
        h: t.samples.iter().map(|s| s.heading_deg).collect(),
        v: t.samples.iter().map(|s| s.speed_dms).collect(),
        g: t.samples
            .iter()
            .map(|s| s.gap_dm.map_or(-1, i64::from))
            .collect(),
    }
}

fn arcs(replay: &Replay) -> ArcCols {
    let a = &replay.arcs;
    let lat = |o: Result<u64, LossReason>| match o {
        Ok(us) => (us as i64 + 5) / 10,
        Err(r) => -1 - LossReason::ALL.iter().position(|x| *x == r).unwrap_or(0) as i64,
    };
    ArcCols {
        t: deltas(a.iter().map(|x| ((x.sent_us + 500) / 1000) as i64)),
        m: a.iter().map(|x| x.msg.index() as u8).collect(),
        k: a.iter().map(|x| x.tech.index() as u8).collect(),
        fx: narrow(deltas(a.iter().map(|x| x.from_dm[0]))),
        fy: narrow(deltas(a.iter().map(|x| x.from_dm[1]))),
        tx: narrow(deltas(a.iter().map(|x| x.to_dm[0]))),
        ty: narrow(deltas(a.iter().map(|x| x.to_dm[1]))),
        lat: a.iter().map(|x| lat(x.outcome)).collect(),
    }
}

impl<'a> PageData<'a> {
    pub fn new(report: &'a Report, replay: &'a Replay) -> Self {
        PageData {
            report,
            scenario: &replay.scenario,
            scene: &replay.scene,
            period: replay.period_s,
            tracks: replay.tracks.iter().map(track).collect(),
            arcs: arcs(replay),
            receptions: replay.receptions,
            arcs_per_window: ARCS_PER_WINDOW,
            arc_window_s: ARC_WINDOW_S,
            types: MsgType::ALL.iter().map(|m| m.name()).collect(),
            techs: Tech::ALL.iter().map(|t| t.name()).collect(),
            markers: &replay.marks,
        }
    }
}

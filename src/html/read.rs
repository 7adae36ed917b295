//! A run read back from its browser report (`view --replay OUTDIR`): the page carries the
//! report, the scenario as it was run and the replay (tracks, sampled arcs, marks), so the
//! report is the recording and nothing has to be simulated again. Decoding undoes
//! `data::PageData`'s columns; what the page rounded stays rounded (send times to the
//! millisecond, latencies to 10 µs).
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::data::{ArcCols, TrackCols};
use crate::metrics::report::Report;
use crate::radio::outcome::LossReason;
use crate::replay::{Arc, Mark, Replay, Sample, Scene, Track};
use crate::scenario::spec::{MsgType, Tech};

/// The page's name in a run's output directory.
pub const PAGE: &str = "report.html";
/// Largest page read, bytes (a 600 s Sangam run: about 9 MB).
const MAX_PAGE_BYTES: usize = 1 << 30;
/// Where the data starts and ends in the page (`assets/report/page.html`).
const OPEN: &str = r#"<script id="run-data" type="application/json">"#;
const CLOSE: &str = "</script>";

/// A recorded run.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    pub report: Report,
    pub replay: Replay,
}

/// The page as its script reads it (fields it has for the page alone are skipped).
#[derive(Deserialize)]
struct PageIn {
    report: Report,
    scenario: String,
    scene: Scene,
    period: f64,
    tracks: Vec<TrackCols>,
    arcs: ArcCols,
    receptions: u64,
    types: Vec<String>,
    techs: Vec<String>,
    markers: Vec<Mark>,
}

/// The page a path names: the file itself, or `report.html` in a run's output directory.
pub fn page_path(path: &Path) -> PathBuf {
    if path.is_dir() {
        path.join(PAGE)
    } else {
        path.to_path_buf()
    }
}

/// Read the recording in the page at `path` (a file, or a run's output directory).
pub fn read(path: &Path) -> Result<Recording, String> {
    let file = page_path(path);
    let text = crate::scenario::load::read_text_up_to(&file, MAX_PAGE_BYTES)
        .map_err(|e| format!("{}: {}", file.display(), e.message))?;
    decode(&text).map_err(|e| format!("{}: {e}", file.display()))
}

/// The recording in a page's text.
pub fn decode(page: &str) -> Result<Recording, String> {
    let not_ours = "not a sangam-sim report (no run data in it)";
    let start = page.find(OPEN).ok_or(not_ours)? + OPEN.len();
    let len = page[start..].find(CLOSE).ok_or(not_ours)?;
    let data: PageIn = serde_json::from_str(&page[start..start + len]).map_err(|e| {
        format!("its run data cannot be read ({e}); was it written by another version?")
    })?;
    data.into_recording()
}

impl PageIn {
    fn into_recording(self) -> Result<Recording, String> {
        let arcs = arcs(&self.arcs, &self.types, &self.techs)?;
        let tracks = self.tracks.iter().map(track).collect::<Result<_, _>>()?;
        Ok(Recording {
            report: self.report,
            replay: Replay {
                scenario: self.scenario,
                scene: self.scene,
                period_s: self.period,
                tracks,
                arcs,
                receptions: self.receptions,
                marks: self.markers,
            },
        })
    }
}

/// Running sums: the values whose successive differences `d` holds.
fn sums<T: Copy + Into<i64>>(d: &[T]) -> impl Iterator<Item = i64> + '_ {
    d.iter().scan(0i64, |acc, x| {
        *acc += (*x).into();
        Some(*acc)
    })
}

fn to_i32(v: i64) -> Result<i32, String> {
    i32::try_from(v).map_err(|_| format!("a position ({v} dm) out of range"))
}

fn track(c: &TrackCols) -> Result<Track, String> {
    let n = c.x.len();
    let level = c.z.is_empty();
    if [c.y.len(), c.h.len(), c.v.len(), c.g.len()] != [n; 4] || !(level || c.z.len() == n) {
        return Err(format!("track {}: columns of different lengths", c.id));
    }
    let zs = sums(&c.z).chain(std::iter::repeat(0));
    let samples = sums(&c.x)
        .zip(sums(&c.y).zip(zs))
        .zip(c.h.iter().zip(&c.v).zip(&c.g))
        .map(|((x, (y, z)), ((h, v), g))| {
            Ok(Sample {
                x_dm: to_i32(x)?,
                y_dm: to_i32(y)?,
                z_dm: to_i32(z)?,
                heading_deg: *h,
                speed_dms: *v,
                gap_dm: u32::try_from(*g).ok(),
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(Track {
        id: c.id.clone(),
        kind: c.kind.clone(),
        automated: c.auto,
        length: c.len,
        width: c.wid,
        first: c.first,
        samples,
    })
}

/// The item named `names[i]` in `all` (by its `name`).
fn by_name<T: Copy>(
    all: &[T],
    name: impl Fn(T) -> &'static str,
    names: &[String],
    i: u8,
) -> Result<T, String> {
    let wanted = names
        .get(usize::from(i))
        .ok_or_else(|| format!("an arc names entry {i} of a list of {}", names.len()))?;
    all.iter()
        .copied()
        .find(|x| name(*x) == wanted)
        .ok_or_else(|| format!("unknown message type or technology `{wanted}`"))
}

fn arcs(c: &ArcCols, types: &[String], techs: &[String]) -> Result<Vec<Arc>, String> {
    let n = c.t.len();
    let lens = [
        c.m.len(),
        c.k.len(),
        c.fx.len(),
        c.fy.len(),
        c.tx.len(),
        c.ty.len(),
        c.lat.len(),
    ];
    if lens != [n; 7] {
        return Err("arc columns of different lengths".into());
    }
    let ends = sums(&c.fx)
        .zip(sums(&c.fy))
        .zip(sums(&c.tx).zip(sums(&c.ty)));
    sums(&c.t)
        .zip(ends)
        .enumerate()
        .map(|(i, (t_ms, ((fx, fy), (tx, ty))))| {
            Ok(Arc {
                sent_us: u64::try_from(t_ms).map_err(|_| "an arc sent before 0 s")? * 1000,
                msg: by_name(&MsgType::ALL, MsgType::name, types, c.m[i])?,
                tech: by_name(&Tech::ALL, Tech::name, techs, c.k[i])?,
                from_dm: [to_i32(fx)?, to_i32(fy)?],
                to_dm: [to_i32(tx)?, to_i32(ty)?],
                outcome: outcome(c.lat[i])?,
            })
        })
        .collect()
}

/// Latency in 10 µs units, or -(1 + the loss reason's position in `LossReason::ALL`).
fn outcome(lat: i64) -> Result<Result<u64, LossReason>, String> {
    if let Ok(units) = u64::try_from(lat) {
        return Ok(Ok(units * 10));
    }
    usize::try_from(-1 - lat)
        .ok()
        .and_then(|i| LossReason::ALL.get(i))
        .map(|r| Err(*r))
        .ok_or_else(|| format!("unknown loss reason {lat}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runner::{RunOptions, run};

    /// Send times to the millisecond and latencies to 10 µs, as the page keeps them.
    fn as_the_page_keeps(mut r: Replay) -> Replay {
        for a in &mut r.arcs {
            a.sent_us = (a.sent_us + 500) / 1000 * 1000;
            if let Ok(us) = &mut a.outcome {
                *us = (*us + 5) / 10 * 10;
            }
        }
        r
    }

    #[test]
    fn a_page_reads_back_as_the_run_it_shows() {
        let loaded = crate::scenario::embedded::load_embedded("hidden-pedestrian.ron")
            .unwrap_or_else(|d| panic!("{}", d.render_fancy()));
        let opts = RunOptions {
            replay: true,
            ..RunOptions::default()
        };
        let out = run(loaded.spec, &loaded.name, &opts);
        let replay = *out.replay.clone().expect("a replay was asked for");
        assert!(!replay.tracks.is_empty() && !replay.arcs.is_empty());
        let page = String::from_utf8(crate::html::page(&out.report, &replay)).unwrap_or_default();
        let back = decode(&page).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.report, out.report);
        assert_eq!(back.replay, as_the_page_keeps(replay));
        // A level map's tracks carry no heights.
        assert!(
            back.replay
                .tracks
                .iter()
                .flat_map(|t| &t.samples)
                .all(|s| s.z_dm == 0)
        );
        assert!(
            !page.contains(r#""z":"#),
            "a level map's page has a height column"
        );
        // The scenario in it loads by itself, as the one that ran.
        let again = crate::scenario::load::load_str("replayed.ron", &back.replay.scenario)
            .unwrap_or_else(|d| panic!("{}", d.render_fancy()));
        assert_eq!(again.spec.name, out.report.scenario);
    }

    #[test]
    fn a_replay_on_a_sloping_map_keeps_the_ground_under_every_road_user() {
        const GRADE: f64 = 0.02;
        let mut loaded = crate::scenario::embedded::load_embedded("hidden-pedestrian.ron")
            .unwrap_or_else(|d| panic!("{}", d.render_fancy()));
        for n in &mut loaded.spec.network.nodes {
            n.z = GRADE * n.pos.0;
        }
        let opts = RunOptions {
            replay: true,
            ..RunOptions::default()
        };
        let out = run(loaded.spec, &loaded.name, &opts);
        let replay = *out.replay.clone().expect("a replay was asked for");
        // The map is a plane rising 2 % eastward: every road user is on it (within the rise
        // across a lane's width from its centreline, and the rounding to decimetres).
        let samples = replay.tracks.iter().flat_map(|t| &t.samples);
        let mut n = 0;
        for s in samples {
            let plane = GRADE * f64::from(s.x_dm);
            assert!((f64::from(s.z_dm) - plane).abs() <= 2.0, "{s:?}");
            n += usize::from(s.z_dm != 0);
        }
        assert!(n > 0, "nobody was off the ground plane's zero");
        let page = String::from_utf8(crate::html::page(&out.report, &replay)).unwrap_or_default();
        let back = decode(&page).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.replay.tracks, replay.tracks);
    }

    #[test]
    fn a_page_that_is_not_a_report_is_refused_with_the_reason() {
        let e = decode("<html><body>hello</body></html>")
            .err()
            .unwrap_or_default();
        assert!(e.contains("not a sangam-sim report"), "{e}");
        let page = format!("{OPEN}{{\"report\": 1}}{CLOSE}");
        let e = decode(&page).err().unwrap_or_default();
        assert!(e.contains("another version"), "{e}");
    }
}

//! Sweeps: one base scenario run over a grid of overrides.
//!
//! A sweep file (RON, documented in `docs/testing.md`) names the base scenario, relative to the
//! sweep file, and a list of values per axis. The points are the cartesian product, in a fixed
//! order: `penetration` outermost, then `demand`, `gnb_latency_ms`, `rsu_count`, and `seeds`
//! innermost (so the seeds of one configuration are neighbours). Point `i` has the id
//! `p{i:04}`; an empty axis is not varied (the base scenario's value is kept). `--shard k/n`
//! takes the points with `i % n == k`.
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::output::OutputError;
use crate::scenario::diag::{Diag, Diagnostics};
use crate::scenario::load::include::{Origins, SourceFile};
use crate::scenario::load::{MAX_DURATION, parse, read_text};
use crate::scenario::spec::{Kind, Latency, Spec};
use crate::scenario::validate::{Issue, Sink, validate};

/// Most points in one sweep (bounds the work a typo in a sweep file can ask for).
pub const MAX_POINTS: usize = 100_000;

/// A sweep file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename = "Sweep")]
pub struct SweepFile {
    /// The base scenario, relative to the sweep file.
    pub base: String,
    /// Seeds (default: the scenario's own).
    #[serde(default)]
    pub seeds: Vec<u64>,
    /// Share of automated vehicles, 0-1: sets `automated` on every flow and on explicit cars.
    #[serde(default)]
    pub penetration: Vec<f64>,
    /// Median gNB-to-edge (`v2x.links.uu.core`) latency, ms; log-normal with p99 = 2.5 × median.
    #[serde(default)]
    pub gnb_latency_ms: Vec<f64>,
    /// Keep only the first k RSUs of the scenario.
    #[serde(default)]
    pub rsu_count: Vec<usize>,
    /// Multiplier on every flow's `per_hour`.
    #[serde(default)]
    pub demand: Vec<f64>,
    /// Simulated time of every point, s (default: the scenario's); keeps exploratory sweeps short.
    #[serde(default)]
    pub duration: Option<f64>,
}

/// One point of the grid: the overrides applied (None: not varied).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub index: usize,
    pub id: String,
    pub seed: Option<u64>,
    pub penetration: Option<f64>,
    pub demand: Option<f64>,
    pub gnb_latency_ms: Option<f64>,
    pub rsu_count: Option<usize>,
}

/// Everything needed to run or merge a sweep; written as `sweep.json` by every shard so that
/// `merge` can check that shards belong together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The base scenario as written in the sweep file.
    pub base: String,
    pub scenario: String,
    pub sweep: SweepFile,
    pub points: Vec<Point>,
    /// Every file the sweep was made from, with its content hash: shards of the same sweep file
    /// over different base scenarios (or an edited include) are told apart.
    pub inputs: Vec<InputFile>,
}

/// One input of a sweep: the sweep file, the base scenario or one of its includes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputFile {
    /// `sweep`, `base` or `include`.
    pub role: String,
    /// As written: the sweep file's name, the base as the sweep names it, an include as the base
    /// names it (so shards run from other directories still agree).
    pub path: String,
    /// FNV-1a 64 of the file's bytes (`crate::output::hash`).
    pub fnv1a64: String,
}

/// Hash one input file (`read_from` is where it is read, `path` how the plan names it).
pub fn input_file(role: &str, path: &str, read_from: &Path) -> Result<InputFile, OutputError> {
    let bytes = std::fs::read(read_from).map_err(OutputError::read(read_from))?;
    Ok(InputFile {
        role: role.into(),
        path: path.into(),
        fnv1a64: crate::output::hash::fnv64_hex(&bytes),
    })
}

fn axis<T: Copy>(v: &[T]) -> Vec<Option<T>> {
    if v.is_empty() {
        vec![None]
    } else {
        v.iter().copied().map(Some).collect()
    }
}

/// The points of a sweep, in the documented order.
pub fn points(s: &SweepFile) -> Vec<Point> {
    let mut out = Vec::new();
    for &penetration in &axis(&s.penetration) {
        for &demand in &axis(&s.demand) {
            for &gnb_latency_ms in &axis(&s.gnb_latency_ms) {
                for &rsu_count in &axis(&s.rsu_count) {
                    for &seed in &axis(&s.seeds) {
                        let index = out.len();
                        out.push(Point {
                            index,
                            id: format!("p{index:04}"),
                            seed,
                            penetration,
                            demand,
                            gnb_latency_ms,
                            rsu_count,
                        });
                    }
                }
            }
        }
    }
    out
}

/// Problems with the values of a sweep file (not its syntax), as `path: message`.
pub fn check(s: &SweepFile) -> Vec<String> {
    issues(s)
        .into_iter()
        .map(|i| {
            if i.path.is_empty() {
                i.message
            } else {
                format!("{}: {}", i.path, i.message)
            }
        })
        .collect()
}

/// Problems with the values of a sweep file, each at the path of its value (`demand[2]`) and
/// with a hint saying what the axis means.
fn issues(s: &SweepFile) -> Vec<Issue> {
    let mut sink = Sink::default();
    for (i, p) in s.penetration.iter().enumerate() {
        sink.ratio(&format!("penetration[{i}]"), *p);
    }
    for (i, d) in s.demand.iter().enumerate() {
        sink.non_negative(&format!("demand[{i}]"), *d, "");
    }
    for (i, m) in s.gnb_latency_ms.iter().enumerate() {
        sink.positive(&format!("gnb_latency_ms[{i}]"), *m, "ms");
    }
    if let Some(d) = s.duration {
        sink.positive_upto("duration", d, MAX_DURATION, "s");
    }
    let n = [
        s.seeds.len(),
        s.penetration.len(),
        s.gnb_latency_ms.len(),
        s.rsu_count.len(),
        s.demand.len(),
    ]
    .iter()
    .fold(1usize, |acc, k| acc.saturating_mul((*k).max(1)));
    if n > MAX_POINTS {
        sink.err(
            "",
            format!("the grid has {n} points, more than the limit of {MAX_POINTS}"),
            Some("the points are the product of the axes: give fewer values, or split the sweep into several files".into()),
        );
    }
    let mut issues = sink.issues;
    for i in &mut issues {
        if i.help.is_none() {
            i.help = axis_help(&i.path).map(str::to_string);
        }
    }
    issues
}

/// What the axis at `path` means, as a hint under a range error.
fn axis_help(path: &str) -> Option<&'static str> {
    let axis = path.split('[').next().unwrap_or(path);
    Some(match axis {
        "penetration" => "a share of automated vehicles, 0-1 (0.5 is half)",
        "demand" => "a multiplier on every flow's `per_hour`, such as 0.5 or 2.0",
        "gnb_latency_ms" => "a median gNB-to-edge latency in ms, such as 5.0",
        "duration" => "simulated seconds of every point, at most one day",
        _ => return None,
    })
}

/// Evenly spread `share` over `n` items: item j is chosen when ⌊(j+1)·share⌋ > ⌊j·share⌋, so
/// the count chosen is ⌊n·share⌋ and the choice does not depend on randomness.
fn spread(j: usize, share: f64) -> bool {
    ((j + 1) as f64 * share).floor() > (j as f64 * share).floor()
}

/// The base scenario with a point's overrides applied (the seed goes through `RunOptions`).
pub fn apply(base: &Spec, p: &Point, duration: Option<f64>) -> Spec {
    let mut s = base.clone();
    if let Some(d) = duration {
        s.duration = d;
    }
    if let Some(share) = p.penetration {
        for f in &mut s.flows {
            f.automated = share;
        }
        for (j, v) in s
            .vehicles
            .iter_mut()
            .filter(|v| v.kind == Kind::Car)
            .enumerate()
        {
            v.automated = spread(j, share);
        }
    }
    if let Some(k) = p.demand {
        for f in &mut s.flows {
            f.per_hour *= k;
        }
    }
    if let Some(m) = p.gnb_latency_ms {
        s.v2x.links.uu.core = Latency::LogNormal {
            median_ms: m,
            p99_ms: 2.5 * m,
        };
    }
    if let Some(k) = p.rsu_count {
        s.v2x.rsus.truncate(k);
    }
    s
}

/// Validate every point's scenario; messages name the point.
pub fn validate_points(base: &Spec, plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    for p in &plan.points {
        for i in validate(&apply(base, p, plan.sweep.duration)) {
            out.push(format!("point {}: {}: {}", p.id, i.path, i.message));
        }
    }
    out
}

/// `k/n` with n ≥ 1 and k < n.
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let bad = || format!("--shard must be k/n with 0 ≤ k < n (e.g. 0/4), got `{s}`");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || k >= n {
        return Err(bad());
    }
    Ok((k, n))
}

/// Read, parse and check a sweep file; every error is `file:line:col: message` with a hint
/// below it (the plain form of [`Diagnostics`]).
pub fn read(path: &Path) -> Result<SweepFile, String> {
    load(path).map_err(|d| d.to_string())
}

/// Read, parse and check a sweep file with the scenario loader's diagnostics: a syntax error,
/// or every bad value at once, each at its file, line and column.
pub fn load(path: &Path) -> Result<SweepFile, Diagnostics> {
    let name = path.display().to_string();
    let text = read_text(path).map_err(|e| {
        let mut d = Diag::whole_file(&name, e.message, None);
        (d.line, d.col) = e.at;
        Diagnostics::single(d)
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let source: Arc<str> = Arc::from(text);
    let sweep: SweepFile = parse(&name, &source).map_err(Diagnostics::single)?;
    let issues = issues(&sweep);
    if issues.is_empty() {
        return Ok(sweep);
    }
    let origins = Origins::single(SourceFile::new(&name, source));
    Err(Diagnostics::new(
        issues.iter().map(|i| origins.diag(i)).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_vary_fastest_and_ids_are_stable() {
        let s = SweepFile {
            base: "x.ron".into(),
            seeds: vec![1, 2],
            penetration: vec![0.0, 1.0],
            gnb_latency_ms: vec![],
            rsu_count: vec![],
            demand: vec![],
            duration: None,
        };
        let p = points(&s);
        assert_eq!(p.len(), 4);
        assert_eq!((p[1].seed, p[1].penetration), (Some(2), Some(0.0)));
        assert_eq!((p[2].seed, p[2].penetration), (Some(1), Some(1.0)));
        assert_eq!(p[3].id, "p0003");
    }

    #[test]
    fn spread_picks_floor_n_share() {
        for share in [0.0, 0.25, 0.5, 1.0] {
            let n = (0..8).filter(|j| spread(*j, share)).count();
            assert_eq!(n, (8.0 * share) as usize);
        }
    }

    #[test]
    fn shards_parse() {
        assert_eq!(parse_shard("1/3"), Ok((1, 3)));
        assert!(parse_shard("3/3").is_err());
        assert!(parse_shard("x").is_err());
    }
}

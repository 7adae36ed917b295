//! The files of a sweep directory:
//!
//! ```text
//! sweep.json               the plan: sweep file, base scenario, every point (all shards)
//! points/<id>/report.json  one point's report (or points/<id>/error.txt if it panicked or
//!                          timed out)
//! points.csv               one row per point: overrides and key results
//! *.svg                    plots (see `plots`)
//! ```
//!
//! `points.csv` and the plots are built by [`write_results`] from the per-point files alone, in
//! point order, and nothing else; `sweep` and `merge` both call it, so a merged directory is
//! byte for byte what one unsharded run writes.
use std::path::{Path, PathBuf};

use super::plots;
use super::sweep::Point;
use crate::metrics::report::Report;
use crate::output::{OutputError, json, write_file};

pub use super::sweep_result::{PointResult, automated_share, channels};

pub fn point_dir(dir: &Path, p: &Point) -> PathBuf {
    dir.join("points").join(&p.id)
}

/// Write one point's result, removing a stale result of the other kind.
pub fn write_point(dir: &Path, p: &Point, r: &PointResult) -> Result<(), OutputError> {
    let d = point_dir(dir, p);
    let (name, other, bytes) = match r {
        PointResult::Report(rep) => ("report.json", "error.txt", json(rep.as_ref())),
        PointResult::Error(e) => ("error.txt", "report.json", format!("{e}\n").into_bytes()),
    };
    let path = d.join(name);
    write_file(&path, &bytes)?;
    let _ = std::fs::remove_file(d.join(other));
    Ok(())
}

/// Copy one point's result file byte for byte (`from` and `to` may be the same directory).
/// Returns false when `from` does not hold the point.
pub fn copy_point(from: &Path, to: &Path, p: &Point) -> Result<bool, OutputError> {
    for name in ["report.json", "error.txt"] {
        let src = point_dir(from, p).join(name);
        if src.exists() {
            let bytes = std::fs::read(&src).map_err(OutputError::read(&src))?;
            write_file(&point_dir(to, p).join(name), &bytes)?;
            return Ok(true);
        }
    }
    Ok(false)
}

/// Read one point's result from a sweep directory (None when the directory does not hold it).
pub fn read_point(dir: &Path, p: &Point) -> Result<Option<PointResult>, OutputError> {
    let d = point_dir(dir, p);
    let report = d.join("report.json");
    if report.exists() {
        let text = std::fs::read_to_string(&report).map_err(OutputError::read(&report))?;
        let r: Report = serde_json::from_str(&text).map_err(|e| OutputError::Damaged {
            path: report.clone(),
            problem: e.to_string(),
        })?;
        return Ok(Some(PointResult::Report(Box::new(r))));
    }
    let err = d.join("error.txt");
    if err.exists() {
        let text = std::fs::read_to_string(&err).map_err(OutputError::read(&err))?;
        return Ok(Some(PointResult::Error(text.trim_end().to_string())));
    }
    Ok(None)
}

fn opt<T: ToString>(x: Option<T>) -> String {
    x.map_or(String::new(), |x| x.to_string())
}

/// The columns of `points.csv`: the overrides, the key results, then four per channel.
fn csv_header(chans: &[(String, String)]) -> Vec<String> {
    let mut header: Vec<String> = [
        "id",
        "seed",
        "penetration",
        "demand",
        "gnb_latency_ms",
        "rsu_count",
        "status",
        "failed_expectations",
        "scenario_seed",
        "vehicles",
        "arrived",
        "automated_share",
        "mean_travel_time_s",
        "collisions",
        "min_ttc_s",
        "hard_brakings",
        "mean_stops",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for (m, t) in chans {
        for col in ["sent", "delivery_ratio", "p50_ms", "p99_ms"] {
            header.push(format!("{m}_{t}_{col}"));
        }
    }
    header
}

/// The result columns of a point that has a report (after its overrides).
fn report_cells(r: &Report, chans: &[(String, String)]) -> Vec<String> {
    let s = &r.summary;
    let mut row = vec![
        if r.passed { "pass" } else { "fail" }.to_string(),
        r.expectations
            .iter()
            .filter(|v| !v.passed)
            .count()
            .to_string(),
        r.seed.to_string(),
        s.vehicles.to_string(),
        s.arrived.to_string(),
        opt(automated_share(r).map(|x| (x * 1e4).round() / 1e4)),
        opt(s.mean_travel_time_s),
        s.collisions.to_string(),
        opt(s.min_ttc_s),
        s.hard_brakings.to_string(),
        opt(s.mean_stops),
    ];
    for (m, t) in chans {
        match r.v2x.by_type.iter().find(|x| &x.msg == m && &x.tech == t) {
            None => row.extend(std::iter::repeat_n(String::new(), 4)),
            Some(x) => row.extend([
                x.sent.to_string(),
                opt(x.delivery_ratio),
                opt(x.latency_ms.as_ref().map(|l| l.p50)),
                opt(x.latency_ms.as_ref().map(|l| l.p99)),
            ]),
        }
    }
    row
}

/// `points.csv` as bytes.
pub fn csv_bytes(results: &[(Point, PointResult)]) -> Result<Vec<u8>, OutputError> {
    let encode = |e: &dyn std::fmt::Display| OutputError::Encode {
        what: "points.csv".into(),
        problem: e.to_string(),
    };
    let chans = channels(results);
    let header = csv_header(&chans);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).map_err(|e| encode(&e))?;
    for (p, r) in results {
        let mut row = vec![
            p.id.clone(),
            opt(p.seed),
            opt(p.penetration),
            opt(p.demand),
            opt(p.gnb_latency_ms),
            opt(p.rsu_count),
        ];
        match r {
            PointResult::Error(_) => {
                row.push("error".into());
                row.resize(header.len(), String::new());
            }
            PointResult::Report(r) => row.extend(report_cells(r, &chans)),
        }
        w.write_record(&row).map_err(|e| encode(&e))?;
    }
    w.into_inner().map_err(|e| encode(&e))
}

/// Write `points.csv` and the plots of `points` from their result files in `dir` (read back
/// from disk even right after a run, so that a merge, which has only the files, computes from
/// exactly the same numbers). Returns the results read.
pub fn write_results(
    dir: &Path,
    points: &[Point],
) -> Result<Vec<(Point, PointResult)>, OutputError> {
    let mut results = Vec::with_capacity(points.len());
    for p in points {
        match read_point(dir, p)? {
            Some(r) => results.push((p.clone(), r)),
            None => {
                return Err(OutputError::Shards(format!(
                    "{}: no result for point {}",
                    dir.display(),
                    p.id
                )));
            }
        }
    }
    let path = dir.join("points.csv");
    write_file(&path, &csv_bytes(&results)?)?;
    for (name, svg) in plots::all(&results)? {
        write_file(&dir.join(name), svg.as_bytes())?;
    }
    Ok(results)
}

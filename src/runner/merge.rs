//! Merging sweep shards (`sangam-sim merge`). Everything is checked before anything is written:
//! the shards must come from the same sweep and the same input files (hashes in `sweep.json`),
//! and together hold every point, each readable. The merged directory is then built beside the
//! destination and swapped in, so it appears whole or not at all.
use std::fs;
use std::path::{Path, PathBuf};

use super::sweep::Plan;
use super::sweep_out::{PointResult, copy_point, read_point, write_results};
use crate::output::{OutputError, json, write_file};

fn read_plan(dir: &Path) -> Result<Plan, OutputError> {
    let path = dir.join("sweep.json");
    let text = fs::read_to_string(&path).map_err(|e| {
        OutputError::Shards(format!(
            "cannot read {}: {e} (is {} a sweep shard's --out directory?)",
            path.display(),
            dir.display()
        ))
    })?;
    serde_json::from_str(&text).map_err(|e| OutputError::Damaged {
        path: path.clone(),
        problem: format!("not a sweep plan of this version: {e}"),
    })
}

/// Why `other`'s plan is not `first`'s, naming the input that differs when one does.
fn mismatch(first: &Plan, other: &Plan, first_dir: &Path, dir: &Path) -> Option<String> {
    if first == other {
        return None;
    }
    let (a, b) = (first_dir.display(), dir.display());
    let differing = first
        .inputs
        .iter()
        .zip(&other.inputs)
        .find(|(x, y)| x != y)
        .map(|(x, y)| match x.path == y.path {
            true => format!("its {} `{}` has different contents", x.role, x.path),
            false => format!("its {} is `{}`, not `{}`", x.role, y.path, x.path),
        });
    Some(match differing {
        Some(what) => format!("{b} is from a different sweep than {a}: {what}"),
        None => format!("{b} is from a different sweep than {a} (their sweep.json differ)"),
    })
}

/// The shards' common plan.
fn common_plan(dirs: &[PathBuf]) -> Result<Plan, OutputError> {
    let first_dir = dirs
        .first()
        .ok_or_else(|| OutputError::Shards("no shard directories given".into()))?;
    let first = read_plan(first_dir)?;
    for d in &dirs[1..] {
        if let Some(e) = mismatch(&first, &read_plan(d)?, first_dir, d) {
            return Err(OutputError::Shards(e));
        }
    }
    Ok(first)
}

/// For each point, the first directory holding it, after checking its file reads.
fn sources(dirs: &[PathBuf], plan: &Plan) -> Result<Vec<PathBuf>, OutputError> {
    let mut found = Vec::with_capacity(plan.points.len());
    let mut missing = Vec::new();
    for p in &plan.points {
        let mut hit = None;
        for d in dirs {
            if read_point(d, p)?.is_some() {
                hit = Some(d.clone());
                break;
            }
        }
        match hit {
            Some(d) => found.push(d),
            None => missing.push(p.id.as_str()),
        }
    }
    if missing.is_empty() {
        return Ok(found);
    }
    let shown: Vec<&str> = missing.iter().take(10).copied().collect();
    Err(OutputError::Shards(format!(
        "{} of {} points are in none of the directories (e.g. {}); did every shard finish?",
        missing.len(),
        plan.points.len(),
        shown.join(", ")
    )))
}

/// A fresh directory beside `out` to build the merge in.
fn staging_dir(out: &Path, what: &str) -> PathBuf {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out.file_name().unwrap_or_default().to_string_lossy();
    parent.join(format!(".{name}.{what}.{}.tmp", std::process::id()))
}

fn build(
    staging: &Path,
    plan: &Plan,
    from: &[PathBuf],
) -> Result<Vec<(super::sweep::Point, PointResult)>, OutputError> {
    fs::create_dir_all(staging).map_err(|source| OutputError::CreateDir {
        path: staging.to_path_buf(),
        source,
    })?;
    for (p, d) in plan.points.iter().zip(from) {
        copy_point(d, staging, p)?;
    }
    write_file(&staging.join("sweep.json"), &json(plan))?;
    write_results(staging, &plan.points)
}

/// Put the built directory at `out`, replacing an earlier merge or sweep there (never anything
/// else).
fn swap_in(staging: &Path, out: &Path) -> Result<(), OutputError> {
    let old = staging_dir(out, "old");
    if out.exists() {
        let empty = fs::read_dir(out)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty && !out.join("sweep.json").is_file() {
            return Err(OutputError::Foreign {
                path: out.to_path_buf(),
            });
        }
        fs::rename(out, &old).map_err(OutputError::write(out))?;
    }
    let placed = fs::rename(staging, out).map_err(OutputError::write(out));
    if placed.is_err() && old.exists() {
        let _ = fs::rename(&old, out);
    }
    let _ = fs::remove_dir_all(&old);
    placed
}

/// Merge `dirs` into `out`; returns every point's result. On error nothing is left behind.
pub fn merge(
    dirs: &[PathBuf],
    out: &Path,
) -> Result<Vec<(super::sweep::Point, PointResult)>, OutputError> {
    let plan = common_plan(dirs)?;
    let from = sources(dirs, &plan)?;
    let staging = staging_dir(out, "merge");
    let _ = fs::remove_dir_all(&staging);
    let result = build(&staging, &plan, &from).and_then(|r| swap_in(&staging, out).map(|_| r));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

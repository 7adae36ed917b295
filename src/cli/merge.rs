//! `sangam-sim merge DIR... --out DIR`: combine the output directories of sweep shards into
//! exactly what one unsharded run writes (same `sweep.json`, per-point reports, `points.csv`
//! and plots, byte for byte).
//!
//! The shards must come from the same sweep (equal `sweep.json`) and together hold every point;
//! a point found in several directories is taken from the first. Exit codes as for `sweep`.
use std::path::PathBuf;

use clap::Args;

use super::{BAD_INPUT, FAILED, OK};
use crate::output::{json, write_atomic};
use crate::runner::sweep::Plan;
use crate::runner::sweep_out::{PointResult, copy_point, write_results};

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Shard output directories (each written by `sweep --shard k/n`).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output directory.
    #[arg(long)]
    pub out: PathBuf,
}

fn read_plan(dir: &std::path::Path) -> Result<Plan, String> {
    let path = dir.join("sweep.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: not a sweep plan: {e}", path.display()))
}

pub fn merge(args: &MergeArgs) -> i32 {
    let mut plan: Option<Plan> = None;
    for d in &args.dirs {
        match read_plan(d) {
            Err(e) => {
                eprintln!("error: {e}");
                return BAD_INPUT;
            }
            Ok(p) => match &plan {
                Some(first) if *first != p => {
                    eprintln!(
                        "error: {} is from a different sweep than {} (their sweep.json differ)",
                        d.display(),
                        args.dirs[0].display()
                    );
                    return BAD_INPUT;
                }
                Some(_) => {}
                None => plan = Some(p),
            },
        }
    }
    let Some(plan) = plan else {
        eprintln!("error: no shard directories given");
        return BAD_INPUT;
    };
    let mut missing = Vec::new();
    for p in &plan.points {
        let mut found = false;
        for d in &args.dirs {
            match copy_point(d, &args.out, p) {
                Err(e) => {
                    eprintln!("error: {e}");
                    return BAD_INPUT;
                }
                Ok(true) => {
                    found = true;
                    break;
                }
                Ok(false) => {}
            }
        }
        if !found {
            missing.push(p.id.clone());
        }
    }
    if !missing.is_empty() {
        let shown: Vec<&str> = missing.iter().take(10).map(String::as_str).collect();
        eprintln!(
            "error: {} of {} points are in none of the directories (e.g. {}); did every shard finish?",
            missing.len(),
            plan.points.len(),
            shown.join(", ")
        );
        return BAD_INPUT;
    }
    let plan_path = args.out.join("sweep.json");
    if let Err(e) = write_atomic(&plan_path, &json(&plan)) {
        eprintln!("error: cannot write {}: {e}", plan_path.display());
        return BAD_INPUT;
    }
    let results = match write_results(&args.out, &plan.points) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return BAD_INPUT;
        }
    };
    let errors = results
        .iter()
        .filter(|(_, r)| matches!(r, PointResult::Error(_)))
        .count();
    println!(
        "merged {} points from {} directories into {}",
        results.len(),
        args.dirs.len(),
        args.out.display()
    );
    if errors > 0 { FAILED } else { OK }
}

//! `sangam-sim merge DIR... --out DIR`: combine the output directories of sweep shards into
//! exactly what one unsharded run writes (same `sweep.json`, per-point reports, `points.csv`
//! and plots, byte for byte).
//!
//! The shards must come from the same sweep and the same input files (their `sweep.json`, with
//! the inputs' hashes, are equal) and together hold every point; a point found in several
//! directories is taken from the first. Nothing is written unless all of that holds
//! (`runner::merge`). Exit codes as for `sweep`.
use std::path::PathBuf;

use clap::Args;

use super::{BAD_INPUT, FAILED, OK};
use crate::runner::sweep_out::PointResult;

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Shard output directories (each written by `sweep --shard k/n`).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output directory.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn merge(args: &MergeArgs) -> i32 {
    let results = match crate::runner::merge::merge(&args.dirs, &args.out) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!(
                "  help: {}; nothing was written to {}",
                e.hint(),
                args.out.display()
            );
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

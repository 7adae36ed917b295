//! `sangam-sim bench --net NET.xml --routes ROU.xml...`: the same network and vehicles in
//! sangam-sim and in SUMO, one after the other in one invocation, so that the machine's mood
//! is shared and the ratio of the two speeds means something (docs/performance.md).
use std::path::Path;
use std::process::Command;

use serde::Serialize;

use super::bench::{BenchArgs, figures, print_figures};
use super::{BAD_INPUT, OK};
use crate::output::json;
use crate::runner::{RunOptions, run};
use crate::scenario::load::{load_str, set_allow_include_outside};

/// What SUMO printed about its run (`--duration-log.statistics`).
#[derive(Debug, Default, Serialize)]
struct SumoFigures {
    wall_s: f64,
    vehicle_updates_per_s: f64,
    real_time_factor: f64,
    inserted: u64,
}

/// The number after `key` on the first line of SUMO's output that starts with it.
fn stat(text: &str, key: &str) -> Option<f64> {
    let line = text.lines().map(str::trim).find(|l| l.starts_with(key))?;
    line[key.len()..].trim().trim_end_matches('s').parse().ok()
}

/// Runs SUMO on the same files; `Err` says why it could not.
fn run_sumo(
    net: &Path,
    routes: &[std::path::PathBuf],
    step: f64,
    end: f64,
) -> Result<SumoFigures, String> {
    let bin = std::env::var("SUMO_BIN")
        .map(|d| Path::new(&d).join("sumo"))
        .unwrap_or_else(|_| "sumo".into());
    let list: Vec<String> = routes.iter().map(|r| r.display().to_string()).collect();
    let out = Command::new(&bin)
        .arg("-n")
        .arg(net)
        .arg("-r")
        .arg(list.join(","))
        .args([
            "--step-length",
            &step.to_string(),
            "--end",
            &end.to_string(),
        ])
        .args(["--no-step-log", "--duration-log.statistics", "true"])
        .output()
        .map_err(|e| {
            format!(
                "{} does not run ({e}); set SUMO_BIN or put sumo on the PATH",
                bin.display()
            )
        })?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "SUMO failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(SumoFigures {
        wall_s: stat(&text, "Duration:").unwrap_or(f64::NAN),
        vehicle_updates_per_s: stat(&text, "UPS:").unwrap_or(f64::NAN),
        real_time_factor: stat(&text, "Real time factor:").unwrap_or(f64::NAN),
        inserted: stat(&text, "Inserted:").map_or(0, |n| n as u64),
    })
}

pub fn bench(net: &Path, routes: &[std::path::PathBuf], args: &BenchArgs, v2x: bool) -> i32 {
    if v2x {
        eprintln!(
            "error: --v2x on needs roadside units and cells: `sangam-sim import` the network, place them, and run that scenario"
        );
        return BAD_INPUT;
    }
    if !(crate::scenario::spec::STEP_BOUNDS.0..=crate::scenario::spec::STEP_BOUNDS.1)
        .contains(&args.step)
    {
        eprintln!("error: --step must be in [0.001, 0.1] s");
        return BAD_INPUT;
    }
    // The files are the user's own choice on the command line, not a scenario's.
    set_allow_include_outside(true);
    let q = |p: &Path| ron::to_string(&p.display().to_string()).unwrap_or_default();
    let list: Vec<String> = routes.iter().map(|r| q(r)).collect();
    let text = format!(
        "(name: \"bench-sumo\", duration: {:?}, step: {:?}, sumo: (net: {}, routes: [{}]))",
        args.duration_s(),
        args.step,
        q(net),
        list.join(", ")
    );
    let loaded = match load_str("bench.ron", &text) {
        Ok(l) => l,
        Err(d) => {
            eprint!("{}", d.render_fancy());
            return BAD_INPUT;
        }
    };
    let threads = super::parse_threads(args.threads, 1).unwrap_or(1);
    let opts = RunOptions {
        progress: super::run::progress_callback("bench".into()),
        threads,
        ..RunOptions::default()
    };
    let ours = run(loaded.spec, "<bench>", &opts);
    let f = figures((ours.report.vehicles.len(), 0, false), threads, &ours);
    let sumo = run_sumo(net, routes, args.step, args.duration_s());
    let ratio = sumo
        .as_ref()
        .map(|s| ours.timing.vehicle_updates_per_s / s.vehicle_updates_per_s)
        .ok();
    if args.json {
        let all =
            serde_json::json!({ "sangam_sim": f, "sumo": sumo.as_ref().ok(), "ups_ratio": ratio });
        print!("{}", String::from_utf8_lossy(&json(&all)));
    } else {
        println!(
            "{} with {}: {} vehicles, {} s simulated at {} s steps",
            net.display(),
            list.join(", "),
            ours.report.vehicles.len(),
            ours.report.sim_time_s,
            args.step
        );
        print_figures(&f);
        match &sumo {
            Ok(s) => {
                println!(
                    "SUMO UPS                 {:.0} ({} vehicles inserted, {:.2} s wall, real-time factor {:.1})",
                    s.vehicle_updates_per_s, s.inserted, s.wall_s, s.real_time_factor
                );
                println!("UPS ratio (ours / SUMO)  {:.2}", ratio.unwrap_or(f64::NAN));
            }
            Err(e) => println!("SUMO                     not run: {e}"),
        }
    }
    OK
}

//! `sangam-sim view`: the command line of the 3D view; the view itself gets a loaded scenario
//! and plain options ([`crate::viz::ViewOptions`]).
use std::path::{Path, PathBuf};

use clap::Args;

use crate::html::read::Recording;
use crate::scenario::load::{Loaded, load_str};
use crate::viz::ViewOptions;

/// `sangam-sim view` arguments.
#[derive(Args, Debug, Clone)]
pub struct ViewArgs {
    /// Scenario file, or the name of a built-in one (default: the embedded Sangam DMC scenario).
    #[arg(conflicts_with = "replay")]
    pub scenario: Option<PathBuf>,
    /// Play a recorded run instead of simulating: the output directory of `run --html` (or
    /// its report.html); same timeline and marks, and jumps back as fast as forwards.
    #[arg(long, value_name = "OUTDIR", conflicts_with_all = ["seed", "serve"])]
    pub replay: Option<PathBuf>,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Save one frame to this PNG once the simulation reaches `--at`, then exit.
    #[arg(long, value_name = "PNG")]
    pub screenshot: Option<PathBuf>,
    /// Simulated time of the screenshot, s.
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub at: f64,
    /// Initial speed, × real time (0.25-64; 0 = as fast as it can).
    #[arg(long, default_value_t = 1.0)]
    pub speed: f64,
    /// Start paused.
    #[arg(long)]
    pub paused: bool,
    /// Let TraCI clients step and steer the run while the view shows it (docs/traci.md); the
    /// view's speed and pause pace them.
    #[arg(long)]
    pub serve: bool,
    /// With --serve: TCP port (0: any free port, printed on stderr).
    #[arg(long, default_value_t = 8813, requires = "serve")]
    pub port: u16,
    /// With --serve: address to listen on (default: this machine only).
    #[arg(long, default_value_t = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), requires = "serve")]
    pub bind: std::net::IpAddr,
    /// With --serve: clients to wait for, each calling `setOrder` when more than one.
    #[arg(long, default_value_t = 1, requires = "serve", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub clients: u16,
    /// Time the frames drawn over this many seconds at `--speed`, print the frame rate and the
    /// speed kept, and exit (docs/viz.md, "Draw cost").
    #[arg(long, value_name = "SECONDS", conflicts_with = "screenshot")]
    pub measure: Option<f64>,
    /// Select this vehicle once it is on the road: the inspector describes it and a label
    /// follows it.
    #[arg(long, value_name = "ID")]
    pub select: Option<String>,
}

/// Load the scenario and open the view; returns the process exit code.
pub fn view(args: ViewArgs) -> i32 {
    let (loaded, replay) = match &args.replay {
        Some(dir) => match recorded(dir) {
            Ok((l, r)) => (l, Some(r)),
            Err(code) => return code,
        },
        None => match super::load(args.scenario.as_deref()) {
            Ok(l) => (l, None),
            Err(code) => return code,
        },
    };
    crate::viz::view(ViewOptions {
        spec: loaded.spec,
        source: loaded.name,
        seed: args.seed,
        screenshot: args.screenshot.map(|p| (p, args.at)),
        speed: args.speed,
        paused: args.paused,
        serve: args.serve.then(|| {
            let addr = std::net::SocketAddr::new(args.bind, args.port);
            (addr, usize::from(args.clients))
        }),
        select: args.select,
        replay,
        measure: args.measure,
    })
}

/// The recording in a run's output directory and the scenario it ran, or exit code 2.
fn recorded(dir: &Path) -> Result<(Loaded, Recording), i32> {
    let rec = crate::html::read::read(dir).map_err(|e| {
        eprintln!("error: {e}");
        eprintln!(
            "  help: record a run with `sangam-sim run SCENARIO --html --out DIR`, then \
             `sangam-sim view --replay DIR`"
        );
        2
    })?;
    let loaded = load_str(&rec.report.source, &rec.replay.scenario).map_err(|d| {
        eprint!("{}", d.render_fancy());
        2
    })?;
    Ok((loaded, rec))
}

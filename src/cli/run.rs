//! `sangam-sim run [SCENARIO] [--seed N] [--out DIR] [--trace ...] [--html]`.
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use super::{FAILED, OK, load, output_error, summary};
use crate::runner::{RunOptions, run as run_scenario};

#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenario file, or the name of a built-in one (`sangam-dmc`, `grid-8x8.ron`, ...; default:
    /// the embedded Sangam DMC scenario).
    pub scenario: Option<PathBuf>,
    /// Override the scenario's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output directory for report.json and timing.json.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Do not print the summary table.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write traces into the output directory: fcd.csv (every 0.1 s) and v2x.csv (every
    /// reception attempt), complete or not at all.
    #[arg(long)]
    pub trace: bool,
    /// With --trace: also write SUMO FCD XML (fcd.xml) for SUMO's tools.
    #[arg(long, requires = "trace")]
    pub fcd_xml: bool,
    /// With --trace: also write v2x.pcap, every sidelink transmission as an 802.11 frame
    /// with its GeoNetworking packet (Wireshark and tshark read it).
    #[arg(long, requires = "trace")]
    pub pcap: bool,
    /// With --pcap: also one frame per decoded reception, at the receiver, with its signal.
    #[arg(long, requires = "pcap")]
    pub pcap_rx: bool,
    /// Also write report.html: the run in a browser, from disk, with no network (an animated
    /// map, a timeline of what happened, the verdicts and the plots; docs/browser-report.md).
    #[arg(long)]
    pub html: bool,
    /// Threads the run may use (default: the machine's cores); the outputs are the same for
    /// any number.
    #[arg(long)]
    pub threads: Option<usize>,
}

impl RunArgs {
    /// `--pcap` in a build without the messages' encodings (feature `asn1`) is a usage error.
    pub fn capture_unavailable(&self) -> Option<i32> {
        (self.pcap && !crate::wire::ENCODES).then(|| {
            eprintln!("error: --pcap needs the messages' real encodings, and this build has none");
            eprintln!("  help: build with the default features (`asn1`)");
            super::BAD_INPUT
        })
    }

    /// What the capture records, when asked for.
    pub fn capture(&self) -> Option<crate::trace::Capture> {
        self.pcap.then_some(crate::trace::Capture {
            tx: true,
            rx: self.pcap_rx,
        })
    }
}

/// A progress bar that appears only on a terminal, and only once a run has taken a second.
pub fn progress_callback(label: String) -> Option<Arc<dyn Fn(u64, u64) + Send + Sync>> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let started = Instant::now();
    let bar: Mutex<Option<ProgressBar>> = Mutex::new(None);
    Some(Arc::new(move |done, total| {
        let Ok(mut bar) = bar.lock() else { return };
        if bar.is_none() && started.elapsed().as_secs_f64() > 1.0 {
            let b = ProgressBar::new(total);
            b.set_style(
                ProgressStyle::with_template("{msg} [{bar:40}] {percent:>3}% eta {eta}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            b.set_message(label.clone());
            // The bar starts a second in: what was done before must not count as done at once,
            // or the first rate is huge and the ETA far too short.
            b.set_position(done);
            b.reset_eta();
            *bar = Some(b);
        }
        if let Some(b) = bar.as_ref() {
            b.set_position(done);
            if done + total / 100 >= total {
                b.finish_and_clear();
            }
        }
    }))
}

pub fn run(args: &RunArgs) -> i32 {
    if let Some(code) = args.capture_unavailable() {
        return code;
    }
    let threads = match super::parse_threads(args.threads, 1) {
        Ok(t) => t,
        Err(msg) => {
            eprintln!("error: {msg}");
            return super::BAD_INPUT;
        }
    };
    let loaded = match load(args.scenario.as_deref()) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let opts = RunOptions {
        seed: args.seed,
        progress: progress_callback(loaded.spec.name.clone()),
        deadline: None,
        trace_dir: args.trace.then(|| args.out.clone()),
        fcd_xml: args.fcd_xml,
        pcap: args.capture(),
        replay: args.html,
        threads,
        ..RunOptions::default()
    };
    let mut outcome = run_scenario(loaded.spec, &loaded.name, &opts);
    if let Some(e) = &outcome.trace_error {
        return output_error(e);
    }
    if let Err(e) = outcome.commit(&args.out) {
        return output_error(&e);
    }
    let report_path = args.out.join("report.json");
    if !args.quiet {
        print!("{}", summary::table(&outcome.report, Some(&outcome.timing)));
        println!("report: {}", report_path.display());
        if args.trace {
            println!("traces: {}", args.out.display());
        }
        if args.html {
            println!("browser report: {}", args.out.join("report.html").display());
        }
    }
    if outcome.report.passed { OK } else { FAILED }
}

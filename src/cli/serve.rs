//! `sangam-sim serve [SCENARIO] [--port 8813] [--clients N]`: a TraCI server (docs/traci.md).
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener};

use clap::Args;

use super::run::RunArgs;
use super::{BAD_INPUT, FAILED, OK, load, output_error, summary};
use crate::cosim::{Sim, serve as serve_clients};
use crate::runner::RunOptions;
use crate::runner::app::{finish, start};

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The scenario and its outputs, as for `run`; the outputs are written when the clients
    /// are done.
    #[command(flatten)]
    pub run: RunArgs,
    /// TCP port to listen on (0: any free port, printed on stderr).
    #[arg(long, default_value_t = 8813)]
    pub port: u16,
    /// Address to listen on. The default accepts only this machine; another address exposes
    /// the simulation to the network.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub bind: IpAddr,
    /// Clients to wait for before the first step; with more than one, each calls `setOrder`.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub clients: u16,
}

pub fn serve(all: &ServeArgs) -> i32 {
    let args = &all.run;
    if let Some(code) = args.capture_unavailable() {
        return code;
    }
    let loaded = match load(args.scenario.as_deref()) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let addr = SocketAddr::new(all.bind, all.port);
    let listener = match TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {addr}: {e}");
            eprintln!("  help: choose another --port (0 picks a free one)");
            return BAD_INPUT;
        }
    };
    let local = listener.local_addr().map_or(addr, |a| a);
    let opts = RunOptions {
        seed: args.seed,
        trace_dir: args.trace.then(|| args.out.clone()),
        fcd_xml: args.fcd_xml,
        pcap: args.capture(),
        ..RunOptions::default()
    };
    let mut started = start(loaded.spec, &loaded.name, &opts);
    eprintln!(
        "listening on {local} for {} TraCI client{}",
        all.clients,
        if all.clients == 1 { "" } else { "s" }
    );
    let mut sim = Sim::new(std::mem::take(&mut started.app));
    let ended = serve_clients(&mut sim, &listener, usize::from(all.clients));
    started.app = sim.app;
    let ended = match ended {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: accepting clients on {local}: {e}");
            return BAD_INPUT;
        }
    };
    for (n, why, t) in &ended.lost {
        eprintln!("warning: client {n} lost at t = {t:.2} s: {why}; the run ends there");
    }
    let mut outcome = finish(started, false);
    if let Some(e) = &outcome.trace_error {
        return output_error(e);
    }
    if let Err(e) = outcome.commit(&args.out) {
        return output_error(&e);
    }
    if !args.quiet {
        print!("{}", summary::table(&outcome.report, Some(&outcome.timing)));
        if ended.steps > 0 {
            let per = |d: std::time::Duration| d.as_secs_f64() * 1e6 / ended.steps as f64;
            println!(
                "traci      {} steps; per step: simulation {:.1} µs, server {:.1} µs (decoding, answering, subscriptions, sending)",
                ended.steps,
                per(ended.step_time),
                per(ended.serve_time)
            );
        }
        println!("report: {}", args.out.join("report.json").display());
    }
    if outcome.report.passed { OK } else { FAILED }
}

//! `sangam-sim import NET.xml --out scenario.ron`: a scenario on a SUMO network, with roadside
//! units at its signalised junctions and 5G cells on a regular layout as a starting point.
use std::fmt::Write as _;
use std::path::PathBuf;

use super::{BAD_INPUT, OK};
use crate::scenario::spec::{Control, Network};
use crate::sumo::convert::{Imported, to_network};
use crate::sumo::net::parse;

/// Spacing of the 5G cells placed on a regular layout, m: TR 38.901's urban macro
/// inter-site distance (Table 7.8-1).
pub const GNB_SPACING_M: f64 = 500.0;

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// SUMO network file (.net.xml), as netconvert or netgenerate write it.
    pub net: PathBuf,
    /// Scenario file to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Simulated time of the scenario, s.
    #[arg(long, default_value_t = 600.0)]
    pub duration: f64,
}

pub fn import(args: &ImportArgs) -> i32 {
    let shown = args.net.display();
    let text = match std::fs::read_to_string(&args.net) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {shown}: cannot read it: {e}");
            return BAD_INPUT;
        }
    };
    let net = match parse(&text) {
        Ok(n) => n,
        Err(errors) => {
            for e in &errors {
                eprintln!("error: {shown}:{}:{}: {}", e.line, e.col, e.message);
            }
            eprintln!("{shown}: {} error(s); nothing written", errors.len());
            return BAD_INPUT;
        }
    };
    let imported = match to_network(&net) {
        Ok(i) => i,
        Err(errors) => {
            for (line, m) in &errors {
                eprintln!("error: {shown}:{line}: {m}");
            }
            eprintln!("{shown}: {} error(s); nothing written", errors.len());
            return BAD_INPUT;
        }
    };
    for n in &imported.notes {
        eprintln!("note: {n}");
    }
    let name = args
        .net
        .file_stem()
        .and_then(|s| s.to_str())
        .map_or("imported", |s| s.trim_end_matches(".net"));
    let ron = scenario_text(name, &shown.to_string(), &imported, args.duration);
    if let Err(e) = crate::output::write_file(&args.out, ron.as_bytes()) {
        return super::output_error(&e);
    }
    let n = &imported.network;
    println!(
        "{}: {} nodes, {} links, {} signalised junction(s), {} priority junction(s)",
        args.out.display(),
        n.nodes.len(),
        n.links.len(),
        imported.signalised.len(),
        n.junctions.len() - imported.signalised.len()
    );
    OK
}

/// A RON string literal.
fn q(s: &str) -> String {
    ron::to_string(&s.to_string()).unwrap_or_else(|_| "\"?\"".into())
}

/// The scenario file: what was placed automatically said at the top, then the network.
pub fn scenario_text(name: &str, source: &str, imp: &Imported, duration: f64) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "// {name}: imported from the SUMO network {source} by `sangam-sim import`."
    );
    let _ = writeln!(s, "//");
    let _ = writeln!(s, "// Placed automatically, as a starting point to edit:");
    let _ = writeln!(
        s,
        "// - one roadside unit at each signalised junction ({}),",
        imp.signalised.len()
    );
    let _ = writeln!(
        s,
        "// - 5G cells on a {GNB_SPACING_M} m grid over the network (TR 38.901 UMa spacing)."
    );
    let _ = writeln!(s, "// No traffic yet: add vehicles or flows.");
    for n in &imp.notes {
        let _ = writeln!(s, "// Note: {n}");
    }
    let _ = writeln!(s, "(\n    name: {},\n    duration: {duration:?},", q(name));
    network_text(&mut s, &imp.network);
    v2x_text(&mut s, &imp.network, &imp.signalised);
    s.push_str(")\n");
    s
}

fn network_text(s: &mut String, n: &Network) {
    s.push_str("    network: (\n        nodes: [\n");
    for node in &n.nodes {
        let _ = writeln!(
            s,
            "            (id: {}, pos: ({:?}, {:?}), radius: {:?}),",
            q(&node.id),
            node.pos.0,
            node.pos.1,
            node.radius
        );
    }
    s.push_str("        ],\n        links: [\n");
    for l in &n.links {
        let shape: Vec<String> = l
            .shape
            .iter()
            .map(|p| format!("({:?}, {:?})", p.0, p.1))
            .collect();
        let _ = writeln!(
            s,
            "            (id: {}, from: {}, to: {}, lanes: {}, speed_limit_kmh: {:?}, name: {}, shape: [{}]),",
            q(&l.id),
            q(&l.from),
            q(&l.to),
            l.lanes,
            l.speed_limit_kmh,
            q(&l.name),
            shape.join(", ")
        );
    }
    s.push_str("        ],\n        junctions: [\n");
    for j in &n.junctions {
        let control = control_text(&j.control);
        let _ = writeln!(
            s,
            "            (id: {}, node: {}, control: {control}),",
            q(&j.id),
            q(&j.node)
        );
    }
    s.push_str("        ],\n    ),\n");
}

/// A junction's control as RON.
fn control_text(control: &Control) -> String {
    match control {
        Control::Signal(p) => {
            let phases: Vec<String> = p
                .phases
                .iter()
                .map(|ph| {
                    let g: Vec<String> = ph.green.iter().map(|x| q(x)).collect();
                    format!("(green: [{}], duration: {:?})", g.join(", "), ph.duration)
                })
                .collect();
            format!(
                "Signal((offset: {:?}, amber: {:?}, all_red: {:?}, phases: [{}]))",
                p.offset,
                p.amber,
                p.all_red,
                phases.join(", ")
            )
        }
        Control::Priority { major } => {
            let m: Vec<String> = major.iter().map(|x| q(x)).collect();
            format!("Priority(major: [{}])", m.join(", "))
        }
    }
}

fn v2x_text(s: &mut String, n: &Network, signalised: &[String]) {
    s.push_str("    v2x: (\n        enabled: true,\n        rsus: [\n");
    for id in signalised {
        if let Some(node) = n.nodes.iter().find(|x| &x.id == id) {
            let _ = writeln!(
                s,
                "            (id: {}, pos: ({:?}, {:?}), junction: Some({})),",
                q(&format!("rsu_{id}")),
                node.pos.0,
                node.pos.1 + node.radius + 5.0,
                q(id)
            );
        }
    }
    s.push_str("        ],\n        gnbs: [\n");
    for (k, (x, y)) in gnb_grid(n).into_iter().enumerate() {
        let _ = writeln!(s, "            (id: \"gnb_{k}\", pos: ({x:?}, {y:?})),");
    }
    s.push_str("        ],\n    ),\n");
}

/// Cell sites every [`GNB_SPACING_M`] over the nodes' bounding box, centred on it.
fn gnb_grid(n: &Network) -> Vec<(f64, f64)> {
    let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
    for node in &n.nodes {
        lo = [lo[0].min(node.pos.0), lo[1].min(node.pos.1)];
        hi = [hi[0].max(node.pos.0), hi[1].max(node.pos.1)];
    }
    if !lo[0].is_finite() {
        return Vec::new();
    }
    let count = |a: f64, b: f64| ((b - a) / GNB_SPACING_M).ceil().max(1.0) as usize;
    let (nx, ny) = (count(lo[0], hi[0]), count(lo[1], hi[1]));
    let start = |a: f64, b: f64, k: usize| (a + b) / 2.0 - (k as f64 - 1.0) * GNB_SPACING_M / 2.0;
    let (x0, y0) = (start(lo[0], hi[0], nx), start(lo[1], hi[1], ny));
    let mut out = Vec::new();
    for j in 0..ny {
        for i in 0..nx {
            out.push((x0 + i as f64 * GNB_SPACING_M, y0 + j as f64 * GNB_SPACING_M));
        }
    }
    out
}

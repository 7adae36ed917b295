//! `sangam-sim import NET.xml --out scenario.ron`: a scenario on a SUMO network, with roadside
//! units at its signalised junctions and 5G cells on a regular layout as a starting point.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{BAD_INPUT, OK};
use crate::scenario::load::MAX_SUMO_BYTES;
use crate::scenario::spec::Network;
use crate::sumo::convert::Imported;
use crate::sumo::memo::{self, Failed};

/// Spacing of the 5G cells placed on a regular layout, m: TR 38.901's urban macro
/// inter-site distance (Table 7.8-1).
pub const GNB_SPACING_M: f64 = 500.0;
/// An RSU's antenna above the junction it stands at, m (the default height of `RsuSpec`).
const RSU_POLE_M: f64 = 6.0;

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// SUMO network file (.net.xml), as netconvert or netgenerate write it.
    pub net: PathBuf,
    /// SUMO demand files (.rou.xml) the scenario also reads: vehicle types, routes, vehicles,
    /// trips and flows.
    #[arg(long, num_args = 1..)]
    pub routes: Vec<PathBuf>,
    /// Scenario file to write. It names the SUMO files relative to itself, so they must be in
    /// its directory or below (a scenario reads nothing outside its own tree).
    #[arg(long)]
    pub out: PathBuf,
    /// Copy the network into the scenario as RON instead of naming the .net.xml (then the
    /// network may be anywhere; demand files are always named).
    #[arg(long)]
    pub inline: bool,
    /// Simulated time of the scenario, s.
    #[arg(long, default_value_t = 600.0)]
    pub duration: f64,
}

/// How the written scenario gets its network and demand.
struct Sources {
    /// The network file relative to the scenario, or `None` when the network is inlined.
    net: Option<String>,
    routes: Vec<String>,
}

pub fn import(args: &ImportArgs) -> i32 {
    let Some(imported) = read_net(&args.net) else {
        return BAD_INPUT;
    };
    let sources = match sources(args) {
        Ok(s) => s,
        Err(message) => {
            eprintln!("error: {message}");
            return BAD_INPUT;
        }
    };
    let name = args
        .net
        .file_stem()
        .and_then(|s| s.to_str())
        .map_or("imported", |s| s.trim_end_matches(".net"));
    let shown = args.net.display().to_string();
    // Loading the written scenario warns about what the network holds that is not read; an
    // inlined network is not read again, so those are said here.
    let said = if args.inline {
        &imported.notes[..]
    } else {
        &[]
    };
    for (line, n) in said.iter().chain(&imported.remarks) {
        eprintln!("note: {shown}:{line}: {n}");
    }
    let ron = scenario_text(name, &shown, &imported, &sources, args.duration);
    // The scenario is checked as it will be loaded, SUMO files and all, before it is written.
    let out_name = args.out.display().to_string();
    match crate::scenario::load::load_str(&out_name, &ron) {
        Ok(loaded) => super::print_warnings(&loaded.warnings),
        Err(d) => {
            eprint!("{}", d.render_fancy());
            eprintln!("{out_name}: {} error(s); nothing written", d.len());
            return BAD_INPUT;
        }
    }
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

/// The network, converted; `None` (the errors printed) when it cannot be.
fn read_net(path: &Path) -> Option<Arc<Imported>> {
    let shown = path.display();
    let text = match crate::scenario::load::read_text_up_to(path, MAX_SUMO_BYTES) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {shown}: cannot read it: {}", e.message);
            return None;
        }
    };
    // As the loader reads it (`scenario::load::sumo`), so that loading the written scenario
    // takes this conversion rather than redoing it.
    let text: Arc<str> = Arc::from(text.strip_prefix('\u{feff}').unwrap_or(&text));
    let count = match memo::network(&text) {
        Ok(i) => return Some(i),
        Err(Failed::Parse(errors)) => {
            for e in &errors {
                eprintln!("error: {shown}:{}:{}: {}", e.line, e.col, e.message);
            }
            errors.len()
        }
        Err(Failed::Convert(errors)) => {
            for (line, m) in &errors {
                eprintln!("error: {shown}:{line}: {m}");
            }
            errors.len()
        }
    };
    eprintln!("{shown}: {count} error(s); nothing written");
    None
}

/// The SUMO files relative to the scenario's directory, which must hold them.
fn sources(args: &ImportArgs) -> Result<Sources, String> {
    let absolute = |p: &Path| std::path::absolute(p).map_err(|e| format!("{}: {e}", p.display()));
    let out = absolute(&args.out)?;
    let dir = out.parent().unwrap_or(Path::new("/")).to_path_buf();
    let relative = |p: &Path| -> Result<String, String> {
        let abs = absolute(p)?;
        let rel = abs.strip_prefix(&dir).map_err(|_| {
            format!(
                "{} is not inside {}, where the scenario is written, and a scenario reads only files in its own directory tree; write the scenario next to it (--out {}/NAME.ron){}",
                p.display(),
                dir.display(),
                abs.parent().unwrap_or(Path::new("/")).display(),
                if args.routes.iter().any(|r| r == p) { "" } else { ", or pass --inline to copy the network into it" }
            )
        })?;
        Ok(rel.to_string_lossy().replace('\\', "/"))
    };
    let net = if args.inline {
        None
    } else {
        Some(relative(&args.net)?)
    };
    let routes = args
        .routes
        .iter()
        .map(|r| relative(r))
        .collect::<Result<_, _>>()?;
    Ok(Sources { net, routes })
}

/// A RON string literal.
fn q(s: &str) -> String {
    ron::to_string(&s.to_string()).unwrap_or_else(|_| "\"?\"".into())
}

/// The scenario file: what was placed automatically said at the top, then where the network
/// and demand come from, then the roadside units and cells.
fn scenario_text(
    name: &str,
    source: &str,
    imp: &Imported,
    sources: &Sources,
    duration: f64,
) -> String {
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
    if sources.routes.is_empty() {
        let _ = writeln!(
            s,
            "// No traffic yet: add vehicles or flows, or SUMO demand files."
        );
    }
    for (line, n) in imp.notes.iter().chain(&imp.remarks) {
        let _ = writeln!(s, "// Note: {source}:{line}: {n}");
    }
    let _ = writeln!(s, "(\n    name: {},\n    duration: {duration:?},", q(name));
    let routes: Vec<String> = sources.routes.iter().map(|r| q(r)).collect();
    match &sources.net {
        Some(net) => {
            let _ = writeln!(
                s,
                "    sumo: (net: {}, routes: [{}]),",
                q(net),
                routes.join(", ")
            );
        }
        None => {
            if !routes.is_empty() {
                let _ = writeln!(s, "    sumo: (routes: [{}]),", routes.join(", "));
            }
            network_text(&mut s, &imp.network);
        }
    }
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
    // Every field of a link, connections and reserved lanes included, as the loader reads them.
    for l in &n.links {
        let text = ron::to_string(l).unwrap_or_default();
        let _ = writeln!(s, "            {text},");
    }
    s.push_str("        ],\n        junctions: [\n");
    for j in &n.junctions {
        // Every field of the program: protected turns and permissive greens included.
        let control = ron::to_string(&j.control).unwrap_or_default();
        let _ = writeln!(
            s,
            "            (id: {}, node: {}, control: {control}),",
            q(&j.id),
            q(&j.node)
        );
    }
    s.push_str("        ],\n    ),\n");
}

fn v2x_text(s: &mut String, n: &Network, signalised: &[String]) {
    s.push_str("    v2x: (\n        enabled: true,\n        rsus: [\n");
    for id in signalised {
        if let Some(node) = n.nodes.iter().find(|x| &x.id == id) {
            // On raised ground the pole stands on the junction: heights are above the datum.
            let height = match node.z {
                0.0 => String::new(),
                z => format!(", height: {:?}", z + RSU_POLE_M),
            };
            let _ = writeln!(
                s,
                "            (id: {}, pos: ({:?}, {:?}){height}, junction: Some({})),",
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

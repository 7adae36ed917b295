//! Helpers shared by the integration tests: load a scenario from RON text, step a world, read
//! vehicles by id, run the binary.
#![allow(dead_code)]

pub mod sumo_net;

use bevy::prelude::*;
use sangam_sim::clock::SimClock;
use sangam_sim::runner::{RunOptions, build_app};
use sangam_sim::scenario::load::load_str;
use sangam_sim::scenario::spec::Spec;
use sangam_sim::traffic::components::{Motion, Vehicle};

/// Parse and validate RON text; panics with the diagnostics if it does not load.
pub fn spec(src: &str) -> Spec {
    match load_str("test.ron", src) {
        Ok(l) => l.spec,
        Err(d) => panic!("scenario does not load:\n{d}"),
    }
}

/// A world for the spec, with the first (clock-starting) update done.
pub fn world(spec: Spec) -> App {
    let mut app = build_app(spec, "test.ron", &RunOptions::default());
    app.update();
    app
}

/// One fixed step.
pub fn step(app: &mut App) {
    app.update();
}

pub fn time(app: &App) -> f64 {
    app.world().resource::<SimClock>().t()
}

/// Motion of a vehicle by id, if it is on the road.
pub fn motion(app: &mut App, id: &str) -> Option<Motion> {
    let mut q = app.world_mut().query::<(&Vehicle, &Motion)>();
    q.iter(app.world())
        .find(|(v, _)| v.id == id)
        .map(|(_, m)| *m)
}

/// A straight two-node road `a`→`b` of `len` metres with `lanes` lanes, as RON.
pub fn straight_road(len: f64, lanes: u8, kmh: f64) -> String {
    format!(
        r#"network: (
            nodes: [(id: "a", pos: (0.0, 0.0)), (id: "b", pos: ({len}, 0.0))],
            links: [(id: "ab", from: "a", to: "b", lanes: {lanes}, speed_limit_kmh: {kmh})],
        )"#
    )
}

/// Run the `sangam-sim` binary from the repository root.
pub fn sim<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sangam-sim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// JUnit XML without its `time` attributes, the one part that differs between identical runs.
pub fn junit_without_times(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(i) = rest.find(" time=\"") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 7..];
        rest = after.find('"').map_or("", |j| &after[j + 1..]);
    }
    out.push_str(rest);
    out
}

/// A SUMO tool (`netgenerate`, `netconvert`, `sumo`): from `SUMO_BIN` if set, else from a
/// virtual environment under `target/` into which the first call installs SUMO 1.28 from PyPI
/// (the `eclipse-sumo` package), so that a fresh checkout needs nothing beyond Python.
pub fn sumo_tool(name: &str) -> std::path::PathBuf {
    static READY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    if let Ok(dir) = std::env::var("SUMO_BIN") {
        return std::path::Path::new(&dir).join(name);
    }
    let bin = READY.get_or_init(|| {
        let venv = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/sumo-venv");
        let bin = venv.join("bin");
        if !bin.join("netgenerate").exists() {
            let ok = std::process::Command::new("python3")
                .args(["-m", "venv"])
                .arg(&venv)
                .status()
                .is_ok_and(|s| s.success())
                && std::process::Command::new(bin.join("pip"))
                    .args(["install", "-q", "eclipse-sumo==1.28.0", "traci==1.28.0"])
                    .status()
                    .is_ok_and(|s| s.success());
            assert!(ok, "could not install SUMO into {}", venv.display());
        }
        bin
    });
    bin.join(name)
}

/// Run a SUMO tool; its failure fails the test with what it said.
pub fn run_sumo(tool: &str, args: &[&std::ffi::OsStr]) {
    let out = std::process::Command::new(sumo_tool(tool))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} does not run: {e}"));
    assert!(
        out.status.success(),
        "{tool}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `sangam-sim run RON --out OUT [extra...]`, which must exit 0; its report.json.
pub fn run_report(
    ron: &std::path::Path,
    out: &std::path::Path,
    extra: &[&str],
) -> serde_json::Value {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "run".as_ref(),
        ron.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    let run = sim(&args);
    assert_eq!(
        run.status.code(),
        Some(0),
        "run: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = std::fs::read_to_string(out.join("report.json")).expect("report.json written");
    serde_json::from_str(&text).expect("report.json is JSON")
}

/// Three through flows of IDM vehicles with SUMO's parameters (no speed spread, no dawdling)
/// on a `netgenerate` grid ([`sumo_grid`]): eastbound, westbound and northbound.
pub const THROUGH_FLOWS: &str = r#"<routes>
    <vType id="idm" carFollowModel="IDM" accel="2.6" decel="4.5" tau="1.0" minGap="2.5"
           length="5" delta="4" maxSpeed="30" speedDev="0" sigma="0"/>
    <route id="east" edges="A1B1 B1C1 C1D1"/>
    <route id="west" edges="D2C2 C2B2 B2A2"/>
    <route id="north" edges="B0B1 B1B2 B2B3"/>
    <flow id="e" type="idm" route="east" begin="0" end="900" vehsPerHour="700" departSpeed="max" departLane="best"/>
    <flow id="n" type="idm" route="north" begin="0" end="900" vehsPerHour="400" departSpeed="max" departLane="best"/>
    <flow id="w" type="idm" route="west" begin="0" end="900" vehsPerHour="500" departSpeed="max" departLane="best"/>
</routes>
"#;

/// `dir/grid.net.xml`: a `netgenerate` grid of `n` × `n` signalised junctions, `lanes` lanes,
/// 300 m blocks, no turnarounds.
pub fn sumo_grid(dir: &std::path::Path, n: &str, lanes: &str) {
    let net = dir.join("grid.net.xml");
    let gen_args = [
        "--grid",
        "--grid.number",
        n,
        "--grid.length",
        "300",
        "--default.lanenumber",
        lanes,
        "--default-junction-type",
        "traffic_light",
        "--no-turnarounds",
        "true",
        "-o",
    ];
    let mut args: Vec<&std::ffi::OsStr> = gen_args.iter().map(std::ffi::OsStr::new).collect();
    args.push(net.as_os_str());
    run_sumo("netgenerate", &args);
}

/// SUMO's `netconvert`: `--<kind>-files input [extra...] -o out` (kind `osm`, `opendrive`, ...).
pub fn netconvert(kind: &str, input: &std::path::Path, extra: &[&str], out: &std::path::Path) {
    let flag = format!("--{kind}-files");
    let mut args: Vec<&std::ffi::OsStr> = vec![flag.as_ref(), input.as_os_str()];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    args.extend([std::ffi::OsStr::new("-o"), out.as_os_str()]);
    run_sumo("netconvert", &args);
}

/// Add `fields` (RON, each line ending in a comma) at the end of the scenario file `ron`.
pub fn add_fields(ron: &std::path::Path, fields: &str) {
    let text = std::fs::read_to_string(ron).expect("scenario written");
    let body = text.trim_end().trim_end_matches(')').trim_end();
    std::fs::write(ron, format!("{body}\n{fields}\n)\n")).expect("scenario rewritten");
}

/// A Debian tool the tests run for real: from the environment variable `var` if set, else
/// `bin` from the PATH; on a fresh Debian machine where it is missing and the tests run as
/// root (as `.ci/run` does), installed with apt from `package`.
fn debian_tool(var: &str, bin: &str, package: &str) -> std::path::PathBuf {
    let bin = std::env::var_os(var).map_or_else(|| bin.into(), Into::into);
    let runs = |b: &std::path::PathBuf| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !runs(&bin) {
        let apt = |args: &[&str]| {
            std::process::Command::new("apt-get")
                .args(args)
                .env("DEBIAN_FRONTEND", "noninteractive")
                .status()
                .is_ok_and(|s| s.success())
        };
        let install = ["install", "-y", "-qq", "--no-install-recommends", package];
        let _ = apt(&install) || (apt(&["update", "-qq"]) && apt(&install));
        assert!(
            runs(&bin),
            "{package} is needed (Debian: apt-get install {package}; or set {var})"
        );
    }
    bin
}

/// `tshark` (Wireshark's command line, Debian package `tshark`; or `TSHARK`).
pub fn tshark() -> std::path::PathBuf {
    static READY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    READY
        .get_or_init(|| debian_tool("TSHARK", "tshark", "tshark"))
        .clone()
}

/// Chromium, run headless (Debian package `chromium`; or `CHROMIUM`).
pub fn chromium() -> std::path::PathBuf {
    static READY: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    READY
        .get_or_init(|| debian_tool("CHROMIUM", "chromium", "chromium"))
        .clone()
}

/// Decode an 8-bit RGB(A) PNG: (width, height, RGB triples).
pub fn decode_png(path: &std::path::Path) -> (u32, u32, Vec<[u8; 3]>) {
    let mut dec = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(path).expect("open png"),
    ));
    dec.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = dec.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size().expect("png size")];
    let info = reader.next_frame(&mut buf).expect("png data");
    let ch = match info.color_type {
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        other => panic!("unexpected colour type {other:?}"),
    };
    let px = buf[..info.buffer_size()]
        .chunks_exact(ch)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    (info.width, info.height, px)
}

//! The view's headless capture on the default scenario and on a network imported from
//! OpenStreetMap through SUMO's `netconvert` (feature `viz`; needs a display: CI runs
//! `cargo test --features viz` under `xvfb-run` with Mesa llvmpipe, see docs/viz.md).
#![cfg(feature = "viz")]
mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Pixel classes, by hue and lightness (the renderer lights and tone-maps the palette, so exact
/// colours are not compared). Measured on llvmpipe: asphalt ~(88, 87, 86), ground ~(40, 43, 38),
/// concrete ~(157, 155, 155), glass ~(65-80, 90-110, 134-151), automated paint ~(112, 209, 199),
/// human-driven paint ~(202, 119, 76).
fn is_road(p: [u8; 3]) -> bool {
    let [r, g, b] = p.map(i32::from);
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    max - min <= 10 && (60..=120).contains(&max)
}
fn is_building(p: [u8; 3]) -> bool {
    let [r, g, b] = p.map(i32::from);
    let (max, min) = (r.max(g).max(b), r.min(g).min(b));
    // Light concrete, or blue glass.
    (max - min <= 30 && min >= 120) || (b > r + 30 && b > g + 5 && b >= 90 && r < 150)
}
fn is_automated(p: [u8; 3]) -> bool {
    let [r, g, b] = p.map(i32::from);
    // Teal: green and blue alike, red well below (the cyan UI accent has blue above green).
    g >= 90 && r + 45 < g && b + 25 >= g && b <= g + 12
}
fn is_human(p: [u8; 3]) -> bool {
    let [r, g, b] = p.map(f64::from);
    // Orange: between signal red (g < 0.4 r) and amber (g > 0.7 r).
    r >= 120.0 && (0.4 * r..=0.68 * r).contains(&g) && b <= 0.8 * g
}

fn is_look(p: [u8; 3]) -> bool {
    let [r, g, b] = p.map(i32::from);
    // Magenta: the label's edge (palette LOOK, (255, 43, 214)); nothing else in the view is.
    r >= 200 && g <= 100 && b >= 170
}
/// Wait for `child` to exit successfully, within 10 minutes.
fn finishes(mut child: std::process::Child, what: &str) {
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > Duration::from_secs(600) {
            let _ = child.kill();
            panic!("{what} did not finish in 10 minutes");
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(status.success(), "{what} exited with {status}");
}

/// `sangam-sim view SCENARIO --screenshot PNG --at S`, which must succeed within 10 minutes;
/// the picture: (width, height, pixels), checked not blank.
fn shoot(scenario: Option<&Path>, at: &str, out: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    shoot_with(scenario, at, out, &[])
}

/// [`shoot`] with more arguments for `view`.
fn shoot_with(
    scenario: Option<&Path>,
    at: &str,
    out: &Path,
    extra: &[&str],
) -> (u32, u32, Vec<[u8; 3]>) {
    shoot_from(None, scenario, at, out, extra)
}

/// [`shoot_with`], with the view's `assets/` under `asset_root` (`BEVY_ASSET_ROOT`).
fn shoot_from(
    asset_root: Option<&Path>,
    scenario: Option<&Path>,
    at: &str,
    out: &Path,
    extra: &[&str],
) -> (u32, u32, Vec<[u8; 3]>) {
    assert!(
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some(),
        "needs a display: run under xvfb-run -a -s \"-screen 0 1280x720x24\" with WGPU_BACKEND=vulkan"
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sangam-sim"));
    cmd.arg("view")
        .args(scenario)
        .arg("--screenshot")
        .arg(out)
        .args(["--at", at])
        .args(extra);
    if let Some(root) = asset_root {
        cmd.env("BEVY_ASSET_ROOT", root);
    }
    cmd.stdout(Stdio::null()).stderr(Stdio::inherit());
    if std::env::var_os("WGPU_BACKEND").is_none() {
        cmd.env("WGPU_BACKEND", "vulkan");
    }
    let child = cmd.spawn().expect("start sangam-sim view");
    finishes(child, "view --screenshot");
    let (w, h, px) = support::decode_png(out);
    assert_eq!((w, h), (1280, 720));
    // Not blank: luminance variance.
    let lum: Vec<f64> = px
        .iter()
        .map(|p| 0.2126 * f64::from(p[0]) + 0.7152 * f64::from(p[1]) + 0.0722 * f64::from(p[2]))
        .collect();
    let mean = lum.iter().sum::<f64>() / lum.len() as f64;
    let var = lum.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lum.len() as f64;
    assert!(
        var > 100.0,
        "image looks blank: luminance variance {var:.1}"
    );
    (w, h, px)
}

/// The 3D view's pixels: left of the dashboard panel, without the clock panel (top left) and
/// the legend (bottom right).
fn scene(w: u32, px: &[[u8; 3]]) -> Vec<[u8; 3]> {
    let (w, h) = (w as usize, px.len() / w as usize);
    px.chunks_exact(w)
        .enumerate()
        .flat_map(|(y, row)| {
            row[..(w - 340)]
                .iter()
                .enumerate()
                .filter(move |(x, _)| !(*x < 440 && y < 125))
                .filter(move |(x, _)| !(*x >= w - 340 - LEGEND_W && y >= h - LEGEND_H))
                .map(|(_, p)| *p)
        })
        .collect()
}

/// The legend's box, bottom right of the 3D view, px (at most).
const LEGEND_W: usize = 360;
const LEGEND_H: usize = 230;

#[test]
fn screenshot_of_the_default_scenario_shows_roads_buildings_and_vehicles() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (w, _, px) = shoot(None, "30", &dir.path().join("view.png"));
    let scene = scene(w, &px);
    let count = |f: fn([u8; 3]) -> bool| scene.iter().filter(|p| f(**p)).count();
    let (road, building, auto, human) = (
        count(is_road),
        count(is_building),
        count(is_automated),
        count(is_human),
    );
    eprintln!("pixels: road {road}, building {building}, automated {auto}, human {human}");
    assert!(road > 5_000, "too little road: {road} px");
    assert!(building > 5_000, "too little building: {building} px");
    assert!(
        auto + human > 40,
        "too few vehicle pixels: automated {auto}, human {human}"
    );
    assert!(human > 15, "no human-driven (orange) vehicles: {human} px");
    // Nothing is selected or under a pointer: no label.
    assert_eq!(count(is_look), 0, "a label with nothing to label");
}

/// The legend's pixels: bottom right of the 3D view, left of the dashboard panel.
fn legend(w: u32, px: &[[u8; 3]]) -> Vec<[u8; 3]> {
    let (w, h) = (w as usize, px.len() / w as usize);
    px.chunks_exact(w)
        .skip(h - LEGEND_H)
        .flat_map(|row| row[(w - 340 - LEGEND_W)..(w - 340)].to_vec())
        .collect()
}

/// A scenario without a control centre opens framed on its action: `hidden-pedestrian` on the
/// crossing, where the pedestrian and the automated car it is hidden from are large. The car
/// chosen with `--select` carries a label (magenta edge); the legend shows the vehicle colours.
#[test]
fn screenshot_frames_the_action_labels_the_selected_vehicle_and_shows_the_legend() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("framed.png");
    let (w, _, px) = shoot_with(
        Some(Path::new("hidden-pedestrian")),
        "92",
        &out,
        &["--select", "av_car"],
    );
    let scene_px = scene(w, &px);
    let count = |px: &[[u8; 3]], f: fn([u8; 3]) -> bool| px.iter().filter(|p| f(**p)).count();
    let (road, auto, human, look) = (
        count(&scene_px, is_road),
        count(&scene_px, is_automated),
        count(&scene_px, is_human),
        count(&scene_px, is_look),
    );
    eprintln!("framed pixels: road {road}, automated {auto}, human {human}, label {look}");
    // Measured on llvmpipe: road 105,060, automated 231 and human-driven 166 (the car and the
    // parked bus the pedestrian crosses in front of); from the overview the view opened on
    // before, 2 and 13.
    assert!(road > 30_000, "too little road: {road} px");
    assert!(
        auto > 100,
        "not framed on the crossing: automated {auto} px"
    );
    assert!(
        human > 60,
        "not framed on the crossing: human-driven {human} px"
    );
    assert!(look > 200, "no label on the selected car: {look} px");
    let key = legend(w, &px);
    let (key_auto, key_human) = (count(&key, is_automated), count(&key, is_human));
    eprintln!("legend pixels: automated {key_auto}, human {key_human}");
    assert!(key_auto >= 100 && key_human >= 100, "no legend swatches");
    replay_shows_what_the_live_view_showed(dir.path(), w, &px);
}

/// Middle of the 3D view's pixels of a class (as [`scene`] bounds it), px, and their count.
fn centroid(w: u32, px: &[[u8; 3]], f: fn([u8; 3]) -> bool) -> ([f64; 2], usize) {
    let (w, h) = (w as usize, px.len() / w as usize);
    let in_scene = |x: usize, y: usize| {
        x < w - 340 && !(x < 440 && y < 125) && !(x >= w - 340 - LEGEND_W && y >= h - LEGEND_H)
    };
    let hits: Vec<(usize, usize)> = (0..px.len())
        .map(|i| (i % w, i / w))
        .filter(|&(x, y)| in_scene(x, y) && f(px[y * w + x]))
        .collect();
    let n = hits.len().max(1) as f64;
    let sum = hits
        .iter()
        .fold([0.0, 0.0], |a, (x, y)| [a[0] + *x as f64, a[1] + *y as f64]);
    ([sum[0] / n, sum[1] / n], hits.len())
}

/// `view --replay` of the same run recorded by `run --html` shows the selected car where the
/// live view drew it, labelled, without simulating; a directory with no recording is refused.
fn replay_shows_what_the_live_view_showed(dir: &Path, w: u32, live: &[[u8; 3]]) {
    let rec = dir.join("recorded");
    let status = Command::new(env!("CARGO_BIN_EXE_sangam-sim"))
        .args(["run", "hidden-pedestrian", "--html", "-q", "--out"])
        .arg(&rec)
        .stdout(Stdio::null())
        .status()
        .expect("run --html");
    assert!(status.success(), "run --html exited with {status}");
    let replay = dir.join("replay.png");
    let rec_arg = rec.to_string_lossy().into_owned();
    let (_, _, px) = shoot_with(
        None,
        "92",
        &replay,
        &["--replay", &rec_arg, "--select", "av_car"],
    );
    let scene_px = scene(w, &px);
    // Measured on llvmpipe: the car's paint centred 0.9-1.4 px apart (225-232 px live, where arcs cross
    // it, 379-403 px in the replay, which draws a sample of the arcs).
    let ((at_live, n_live), (at_replay, n_replay)) = (
        centroid(w, live, is_automated),
        centroid(w, &px, is_automated),
    );
    let moved = (at_live[0] - at_replay[0]).hypot(at_live[1] - at_replay[1]);
    let looks = scene_px.iter().filter(|p| is_look(**p)).count();
    eprintln!(
        "replay: automated {n_replay} px (live {n_live}), {moved:.1} px apart, label {looks}"
    );
    assert!(
        n_replay > 100,
        "the car is not drawn in the replay: {n_replay} px"
    );
    assert!(
        looks > 200,
        "no label on the selected car in the replay: {looks} px"
    );
    assert!(
        moved < 6.0,
        "the car is {moved:.1} px from where the live view drew it"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_sangam-sim"))
        .args(["view", "--replay"])
        .arg(dir.join("no-such-run"))
        .output()
        .expect("view --replay");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("run SCENARIO --html"), "{err}");
}

/// The view's colours are data under `assets/` (`assets/view/palette.ron`, found through
/// `BEVY_ASSET_ROOT`): a palette that paints human-driven vehicles blue restyles the parked bus
/// and the legend's swatch. Without one there (the other tests run the binary from `target/`),
/// the copy built into the binary is used.
#[test]
fn a_palette_under_assets_restyles_the_view() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/view/palette.ron"),
    )
    .expect("assets/view/palette.ron");
    let blue = shipped.replace("human: (1.0, 0.50, 0.12)", "human: (0.10, 0.25, 1.0)");
    assert_ne!(blue, shipped, "the palette's human-driven colour moved");
    let view_dir = dir.path().join("assets/view");
    std::fs::create_dir_all(&view_dir).expect("mkdir");
    std::fs::write(view_dir.join("palette.ron"), blue).expect("write palette");
    let out = dir.path().join("blue.png");
    let (w, _, px) = shoot_from(
        Some(dir.path()),
        Some(Path::new("hidden-pedestrian")),
        "92",
        &out,
        &[],
    );
    let is_blue = |p: [u8; 3]| p[2] >= 150 && i32::from(p[2]) > i32::from(p[0]) + 100;
    let (scene_px, key) = (scene(w, &px), legend(w, &px));
    let human = scene_px.iter().filter(|p| is_human(**p)).count();
    let key_human = key.iter().filter(|p| is_human(**p)).count();
    let key_blue = key.iter().filter(|p| is_blue(**p)).count();
    eprintln!(
        "restyled: human-driven orange {human} px (legend {key_human}), legend blue {key_blue}"
    );
    // With the shipped palette: 166-237 px of orange bus, and 288 px of orange in the legend,
    // half of it the human-driven swatch and half the 50 ms latency swatch (a gradient, code).
    assert!(human < 20, "the bus is still orange: {human} px");
    assert!(
        key_human <= 150,
        "the legend's swatch is still orange: {key_human} px"
    );
    assert!(
        key_blue >= 100,
        "no blue swatch in the legend: {key_blue} px"
    );
}

/// The OpenStreetMap fixture (the Sangam crossing) through `netconvert` and `import`, with
/// traffic both ways: the view frames the imported network and draws its roads and vehicles
/// as it does the built-in district's.
#[test]
fn screenshot_of_an_imported_osm_network_shows_its_roads_and_vehicles() {
    let dir = tempfile::tempdir().expect("tempdir");
    let osm = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osm/sangam-mini.osm");
    let net = dir.path().join("sangam-mini.net.xml");
    support::netconvert("osm", &osm, &["--output.street-names", "true"], &net);
    let ron = dir.path().join("sangam-mini.ron");
    let import = support::sim(&[
        "import".as_ref(),
        net.as_os_str(),
        "--out".as_ref(),
        ron.as_os_str(),
    ]);
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    support::add_fields(
        &ron,
        "    flows: [(id: \"eb\", from: \"1\", to: \"3\", per_hour: 900.0), (id: \"sb\", from: \"4\", to: \"5\", per_hour: 600.0)],",
    );
    let (w, _, px) = shoot(Some(&ron), "60", &dir.path().join("imported.png"));
    let scene = scene(w, &px);
    let count = |f: fn([u8; 3]) -> bool| scene.iter().filter(|p| f(**p)).count();
    let (road, human) = (count(is_road), count(is_human));
    eprintln!("imported network pixels: road {road}, human {human}");
    assert!(road > 5_000, "too little road: {road} px");
    assert!(human > 15, "no vehicles drawn: {human} px");
}

/// `view --serve`: a TraCI client (the stock `traci` package) steps the run while the view
/// shows it; the view takes its screenshot once the client is done, and the client saw the
/// world it steered (tests/traci/watch.py).
#[test]
fn view_serve_shows_the_run_a_traci_client_steps() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("served.png");
    let crossing = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/traci/crossing.ron");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sangam-sim"));
    cmd.arg("view")
        .arg(&crossing)
        .args(["--serve", "--port", "0", "--screenshot"]);
    cmd.arg(&out)
        .args(["--at", "20"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if std::env::var_os("WGPU_BACKEND").is_none() {
        cmd.env("WGPU_BACKEND", "vulkan");
    }
    let mut view = cmd.spawn().expect("start sangam-sim view --serve");
    let mut said = std::io::BufReader::new(view.stderr.take().expect("stderr"));
    let mut line = String::new();
    while !line.contains("listening on") {
        line.clear();
        assert!(
            said.read_line(&mut line).expect("read") > 0,
            "view ended before listening"
        );
    }
    let port = line
        .split_whitespace()
        .find_map(|w| w.rsplit_once(':').and_then(|(_, p)| p.parse::<u16>().ok()))
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    std::thread::spawn(move || std::io::copy(&mut said, &mut std::io::stderr()));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/traci/watch.py");
    let client = Command::new(support::sumo_tool("python"))
        .arg(script)
        .arg(port.to_string())
        .output()
        .expect("python runs");
    assert!(
        client.status.success(),
        "the client failed: {}",
        String::from_utf8_lossy(&client.stderr)
    );
    finishes(view, "view --serve --screenshot");
    let (w, _, px) = support::decode_png(&out);
    let scene = scene(w, &px);
    let road = scene.iter().filter(|p| is_road(**p)).count();
    // Two single-lane roads across 800 m: thin at this distance (measured: 4,950 px).
    assert!(road > 2_000, "too little road: {road} px");
}

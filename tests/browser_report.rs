//! The browser report (`run --html`, `test --html DIR`) opened in a real browser: Debian's
//! headless Chromium loads each page from disk with no network, runs its script without an
//! error, draws the map, and a timeline mark shows its moment; the suite's index lists failures
//! first and its links resolve. The pages are self-contained and the same for the same run.
mod support;

use std::path::Path;
use std::process::Output;

use support::{chromium, decode_png, sim};

/// Chromium, headless, on `page` opened at `#hash`, with `args` (a screenshot or `--dump-dom`).
fn chrome(page: &Path, hash: &str, args: &[&str]) -> Output {
    let url = format!(
        "file://{}#{hash}",
        page.canonicalize().expect("page").display()
    );
    std::process::Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--force-device-scale-factor=1",
            "--window-size=1280,900",
            "--virtual-time-budget=5000",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .args(args)
        .arg(url)
        .output()
        .expect("chromium runs")
}

/// The page's DOM after its script ran, checked free of script errors (the page counts
/// uncaught errors into `data-errors`; Chromium logs them as "Uncaught").
fn dom(page: &Path, hash: &str) -> String {
    let out = chrome(page, hash, &["--dump-dom"]);
    let html = String::from_utf8_lossy(&out.stdout).into_owned();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "chromium failed: {log}");
    assert!(!log.contains("Uncaught"), "script error: {log}");
    assert!(
        html.contains("data-ready=\"1\""),
        "the script did not finish: {html:.400}"
    );
    assert!(
        html.contains("data-errors=\"0\""),
        "the page counted errors"
    );
    html
}

/// A screenshot of the page at `#hash`: its pixels inside the map (left of the side panel,
/// below the header, above the controls), row by row.
fn map_pixels(page: &Path, hash: &str, png: &Path) -> Vec<[u8; 3]> {
    let shot = format!("--screenshot={}", png.display());
    let out = chrome(page, hash, &[shot.as_str()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (w, h, px) = decode_png(png);
    assert_eq!((w, h), (1280, 900));
    px.chunks_exact(w as usize)
        .skip(60)
        .take(540)
        .flat_map(|row| row[..880].to_vec())
        .collect()
}

/// Pixels within 8 of `rgb` in each channel (the canvas draws the palette as it is; edges
/// are blended).
fn count(px: &[[u8; 3]], rgb: [u8; 3]) -> usize {
    px.iter()
        .filter(|p| (0..3).all(|i| p[i].abs_diff(rgb[i]) <= 8))
        .count()
}

/// The page's palette (assets/report/report.js, `COLOURS`).
const ASPHALT: [u8; 3] = [0x57, 0x56, 0x55];
const BUILDING: [u8; 3] = [0x9d, 0x9b, 0x9b];
const AUTOMATED: [u8; 3] = [0x70, 0xd1, 0xc7];
const MARK: [u8; 3] = [0xff, 0x2b, 0xd6];

/// `run SCENARIO --html` into `dir`; the page's path.
fn page_of(scenario: &str, dir: &Path) -> std::path::PathBuf {
    let out = sim(&[
        "run",
        scenario,
        "--html",
        "-q",
        "--out",
        dir.to_str().expect("utf-8"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join("report.html")
}

fn report(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("report.json")).expect("report.json");
    serde_json::from_str(&text).expect("report.json parses")
}

#[test]
fn the_page_is_self_contained_and_the_same_for_the_same_run() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (pa, pb) = (
        page_of("hidden-pedestrian", a.path()),
        page_of("hidden-pedestrian", b.path()),
    );
    let bytes = std::fs::read(&pa).expect("page");
    assert!(
        bytes == std::fs::read(&pb).expect("page"),
        "the same run gave different pages"
    );
    let text = String::from_utf8(bytes).expect("utf-8");
    for outside in ["http://", "https://", "<link", " src=", "@import", "url("] {
        assert!(
            !text.contains(outside),
            "the page reaches outside itself: `{outside}`"
        );
    }
    // The manifest names the page with the rest of the run's outputs.
    let manifest = std::fs::read_to_string(a.path().join("manifest.json")).expect("manifest");
    assert!(manifest.contains("\"report.html\""), "{manifest}");
    // A run without --html into the same directory leaves no stale page.
    let out = sim(&[
        "run",
        "hidden-pedestrian",
        "-q",
        "--out",
        a.path().to_str().unwrap(),
    ]);
    assert!(out.status.success());
    assert!(
        !pa.exists(),
        "a stale report.html was left beside the new run"
    );
}

#[test]
fn chromium_draws_the_map_and_a_warning_mark_opens_at_its_moment() {
    let dir = tempfile::tempdir().unwrap();
    let page = page_of("hidden-pedestrian", dir.path());
    let rep = report(dir.path());
    let warning = &rep["warnings"][0];
    let (t, vehicle) = (
        warning["received_s"].as_f64().unwrap(),
        warning["vehicle"].as_str().unwrap(),
    );

    // Opened as a click on the first warning's mark does: that moment, that mark.
    let html = dom(&page, "marker=warning");
    assert!(
        html.contains(&format!("data-t=\"{t:.1}\"")),
        "not at the warning's {t:.1} s"
    );
    assert!(
        html.contains("class=\"at\" data-kind=\"warning\"")
            || html.contains("data-kind=\"warning\" class=\"at\"")
    );
    assert!(
        html.contains(&format!("{vehicle} warned of")),
        "the mark does not name {vehicle}"
    );

    let shot = dir.path().join("shot.png");
    let start = map_pixels(&page, "t=0", &shot);
    let at = map_pixels(&page, "marker=warning", &shot);
    let n = start.len();
    // The map: roads and buildings, at the start and at the warning.
    for px in [&start, &at] {
        assert!(
            count(px, ASPHALT) > n / 200,
            "roads: {} of {n}",
            count(px, ASPHALT)
        );
        assert!(
            count(px, BUILDING) > n / 200,
            "buildings: {} of {n}",
            count(px, BUILDING)
        );
    }
    // At the warning, its road users are ringed and the automated car that was warned is there;
    // at the start, nothing is marked.
    assert_eq!(count(&start, MARK), 0, "a mark is drawn with none chosen");
    assert!(
        count(&at, MARK) > 200,
        "no ring around the warned road users: {}",
        count(&at, MARK)
    );
    assert!(
        count(&at, AUTOMATED) > 30,
        "the warned automated car is not drawn"
    );
}

#[test]
fn the_suite_index_lists_failures_first_and_every_link_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let (html, junit) = (dir.path().join("html"), dir.path().join("junit.xml"));
    let out = sim(&[
        "test",
        "tests/fixtures/runner/suite/pass-a.ron",
        "tests/fixtures/runner/suite/fail.ron",
        "--html",
        html.to_str().unwrap(),
        "--junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let loaded = chrome(&html.join("index.html"), "", &["--dump-dom"]);
    assert!(loaded.status.success());
    let index = String::from_utf8_lossy(&loaded.stdout).into_owned();
    let (fail, pass) = (
        index.find("runner-fail").unwrap(),
        index.find("runner-pass-a").unwrap(),
    );
    assert!(fail < pass, "the failure is not listed first");
    let links: Vec<&str> = index
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect();
    assert_eq!(links.len(), 2, "{links:?}");
    for l in &links {
        assert!(html.join(l).is_file(), "the index links to a missing {l}");
    }
    // The failed run's page marks the failed expectation on its timeline.
    let failed = links
        .iter()
        .find(|l| l.contains("fail"))
        .expect("the failed case's page");
    assert!(dom(&html.join(failed), "").contains("data-kind=\"fail\""));
    // Each JUnit case names its page.
    let xml = std::fs::read_to_string(&junit).expect("junit");
    let attached: Vec<&str> = xml
        .split("[[ATTACHMENT|")
        .skip(1)
        .filter_map(|s| s.split("]]").next())
        .collect();
    assert_eq!(attached.len(), 2, "{xml}");
    for a in attached {
        assert!(Path::new(a).is_file(), "JUnit names a missing page {a}");
    }
}

/// The lines of a lane reserved for buses are solid blue on the page (Korean bus lanes are
/// marked blue), and a road without one has none.
#[test]
fn chromium_draws_a_bus_lane_blue() {
    const BUS_LANE: [u8; 3] = [0x26, 0x73, 0xf2];
    let dir = tempfile::tempdir().unwrap();
    let shot = dir.path().join("shot.png");
    let mut blue = Vec::new();
    for reserved in ["reserved: [(lane: 0, kinds: [Bus])]", ""] {
        let ron = dir.path().join("bus.ron");
        let text = format!(
            r#"(name: "bus-lane", duration: 20.0, network: (
                nodes: [(id: "w", pos: (-150.0, 0.0)), (id: "e", pos: (150.0, 0.0))],
                links: [(id: "we", from: "w", to: "e", lanes: 3, {reserved})]),
                vehicles: [(id: "c", kind: Car, route: Links(["we"]), lane: 1, speed: 10.0)])"#
        );
        std::fs::write(&ron, text).unwrap();
        let out = dir.path().join(format!("out{}", blue.len()));
        let page = page_of(ron.to_str().unwrap(), &out);
        blue.push(count(&map_pixels(&page, "t=0", &shot), BUS_LANE));
    }
    assert!(blue[0] > 200, "bus lane lines: {} px", blue[0]);
    assert_eq!(blue[1], 0, "blue lines on a road without a bus lane");
}

//! `sangam-sim import` on networks SUMO's own `netgenerate` writes, and on broken SUMO files.
mod support;

use std::ffi::OsStr;
use std::path::Path;

use sangam_sim::road::RoadNetwork;
use sangam_sim::scenario::load::load_file;
use sangam_sim::scenario::spec::Control;
use support::sumo_net::generate;
use support::*;

/// Count the elements of a network file the importer must carry over: normal edges with their
/// lane counts, and traffic-light programs.
fn census(xml: &str) -> (Vec<(String, usize)>, usize) {
    let mut edges = Vec::new();
    let mut current: Option<(String, usize)> = None;
    for line in xml.lines().map(str::trim) {
        if line.starts_with("<edge ") && !line.contains("function=\"internal\"") {
            let id = line
                .split("id=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
                .unwrap_or("");
            current = Some((id.to_string(), 0));
        } else if line.starts_with("<edge ") {
            current = None;
        } else if line.starts_with("<lane ") {
            if let Some(c) = current.as_mut() {
                c.1 += 1;
            }
        } else if line.starts_with("</edge>") {
            edges.extend(current.take());
        }
    }
    edges.sort();
    let tls = xml.matches("<tlLogic ").count();
    (edges, tls)
}

/// `sangam-sim import NET --out RON [extra...]`.
fn import(net: &Path, ron: &Path, extra: &[&str]) -> std::process::Output {
    let mut args: Vec<&OsStr> = vec![
        OsStr::new("import"),
        net.as_os_str(),
        OsStr::new("--out"),
        ron.as_os_str(),
    ];
    args.extend(extra.iter().map(OsStr::new));
    sim(&args)
}

/// A run of the binary exited 0; else the test fails with what it said.
fn exited_ok(out: &std::process::Output, what: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{what}: {err}");
}

/// Grids, spiders and random networks from `netgenerate`, with and without traffic lights, one
/// to three lanes: every normal edge is a link with its lanes, every traffic-light program a
/// signalised junction, every connection a connection of its link with its path through the
/// junction along SUMO's internal lanes, and the written scenario loads and builds.
#[test]
fn netgenerate_networks_import_whole() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cases: [(&str, &[&str]); 5] = [
        (
            "grid1",
            &["--grid", "--grid.number", "3", "--default.lanenumber", "1"],
        ),
        (
            "grid3tl",
            &[
                "--grid",
                "--grid.number",
                "4",
                "--default.lanenumber",
                "3",
                "--tls.guess",
            ],
        ),
        (
            "spider",
            &[
                "--spider",
                "--spider.arm-number",
                "5",
                "--default.lanenumber",
                "2",
                "--tls.guess",
            ],
        ),
        (
            "random",
            &[
                "--rand",
                "--rand.iterations",
                "60",
                "--default.lanenumber",
                "2",
            ],
        ),
        (
            "randomtl",
            &[
                "--rand",
                "--rand.iterations",
                "40",
                "--tls.guess",
                "--default.lanenumber",
                "1",
            ],
        ),
    ];
    for (name, args) in cases {
        let net = generate(dir.path(), name, args);
        let xml = std::fs::read_to_string(&net).expect("network written");
        let (edges, tls) = census(&xml);
        let ron = dir.path().join(format!("{name}.ron"));
        let out = import(&net, &ron, &[]);
        exited_ok(&out, name);
        let loaded = load_file(&ron).unwrap_or_else(|d| panic!("{name}: {d}"));
        assert!(loaded.warnings.is_empty(), "{name}: {:?}", loaded.warnings);
        let spec = loaded.spec;
        // `--inline` writes the same network into the scenario, connections and all.
        let inline = dir.path().join(format!("{name}-inline.ron"));
        exited_ok(&import(&net, &inline, &["--inline"]), name);
        let copied = load_file(&inline)
            .unwrap_or_else(|d| panic!("{name}: {d}"))
            .spec;
        assert_eq!(
            copied.network.nodes, spec.network.nodes,
            "{name}: --inline nodes"
        );
        assert_eq!(
            copied.network.links, spec.network.links,
            "{name}: --inline links"
        );
        assert_eq!(
            copied.network.junctions, spec.network.junctions,
            "{name}: --inline junctions"
        );
        let mut links: Vec<(String, usize)> = spec
            .network
            .links
            .iter()
            .map(|l| (l.id.clone(), usize::from(l.lanes)))
            .collect();
        links.sort();
        assert_eq!(links, edges, "{name}: links and lanes");
        let signals = spec
            .network
            .junctions
            .iter()
            .filter(|j| matches!(j.control, Control::Signal(_)))
            .count();
        assert_eq!(signals, tls, "{name}: signal programs");
        assert_eq!(
            spec.v2x.rsus.len(),
            tls,
            "{name}: an RSU per signalised junction"
        );
        let built = RoadNetwork::build(&spec);
        assert_eq!(built.links.len(), edges.len());
        support::sumo_net::same_connections(name, &xml, &spec);
    }
}

/// Broken SUMO files: each error is reported with its line (and column for XML), nothing is
/// written, the exit code is 2.
#[test]
fn broken_sumo_files_are_named_by_line_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let good_edge = r#"<edge id="ab" from="a" to="b" priority="1"><lane id="ab_0" index="0" speed="13.9" length="100" shape="0,0 100,0"/></edge>"#;
    let junctions = r#"<junction id="a" type="dead_end" x="0" y="0"/><junction id="b" type="dead_end" x="100" y="0"/>"#;
    // `b` with one link through it and its foe matrix.
    let a_and_b = r#"<junction id="a" type="dead_end" x="0" y="0"/><junction id="b" type="priority" x="100" y="0" incLanes="ab_0" intLanes=":b_0_0">"#;
    let cases = [
        (
            "missing_edge",
            format!(
                "<net>\n{good_edge}\n{junctions}\n<connection from=\"ab\" to=\"zz\" fromLane=\"0\" toLane=\"0\"/>\n</net>\n"
            ),
            ":4: connection to edge `zz`",
        ),
        (
            "bad_shape",
            format!(
                "<net>\n<edge id=\"ab\" from=\"a\" to=\"b\">\n  <lane id=\"ab_0\" index=\"0\" speed=\"13.9\" shape=\"0,0 x,1\"/>\n</edge>\n{junctions}\n</net>\n"
            ),
            ":3:3: <lane>: `shape` has the point `x,1`",
        ),
        (
            "missing_lane",
            format!(
                "<net>\n{good_edge}\n{junctions}\n<connection from=\"ab\" to=\"ab\" fromLane=\"2\" toLane=\"0\"/>\n</net>\n"
            ),
            ":4: connection from lane 2 of `ab`, which has 1 lane(s)",
        ),
        (
            "bad_response",
            format!(
                "<net>\n{good_edge}\n{a_and_b}\n  <request index=\"0\" response=\"2\" foes=\"0\" cont=\"0\"/>\n</junction>\n</net>\n"
            ),
            ":4:3: <request>: `response` must be a string of 0s and 1s",
        ),
        (
            "request_beyond_links",
            format!(
                "<net>\n{good_edge}\n{a_and_b}\n  <request index=\"1\" response=\"0\" foes=\"0\" cont=\"0\"/>\n</junction>\n</net>\n"
            ),
            ":4:3: <request>: link 1 with 1 response bit(s) at junction `b`, which has 1 link(s)",
        ),
        (
            "unterminated",
            format!("<net>\n{good_edge}\n<junction id=\"a\" x=\"0\" y=\"0\">\n</net>\n"),
            "malformed XML",
        ),
    ];
    for (name, text, want) in cases {
        let net = dir.path().join(format!("{name}.net.xml"));
        std::fs::write(&net, &text).expect("fixture written");
        let ron = dir.path().join(format!("{name}.ron"));
        let out = import(&net, &ron, &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains(want), "{name}: wanted `{want}` in:\n{err}");
        assert!(
            err.contains(&format!("{name}.net.xml:")),
            "{name}: the file is not named:\n{err}"
        );
        assert!(!ron.exists(), "{name}: a scenario was written");
    }
}

/// The repository's OpenStreetMap fixture (the Sangam crossing of World Cup-buk-ro and
/// Susaek-ro, a side street, a footpath) through SUMO's `netconvert` and `sangam-sim import`,
/// with and without sidewalks guessed: the roads keep their names and car lanes (sidewalks
/// cut off), the footpath is left out with a warning, the signalised crossing keeps its
/// program, and vehicles drive the district end to end without collisions.
#[test]
fn an_osm_extract_comes_in_through_netconvert_and_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    for sidewalks in ["false", "true"] {
        let ron = osm_scenario(dir.path(), sidewalks);
        if sidewalks == "true" {
            drive_the_district(dir.path(), &ron);
        }
    }
}

/// The OSM fixture converted (`--sidewalks.guess`) and imported, checked; the scenario's path.
fn osm_scenario(dir: &Path, sidewalks: &str) -> std::path::PathBuf {
    let osm = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osm/sangam-mini.osm");
    let net = dir.join(format!("sangam-mini-{sidewalks}.net.xml"));
    let extra = [
        "--output.street-names",
        "true",
        "--sidewalks.guess",
        sidewalks,
    ];
    netconvert("osm", &osm, &extra, &net);
    let ron = dir.join(format!("sangam-mini-{sidewalks}.ron"));
    let out = import(&net, &ron, &["--duration", "240"]);
    exited_ok(&out, "import");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("1 edge(s) closed to passenger cars"),
        "{said}"
    );
    assert_eq!(
        said.contains("lane(s) closed to cars, buses and trucks"),
        sidewalks == "true",
        "{said}"
    );
    let spec = load_file(&ron).unwrap_or_else(|d| panic!("{d}")).spec;
    let links = &spec.network.links;
    assert!(
        links.iter().all(|l| !l.name.contains("footpath")),
        "cars may not take the footpath"
    );
    let wcb: Vec<_> = links
        .iter()
        .filter(|l| l.name == "World Cup-buk-ro" || l.name == "월드컵북로")
        .collect();
    assert!(!wcb.is_empty(), "World Cup-buk-ro lost its name");
    assert!(wcb.iter().all(|l| l.lanes == 2), "4 lanes: 2 each way");
    let signals = spec.network.junctions.iter();
    assert_eq!(
        signals
            .filter(|j| matches!(j.control, Control::Signal(_)))
            .count(),
        1
    );
    ron
}

/// Traffic east along World Cup-buk-ro and south along Susaek-ro, through the signal.
fn drive_the_district(dir: &Path, ron: &Path) {
    add_fields(
        ron,
        "    flows: [(id: \"eb\", from: \"1\", to: \"3\", per_hour: 600.0), (id: \"sb\", from: \"4\", to: \"5\", per_hour: 300.0)],\n    expectations: [NoCollisions],",
    );
    let report = run_report(ron, &dir.join("out"), &["-q"]);
    let arrived = report["summary"]["arrived"].as_u64().unwrap_or(0);
    assert!(arrived > 20, "only {arrived} vehicles crossed the district");
}

/// A 3 × 3 one-lane grid from `netgenerate`, in `dir`.
fn small_grid(dir: &Path) -> std::path::PathBuf {
    generate(
        dir,
        "grid",
        &["--grid", "--grid.number", "3", "--grid.length", "200"],
    )
}

/// Every kind of demand SUMO reads (sorted by departure, as SUMO requires), on roads empty
/// enough that nobody waits to enter:
/// SUMO 1.28 and sangam-sim depart the same vehicles (flows named `flow.N` as SUMO names them)
/// at the same times, and the elements sangam-sim does not read are warned about once per kind
/// with their count and line.
#[test]
fn sumo_demand_departs_the_same_vehicles_at_the_same_times() {
    let dir = tempfile::tempdir().expect("temp dir");
    let net = small_grid(dir.path());
    let demand = r#"<routes>
    <vType id="bus" vClass="bus" accel="1.0"/>
    <route id="r" edges="A0B0 B0C0"/>
    <flow id="p" begin="0" end="100" period="20" from="A1B1" to="B1C1"/>
    <flow id="h" begin="0" end="90" vehsPerHour="120"><route edges="C2B2 B2A2"/><stop lane="B2A2_0" duration="5"/></flow>
    <vehicle id="v" route="r" depart="3.5"/>
    <trip id="t" depart="7" from="A2B2" to="C2C1"/>
    <flow id="n" begin="10" end="110" number="4" route="r"/>
    <vehicle id="b" type="bus" depart="12"><route edges="C0C1 C1C2"/><stop lane="C1C2_0" duration="5"/></vehicle>
</routes>
"#;
    std::fs::write(dir.path().join("demand.rou.xml"), demand).expect("demand written");
    let ron = dir.path().join("grid.ron");
    let out = import(
        &net,
        &ron,
        &[
            "--routes",
            dir.path().join("demand.rou.xml").to_str().unwrap(),
            "--duration",
            "200",
        ],
    );
    exited_ok(&out, "import");
    let warned = String::from_utf8_lossy(&out.stderr);
    assert!(
        warned.contains("demand.rou.xml:5:1: 2 × `<stop>` element"),
        "one warning for both stops, at the first:\n{warned}"
    );
    let trips = dir.path().join("trips.xml");
    run_sumo(
        "sumo",
        &[
            OsStr::new("-n"),
            net.as_os_str(),
            OsStr::new("-r"),
            dir.path().join("demand.rou.xml").as_os_str(),
            OsStr::new("--tripinfo-output"),
            trips.as_os_str(),
            OsStr::new("--step-length"),
            OsStr::new("0.1"),
            OsStr::new("--no-step-log"),
        ],
    );
    let theirs: std::collections::BTreeMap<String, f64> = std::fs::read_to_string(&trips)
        .expect("tripinfo")
        .lines()
        .filter_map(|l| {
            let id = l.split(" id=\"").nth(1)?.split('"').next()?;
            let t = l
                .split(" depart=\"")
                .nth(1)?
                .split('"')
                .next()?
                .parse()
                .ok()?;
            Some((id.to_string(), t))
        })
        .collect();
    let out_dir = dir.path().join("out");
    let report = run_report(&ron, &out_dir, &[]);
    let ours: std::collections::BTreeMap<String, f64> = report["vehicles"]
        .as_array()
        .expect("vehicles")
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap_or_default().to_string(),
                v["depart_s"].as_f64().unwrap_or(-1.0),
            )
        })
        .collect();
    let ids = |m: &std::collections::BTreeMap<String, f64>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(ids(&ours), ids(&theirs), "the same vehicles depart");
    assert_eq!(
        ours.len(),
        3 + 5 + 4 + 3,
        "v, t, b; p every 20 s; n: 4; h every 30 s"
    );
    for (id, t) in &theirs {
        assert!(
            (ours[id] - t).abs() <= 0.1 + 1e-9,
            "{id} departs at {} here, {t} in SUMO",
            ours[id]
        );
    }
    let bus = report["vehicles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "b");
    assert_eq!(
        bus.map(|b| b["kind"].clone()),
        Some("bus".into()),
        "vClass bus is a bus"
    );
}

/// Broken demand: every error in one pass, each at its line and column, exit 2, no outputs;
/// and a SUMO file outside the scenario's directory is refused unread.
#[test]
fn broken_demand_is_reported_whole_and_nothing_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    small_grid(dir.path());
    let demand = "<routes>\n    <vType id=\"car\" accel=\"fast\"/>\n    <vehicle id=\"a\" route=\"nowhere\" depart=\"0\"/>\n    <trip id=\"b\" type=\"lorry\" depart=\"1\" from=\"A0B0\" to=\"B0C0\"/>\n    <vehicle id=\"c\" depart=\"2\"><route edges=\"A0B0 C0C1\"/></vehicle>\n    <flow id=\"d\" begin=\"0\" end=\"60\" period=\"5\" probability=\"0.1\" from=\"A0B0\" to=\"ZZ\"/>\n    <trip id=\"e\" depart=\"3\" from=\"A0B0\" to=\"ZZ\"/>\n</routes>\n";
    std::fs::write(dir.path().join("bad.rou.xml"), demand).expect("demand written");
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).expect("sub");
    let ron = dir.path().join("bad.ron");
    std::fs::write(
        &ron,
        "(name: \"bad\", duration: 60.0, sumo: (net: \"grid.net.xml\", routes: [\"bad.rou.xml\"]))\n",
    )
    .expect("scenario written");
    let out_dir = dir.path().join("out");
    let run = sim(&[
        "run".as_ref(),
        ron.as_os_str(),
        "--out".as_ref(),
        out_dir.as_os_str(),
    ]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{err}");
    for want in [
        "bad.rou.xml:2:5]",
        "`accel` is `fast`, expected a number",
        "bad.rou.xml:3:5]",
        "unknown route `nowhere`",
        "bad.rou.xml:4:5]",
        "unknown type `lorry`",
        "bad.rou.xml:5:5]",
        "edge `C0C1` does not start where `A0B0` ends",
        "bad.rou.xml:6:5]",
        "has period and probability; give only one",
        "bad.rou.xml:7:5]",
        "unknown edge `ZZ`",
    ] {
        assert!(err.contains(want), "wanted `{want}` in:\n{err}");
    }
    assert!(!out_dir.exists(), "a run with bad input wrote outputs");

    let outside = sub.join("outside.ron");
    std::fs::write(
        &outside,
        "(name: \"o\", duration: 60.0, sumo: (net: \"../grid.net.xml\"))\n",
    )
    .expect("scenario written");
    let check = sim(&["check".as_ref(), outside.as_os_str()]);
    let err = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(2), "{err}");
    assert!(
        err.contains("sumo.net: `../grid.net.xml` is outside the scenario's directory"),
        "{err}"
    );
}

/// A network whose lanes have a height (`x,y,z` shapes, as from OpenDRIVE or OSM with
/// `--osm.elevation`) imports with its heights: every link's centreline at the lanes' 7.5 m,
/// every junction's height as SUMO gives it (none here: 0), nothing said about heights.
#[test]
fn lanes_with_a_height_import_with_their_heights() {
    let dir = tempfile::tempdir().expect("temp dir");
    let flat = std::fs::read_to_string(small_grid(dir.path())).expect("grid written");
    let with_z: String = flat
        .lines()
        .map(|line| match line.find(" shape=\"") {
            Some(i) if line.contains("<lane ") && !line.contains("id=\":") => {
                let (head, rest) = line.split_at(i + 8);
                let end = rest.find('"').expect("closing quote");
                let pts: Vec<String> = rest[..end]
                    .split_whitespace()
                    .map(|p| format!("{p},7.50"))
                    .collect();
                format!("{head}{}{}", pts.join(" "), &rest[end..])
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let net = dir.path().join("hilly.net.xml");
    std::fs::write(&net, with_z).expect("written");
    let ron = dir.path().join("hilly.ron");
    let out = import(&net, &ron, &[]);
    exited_ok(&out, "import");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!said.contains("height"), "{said}");
    let spec = load_file(&ron).unwrap_or_else(|d| panic!("{d}")).spec;
    assert_eq!(spec.network.links.len(), 24);
    for l in &spec.network.links {
        assert_eq!(l.heights.len(), l.shape.len(), "{}", l.id);
        assert!(
            l.heights.iter().all(|z| *z == 7.5),
            "{}: {:?}",
            l.id,
            l.heights
        );
    }
    assert!(spec.network.nodes.iter().all(|n| n.z == 0.0));
}

/// The hand-written OpenDRIVE fixture (a 500 m two-way street rising 2 %, with a sidewalk)
/// through `netconvert --opendrive-files` and `import`: a link each way with one lane, rising
/// (or falling) 2 % along its length, and traffic both ways arriving without collisions.
#[test]
fn an_opendrive_road_comes_in_through_netconvert_and_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let xodr = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/opendrive/straight.xodr");
    let net = dir.path().join("straight.net.xml");
    netconvert("opendrive", &xodr, &[], &net);
    let ron = dir.path().join("straight.ron");
    let out = import(&net, &ron, &["--duration", "300"]);
    exited_ok(&out, "import");
    let spec = load_file(&ron).unwrap_or_else(|d| panic!("{d}")).spec;
    assert_eq!(spec.network.links.len(), 2, "one link each way");
    for l in &spec.network.links {
        let (a, b) = (l.shape[0], l.shape[l.shape.len() - 1]);
        let rise = l.heights[l.heights.len() - 1] - l.heights[0];
        let grade = rise.abs() / (b.0 - a.0).hypot(b.1 - a.1);
        assert!((grade - 0.02).abs() < 1e-3, "{}: grade {grade}", l.id);
    }
    assert!(
        spec.network.links.iter().all(|l| l.lanes == 1),
        "the sidewalk is no lane for cars"
    );
    add_fields(
        &ron,
        "    flows: [(id: \"east\", from: \"1.begin\", to: \"1.end\", per_hour: 600.0), (id: \"west\", from: \"1.end\", to: \"1.begin\", per_hour: 400.0)],\n    expectations: [NoCollisions],",
    );
    let report = run_report(&ron, &dir.path().join("out"), &["-q"]);
    let arrived = report["summary"]["arrived"].as_u64().unwrap_or(0);
    // 1,000 veh/h for 300 s, each trip under a minute: most of the ~83 arrive.
    assert!(arrived > 60, "only {arrived} vehicles arrived");
}

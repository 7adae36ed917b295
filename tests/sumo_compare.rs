//! sangam-sim against SUMO 1.28 on the same network and the same vehicles: a 4 × 4 signalised
//! grid from `netgenerate`, three through flows of IDM vehicles with identical parameters
//! (no speed spread, no dawdling), read by both from the same `.net.xml` and `.rou.xml`.
//! Same vehicles depart and arrive, mean travel time per route within 10 %, queue discharge
//! headway at a signal within 5 %, no collisions (issue 14's comparison); left turners on a
//! permissive green taking gaps in oncoming traffic; and right of way without lights from SUMO's
//! foe matrices (priority junctions, a roundabout, right before left).
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::Path;

use support::sumo_net::{attr, read};
use support::*;

const PERMISSIVE: &str = r#"    <route id="east" edges="A1B1 B1C1"/>
    <route id="left" edges="C1B1 B1B0"/>
    <route id="north" edges="B0B1 B1B2"/>
    <flow id="e" type="idm" route="east" begin="0" end="900" vehsPerHour="300" departSpeed="max" departLane="best"/>
    <flow id="l" type="idm" route="left" begin="0" end="900" vehsPerHour="150" departSpeed="max" departLane="best"/>
    <flow id="n" type="idm" route="north" begin="0" end="900" vehsPerHour="300" departSpeed="max" departLane="best"/>
"#;

const SCENARIO: &str = r#"(
    name: "sumo-compare",
    duration: 1100.0,
    sumo: (net: "grid.net.xml", routes: ["demand.rou.xml"]),
    expectations: [NoCollisions],
)
"#;

/// A demand file: `flows` of IDM vehicles with SUMO's parameters, no speed spread and no
/// dawdling.
fn routes(flows: &str) -> String {
    format!(
        "<routes>\n{}{flows}</routes>\n",
        r#"    <vType id="idm" carFollowModel="IDM" accel="2.6" decel="4.5" tau="1.0" minGap="2.5"
           length="5" delta="4" maxSpeed="30" speedDev="0" sigma="0"/>
"#
    )
}

fn num(line: &str, key: &str) -> f64 {
    attr(line, key)
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no number `{key}` in {line}"))
}

/// When each vehicle left `edge` (the first FCD sample on another lane after one on it), in
/// order, and which of them stood (below 0.5 m/s) on it first: a queue at its signal.
fn crossings(fcd: &str, edge: &str) -> (Vec<(f64, String)>, BTreeSet<String>) {
    let prefix = format!("{edge}_");
    let (mut t, mut on, mut stood) = (0.0, BTreeSet::new(), BTreeSet::new());
    let mut left: BTreeMap<String, f64> = BTreeMap::new();
    for line in fcd.lines().map(str::trim) {
        if line.starts_with("<timestep") {
            t = num(line, "time");
        } else if line.starts_with("<vehicle") {
            let id = attr(line, "id").unwrap_or_default().to_string();
            if attr(line, "lane").is_some_and(|l| l.starts_with(&prefix)) {
                if num(line, "speed") < 0.5 {
                    stood.insert(id.clone());
                }
                on.insert(id);
            } else if on.contains(&id) && !left.contains_key(&id) {
                left.insert(id, t);
            }
        }
    }
    let mut order: Vec<(f64, String)> = left.into_iter().map(|(id, t)| (t, id)).collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    (order, stood)
}

/// Mean headway between queued vehicles leaving `edge` once the queue is moving: within each
/// discharge (queued vehicles less than 4 s apart), the headways after the first `skip`
/// vehicles (start-up lost time), as in the HCM's saturation headway.
fn discharge_headway(fcd: &str, edge: &str, skip: usize) -> (f64, usize) {
    let (order, stood) = crossings(fcd, edge);
    let mut headways = Vec::new();
    let mut run: Vec<f64> = Vec::new();
    let mut flush = |run: &mut Vec<f64>| {
        if run.len() > skip + 1 {
            headways.extend(run[skip..].windows(2).map(|w| w[1] - w[0]));
        }
        run.clear();
    };
    for (t, id) in order {
        let queued = stood.contains(&id);
        if !(queued && run.last().is_some_and(|last| t - last < 4.0)) {
            flush(&mut run);
        }
        if queued {
            run.push(t);
        }
    }
    flush(&mut run);
    let n = headways.len();
    (headways.iter().sum::<f64>() / n.max(1) as f64, n)
}

/// Mean travel time per flow (the id before the dot), and the ids that arrived.
fn by_flow(trips: &[(String, f64)]) -> BTreeMap<String, f64> {
    let mut sums: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    for (id, t) in trips {
        let flow = id.split('.').next().unwrap_or_default().to_string();
        let e = sums.entry(flow).or_default();
        (e.0, e.1) = (e.0 + t, e.1 + 1);
    }
    sums.into_iter()
        .map(|(k, (s, n))| (k, s / n as f64))
        .collect()
}

/// SUMO's trips: (id, duration) from its tripinfo output.
fn sumo_trips(tripinfo: &str) -> Vec<(String, f64)> {
    tripinfo
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("<tripinfo "))
        .map(|l| {
            (
                attr(l, "id").unwrap_or_default().to_string(),
                num(l, "duration"),
            )
        })
        .collect()
}

/// sangam-sim's trips: (id, travel time) of the vehicles that arrived, from report.json.
fn our_trips(report: &serde_json::Value) -> Vec<(String, f64)> {
    report["vehicles"]
        .as_array()
        .expect("vehicles")
        .iter()
        .filter(|v| v["arrive_s"].is_number())
        .map(|v| {
            let id = v["id"].as_str().unwrap_or_default().to_string();
            (id, v["travel_time_s"].as_f64().unwrap_or(f64::NAN))
        })
        .collect()
}

/// Runs SUMO (0.1 s steps, IDM) on the files in `dir`: (tripinfo, FCD) text.
fn run_sumo_on(dir: &Path) -> (String, String) {
    let (trips, fcd) = (dir.join("trips.xml"), dir.join("fcd.xml"));
    let (net, demand) = (dir.join("grid.net.xml"), dir.join("demand.rou.xml"));
    let args: [&OsStr; 13] = [
        OsStr::new("-n"),
        net.as_os_str(),
        OsStr::new("-r"),
        demand.as_os_str(),
        OsStr::new("--tripinfo-output"),
        trips.as_os_str(),
        OsStr::new("--fcd-output"),
        fcd.as_os_str(),
        OsStr::new("--end"),
        OsStr::new("1100"),
        OsStr::new("--step-length"),
        OsStr::new("0.1"),
        OsStr::new("--no-step-log"),
    ];
    run_sumo("sumo", &args);
    (read(&trips), read(&fcd))
}

/// SUMO and sangam-sim on `demand` over the grid in `dir`: SUMO's (tripinfo, FCD) and our
/// report, with the FCD in `dir/out`. No collisions in ours.
fn both(dir: &Path, demand: &str) -> (String, String, serde_json::Value) {
    std::fs::write(dir.join("demand.rou.xml"), demand).expect("write demand");
    let ron = dir.join("compare.ron");
    std::fs::write(&ron, SCENARIO).expect("write scenario");
    let (tripinfo, sumo_fcd) = run_sumo_on(dir);
    let report = run_report(&ron, &dir.join("out"), &["--trace", "--fcd-xml"]);
    assert_eq!(report["summary"]["collisions"], 0);
    (tripinfo, sumo_fcd, report)
}

/// The same `vehicles` vehicles depart and arrive as in SUMO.
fn same_vehicles(tripinfo: &str, report: &serde_json::Value, vehicles: usize) {
    let (theirs, ours) = (sumo_trips(tripinfo), our_trips(report));
    let ids = |t: &[(String, f64)]| t.iter().map(|x| x.0.clone()).collect::<BTreeSet<_>>();
    assert_eq!(ids(&theirs), ids(&ours), "the same vehicles arrive");
    assert_eq!(theirs.len(), vehicles);
    assert_eq!(
        report["summary"]["vehicles"].as_u64(),
        Some(vehicles as u64),
        "every vehicle departs"
    );
}

/// The same vehicles arrive, and each flow's mean travel time is within 10 % of SUMO's.
fn same_trips(tripinfo: &str, report: &serde_json::Value, vehicles: usize) {
    same_vehicles(tripinfo, report, vehicles);
    let (theirs, ours) = (sumo_trips(tripinfo), our_trips(report));
    let (a, b) = (by_flow(&theirs), by_flow(&ours));
    for (flow, t_sumo) in &a {
        let t_ours = b[flow];
        let ratio = t_ours / t_sumo;
        assert!(
            (0.9..=1.1).contains(&ratio),
            "route {flow}: mean travel time {t_ours:.1} s here, {t_sumo:.1} s in SUMO"
        );
    }
}

#[test]
fn same_network_same_vehicles_same_travel_times_and_discharge() {
    let dir = tempfile::tempdir().expect("temp dir");
    sumo_grid(dir.path(), "4", "1");
    let (tripinfo, sumo_fcd, report) = both(dir.path(), THROUGH_FLOWS);
    // 700 + 400 + 500 veh/h for 900 s.
    same_trips(&tripinfo, &report, 400);
    let out_dir = dir.path().join("out");

    let our_fcd = read(&out_dir.join("fcd.xml"));
    for edge in ["A1B1", "D2C2"] {
        let (h_sumo, n_sumo) = discharge_headway(&sumo_fcd, edge, 3);
        let (h_ours, n_ours) = discharge_headway(&our_fcd, edge, 3);
        assert!(
            n_sumo >= 20 && n_ours >= 20,
            "{edge}: {n_sumo} / {n_ours} headways"
        );
        let ratio = h_ours / h_sumo;
        assert!(
            (0.95..=1.05).contains(&ratio),
            "{edge}: discharge headway {h_ours:.3} s here, {h_sumo:.3} s in SUMO"
        );
    }
}

/// Left turns across oncoming traffic on SUMO's permissive green (`g`): westbound cars turn
/// left at B1 through gaps in 300 veh/h of eastbound through traffic, waiting in the box and
/// clearing at the end of green. Same vehicles, travel times within 10 % of SUMO's, and no
/// collision. (Measured at other loads, docs/sumo-import.md: the left turners' time is within
/// 10 % up to 500 veh/h oncoming; near saturation the two models part.)
#[test]
fn left_turners_on_a_permissive_green_take_gaps_as_in_sumo() {
    let dir = tempfile::tempdir().expect("temp dir");
    sumo_grid(dir.path(), "3", "1");
    let (tripinfo, _, report) = both(dir.path(), &routes(PERMISSIVE));
    same_trips(&tripinfo, &report, 188);
}

const ROUNDABOUT_FLOWS: &str = r#"    <flow id="we" type="idm" begin="0" end="600" vehsPerHour="400" from="312" to="-310" departSpeed="max"/>
    <flow id="ew" type="idm" begin="0" end="600" vehsPerHour="400" from="310" to="-312" departSpeed="max"/>
    <flow id="sn" type="idm" begin="0" end="600" vehsPerHour="300" from="313" to="-311" departSpeed="max"/>
    <flow id="ns" type="idm" begin="0" end="600" vehsPerHour="300" from="311" to="-313" departSpeed="max"/>
"#;

/// tests/fixtures/osm/roundabout.osm through `netconvert`: a one-way ring whose arms are the
/// higher-priority roads. Read with SUMO's `<roundabout>`, the ring has the right of way at
/// each of its junctions, and entering drivers wait only for ring traffic whose path meets
/// theirs. Four flows across it: the same vehicles arrive as in SUMO, without collisions, each
/// route's mean travel time within 20 % of SUMO's (measured: -4.0 to -0.1 % along SUMO's
/// internal lanes; +2 to +15 % before, on curves of sangam-sim's own through the ring, entered
/// more slowly). Before the
/// roundabout was read and exits told apart, entering drivers waited for every ring vehicle:
/// east-west trips took 96-98 s against SUMO's 36 s.
#[test]
fn a_roundabout_gives_the_ring_the_right_of_way_as_in_sumo() {
    let dir = tempfile::tempdir().expect("temp dir");
    let osm = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osm/roundabout.osm");
    let net = dir.path().join("grid.net.xml");
    netconvert("osm", &osm, &[], &net);
    std::fs::write(dir.path().join("demand.rou.xml"), routes(ROUNDABOUT_FLOWS)).expect("demand");
    let ron = dir.path().join("compare.ron");
    std::fs::write(&ron, SCENARIO).expect("scenario");
    let spec = sangam_sim::scenario::load::load_file(&ron)
        .unwrap_or_else(|d| panic!("{d}"))
        .spec;
    let ring: Vec<_> = spec.network.junctions.iter().map(|j| &j.control).collect();
    assert_eq!(ring.len(), 4);
    for c in ring {
        let sangam_sim::scenario::spec::Control::Priority { major, .. } = c else {
            panic!("a roundabout junction is a priority junction: {c:?}");
        };
        assert!(
            major.len() == 1 && major[0].starts_with("300#"),
            "the ring is major: {major:?}"
        );
    }
    let (tripinfo, _) = run_sumo_on(dir.path());
    let report = run_report(&ron, &dir.path().join("out"), &["-q"]);
    assert_eq!(report["summary"]["collisions"], 0);
    let (theirs, ours) = (sumo_trips(&tripinfo), our_trips(&report));
    assert_eq!(theirs.len(), 234);
    assert_eq!(ours.len(), theirs.len(), "every vehicle arrives");
    let (a, b) = (by_flow(&theirs), by_flow(&ours));
    for (flow, t_sumo) in &a {
        let ratio = b[flow] / t_sumo;
        assert!(
            (0.8..=1.2).contains(&ratio),
            "route {flow}: mean travel time {:.1} s here, {t_sumo:.1} s in SUMO",
            b[flow]
        );
    }
}

/// Crossing flows through B1 of a 3 × 3 `netgenerate` grid whose junctions have no lights:
/// eastbound, westbound, northbound, southbound, and westbound turning left.
const CROSSING_FLOWS: &str = r#"    <flow id="e" type="idm" from="A1B1" to="B1C1" begin="0" end="600" vehsPerHour="300" departSpeed="max"/>
    <flow id="w" type="idm" from="C1B1" to="B1A1" begin="0" end="600" vehsPerHour="300" departSpeed="max"/>
    <flow id="n" type="idm" from="B0B1" to="B1B2" begin="0" end="600" vehsPerHour="200" departSpeed="max"/>
    <flow id="s" type="idm" from="B2B1" to="B1B0" begin="0" end="600" vehsPerHour="200" departSpeed="max"/>
    <flow id="l" type="idm" from="C1B1" to="B1B0" begin="0" end="600" vehsPerHour="100" departSpeed="max"/>
"#;

/// An `n` × `n` grid of 200 m blocks with `lanes` lanes each way, whose junctions are all of
/// SUMO type `kind`, as `dir/grid.net.xml`.
fn grid_of(dir: &Path, n: &str, lanes: &str, kind: &str) -> std::path::PathBuf {
    let net = dir.join("grid.net.xml");
    let flags = [
        "--grid",
        "--grid.number",
        n,
        "--grid.length",
        "200",
        "--default.lanenumber",
        lanes,
        "--default-junction-type",
        kind,
        "--no-turnarounds",
        "true",
        "-o",
    ];
    let mut args: Vec<&OsStr> = flags.iter().map(OsStr::new).collect();
    args.push(net.as_os_str());
    run_sumo("netgenerate", &args);
    net
}

/// Junction `id`'s foe matrix read from the XML line by line: for each link (its connection's
/// (from, to), found by the internal lane it runs on), the links it gives way to.
fn foe_matrix(xml: &str, id: &str) -> BTreeMap<(String, String), BTreeSet<(String, String)>> {
    let mut via: BTreeMap<String, (String, String)> = BTreeMap::new();
    let (mut int_lanes, mut rows, mut inside) = (Vec::new(), Vec::new(), false);
    for l in xml.lines().map(str::trim) {
        if l.starts_with("<connection ") && !l.contains("from=\":") {
            if let (Some(v), Some(f), Some(t)) = (attr(l, "via"), attr(l, "from"), attr(l, "to")) {
                via.insert(v.to_string(), (f.to_string(), t.to_string()));
            }
        } else if l.starts_with("<junction ") {
            inside = attr(l, "id") == Some(id);
            if inside {
                int_lanes = attr(l, "intLanes")
                    .unwrap_or_default()
                    .split_whitespace()
                    .map(str::to_string)
                    .collect();
            }
        } else if inside && l.starts_with("<request ") {
            rows.push((
                num(l, "index") as usize,
                attr(l, "response").unwrap_or_default().to_string(),
            ));
        }
    }
    let link = |i: usize| int_lanes.get(i).and_then(|l| via.get(l)).cloned();
    let mut out: BTreeMap<(String, String), BTreeSet<(String, String)>> = BTreeMap::new();
    for (i, response) in rows {
        let Some(mine) = link(i) else { continue };
        for (k, b) in response.bytes().rev().enumerate() {
            if let Some(foe) = link(k).filter(|f| b == b'1' && f.0 != mine.0) {
                out.entry(mine.clone()).or_default().insert(foe);
            }
        }
    }
    out
}

/// At a junction without lights whose roads have equal priority, SUMO's foe matrix decides who
/// gives way (it takes one road as the main one). Imported movement by movement, every
/// movement gives way to exactly the movements SUMO's `<request>`s name, and with crossing
/// traffic the same vehicles arrive as in SUMO, without collisions, each route's mean travel
/// time within 10 % of SUMO's (measured: -5.3 to -0.4 %; before the foe matrix was read, such
/// junctions were uncontrolled and nobody gave way).
#[test]
fn a_junction_without_lights_gives_way_by_sumos_foe_matrix() {
    let dir = tempfile::tempdir().expect("temp dir");
    grid_of(dir.path(), "3", "1", "priority");
    let xml = read(&dir.path().join("grid.net.xml"));
    let (tripinfo, _, report) = both(dir.path(), &routes(CROSSING_FLOWS));
    let spec = sangam_sim::scenario::load::load_file(&dir.path().join("compare.ron"))
        .unwrap_or_else(|d| panic!("{d}"))
        .spec;
    let b1 = spec
        .network
        .junctions
        .iter()
        .find(|j| j.id == "B1")
        .expect("B1 imported");
    let sangam_sim::scenario::spec::Control::Priority { yields, .. } = &b1.control else {
        panic!("B1 gives way: {:?}", b1.control);
    };
    let ours: BTreeMap<_, BTreeSet<_>> = yields
        .iter()
        .map(|g| (g.movement.clone(), g.to.iter().cloned().collect()))
        .collect();
    let theirs = foe_matrix(&xml, "B1");
    assert!(
        theirs.len() >= 4,
        "SUMO's B1 has minor movements: {theirs:?}"
    );
    assert_eq!(ours, theirs, "B1's give-way table is SUMO's foe matrix");
    same_trips(&tripinfo, &report, 185);
}

/// Right before left (`right_before_left`): of two vehicles reaching the crossing together,
/// the one coming from the other's right goes first, in SUMO and here; four reaching it
/// together (each with another on its right) do not wait for ever: every vehicle of crossing
/// flows from all four sides arrives, as in SUMO, and none collides.
#[test]
fn right_before_left_lets_the_vehicle_from_the_right_go_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    grid_of(dir.path(), "3", "1", "right_before_left");
    // Northbound comes from the eastbound vehicle's right: it goes first.
    let pair = CROSSING_FLOWS
        .replace("end=\"600\" vehsPerHour=\"300\"", "end=\"1\" number=\"1\"")
        .replace("end=\"600\" vehsPerHour=\"200\"", "end=\"1\" number=\"1\"")
        .lines()
        .filter(|l| {
            !["id=\"w\"", "id=\"s\"", "id=\"l\""]
                .iter()
                .any(|f| l.contains(f))
        })
        .map(|l| format!("{l}\n"))
        .collect::<String>();
    let (_, sumo_fcd, _) = both(dir.path(), &routes(&pair));
    let our_fcd = read(&dir.path().join("out/fcd.xml"));
    for (who, fcd) in [("SUMO", &sumo_fcd), ("sangam-sim", &our_fcd)] {
        let left = |edge| {
            crossings(fcd, edge)
                .0
                .first()
                .map(|c| c.0)
                .expect("crossed")
        };
        let (north, east) = (left("B0B1"), left("A1B1"));
        assert!(
            north < east,
            "{who}: northbound left at {north} s, eastbound at {east} s"
        );
    }
    let (tripinfo, _, report) = both(dir.path(), &routes(CROSSING_FLOWS));
    same_vehicles(&tripinfo, &report, 185);
}

/// `n` trips between edges of `edges` drawn by a fixed linear congruential sequence, one
/// departing every `every` seconds: random turning traffic, the same in SUMO and here.
fn random_trips(edges: &[String], n: usize, every: f64) -> String {
    let mut x: u64 = 0x5EED;
    let mut draw = |k: usize| {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((x >> 33) % k as u64) as usize
    };
    let mut out = String::new();
    for i in 0..n {
        let from = draw(edges.len());
        let to = (from + 1 + draw(edges.len() - 1)) % edges.len();
        out.push_str(&format!(
            "    <trip id=\"t{i}\" type=\"idm\" depart=\"{:.1}\" from=\"{}\" to=\"{}\" departSpeed=\"max\"/>\n",
            i as f64 * every,
            edges[from],
            edges[to]
        ));
    }
    out
}

/// Random trips across a signalised 5 × 5 grid of two-lane roads (`netgenerate`): vehicles turn
/// every way, queue, change lanes to the lanes their turns need and enter behind vehicles
/// turning off. Every vehicle departs and arrives, as in SUMO, none collides, and the mean
/// travel time is within 10 % of SUMO's (measured: +1.8 %). Before vehicles entering the road looked behind them,
/// followed vehicles turning off their lane while those were still in their path, and two
/// vehicles side by side each needing the other's lane swapped, a 7 × 7 grid with 1,200 such
/// trips had 19 collisions and 172 vehicles stuck at 900 s (measured; SUMO: none).
#[test]
fn random_trips_on_a_signalised_grid_arrive_as_in_sumo() {
    let dir = tempfile::tempdir().expect("temp dir");
    let net = grid_of(dir.path(), "5", "2", "traffic_light");
    let edges: Vec<String> = support::sumo_net::census(&read(&net))
        .edges
        .into_keys()
        .collect();
    let (tripinfo, _, report) = both(dir.path(), &routes(&random_trips(&edges, 500, 1.0)));
    same_vehicles(&tripinfo, &report, 500);
    let mean = |t: &[(String, f64)]| t.iter().map(|x| x.1).sum::<f64>() / t.len() as f64;
    let (theirs, ours) = (mean(&sumo_trips(&tripinfo)), mean(&our_trips(&report)));
    assert!(
        (0.9..=1.1).contains(&(ours / theirs)),
        "mean travel time {ours:.1} s here, {theirs:.1} s in SUMO"
    );
}

/// A road rising 12 m over 300 m to a crest and down again, across a level road beneath it
/// with no junction between them (`netconvert` from nodes with `z`).
const BRIDGE_NODES: &str = r#"<nodes>
    <node id="w" x="0" y="0" z="0"/>
    <node id="top" x="300" y="0" z="12"/>
    <node id="e" x="600" y="0" z="0"/>
    <node id="s" x="350" y="-200" z="0"/>
    <node id="n" x="350" y="200" z="0"/>
</nodes>
"#;
const BRIDGE_EDGES: &str = r#"<edges>
    <edge id="up" from="w" to="top" numLanes="1" speed="13.89"/>
    <edge id="down" from="top" to="e" numLanes="1" speed="13.89"/>
    <edge id="under" from="s" to="n" numLanes="1" speed="13.89"/>
</edges>
"#;

/// Each FCD sample on a lane: (lane, position across the map along the lane's axis, `z`,
/// `slope`, time, id, x, y).
type Sample = (String, f64, f64, f64, f64, String, f64, f64);

fn samples(fcd: &str) -> Vec<Sample> {
    let mut t = 0.0;
    let mut out = Vec::new();
    for line in fcd.lines().map(str::trim) {
        if line.starts_with("<timestep") {
            t = num(line, "time");
        } else if line.starts_with("<vehicle") {
            let lane = attr(line, "lane").unwrap_or_default().to_string();
            let (x, y) = (num(line, "x"), num(line, "y"));
            let along = if lane.starts_with("under") { y } else { x };
            let id = attr(line, "id").unwrap_or_default().to_string();
            out.push((lane, along, num(line, "z"), num(line, "slope"), t, id, x, y));
        }
    }
    out
}

/// Roads with heights: vehicles drive over the crest at the heights and slopes SUMO gives
/// them (FCD `z` and `slope` at the same place on the same lane within 2 cm and 0.1°: SUMO
/// counts the 0.1 m of its internal lane at the crest, which has no extent on the map), and
/// pass over vehicles on the road beneath without colliding. With the heights flattened (as
/// before sangam-sim read them) the same run had 3 collisions at the crossing (measured).
#[test]
fn a_road_over_another_carries_its_traffic_at_sumos_heights() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (nod, edg) = (dir.path().join("b.nod.xml"), dir.path().join("b.edg.xml"));
    std::fs::write(&nod, BRIDGE_NODES).expect("write nodes");
    std::fs::write(&edg, BRIDGE_EDGES).expect("write edges");
    let net = dir.path().join("grid.net.xml");
    support::netconvert(
        "node",
        &nod,
        &["--edge-files", &edg.to_string_lossy()],
        &net,
    );
    let flows = r#"    <flow id="over" type="idm" begin="0" end="60" period="3" departSpeed="max"><route edges="up down"/></flow>
    <flow id="beneath" type="idm" begin="0" end="60" period="3" departSpeed="max"><route edges="under"/></flow>
"#;
    let (_, sumo_fcd, _) = both(dir.path(), &routes(flows));
    let ours = samples(&read(&dir.path().join("out/fcd.xml")));
    let theirs = samples(&sumo_fcd);
    let mut compared = 0;
    for (lane, along, z, slope, ..) in &ours {
        // SUMO's samples on the same lane either side of this place; z between them.
        let on: Vec<&Sample> = theirs.iter().filter(|s| &s.0 == lane).collect();
        let below = on
            .iter()
            .filter(|s| s.1 <= *along)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        let above = on
            .iter()
            .filter(|s| s.1 >= *along)
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let (Some(a), Some(b)) = (below, above) else {
            continue;
        };
        if b.1 - a.1 > 3.0 || a.3 != b.3 {
            continue;
        }
        let t = if b.1 > a.1 {
            (along - a.1) / (b.1 - a.1)
        } else {
            0.0
        };
        let z_sumo = a.2 + (b.2 - a.2) * t;
        assert!(
            (z - z_sumo).abs() <= 0.02 && (slope - a.3).abs() <= 0.1,
            "{lane} at {along:.2}: z {z} slope {slope} here, z {z_sumo:.3} slope {} in SUMO",
            a.3
        );
        compared += 1;
    }
    assert!(compared > 1000, "only {compared} samples compared");
    assert!(ours.iter().any(|s| s.2 > 11.5), "the crest is reached");
    // Some vehicle on the bridge passes right over one beneath (fronts within 5 m on the map).
    let over_one = ours.iter().any(|a| {
        ours.iter().any(|b| {
            a.4 == b.4
                && a.5.starts_with("over")
                && b.5.starts_with("beneath")
                && (a.6 - b.6).hypot(a.7 - b.7) < 5.0
                && a.2 - b.2 > 5.0
        })
    });
    assert!(over_one, "no vehicle passed over another");
}

/// For each vehicle whose id starts with `flow`: its lowest speed on `edge` in the FCD, m/s.
/// FCD samples every 0.1 s: a vehicle that came down to 0.1 m/s and drove off at 2.6 m/s² can
/// show 0.36 m/s at the next sample.
fn slowest_on(fcd: &str, edge: &str, flow: &str) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let lane = format!("{edge}_");
    for line in fcd
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("<vehicle"))
    {
        let id = attr(line, "id").unwrap_or_default();
        if id.starts_with(flow) && attr(line, "lane").is_some_and(|l| l.starts_with(&lane)) {
            let v = out.entry(id.to_string()).or_insert(f64::INFINITY);
            *v = v.min(num(line, "speed"));
        }
    }
    out
}

/// Stop signs (`priority_stop`: the minor roads' links have SUMO's state `s`): every driver on
/// the minor road comes to a standstill at the line before crossing the major flows, in SUMO
/// and here, even with the road clear, and no driver on the major road stops; each route's
/// mean travel time is within 10 % of SUMO's. Before the stop was modelled the sign was read
/// as a give-way sign and drivers who saw the road clear rolled through.
#[test]
fn drivers_stop_at_a_stop_sign_as_in_sumo() {
    let dir = tempfile::tempdir().expect("temp dir");
    grid_of(dir.path(), "3", "1", "priority_stop");
    let flows = CROSSING_FLOWS.replace(
        "    <flow id=\"l\" type=\"idm\" from=\"C1B1\" to=\"B1B0\" begin=\"0\" end=\"600\" vehsPerHour=\"100\" departSpeed=\"max\"/>\n",
        "",
    );
    let (tripinfo, sumo_fcd, report) = both(dir.path(), &routes(&flows));
    let our_fcd = read(&dir.path().join("out/fcd.xml"));
    same_trips(&tripinfo, &report, 168);
    for (who, fcd) in [("SUMO", &sumo_fcd), ("sangam-sim", &our_fcd)] {
        let slowest = slowest_on(fcd, "A1B1", "e.");
        assert_eq!(slowest.len(), 50, "{who}: eastbound vehicles seen");
        assert!(
            slowest.values().all(|v| *v <= 0.4),
            "{who}: someone rolled through: {slowest:?}"
        );
        let majors = slowest_on(fcd, "B0B1", "n.");
        assert!(
            majors.values().all(|v| *v > 5.0),
            "{who}: the major road slowed: {majors:?}"
        );
    }
}

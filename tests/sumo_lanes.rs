//! SUMO's lane-to-lane connections and lane permissions, imported: vehicles take the lanes
//! SUMO's connections give them, are routed only through the movements the network has, as
//! SUMO routes them, and keep out of lanes reserved for other kinds. (That every connection
//! and internal lane comes in is checked in `sumo_import.rs` on `netgenerate`'s networks.)
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::path::Path;

use sangam_sim::road::RoadNetwork;
use sangam_sim::scenario::load::load_file;
use sangam_sim::scenario::spec::Spec;
use sangam_sim::traffic::spawn::resolve_route;
use support::sumo_net::{Sumo, attr, census, generate, read};
use support::*;

/// A scenario that reads `net` (and `routes`), loaded.
fn scenario(dir: &Path, net: &str, routes: &[&str]) -> Spec {
    let ron = dir.join("s.ron");
    let routes: Vec<String> = routes.iter().map(|r| format!("\"{r}\"")).collect();
    let text = format!(
        "(name: \"lanes\", duration: 600.0, sumo: (net: \"{net}\", routes: [{}]))\n",
        routes.join(", ")
    );
    std::fs::write(&ron, text).expect("scenario written");
    load_file(&ron).unwrap_or_else(|d| panic!("{d}")).spec
}

/// A three-lane approach whose connections (written for `netconvert`) give each lane one
/// movement: right from lane 0, straight on from lane 1 only, left from lane 2. Vehicles depart
/// in lane 0; each one leaves the approach in the lane SUMO 1.28 has it leave in. (sangam-sim's
/// own lane rules would send the straight-on traffic from lane 2, aligned at the median.)
#[test]
fn vehicles_take_the_lanes_sumo_connections_give_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = [
        (
            "net.nod.xml",
            r#"<nodes>
    <node id="W" x="-400" y="0"/>
    <node id="C" x="0" y="0" type="priority"/>
    <node id="E" x="300" y="0"/>
    <node id="N" x="0" y="300"/>
    <node id="S" x="0" y="-300"/>
</nodes>"#,
        ),
        (
            "net.edg.xml",
            r#"<edges>
    <edge id="in" from="W" to="C" numLanes="3" speed="13.89"/>
    <edge id="east" from="C" to="E" numLanes="1" speed="13.89"/>
    <edge id="north" from="C" to="N" numLanes="1" speed="13.89"/>
    <edge id="south" from="C" to="S" numLanes="1" speed="13.89"/>
</edges>"#,
        ),
        (
            "net.con.xml",
            r#"<connections>
    <connection from="in" to="south" fromLane="0" toLane="0"/>
    <connection from="in" to="east" fromLane="1" toLane="0"/>
    <connection from="in" to="north" fromLane="2" toLane="0"/>
</connections>"#,
        ),
        (
            "demand.rou.xml",
            r#"<routes>
    <vType id="idm" carFollowModel="IDM" accel="2.6" decel="4.5" tau="1.0" minGap="2.5"
           length="5" delta="4" maxSpeed="30" speedDev="0" sigma="0"/>
    <flow id="r" type="idm" begin="0" end="300" vehsPerHour="300" from="in" to="south" departLane="0" departSpeed="max"/>
    <flow id="s" type="idm" begin="1" end="300" vehsPerHour="300" from="in" to="east" departLane="0" departSpeed="max"/>
    <flow id="l" type="idm" begin="2" end="300" vehsPerHour="300" from="in" to="north" departLane="0" departSpeed="max"/>
</routes>"#,
        ),
    ];
    let (fcd, _) = sumo_on_plain(dir.path(), &files);
    let p = |f: &str| dir.path().join(f);
    scenario(dir.path(), "net.net.xml", &["demand.rou.xml"]);
    run_report(&p("s.ron"), &p("out"), &["--trace", "--fcd-xml", "-q"]);
    let (theirs, ours) = (
        last_lane(&fcd, "in"),
        last_lane(&read(&p("out/fcd.xml")), "in"),
    );
    assert_eq!(ours, theirs, "the lane each vehicle leaves the approach in");
    for (flow, lane) in [("r", "in_0"), ("s", "in_1"), ("l", "in_2")] {
        let of: Vec<_> = ours
            .iter()
            .filter(|(id, _)| id.starts_with(&format!("{flow}.")))
            .collect();
        assert!(of.len() >= 20, "flow {flow}: {} vehicles", of.len());
        assert!(
            of.iter().all(|(_, l)| l.as_str() == lane),
            "flow {flow} leaves from {lane}: {of:?}"
        );
    }
}

/// Write `files` into `dir`, build `net.net.xml` with `netconvert` from the plain-XML files
/// `net.nod.xml`, `net.edg.xml` (and `net.con.xml`, if among them), and run SUMO 1.28 on it
/// with `demand.rou.xml` (0.1 s steps, 500 s): (its FCD, its tripinfo).
fn sumo_on_plain(dir: &Path, files: &[(&str, &str)]) -> (String, String) {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("fixture written");
    }
    let p = |f: &str| dir.join(f).into_os_string();
    let mut args = vec![
        "--node-files".into(),
        p("net.nod.xml"),
        "--edge-files".into(),
        p("net.edg.xml"),
    ];
    if files.iter().any(|(name, _)| *name == "net.con.xml") {
        args.extend(["--connection-files".into(), p("net.con.xml")]);
    }
    args.extend(["-o".into(), p("net.net.xml")]);
    run_sumo(
        "netconvert",
        &args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>(),
    );
    let args = [
        "-n".into(),
        p("net.net.xml"),
        "-r".into(),
        p("demand.rou.xml"),
        "--fcd-output".into(),
        p("fcd.xml"),
        "--tripinfo-output".into(),
        p("trips.xml"),
        "--step-length".into(),
        "0.1".into(),
        "--end".into(),
        "500".into(),
        "--no-step-log".into(),
    ];
    let args: Vec<std::ffi::OsString> = args.to_vec();
    run_sumo(
        "sumo",
        &args.iter().map(|a| a.as_os_str()).collect::<Vec<_>>(),
    );
    (read(&dir.join("fcd.xml")), read(&dir.join("trips.xml")))
}

/// The lane each vehicle was last seen on while on `edge`, by vehicle.
fn last_lane(fcd: &str, edge: &str) -> BTreeMap<String, String> {
    let prefix = format!("{edge}_");
    let mut out = BTreeMap::new();
    for l in fcd
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("<vehicle"))
    {
        if let (Some(id), Some(lane)) = (attr(l, "id"), attr(l, "lane"))
            && lane.starts_with(&prefix)
        {
            out.insert(id.to_string(), lane.to_string());
        }
    }
    out
}

/// A random network without left turns (`--no-left-connections`): trips between edges are
/// routed through the movements the network has, as fast as SUMO's `duarouter` routes them
/// (free-flow time by SUMO's own edge and internal-lane times, within 0.5 %), never turning where SUMO has no
/// connection. A route that turns left anyway is an error at its line, and so is a RON route
/// over the same two links.
#[test]
fn trips_route_around_missing_turns_as_sumo_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = [
        "--rand",
        "--rand.iterations",
        "60",
        "--default.lanenumber",
        "1",
        "--no-left-connections",
        "--no-turnarounds",
    ];
    let net = generate(dir.path(), "noleft", &args);
    let sumo = census(&read(&net));
    let edges: Vec<&String> = sumo.edges.keys().collect();
    let mut trips = String::from("<routes>\n");
    for i in 0..40 {
        let (a, b) = (
            edges[(i * 7) % edges.len()],
            edges[(i * 13 + 5) % edges.len()],
        );
        if a != b {
            trips += &format!("    <trip id=\"t{i}\" depart=\"{i}\" from=\"{a}\" to=\"{b}\"/>\n");
        }
    }
    trips += "</routes>\n";
    std::fs::write(dir.path().join("trips.rou.xml"), &trips).expect("trips written");
    let (routed, trips_file) = (
        dir.path().join("routed.rou.xml"),
        dir.path().join("trips.rou.xml"),
    );
    let dua: Vec<&OsStr> = vec![
        "-n".as_ref(),
        net.as_os_str(),
        "--route-files".as_ref(),
        trips_file.as_os_str(),
        "-o".as_ref(),
        routed.as_os_str(),
        "--weights.minor-penalty".as_ref(),
        "0".as_ref(),
        "--ignore-errors".as_ref(),
        "--no-step-log".as_ref(),
    ];
    run_sumo("duarouter", &dua);
    let mut theirs: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut id = String::new();
    for l in read(&routed).lines().map(str::trim) {
        if l.starts_with("<vehicle ") {
            id = attr(l, "id").expect("id").to_string();
        } else if l.starts_with("<route ") {
            theirs.insert(
                id.clone(),
                attr(l, "edges")
                    .expect("edges")
                    .split(' ')
                    .map(str::to_string)
                    .collect(),
            );
        }
    }
    let joins: BTreeSet<(&str, &str)> = sumo
        .connections
        .iter()
        .map(|c| (c.0.as_str(), c.2.as_str()))
        .collect();
    let spec = scenario(dir.path(), "noleft.net.xml", &["routed.rou.xml"]);
    let built = RoadNetwork::build(&spec);
    // Only the trips duarouter could route: the others are errors here, as in SUMO.
    let routable: String = trips
        .lines()
        .filter(|l| !l.contains("<trip") || attr(l, "id").is_some_and(|id| theirs.contains_key(id)))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.path().join("ok.rou.xml"), routable).expect("trips written");
    let trip_spec = scenario(dir.path(), "noleft.net.xml", &["ok.rou.xml"]);
    assert!(
        theirs.len() >= 20,
        "{} trips routed by duarouter",
        theirs.len()
    );
    for v in trip_spec
        .vehicles
        .iter()
        .filter(|v| theirs.contains_key(&v.id))
    {
        let links = resolve_route(&v.route, &built).unwrap_or_else(|| panic!("{} routed", v.id));
        let ours: Vec<String> = links
            .iter()
            .map(|&l| built.links[l as usize].id.clone())
            .collect();
        for w in ours.windows(2) {
            assert!(
                joins.contains(&(w[0].as_str(), w[1].as_str())),
                "{}: {} -> {} has no connection",
                v.id,
                w[0],
                w[1]
            );
        }
        let (t_ours, t_sumo) = (sumo.time(&ours), sumo.time(&theirs[&v.id]));
        assert!(
            (t_ours / t_sumo - 1.0).abs() < 0.005,
            "{}: {t_ours:.1} s here, {t_sumo:.1} s by duarouter",
            v.id
        );
    }

    // A left turn the network does not have.
    let (a, b) = left_turn(&sumo, &read(&net)).expect("a junction without its left turn");
    std::fs::write(
        dir.path().join("bad.rou.xml"),
        format!("<routes>\n    <vehicle id=\"v\" depart=\"0\"><route edges=\"{a} {b}\"/></vehicle>\n</routes>\n"),
    )
    .expect("demand written");
    let bad = dir.path().join("bad.ron");
    std::fs::write(&bad, "(name: \"bad\", duration: 60.0, sumo: (net: \"noleft.net.xml\", routes: [\"bad.rou.xml\"]))\n").expect("written");
    let check = sim(&["check".as_ref(), bad.as_os_str()]);
    let err = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(2), "{err}");
    for want in [
        "bad.rou.xml:2:5]".to_string(),
        format!("<vehicle> `v`: no connection from edge `{a}` to edge `{b}`"),
    ] {
        assert!(err.contains(&want), "wanted `{want}` in:\n{err}");
    }
    std::fs::write(
        &bad,
        format!("(name: \"bad\", duration: 60.0, sumo: (net: \"noleft.net.xml\"),\n vehicles: [(id: \"v\", kind: Car, route: Links([\"{a}\", \"{b}\"]))])\n"),
    )
    .expect("written");
    let check = sim(&["check".as_ref(), bad.as_os_str()]);
    let err = String::from_utf8_lossy(&check.stderr);
    assert_eq!(check.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("link `{a}` has no connection onto link `{b}`")),
        "{err}"
    );
}

/// Two edges meeting at a junction with no connection between them that are not each other's
/// reverse: a movement SUMO left out.
fn left_turn(sumo: &Sumo, xml: &str) -> Option<(String, String)> {
    let mut ends: BTreeMap<String, (String, String)> = BTreeMap::new();
    for l in xml
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("<edge ") && !l.contains("internal"))
    {
        let g = |k| attr(l, k).unwrap_or_default().to_string();
        ends.insert(g("id"), (g("from"), g("to")));
    }
    let joins: BTreeSet<(&str, &str)> = sumo
        .connections
        .iter()
        .map(|c| (c.0.as_str(), c.2.as_str()))
        .collect();
    for (a, (fa, ta)) in &ends {
        for (b, (fb, tb)) in &ends {
            if ta == fb && tb != fa && !joins.contains(&(a.as_str(), b.as_str())) {
                return Some((a.clone(), b.clone()));
            }
        }
    }
    None
}

/// A bus lane taxis may use at the kerb of a three-lane road (`allow="bus taxi"`, written for
/// `netconvert`), with cars, taxis and buses going straight on and cars turning right onto a
/// side road. The lane comes in reserved for buses and the class `Taxi`; no private car ever
/// drives in it (in SUMO 1.28 neither), buses and taxis do (in SUMO too), every vehicle
/// arrives, and each flow's mean travel time is within 10 % of SUMO's. Before classes were
/// told apart, taxis were cars and kept out of the lane.
#[test]
fn a_bus_lane_is_kept_for_buses_and_taxis() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = [
        (
            "net.nod.xml",
            r#"<nodes>
    <node id="W" x="-500" y="0"/>
    <node id="C" x="0" y="0" type="priority"/>
    <node id="E" x="500" y="0"/>
    <node id="S" x="0" y="-300"/>
</nodes>"#,
        ),
        (
            "net.edg.xml",
            r#"<edges>
    <edge id="in" from="W" to="C" numLanes="3" speed="13.89"><lane index="0" allow="bus taxi"/></edge>
    <edge id="east" from="C" to="E" numLanes="3" speed="13.89"><lane index="0" allow="bus taxi"/></edge>
    <edge id="south" from="C" to="S" numLanes="1" speed="13.89"/>
</edges>"#,
        ),
        (
            "demand.rou.xml",
            r#"<routes>
    <vType id="car" carFollowModel="IDM" accel="2.6" decel="4.5" tau="1.0" minGap="2.5"
           length="5" delta="4" maxSpeed="30" speedDev="0" sigma="0"/>
    <vType id="bus" vClass="bus" carFollowModel="IDM" accel="1.2" decel="4.0" tau="1.0" minGap="2.5"
           length="12" delta="4" maxSpeed="20" speedDev="0" sigma="0"/>
    <vType id="taxi" vClass="taxi" carFollowModel="IDM" accel="2.6" decel="4.5" tau="1.0" minGap="2.5"
           length="5" delta="4" maxSpeed="30" speedDev="0" sigma="0"/>
    <flow id="c" type="car" begin="0" end="300" vehsPerHour="600" from="in" to="east" departLane="best" departSpeed="max"/>
    <flow id="b" type="bus" begin="3" end="300" vehsPerHour="60" from="in" to="east" departLane="best" departSpeed="max"/>
    <flow id="r" type="car" begin="5" end="300" vehsPerHour="120" from="in" to="south" departLane="best" departSpeed="max"/>
    <flow id="t" type="taxi" begin="5" end="300" vehsPerHour="240" from="in" to="east" departLane="0" departSpeed="max"/>
</routes>"#,
        ),
    ];
    let (fcd, trips) = sumo_on_plain(dir.path(), &files);
    let p = |f: &str| dir.path().join(f);
    let spec = scenario(dir.path(), "net.net.xml", &["demand.rou.xml"]);
    for id in ["in", "east"] {
        let l = spec
            .network
            .links
            .iter()
            .find(|l| l.id == id)
            .expect("link");
        assert_eq!(l.reserved.len(), 1, "{id}: {:?}", l.reserved);
        let r = &l.reserved[0];
        assert_eq!(
            (r.lane, r.kinds.as_slice(), r.classes.as_slice()),
            (
                0,
                &[sangam_sim::scenario::spec::Kind::Bus][..],
                &[sangam_sim::scenario::spec::Class::Taxi][..]
            )
        );
    }
    let report = run_report(
        &dir.path().join("s.ron"),
        &p("out"),
        &["--trace", "--fcd-xml", "-q"],
    );
    let kerb = |fcd: &str, who: &str| -> BTreeSet<String> {
        fcd.lines()
            .map(str::trim)
            .filter(|l| l.starts_with("<vehicle"))
            .filter(|l| matches!(attr(l, "lane"), Some("in_0" | "east_0")))
            .filter_map(|l| {
                attr(l, "id")
                    .filter(|id| id.starts_with(who))
                    .map(str::to_string)
            })
            .collect()
    };
    let (ours, theirs) = (read(&p("out/fcd.xml")), fcd);
    for who in ["c.", "r."] {
        assert!(
            kerb(&theirs, who).is_empty(),
            "SUMO keeps cars out of the bus lane"
        );
        assert_eq!(kerb(&ours, who), BTreeSet::new(), "cars in the bus lane");
    }
    for (who, fcd) in [("SUMO", &theirs), ("sangam-sim", &ours)] {
        for class in ["b.", "t."] {
            let inside = kerb(fcd, class);
            assert!(
                inside.len() >= 3,
                "{who}: {class} use their lane: {inside:?}"
            );
        }
    }
    let mut sumo_t: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for l in trips
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("<tripinfo "))
    {
        let (id, d) = (
            attr(l, "id").expect("id"),
            attr(l, "duration").expect("duration"),
        );
        let flow = id.split('.').next().unwrap_or_default().to_string();
        sumo_t
            .entry(flow)
            .or_default()
            .push(d.parse().expect("number"));
    }
    let mut our_t: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let arrived = report["vehicles"].as_array().expect("vehicles");
    for t in arrived.iter().filter(|v| v["arrive_s"].is_number()) {
        let id = t["id"].as_str().expect("id");
        let flow = id.split('.').next().unwrap_or_default().to_string();
        our_t
            .entry(flow)
            .or_default()
            .push(t["travel_time_s"].as_f64().expect("time"));
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    for (flow, theirs) in &sumo_t {
        let ours = &our_t[flow];
        assert_eq!(
            ours.len(),
            theirs.len(),
            "flow {flow}: every vehicle arrives"
        );
        let ratio = mean(ours) / mean(theirs);
        assert!(
            (0.9..=1.1).contains(&ratio),
            "flow {flow}: {:.1} s here, {:.1} s in SUMO",
            mean(ours),
            mean(theirs)
        );
    }
}

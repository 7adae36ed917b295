//! Messages on the air as Wireshark reads them: `run --pcap` on a scenario with every ETSI
//! message type on WAVE and PC5, dissected by the real `tshark` (support::tshark). Every frame
//! must dissect cleanly, as the message its BTP port names, and every CAM must say what the
//! FCD says of its sender at its generation time (position within 2 cm, speed and heading to
//! their resolution), with the ITS timestamps of EN 302 637-2 and TS 102 894-2. Needs the
//! encoder (feature `asn1`, on by default).
#![cfg(feature = "asn1")]
mod support;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Command;

/// Unix time of simulated t = 0 (docs/v2x-models.md: 2025-01-01T00:00:00Z).
const EPOCH_UNIX_S: f64 = 1_735_689_600.0;
/// TimestampIts at simulated t = 0, ms: 2004-01-01 to 2025-01-01 is 7 671 days, plus the five
/// leap seconds inserted in between (IERS Bulletin C).
const ITS_AT_ZERO_MS: i64 = (7_671 * 86_400 + 5) * 1000;

fn run(dir: &Path, extra: &[&str]) {
    run_file("tests/pcap/air.ron", dir, extra);
}

fn run_file(scenario: &str, dir: &Path, extra: &[&str]) {
    let mut args = vec!["run", scenario, "--quiet", "--trace", "--pcap"];
    args.extend(extra);
    args.extend(["--out", dir.to_str().unwrap()]);
    let out = support::sim(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// tshark's fields of every frame, tab-separated, for `filter`.
fn fields(pcap: &Path, filter: &str, names: &[&str]) -> Vec<Vec<String>> {
    let mut cmd = Command::new(support::tshark());
    cmd.arg("-r").arg(pcap).args(["-Y", filter, "-T", "fields"]);
    for n in names {
        cmd.args(["-e", n]);
    }
    let out = cmd.output().expect("tshark runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

#[test]
fn every_frame_dissects_as_its_message_and_cams_match_the_fcd() {
    let tmp = tempfile::tempdir().unwrap();
    run(tmp.path(), &["--fcd-xml"]);
    let pcap = tmp.path().join("v2x.pcap");
    let problems = fields(
        &pcap,
        "_ws.malformed || _ws.expert.severity >= warning",
        &["frame.number"],
    );
    assert!(
        problems.is_empty(),
        "frames with malformed or expert warnings: {problems:?}"
    );
    // BTP-B port (TS 103 248) against the ItsPduHeader message id (TS 102 894-2).
    let port_of = HashMap::from([(1, 2002), (2, 2001), (4, 2004), (5, 2003), (14, 2009)]);
    let frames = fields(
        &pcap,
        "",
        &["btpb.dstport", "its.messageID", "radiotap.channel.freq"],
    );
    let mut seen = BTreeMap::new();
    for f in &frames {
        let id: u32 = f[1]
            .parse()
            .unwrap_or_else(|_| panic!("no ITS message in {f:?}"));
        assert_eq!(f[0].parse::<u32>().ok(), port_of.get(&id).copied(), "{f:?}");
        *seen.entry((id, f[2].clone())).or_insert(0) += 1;
    }
    for id in [1, 2, 4, 5, 14] {
        for freq in ["5910", "5865"] {
            assert!(
                seen.contains_key(&(id, freq.to_string())),
                "no message {id} at {freq} MHz: {seen:?}"
            );
        }
    }
    cams_match_the_fcd(&pcap, &tmp.path().join("fcd.xml"));
}

/// One vehicle in fcd.xml: front-bumper centre (m), compass heading (°), speed (m/s).
type Sample = (f64, f64, f64, f64);

/// fcd.xml by (time in ms, vehicle), and the vehicles in the order they first appear (their
/// spawn order, which is their station number).
fn fcd(path: &Path) -> (HashMap<(i64, String), Sample>, Vec<String>) {
    let text = std::fs::read_to_string(path).unwrap();
    let attr = |line: &str, name: &str| -> String {
        let start = line.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        line[start..].split('"').next().unwrap().to_string()
    };
    let (mut rows, mut order, mut t) = (HashMap::new(), Vec::new(), 0);
    for line in text.lines() {
        if line.contains("<timestep") {
            t = (attr(line, "time").parse::<f64>().unwrap() * 1000.0).round() as i64;
        } else if line.contains("<vehicle ") {
            let id = attr(line, "id");
            let num = |n| attr(line, n).parse::<f64>().unwrap();
            if !order.contains(&id) {
                order.push(id.clone());
            }
            rows.insert((t, id), (num("x"), num("y"), num("angle"), num("speed")));
        }
    }
    (rows, order)
}

/// The map point of a WGS 84 position, by the degree lengths of the usual series (NGA) at the
/// Sangam origin (37.5770 N, 126.8898 E): independent of the simulator's own projection.
fn map_xy(lat_e7: f64, lon_e7: f64) -> (f64, f64) {
    let (lat0, lon0) = (37.5770_f64, 126.8898_f64);
    let p = lat0.to_radians();
    let m_lat = 111_132.954 - 559.822 * (2.0 * p).cos() + 1.175 * (4.0 * p).cos();
    let m_lon = 111_412.84 * p.cos() - 93.5 * (3.0 * p).cos() + 0.118 * (5.0 * p).cos();
    ((lon_e7 / 1e7 - lon0) * m_lon, (lat_e7 / 1e7 - lat0) * m_lat)
}

fn cams_match_the_fcd(pcap: &Path, fcd_xml: &Path) {
    let (rows, order) = fcd(fcd_xml);
    let names = [
        "frame.time_epoch",
        "its.stationID",
        "cam.generationDeltaTime",
        "its.latitude",
        "its.longitude",
        "its.speedValue",
        "its.headingValue",
        "geonw.src_pos.tst",
    ];
    let cams = fields(
        pcap,
        "its.messageID == 2 && !radiotap.dbm_antsignal",
        &names,
    );
    assert!(cams.len() > 100, "{} CAMs", cams.len());
    for c in &cams {
        let n = |i: usize| {
            c[i].parse::<f64>()
                .unwrap_or_else(|_| panic!("field {i} of {c:?}"))
        };
        let sent_ms = ((n(0) - EPOCH_UNIX_S) * 1000.0).round() as i64;
        // generationDeltaTime = TimestampIts mod 65 536, at or before the frame (EN 302 637-2).
        let age = (ITS_AT_ZERO_MS + sent_ms - n(2) as i64).rem_euclid(65_536);
        assert!(
            age < 50,
            "CAM on the air {age} ms after its generation: {c:?}"
        );
        let gen_ms = sent_ms - age;
        let id = &order[n(1) as usize];
        let (x, y, angle, speed) = rows[&(gen_ms, id.clone())];
        let (cx, cy) = map_xy(n(3), n(4));
        let off = (cx - x).hypot(cy - y);
        assert!(
            off < 0.02,
            "{id} at {gen_ms} ms: CAM {cx:.3},{cy:.3} vs FCD {x},{y}"
        );
        assert!(
            (n(5) / 100.0 - speed).abs() <= 0.006,
            "{id} at {gen_ms} ms: speed {c:?}"
        );
        let dh = (n(6) / 10.0 - angle + 180.0).rem_euclid(360.0) - 180.0;
        assert!(
            dh.abs() <= 0.06,
            "{id} at {gen_ms} ms: heading {c:?} vs {angle}"
        );
        // The GeoNetworking timestamp is TimestampIts mod 2^32 (EN 302 636-4-1 §8.5.2).
        assert_eq!(
            n(7) as i64,
            (ITS_AT_ZERO_MS + gen_ms).rem_euclid(1 << 32),
            "{c:?}"
        );
    }
}

#[test]
fn receptions_are_captured_at_the_receiver_and_captures_repeat_exactly() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    run(a.path(), &["--pcap-rx"]);
    run(b.path(), &["--pcap-rx"]);
    let (pa, pb) = (a.path().join("v2x.pcap"), b.path().join("v2x.pcap"));
    assert_eq!(
        std::fs::read(&pa).unwrap(),
        std::fs::read(&pb).unwrap(),
        "same seed, same bytes"
    );
    // One received frame per delivered sidelink row of the V2X log, with a signal between the
    // sensitivity floor and the transmit power plus antenna gains (23 + 3 + 3 dBm).
    let rx = fields(&pa, "radiotap.dbm_antsignal", &["radiotap.dbm_antsignal"]);
    let log = std::fs::read_to_string(a.path().join("v2x.csv")).unwrap();
    let delivered = log
        .lines()
        .filter(|l| l.contains(",true,") && (l.contains(",wave,") || l.contains(",pc5,")))
        .count();
    assert_eq!(rx.len(), delivered);
    for r in &rx {
        let dbm: f64 = r[0].parse().unwrap();
        assert!((-110.0..=29.0).contains(&dbm), "{dbm} dBm");
    }
}

/// The same crossroads on the Korean profile, with a lane closed near the RSU: every frame is
/// WSMP (EtherType 0x88DC), dissected cleanly, with the PSID of the J2735 message inside (BSM
/// 0x20; SPaT and MAP 0x82, intersection safety; TIM 0x83, traveller information). tshark 4.0
/// hands the first two to its IEEE 1609.2 dissector (not 0x83): there the signed data's PSID
/// agrees and its payload is a MessageFrame with id 20, 19 or 18. BSMs go at 10 Hz at SAE
/// J2945/1's 20 dBm on a quiet channel (the link's 23 dBm caps it), SPaT and MAP at 10 Hz at the
/// RSU's 23 dBm.
#[test]
fn the_korean_profile_sends_j2735_in_wsmp_that_tshark_reads() {
    let tmp = tempfile::tempdir().unwrap();
    let air = std::fs::read_to_string("tests/pcap/air.ron").unwrap();
    let korea = air
        .replace("enabled: true,", "enabled: true, profile: Korea,")
        .replace(
            "events: [",
            "events: [(at: 0.0, action: CloseLane(link: \"west_in\", lane: 0)), ",
        );
    let scenario = tmp.path().join("air-korea.ron");
    std::fs::write(&scenario, korea).unwrap();
    let out = tmp.path().join("out");
    run_file(scenario.to_str().unwrap(), &out, &[]);
    let pcap = out.join("v2x.pcap");
    let bad = "_ws.malformed || _ws.expert.severity >= warning || !wsmp \
               || (wsmp.psid != 0x83 && !ieee1609dot2.psid)";
    assert!(fields(&pcap, bad, &["frame.number"]).is_empty());
    let rows = fields(
        &pcap,
        "wsmp",
        &[
            "wsmp.psid",
            "ieee1609dot2.psid",
            "radiotap.txpower",
            "ieee1609dot2.unsecuredData",
        ],
    );
    let mut per_frame_id: BTreeMap<(u64, String), usize> = BTreeMap::new();
    for r in &rows {
        let psid = u64::from_str_radix(r[0].trim_start_matches("0x"), 16).unwrap();
        if psid == 0x83 {
            assert_eq!(r[2], "23", "{r:?}");
            *per_frame_id.entry((31, r[2].clone())).or_default() += 1;
            continue;
        }
        assert!(
            r[1].split(',').all(|p| p.parse::<u64>() == Ok(psid)),
            "{r:?}"
        );
        // MessageFrame: extension bit 0, then the 15-bit DSRCmsgID.
        let id = u64::from_str_radix(&r[3][..4], 16).unwrap();
        let want = match id {
            20 => (0x20, "20"),
            18 | 19 | 23 => (0x82, "23"),
            other => panic!("MessageFrame id {other}: {r:?}"),
        };
        assert_eq!((psid, r[2].as_str()), want, "{r:?}");
        *per_frame_id.entry((id, r[2].clone())).or_default() += 1;
    }
    // 20 s at 0.1 s on two sidelinks: 4 cars × 199 BSMs (none in the step a car appears), one
    // RSU's 200 SPaTs and 200 MAPs, and a Traveler Information Message about the closed lane
    // once a second from the RSU's first cycle.
    let count = |id: u64| {
        per_frame_id
            .iter()
            .filter(|(k, _)| k.0 == id)
            .map(|(_, n)| n)
            .sum::<usize>()
    };
    assert_eq!(count(20), 2 * 4 * 199, "{per_frame_id:?}");
    assert_eq!((count(19), count(18)), (2 * 200, 2 * 200));
    assert_eq!(count(31), 2 * 20, "{per_frame_id:?}");
}

/// Without a capture the radio takes each payload's length without encoding it (`wire::size`);
/// with one it encodes. Every reception must come out the same either way, on both profiles:
/// the V2X log (every attempt, its outcome and latency) and the report, byte for byte.
#[test]
fn a_capture_changes_nothing_the_radio_decides() {
    let tmp = tempfile::tempdir().unwrap();
    let air = std::fs::read_to_string("tests/pcap/air.ron").unwrap();
    let korea = tmp.path().join("air-korea.ron");
    std::fs::write(
        &korea,
        air.replace("enabled: true,", "enabled: true, profile: Korea,"),
    )
    .unwrap();
    for scenario in ["tests/pcap/air.ron", korea.to_str().unwrap()] {
        let outputs = |extra: &[&str]| {
            let dir = tempfile::tempdir().unwrap();
            let mut args = vec!["run", scenario, "--quiet", "--trace"];
            args.extend(extra);
            args.extend(["--out", dir.path().to_str().unwrap()]);
            let out = support::sim(&args);
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let read = |f: &str| std::fs::read(dir.path().join(f)).unwrap();
            (read("report.json"), read("v2x.csv"), dir)
        };
        let (plain, captured) = (outputs(&[]), outputs(&["--pcap", "--pcap-rx"]));
        assert!(captured.2.path().join("v2x.pcap").exists());
        assert!(
            plain.1.len() > 1000,
            "{scenario}: a V2X log with receptions"
        );
        assert!(plain.0 == captured.0, "{scenario}: the report differs");
        assert!(plain.1 == captured.1, "{scenario}: the V2X log differs");
    }
}

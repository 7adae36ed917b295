//! Traces: `run --trace` writes complete FCD and V2X CSV files (and SUMO FCD XML), one FCD row
//! per vehicle per 0.1 s; an abandoned trace leaves no file behind.
use std::process::Command;

use sangam_sim::radio::outcome::LossReason;
use sangam_sim::scenario::spec::{MsgType, Tech};
use sangam_sim::trace::{TraceOptions, V2xRow, start};

#[test]
fn run_trace_writes_complete_fcd_and_v2x_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sangam-sim"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "run",
            "tests/fixtures/runner/trace.ron",
            "--trace",
            "--fcd-xml",
            "-q",
            "--out",
        ])
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut fcd = csv::Reader::from_path(tmp.path().join("fcd.csv")).unwrap();
    assert_eq!(
        fcd.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "time", "id", "kind", "x", "y", "z", "speed", "heading", "lane"
        ]
    );
    let rows: Vec<csv::StringRecord> = fcd.records().map(Result::unwrap).collect();
    // 3 vehicles on the road for all 8 s, sampled every 0.1 s.
    assert_eq!(rows.len(), 3 * 80);
    assert_eq!(&rows[0][0], "0.100");
    assert_eq!(&rows[rows.len() - 1][0], "8.000");
    // Spawn order within a sample, and plausible values: eastbound, heading 90°, moving.
    let first: Vec<&str> = rows[..3].iter().map(|r| &r[1]).collect();
    assert_eq!(first, ["c0", "c1", "c2"]);
    for r in &rows {
        let num = |i: usize| r[i].parse::<f64>().unwrap();
        assert!((num(7) - 90.0).abs() < 1.0, "heading {}", &r[7]);
        assert!(num(6) > 0.0 && num(3) > 0.0);
        assert!(r[8].starts_with("ab_"));
    }
    assert_eq!(&rows[1][2], "bus");

    let mut v2x = csv::Reader::from_path(tmp.path().join("v2x.csv")).unwrap();
    assert_eq!(
        v2x.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "time_sent",
            "time_received",
            "message_id",
            "type",
            "sender",
            "receiver",
            "technology",
            "latency_us",
            "delivered",
            "loss_reason"
        ]
    );
    assert!(v2x.records().all(|r| r.is_ok()));

    let xml = std::fs::read_to_string(tmp.path().join("fcd.xml")).unwrap();
    assert!(xml.starts_with("<?xml") && xml.trim_end().ends_with("</fcd-export>"));
    assert_eq!(xml.matches("<timestep ").count(), 80);
    assert_eq!(xml.matches("<vehicle ").count(), 240);
    // SUMO's reference point in fcd.xml: x is the front bumper, i.e. the body centre of fcd.csv
    // plus half the length on this eastbound road, and equals the front's distance along it
    // (`pos`, the road starting at x = 0). The first sample's c1 is an 11 m bus.
    let first = xml.split("<vehicle ").nth(2).expect("c1's first sample");
    let attr = |k: &str| -> f64 {
        let v = first.split(&format!(" {k}=\"")).nth(1).expect(k);
        v[..v.find('"').unwrap()].parse().unwrap()
    };
    let centre: f64 = rows[1][3].parse().unwrap();
    assert!(first.starts_with("id=\"c1\""), "{first}");
    assert!(
        (attr("x") - (centre + 5.5)).abs() < 0.011,
        "{} vs {centre}",
        attr("x")
    );
    assert!((attr("x") - attr("pos")).abs() < 0.011);
    // No temporary file is left.
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

fn row(i: u64, delivered: bool) -> V2xRow {
    V2xRow {
        sent_us: 1_000 * i,
        received_us: delivered.then_some(1_000 * i + 2_500),
        message_id: i,
        msg: MsgType::Cam,
        sender: format!("car{i}"),
        receiver: "rsu,1".into(),
        tech: Tech::Pc5,
        latency_us: delivered.then_some(2_500),
        loss: (!delivered).then_some(LossReason::BelowThreshold),
    }
}

#[test]
fn v2x_rows_are_written_and_an_abandoned_trace_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = TraceOptions {
        dir: tmp.path().join("t"),
        fcd_xml: true,
        pcap: None,
    };
    let (sink, writer) = start(&opts).unwrap();
    sink.v2x_row(row(1, true));
    drop(writer); // like a panic: no finish
    drop(sink);
    assert_eq!(
        std::fs::read_dir(&opts.dir).unwrap().count(),
        0,
        "temporary files removed"
    );

    let (sink, writer) = start(&opts).unwrap();
    sink.v2x_row(row(1, true));
    sink.v2x_row(row(2, false));
    let mut app = bevy::app::App::new();
    app.insert_resource(sink);
    let staged = writer.finish(app.world_mut()).unwrap();
    assert_eq!(staged.len(), 3);
    assert!(
        !opts.dir.join("v2x.csv").exists(),
        "sealed, not yet in place"
    );
    for s in staged {
        s.into_place().unwrap();
    }
    let mut r = csv::Reader::from_path(opts.dir.join("v2x.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0].iter().collect::<Vec<_>>(),
        [
            "0.001000", "0.003500", "1", "cam", "car1", "rsu,1", "pc5", "2500", "true", ""
        ]
    );
    assert_eq!(&rows[1][8], "false");
    assert_eq!(&rows[1][9], "below_threshold");
}

//! `sangam-sim serve` against the real TraCI client (the `traci` Python package, 1.28, from
//! `SUMO_BIN` or installed under target/sumo-venv) and against raw bytes: SUMO's semantics
//! checked with closed-form kinematics (tests/traci/steer.py), two clients in `setOrder`,
//! determinism, malformed messages, unknown commands, a client that disappears.
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use support::*;

fn traci_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/traci")
}

/// A running `sangam-sim serve` on a free port, with the rest of its stderr collected.
struct Server {
    child: Child,
    port: u16,
    stderr: std::thread::JoinHandle<String>,
}

impl Server {
    fn start(out: &Path, extra: &[&str]) -> Server {
        Server::on("road.ron", out, extra)
    }

    /// Serve `scenario` (relative to tests/traci, or absolute).
    fn on(scenario: impl AsRef<Path>, out: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sangam-sim"))
            .arg("serve")
            .arg(traci_dir().join(scenario))
            .args(["--port", "0", "--quiet", "--trace", "--out"])
            .arg(out)
            .args(extra)
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let mut lines = BufReader::new(child.stderr.take().expect("stderr"));
        let mut first = String::new();
        lines
            .read_line(&mut first)
            .expect("serve says where it listens");
        let port = first
            .rsplit(':')
            .next()
            .and_then(|p| p.split_whitespace().next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {first:?}"));
        let stderr = std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = lines.read_to_string(&mut rest);
            rest
        });
        Server {
            child,
            port,
            stderr,
        }
    }

    /// Wait for the server to end: its exit code and what it said.
    fn end(mut self) -> (Option<i32>, String) {
        let status = self.child.wait().expect("serve ends");
        (status.code(), self.stderr.join().unwrap_or_default())
    }
}

/// Run a client script from tests/traci with the port; it must succeed.
fn client(script: &str, args: &[String]) -> Child {
    Command::new(sumo_tool("python"))
        .arg(traci_dir().join(script))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs")
}

fn succeeds(c: Child, what: &str) {
    let out = c.wait_with_output().expect("client ends");
    assert!(
        out.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// steer.py against a fresh server writing into `out`; the server must exit 0.
fn steer(out: &Path) {
    let server = Server::start(out, &[]);
    succeeds(client("steer.py", &[server.port.to_string()]), "steer.py");
    let (code, stderr) = server.end();
    assert_eq!(code, Some(0), "serve: {stderr}");
}

#[test]
fn a_stock_traci_client_steps_reads_and_steers_with_sumo_semantics() {
    let dir = tempfile::tempdir().expect("temp dir");
    steer(dir.path());
    // setSpeed(ego, 5) shows in the trace: 3 s and more at exactly 5 m/s.
    let fcd = std::fs::read_to_string(dir.path().join("fcd.csv")).expect("fcd.csv");
    let (mut run, mut longest) = (0, 0);
    for row in fcd.lines().filter(|l| l.split(',').nth(1) == Some("ego")) {
        let speed: f64 = row
            .split(',')
            .nth(6)
            .and_then(|v| v.parse().ok())
            .unwrap_or(-1.0);
        run = if (speed - 5.0).abs() < 1e-6 {
            run + 1
        } else {
            0
        };
        longest = longest.max(run);
    }
    assert!(
        longest >= 30,
        "ego held 5 m/s for {longest} samples of 0.1 s"
    );
}

#[test]
fn a_client_switches_a_signal_vehicles_obey_and_v2x_is_read_through_parameters() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::on("crossing.ron", dir.path(), &[]);
    succeeds(
        client("signals.py", &[server.port.to_string()]),
        "signals.py",
    );
    let (code, stderr) = server.end();
    assert_eq!(code, Some(0), "serve: {stderr}");
    // The ego stood at its red: the report counts its stop; nobody collided.
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report.json")).expect("report.json"),
    )
    .expect("JSON");
    assert_eq!(report["summary"]["collisions"], 0);
}

#[test]
fn the_example_in_docs_traci_md_runs() {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/traci.md"))
        .expect("docs/traci.md");
    let start = doc.find("```python\n").expect("a Python example") + 10;
    let code = &doc[start..start + doc[start..].find("```").expect("its end")];
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::on("crossing.ron", dir.path(), &[]);
    let script = dir.path().join("example.py");
    let port = format!("port={}", server.port);
    std::fs::write(&script, code.replace("port=8813", &port)).expect("write");
    let out = Command::new(sumo_tool("python"))
        .arg(&script)
        .output()
        .expect("python");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // It prints the SPaT count, the last SPaT and the PDR.
    assert!(
        said.contains("SPaT messages received") && said.contains("rsu_crossroads"),
        "{said}"
    );
    assert_eq!(server.end().0, Some(0));
}

#[test]
fn the_same_client_commands_give_byte_identical_outputs() {
    let (a, b) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    steer(a.path());
    steer(b.path());
    for file in ["report.json", "fcd.csv", "v2x.csv"] {
        let read = |d: &Path| std::fs::read(d.join(file)).expect("output written");
        assert!(
            read(a.path()) == read(b.path()),
            "{file} differs between runs"
        );
    }
}

#[test]
fn two_clients_take_turns_in_their_set_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(dir.path(), &["--clients", "2"]);
    let port = server.port.to_string();
    // Client 2 connects first: the order comes from setOrder, not from who came first.
    let second = client("two.py", &["2".into(), port.clone()]);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let first = client("two.py", &["1".into(), port]);
    succeeds(first, "client 1");
    succeeds(second, "client 2");
    let (code, stderr) = server.end();
    assert_eq!(code, Some(0), "serve: {stderr}");
}

/// A raw TraCI connection for the protocol-level tests.
struct Raw(TcpStream);

impl Raw {
    fn connect(port: u16) -> Raw {
        Raw(TcpStream::connect(("127.0.0.1", port)).expect("connects"))
    }

    /// Send one message with these commands (each already framed) and read the reply.
    fn ask(&mut self, commands: &[u8]) -> Option<Vec<u8>> {
        let len = (commands.len() as i32 + 4).to_be_bytes();
        self.0.write_all(&[&len[..], commands].concat()).ok()?;
        let mut n = [0u8; 4];
        self.0.read_exact(&mut n).ok()?;
        let mut reply = vec![0u8; i32::from_be_bytes(n) as usize - 4];
        self.0.read_exact(&mut reply).ok()?;
        Some(reply)
    }
}

/// The first status of a reply: (command id, result type, description).
fn status(reply: &[u8]) -> (u8, u8, String) {
    let n = i32::from_be_bytes([reply[3], reply[4], reply[5], reply[6]]) as usize;
    (
        reply[1],
        reply[2],
        String::from_utf8_lossy(&reply[7..7 + n]).into_owned(),
    )
}

const GET_VERSION: [u8; 2] = [2, 0x00];
const STEP: [u8; 10] = [10, 0x02, 0, 0, 0, 0, 0, 0, 0, 0];

#[test]
fn malformed_messages_and_unknown_commands_get_errors_on_a_usable_connection() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(dir.path(), &[]);
    let mut c = Raw::connect(server.port);
    let ok = c.ask(&GET_VERSION).expect("reply");
    assert_eq!(status(&ok), (0x00, 0x00, String::new()));
    // A command claiming more bytes than its message holds.
    let (_, rtype, text) = status(&c.ask(&[40, 0xa4, 0x40]).expect("reply"));
    assert_eq!(rtype, 0xff);
    assert!(text.contains("length 40"), "{text}");
    // A command id nobody knows: "not implemented", naming it.
    let (id, rtype, text) = status(&c.ask(&[2, 0x55]).expect("reply"));
    assert_eq!((id, rtype), (0x55, 0x01));
    assert!(text.contains("0x55"), "{text}");
    // A get whose id string runs past the command.
    let (id, rtype, text) = status(&c.ask(&[8, 0xa4, 0x40, 0, 0, 1, 0]).expect("reply"));
    assert_eq!((id, rtype), (0xa4, 0xff));
    assert!(text.contains("malformed"), "{text}");
    // Still usable: a step answers with its status and no subscriptions.
    let step = c.ask(&STEP).expect("reply");
    assert_eq!(status(&step), (0x02, 0x00, String::new()));
    assert_eq!(&step[7..], &[0, 0, 0, 0]);
    // A message length no stream can be framed by: the server ends the connection.
    c.0.write_all(&i32::MAX.to_be_bytes()).expect("send");
    let mut buf = [0u8; 1];
    assert_eq!(c.0.read(&mut buf).ok(), Some(0), "closed");
    let (code, stderr) = server.end();
    assert_eq!(code, Some(0), "serve: {stderr}");
    assert!(stderr.contains("client 1 lost at t = 0.10 s"), "{stderr}");
    assert!(dir.path().join("report.json").exists());
}

#[test]
fn a_client_lost_mid_run_ends_it_with_complete_outputs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(dir.path(), &[]);
    let mut c = Raw::connect(server.port);
    for _ in 0..25 {
        assert!(c.ask(&STEP).is_some());
    }
    // Half a message, then gone.
    c.0.write_all(&[0, 0, 0, 20, 10]).expect("send");
    drop(c);
    let (code, stderr) = server.end();
    assert_eq!(code, Some(0), "serve: {stderr}");
    assert!(stderr.contains("lost at t = 2.50 s"), "{stderr}");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report.json")).expect("report.json"),
    )
    .expect("JSON");
    assert_eq!(report["sim_time_s"].as_f64(), Some(2.5));
    // Complete traces: a header and one sample of ego per 0.1 s.
    let fcd = std::fs::read_to_string(dir.path().join("fcd.csv")).expect("fcd.csv");
    assert_eq!(fcd.lines().count(), 1 + 25);
}

/// tests/traci/record.py against the server on `port`, stepping to 300 s: its JSON.
fn record(port: u16, json: &Path) -> serde_json::Value {
    let args = [port.to_string(), "300".into(), json.display().to_string()];
    succeeds(client("record.py", &args), "record.py");
    let text = std::fs::read_to_string(json).expect("record.py writes its JSON");
    serde_json::from_str(&text).expect("JSON")
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("address").port()
}

/// (time, id) pairs of a recorded list.
fn events(v: &serde_json::Value) -> Vec<(f64, String)> {
    let each = |e: &serde_json::Value| (e[0].as_f64().unwrap_or(-1.0), e[1].to_string());
    v.as_array().expect("list").iter().map(each).collect()
}

#[test]
fn the_same_client_script_gets_the_same_ids_and_close_trajectories_from_sumo() {
    let dir = tempfile::tempdir().expect("temp dir");
    sumo_grid(dir.path(), "4", "1");
    std::fs::write(dir.path().join("demand.rou.xml"), THROUGH_FLOWS).expect("demand");
    let ron = dir.path().join("compare.ron");
    let scenario = r#"(name: "traci-compare", duration: 400.0, step: 0.1,
        sumo: (net: "grid.net.xml", routes: ["demand.rou.xml"]))"#;
    std::fs::write(&ron, scenario).expect("scenario");
    // SUMO 1.28 at the same 0.1 s step, serving TraCI.
    let port = free_port();
    let mut sumo = Command::new(sumo_tool("sumo"))
        .current_dir(dir.path())
        .args([
            "-n",
            "grid.net.xml",
            "-r",
            "demand.rou.xml",
            "--step-length",
            "0.1",
        ])
        .args([
            "--end",
            "400",
            "--no-step-log",
            "--remote-port",
            &port.to_string(),
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("sumo runs");
    // Ours serves the same script at the same time (the two runs are independent).
    let server = Server::on(&ron, &dir.path().join("out"), &[]);
    let (theirs, ours) = std::thread::scope(|s| {
        let theirs = s.spawn(|| record(port, &dir.path().join("sumo.json")));
        let ours = record(server.port, &dir.path().join("ours.json"));
        (theirs.join().expect("SUMO's client"), ours)
    });
    let _ = sumo.wait();
    assert_eq!(server.end().0, Some(0));

    // The same vehicles depart in the same steps, in the same order.
    assert_eq!(events(&theirs["departed"]), events(&ours["departed"]));
    // The same vehicles arrive, each within a second of SUMO's time.
    let arrivals = |v: &serde_json::Value| -> std::collections::BTreeMap<String, f64> {
        events(v).into_iter().map(|(t, id)| (id, t)).collect()
    };
    let (a, b) = (arrivals(&theirs["arrived"]), arrivals(&ours["arrived"]));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    assert!(a.len() > 80, "{} arrivals", a.len());
    for (id, t) in &a {
        assert!(
            (b[id] - t).abs() <= 1.0,
            "{id} arrives at {} here, {t} in SUMO",
            b[id]
        );
    }
    // Every second: nearly the same vehicles on the road, at nearly the same places.
    let (sa, sb) = (theirs["samples"].as_array(), ours["samples"].as_array());
    let (sa, sb) = (sa.expect("samples"), sb.expect("samples"));
    assert_eq!(sa.len(), 300);
    let mut gaps = Vec::new();
    for (x, y) in sa.iter().zip(sb) {
        let ids = |s: &serde_json::Value| -> std::collections::BTreeSet<String> {
            s["ids"]
                .as_array()
                .expect("ids")
                .iter()
                .map(|v| v.to_string())
                .collect()
        };
        let (ix, iy) = (ids(x), ids(y));
        let both = ix.intersection(&iy).count();
        let jaccard = both as f64 / ix.union(&iy).count().max(1) as f64;
        assert!(jaccard >= 0.9, "at {}: {ix:?} vs {iy:?}", x["t"]);
        for key in ["class", "z", "slope"] {
            for (id, a) in x[key].as_object().expect(key) {
                if let Some(b) = y[key].get(id) {
                    assert_eq!(a, b, "{key} of {id} at {}", x["t"]);
                }
            }
        }
        for (id, p) in x["pos"].as_object().expect("positions") {
            if let Some(q) = y["pos"].get(id) {
                let d = |i: usize| p[i].as_f64().unwrap_or(0.0) - q[i].as_f64().unwrap_or(0.0);
                gaps.push(d(0).hypot(d(1)));
            }
        }
    }
    gaps.sort_by(f64::total_cmp);
    let (median, max) = (gaps[gaps.len() / 2], gaps[gaps.len() - 1]);
    assert!(
        median < 3.0 && max < 10.0,
        "position differences: median {median:.2} m, max {max:.2} m"
    );
}

/// Hostile bytes: 2,000 messages of random commands (ids of every served domain and some others,
/// random contents and lengths, from a fixed-seed generator) each get a reply that starts with
/// a status, the server never crashes, answers `getVersion` after them, and ends cleanly.
#[test]
fn random_commands_get_statuses_and_never_crash_the_server() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::on("crossing.ron", dir.path(), &[]);
    let mut c = Raw::connect(server.port);
    let ids = [
        0x00u8, 0x02, 0x03, 0x13, 0x7f, 0x84, 0x8b, 0xa2, 0xa3, 0xa4, 0xa6, 0xaa, 0xab, 0xae, 0xc2,
        0xc4, 0xc6, 0xcb, 0xd2, 0xd4, 0xdb, 0x55,
    ];
    let mut seed: u64 = 0x5eed;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as u32
    };
    for _ in 0..2000 {
        let id = ids[next() as usize % ids.len()];
        if id == 0x7f {
            continue; // close is exercised elsewhere
        }
        let len = next() as usize % 40;
        let mut body: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        // Often a plausible variable and object id, so that the contents get read further.
        if next() % 2 == 0 {
            let mut head = vec![(next() % 0x90) as u8, 0, 0, 0, 3, b'e', b'g', b'o'];
            head.append(&mut body);
            body = head;
        }
        let mut cmd = vec![(body.len() + 2) as u8, id];
        cmd.extend(body);
        let reply = c.ask(&cmd).expect("the server answers");
        assert!(
            reply.len() >= 7,
            "a status for command 0x{id:02x}: {reply:?}"
        );
    }
    let ok = c.ask(&GET_VERSION).expect("reply");
    assert_eq!(status(&ok), (0x00, 0x00, String::new()));
    drop(c);
    let (code, stderr) = server.end();
    assert_eq!(code, Some(0), "serve: {stderr}");
}

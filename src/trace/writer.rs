//! The trace writer thread: receives rows from the simulation and writes them to temporary files,
//! handed over, synced, when the run finishes; the run commits them with its report as one set
//! (`output::OutputSet`), or drops them and they are removed.
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::thread::JoinHandle;

use bevy::prelude::World;
use crossbeam::channel::{Receiver, Sender, unbounded};

use super::{FcdRow, TraceMsg, TraceOptions, TraceSink, V2xRow};
use crate::clock::s_from_us;
use crate::output::staged::temp_path;
use crate::output::{OutputError, Staged, xml_escape as escape};
use crate::radio::outcome::Frame;
use crate::wire::frame::{Radio, mac_and_llc, radiotap};
use crate::wire::{gn, pcap, time};

/// Column names of `fcd.csv`.
pub const FCD_HEADER: [&str; 9] = [
    "time", "id", "kind", "x", "y", "z", "speed", "heading", "lane",
];
/// Column names of `v2x.csv`.
pub const V2X_HEADER: [&str; 10] = [
    "time_sent",
    "time_received",
    "message_id",
    "type",
    "sender",
    "receiver",
    "technology",
    "latency_us",
    "delivered",
    "loss_reason",
];

/// A file being written under a temporary name.
struct Pending<W> {
    tmp: PathBuf,
    dst: PathBuf,
    w: W,
}

impl<W> Pending<W> {
    fn open(
        dir: &std::path::Path,
        name: &str,
        wrap: impl FnOnce(BufWriter<File>) -> W,
    ) -> Result<Self, OutputError> {
        let dst = dir.join(name);
        let tmp = temp_path(&dst);
        let f = File::create(&tmp).map_err(OutputError::write(&dst))?;
        Ok(Pending {
            tmp,
            dst,
            w: wrap(BufWriter::with_capacity(1 << 20, f)),
        })
    }
}

/// The open trace files.
struct Files {
    fcd: Pending<csv::Writer<BufWriter<File>>>,
    v2x: Pending<csv::Writer<BufWriter<File>>>,
    xml: Option<Pending<BufWriter<File>>>,
    pcap: Option<Pending<BufWriter<File>>>,
}

impl Files {
    fn create(opts: &TraceOptions) -> Result<Self, OutputError> {
        fs::create_dir_all(&opts.dir).map_err(|source| OutputError::CreateDir {
            path: opts.dir.clone(),
            source,
        })?;
        let csv = |w| csv::Writer::from_writer(w);
        let mut files = Files {
            fcd: Pending::open(&opts.dir, "fcd.csv", csv)?,
            v2x: Pending::open(&opts.dir, "v2x.csv", csv)?,
            xml: None,
            pcap: None,
        };
        // From here on a failure must not leave the temporaries behind.
        let rest = (|| {
            if opts.fcd_xml {
                files.xml = Some(Pending::open(&opts.dir, "fcd.xml", |w| w)?);
            }
            if opts.pcap.is_some() {
                let mut p = Pending::open(&opts.dir, "v2x.pcap", |w| w)?;
                p.w.write_all(&pcap::file_header())
                    .map_err(OutputError::write(&p.dst))?;
                files.pcap = Some(p);
            }
            let fcd = &mut files.fcd;
            fcd.w.write_record(FCD_HEADER).map_err(csv_err(&fcd.dst))?;
            let v2x = &mut files.v2x;
            v2x.w.write_record(V2X_HEADER).map_err(csv_err(&v2x.dst))?;
            if let Some(x) = &mut files.xml {
                x.w.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<fcd-export>\n")
                    .map_err(OutputError::write(&x.dst))?;
            }
            Ok::<(), OutputError>(())
        })();
        match rest {
            Ok(()) => Ok(files),
            Err(e) => {
                files.remove();
                Err(e)
            }
        }
    }

    fn fcd(&mut self, t: f64, rows: &[FcdRow]) -> Result<(), OutputError> {
        let time = format!("{t:.3}");
        for r in rows {
            self.fcd
                .w
                .write_record([
                    time.as_str(),
                    &r.id,
                    r.kind,
                    &format!("{:.3}", r.x),
                    &format!("{:.3}", r.y),
                    &format!("{:.3}", r.z),
                    &format!("{:.3}", r.speed),
                    &format!("{:.2}", r.heading),
                    &r.lane,
                ])
                .map_err(csv_err(&self.fcd.dst))?;
        }
        if let Some(x) = &mut self.xml {
            let w = &mut x.w;
            let io = |source| OutputError::Write {
                path: x.dst.clone(),
                source,
            };
            if rows.is_empty() {
                return writeln!(w, "    <timestep time=\"{time}\"/>").map_err(io);
            }
            writeln!(w, "    <timestep time=\"{time}\">").map_err(io)?;
            for r in rows {
                // As SUMO: `z` only on a network with heights.
                let z = r
                    .ground
                    .map_or(String::new(), |g| format!(" z=\"{:.2}\"", g.0));
                writeln!(
                    w,
                    "        <vehicle id=\"{}\" x=\"{:.2}\" y=\"{:.2}\"{z} angle=\"{:.2}\" type=\"{}\" speed=\"{:.2}\" pos=\"{:.2}\" lane=\"{}\" slope=\"{:.2}\"/>",
                    escape(&r.id),
                    r.front[0],
                    r.front[1],
                    r.heading,
                    r.kind,
                    r.speed,
                    r.pos,
                    escape(&r.lane),
                    r.ground.map_or(0.0, |g| g.1),
                )
                .map_err(io)?;
            }
            writeln!(w, "    </timestep>").map_err(io)?;
        }
        Ok(())
    }

    fn v2x(&mut self, r: &V2xRow) -> Result<(), OutputError> {
        let secs = |us: u64| format!("{:.6}", s_from_us(us));
        self.v2x
            .w
            .write_record([
                secs(r.sent_us).as_str(),
                &r.received_us.map(secs).unwrap_or_default(),
                &r.message_id.to_string(),
                r.msg.name(),
                &r.sender,
                &r.receiver,
                r.tech.name(),
                &r.latency_us.map(|l| l.to_string()).unwrap_or_default(),
                if r.loss.is_none() { "true" } else { "false" },
                r.loss.map_or("", |l| l.name()),
            ])
            .map_err(csv_err(&self.v2x.dst))
    }

    fn frame(&mut self, f: &Frame) -> Result<(), OutputError> {
        let Some(p) = &mut self.pcap else {
            return Ok(());
        };
        let mut record = Vec::with_capacity(f.packet.len() + 64);
        pcap::record(&mut record, time::unix(f.at_us), &frame_bytes(f));
        p.w.write_all(&record).map_err(OutputError::write(&p.dst))
    }

    /// Flush and sync every file and hand them over, still under their temporary names.
    fn seal(mut self) -> Result<Vec<Staged>, OutputError> {
        let result = (|| {
            if let Some(x) = &mut self.xml {
                x.w.write_all(b"</fcd-export>\n")
                    .map_err(OutputError::write(&x.dst))?;
            }
            let (fcd, v2x) = (&mut self.fcd, &mut self.v2x);
            sync(fcd.w.flush(), fcd.w.get_ref(), &fcd.dst)?;
            sync(v2x.w.flush(), v2x.w.get_ref(), &v2x.dst)?;
            if let Some(x) = &mut self.xml {
                sync(x.w.flush(), &x.w, &x.dst)?;
            }
            if let Some(p) = &mut self.pcap {
                sync(p.w.flush(), &p.w, &p.dst)?;
            }
            Ok(self
                .names()
                .into_iter()
                .map(|(tmp, dst)| Staged::new(tmp, dst))
                .collect())
        })();
        if result.is_err() {
            self.remove();
        }
        result
    }

    fn names(&self) -> Vec<(PathBuf, PathBuf)> {
        let mut v = vec![
            (self.fcd.tmp.clone(), self.fcd.dst.clone()),
            (self.v2x.tmp.clone(), self.v2x.dst.clone()),
        ];
        for p in [&self.xml, &self.pcap].into_iter().flatten() {
            v.push((p.tmp.clone(), p.dst.clone()));
        }
        v
    }

    /// Delete the temporaries (whatever exists of them).
    fn remove(&self) {
        for (tmp, _) in self.names() {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// A captured frame as it is on the air: radiotap (channel, rate, power, and the signal for a
/// reception), the 802.11 OCB data header with LLC/SNAP, the GeoNetworking packet. 802.11p
/// runs at 6 Mbit/s (`radio::dcc::WaveRate::R6`); PC5 frames carry their own channel.
fn frame_bytes(f: &Frame) -> Vec<u8> {
    let radio = Radio {
        freq_mhz: (f.freq_ghz * 1000.0).round() as u16,
        bandwidth_mhz: f.bandwidth_mhz,
        rate_mbps: 6.0,
        tx_dbm: f.tx_dbm,
        rx_dbm: f.rx.map(|(_, dbm)| f64::from(dbm)),
    };
    let mut out = radiotap(&radio);
    out.extend(mac_and_llc(
        gn::mac(f.from),
        f.msg_id as u16,
        f.user_priority,
        f.ethertype,
    ));
    out.extend(f.packet.iter());
    out
}

/// A flushed file synced to disk; either failure names `path`.
fn sync(
    flushed: std::io::Result<()>,
    w: &BufWriter<File>,
    path: &std::path::Path,
) -> Result<(), OutputError> {
    flushed
        .and_then(|()| w.get_ref().sync_all())
        .map_err(OutputError::write(path))
}

/// A CSV writer's failure as a write error of `path`.
fn csv_err(path: &std::path::Path) -> impl FnOnce(csv::Error) -> OutputError + '_ {
    move |e| OutputError::Write {
        path: path.to_path_buf(),
        source: e.into(),
    }
}

/// The thread: write rows until told to finish (seal) or abort (remove).
fn run(mut files: Files, rx: Receiver<TraceMsg>) -> Result<Vec<Staged>, OutputError> {
    let mut failed: Option<OutputError> = None;
    loop {
        let msg = rx.recv().unwrap_or(TraceMsg::Abort);
        let written = match &msg {
            TraceMsg::Finish => {
                return match failed {
                    None => files.seal(),
                    Some(e) => {
                        files.remove();
                        Err(e)
                    }
                };
            }
            TraceMsg::Abort => {
                files.remove();
                return Err(OutputError::Abandoned);
            }
            _ if failed.is_some() => Ok(()), // keep draining so senders never notice
            TraceMsg::Fcd(t, rows) => files.fcd(*t, rows),
            TraceMsg::V2x(row) => files.v2x(row),
            TraceMsg::Frame(f) => files.frame(f),
        };
        if let Err(e) = written {
            failed = Some(e);
        }
    }
}

/// The run's end of the writer thread. Dropping it without [`TraceWriter::finish`] (a panic,
/// a bail-out) aborts: the thread removes its temporary files and exits.
pub struct TraceWriter {
    tx: Sender<TraceMsg>,
    handle: Option<JoinHandle<Result<Vec<Staged>, OutputError>>>,
}

/// Open the trace files (under temporary names) and start the writer thread.
pub fn start(opts: &TraceOptions) -> Result<(TraceSink, TraceWriter), OutputError> {
    let files = Files::create(opts)?;
    let (tx, rx) = unbounded();
    let names = files.names();
    let handle = std::thread::Builder::new()
        .name("sangam-trace".into())
        .spawn(move || run(files, rx))
        .map_err(|source| {
            for (tmp, _) in &names {
                let _ = fs::remove_file(tmp);
            }
            OutputError::Thread {
                what: "trace writer",
                source,
            }
        })?;
    Ok((
        TraceSink::new(tx.clone()),
        TraceWriter {
            tx,
            handle: Some(handle),
        },
    ))
}

impl TraceWriter {
    /// Take the sink out of the world, let the writer drain and seal its files; returns them,
    /// staged, for the run's output set.
    pub fn finish(mut self, world: &mut World) -> Result<Vec<Staged>, OutputError> {
        world.remove_resource::<TraceSink>();
        let _ = self.tx.send(TraceMsg::Finish);
        self.join()
    }

    fn join(&mut self) -> Result<Vec<Staged>, OutputError> {
        match self.handle.take() {
            Some(h) => h.join().unwrap_or(Err(OutputError::Abandoned)),
            None => Err(OutputError::Abandoned),
        }
    }
}

impl Drop for TraceWriter {
    fn drop(&mut self) {
        if self.handle.is_some() {
            let _ = self.tx.send(TraceMsg::Abort);
            let _ = self.join();
        }
    }
}

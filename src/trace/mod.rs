//! Traces: floating car data (FCD) and a per-reception V2X log, streamed to disk while a run
//! goes on.
//!
//! Systems never touch a file: they push rows into a crossbeam channel held by the
//! [`TraceSink`] resource, and a writer thread (see [`writer`]) formats and writes them. The
//! channel is unbounded, so a slow disk costs memory rather than simulation speed. Files are
//! written under temporary names and renamed only once the run has finished, so a reader sees
//! complete files or none: a run that panics or is abandoned leaves nothing behind.
//!
//! Files, in the trace directory:
//! - `fcd.csv`: `time,id,kind,x,y,z,speed,heading,lane`, every 0.1 s of simulated time, vehicles
//!   in spawn order. Position is the body centre in map coordinates (x east, y north, z up, m:
//!   what the 3D view and physics use);
//!   heading is a compass angle (degrees clockwise from north, as SUMO writes `angle`); lane is
//!   `<link id>_<lane index>` (0 = rightmost).
//! - `v2x.csv`: `time_sent,time_received,message_id,type,sender,receiver,technology,latency_us,
//!   delivered,loss_reason`, one row per reception attempt, in the order the V2X code reports them.
//! - `fcd.xml` (optional): SUMO's FCD export format, readable by SUMO's tools, with SUMO's
//!   reference point: `x`, `y` are the centre of the front bumper, `pos` its distance along the
//!   lane (SUMO documentation, "FCDOutput").
//! - `v2x.pcap` (optional): every sidelink transmission as an 802.11 frame around its
//!   GeoNetworking packet, for Wireshark (`crate::wire`), and with `rx` every decoded reception
//!   at its receiver; time-stamped with simulated time from 2025-01-01T00:00:00Z.
pub mod writer;

use std::path::PathBuf;

use bevy::prelude::*;
use crossbeam::channel::Sender;

use crate::clock::SimClock;
use crate::radio::outcome::{AirEvent, AirEvents, Frame, LossReason, StationNames};
use crate::road::RoadNetwork;
use crate::scenario::spec::{MsgType, Tech};
use crate::sim::RecordStage;
use crate::traffic::components::{Motion, Vehicle};
pub use crate::v2x::env::Capture;
use crate::v2x::env::RadioEnv;

pub use writer::{TraceWriter, start};

/// FCD sampling period, s of simulated time.
pub const FCD_PERIOD: f64 = 0.1;

/// Where and what to trace.
#[derive(Debug, Clone)]
pub struct TraceOptions {
    pub dir: PathBuf,
    /// Also write SUMO FCD XML.
    pub fcd_xml: bool,
    /// Also capture the sidelink frames (`v2x.pcap`).
    pub pcap: Option<Capture>,
}

/// One vehicle at one FCD sample.
#[derive(Debug, Clone, PartialEq)]
pub struct FcdRow {
    pub id: String,
    pub kind: &'static str,
    /// Map coordinates of the body centre, m (x east, y north, z up).
    pub x: f64,
    pub y: f64,
    pub z: f64,
    /// m/s.
    pub speed: f64,
    /// Degrees clockwise from north.
    pub heading: f64,
    /// `<link id>_<lane index>`.
    pub lane: String,
    /// Distance of the front bumper along the lane, m (SUMO's `pos`).
    pub pos: f64,
    /// Map coordinates of the centre of the front bumper, m (SUMO's FCD `x`, `y`).
    pub front: [f64; 2],
    /// On a network with heights: the road's height under the front bumper, m, and the body's
    /// slope from its rear to its front, degrees (SUMO's FCD `z` and `slope`).
    pub ground: Option<(f64, f64)>,
}

/// One V2X reception attempt: delivered after `latency_us`, or lost for `loss`.
#[derive(Debug, Clone, PartialEq)]
pub struct V2xRow {
    /// Simulated time the message was sent, µs.
    pub sent_us: u64,
    /// Simulated time it was received, µs (None when lost).
    pub received_us: Option<u64>,
    pub message_id: u64,
    pub msg: MsgType,
    pub sender: String,
    pub receiver: String,
    pub tech: Tech,
    /// None when lost.
    pub latency_us: Option<u64>,
    /// None when delivered.
    pub loss: Option<LossReason>,
}

/// What travels from the simulation to the writer thread.
#[derive(Debug)]
pub enum TraceMsg {
    /// All vehicles at one sample time (s), in spawn order.
    Fcd(f64, Vec<FcdRow>),
    V2x(V2xRow),
    Frame(Frame),
    /// The run completed: flush and rename the files into place.
    Finish,
    /// The run was abandoned: remove the temporary files.
    Abort,
}

/// The simulation's end of the trace channel. Optional: systems take `Option<Res<TraceSink>>`
/// and do nothing when a run is not traced.
#[derive(Resource, Clone)]
pub struct TraceSink {
    tx: Sender<TraceMsg>,
}

impl TraceSink {
    pub fn new(tx: Sender<TraceMsg>) -> Self {
        TraceSink { tx }
    }

    /// Log one V2X reception attempt. Never blocks; a writer that has failed drops the row
    /// (its error is reported at the end of the run).
    pub fn v2x_row(&self, row: V2xRow) {
        let _ = self.tx.send(TraceMsg::V2x(row));
    }

    fn frame(&self, f: Frame) {
        let _ = self.tx.send(TraceMsg::Frame(f));
    }

    fn fcd(&self, t: f64, rows: Vec<FcdRow>) {
        let _ = self.tx.send(TraceMsg::Fcd(t, rows));
    }
}

/// Add the sink and the FCD sampler to a built app (before its first update); with `capture`,
/// the radio publishes the frames to capture.
pub fn install(app: &mut App, sink: TraceSink, capture: Option<Capture>) {
    if let Some(c) = capture
        && let Some(mut env) = app.world_mut().get_resource_mut::<RadioEnv>()
    {
        env.capture = c;
    }
    app.insert_resource(sink)
        .init_resource::<StationNames>()
        .init_resource::<AirEvents>()
        .add_systems(FixedUpdate, sample_fcd.in_set(RecordStage::Traces))
        .add_systems(FixedUpdate, v2x_rows.in_set(RecordStage::V2xLog));
}

/// One row of the V2X trace per reception attempt of the step, in the order the radio
/// decided them.
fn v2x_rows(sink: Res<TraceSink>, events: Res<AirEvents>, names: Res<StationNames>) {
    for e in &events.0 {
        let r = match e {
            AirEvent::Reception(r) => r,
            AirEvent::Frame(f) => {
                sink.frame(f.clone());
                continue;
            }
            _ => continue,
        };
        sink.v2x_row(V2xRow {
            sent_us: r.sent_us,
            received_us: r.outcome.ok().map(|l| r.sent_us + l),
            message_id: r.msg_id,
            msg: r.msg,
            sender: names.name(r.from).to_string(),
            receiver: names.name(r.to).to_string(),
            tech: r.tech,
            latency_us: r.outcome.ok(),
            loss: r.outcome.err(),
        });
    }
}

/// Every [`FCD_PERIOD`] of simulated time, the state at the end of the step (t + dt) of every
/// vehicle on the road, in spawn order.
pub fn sample_fcd(
    clock: Res<SimClock>,
    net: Res<RoadNetwork>,
    sink: Option<Res<TraceSink>>,
    vehicles: Query<(&Vehicle, &Motion, &Transform)>,
) {
    let Some(sink) = sink else { return };
    let k = (FCD_PERIOD / clock.dt).round().max(1.0) as u64;
    let done = clock.step + 1;
    if !done.is_multiple_of(k) {
        return;
    }
    let mut rows: Vec<(u32, FcdRow)> = vehicles
        .iter()
        .map(|(v, m, tf)| (v.index, fcd_row(&net, v, m, tf)))
        .collect();
    rows.sort_by_key(|(i, _)| *i);
    sink.fcd(
        done as f64 * clock.dt,
        rows.into_iter().map(|(_, r)| r).collect(),
    );
}

/// The front bumper's distance along its lane's own path (SUMO's `pos`); while crossing a
/// junction box, along the turn path (negative: before the start of the link).
fn lane_pos(net: &RoadNetwork, m: &Motion) -> f64 {
    match net.links.get(m.link as usize) {
        Some(l) if m.s >= 0.0 => l.lane_arc(m.lane, m.s),
        _ => m.s,
    }
}

/// A body's heading as a compass angle (degrees clockwise from north). Bevy: x east, y up,
/// z = -north; bodies are yawed about y by the math angle from east.
pub fn compass_heading(tf: &Transform) -> f64 {
    let (yaw, _, _) = tf.rotation.to_euler(EulerRot::YXZ);
    (90.0 - f64::from(yaw).to_degrees()).rem_euclid(360.0)
}

pub(crate) fn fcd_row(net: &RoadNetwork, v: &Vehicle, m: &Motion, tf: &Transform) -> FcdRow {
    let link = net
        .links
        .get(m.link as usize)
        .map_or("?", |l| l.id.as_str());
    let (x, y) = (f64::from(tf.translation.x), -f64::from(tf.translation.z));
    FcdRow {
        id: v.id.clone(),
        kind: v.kind.name(),
        x,
        y,
        front: crate::traffic::act::front_point(net, m),
        z: f64::from(tf.translation.y),
        speed: m.v,
        heading: compass_heading(tf),
        lane: format!("{link}_{}", m.lane),
        pos: lane_pos(net, m),
        ground: net.elevated().then(|| {
            let (front, _) = crate::traffic::act::ends_ground(net, m, &v.body);
            let (_, _, pitch) = tf.rotation.to_euler(EulerRot::YXZ);
            (front, f64::from(pitch).to_degrees())
        }),
    }
}

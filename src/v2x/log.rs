//! Per-reception records, for the V2X trace (`run --trace`) and the view's message arcs. Kept
//! only when one of them is there: a plain run aggregates at send time and keeps nothing.
use std::collections::VecDeque;

use bevy::prelude::*;

use super::transmit::Receptions;
use crate::clock::{ms_from_us, s_from_us};
use crate::scenario::spec::{MsgType, Tech};
use crate::trace::{TraceSink, V2xRow};

/// One reception attempt as the view draws it (map coordinates, m).
#[derive(Debug, Clone, PartialEq)]
pub struct MsgEvent {
    pub t_sent: f64,
    pub t_recv: f64,
    pub msg: MsgType,
    pub tech: Tech,
    pub from: [f64; 2],
    pub to: [f64; 2],
    pub delivered: bool,
    pub latency_ms: f64,
    /// Station names of sender and receiver.
    pub sender: String,
    pub receiver: String,
}

/// The most recent reception attempts; present only when the view asked for it.
#[derive(Resource, Debug, Default)]
pub struct MessageLog {
    pub recent: VecDeque<MsgEvent>,
    /// Keep at most this many.
    pub capacity: usize,
}

/// Keep reception records when something reads them.
pub fn enable(
    sink: Option<Res<TraceSink>>,
    log: Option<Res<MessageLog>>,
    mut rec: ResMut<Receptions>,
) {
    rec.keep = sink.is_some() || log.is_some();
}

/// Hand the step's receptions to the trace writer and the view's log, in send order.
pub fn flush(
    sink: Option<Res<TraceSink>>,
    log: Option<ResMut<MessageLog>>,
    mut rec: ResMut<Receptions>,
) {
    if rec.list.is_empty() {
        return;
    }
    let list = std::mem::take(&mut rec.list);
    if let Some(sink) = sink {
        for r in &list {
            sink.v2x_row(V2xRow {
                sent_us: r.sent_us,
                received_us: r.outcome.ok().map(|l| r.sent_us + l),
                message_id: r.msg_id,
                msg: r.msg,
                sender: r.from.to_string(),
                receiver: r.to.to_string(),
                tech: r.tech,
                latency_us: r.outcome.ok(),
                loss: r.outcome.err(),
            });
        }
    }
    if let Some(mut log) = log {
        let cap = log.capacity.max(1);
        for r in &list {
            let lat = r.outcome.ok().unwrap_or(0);
            log.recent.push_back(MsgEvent {
                t_sent: s_from_us(r.sent_us),
                t_recv: s_from_us(r.sent_us + lat),
                msg: r.msg,
                tech: r.tech,
                from: r.from_pos,
                to: r.to_pos,
                delivered: r.outcome.is_ok(),
                latency_ms: ms_from_us(lat),
                sender: r.from.to_string(),
                receiver: r.to.to_string(),
            });
            while log.recent.len() > cap {
                log.recent.pop_front();
            }
        }
    }
}

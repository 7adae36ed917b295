//! The view's record of recent reception attempts, kept in the simulation world: one of the
//! readers of the step's air events (beside metrics and traces), added to the simulation app
//! by the view only.
use std::collections::VecDeque;

use bevy::prelude::*;

use crate::clock::{ms_from_us, s_from_us};
use crate::radio::outcome::{AirEvent, AirEvents, StationNames};
use crate::scenario::spec::{MsgType, Tech};
use crate::sim::RecordStage;

/// Reception attempts the simulation keeps for the view (about a second of heavy CAM traffic).
pub const LOG_CAPACITY: usize = 200_000;

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

/// The most recent reception attempts.
#[derive(Resource, Debug, Default)]
pub struct MessageLog {
    pub recent: VecDeque<MsgEvent>,
    /// Keep at most this many.
    pub capacity: usize,
}

/// Keep the last `capacity` reception attempts of the simulation `app`, with station names.
pub fn install(app: &mut App, capacity: usize) {
    app.insert_resource(MessageLog {
        recent: VecDeque::new(),
        capacity,
    })
    .init_resource::<StationNames>()
    .add_systems(FixedUpdate, record.in_set(RecordStage::V2xLog));
}

/// Append the step's reception attempts, in the order the radio decided them.
fn record(events: Res<AirEvents>, names: Res<StationNames>, mut log: ResMut<MessageLog>) {
    let cap = log.capacity.max(1);
    for e in &events.0 {
        let AirEvent::Reception(r) = e else { continue };
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
            sender: names.name(r.from).to_string(),
            receiver: names.name(r.to).to_string(),
        });
        while log.recent.len() > cap {
            log.recent.pop_front();
        }
    }
}

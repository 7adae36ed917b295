//! What became of one reception attempt, as the radio models decide it: delivered after a
//! latency, or lost for a reason. Metrics, traces and the view read these outcomes; the models
//! know nothing of them.
use std::sync::Arc;

use bevy::platform::collections::HashMap;
use bevy::prelude::Resource;

use crate::scenario::spec::{MsgType, Tech};

/// Why a reception failed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum LossReason {
    /// Beyond the distance at which delivery could still happen (a computational bound).
    OutOfRange,
    /// The signal was too weak against noise to be decoded.
    BelowThreshold,
    /// SNR sufficient, SINR not: another transmission overlapped on the same resource.
    Collision,
    /// The receiver was transmitting at the time.
    HalfDuplex,
    /// The sender, the receiver or the node between them was down.
    NodeDown,
    /// The sender or the receiver had no serving 5G cell.
    NoCoverage,
    /// Delivered after its lifetime.
    Expired,
    /// A burst-loss fault injected by the scenario.
    Injected,
    /// The link's configured residual loss rate (`uu.loss`: what HARQ and RLC leave), drawn
    /// apart from the radio.
    Residual,
}

impl LossReason {
    /// Every reason, in declaration order (the browser report numbers them so).
    pub const ALL: [LossReason; 9] = [
        LossReason::OutOfRange,
        LossReason::BelowThreshold,
        LossReason::Collision,
        LossReason::HalfDuplex,
        LossReason::NodeDown,
        LossReason::NoCoverage,
        LossReason::Expired,
        LossReason::Injected,
        LossReason::Residual,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LossReason::OutOfRange => "out_of_range",
            LossReason::BelowThreshold => "below_threshold",
            LossReason::Collision => "collision",
            LossReason::HalfDuplex => "half_duplex",
            LossReason::NodeDown => "node_down",
            LossReason::NoCoverage => "no_coverage",
            LossReason::Expired => "expired",
            LossReason::Injected => "burst_loss",
            LossReason::Residual => "residual_loss",
        }
    }
}

/// One reception attempt as the radio decided it: one sender, one receiver, one technology.
#[derive(Debug, Clone, PartialEq)]
pub struct Reception {
    pub msg_id: u64,
    pub msg: MsgType,
    pub tech: Tech,
    /// Station numbers of sender and receiver (`ids::StationId::wire`).
    pub from: u32,
    pub to: u32,
    pub from_pos: [f64; 2],
    pub to_pos: [f64; 2],
    /// The receiver acts on what it receives (an automated vehicle).
    pub to_acts: bool,
    pub sent_us: u64,
    /// Delivered after this latency, µs, or lost.
    pub outcome: Result<u64, LossReason>,
    /// Horizontal sender-receiver distance, m.
    pub distance: f64,
}

/// What happened on the air, in the order the radio decided it.
#[derive(Debug, Clone, PartialEq)]
pub enum AirEvent {
    /// A message went out on a technology; on sidelink, with the channel busy ratio the sender
    /// sensed when it went out.
    Sent {
        msg: MsgType,
        tech: Tech,
        cbr: Option<f64>,
    },
    /// A gNB's load over the measurement window that just closed.
    CellLoad { gnb: Arc<str>, load: f64 },
    /// A reception attempt was decided.
    Reception(Reception),
    /// A sidelink frame on the air, or decoded at a receiver: published only for a capture
    /// (`--pcap`).
    Frame(Frame),
}

/// One sidelink frame, as a capture shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    pub msg_id: u64,
    pub msg: MsgType,
    pub tech: Tech,
    /// When the transmission started (sent) or ended (received), µs of simulated time.
    pub at_us: u64,
    /// Sender's station number.
    pub from: u32,
    /// A reception: the receiver's station number and the signal it got, dBm.
    pub rx: Option<(u32, f32)>,
    /// The GeoNetworking packet.
    pub packet: Arc<[u8]>,
    /// 802.11 user priority of its access category.
    pub user_priority: u8,
    /// The channel: centre frequency (GHz), width (MHz), transmit power (dBm).
    pub freq_ghz: f64,
    pub bandwidth_mhz: f64,
    pub tx_dbm: f64,
    /// EtherType of the packet's stack (GeoNetworking or WSMP).
    pub ethertype: u16,
}

/// The step's stream of air events: written by the radio in the communicate stage, read in the
/// record stage by metrics, traces and the view, each with its own system.
#[derive(Resource, Debug, Default)]
pub struct AirEvents(pub Vec<AirEvent>);

/// Names of stations by station number, for readers that show them (traces, the view): kept
/// only when one of them inserts this resource. Entries stay after a vehicle leaves, since a
/// message it sent may be decided after it has gone.
#[derive(Resource, Debug, Default)]
pub struct StationNames(pub HashMap<u32, Arc<str>>);

impl StationNames {
    /// The name of station `id` (empty if unknown).
    pub fn name(&self, id: u32) -> &str {
        self.0.get(&id).map_or("", |n| n)
    }
}

//! The 5G (Uu) path: uplink to the serving gNB's edge server (or an RSU's backhaul to the
//! nearest one), the edge, then the downlink of every receiver in the message's area; or, for
//! a vehicle's report to the control centre, the uplink alone (`report`). Outcomes
//! are decided when the message is sent: its latency is known then. Each radio hop waits in
//! its cell's queue (M/M/1 in NR slots, `radio::cell`) at the cell's load.
use bevy::prelude::Entity;
use rand::Rng;

use super::air::{Air, deliver};
use super::env::{RadioEnv, Sent, Station, bit};
use super::faults::FaultState;
use super::nodes::Gnb;
use crate::clock::us_from_ms_floor;
use crate::ids::StationId;
use crate::radio::cell::{MAX_LOAD, NR_SLOT_US, mm1_wait_us};
use crate::radio::latency::sample_us;
use crate::radio::outcome::LossReason;
use crate::scenario::spec::{Tech, UuSpec};

/// Radius of the area a vehicle's CAM is relayed to over Uu (V2N2V awareness), m (assumed).
pub const UU_CAM_RADIUS: f64 = 300.0;

type Rng8 = rand_chacha::ChaCha8Rng;

/// The network a Uu message crosses this step.
pub struct UuNet<'a> {
    pub p: &'a UuSpec,
    pub backhaul_ms: f64,
    pub jitter_ms: f64,
    /// gNBs by index.
    pub gnbs: &'a [&'a Gnb],
    /// Each cell's load this step.
    pub loads: &'a [f64],
    /// Where the control centre is, whose server vehicles' reports go to (`v2x.control_centre`).
    pub centre: Option<[f64; 2]>,
}

impl UuNet<'_> {
    /// One backhaul crossing: fixed latency plus uniform jitter, µs.
    fn backhaul_us(&self, rng: &mut Rng8) -> u64 {
        us_from_ms_floor(self.backhaul_ms + self.jitter_ms * rng.random::<f64>())
    }

    /// Time at the edge: the MEC's processing, plus the transport to it and back (`uu.core`)
    /// when it is not at the gNB.
    fn edge_us(&self, g: &Gnb, rng: &mut Rng8) -> u64 {
        let core = if g.mec_at_gnb {
            0
        } else {
            sample_us(&self.p.core, rng)
        };
        sample_us(&g.mec, rng) + core
    }

    /// Queueing in cell `g`'s slots at its load, µs; the message's bytes count towards the
    /// cell's V2X load.
    fn cell_wait_us(&self, env: &mut RadioEnv, g: u32, bytes: usize, rng: &mut Rng8) -> u64 {
        let load = self.loads.get(g as usize).copied().unwrap_or(0.0);
        let wait = mm1_wait_us(load, NR_SLOT_US, rng);
        env.cells.add(g as usize, bytes);
        wait
    }
}

/// Block error rate of a Uu hop at a UE's SINR on its cell (`radio::nr::bler`).
fn block_error(p: &UuSpec, sinr_db: f64) -> f64 {
    crate::radio::nr::bler(sinr_db, p.bler_sinr_db, p.bler_width_db)
}

/// Load of a cell now: its background load (or a `CellLoad` event's) plus the V2X traffic
/// through it (`radio::cell`).
pub fn cell_load(g: &Gnb, env: &RadioEnv, faults: &FaultState) -> f64 {
    (faults.cell_load(&g.id, g.load) + env.cells.v2x_load(g.index as usize)).min(MAX_LOAD)
}

/// Send a message over Uu to every Uu receiver within `area_m` of the sender.
pub fn send(air: &mut Air, sent: &Sent, area_m: f64, net: &UuNet, faults: &FaultState) {
    let sender = sent.from;
    air.sent(sent.msg.msg_type(), Tech::Uu, None);
    let first = first_hop(air, sent, net);
    let near = air.near(sender.pos, area_m);
    for &key in &near {
        let r = air.env.stations[key as usize];
        if r.id == sender.id || r.radios & bit(Tech::Uu) == 0 || r.is_rsu {
            continue;
        }
        let (dx, dy) = (r.pos[0] - sender.pos[0], r.pos[1] - sender.pos[1]);
        let d = (dx * dx + dy * dy).sqrt();
        let outcome = match (first, r.serving) {
            (Err(e), _) => Err(e),
            (Ok(_), None) => Err(LossReason::NoCoverage),
            (Ok((up, g_from)), Some(g_to)) => {
                second_hop(air, sent, net, faults, (g_from, g_to, r.sinr_db)).map(|down| up + down)
            }
        };
        deliver(air, sent, Tech::Uu, &r, d, outcome);
    }
    air.done_with(near);
}

/// A vehicle's report to the control centre's server at the edge: the uplink (first hop) only,
/// received by the control centre as a station of its own; lost to an injected burst as a
/// second hop would be. Without a control centre nobody receives it.
pub fn report(air: &mut Air, sent: &Sent, net: &UuNet, faults: &FaultState) {
    air.sent(sent.msg.msg_type(), Tech::Uu, None);
    let (Some(centre), Some(id)) = (net.centre, StationId::ControlCentre.wire()) else {
        return;
    };
    let outcome = first_hop(air, sent, net).and_then(|(up, _)| {
        if air.rngs.network.random::<f64>() < faults.extra_loss(Tech::Uu) {
            Err(LossReason::Injected)
        } else {
            Ok(up + faults.extra_latency_us(Tech::Uu))
        }
    });
    let to = Station {
        entity: Entity::PLACEHOLDER,
        id,
        pos: centre,
        height: 0.0,
        radios: bit(Tech::Backhaul),
        acts: false,
        serving: None,
        sinr_db: f64::INFINITY,
        is_rsu: false,
        backhaul: true,
        station_type: crate::wire::STATION_TYPE_RSU,
    };
    let from = sent.from.pos;
    let d = (centre[0] - from[0]).hypot(centre[1] - from[1]);
    deliver(air, sent, Tech::Uu, &to, d, outcome);
}

/// First hop, µs, and the gNB it reaches: a UE's uplink through its serving cell to the edge,
/// or an RSU's backhaul to the nearest gNB that is up.
fn first_hop(air: &mut Air, sent: &Sent, net: &UuNet) -> Result<(u64, u32), LossReason> {
    let sender = sent.from;
    let rng = &mut air.rngs.network;
    if sender.is_rsu {
        let env = &*air.env;
        let nearest = net
            .gnbs
            .iter()
            .filter(|g| env.gnb_up.get(g.index as usize).copied().unwrap_or(false))
            .min_by(|a, b| {
                let da = (a.pos[0] - sender.pos[0]).hypot(a.pos[1] - sender.pos[1]);
                let db = (b.pos[0] - sender.pos[0]).hypot(b.pos[1] - sender.pos[1]);
                da.total_cmp(&db).then(a.index.cmp(&b.index))
            });
        return match (sender.backhaul, nearest) {
            (true, Some(g)) => Ok((net.backhaul_us(rng) + net.edge_us(g, rng), g.index)),
            _ => Err(LossReason::NodeDown),
        };
    }
    let Some(g) = sender
        .serving
        .and_then(|s| net.gnbs.iter().find(|g| g.index == s))
    else {
        return Err(LossReason::NoCoverage);
    };
    if rng.random::<f64>() < net.p.loss {
        return Err(LossReason::Residual);
    }
    if rng.random::<f64>() < block_error(net.p, sender.sinr_db) {
        return Err(LossReason::BelowThreshold);
    }
    let wait = net.cell_wait_us(air.env, g.index, sent.packet.len(), rng);
    Ok((
        sample_us(&net.p.uplink, rng) + wait + net.edge_us(g, rng),
        g.index,
    ))
}

/// Second hop to one receiver, µs: an injected burst loss or the radio loss, else the backhaul
/// between cells when they differ, the receiver's cell queue and its downlink, and any injected
/// latency spike.
fn second_hop(
    air: &mut Air,
    sent: &Sent,
    net: &UuNet,
    faults: &FaultState,
    (g_from, g_to, sinr_db): (u32, u32, f64),
) -> Result<u64, LossReason> {
    let rng = &mut air.rngs.network;
    let u: f64 = rng.random();
    let burst = faults.extra_loss(Tech::Uu);
    if u < burst {
        return Err(LossReason::Injected);
    }
    if u < burst + net.p.loss {
        return Err(LossReason::Residual);
    }
    if rng.random::<f64>() < block_error(net.p, sinr_db) {
        return Err(LossReason::BelowThreshold);
    }
    let inter = if g_from != g_to {
        net.backhaul_us(rng)
    } else {
        0
    };
    let wait = net.cell_wait_us(air.env, g_to, sent.packet.len(), rng);
    Ok(inter + sample_us(&net.p.downlink, rng) + wait + faults.extra_latency_us(Tech::Uu))
}

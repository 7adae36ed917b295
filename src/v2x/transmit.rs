//! Every message of the step over every technology it is sent on: who receives it, after how
//! long, or why not. Uu outcomes are decided when a message is sent (`uu`); sidelink ones when
//! no later transmission can overlap it (`sidelink`). The outcomes go out as the step's
//! [`AirEvents`], which metrics, traces and the view read with their own systems.
use std::sync::Arc;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_rapier3d::prelude::ReadRapierContext;

use super::air::Air;
use super::env::{RadioEnv, Sent, Station, Tx, bit};
use super::faults::FaultState;
use super::messages::{Bsm, Payload};
use super::nodes::Gnb;
use super::sidelink;
use super::uu::{self, UuNet, cell_load};
use crate::clock::{SimClock, us_from_s};
use crate::par::Threads;
use crate::radio::outcome::{AirEvent, AirEvents};
use crate::rng::Rngs;
use crate::scenario::spec::{LinkModels, Tech};
use crate::sim::SpecRes;
use crate::wire::{self, security::Signer};

/// What the radio step reads and writes.
#[derive(SystemParam)]
pub struct RadioStep<'w, 's> {
    clock: Res<'w, SimClock>,
    spec: Res<'w, SpecRes>,
    env: ResMut<'w, RadioEnv>,
    rngs: ResMut<'w, Rngs>,
    faults: Res<'w, FaultState>,
    events: ResMut<'w, AirEvents>,
    rapier: ReadRapierContext<'w, 's>,
    gnbs: Query<'w, 's, &'static Gnb>,
    threads: Option<Res<'w, Threads>>,
}

/// Send the step's outbox and decide every sidelink transmission that nothing later can
/// overlap; the step's air events start afresh.
pub fn transmit(step: RadioStep) {
    let RadioStep {
        clock,
        spec,
        mut env,
        mut rngs,
        faults,
        mut events,
        rapier,
        gnbs,
        threads,
    } = step;
    let now_us = clock.t_us();
    events.0.clear();
    env.cbr_wave.roll(now_us);
    env.cbr_pc5.roll(now_us);
    let mut gnb_list: Vec<&Gnb> = gnbs.iter().collect();
    gnb_list.sort_by_key(|g| g.index);
    let loads = cell_loads(&mut env, &gnb_list, &faults, now_us, &mut events);
    let links = &spec.0.v2x.links;
    let net = UuNet {
        p: &links.uu,
        backhaul_ms: links.backhaul.latency_ms,
        jitter_ms: links.backhaul.jitter_ms,
        gnbs: &gnb_list,
        loads: &loads,
        centre: spec.0.v2x.control_centre.map(|(x, y)| [x, y]),
    };
    let ctx = rapier.single().ok();
    let mut buf = Vec::new();
    let mut outbox = std::mem::take(&mut env.outbox);
    outbox.sort_by_key(|tx| env.stations[tx.from].id);
    let mut air = Air {
        env: &mut env,
        rngs: &mut rngs,
        ctx: ctx.as_ref(),
        events: &mut events,
        buf: &mut buf,
        threads: Threads::of(threads),
    };
    for tx in &outbox {
        send(&mut air, tx, now_us, links, &net, &faults);
    }
    // Nothing sent from the next step on starts before it.
    let horizon = now_us + us_from_s(clock.dt);
    for (tech, p) in [(Tech::Wave, &links.wave), (Tech::Pc5, &links.pc5)] {
        sidelink::resolve(&mut air, tech, p, now_us, horizon);
    }
    outbox.clear();
    env.outbox = outbox;
}

/// Each cell's load for this step (it holds for the whole step: it is measured over the last
/// full window); when a window has just closed, every cell's load is published.
fn cell_loads(
    env: &mut RadioEnv,
    gnbs: &[&Gnb],
    faults: &FaultState,
    now_us: u64,
    events: &mut AirEvents,
) -> Vec<f64> {
    let window_closed = env
        .cells
        .roll(now_us, |c| gnbs.get(c).map_or(0.0, |g| g.capacity_mbps));
    let loads: Vec<f64> = gnbs.iter().map(|g| cell_load(g, env, faults)).collect();
    if window_closed {
        for (g, &load) in gnbs.iter().zip(&loads) {
            events.0.push(AirEvent::CellLoad {
                gnb: g.id.as_str().into(),
                load,
            });
        }
    }
    loads
}

/// A message as the packet its sender puts on the air (GeoNetworking or WSMP), signed with its
/// certificate or a digest (`wire::signer`).
fn packet(
    env: &mut RadioEnv,
    (msg, stack): (&Payload, wire::Stack),
    from: &Station,
    now_us: u64,
    msg_id: u64,
) -> Arc<[u8]> {
    let last = env.certificate_sent.get(&from.id).copied();
    let signer = wire::signer(msg, last, now_us);
    if signer == Signer::Certificate {
        env.certificate_sent.insert(from.id, now_us);
    }
    let sender = wire::Sender {
        station: from.id,
        station_type: from.station_type,
        pos: sender_pos(msg, from),
        speed: msg.sender_speed(),
        heading_rad: msg.sender_heading(),
    };
    let sending = wire::Sending {
        stack,
        now_us,
        origin: env.origin,
        signer,
        sequence: msg_id as u16,
        lifetime_s: crate::clock::s_from_us(env.lifetime_us),
        encode: env.capture.tx || env.capture.rx,
    };
    Arc::from(wire::packet(msg, &sender, &sending))
}

/// Where the sender says it is: a CAM's own reference position, else the station's antenna.
fn sender_pos(msg: &Payload, from: &Station) -> [f64; 2] {
    match msg {
        Payload::Cam(c) | Payload::Bsm(Bsm { core: c, .. }) => [c.pos.0, c.pos.1],
        _ => from.pos,
    }
}

/// Send one message on each technology it goes out on that its sender has.
fn send(air: &mut Air, tx: &Tx, now_us: u64, links: &LinkModels, net: &UuNet, faults: &FaultState) {
    let msg_id = air.env.next_msg_id;
    air.env.next_msg_id += 1;
    let from = air.env.stations[tx.from];
    let stack = air.env.stack;
    let sent = Sent {
        msg_id,
        msg: tx.msg.clone(),
        packet: packet(air.env, (&tx.msg, stack), &from, now_us, msg_id),
        sent_us: now_us,
        from,
        stack,
        tx_cap_dbm: tx.tx_cap_dbm,
    };
    for &tech in &tx.via {
        if from.radios & bit(tech) == 0 && !(tech == Tech::Uu && from.is_rsu) {
            continue;
        }
        match tech {
            Tech::Wave => {
                sidelink::schedule(air, sent.clone(), tech, &links.wave, tx.area_m, faults)
            }
            Tech::Pc5 => sidelink::schedule(air, sent.clone(), tech, &links.pc5, tx.area_m, faults),
            Tech::Uu if matches!(*tx.msg, Payload::Pvd(_)) => uu::report(air, &sent, net, faults),
            Tech::Uu => uu::send(air, &sent, tx.area_m, net, faults),
            Tech::Backhaul => {}
        }
    }
}

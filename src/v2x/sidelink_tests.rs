//! The shared medium end to end: two senders and a receiver between them, many trials, and
//! the share of losses against the probability the access rules give in closed form.
use std::sync::Arc;

use bevy::prelude::Entity;

use super::*;
use crate::radio::grid::SpatialGrid;
use crate::radio::medium::PowerTable;
use crate::radio::outcome::{AirEvent, AirEvents, Reception};
use crate::rng::Rngs;
use crate::scenario::spec::Latency;
use crate::v2x::air::Air;
use crate::v2x::env::Station;
use crate::v2x::faults::FaultState;
use crate::v2x::messages::{Cam, Payload};
use crate::wire::frame::{FCS_LEN, LLC_LEN, MAC_HEADER_LEN};

/// Length of every packet sent, bytes (a signed CAM with its certificate is about this).
const PACKET_BYTES: usize = 300;
const A: [f64; 2] = [0.0, 0.0];
const B: [f64; 2] = [100.0, 0.0];
const C: [f64; 2] = [200.0, 0.0];

/// Stations A (id 0), B (1), C (2) on a line; `hidden`: a building between A and C.
fn env(hidden: bool) -> RadioEnv {
    let mut env = RadioEnv::default();
    for (id, pos) in [A, B, C].into_iter().enumerate() {
        env.stations.push(Station {
            entity: Entity::PLACEHOLDER,
            id: id as u32,
            pos,
            height: 1.5,
            radios: bit(Tech::Wave) | bit(Tech::Pc5),
            acts: false,
            serving: None,
            sinr_db: f64::INFINITY,
            is_rsu: false,
            backhaul: false,
            station_type: crate::wire::STATION_TYPE_CAR,
        });
    }
    env.grid = Some(SpatialGrid::build(
        100.0,
        env.stations
            .iter()
            .enumerate()
            .map(|(i, s)| (i as u32, (s.pos[0], s.pos[1]))),
    ));
    env.lifetime_us = 1_000_000;
    env.power_wave = PowerTable::new(29.0, 5.91, 3000.0);
    env.power_pc5 = PowerTable::new(29.0, 5.865, 3000.0);
    if hidden {
        // Line of sight comes from the cache first: A–C blocked, every other pair clear.
        env.has_buildings = true;
        env.los_cache.insert(A, C, false);
    }
    env
}

fn cam(id: u32) -> Arc<Payload> {
    Arc::new(Payload::Cam(Cam {
        station_id: id,
        gen_time_s: 0.0,
        pos: (0.0, 0.0),
        speed: 0.0,
        heading_rad: 0.0,
        accel: 0.0,
        length_m: 4.5,
        width_m: 1.8,
        low_frequency: false,
    }))
}

/// A and C send a CAM in the same step, every 50 ms (so trials never overlap), `n` times;
/// returns every reception.
fn trials(hidden: bool, tech: Tech, p: &SidelinkSpec, n: u64) -> Vec<Reception> {
    let mut env = env(hidden);
    let mut rngs = Rngs::new(7);
    let mut events = AirEvents::default();
    let mut buf = Vec::new();
    let faults = FaultState::default();
    let mut air = Air {
        env: &mut env,
        rngs: &mut rngs,
        ctx: None,
        events: &mut events,
        buf: &mut buf,
        threads: crate::par::Threads::default(),
    };
    for step in 0..n * 5 + 5 {
        let now = step * 10_000;
        if step % 5 == 0 && step < n * 5 {
            for from in [0usize, 2] {
                let sent = Sent {
                    msg_id: step * 2 + from as u64,
                    msg: cam(from as u32),
                    packet: Arc::from(vec![0; PACKET_BYTES]),
                    sent_us: now,
                    from: air.env.stations[from],
                    stack: crate::wire::Stack::GeoNetworking,
                    tx_cap_dbm: None,
                };
                schedule(&mut air, sent, tech, p, 0.0, &faults);
            }
        }
        resolve(&mut air, tech, p, now, now + 10_000);
    }
    events
        .0
        .into_iter()
        .filter_map(|e| match e {
            AirEvent::Reception(r) => Some(r),
            _ => None,
        })
        .collect()
}

/// Station numbers of A, B and C.
fn station(name: &str) -> u32 {
    ["A", "B", "C"].iter().position(|n| *n == name).unwrap() as u32
}

fn share(list: &[Reception], from: &str, to: &str, lost: LossReason) -> f64 {
    let at: Vec<_> = list
        .iter()
        .filter(|r| r.from == station(from) && r.to == station(to))
        .collect();
    at.iter().filter(|r| r.outcome == Err(lost)).count() as f64 / at.len() as f64
}

/// Within four standard errors of a binomial proportion over `n` trials.
fn near(got: f64, p: f64, n: u64) -> bool {
    (got - p).abs() <= 4.0 * (p * (1.0 - p) / n as f64).sqrt() + 1e-9
}

#[test]
fn hidden_802_11p_stations_collide_as_often_as_their_frames_overlap() {
    let p = SidelinkSpec::wave();
    let n = 3000;
    // Ready times uniform over w = 1.4 ms (access 0.1-1.5 ms); frames of τ µs overlap with
    // probability 1 − (1 − τ/w)², and B, 100 m from both, cannot decode either (SINR ≈ 0 dB).
    let frame = MAC_HEADER_LEN + LLC_LEN + PACKET_BYTES + FCS_LEN;
    let tau = airtime_us(Tech::Wave, frame) as f64;
    let w = 1400.0;
    let overlap = 1.0 - (1.0 - tau / w).powi(2);
    let hidden = trials(true, Tech::Wave, &p, n);
    let got = share(&hidden, "A", "B", LossReason::Collision);
    assert!(near(got, overlap, n), "hidden: {got} vs {overlap}");
    // In sight of each other, carrier sensing defers one of them: only back-offs that end in
    // the same 13 µs slot collide.
    let same_slot = 1.0 - (1.0 - 13.0 / w).powi(2);
    let sensed = trials(false, Tech::Wave, &p, n);
    let got = share(&sensed, "A", "B", LossReason::Collision);
    assert!(near(got, same_slot, n), "in sight: {got} vs {same_slot}");
    // A collision is not a loss of signal: C's frames at B are lost to the same overlaps.
    assert!(near(
        share(&hidden, "C", "B", LossReason::Collision),
        overlap,
        n
    ));
    // Nothing else is lost at 100 m in line of sight.
    for list in [&hidden, &sensed] {
        assert_eq!(share(list, "A", "B", LossReason::BelowThreshold), 0.0);
    }
}

#[test]
fn pc5_stations_in_one_subframe_cannot_hear_each_other_but_do_not_collide() {
    let p = SidelinkSpec {
        access: Latency::Uniform {
            min_ms: 1.0,
            max_ms: 20.0,
        },
        ..SidelinkSpec::pc5()
    };
    let n = 3000;
    // Ready times uniform over 1-20 ms start at the next of 19 subframe boundaries (a ready
    // time exactly on 1 ms aside): both in one subframe with probability 1/19, and then each
    // is transmitting while the other sends (half duplex).
    let list = trials(false, Tech::Pc5, &p, n);
    let half = 1.0 / 19.0;
    let got = share(&list, "A", "C", LossReason::HalfDuplex);
    assert!(near(got, half, n), "half duplex: {got} vs {half}");
    assert!(near(
        share(&list, "C", "A", LossReason::HalfDuplex),
        half,
        n
    ));
    // Sensing made them pick different sub-channels: B, listening, got both.
    assert_eq!(share(&list, "A", "B", LossReason::Collision), 0.0);
    assert_eq!(share(&list, "C", "B", LossReason::Collision), 0.0);
    // Latency is to the end of the subframe: 1-21 ms.
    for r in &list {
        if let Ok(lat) = r.outcome {
            assert!((1_000..=21_000).contains(&lat), "{lat}");
            assert_eq!((r.sent_us + lat) % SUBFRAME_US, 0);
        }
    }
}

//! Recording a replay while a run goes on: tracks every [`TRACK_PERIOD_S`], arcs sampled per
//! window from the step's reception attempts.
use std::cmp::Ordering;
use std::collections::{BTreeMap, BinaryHeap};

use bevy::prelude::*;

use super::{ARC_WINDOW_S, ARCS_PER_WINDOW, Arc, Replay, Sample, TRACK_PERIOD_S, Track, dm};
use crate::clock::SimClock;
use crate::metrics::report::Report;
use crate::radio::outcome::{AirEvent, AirEvents, LossReason, Reception};
use crate::road::RoadNetwork;
use crate::scenario::spec::MsgType;
use crate::sim::{RecordStage, SpecRes};
use crate::trace::compass_heading;
use crate::traffic::components::{Motion, Pedestrian, Surroundings, Vehicle};

/// A pedestrian's body for drawing, m.
const PEDESTRIAN_SIZE_M: f64 = 0.6;

/// The replay being recorded.
#[derive(Resource, Debug, Default)]
pub struct ReplayLog {
    tracks: Vec<Track>,
    /// (0 vehicle or 1 pedestrian, spawn index) -> index into `tracks`.
    slots: BTreeMap<(u8, u32), usize>,
    /// The arc window being filled, and its best candidates so far.
    window: u64,
    candidates: BinaryHeap<Candidate>,
    arcs: Vec<Arc>,
    receptions: u64,
}

/// An arc waiting for the end of its window, ranked by `key` (smaller is kept).
#[derive(Debug)]
struct Candidate {
    /// (periodic message, hash of message and receiver, order of arrival).
    key: (bool, u64, u64),
    arc: Arc,
}

impl PartialEq for Candidate {
    fn eq(&self, o: &Self) -> bool {
        self.key == o.key
    }
}
impl Eq for Candidate {}
impl PartialOrd for Candidate {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Candidate {
    fn cmp(&self, o: &Self) -> Ordering {
        self.key.cmp(&o.key)
    }
}

/// Record a replay of the run `app` is about to make.
pub fn install(app: &mut App) {
    app.init_resource::<ReplayLog>()
        .init_resource::<AirEvents>()
        .add_systems(FixedUpdate, sample_tracks.in_set(RecordStage::Traces))
        .add_systems(FixedUpdate, sample_arcs.in_set(RecordStage::V2xLog));
}

/// The finished replay of the run `report` describes (none if the run did not record one).
pub fn take(world: &mut World, report: &Report) -> Option<Replay> {
    let mut log = world.remove_resource::<ReplayLog>()?;
    log.flush();
    let spec = world.resource::<SpecRes>().0.clone();
    let scene = super::scene::Scene::build(&spec, world.resource::<RoadNetwork>());
    Some(Replay {
        scenario: standalone(&spec),
        scene,
        period_s: TRACK_PERIOD_S,
        tracks: log.tracks,
        arcs: log.arcs,
        receptions: log.receptions,
        marks: super::marks::marks(&spec, report.sim_time_s, report),
    })
}

/// The scenario as RON that loads by itself: its includes and SUMO files are already merged
/// into it.
pub fn standalone(spec: &crate::scenario::spec::Spec) -> String {
    let mut spec = spec.clone();
    spec.include.clear();
    spec.sumo = Default::default();
    ron::to_string(&spec).unwrap_or_default()
}

/// Whether a message type is sent periodically (beacons, signal state, probe data) rather
/// than for an event; event messages are kept first.
fn periodic(m: MsgType) -> bool {
    !matches!(
        m,
        MsgType::Denm | MsgType::Rsa | MsgType::Tim | MsgType::Ica
    )
}

/// SplitMix64's finaliser (Steele, Lea and Flood 2014): an even spread of arrival keys.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl ReplayLog {
    /// A reception attempt decided in window `window`.
    fn offer(&mut self, window: u64, r: &Reception) {
        if window != self.window {
            self.flush();
            self.window = window;
        }
        self.receptions += 1;
        let key = (
            periodic(r.msg),
            mix(r.msg_id ^ (u64::from(r.to) << 40)),
            self.receptions,
        );
        // A full window keeps only what ranks before its worst: most receptions stop here.
        if self.candidates.len() == ARCS_PER_WINDOW
            && self.candidates.peek().is_some_and(|worst| key >= worst.key)
        {
            return;
        }
        self.candidates.push(Candidate {
            key,
            arc: Arc {
                sent_us: r.sent_us,
                msg: r.msg,
                tech: r.tech,
                from_dm: r.from_pos.map(dm),
                to_dm: r.to_pos.map(dm),
                outcome: r.outcome,
            },
        });
        if self.candidates.len() > ARCS_PER_WINDOW {
            self.candidates.pop();
        }
    }

    /// Keep the window's chosen arcs, in the order they arrived.
    fn flush(&mut self) {
        let mut kept = std::mem::take(&mut self.candidates).into_vec();
        kept.sort_by_key(|c| c.key.2);
        self.arcs.extend(kept.into_iter().map(|c| c.arc));
    }

    /// Add one sample to a road user's track, opening it on first sight.
    fn sample(&mut self, who: (u8, u32), n: u32, s: Sample, new: impl FnOnce() -> Track) {
        let tracks = &mut self.tracks;
        let i = *self.slots.entry(who).or_insert_with(|| {
            let mut t = new();
            t.first = n;
            tracks.push(t);
            tracks.len() - 1
        });
        tracks[i].samples.push(s);
    }
}

/// The step's reception attempts, out-of-range ones aside (every station in a message's area
/// that the signal cannot reach), offered to the window.
fn sample_arcs(clock: Res<SimClock>, events: Res<AirEvents>, mut log: ResMut<ReplayLog>) {
    let window = (clock.t() / ARC_WINDOW_S) as u64;
    for e in &events.0 {
        if let AirEvent::Reception(r) = e
            && r.outcome != Err(LossReason::OutOfRange)
        {
            log.offer(window, r);
        }
    }
}

/// Every [`TRACK_PERIOD_S`], where every vehicle and pedestrian is (at the end of the step,
/// as the FCD trace samples), vehicles then pedestrians in spawn order.
fn sample_tracks(
    clock: Res<SimClock>,
    mut log: ResMut<ReplayLog>,
    vehicles: Query<(&Vehicle, &Motion, &Transform, Option<&Surroundings>)>,
    pedestrians: Query<(&Pedestrian, &Transform)>,
) {
    let k = (TRACK_PERIOD_S / clock.dt).round().max(1.0) as u64;
    let done = clock.step + 1;
    if !done.is_multiple_of(k) {
        return;
    }
    let n = (done / k) as u32;
    let mut vs: Vec<_> = vehicles.iter().collect();
    vs.sort_by_key(|(v, ..)| v.index);
    for (v, m, tf, around) in vs {
        let gap = around.and_then(|a| a.gap).map(|g| dm(g).max(0) as u32);
        let track = || Track {
            id: v.id.clone(),
            kind: v.kind.name().to_string(),
            automated: v.automated,
            length: v.body.length,
            width: v.body.width,
            first: 0,
            samples: Vec::new(),
        };
        let lift = v.body.height / 2.0;
        log.sample((0, v.index), n, sample(tf, lift, m.v, gap), track);
    }
    let mut ps: Vec<_> = pedestrians.iter().collect();
    ps.sort_by_key(|(p, _)| p.index);
    for (p, tf) in ps {
        let track = || Track {
            id: p.id.clone(),
            kind: "pedestrian".to_string(),
            automated: false,
            length: PEDESTRIAN_SIZE_M,
            width: PEDESTRIAN_SIZE_M,
            first: 0,
            samples: Vec::new(),
        };
        let lift = crate::traffic::pedestrians::BODY_CENTRE_M;
        log.sample((1, p.index), n, sample(tf, lift, p.speed, None), track);
    }
}

/// A sample from a body's transform (Bevy: x east, y up, z = -north), its centre `lift` m above
/// the ground.
fn sample(tf: &Transform, lift: f64, speed: f64, gap_dm: Option<u32>) -> Sample {
    Sample {
        x_dm: dm(f64::from(tf.translation.x)),
        y_dm: dm(-f64::from(tf.translation.z)),
        z_dm: dm(f64::from(tf.translation.y) - lift),
        heading_deg: (compass_heading(tf).round() as u16) % 360,
        speed_dms: (speed.max(0.0) * 10.0).round().min(f64::from(u16::MAX)) as u16,
        gap_dm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::spec::Tech;

    #[test]
    fn every_library_scenario_stands_alone_as_the_same_scenario() {
        for name in crate::scenario::embedded::names().filter(|n| !n.contains('/')) {
            let loaded = crate::scenario::embedded::load_embedded(name)
                .unwrap_or_else(|d| panic!("{}", d.render_fancy()));
            let text = standalone(&loaded.spec);
            let again = crate::scenario::load::load_str(name, &text)
                .unwrap_or_else(|d| panic!("{name}: {}", d.render_fancy()));
            let mut want = loaded.spec.clone();
            want.include.clear();
            want.sumo = Default::default();
            assert_eq!(again.spec, want, "{name}");
        }
    }

    fn reception(msg: MsgType, msg_id: u64, to: u32) -> Reception {
        Reception {
            msg_id,
            msg,
            tech: Tech::Wave,
            from: 1,
            to,
            from_pos: [0.0, 0.0],
            to_pos: [10.0, 0.0],
            to_acts: true,
            sent_us: 0,
            outcome: Ok(1000),
            distance: 10.0,
        }
    }

    #[test]
    fn a_window_keeps_every_event_message_before_any_beacon_and_at_most_its_quota() {
        let mut log = ReplayLog::default();
        for i in 0..500 {
            log.offer(0, &reception(MsgType::Cam, i, 2));
        }
        log.offer(0, &reception(MsgType::Denm, 9999, 3));
        for i in 0..10 {
            log.offer(1, &reception(MsgType::Cam, 1000 + i, 2));
        }
        log.flush();
        assert_eq!(log.receptions, 511);
        assert_eq!(log.arcs.len(), ARCS_PER_WINDOW + 10);
        let first: Vec<_> = log.arcs[..ARCS_PER_WINDOW].iter().map(|a| a.msg).collect();
        assert_eq!(first.iter().filter(|m| **m == MsgType::Denm).count(), 1);
        // Kept in arrival order: the DENM came after every CAM of its window.
        assert_eq!(first[ARCS_PER_WINDOW - 1], MsgType::Denm);
    }
}

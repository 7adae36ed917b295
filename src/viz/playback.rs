//! `view --replay OUTDIR`: a recorded run played back from its browser report, without
//! simulating anything. The district is built from the scenario as it was run into a
//! simulation world that is never stepped (`SimHost`); playback moves that world's clock, so
//! everything that reads the clock, the road network or the message log (signal colours, the
//! timeline, arcs, the camera's framing) works as in a live view. Road users are placed from
//! their recorded tracks, arcs come from the recorded sample, and the figures from the
//! recorded report (`dashboard::stats::replayed`). Backwards is as cheap as forwards.
use bevy::prelude::*;

use super::log::{LOG_CAPACITY, MessageLog, MsgEvent};
use super::sim::{SPEEDS, SimHost, TimeCtl, ViewPedestrian, ViewVehicle, steps_for};
use crate::clock::{SimClock, ms_from_us, s_from_us};
use crate::html::read::Recording;
use crate::metrics::report::Report;
use crate::replay::{Pose, Replay, Track};
use crate::scenario::spec::{Action, Body, Class, Kind, Spec};
use crate::traffic::components::{Motion, Vehicle};

/// Speed of "as fast as it can" in a replay, × real time (nothing to compute: a 600 s run in
/// under 3 s).
const MAX_SPEED: f64 = 256.0;
/// Height of a pedestrian's body centre above the ground, m (as `traffic::pedestrians` places it).
const PEDESTRIAN_Y: f32 = crate::traffic::pedestrians::BODY_CENTRE_M as f32;

/// The recording being played.
#[derive(Resource)]
pub struct Playback {
    pub replay: Replay,
    pub report: Report,
    /// The recorded arcs as the view draws them, by the time they arrived.
    events: Vec<MsgEvent>,
    /// The first of `events` not yet fed to the message log.
    next: usize,
    /// The view entity drawing each track, while it is on the map.
    bodies: Vec<Option<Entity>>,
    /// When each track's vehicle broke down, if it did (the scenario's `Stall` events).
    stalls: Vec<Option<f64>>,
}

impl Playback {
    /// Play `rec`, a run of `spec`.
    pub fn new(rec: Recording, spec: &Spec) -> Self {
        let mut events: Vec<MsgEvent> = rec.replay.arcs.iter().map(event).collect();
        events.sort_by(|a, b| a.t_recv.total_cmp(&b.t_recv));
        let stall_at = |id: &str| {
            spec.events.iter().find_map(|e| match &e.action {
                Action::Stall { vehicle } if vehicle == id => Some(e.at),
                _ => None,
            })
        };
        Playback {
            stalls: rec.replay.tracks.iter().map(|t| stall_at(&t.id)).collect(),
            bodies: vec![None; rec.replay.tracks.len()],
            replay: rec.replay,
            report: rec.report,
            events,
            next: 0,
        }
    }
}

/// A recorded arc as the message log holds it (the stations are found by position).
fn event(a: &crate::replay::Arc) -> MsgEvent {
    let lat = a.outcome.ok().unwrap_or(0);
    let m = |p: [i32; 2]| [f64::from(p[0]) / 10.0, f64::from(p[1]) / 10.0];
    MsgEvent {
        t_sent: s_from_us(a.sent_us),
        t_recv: s_from_us(a.sent_us + lat),
        msg: a.msg,
        tech: a.tech,
        from: m(a.from_dm),
        to: m(a.to_dm),
        delivered: a.outcome.is_ok(),
        latency_ms: ms_from_us(lat),
        sender: String::new(),
        receiver: String::new(),
    }
}

/// The step time control asks for this frame: a jump, a restart, or playing on.
fn target(ctl: &mut TimeCtl, clock: SimClock, wall_dt: f64) -> u64 {
    if let Some(t) = ctl.seek.take() {
        ctl.restart = false;
        ctl.paused = true;
        return t;
    }
    if std::mem::take(&mut ctl.restart) {
        return 0;
    }
    if let Some(t) = ctl.run_to {
        return t;
    }
    if std::mem::take(&mut ctl.step_once) {
        return clock.step + 1;
    }
    if ctl.paused {
        return clock.step;
    }
    let speed = SPEEDS.get(ctl.speed).copied().unwrap_or(MAX_SPEED);
    let n = steps_for(&mut ctl.acc, wall_dt, speed, clock.dt);
    clock.step + n
}

/// Move the recording's clock as time control asks, and feed the arcs that arrived meanwhile.
pub fn advance(
    mut host: NonSendMut<SimHost>,
    mut ctl: ResMut<TimeCtl>,
    mut pb: ResMut<Playback>,
    real: Res<Time<Real>>,
) {
    let clock = host.clock();
    let wall_dt = real.delta_secs_f64();
    let step = target(&mut ctl, clock, wall_dt).min(clock.total);
    host.world_mut().resource_mut::<SimClock>().step = step;
    ctl.measure(step.saturating_sub(clock.step), clock.dt, wall_dt);
    let t = host.clock().t();
    let mut log = host.world_mut().resource_mut::<MessageLog>();
    if step < clock.step {
        log.recent.clear();
        pb.next = pb.events.partition_point(|e| e.t_recv <= t);
        return;
    }
    let from = pb.next;
    let upto = from + pb.events[from..].partition_point(|e| e.t_recv <= t);
    log.recent.extend(pb.events[from..upto].iter().cloned());
    let extra = log.recent.len().saturating_sub(LOG_CAPACITY);
    log.recent.drain(..extra);
    pb.next = upto;
}

/// A vehicle's or pedestrian's body where its track has it, its centre `lift` m above the
/// ground (level: the recording has the ground's height, not the body's pitch).
fn transform(pose: &Pose, lift: f32) -> Transform {
    let yaw = (90.0 - pose.heading_deg).to_radians() as f32;
    let y = pose.z as f32 + lift;
    Transform::from_xyz(pose.x as f32, y, -pose.y as f32).with_rotation(Quat::from_rotation_y(yaw))
}

/// How high a track's body centre is above the ground, m.
fn lift(track: &Track) -> f32 {
    let kind = Kind::ALL.into_iter().find(|k| k.name() == track.kind);
    kind.map_or(PEDESTRIAN_Y, |k| (k.body().height / 2.0) as f32)
}

/// What a track's road user is in the view: a vehicle with its body, or a pedestrian.
fn body_of(track: &Track, index: usize) -> Option<Vehicle> {
    let kind = Kind::ALL.into_iter().find(|k| k.name() == track.kind)?;
    Some(Vehicle {
        index: index as u32,
        id: track.id.clone(),
        kind,
        class: Class::of_kind(kind),
        automated: track.automated,
        flow: None,
        body: Body {
            length: track.length,
            width: track.width,
            height: kind.body().height,
        },
    })
}

/// Motion as the view uses it (speed and acceleration; the recording has no lane position).
fn motion(pose: &Pose) -> Motion {
    Motion {
        link: u32::MAX,
        prev: None,
        lane: 0,
        s: 0.0,
        v: pose.speed,
        acc: pose.acc,
        shift: None,
    }
}

/// Place every road user on the map at the clock's time; add and remove them as their tracks
/// begin and end.
pub fn mirror(
    host: NonSend<SimHost>,
    mut pb: ResMut<Playback>,
    mut commands: Commands,
    mut bodies: Query<(&mut Transform, Option<(&mut Motion, &mut ViewVehicle)>)>,
) {
    let t = host.clock().t();
    let Playback {
        replay,
        bodies: slots,
        stalls,
        ..
    } = &mut *pb;
    for (i, (track, slot)) in replay.tracks.iter().zip(slots.iter_mut()).enumerate() {
        let pose = track.pose_at(t, replay.period_s);
        match (pose, *slot) {
            (None, Some(e)) => {
                commands.entity(e).despawn();
                *slot = None;
            }
            (Some(p), Some(e)) => {
                if let Ok((mut tf, m)) = bodies.get_mut(e) {
                    *tf = transform(&p, lift(track));
                    if let Some((mut m, mut vv)) = m {
                        *m = motion(&p);
                        let stalled = stalls[i].is_some_and(|at| at <= t);
                        if vv.stalled != stalled {
                            vv.stalled = stalled;
                        }
                    }
                }
            }
            (Some(p), None) => *slot = Some(spawn(&mut commands, track, i, &p)),
            (None, None) => {}
        }
    }
}

fn spawn(commands: &mut Commands, track: &Track, i: usize, p: &Pose) -> Entity {
    let Some(v) = body_of(track, i) else {
        let ped = ViewPedestrian {
            sim: Entity::PLACEHOLDER,
        };
        return commands
            .spawn((
                ped,
                Name::new(track.id.clone()),
                transform(p, lift(track)),
                Visibility::default(),
            ))
            .id();
    };
    let view = ViewVehicle {
        sim: Entity::PLACEHOLDER,
        stalled: false,
    };
    let tf = transform(p, lift(track));
    commands
        .spawn((view, motion(p), tf, Visibility::default(), v))
        .id()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_faces_its_compass_heading() {
        // Heading 90° (east) is Bevy's +x; 0° (north) is -z.
        let pose = |h| Pose {
            x: 3.0,
            y: 4.0,
            z: 2.0,
            heading_deg: h,
            speed: 0.0,
            acc: 0.0,
        };
        let east = transform(&pose(90.0), 0.0);
        assert!((east.rotation * Vec3::X).distance(Vec3::X) < 1e-5);
        let north = transform(&pose(0.0), 0.5);
        assert!((north.rotation * Vec3::X).distance(Vec3::NEG_Z) < 1e-5);
        // On the ground 2 m up, its centre half a metre above it.
        assert_eq!(north.translation, Vec3::new(3.0, 2.5, -4.0));
        // And the trace's heading reads back what was placed.
        let h = crate::trace::compass_heading(&transform(&pose(237.0), 0.0));
        assert!((h - 237.0).abs() < 1e-3, "{h}");
    }
}

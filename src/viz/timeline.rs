//! The timeline, top of the 3D view: how far the run has got, its events and faults (from the
//! scenario) and its hazard warnings and collisions (as they happen), coloured as in the browser
//! report; a click jumps there (forwards by running on, backwards by running the same scenario
//! and seed again from the start: `sim::TimeCtl::seek_to`).
use bevy::prelude::*;
use bevy::ui::RelativeCursorPosition;

use super::camera::PANEL_W;
use super::dashboard::Stats;
use super::palette as pal;
use super::scene::rgb;
use super::sim::{SimHost, SimView, TimeCtl, ViewConfig};
use crate::replay::MarkKind;
use crate::replay::marks::kind_of;

/// Where the timeline starts, px from the left: right of the clock panel.
const LEFT_PX: f32 = 490.0;

/// The clickable track, the part simulated so far, and a mark (`true` if it came from the run
/// rather than the scenario, so that a restart clears it).
#[derive(Component)]
pub struct Track;
#[derive(Component)]
pub struct Done;
#[derive(Component)]
pub struct Mark(bool);

/// A mark's colour: the browser report's (assets/report/report.js).
fn colour(k: MarkKind) -> [f32; 3] {
    match k {
        MarkKind::Event => pal::get().accent,
        MarkKind::Fault => pal::get().rsu,
        MarkKind::Warning => pal::get().warn,
        MarkKind::Collision => pal::get().bad,
        MarkKind::Fail => pal::get().look,
    }
}

/// A mark at `t` of `total` seconds.
fn mark(k: MarkKind, t: f64, total: f64, from_run: bool) -> impl Bundle {
    (
        Mark(from_run),
        Node {
            position_type: PositionType::Absolute,
            left: Val::Percent((100.0 * t / total.max(1e-9)) as f32),
            width: Val::Px(3.0),
            top: Val::Px(0.0),
            bottom: Val::Px(0.0),
            ..default()
        },
        BackgroundColor(rgb(colour(k))),
    )
}

pub fn setup(mut commands: Commands, cfg: Res<ViewConfig>) {
    let total = cfg.spec.duration;
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                left: Val::Px(LEFT_PX),
                right: Val::Px(PANEL_W + 12.0),
                top: Val::Px(12.0),
                height: Val::Px(16.0),
                ..default()
            },
            BackgroundColor(Color::srgba(1.0, 1.0, 1.0, 0.08)),
            Track,
            Interaction::default(),
            RelativeCursorPosition::default(),
        ))
        .with_children(|p| {
            p.spawn((
                Done,
                Node {
                    position_type: PositionType::Absolute,
                    width: Val::Percent(0.0),
                    top: Val::Px(0.0),
                    bottom: Val::Px(0.0),
                    ..default()
                },
                BackgroundColor(Color::srgba(
                    pal::get().accent[0],
                    pal::get().accent[1],
                    pal::get().accent[2],
                    0.35,
                )),
            ));
            for e in cfg.spec.events.iter().filter(|e| e.at <= total) {
                p.spawn(mark(kind_of(&e.action), e.at.max(0.0), total, false));
            }
        });
}

/// The track when its interaction changed: pressed, and where.
type Pressed<'w, 's> = Query<
    'w,
    's,
    (&'static Interaction, &'static RelativeCursorPosition),
    (Changed<Interaction>, With<Track>),
>;

/// A click on the track jumps to that time.
pub fn click(track: Pressed, host: NonSend<SimHost>, mut ctl: ResMut<TimeCtl>) {
    for (i, at) in &track {
        if *i != Interaction::Pressed || host.traci.is_some() {
            continue;
        }
        let Some(p) = at.normalized else { continue };
        let clock = host.clock();
        let target = (f64::from(p.x + 0.5).clamp(0.0, 1.0) * clock.total as f64).round() as u64;
        ctl.seek_to(target, clock.step);
    }
}

/// The part simulated so far, and the run's marks as they come.
pub fn update(
    mut commands: Commands,
    view: Res<SimView>,
    stats: Res<Stats>,
    cfg: Res<ViewConfig>,
    track: Single<Entity, With<Track>>,
    mut done: Single<&mut Node, With<Done>>,
    marks: Query<(Entity, &Mark)>,
) {
    let total = cfg.spec.duration;
    done.width = Val::Percent((100.0 * view.t() / total.max(1e-9)) as f32);
    let shown = marks.iter().filter(|(_, m)| m.0).count();
    if shown == stats.marks.len() {
        return;
    }
    for (e, m) in &marks {
        if m.0 {
            commands.entity(e).despawn();
        }
    }
    commands.entity(*track).with_children(|p| {
        for (t, k) in &stats.marks {
            p.spawn(mark(*k, *t, total, true));
        }
    });
}

//! Spawning the dashboard's UI: clock, control centre, inspector and hotkeys overlay.
use bevy::prelude::*;

use super::overlay::HELP;
use super::{
    Dash, ExpectLine, HelpPanel, InspectorPanel, SPARK_N, SparkBar, floating, font, panel,
};
use crate::viz::camera::PANEL_W;
use crate::viz::palette as pal;
use crate::viz::scene::rgb;
use crate::viz::sim::ViewConfig;

pub fn setup(
    mut commands: Commands,
    cfg: Res<ViewConfig>,
    recording: Option<Res<crate::viz::playback::Playback>>,
) {
    let replay = recording.is_some();
    let mut head = heading(&cfg.spec);
    if replay {
        head.push_str("  REPLAY");
    }
    clock(&mut commands, &head);
    control_centre(&mut commands, cfg.spec.expectations.len(), replay);
    inspector(&mut commands);
    super::legend::setup(&mut commands);
    help(&mut commands);
}

/// A line of text in a size and colour.
fn label(s: &str, px: f32, colour: [f32; 3]) -> impl Bundle {
    (Text::new(s), font(px), TextColor(rgb(colour)))
}

/// A section title in the control centre.
fn title(s: &str) -> impl Bundle {
    (
        label(s, 12.0, pal::get().text_dim),
        Node {
            margin: UiRect::top(Val::Px(6.0)),
            ..default()
        },
    )
}

/// The scenario's name and the message set it runs, for the clock panel's first line.
fn heading(spec: &crate::scenario::spec::Spec) -> String {
    let v2x = crate::replay::scene::message_set(spec);
    format!("{}  {}", spec.name.to_uppercase(), v2x.to_uppercase())
}

/// Clock, top left, under the scenario's heading.
fn clock(commands: &mut Commands, heading: &str) {
    commands
        .spawn(floating(
            Node {
                left: Val::Px(12.0),
                top: Val::Px(12.0),
                ..default()
            },
            (14.0, 10.0),
        ))
        .with_children(|p| {
            p.spawn(label(heading, 13.0, pal::get().accent));
            p.spawn((Dash::Clock, label("", 24.0, pal::get().text)));
            p.spawn((Dash::Sub, label("", 13.0, pal::get().text_dim)));
            let keys = "H help   Space pause   [ ] speed   R restart";
            p.spawn(label(keys, 12.0, pal::get().text_dim));
        });
}

/// Control centre, right.
fn control_centre(commands: &mut Commands, expectations: usize, replay: bool) {
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                right: Val::Px(0.0),
                top: Val::Px(0.0),
                bottom: Val::Px(0.0),
                width: Val::Px(PANEL_W),
                padding: UiRect::all(Val::Px(14.0)),
                flex_direction: FlexDirection::Column,
                row_gap: Val::Px(2.0),
                border: UiRect::left(Val::Px(1.0)),
                overflow: Overflow::clip(),
                ..default()
            },
            panel(pal::get().panel),
            BorderColor::all(rgb(pal::get().panel_edge)),
        ))
        .with_children(|p| {
            p.spawn(label("CONTROL CENTRE", 19.0, pal::get().accent));
            p.spawn(label(
                "Seoul Future Mobility Center",
                12.0,
                pal::get().text_dim,
            ));
            p.spawn(title("TRAFFIC"));
            p.spawn((Dash::Traffic, label("", 14.0, pal::get().text)));
            // A recording dates events, not message counts: those are the whole run's.
            p.spawn(title(if replay {
                "V2X MESSAGES (WHOLE RUN)"
            } else {
                "V2X MESSAGES"
            }));
            p.spawn((Dash::V2x, label("", 13.0, pal::get().text)));
            p.spawn(title("LATENCY p99, LAST 60 s"));
            sparkline(p);
            p.spawn((Dash::Latency, label("", 12.0, pal::get().text_dim)));
            p.spawn(title("SAFETY"));
            p.spawn((Dash::Safety, label("", 14.0, pal::get().text)));
            p.spawn(title("FAULTS AND EVENTS"));
            p.spawn((Dash::Events, label("", 13.0, pal::get().text)));
            p.spawn(title(if replay {
                "EXPECTATIONS (AT THE RUN'S END)"
            } else {
                "EXPECTATIONS (SO FAR)"
            }));
            if expectations == 0 {
                p.spawn(label("none in this scenario", 13.0, pal::get().text_dim));
            }
            for i in 0..expectations {
                p.spawn((ExpectLine(i), label("", 13.0, pal::get().text_dim)));
            }
        });
}

/// A row of `SPARK_N` bars, bottom-aligned.
fn sparkline(p: &mut ChildSpawnerCommands) {
    p.spawn(Node {
        height: Val::Px(40.0),
        flex_direction: FlexDirection::Row,
        align_items: AlignItems::FlexEnd,
        column_gap: Val::Px(1.0),
        padding: UiRect::vertical(Val::Px(2.0)),
        ..default()
    })
    .with_children(|row| {
        for i in 0..SPARK_N {
            row.spawn((
                SparkBar(i),
                Node {
                    width: Val::Px(4.0),
                    height: Val::Px(1.0),
                    ..default()
                },
                BackgroundColor(Color::srgba(1.0, 1.0, 1.0, 0.08)),
            ));
        }
    });
}

/// Inspector, bottom left (hidden until something is selected).
fn inspector(commands: &mut Commands) {
    commands
        .spawn((
            InspectorPanel,
            Node {
                position_type: PositionType::Absolute,
                left: Val::Px(12.0),
                bottom: Val::Px(12.0),
                width: Val::Px(400.0),
                padding: UiRect::axes(Val::Px(14.0), Val::Px(10.0)),
                border: UiRect::all(Val::Px(1.0)),
                border_radius: BorderRadius::all(Val::Px(8.0)),
                display: Display::None,
                ..default()
            },
            panel(pal::get().panel),
            BorderColor::all(rgb(pal::get().accent)),
        ))
        .with_children(|p| {
            p.spawn((Dash::Inspector, label("", 13.0, pal::get().text)));
        });
}

/// Hotkeys overlay (hidden until H).
fn help(commands: &mut Commands) {
    commands
        .spawn((
            HelpPanel,
            Node {
                position_type: PositionType::Absolute,
                left: Val::Px(220.0),
                top: Val::Px(90.0),
                width: Val::Px(520.0),
                padding: UiRect::all(Val::Px(18.0)),
                border: UiRect::all(Val::Px(1.0)),
                border_radius: BorderRadius::all(Val::Px(10.0)),
                flex_direction: FlexDirection::Column,
                display: Display::None,
                ..default()
            },
            panel([0.02, 0.03, 0.045, 0.96]),
            BorderColor::all(rgb(pal::get().accent)),
        ))
        .with_children(|p| {
            p.spawn(label("HOTKEYS", 18.0, pal::get().accent));
            p.spawn(label(HELP, 14.0, pal::get().text));
        });
}

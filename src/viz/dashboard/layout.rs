//! Spawning the dashboard's UI: clock, control centre, inspector and hotkeys overlay.
use bevy::prelude::*;

use super::overlay::HELP;
use super::{Dash, ExpectLine, HelpPanel, InspectorPanel, SPARK_N, SparkBar, font, panel};
use crate::viz::camera::PANEL_W;
use crate::viz::palette as pal;
use crate::viz::scene::rgb;
use crate::viz::sim::ViewConfig;

pub fn setup(mut commands: Commands, cfg: Res<ViewConfig>) {
    let title = |s: &str| {
        (
            Text::new(s),
            font(12.0),
            TextColor(rgb(pal::TEXT_DIM)),
            Node {
                margin: UiRect::top(Val::Px(6.0)),
                ..default()
            },
        )
    };
    // Clock, top left.
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                left: Val::Px(12.0),
                top: Val::Px(12.0),
                padding: UiRect::axes(Val::Px(14.0), Val::Px(10.0)),
                flex_direction: FlexDirection::Column,
                row_gap: Val::Px(3.0),
                border: UiRect::all(Val::Px(1.0)),
                border_radius: BorderRadius::all(Val::Px(8.0)),
                ..default()
            },
            panel(pal::PANEL),
            BorderColor::all(rgb(pal::PANEL_EDGE)),
        ))
        .with_children(|p| {
            p.spawn((
                Text::new("SANGAM DMC  5G C-ITS TESTBED"),
                font(13.0),
                TextColor(rgb(pal::ACCENT)),
            ));
            p.spawn((
                Dash::Clock,
                Text::new(""),
                font(24.0),
                TextColor(rgb(pal::TEXT)),
            ));
            p.spawn((
                Dash::Sub,
                Text::new(""),
                font(13.0),
                TextColor(rgb(pal::TEXT_DIM)),
            ));
            p.spawn((
                Text::new("H help   Space pause   [ ] speed   R restart"),
                font(12.0),
                TextColor(rgb(pal::TEXT_DIM)),
            ));
        });
    // Control centre, right.
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
            panel(pal::PANEL),
            BorderColor::all(rgb(pal::PANEL_EDGE)),
        ))
        .with_children(|p| {
            p.spawn((
                Text::new("CONTROL CENTRE"),
                font(19.0),
                TextColor(rgb(pal::ACCENT)),
            ));
            p.spawn((
                Text::new("Seoul Future Mobility Center"),
                font(12.0),
                TextColor(rgb(pal::TEXT_DIM)),
            ));
            p.spawn(title("TRAFFIC"));
            p.spawn((
                Dash::Traffic,
                Text::new(""),
                font(14.0),
                TextColor(rgb(pal::TEXT)),
            ));
            p.spawn(title("V2X MESSAGES"));
            p.spawn((
                Dash::V2x,
                Text::new(""),
                font(13.0),
                TextColor(rgb(pal::TEXT)),
            ));
            p.spawn(title("LATENCY p99, LAST 60 s"));
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
            p.spawn((
                Dash::Latency,
                Text::new(""),
                font(12.0),
                TextColor(rgb(pal::TEXT_DIM)),
            ));
            p.spawn(title("SAFETY"));
            p.spawn((
                Dash::Safety,
                Text::new(""),
                font(14.0),
                TextColor(rgb(pal::TEXT)),
            ));
            p.spawn(title("FAULTS AND EVENTS"));
            p.spawn((
                Dash::Events,
                Text::new(""),
                font(13.0),
                TextColor(rgb(pal::TEXT)),
            ));
            p.spawn(title("EXPECTATIONS (SO FAR)"));
            if cfg.spec.expectations.is_empty() {
                p.spawn((
                    Text::new("none in this scenario"),
                    font(13.0),
                    TextColor(rgb(pal::TEXT_DIM)),
                ));
            }
            for i in 0..cfg.spec.expectations.len() {
                p.spawn((
                    ExpectLine(i),
                    Text::new(""),
                    font(13.0),
                    TextColor(rgb(pal::TEXT_DIM)),
                ));
            }
        });
    // Inspector, bottom left.
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
            panel(pal::PANEL),
            BorderColor::all(rgb(pal::ACCENT)),
        ))
        .with_children(|p| {
            p.spawn((
                Dash::Inspector,
                Text::new(""),
                font(13.0),
                TextColor(rgb(pal::TEXT)),
            ));
        });
    // Hotkeys overlay.
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
            BorderColor::all(rgb(pal::ACCENT)),
        ))
        .with_children(|p| {
            p.spawn((
                Text::new("HOTKEYS"),
                font(18.0),
                TextColor(rgb(pal::ACCENT)),
            ));
            p.spawn((Text::new(HELP), font(14.0), TextColor(rgb(pal::TEXT))));
        });
}

//! The legend, bottom right of the 3D view: what the colours mean (vehicle kinds, sites,
//! latency, losses) and which layers are on, with the keys that switch them.
use bevy::prelude::*;

use super::{Dash, floating, font};
use crate::scenario::spec::MsgType;
use crate::viz::camera::PANEL_W;
use crate::viz::messages::{MsgToggles, type_label};
use crate::viz::palette as pal;
use crate::viz::scene::rgb;

/// The latencies the legend shows a colour for, ms (the scale runs green at ≤ 10 ms to red at
/// ≥ 100 ms, `palette::latency`).
const LATENCY_STEPS_MS: [f64; 4] = [5.0, 20.0, 50.0, 100.0];

/// Which layers are on, in one line per kind, with their keys.
pub fn layers_text(t: &MsgToggles) -> String {
    let on: Vec<&str> = MsgType::ALL
        .iter()
        .zip(t.types)
        .filter(|(_, on)| *on)
        .map(|(m, _)| type_label(*m))
        .collect();
    let arcs = match on.len() {
        0 => "none".to_string(),
        n if n == MsgType::COUNT => "every type".to_string(),
        _ => on.join(" "),
    };
    let state = |b: bool| if b { "on" } else { "off" };
    format!(
        "arcs (1-9, 0): {arcs}\ncoverage rings (G): {}   heat map (B): {}",
        state(t.rings),
        state(t.heat)
    )
}

/// A coloured square and its words.
fn entry(p: &mut ChildSpawnerCommands, colour: [f32; 3], words: &str) {
    p.spawn(Node {
        flex_direction: FlexDirection::Row,
        align_items: AlignItems::Center,
        column_gap: Val::Px(6.0),
        ..default()
    })
    .with_children(|row| {
        row.spawn((
            Node {
                width: Val::Px(12.0),
                height: Val::Px(12.0),
                ..default()
            },
            BackgroundColor(rgb(colour)),
        ));
        row.spawn((
            Text::new(words),
            font(12.0),
            TextColor(rgb(pal::get().text)),
        ));
    });
}

pub fn setup(commands: &mut Commands) {
    commands
        .spawn(floating(
            Node {
                right: Val::Px(PANEL_W + 12.0),
                bottom: Val::Px(12.0),
                ..default()
            },
            (12.0, 8.0),
        ))
        .with_children(|p| {
            p.spawn((
                Text::new("LEGEND"),
                font(12.0),
                TextColor(rgb(pal::get().text_dim)),
            ));
            entry(p, pal::get().automated, "automated vehicle");
            entry(p, pal::get().human, "human-driven vehicle");
            entry(p, pal::get().pedestrian, "pedestrian");
            entry(p, pal::get().rsu, "roadside unit");
            entry(p, pal::get().gnb, "5G gNB");
            latency_row(p);
            entry(p, pal::get().bad, "message lost (cross at the receiver)");
            p.spawn((
                Text::new("LAYERS"),
                font(12.0),
                TextColor(rgb(pal::get().text_dim)),
            ));
            p.spawn((
                Dash::Layers,
                Text::new(""),
                font(12.0),
                TextColor(rgb(pal::get().text)),
            ));
        });
}

/// The arcs' latency colours, with their values.
fn latency_row(p: &mut ChildSpawnerCommands) {
    p.spawn(Node {
        flex_direction: FlexDirection::Row,
        align_items: AlignItems::Center,
        column_gap: Val::Px(4.0),
        ..default()
    })
    .with_children(|row| {
        for ms in LATENCY_STEPS_MS {
            row.spawn((
                Node {
                    width: Val::Px(12.0),
                    height: Val::Px(12.0),
                    ..default()
                },
                BackgroundColor(rgb(pal::latency(ms))),
            ));
            row.spawn((
                Text::new(format!("{ms:.0}")),
                font(12.0),
                TextColor(rgb(pal::get().text)),
            ));
        }
        row.spawn((
            Text::new("ms arcs"),
            font(12.0),
            TextColor(rgb(pal::get().text)),
        ));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_layers_line_says_what_is_on_and_how_to_switch_it() {
        let mut t = MsgToggles::default();
        assert_eq!(
            layers_text(&t),
            "arcs (1-9, 0): every type\ncoverage rings (G): on   heat map (B): off"
        );
        t.types = [false; MsgType::COUNT];
        t.types[1] = true;
        t.heat = true;
        assert_eq!(
            layers_text(&t),
            "arcs (1-9, 0): DENM\ncoverage rings (G): on   heat map (B): on"
        );
    }
}

//! The hotkeys: time control, message layers, selection and the help overlay.
use bevy::prelude::*;

use super::HelpPanel;
use crate::viz::messages::MsgToggles;
use crate::viz::selection::Selected;
use crate::viz::sim::TimeCtl;

pub(super) const HELP: &str = "\
Time
  Space        pause / run
  N or .       one step (while paused)
  ] or +       faster   (0.25x .. 64x, then max)
  [ or -       slower
  M            as fast as it can
  R            restart (same scenario and seed)
  click the timeline (top)   jump to that time
Camera
  left drag    orbit            wheel      zoom
  right drag   pan              W A S D    pan
  Q / E        rotate           T          top-down
  F            follow selected  C          reset view
Select
  click        vehicle, RSU, gNB, pedestrian -> inspector
  Esc          clear selection
V2X layers
  1-9, 0       CAM DENM SPaT MAP CPM BSM RSA TIM ICA PVD
  G            coverage rings   B          busy-ratio heat map
H or ?         this help";

/// Keyboard: time control, layers, help.
pub fn hotkeys(
    keys: Res<ButtonInput<KeyCode>>,
    mut ctl: ResMut<TimeCtl>,
    mut toggles: ResMut<MsgToggles>,
    mut selected: ResMut<Selected>,
    mut help: Query<&mut Node, With<HelpPanel>>,
) {
    let k = |c: KeyCode| keys.just_pressed(c);
    time_keys(&k, &mut ctl);
    layer_keys(&k, &mut toggles);
    // Some(None) toggles the help, Some(Some(on)) sets it.
    let mut show_help = None;
    if k(KeyCode::KeyH) || k(KeyCode::Slash) || k(KeyCode::F1) {
        show_help = Some(None);
    }
    if k(KeyCode::Escape) {
        selected.0 = None;
        show_help = Some(Some(false));
    }
    if let Some(want) = show_help {
        for mut node in &mut help {
            let on = want.unwrap_or(node.display == Display::None);
            node.display = if on { Display::Flex } else { Display::None };
        }
    }
}

/// Pause, step, faster, slower, flat out, restart.
fn time_keys(k: &impl Fn(KeyCode) -> bool, ctl: &mut TimeCtl) {
    if k(KeyCode::Space) {
        ctl.paused = !ctl.paused;
    }
    if k(KeyCode::KeyN) || k(KeyCode::Period) {
        ctl.paused = true;
        ctl.step_once = true;
    }
    if k(KeyCode::BracketRight) || k(KeyCode::Equal) || k(KeyCode::NumpadAdd) {
        ctl.faster();
    }
    if k(KeyCode::BracketLeft) || k(KeyCode::Minus) || k(KeyCode::NumpadSubtract) {
        ctl.slower();
    }
    if k(KeyCode::KeyM) {
        ctl.speed = crate::viz::sim::SPEEDS.len();
    }
    if k(KeyCode::KeyR) {
        ctl.restart = true;
    }
}

/// 1-9 and 0 the arcs of each message type, G the coverage rings, B the heat map.
fn layer_keys(k: &impl Fn(KeyCode) -> bool, toggles: &mut MsgToggles) {
    let digits = [
        KeyCode::Digit1,
        KeyCode::Digit2,
        KeyCode::Digit3,
        KeyCode::Digit4,
        KeyCode::Digit5,
        KeyCode::Digit6,
        KeyCode::Digit7,
        KeyCode::Digit8,
        KeyCode::Digit9,
        KeyCode::Digit0,
    ];
    for (i, key) in digits.into_iter().enumerate() {
        if k(key) {
            toggles.types[i] = !toggles.types[i];
        }
    }
    if k(KeyCode::KeyG) {
        toggles.rings = !toggles.rings;
    }
    if k(KeyCode::KeyB) {
        toggles.heat = !toggles.heat;
    }
}

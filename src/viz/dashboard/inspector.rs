//! The inspector for the selected thing, and the ring that marks it.
use std::collections::VecDeque;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use super::{Dash, InspectorPanel, set};
use crate::metrics::TripStats;
use crate::radio::coverage::{gnb_radius, rsu_radius};
use crate::road::RoadNetwork;
use crate::scenario::spec::{Action, Spec, Tech, TimedEvent};
use crate::traffic::Obu;
use crate::traffic::components::{
    Advice, BusStops, Motion, Pedestrian, Route, Stalled, Surroundings, Vehicle,
};
use crate::viz::log::MsgEvent;
use crate::viz::messages::{PerEntity, type_label};
use crate::viz::palette as pal;
use crate::viz::scene::link_names;
use crate::viz::selection::{Infra, Selected};
use crate::viz::sim::{SimHost, SimView, ViewConfig, ViewPedestrian, ViewVehicle};

/// What the inspector can describe: the simulation behind the view and the pickable things.
#[derive(SystemParam)]
pub struct Inspectable<'w, 's> {
    host: NonSend<'w, SimHost>,
    cfg: Res<'w, ViewConfig>,
    per: Res<'w, PerEntity>,
    view: Res<'w, SimView>,
    vehicles: Query<'w, 's, (&'static Vehicle, &'static Motion, &'static ViewVehicle)>,
    peds: Query<'w, 's, (&'static ViewPedestrian, Option<&'static Name>)>,
    infra: Query<'w, 's, &'static Infra>,
}

/// The inspector: what the selected thing is and does, and its last messages.
pub fn inspector(
    selected: Res<Selected>,
    things: Inspectable,
    mut panel: Query<&mut Node, With<InspectorPanel>>,
    mut texts: Query<(&Dash, &mut Text)>,
) {
    let Ok(mut node) = panel.single_mut() else {
        return;
    };
    let Some(mut s) = selected.0.and_then(|sel| things.describe(sel)) else {
        if node.display != Display::None {
            node.display = Display::None;
        }
        return;
    };
    let sel = selected.0.unwrap_or(Entity::PLACEHOLDER);
    s.push_str(&last_messages(things.per.0.get(&sel)));
    s.push_str("F follow   Esc close");
    for (d, mut text) in &mut texts {
        if *d == Dash::Inspector {
            set(&mut text, s.clone());
        }
    }
    if node.display != Display::Flex {
        node.display = Display::Flex;
    }
}

impl Inspectable<'_, '_> {
    /// The lines about the selected thing, or None when it is not something to inspect.
    fn describe(&self, sel: Entity) -> Option<String> {
        let world = self.host.world();
        let net = world.resource::<RoadNetwork>();
        if let Ok((v, m, vv)) = self.vehicles.get(sel) {
            Some(if vv.sim == Entity::PLACEHOLDER {
                recorded_vehicle_text(v, m)
            } else {
                vehicle_text(world, net, v, m, vv.sim)
            })
        } else if let Ok((p, name)) = self.peds.get(sel) {
            let ped = world.get::<Pedestrian>(p.sim);
            let recorded = || format!("PEDESTRIAN {}\n{RECORDED}", name.map_or("", |n| n.as_str()));
            Some(ped.map_or_else(recorded, |ped| pedestrian_text(net, ped)))
        } else if let Ok(i) = self.infra.get(sel) {
            Some(infra_text(&self.cfg.spec, *i, self.view.t()))
        } else {
            None
        }
    }
}

/// What a recording (`view --replay`) tells of a road user.
const RECORDED: &str = "recorded at 5 Hz: position, speed\n";

/// A vehicle of a recorded run: who it is and how it moves.
fn recorded_vehicle_text(v: &Vehicle, m: &Motion) -> String {
    let mut s = vehicle_heading(v);
    s.push_str(&speed_line(m));
    let state = if m.v < 0.1 { "stopped" } else { "driving" };
    s.push_str(&format!("state {state}\n{RECORDED}"));
    s
}

fn vehicle_heading(v: &Vehicle) -> String {
    let who = if v.automated {
        "automated"
    } else {
        "human-driven"
    };
    format!("VEHICLE {}\n{who} {}\n", v.id, v.kind.name())
}

fn speed_line(m: &Motion) -> String {
    let braking = if m.acc < -1.0 { "  braking" } else { "" };
    format!(
        "speed {:5.1} km/h   accel {:+.1} m/s2{braking}\n",
        m.v * 3.6,
        m.acc
    )
}

fn vehicle_text(world: &World, net: &RoadNetwork, v: &Vehicle, m: &Motion, sim: Entity) -> String {
    let mut s = vehicle_heading(v);
    s.push_str(&speed_line(m));
    if let Some(l) = net.links.get(m.link as usize) {
        s.push_str(&format!(
            "on    {} ({}), lane {}, {:.0} m\n",
            l.name,
            l.id,
            m.lane,
            m.s.max(0.0)
        ));
    }
    if let Some(r) = world.get::<Route>(sim) {
        let ahead = link_names(net, r.ahead());
        let ahead = if ahead.is_empty() {
            "end of route".to_string()
        } else {
            ahead.join(" > ")
        };
        s.push_str(&format!("route {ahead}\n"));
    }
    s.push_str(&format!("state {}\n", vehicle_state(world, sim, m)));
    s.push_str(&vehicle_extras(world, sim));
    s
}

/// Broken down, dwelling, stopped or driving, with the gap and time to collision ahead.
fn vehicle_state(world: &World, sim: Entity, m: &Motion) -> String {
    let dwelling = world
        .get::<BusStops>(sim)
        .and_then(|b| b.dwell_until)
        .is_some();
    let mut state = if world.get::<Stalled>(sim).is_some() {
        "BROKEN DOWN".to_string()
    } else if dwelling {
        "dwelling at a stop".to_string()
    } else if m.v < 0.1 {
        "stopped".to_string()
    } else {
        "driving".to_string()
    };
    if let Some(a) = world.get::<Surroundings>(sim)
        && let Some(gap) = a.gap
    {
        state.push_str(&format!(", gap {gap:.0} m"));
        if let Some(ttc) = a.ttc {
            state.push_str(&format!(", TTC {ttc:.1} s"));
        }
    }
    state
}

/// Advice received, the trip so far and the on-board unit's radios.
fn vehicle_extras(world: &World, sim: Entity) -> String {
    let mut s = String::new();
    if let Some(a) = world.get::<Advice>(sim) {
        if let Some(v) = a.max_speed {
            s.push_str(&format!("advice max {:.0} km/h\n", v * 3.6));
        }
        if let Some(at) = a.stop_at {
            s.push_str(&format!("advice stop at {at:.0} m\n"));
        }
    }
    if let Some(tr) = world.get::<TripStats>(sim) {
        s.push_str(&format!(
            "trip  since {:.1} s, {:.0} m, {} stop{}\n",
            tr.depart,
            tr.distance,
            tr.stops,
            if tr.stops == 1 { "" } else { "s" }
        ));
    }
    match world.get::<Obu>(sim) {
        Some(o) => s.push_str(&format!("OBU   {}\n", radio_names(&o.radios))),
        None => s.push_str("OBU   none\n"),
    }
    s
}

fn radio_names(radios: &[Tech]) -> String {
    radios
        .iter()
        .map(|r| r.name())
        .collect::<Vec<_>>()
        .join(" ")
}

fn pedestrian_text(net: &RoadNetwork, ped: &Pedestrian) -> String {
    let link = net
        .links
        .get(ped.link as usize)
        .map_or("?", |l| l.name.as_str());
    format!(
        "PEDESTRIAN {}\ncrossing {link} at {:.0} m\n{:.1} m/s, {:.1} m to go\n",
        ped.id,
        ped.s,
        ped.speed,
        (ped.end - ped.lateral).abs()
    )
}

/// Is the RSU or gNB `id` down at `t`, after the events up to then?
fn node_down(events: &[TimedEvent], id: &str, t: f64) -> bool {
    let mut down = false;
    for ev in events.iter().filter(|e| e.at <= t) {
        match &ev.action {
            Action::Gnb { id: x, up } | Action::Rsu { id: x, up } if x == id => down = !up,
            _ => {}
        }
    }
    down
}

fn status(down: bool) -> &'static str {
    if down { "DOWN" } else { "up" }
}

fn infra_text(spec: &Spec, i: Infra, t: f64) -> String {
    let rsu_r = rsu_radius(spec);
    match i {
        Infra::Rsu(k) => {
            let r = &spec.v2x.rsus[k];
            let mut s = format!("RSU {}\n", r.id);
            s.push_str(&format!(
                "at ({:.0}, {:.0}) m, mast {:.0} m\n",
                r.pos.0, r.pos.1, r.height
            ));
            s.push_str(&format!("radios {}\n", radio_names(&r.radios)));
            if let Some(j) = &r.junction {
                s.push_str(&format!("SPaT/MAP for {j}\n"));
            }
            s.push_str(&format!("CCTV cameras {}\n", r.cctv.len()));
            s.push_str(&format!("coverage ~{rsu_r:.0} m (NLOS estimate)\n"));
            let down = node_down(&spec.events, &r.id, t);
            s.push_str(&format!("status {}\n", status(down)));
            s
        }
        Infra::Gnb(k) => {
            let gnb_r = gnb_radius(spec, k);
            let g = &spec.v2x.gnbs[k];
            let mut s = format!("gNB {}\n", g.id);
            s.push_str(&format!(
                "at ({:.0}, {:.0}) m, antenna {:.0} m\n",
                g.pos.0, g.pos.1, g.height
            ));
            s.push_str(&format!(
                "{:.1} GHz, {:.0} dBm, MEC {:?}\n",
                g.freq_ghz, g.tx_dbm, g.mec
            ));
            s.push_str(&format!("coverage ~{gnb_r:.0} m (NLOS estimate)\n"));
            let down = node_down(&spec.events, &g.id, t);
            s.push_str(&format!("status {}\n", status(down)));
            s
        }
        Infra::ControlCentre => {
            let c = spec.v2x.control_centre.unwrap_or((0.0, 0.0));
            format!(
                "CONTROL CENTRE\nSeoul Future Mobility Center\nat ({:.0}, {:.0}) m\n",
                c.0, c.1
            )
        }
    }
}

/// The last six messages the thing sent or received, newest first.
fn last_messages(queue: Option<&VecDeque<(MsgEvent, bool)>>) -> String {
    let Some(q) = queue.filter(|q| !q.is_empty()) else {
        return "last messages: none seen\n".to_string();
    };
    let mut s = String::from("last messages\n");
    for (e, sent) in q.iter().rev().take(6) {
        let dir = if *sent { "sent" } else { "recv" };
        let what = if e.delivered {
            format!("{:6.1} ms", e.latency_ms)
        } else {
            "  LOST   ".into()
        };
        s.push_str(&format!(
            "  {:<5}{dir} {:<8}{what}  {:.2} s\n",
            type_label(e.msg),
            e.tech.name(),
            e.t_recv
        ));
    }
    s
}

/// A ring around the selection.
pub fn highlight(
    mut gizmos: Gizmos,
    selected: Res<Selected>,
    things: Query<&GlobalTransform>,
    real: Res<Time<Real>>,
) {
    let Some(tf) = selected.0.and_then(|e| things.get(e).ok()) else {
        return;
    };
    let p = tf.translation().with_y(0.3);
    let pulse = 1.0 + 0.15 * (real.elapsed_secs() * 4.0).sin();
    let c = pal::get().accent;
    gizmos
        .circle(
            Isometry3d::new(p, Quat::from_rotation_x(std::f32::consts::FRAC_PI_2)),
            7.0 * pulse,
            Color::srgb(c[0], c[1], c[2]),
        )
        .resolution(48);
    gizmos.line(p, p + Vec3::Y * 25.0, Color::srgba(c[0], c[1], c[2], 0.6));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_is_down_after_its_last_down_event_until_it_comes_back() {
        let at = |at, id: &str, up| TimedEvent {
            at,
            action: Action::Rsu { id: id.into(), up },
        };
        let events = [
            at(10.0, "r1", false),
            at(20.0, "r2", false),
            at(30.0, "r1", true),
        ];
        assert!(!node_down(&events, "r1", 9.9));
        assert!(node_down(&events, "r1", 10.0));
        assert!(node_down(&events, "r1", 29.0));
        assert!(!node_down(&events, "r1", 30.0));
        assert!(node_down(&events, "r2", 100.0));
        assert!(!node_down(&events, "g1", 100.0));
        assert_eq!(last_messages(None), "last messages: none seen\n");
        assert_eq!(
            last_messages(Some(&VecDeque::new())),
            "last messages: none seen\n"
        );
    }
}

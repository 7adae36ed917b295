//! The inspector for the selected thing, and the ring that marks it.
use bevy::prelude::*;

use super::{Dash, InspectorPanel, set};
use crate::metrics::TripStats;
use crate::road::RoadNetwork;
use crate::scenario::spec::Action;
use crate::traffic::Obu;
use crate::traffic::components::{
    Advice, BusStops, Motion, Pedestrian, Route, Stalled, Surroundings, Vehicle,
};
use crate::viz::messages::{PerEntity, coverage_radii, type_label};
use crate::viz::palette as pal;
use crate::viz::picking::{Infra, Selected};
use crate::viz::scene::link_names;
use crate::viz::sim::{SimHost, SimView, ViewConfig, ViewPedestrian, ViewVehicle};

/// The inspector: what the selected thing is and does, and its last messages.
#[allow(clippy::too_many_arguments)]
pub fn inspector(
    host: NonSend<SimHost>,
    cfg: Res<ViewConfig>,
    selected: Res<Selected>,
    per: Res<PerEntity>,
    view: Res<SimView>,
    vehicles: Query<(&Vehicle, &Motion, &ViewVehicle)>,
    peds: Query<&ViewPedestrian>,
    infra: Query<&Infra>,
    mut panel: Query<&mut Node, With<InspectorPanel>>,
    mut texts: Query<(&Dash, &mut Text)>,
) {
    let Ok(mut node) = panel.single_mut() else {
        return;
    };
    let Some(sel) = selected.0 else {
        if node.display != Display::None {
            node.display = Display::None;
        }
        return;
    };
    let world = host.world();
    let net = world.resource::<RoadNetwork>();
    let t = view.t();
    let mut s = String::new();
    if let Ok((v, m, vv)) = vehicles.get(sel) {
        let who = if v.automated {
            "automated"
        } else {
            "human-driven"
        };
        s.push_str(&format!("VEHICLE {}\n{who} {}\n", v.id, v.kind.name()));
        let braking = if m.acc < -1.0 { "  braking" } else { "" };
        s.push_str(&format!(
            "speed {:5.1} km/h   accel {:+.1} m/s2{braking}\n",
            m.v * 3.6,
            m.acc
        ));
        if let Some(l) = net.links.get(m.link as usize) {
            s.push_str(&format!(
                "on    {} ({}), lane {}, {:.0} m\n",
                l.name,
                l.id,
                m.lane,
                m.s.max(0.0)
            ));
        }
        if let Some(r) = world.get::<Route>(vv.sim) {
            let ahead = link_names(net, r.ahead());
            let ahead = if ahead.is_empty() {
                "end of route".to_string()
            } else {
                ahead.join(" > ")
            };
            s.push_str(&format!("route {ahead}\n"));
        }
        let mut state = if world.get::<Stalled>(vv.sim).is_some() {
            "BROKEN DOWN".to_string()
        } else if world
            .get::<BusStops>(vv.sim)
            .and_then(|b| b.dwell_until)
            .is_some()
        {
            "dwelling at a stop".to_string()
        } else if m.v < 0.1 {
            "stopped".to_string()
        } else {
            "driving".to_string()
        };
        if let Some(a) = world.get::<Surroundings>(vv.sim)
            && let Some(gap) = a.gap
        {
            state.push_str(&format!(", gap {gap:.0} m"));
            if let Some(ttc) = a.ttc {
                state.push_str(&format!(", TTC {ttc:.1} s"));
            }
        }
        s.push_str(&format!("state {state}\n"));
        if let Some(a) = world.get::<Advice>(vv.sim) {
            if let Some(v) = a.max_speed {
                s.push_str(&format!("advice max {:.0} km/h\n", v * 3.6));
            }
            if let Some(at) = a.stop_at {
                s.push_str(&format!("advice stop at {at:.0} m\n"));
            }
        }
        if let Some(tr) = world.get::<TripStats>(vv.sim) {
            s.push_str(&format!(
                "trip  since {:.1} s, {:.0} m, {} stop{}\n",
                tr.depart,
                tr.distance,
                tr.stops,
                if tr.stops == 1 { "" } else { "s" }
            ));
        }
        match world.get::<Obu>(vv.sim) {
            Some(o) => s.push_str(&format!(
                "OBU   {}\n",
                o.radios
                    .iter()
                    .map(|r| r.name())
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
            None => s.push_str("OBU   none\n"),
        }
    } else if let Ok(p) = peds.get(sel) {
        if let Some(ped) = world.get::<Pedestrian>(p.sim) {
            let link = net
                .links
                .get(ped.link as usize)
                .map_or("?", |l| l.name.as_str());
            s.push_str(&format!(
                "PEDESTRIAN {}\ncrossing {link} at {:.0} m\n{:.1} m/s, {:.1} m to go\n",
                ped.id,
                ped.s,
                ped.speed,
                (ped.end - ped.lateral).abs()
            ));
        }
    } else if let Ok(i) = infra.get(sel) {
        let spec = &cfg.spec;
        let (rsu_r, gnb_r) = coverage_radii(spec);
        let down = |id: &str| {
            let mut down = false;
            for ev in spec.events.iter().filter(|e| e.at <= t) {
                match &ev.action {
                    Action::Gnb { id: x, up } | Action::Rsu { id: x, up } if x == id => down = !up,
                    _ => {}
                }
            }
            down
        };
        match *i {
            Infra::Rsu(k) => {
                let r = &spec.v2x.rsus[k];
                s.push_str(&format!("RSU {}\n", r.id));
                s.push_str(&format!(
                    "at ({:.0}, {:.0}) m, mast {:.0} m\n",
                    r.pos.0, r.pos.1, r.height
                ));
                s.push_str(&format!(
                    "radios {}\n",
                    r.radios
                        .iter()
                        .map(|x| x.name())
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
                if let Some(j) = &r.junction {
                    s.push_str(&format!("SPaT/MAP for {j}\n"));
                }
                s.push_str(&format!("CCTV cameras {}\n", r.cctv.len()));
                s.push_str(&format!("coverage ~{rsu_r:.0} m (NLOS estimate)\n"));
                s.push_str(&format!(
                    "status {}\n",
                    if down(&r.id) { "DOWN" } else { "up" }
                ));
            }
            Infra::Gnb(k) => {
                let g = &spec.v2x.gnbs[k];
                s.push_str(&format!("gNB {}\n", g.id));
                s.push_str(&format!(
                    "at ({:.0}, {:.0}) m, antenna {:.0} m\n",
                    g.pos.0, g.pos.1, g.height
                ));
                s.push_str(&format!(
                    "{:.1} GHz, {:.0} dBm, MEC {:?}\n",
                    g.freq_ghz, g.tx_dbm, g.mec
                ));
                s.push_str(&format!("coverage ~{gnb_r:.0} m (NLOS estimate)\n"));
                s.push_str(&format!(
                    "status {}\n",
                    if down(&g.id) { "DOWN" } else { "up" }
                ));
            }
            Infra::ControlCentre => {
                let c = spec.v2x.control_centre.unwrap_or((0.0, 0.0));
                s.push_str("CONTROL CENTRE\nSeoul Future Mobility Center\n");
                s.push_str(&format!("at ({:.0}, {:.0}) m\n", c.0, c.1));
            }
        }
    } else {
        if node.display != Display::None {
            node.display = Display::None;
        }
        return;
    }
    match per.0.get(&sel) {
        Some(q) if !q.is_empty() => {
            s.push_str("last messages\n");
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
        }
        _ => s.push_str("last messages: none seen\n"),
    }
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
    let c = pal::ACCENT;
    gizmos
        .circle(
            Isometry3d::new(p, Quat::from_rotation_x(std::f32::consts::FRAC_PI_2)),
            7.0 * pulse,
            Color::srgb(c[0], c[1], c[2]),
        )
        .resolution(48);
    gizmos.line(p, p + Vec3::Y * 25.0, Color::srgba(c[0], c[1], c[2], 0.6));
}

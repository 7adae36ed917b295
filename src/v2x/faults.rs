//! The radio faults in force at the current time, derived from the scenario's timed events.
use bevy::prelude::*;

use super::Faults;
use crate::clock::SimClock;
use crate::scenario::spec::{Action, Tech};

/// Faults in force now.
#[derive(Resource, Debug, Default, Clone)]
pub struct FaultState {
    pub gnb_down: Vec<String>,
    pub rsu_down: Vec<String>,
    pub backhaul_cut: Vec<String>,
    /// (centre, radius, noise dBm).
    pub jamming: Vec<([f64; 2], f64, f64)>,
    /// (tech, extra latency µs).
    pub latency_spike: Vec<(Tech, u64)>,
    /// (tech, loss probability).
    pub burst_loss: Vec<(Tech, f64)>,
    /// (gNB id, background load) overriding the scenario's.
    pub cell_load: Vec<(String, f64)>,
    /// (vehicle id or "" for all, σ m).
    pub gnss: Vec<(String, f64)>,
    /// Human-readable list for reports and the dashboard.
    pub active: Vec<String>,
}

impl FaultState {
    pub fn extra_latency_us(&self, tech: Tech) -> u64 {
        self.latency_spike
            .iter()
            .filter(|(t, _)| *t == tech)
            .map(|(_, x)| *x)
            .sum()
    }
    pub fn extra_loss(&self, tech: Tech) -> f64 {
        let keep: f64 = self
            .burst_loss
            .iter()
            .filter(|(t, _)| *t == tech)
            .map(|(_, p)| 1.0 - p.clamp(0.0, 1.0))
            .product();
        1.0 - keep
    }
    /// Background load of a gNB: a `CellLoad` event's while it lasts, else the scenario's.
    pub fn cell_load(&self, id: &str, configured: f64) -> f64 {
        self.cell_load
            .iter()
            .find(|(g, _)| g == id)
            .map_or(configured, |(_, l)| *l)
    }
    /// Extra noise at a point from jammers, dBm (None when none reaches it).
    pub fn jam_dbm(&self, p: [f64; 2]) -> Option<f64> {
        let mut mw = 0.0;
        for (c, r, dbm) in &self.jamming {
            if (c[0] - p[0]).hypot(c[1] - p[1]) <= *r {
                mw += crate::radio::budget::dbm_to_mw(*dbm);
            }
        }
        (mw > 0.0).then(|| crate::radio::budget::mw_to_dbm(mw))
    }
}

/// Recompute the fault state: toggles take the last event at or before now; windows last
/// `for_s` seconds from their start.
pub fn update(clock: Res<SimClock>, faults: Res<Faults>, mut state: ResMut<FaultState>) {
    if faults.events.is_empty() {
        return;
    }
    let t = clock.t() + 1e-9;
    let mut s = FaultState::default();
    let toggle = |list: &mut Vec<String>, id: &str, up: bool| {
        list.retain(|x| x != id);
        if !up {
            list.push(id.to_string());
        }
    };
    for (at, action) in &faults.events {
        if *at > t {
            continue;
        }
        match action {
            Action::Gnb { id, up } => toggle(&mut s.gnb_down, id, *up),
            Action::Rsu { id, up } => toggle(&mut s.rsu_down, id, *up),
            Action::Backhaul { node, up } => toggle(&mut s.backhaul_cut, node, *up),
            Action::Jamming {
                center,
                radius,
                noise_dbm,
                for_s,
            } if t < at + for_s => {
                s.jamming.push(([center.0, center.1], *radius, *noise_dbm));
            }
            Action::LatencySpike {
                tech,
                extra_ms,
                for_s,
            } if t < at + for_s => {
                s.latency_spike.push((*tech, (extra_ms * 1000.0) as u64));
            }
            Action::BurstLoss { tech, loss, for_s } if t < at + for_s => {
                s.burst_loss.push((*tech, *loss));
            }
            Action::CellLoad { id, load, for_s } if t < at + for_s => {
                s.cell_load.retain(|(g, _)| g != id);
                s.cell_load.push((id.clone(), *load));
            }
            Action::GnssError {
                vehicle,
                sigma_m,
                for_s,
            } if t < at + for_s => {
                s.gnss.push((vehicle.clone(), *sigma_m));
            }
            _ => {}
        }
    }
    let mut active = Vec::new();
    active.extend(s.gnb_down.iter().map(|g| format!("gNB {g} down")));
    active.extend(s.rsu_down.iter().map(|r| format!("RSU {r} down")));
    active.extend(
        s.backhaul_cut
            .iter()
            .map(|b| format!("backhaul of {b} cut")),
    );
    active.extend(
        s.jamming
            .iter()
            .map(|j| format!("jamming {:.0} dBm within {:.0} m", j.2, j.1)),
    );
    active.extend(
        s.latency_spike
            .iter()
            .map(|(t, x)| format!("{} latency +{} ms", t.name(), x / 1000)),
    );
    active.extend(
        s.burst_loss
            .iter()
            .map(|(t, p)| format!("{} burst loss {:.0} %", t.name(), p * 100.0)),
    );
    active.extend(
        s.cell_load
            .iter()
            .map(|(g, l)| format!("gNB {g} load {:.0} %", l * 100.0)),
    );
    active.extend(
        s.gnss
            .iter()
            .map(|(v, x)| format!("GNSS error σ {x} m {v}")),
    );
    s.active = active;
    *state = s;
}

//! The radio faults in force at the current time, derived from the scenario's timed events.
use bevy::prelude::*;

use super::Faults;
use crate::clock::SimClock;
use crate::clock::us_from_ms;
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
    *state = FaultState::at(&faults.events, clock.t() + 1e-9);
}

impl FaultState {
    /// The faults in force at time `t` after the timed `events` (time, action).
    pub fn at(events: &[(f64, Action)], t: f64) -> FaultState {
        let mut s = FaultState::default();
        for (at, action) in events {
            if *at <= t {
                s.apply(*at, action, t);
            }
        }
        s.active = s.describe();
        s
    }

    /// Apply one event that started at `at` as seen at time `t`.
    fn apply(&mut self, at: f64, action: &Action, t: f64) {
        let toggle = |list: &mut Vec<String>, id: &str, up: bool| {
            list.retain(|x| x != id);
            if !up {
                list.push(id.to_string());
            }
        };
        match action {
            Action::Gnb { id, up } => toggle(&mut self.gnb_down, id, *up),
            Action::Rsu { id, up } => toggle(&mut self.rsu_down, id, *up),
            Action::Backhaul { node, up } => toggle(&mut self.backhaul_cut, node, *up),
            Action::Jamming {
                center,
                radius,
                noise_dbm,
                for_s,
            } if t < at + for_s => {
                self.jamming
                    .push(([center.0, center.1], *radius, *noise_dbm));
            }
            Action::LatencySpike {
                tech,
                extra_ms,
                for_s,
            } if t < at + for_s => {
                self.latency_spike.push((*tech, us_from_ms(*extra_ms)));
            }
            Action::BurstLoss { tech, loss, for_s } if t < at + for_s => {
                self.burst_loss.push((*tech, *loss));
            }
            Action::CellLoad { id, load, for_s } if t < at + for_s => {
                self.cell_load.retain(|(g, _)| g != id);
                self.cell_load.push((id.clone(), *load));
            }
            Action::GnssError {
                vehicle,
                sigma_m,
                for_s,
            } if t < at + for_s => {
                self.gnss.push((vehicle.clone(), *sigma_m));
            }
            _ => {}
        }
    }

    /// The human-readable list of the faults in force.
    fn describe(&self) -> Vec<String> {
        let s = self;
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
        active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toggles_take_the_last_event_and_windows_last_for_s() {
        let events = vec![
            (
                1.0,
                Action::Gnb {
                    id: "g1".into(),
                    up: false,
                },
            ),
            (
                5.0,
                Action::Gnb {
                    id: "g1".into(),
                    up: true,
                },
            ),
            (
                2.0,
                Action::BurstLoss {
                    tech: Tech::Pc5,
                    loss: 0.5,
                    for_s: 3.0,
                },
            ),
        ];
        let s = FaultState::at(&events, 3.0);
        assert_eq!(s.gnb_down, vec!["g1".to_string()]);
        assert_eq!(s.extra_loss(Tech::Pc5), 0.5);
        assert_eq!(s.active, vec!["gNB g1 down", "pc5 burst loss 50 %"]);
        // After the toggle back up and past the end of the window (2 s + 3 s).
        let s = FaultState::at(&events, 5.5);
        assert!(s.gnb_down.is_empty() && s.burst_loss.is_empty() && s.active.is_empty());
        // Before any event: nothing.
        assert!(FaultState::at(&events, 0.5).active.is_empty());
    }
}

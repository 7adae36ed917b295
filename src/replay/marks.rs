//! The moments a person looks for in a run, for the timeline: the scenario's events and
//! faults, pedestrians stepping off, hazard warnings, collisions, and failed expectations
//! (at the end, where they were decided). Each names the road users to look at.
use serde::{Deserialize, Serialize};

use crate::metrics::report::Report;
use crate::scenario::spec::{Action, Spec};

/// What kind of moment a mark is (its colour on the timeline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MarkKind {
    Event,
    Fault,
    Warning,
    Collision,
    Fail,
}

/// One moment on the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mark {
    /// Simulated time, s.
    pub t: f64,
    pub kind: MarkKind,
    pub text: String,
    /// Road users to look at (their track ids).
    pub who: Vec<String>,
}

/// A timed action's kind: an injected fault (radio, network, positioning), or an event on the
/// road.
pub fn kind_of(a: &Action) -> MarkKind {
    match a {
        Action::Stall { .. }
        | Action::EmergencyBrake { .. }
        | Action::CloseLane { .. }
        | Action::SetProgram { .. } => MarkKind::Event,
        _ => MarkKind::Fault,
    }
}

/// The vehicle an action is about, if any.
fn subject(a: &Action) -> Option<&str> {
    match a {
        Action::Stall { vehicle }
        | Action::EmergencyBrake { vehicle, .. }
        | Action::GnssError { vehicle, .. } => Some(vehicle.as_str()).filter(|v| !v.is_empty()),
        _ => None,
    }
}

/// Every mark of a run that reached `t_end`, in time order (kind, then text, on ties).
pub fn marks(spec: &Spec, t_end: f64, report: &Report) -> Vec<Mark> {
    let mut out: Vec<Mark> = spec
        .events
        .iter()
        .filter(|e| e.at <= t_end)
        .map(|e| {
            let window = e
                .action
                .window_s()
                .map_or(String::new(), |w| format!(" for {w:.0} s"));
            Mark {
                t: e.at.max(0.0),
                kind: kind_of(&e.action),
                text: format!("{}{window}", e.describe()),
                who: subject(&e.action).into_iter().map(String::from).collect(),
            }
        })
        .collect();
    out.extend(
        spec.pedestrians
            .iter()
            .filter(|p| p.depart <= t_end)
            .map(|p| Mark {
                t: p.depart,
                kind: MarkKind::Event,
                text: format!("pedestrian {} steps off", p.id),
                who: vec![p.id.clone()],
            }),
    );
    out.extend(report.warnings.iter().map(|w| {
        Mark {
            t: w.received_s,
            kind: MarkKind::Warning,
            text: format!(
                "{} warned of {} ({})",
                w.vehicle,
                w.hazard,
                w.kind.to_uppercase()
            ),
            who: std::iter::once(w.vehicle.clone())
                .chain(w.hazard.rsplit(' ').next().map(String::from))
                .collect(),
        }
    }));
    out.extend(report.collisions.iter().map(|c| Mark {
        t: c.time_s,
        kind: MarkKind::Collision,
        text: format!("{} and {} collide", c.a, c.b),
        who: vec![c.a.clone(), c.b.clone()],
    }));
    out.extend(
        report
            .expectations
            .iter()
            .filter(|v| !v.passed)
            .map(|v| Mark {
                t: report.sim_time_s,
                kind: MarkKind::Fail,
                text: format!(
                    "{} failed: {} (wanted {})",
                    v.expectation, v.measured, v.wanted
                ),
                who: Vec::new(),
            }),
    );
    out.sort_by(|a, b| {
        a.t.total_cmp(&b.t)
            .then(a.kind.cmp(&b.kind))
            .then(a.text.cmp(&b.text))
    });
    out
}

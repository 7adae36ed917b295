//! Building a SPaT from a junction controller's signal state.
//!
//! A fixed-time controller knows, per approach, its colour and the seconds until it changes.
//! SAE J2735 SPaT carries, per signal group, a MovementPhaseState and a MovementEvent timing
//! whose `minEndTime` / `likelyEndTime` are absolute time marks (tenths of a second within
//! the current UTC hour, J2735 DE_TimeMark; 36001 = unknown). Sangam's roadside displays
//! and in-vehicle HMI show the countdown, i.e. minEndTime − now ([`Spat::remaining_s`]).
//! Mapping: green → protected-Movement-Allowed (6), amber → protected-clearance (8),
//! red → stop-And-Remain (3) (J2735 MovementPhaseState; protected because the controller
//! signals whole approaches with no permissive movements in the scenarios).
use serde::{Deserialize, Serialize};

use super::messages::{MovementPhaseState, MovementState, Spat};

/// A signal colour as a controller shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Colour {
    Green,
    Amber,
    Red,
}

impl Colour {
    /// The J2735 movement phase state for this colour.
    pub fn phase_state(self) -> MovementPhaseState {
        match self {
            Colour::Green => MovementPhaseState::ProtectedMovementAllowed,
            Colour::Amber => MovementPhaseState::ProtectedClearance,
            Colour::Red => MovementPhaseState::StopAndRemain,
        }
    }
    /// The colour a receiver reads from a movement phase state.
    pub fn from_phase_state(s: MovementPhaseState) -> Colour {
        match s {
            MovementPhaseState::ProtectedMovementAllowed => Colour::Green,
            MovementPhaseState::ProtectedClearance => Colour::Amber,
            MovementPhaseState::StopAndRemain => Colour::Red,
        }
    }
}

/// One approach's signal as the controller reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApproachState {
    /// Scenario link id of the approach.
    pub link: String,
    pub colour: Colour,
    /// Seconds until the colour changes.
    pub remaining_s: f64,
}

/// Build the SPaT of one intersection at `now_s`. Signal groups are numbered 1, 2, … in
/// the order of `approaches` (keep that order fixed, e.g. the junction's link order).
pub fn build_spat(intersection_id: &str, now_s: f64, approaches: &[ApproachState]) -> Spat {
    let states = approaches
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let end = now_s + a.remaining_s.max(0.0);
            MovementState {
                signal_group: u8::try_from(i + 1).unwrap_or(u8::MAX),
                link: a.link.clone(),
                state: a.colour.phase_state(),
                min_end_time_s: end,
                likely_end_time_s: end,
            }
        })
        .collect();
    Spat {
        intersection_id: intersection_id.to_owned(),
        timestamp_s: now_s,
        states,
    }
}

/// J2735 TimeMark of an absolute time: tenths of a second since the start of the hour
/// (0..=35999), rounded down. Simulated time 0 is taken as the top of an hour.
pub fn time_mark(t_s: f64) -> u16 {
    ((t_s.max(0.0) * 10.0).floor() as u64 % 36_000) as u16
}

/// TimeMark value meaning "unknown" (J2735 DE_TimeMark).
pub const TIME_MARK_UNKNOWN: u16 = 36_001;

/// The whole-second countdown a display shows (rounded up, so "1" until the change).
pub fn displayed_countdown_s(remaining_s: f64) -> u32 {
    remaining_s.max(0.0).ceil() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(link: &str, colour: Colour, remaining_s: f64) -> ApproachState {
        ApproachState {
            link: link.into(),
            colour,
            remaining_s,
        }
    }

    #[test]
    fn builds_states_and_timing() {
        let s = build_spat(
            "dmc-1",
            100.0,
            &[
                a("n_in", Colour::Green, 12.3),
                a("e_in", Colour::Red, 17.3),
                a("s_in", Colour::Amber, 2.0),
            ],
        );
        assert_eq!(s.intersection_id, "dmc-1");
        assert_eq!(s.timestamp_s, 100.0);
        let got: Vec<_> = s
            .states
            .iter()
            .map(|m| (m.signal_group, m.state.j2735()))
            .collect();
        assert_eq!(got, [(1, 6), (2, 3), (3, 8)]);
        let n = s.for_link("n_in").unwrap();
        assert!((n.min_end_time_s - 112.3).abs() < 1e-9);
        assert_eq!(n.min_end_time_s, n.likely_end_time_s);
        assert!((s.remaining_s("e_in", 105.0).unwrap() - 12.3).abs() < 1e-9);
        assert_eq!(s.remaining_s("e_in", 200.0), Some(0.0));
        assert_eq!(s.remaining_s("nowhere", 0.0), None);
        assert_eq!(Colour::from_phase_state(s.states[2].state), Colour::Amber);
    }

    #[test]
    fn negative_remaining_is_now() {
        let s = build_spat("j", 5.0, &[a("l", Colour::Red, -1.0)]);
        assert_eq!(s.states[0].min_end_time_s, 5.0);
    }

    #[test]
    fn time_marks_and_countdown() {
        assert_eq!(time_mark(0.0), 0);
        assert_eq!(time_mark(112.34), 1123);
        assert_eq!(time_mark(3600.0), 0);
        assert_eq!(time_mark(3599.95), 35999);
        assert_eq!(displayed_countdown_s(12.3), 13);
        assert_eq!(displayed_countdown_s(0.0), 0);
        for c in [Colour::Green, Colour::Amber, Colour::Red] {
            assert_eq!(Colour::from_phase_state(c.phase_state()), c);
        }
    }
}

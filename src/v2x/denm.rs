//! DENM lifecycle, ETSI EN 302 637-3: trigger, repetition, update, termination, expiry,
//! and the receiver's view (new / update / repetition / termination, relevance area).
//!
//! * Trigger: an originator creates an ActionID and sends at once; it repeats the same DENM
//!   (same referenceTime) every `repetition_interval_s` until detection time + validity
//!   (EN 302 637-3 §8.1: repetitionInterval, validityDuration; reference §4c gives the
//!   default validity 600 s; `MessageSpec` defaults: repeat 0.1 s, validity 60 s, radius
//!   500 m).
//! * Update: new content, new referenceTime, same ActionID. Termination: one final DENM with
//!   `termination` set, after which the originator is done.
//! * Receivers keep a table by ActionID (EN 302 637-3 §8.2): a newer referenceTime is an
//!   update, the same one a repetition to ignore, a termination removes the entry. The
//!   relevance area is a circle of `relevance_radius_m` around the event.
use std::collections::BTreeMap;

use super::messages::{ActionId, Denm, DenmEvent};
use crate::scenario::spec::{MessageSpec, Point};

/// The sending side of one event.
#[derive(Debug, Clone, PartialEq)]
pub struct DenmOriginator {
    denm: Denm,
    next_tx_s: f64,
    done: bool,
}

impl DenmOriginator {
    /// Start an event detected at `now_s`; the first DENM is due immediately.
    pub fn trigger(
        action_id: ActionId,
        event: DenmEvent,
        pos: Point,
        now_s: f64,
        repetition_interval_s: f64,
        validity_s: f64,
        relevance_radius_m: f64,
    ) -> Self {
        DenmOriginator {
            denm: Denm {
                action_id,
                event,
                pos,
                relevance_radius_m,
                detection_time_s: now_s,
                reference_time_s: now_s,
                validity_s,
                repetition_interval_s,
                termination: false,
                event_speed: None,
                event_heading_rad: None,
            },
            next_tx_s: now_s,
            done: false,
        }
    }

    /// The event moves: report its speed and heading at detection (EN 302 637-3
    /// LocationContainer `eventSpeed`, `eventPositionHeading`), as an EEBL DENM does.
    pub fn with_motion(mut self, speed: f64, heading_rad: f64) -> Self {
        self.denm.event_speed = Some(speed);
        self.denm.event_heading_rad = Some(heading_rad);
        self
    }

    /// [`trigger`](Self::trigger) with the scenario's `MessageSpec` parameters.
    pub fn from_spec(
        action_id: ActionId,
        event: DenmEvent,
        pos: Point,
        now_s: f64,
        spec: &MessageSpec,
    ) -> Self {
        Self::trigger(
            action_id,
            event,
            pos,
            now_s,
            spec.denm_repeat,
            spec.denm_validity,
            spec.denm_radius,
        )
    }

    /// The current DENM content.
    pub fn denm(&self) -> &Denm {
        &self.denm
    }

    /// End of validity, s.
    pub fn expires_at_s(&self) -> f64 {
        self.denm.detection_time_s + self.denm.validity_s
    }

    /// True once validity ran out or the termination was sent; drop the originator then.
    pub fn expired(&self, now_s: f64) -> bool {
        self.done || now_s >= self.expires_at_s()
    }

    /// Is a transmission due at `now_s`?
    pub fn due(&self, now_s: f64) -> bool {
        !self.expired(now_s) && now_s >= self.next_tx_s - 1e-9
    }

    /// The DENM to send now, if one is due; advances the repetition schedule on the grid
    /// detection + k · interval (missed slots are skipped, not sent in a burst).
    pub fn poll(&mut self, now_s: f64) -> Option<Denm> {
        if !self.due(now_s) {
            return None;
        }
        let out = self.denm.clone();
        if out.termination {
            self.done = true;
        } else if self.denm.repetition_interval_s > 0.0 {
            let step = self.denm.repetition_interval_s;
            let k = ((now_s - self.next_tx_s) / step + 1e-9).floor() + 1.0;
            self.next_tx_s += k * step;
        } else {
            // No repetition: a single transmission.
            self.next_tx_s = f64::INFINITY;
        }
        Some(out)
    }

    /// New content for the same event (e.g. the position moved): new referenceTime, sent at
    /// once.
    pub fn update(&mut self, now_s: f64, pos: Point) {
        self.denm.pos = pos;
        self.denm.reference_time_s = now_s;
        self.next_tx_s = now_s;
    }

    /// The event is over: the next poll sends one termination DENM, then the originator is
    /// expired.
    pub fn terminate(&mut self, now_s: f64) {
        self.denm.termination = true;
        self.denm.reference_time_s = now_s;
        self.next_tx_s = now_s;
    }
}

/// Is a receiver at `pos` inside the DENM's relevance area?
pub fn is_relevant(denm: &Denm, pos: Point) -> bool {
    (pos.0 - denm.pos.0).hypot(pos.1 - denm.pos.1) <= denm.relevance_radius_m
}

/// Is the DENM's information still valid at `now_s`?
pub fn is_valid_at(denm: &Denm, now_s: f64) -> bool {
    !denm.termination && now_s < denm.detection_time_s + denm.validity_s
}

/// What a received DENM means to the receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenmUpdate {
    /// A new event.
    New,
    /// Newer content for a known event.
    Updated,
    /// A repetition of what is known: nothing to do.
    Repetition,
    /// The event ended (entry removed).
    Terminated,
    /// Expired, older than what is known, or a termination for an unknown event: ignored.
    Ignored,
}

/// A receiver's table of known events, keyed by ActionID (ordered, so iteration is
/// deterministic).
#[derive(Debug, Clone, Default)]
pub struct DenmTable {
    known: BTreeMap<ActionId, Denm>,
}

impl DenmTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// Take a received DENM into account.
    pub fn accept(&mut self, denm: &Denm, now_s: f64) -> DenmUpdate {
        let known = self.known.get(&denm.action_id);
        if denm.termination {
            return match known {
                Some(k) if denm.reference_time_s >= k.reference_time_s => {
                    self.known.remove(&denm.action_id);
                    DenmUpdate::Terminated
                }
                _ => DenmUpdate::Ignored,
            };
        }
        if !is_valid_at(denm, now_s) {
            return DenmUpdate::Ignored;
        }
        let result = match known {
            None => DenmUpdate::New,
            Some(k) if denm.reference_time_s > k.reference_time_s => DenmUpdate::Updated,
            Some(k) if denm.reference_time_s == k.reference_time_s => {
                return DenmUpdate::Repetition;
            }
            Some(_) => return DenmUpdate::Ignored,
        };
        self.known.insert(denm.action_id, denm.clone());
        result
    }

    /// Remove events whose validity ended.
    pub fn prune(&mut self, now_s: f64) {
        self.known.retain(|_, d| is_valid_at(d, now_s));
    }

    /// Known, still valid events in ActionID order.
    pub fn active(&self, now_s: f64) -> impl Iterator<Item = &Denm> {
        self.known.values().filter(move |d| is_valid_at(d, now_s))
    }

    pub fn len(&self) -> usize {
        self.known.len()
    }

    pub fn is_empty(&self) -> bool {
        self.known.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: ActionId = ActionId {
        station_id: 7,
        sequence: 1,
    };

    fn origin() -> DenmOriginator {
        DenmOriginator::trigger(
            ID,
            DenmEvent::StalledVehicle,
            (100.0, 0.0),
            10.0,
            0.1,
            2.0,
            500.0,
        )
    }

    #[test]
    fn repetition_and_expiry() {
        let mut o = origin();
        let mut sent = vec![];
        for k in 0..400 {
            let t = 10.0 + k as f64 * 0.01;
            if let Some(d) = o.poll(t) {
                assert_eq!(d.reference_time_s, 10.0);
                sent.push(k);
            }
        }
        // Every 100 ms from 10.0 up to (not including) 12.0: 20 transmissions.
        assert_eq!(sent.len(), 20);
        assert!(sent.windows(2).all(|w| w[1] - w[0] == 10));
        assert!(o.expired(12.0) && !o.expired(11.99));
        assert!(!o.due(12.5));
    }

    #[test]
    fn spec_defaults_and_skipped_slots() {
        let mut o = DenmOriginator::from_spec(
            ID,
            DenmEvent::RoadWorks,
            (0.0, 0.0),
            0.0,
            &MessageSpec::default(),
        );
        assert_eq!(o.expires_at_s(), 60.0);
        assert_eq!(o.denm().relevance_radius_m, 500.0);
        assert!(o.poll(0.0).is_some());
        assert!(o.poll(0.05).is_none());
        assert!(o.poll(0.35).is_some()); // late caller: one DENM, not three
        assert!(o.poll(0.39).is_none());
        assert!(o.due(0.4));
    }

    #[test]
    fn receiver_table() {
        let mut o = origin();
        let mut rx = DenmTable::new();
        let d1 = o.poll(10.0).unwrap();
        assert_eq!(rx.accept(&d1, 10.0), DenmUpdate::New);
        let d2 = o.poll(10.1).unwrap();
        assert_eq!(rx.accept(&d2, 10.1), DenmUpdate::Repetition);
        o.update(10.5, (120.0, 0.0));
        let d3 = o.poll(10.5).unwrap();
        assert_eq!(rx.accept(&d3, 10.5), DenmUpdate::Updated);
        assert_eq!(rx.accept(&d1, 10.6), DenmUpdate::Ignored); // stale copy
        assert_eq!(rx.active(10.6).next().unwrap().pos, (120.0, 0.0));
        o.terminate(11.0);
        let t = o.poll(11.0).unwrap();
        assert!(t.termination);
        assert!(o.expired(11.0));
        assert_eq!(rx.accept(&t, 11.0), DenmUpdate::Terminated);
        assert!(rx.is_empty());
        assert_eq!(rx.accept(&t, 11.0), DenmUpdate::Ignored);
        // Expired DENMs are ignored and pruned.
        assert_eq!(rx.accept(&d1, 13.0), DenmUpdate::Ignored);
        rx.accept(&d1, 10.0);
        rx.prune(12.0);
        assert_eq!(rx.len(), 0);
    }

    #[test]
    fn relevance() {
        let d = origin().denm().clone();
        assert!(is_relevant(&d, (600.0, 0.0)));
        assert!(!is_relevant(&d, (600.1, 0.0)));
        assert!(is_valid_at(&d, 11.9) && !is_valid_at(&d, 12.0));
    }

    #[test]
    fn a_moving_event_carries_its_speed_and_heading_in_every_copy() {
        assert_eq!(origin().denm().event_speed, None);
        let mut o = origin().with_motion(13.5, 0.25);
        let d = o.poll(10.0).unwrap();
        assert_eq!(
            (d.event_speed, d.event_heading_rad),
            (Some(13.5), Some(0.25))
        );
        o.update(10.5, (120.0, 0.0));
        assert_eq!(o.poll(10.5).unwrap().event_speed, Some(13.5));
    }
}

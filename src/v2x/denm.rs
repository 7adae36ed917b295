//! DENM lifecycle, ETSI EN 302 637-3: trigger, repetition, update, termination, expiry,
//! and the receiver's view (new / update / repetition / termination, relevance area).
//! docs/v2x-models.md#v2xdenm states the rules; the tests below check each against the
//! clause it comes from.
//!
//! * Trigger (§8.2.1.5, AppDENM_trigger): a new event takes a new ActionID and is sent at
//!   once. The DENM is repeated unchanged (same referenceTime) every `repetitionInterval`
//!   for `repetitionDuration`; both are the application's settings, not carried in the
//!   DENM, and repetition never outlasts `validityDuration` counted from the detection time
//!   (T_O_Validity; default 600 s, §8.2.1.5 and reference §4c). No interval: sent once.
//! * Expiry: when T_O_Validity runs out the originator stops; the ActionID is not reused.
//! * Update (AppDENM_update): new content, new detection and reference times, the same
//!   ActionID; T_O_Validity and the repetition restart. An event that is still there when
//!   its validity would end is updated on the last repetition slot before the end, so the
//!   repetition grid and the information at receivers run on without a gap.
//! * Termination (AppDENM_termination, cancellation): the same ActionID with `termination`
//!   set, repeated as the event was; after it the originator is done.
//! * Receivers keep a table by ActionID (§8.4): a newer referenceTime is an update, the same
//!   one a repetition to ignore, a termination removes the entry. The relevance area is a
//!   circle of `relevance_radius_m` around the event.
use std::collections::BTreeMap;

use super::messages::{ActionId, Denm, DenmEvent};
use crate::scenario::spec::{MessageSpec, Point};

/// Tolerance for comparing times on the repetition grid, s (well below a 1 ms step).
const EPS_S: f64 = 1e-9;

/// When an originator sends and how long its information holds: the application's
/// parameters of EN 302 637-3 §8.2.1.5.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DenmTiming {
    /// `repetitionInterval`, s; 0 sends each DENM once.
    pub interval_s: f64,
    /// `repetitionDuration`, s from the trigger, update or termination; `None` repeats until
    /// the validity ends.
    pub duration_s: Option<f64>,
    /// `validityDuration`, s from the detection time.
    pub validity_s: f64,
    /// Relevance area radius, m.
    pub radius_m: f64,
}

impl DenmTiming {
    /// The scenario's DENM settings (`v2x.messages`).
    pub fn of(spec: &MessageSpec) -> Self {
        DenmTiming {
            interval_s: spec.denm_repeat,
            duration_s: spec.denm_repeat_duration,
            validity_s: spec.denm_validity,
            radius_m: spec.denm_radius,
        }
    }

    /// The scenario's EEBL settings: the DENM timing with the EEBL validity and radius.
    pub fn eebl(spec: &MessageSpec) -> Self {
        DenmTiming {
            validity_s: spec.eebl_validity,
            radius_m: spec.eebl_radius,
            ..Self::of(spec)
        }
    }
}

/// The sending side of one event.
#[derive(Debug, Clone, PartialEq)]
pub struct DenmOriginator {
    denm: Denm,
    timing: DenmTiming,
    /// Next repetition slot, s (infinite when nothing more is due).
    next_tx_s: f64,
    /// Repetitions stop here, s.
    repeat_until_s: f64,
    done: bool,
}

impl DenmOriginator {
    /// Start an event detected at `now_s`; the first DENM is due immediately.
    pub fn trigger(
        action_id: ActionId,
        event: DenmEvent,
        pos: Point,
        now_s: f64,
        timing: DenmTiming,
    ) -> Self {
        let mut o = DenmOriginator {
            denm: Denm {
                action_id,
                event,
                pos,
                relevance_radius_m: timing.radius_m,
                detection_time_s: now_s,
                reference_time_s: now_s,
                validity_s: timing.validity_s,
                termination: false,
                event_speed: None,
                event_heading_rad: None,
                hazard: None,
            },
            timing,
            next_tx_s: now_s,
            repeat_until_s: now_s,
            done: false,
        };
        o.start_burst(now_s);
        o
    }

    /// The event moves: report its speed and heading at detection (EN 302 637-3
    /// LocationContainer `eventSpeed`, `eventPositionHeading`), as an EEBL DENM does.
    pub fn with_motion(mut self, speed: f64, heading_rad: f64) -> Self {
        self.denm.event_speed = Some(speed);
        self.denm.event_heading_rad = Some(heading_rad);
        self
    }

    /// The event is the simulated hazard `id` (ground truth for the metrics).
    pub fn about_hazard(mut self, id: u32) -> Self {
        self.denm.hazard = Some(id);
        self
    }

    /// The current DENM content.
    pub fn denm(&self) -> &Denm {
        &self.denm
    }

    /// End of validity, s (T_O_Validity).
    pub fn expires_at_s(&self) -> f64 {
        self.denm.detection_time_s + self.denm.validity_s
    }

    /// True once validity ran out or the termination's repetitions are over: drop the
    /// originator then.
    pub fn expired(&self, now_s: f64) -> bool {
        self.done || (!self.denm.termination && now_s >= self.expires_at_s())
    }

    /// Is a transmission due at `now_s`?
    pub fn due(&self, now_s: f64) -> bool {
        !self.expired(now_s) && now_s >= self.next_tx_s - EPS_S
    }

    /// Send at `now_s` and repeat from there for the repetition duration, within validity.
    fn start_burst(&mut self, now_s: f64) {
        let duration = self.timing.duration_s.unwrap_or(f64::INFINITY);
        self.next_tx_s = now_s;
        self.repeat_until_s = (now_s + duration).min(self.expires_at_s());
    }

    /// The last repetition slot before validity ends, s: where a lasting event is updated.
    fn refresh_at_s(&self) -> f64 {
        let (start, interval) = (self.denm.detection_time_s, self.timing.interval_s);
        if interval <= 0.0 {
            return self.expires_at_s();
        }
        let slots = (self.denm.validity_s / interval - EPS_S).ceil().max(1.0);
        start + (slots - 1.0) * interval
    }

    /// The DENM to send now, if one is due. `present`: the application still detects the
    /// event, so it is updated before its validity ends instead of expiring. Repetitions run
    /// on the grid trigger + k · interval (missed slots are skipped, not sent in a burst).
    pub fn poll(&mut self, now_s: f64, present: bool) -> Option<Denm> {
        if present && !self.denm.termination && !self.done && now_s >= self.refresh_at_s() - EPS_S {
            let pos = self.denm.pos;
            self.update(now_s, pos);
        }
        if !self.due(now_s) {
            return None;
        }
        let out = self.denm.clone();
        let step = self.timing.interval_s;
        if step > 0.0 {
            let k = ((now_s - self.next_tx_s) / step + EPS_S).floor() + 1.0;
            self.next_tx_s += k * step;
        } else {
            self.next_tx_s = f64::INFINITY;
        }
        if self.next_tx_s >= self.repeat_until_s - EPS_S {
            self.next_tx_s = f64::INFINITY;
            self.done |= self.denm.termination;
        }
        Some(out)
    }

    /// New content for the same event (AppDENM_update): new detection and reference times,
    /// validity and repetition restart, sent at once.
    pub fn update(&mut self, now_s: f64, pos: Point) {
        self.denm.pos = pos;
        self.denm.detection_time_s = now_s;
        self.denm.reference_time_s = now_s;
        self.start_burst(now_s);
    }

    /// The event is over (AppDENM_termination): the termination DENM is sent now and repeated
    /// as the event was, then the originator is done.
    pub fn terminate(&mut self, now_s: f64) {
        if self.denm.termination || self.expired(now_s) {
            return;
        }
        self.denm.termination = true;
        self.denm.reference_time_s = now_s;
        self.start_burst(now_s);
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

    fn timing(interval_s: f64, duration_s: Option<f64>, validity_s: f64) -> DenmTiming {
        DenmTiming {
            interval_s,
            duration_s,
            validity_s,
            radius_m: 500.0,
        }
    }

    fn origin() -> DenmOriginator {
        let t = timing(0.1, None, 2.0);
        DenmOriginator::trigger(ID, DenmEvent::StalledVehicle, (100.0, 0.0), 10.0, t)
    }

    /// Poll every 10 ms from `t0` for `n` steps; the step numbers and DENMs sent.
    fn log(o: &mut DenmOriginator, t0: f64, n: usize, present: bool) -> Vec<(usize, Denm)> {
        (0..n)
            .filter_map(|k| o.poll(t0 + k as f64 * 0.01, present).map(|d| (k, d)))
            .collect()
    }

    /// §8.2.1.5: repeated every repetitionInterval with the same referenceTime until
    /// T_O_Validity; then nothing, and the ActionID is done.
    #[test]
    fn an_event_repeats_on_its_interval_until_validity_ends() {
        let mut o = origin();
        let sent = log(&mut o, 10.0, 400, false);
        assert_eq!(sent.len(), 20);
        assert!(sent.windows(2).all(|w| w[1].0 - w[0].0 == 10));
        assert!(sent.iter().all(|(_, d)| d.reference_time_s == 10.0));
        assert!(o.expired(12.0) && !o.expired(11.99));
        assert!(!o.due(12.5));
    }

    /// repetitionDuration is its own setting: repetition stops after it while the DENM stays
    /// valid; it never runs past the validity.
    #[test]
    fn repetition_duration_and_validity_are_separate() {
        let t = timing(0.1, Some(0.5), 2.0);
        let mut o = DenmOriginator::trigger(ID, DenmEvent::RoadWorks, (0.0, 0.0), 0.0, t);
        let sent = log(&mut o, 0.0, 300, false);
        assert_eq!(
            sent.iter().map(|s| s.0).collect::<Vec<_>>(),
            [0, 10, 20, 30, 40]
        );
        assert!(!o.expired(1.5) && o.expired(2.0));
        let long = timing(0.1, Some(10.0), 1.0);
        let mut o = DenmOriginator::trigger(ID, DenmEvent::RoadWorks, (0.0, 0.0), 0.0, long);
        assert_eq!(log(&mut o, 0.0, 300, false).len(), 10);
    }

    /// No repetition interval: the DENM goes out once.
    #[test]
    fn without_an_interval_a_denm_is_sent_once() {
        let t = timing(0.0, None, 2.0);
        let mut o = DenmOriginator::trigger(ID, DenmEvent::RoadWorks, (0.0, 0.0), 0.0, t);
        assert_eq!(log(&mut o, 0.0, 150, false).len(), 1);
    }

    /// ETSI's default validity (600 s) is the scenario default; slots missed by a late caller
    /// are skipped, not sent in a burst.
    #[test]
    fn spec_defaults_and_skipped_slots() {
        let t = DenmTiming::of(&MessageSpec::default());
        let mut o = DenmOriginator::trigger(ID, DenmEvent::RoadWorks, (0.0, 0.0), 0.0, t);
        assert_eq!(o.expires_at_s(), 600.0);
        assert_eq!(o.denm().relevance_radius_m, 500.0);
        assert!(o.poll(0.0, true).is_some());
        assert!(o.poll(0.05, true).is_none());
        assert!(o.poll(0.35, true).is_some()); // late caller: one DENM, not three
        assert!(o.poll(0.39, true).is_none());
        assert!(o.due(0.4));
    }

    /// An event still present at the end of its validity is updated (same ActionID, new
    /// reference time) on the repetition grid: one ActionID, an unbroken 100 ms grid, and the
    /// information valid at every instant.
    #[test]
    fn a_lasting_event_is_updated_on_its_grid_and_never_recreated() {
        let mut o = origin();
        let sent = log(&mut o, 10.0, 1000, true);
        assert_eq!(sent.len(), 100);
        assert!(sent.windows(2).all(|w| w[1].0 - w[0].0 == 10));
        assert!(
            sent.iter()
                .all(|(_, d)| d.action_id == ID && !d.termination)
        );
        let refs: Vec<f64> = sent.iter().map(|(_, d)| d.reference_time_s).collect();
        let updates = refs.windows(2).filter(|w| w[1] > w[0]).count();
        assert_eq!(updates, 5, "updated every 1.9 s over 10 s: {refs:?}");
        for w in sent.windows(2) {
            assert!(is_valid_at(&w[0].1, 10.0 + w[1].0 as f64 * 0.01 - 0.005));
        }
    }

    /// AppDENM_termination: the same ActionID with `termination`, repeated as the event was,
    /// then the originator is done for good.
    #[test]
    fn a_termination_keeps_the_action_id_and_ends_it() {
        let t = timing(0.1, Some(0.3), 60.0);
        let mut o = DenmOriginator::trigger(ID, DenmEvent::RoadWorks, (0.0, 0.0), 0.0, t);
        log(&mut o, 0.0, 100, true);
        o.terminate(1.0);
        let sent = log(&mut o, 1.0, 200, true);
        assert_eq!(sent.iter().map(|s| s.0).collect::<Vec<_>>(), [0, 10, 20]);
        assert!(sent.iter().all(|(_, d)| d.termination && d.action_id == ID));
        assert!(sent.iter().all(|(_, d)| d.reference_time_s == 1.0));
        assert!(o.expired(1.3));
    }

    #[test]
    fn receiver_table() {
        let mut o = origin();
        let mut rx = DenmTable::new();
        let d1 = o.poll(10.0, false).unwrap();
        assert_eq!(rx.accept(&d1, 10.0), DenmUpdate::New);
        let d2 = o.poll(10.1, false).unwrap();
        assert_eq!(rx.accept(&d2, 10.1), DenmUpdate::Repetition);
        o.update(10.5, (120.0, 0.0));
        let d3 = o.poll(10.5, false).unwrap();
        assert_eq!(rx.accept(&d3, 10.5), DenmUpdate::Updated);
        assert_eq!(rx.accept(&d1, 10.6), DenmUpdate::Ignored); // stale copy
        assert_eq!(rx.active(10.6).next().unwrap().pos, (120.0, 0.0));
        o.terminate(11.0);
        let t = o.poll(11.0, false).unwrap();
        assert!(t.termination);
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
        let d = o.poll(10.0, false).unwrap();
        assert_eq!(
            (d.event_speed, d.event_heading_rad),
            (Some(13.5), Some(0.25))
        );
        o.update(10.5, (120.0, 0.0));
        assert_eq!(o.poll(10.5, false).unwrap().event_speed, Some(13.5));
    }
}

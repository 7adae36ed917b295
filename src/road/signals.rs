//! Fixed-time signal programs, compiled into per-link colour timelines over one cycle.
//!
//! Each phase is green for its links, then amber (3 s default: Korean Road Traffic Act practice
//! for 50-60 km/h roads), then all-red clearance (2 s default), then the next phase. A link green
//! in two consecutive phases stays green through the change.
use crate::scenario::spec::{Phase, SignalProgram};

/// The colour shown to one approach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Colour {
    Green,
    Amber,
    Red,
}

impl Colour {
    pub fn name(self) -> &'static str {
        match self {
            Colour::Green => "green",
            Colour::Amber => "amber",
            Colour::Red => "red",
        }
    }
}

/// One interval of a link's timeline, in seconds from the cycle start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub start: f64,
    pub end: f64,
    pub colour: Colour,
}

/// A compiled program: cycle, offset and a merged timeline per controlled link.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub cycle: f64,
    pub offset: f64,
    /// (link index, timeline covering [0, cycle)), sorted by link index: green while any
    /// movement of the link is green (what the approach's signal head, SPaT and the view show).
    pub timelines: Vec<(u32, Vec<Interval>)>,
    /// Movements named in a phase's `turns` or `permissive`, with their own timing, sorted.
    pub turns: Vec<((u32, u32), TurnTiming)>,
    /// Links with a movement timed on its own: the timeline of their other movements (green
    /// only in the phases that give the whole link green), sorted.
    pub rest: Vec<(u32, Vec<Interval>)>,
    /// Each phase's start in the cycle and its green duration, s (its change interval
    /// follows): what TraCI's phase index, phase duration and next switch report.
    pub phases: Vec<(f64, f64)>,
}

/// The timing of one movement that has its own.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnTiming {
    pub timeline: Vec<Interval>,
    /// Cycle-time spans of its permissive green (it yields to the protected movements).
    pub permissive: Vec<(f64, f64)>,
}

/// What a driver or a SPaT message sees of one approach at one time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignalState {
    pub colour: Colour,
    /// Seconds until the colour changes.
    pub remaining: f64,
    /// Seconds until the start of the next green (0 when green).
    pub to_next_green: f64,
    /// Length of that next (or current) green, s.
    pub green_len: f64,
}

/// How a phase treats movement `(from, to)` (ids resolved): green at all, and permissive.
fn phase_gives(
    p: &Phase,
    turn: (u32, u32),
    resolve: &impl Fn(&str) -> Option<u32>,
) -> (bool, bool) {
    let is = |(a, b): &(String, String)| resolve(a) == Some(turn.0) && resolve(b) == Some(turn.1);
    let permissive = p.permissive.iter().any(is);
    let whole = p.green.iter().any(|id| resolve(id) == Some(turn.0));
    (whole || permissive || p.turns.iter().any(is), permissive)
}

impl Program {
    /// Compile a spec program; `resolve` maps link ids to indices (unknown ids are skipped:
    /// validation already reported them).
    pub fn compile(spec: &SignalProgram, resolve: impl Fn(&str) -> Option<u32>) -> Program {
        let amber = spec.amber.max(0.0);
        let all_red = spec.all_red.max(0.0);
        let cycle: f64 = spec
            .phases
            .iter()
            .map(|p| p.duration.max(0.0) + amber + all_red)
            .sum();
        let pair = |(a, b): &(String, String)| Some((resolve(a)?, resolve(b)?));
        let mut turns: Vec<(u32, u32)> = spec
            .phases
            .iter()
            .flat_map(|p| p.turns.iter().chain(&p.permissive).filter_map(pair))
            .collect();
        turns.sort_unstable();
        turns.dedup();
        let mut links: Vec<u32> = spec
            .phases
            .iter()
            .flat_map(|p| p.green.iter().filter_map(|id| resolve(id)))
            .chain(turns.iter().map(|t| t.0))
            .collect();
        links.sort_unstable();
        links.dedup();
        let line = |greens: Vec<bool>| timeline(spec, &greens, amber, all_red);
        let whole = |link: u32| -> Vec<bool> {
            let green = |p: &Phase| p.green.iter().any(|id| resolve(id) == Some(link));
            spec.phases.iter().map(green).collect()
        };
        let timelines = links
            .iter()
            .map(|&link| {
                let any = |p: &Phase| {
                    turns
                        .iter()
                        .any(|t| t.0 == link && phase_gives(p, *t, &resolve).0)
                };
                let greens = whole(link)
                    .into_iter()
                    .zip(&spec.phases)
                    .map(|(w, p)| w || any(p));
                (link, line(greens.collect()))
            })
            .collect();
        let mut rest: Vec<(u32, Vec<Interval>)> = Vec::new();
        for &(link, _) in &turns {
            if rest.last().is_none_or(|r| r.0 != link) {
                rest.push((link, line(whole(link))));
            }
        }
        let turns = turns
            .into_iter()
            .map(|t| {
                let gives: Vec<(bool, bool)> = spec
                    .phases
                    .iter()
                    .map(|p| phase_gives(p, t, &resolve))
                    .collect();
                let timing = TurnTiming {
                    timeline: line(gives.iter().map(|g| g.0).collect()),
                    permissive: permissive_spans(spec, &gives, amber + all_red),
                };
                (t, timing)
            })
            .collect();
        let mut start = 0.0;
        let phases = spec
            .phases
            .iter()
            .map(|p| {
                let green = p.duration.max(0.0);
                let at = start;
                start += green + amber + all_red;
                (at, green)
            })
            .collect();
        Program {
            cycle,
            offset: spec.offset,
            timelines,
            turns,
            rest,
            phases,
        }
    }

    /// The phase running at time `t` and the time it started, s (None for a program without
    /// phases).
    pub fn phase_at(&self, t: f64) -> Option<(usize, f64)> {
        let tc = self.cycle_time(t);
        let i = self.phases.iter().rposition(|&(start, _)| start <= tc)?;
        Some((i, t - (tc - self.phases[i].0)))
    }

    /// Shift the cycle so that the current phase's green ends `d` seconds after `t` (TraCI
    /// `setPhaseDuration`): its change interval and the later phases follow as programmed.
    /// `d` may not exceed the phase's programmed green.
    pub fn green_for(&mut self, d: f64, t: f64) -> Result<(), String> {
        let (i, _) = self.phase_at(t).ok_or("the program has no phases")?;
        let (start, green) = self.phases[i];
        if !(0.0..=green).contains(&d) {
            return Err(format!(
                "the remaining green must be between 0 and the phase's {green} s, got {d}"
            ));
        }
        self.offset = (t - (start + green - d)).rem_euclid(self.cycle.max(1e-9));
        Ok(())
    }

    /// Restart the cycle so that phase `i` begins at time `t` (TraCI `setPhase`).
    pub fn jump_to_phase(&mut self, i: usize, t: f64) {
        if let Some(&(start, _)) = self.phases.get(i) {
            self.offset = (t - start).rem_euclid(self.cycle.max(1e-9));
        }
    }

    /// The timeline of a link, if this program controls it.
    pub fn timeline(&self, link: u32) -> Option<&[Interval]> {
        find(&self.timelines, &link).map(Vec::as_slice)
    }

    /// Colour and timing for `link` at time `t`; links the program does not name are red.
    pub fn state(&self, link: u32, t: f64) -> SignalState {
        self.state_on(self.timeline(link), t)
    }

    /// Colour and timing of the movement from `link` onto `next` at time `t`: its own timing
    /// if a phase names it, else its link's.
    pub fn turn_state(&self, link: u32, next: u32, t: f64) -> SignalState {
        let own = find(&self.turns, &(link, next)).map(|tt| tt.timeline.as_slice());
        let tl = own.or_else(|| find(&self.rest, &link).map(Vec::as_slice));
        self.state_on(tl.or_else(|| self.timeline(link)), t)
    }

    /// Is the movement from `link` onto `next` on a permissive green at time `t` (it goes
    /// only through gaps in the protected movements crossing it)?
    pub fn permissive(&self, link: u32, next: u32, t: f64) -> bool {
        let Some(tt) = find(&self.turns, &(link, next)) else {
            return false;
        };
        let tc = self.cycle_time(t);
        tt.permissive.iter().any(|&(a, b)| a <= tc && tc < b)
    }

    /// Does the movement from `link` onto `next` ever have a permissive green (a driver on it
    /// who has entered the box waits there for a gap)?
    pub fn yields(&self, link: u32, next: u32) -> bool {
        find(&self.turns, &(link, next)).is_some_and(|tt| !tt.permissive.is_empty())
    }

    /// Time within the cycle.
    fn cycle_time(&self, t: f64) -> f64 {
        (t - self.offset).rem_euclid(self.cycle)
    }

    fn state_on(&self, tl: Option<&[Interval]>, t: f64) -> SignalState {
        let red = SignalState {
            colour: Colour::Red,
            remaining: f64::INFINITY,
            to_next_green: f64::INFINITY,
            green_len: 0.0,
        };
        let Some(tl) = tl else {
            return red;
        };
        if self.cycle <= 0.0 || tl.is_empty() {
            return red;
        }
        let tc = self.cycle_time(t);
        let i = tl.iter().position(|iv| tc < iv.end).unwrap_or(tl.len() - 1);
        let cur = tl[i];
        // Remaining time, continuing across the cycle wrap while the colour stays the same.
        let mut remaining = cur.end - tc;
        let mut j = i;
        for _ in 0..tl.len() {
            let next = tl[(j + 1) % tl.len()];
            if next.colour != cur.colour || tl.len() == 1 {
                break;
            }
            remaining += next.end - next.start;
            j = (j + 1) % tl.len();
        }
        if tl.len() == 1 {
            remaining = f64::INFINITY;
        }
        // Next green: scan forward from the current interval.
        let (mut to_next_green, mut green_len) = (f64::INFINITY, 0.0);
        if cur.colour == Colour::Green {
            to_next_green = 0.0;
            green_len = remaining;
        } else {
            let mut acc = cur.end - tc;
            for k in 1..=tl.len() {
                let iv = tl[(i + k) % tl.len()];
                if iv.colour == Colour::Green {
                    to_next_green = acc;
                    green_len = iv.end - iv.start;
                    break;
                }
                acc += iv.end - iv.start;
            }
        }
        SignalState {
            colour: cur.colour,
            remaining,
            to_next_green,
            green_len,
        }
    }
}

/// The entry for `key` in a list sorted by key.
fn find<'a, K: Ord, V>(list: &'a [(K, V)], key: &K) -> Option<&'a V> {
    list.binary_search_by(|(k, _)| k.cmp(key))
        .ok()
        .map(|i| &list[i].1)
}

/// The cycle-time spans where a movement is on a permissive green: each phase that gives it a
/// permissive green, with the change interval after it (`change` s; green runs on through it
/// when the next phase gives green too, and the colour decides the rest).
fn permissive_spans(spec: &SignalProgram, gives: &[(bool, bool)], change: f64) -> Vec<(f64, f64)> {
    let mut spans = Vec::new();
    let mut t = 0.0;
    for (phase, &(_, permissive)) in spec.phases.iter().zip(gives) {
        let end = t + phase.duration.max(0.0) + change;
        if permissive {
            spans.push((t, end));
        }
        t = end;
    }
    spans
}

/// The merged timeline over one cycle of an approach that is green in the phases where
/// `greens` is true: a green phase ends in amber then all-red unless the next phase (cyclically)
/// is green too, in which case the green runs on through the change interval.
fn timeline(spec: &SignalProgram, greens: &[bool], amber: f64, all_red: f64) -> Vec<Interval> {
    let n = spec.phases.len();
    let mut raw = Vec::new();
    let mut t = 0.0;
    for (i, phase) in spec.phases.iter().enumerate() {
        let (green, next_green) = (greens[i], greens[(i + 1) % n]);
        let g_end = t + phase.duration.max(0.0);
        let end = g_end + amber + all_red;
        let interval = |start, end, colour| Interval { start, end, colour };
        if green && next_green {
            raw.push(interval(t, end, Colour::Green));
        } else if green {
            raw.push(interval(t, g_end, Colour::Green));
            raw.push(interval(g_end, g_end + amber, Colour::Amber));
            raw.push(interval(g_end + amber, end, Colour::Red));
        } else {
            raw.push(interval(t, end, Colour::Red));
        }
        t = end;
    }
    merge(raw)
}

/// Merge adjacent intervals of the same colour.
fn merge(raw: Vec<Interval>) -> Vec<Interval> {
    let mut out: Vec<Interval> = Vec::with_capacity(raw.len());
    for iv in raw {
        if iv.end <= iv.start {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.colour == iv.colour => last.end = iv.end,
            _ => out.push(iv),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::spec::Phase;

    fn two_phase() -> Program {
        let spec = SignalProgram {
            offset: 10.0,
            amber: 3.0,
            all_red: 2.0,
            phases: vec![
                Phase {
                    green: vec!["ns".into()],
                    duration: 30.0,
                    ..Default::default()
                },
                Phase {
                    green: vec!["ew".into()],
                    duration: 20.0,
                    ..Default::default()
                },
            ],
        };
        Program::compile(&spec, |id| match id {
            "ns" => Some(0),
            "ew" => Some(1),
            _ => None,
        })
    }

    #[test]
    fn cycle_is_the_sum_of_greens_ambers_and_all_reds() {
        assert_eq!(two_phase().cycle, 60.0);
    }

    #[test]
    fn colours_follow_the_program_with_offset() {
        let p = two_phase();
        // t = 10 is the cycle start: ns green for 30 s.
        let s = p.state(0, 15.0);
        assert_eq!(s.colour, Colour::Green);
        assert!((s.remaining - 25.0).abs() < 1e-9);
        assert_eq!(p.state(0, 41.0).colour, Colour::Amber);
        let r = p.state(0, 44.0);
        assert_eq!(r.colour, Colour::Red);
        // Red until the next cycle start at 70: 26 s, then 30 s of green.
        assert!((r.remaining - 26.0).abs() < 1e-9);
        assert!((r.to_next_green - 26.0).abs() < 1e-9);
        assert!((r.green_len - 30.0).abs() < 1e-9);
        // ew: red 0-35, green 35-55, amber 55-58, red 58-60 (cycle time).
        assert_eq!(p.state(1, 10.0 + 36.0).colour, Colour::Green);
        assert_eq!(p.state(1, 10.0 + 56.0).colour, Colour::Amber);
        // Red at the end of the cycle continues into the next cycle's red.
        let w = p.state(1, 10.0 + 59.0);
        assert_eq!(w.colour, Colour::Red);
        assert!((w.remaining - 36.0).abs() < 1e-9);
    }

    /// Link 0 (two movements: straight onto 2, left onto 3) and link 1 opposite: phase 1 gives
    /// both links green with 0's left permissive; phase 2 a protected left arrow for 0 only;
    /// phase 3 green for 1 only.
    fn with_turns() -> Program {
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        let spec = SignalProgram {
            offset: 0.0,
            amber: 3.0,
            all_red: 0.0,
            phases: vec![
                Phase {
                    green: vec!["a".into(), "b".into()],
                    duration: 20.0,
                    permissive: vec![pair("a", "left")],
                    ..Default::default()
                },
                Phase {
                    turns: vec![pair("a", "left")],
                    duration: 6.0,
                    ..Default::default()
                },
                Phase {
                    green: vec!["b".into()],
                    duration: 10.0,
                    ..Default::default()
                },
            ],
        };
        Program::compile(&spec, |id| match id {
            "a" => Some(0),
            "b" => Some(1),
            "straight" => Some(2),
            "left" => Some(3),
            _ => None,
        })
    }

    #[test]
    fn a_left_arrow_times_one_movement_and_holds_the_rest_of_its_link() {
        // Cycle: phase 1 green 0-20 (amber 20-23 only for what is not green next), phase 2
        // 23-29 (amber 29-32), phase 3 32-42 (amber 42-45).
        let p = with_turns();
        assert_eq!(p.cycle, 45.0);
        // The left runs green from 0 to 29 (on through the change), permissive 0-23.
        let left = p.turn_state(0, 3, 10.0);
        assert_eq!((left.colour, left.remaining), (Colour::Green, 19.0));
        assert!(p.permissive(0, 3, 22.0) && !p.permissive(0, 3, 24.0));
        assert!(p.yields(0, 3) && !p.yields(0, 2));
        assert_eq!(p.turn_state(0, 3, 30.0).colour, Colour::Amber);
        assert_eq!(p.turn_state(0, 3, 40.0).colour, Colour::Red);
        // Straight on from the same link: amber at 20, red through the arrow.
        assert_eq!(p.turn_state(0, 2, 21.0).colour, Colour::Amber);
        assert_eq!(p.turn_state(0, 2, 25.0).colour, Colour::Red);
        assert!(!p.permissive(0, 2, 10.0));
        // The approach's signal head shows green while any movement has it.
        assert_eq!(p.state(0, 25.0).colour, Colour::Green);
        // The opposite link has no movement of its own: its link timeline.
        assert_eq!(p.turn_state(1, 2, 25.0).colour, Colour::Red);
        assert_eq!(p.turn_state(1, 2, 5.0).colour, Colour::Green);
        assert_eq!(p.turn_state(1, 2, 40.0).colour, Colour::Green);
    }

    #[test]
    fn a_phase_cut_short_ends_its_green_then_changes_as_programmed() {
        // Phase 1 green 0-20, amber 20-23, phase 2 from 23 (cycle 45): at 5 s, 2 s left.
        let mut p = with_turns();
        p.green_for(2.0, 5.0).expect("within the green");
        assert_eq!(p.state(1, 6.9).colour, Colour::Green);
        assert_eq!(p.state(1, 7.1).colour, Colour::Amber);
        assert_eq!(p.phase_at(10.1).map(|x| x.0), Some(1));
        assert!(p.green_for(30.0, 5.0).is_err());
    }

    #[test]
    fn unknown_links_are_red() {
        assert_eq!(two_phase().state(7, 0.0).colour, Colour::Red);
    }
}

//! Fixed-time signal programs, compiled into per-link colour timelines over one cycle.
//!
//! Each phase is green for its links, then amber (3 s default: Korean Road Traffic Act practice
//! for 50-60 km/h roads), then all-red clearance (2 s default), then the next phase. A link green
//! in two consecutive phases stays green through the change.
use crate::scenario::spec::SignalProgram;

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
    /// (link index, timeline covering [0, cycle)), sorted by link index.
    pub timelines: Vec<(u32, Vec<Interval>)>,
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
        let mut links: Vec<u32> = spec
            .phases
            .iter()
            .flat_map(|p| p.green.iter().filter_map(|id| resolve(id)))
            .collect();
        links.sort_unstable();
        links.dedup();
        let timelines = links
            .into_iter()
            .map(|link| {
                let greens: Vec<bool> = spec
                    .phases
                    .iter()
                    .map(|p| p.green.iter().any(|id| resolve(id) == Some(link)))
                    .collect();
                (link, timeline(spec, &greens, amber, all_red))
            })
            .collect();
        Program {
            cycle,
            offset: spec.offset,
            timelines,
        }
    }

    /// The timeline of a link, if this program controls it.
    pub fn timeline(&self, link: u32) -> Option<&[Interval]> {
        self.timelines
            .binary_search_by_key(&link, |(l, _)| *l)
            .ok()
            .map(|i| self.timelines[i].1.as_slice())
    }

    /// Colour and timing for `link` at time `t`; links the program does not name are red.
    pub fn state(&self, link: u32, t: f64) -> SignalState {
        let red = SignalState {
            colour: Colour::Red,
            remaining: f64::INFINITY,
            to_next_green: f64::INFINITY,
            green_len: 0.0,
        };
        let Some(tl) = self.timeline(link) else {
            return red;
        };
        if self.cycle <= 0.0 || tl.is_empty() {
            return red;
        }
        let tc = (t - self.offset).rem_euclid(self.cycle);
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
                },
                Phase {
                    green: vec!["ew".into()],
                    duration: 20.0,
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

    #[test]
    fn unknown_links_are_red() {
        assert_eq!(two_phase().state(7, 0.0).colour, Colour::Red);
    }
}

//! Green Light Optimized Speed Advisory (GLOSA).
//!
//! Source: Katsaros, Kernchen, Dianati, Rieck, "Performance study of a Green Light Optimized
//! Speed Advisory (GLOSA) application using an integrated cooperative ITS simulation
//! platform", IWCMC 2011. Their advisory picks a speed that
//! reaches the stop line inside a green window, within [v_min, v_max], and advises stopping
//! when none exists. This is its constant-speed form (the acceleration phase to the advised
//! speed is neglected; the simulator's car-following model then tracks the advised speed):
//!
//! for each green window [t_a, t_b] (relative to now, in order): the speeds that arrive in
//! it are [d / (t_b − m), d / (t_a + m)] (no upper bound when the window is open now, t_a = 0),
//! with a safety margin m ≥ 0. Intersect with [v_min, v_max]; if non-empty, advise the
//! feasible speed closest to the current one (no change when the current speed already
//! arrives on green). If no window works: `None`, stop at the line.
use super::spat::Colour;

/// Signal timing as a vehicle learns it from SPaT (and the cycle from MAP/SPaT history),
/// relative to now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignalTiming {
    pub colour: Colour,
    /// Seconds until the current colour ends.
    pub remaining_s: f64,
    /// Seconds until the next green starts (after the current one, when green now).
    pub next_green_start_s: f64,
    /// Seconds until that next green ends.
    pub next_green_end_s: f64,
}

impl SignalTiming {
    /// Timing of a fixed-time cycle green → amber → red with the given durations, s.
    pub fn fixed_cycle(
        colour: Colour,
        remaining_s: f64,
        green_s: f64,
        amber_s: f64,
        red_s: f64,
    ) -> Self {
        let start = match colour {
            Colour::Green => remaining_s + amber_s + red_s,
            Colour::Amber => remaining_s + red_s,
            Colour::Red => remaining_s,
        };
        SignalTiming {
            colour,
            remaining_s,
            next_green_start_s: start,
            next_green_end_s: start + green_s,
        }
    }

    /// Green windows [start, end] relative to now, earliest first (at most two).
    pub fn green_windows(&self) -> Vec<(f64, f64)> {
        let mut w = Vec::with_capacity(2);
        if self.colour == Colour::Green {
            w.push((0.0, self.remaining_s.max(0.0)));
        }
        w.push((self.next_green_start_s, self.next_green_end_s));
        w
    }

    /// Does arriving `t_s` from now fall in a green window?
    pub fn is_green_at(&self, t_s: f64) -> bool {
        self.green_windows()
            .iter()
            .any(|(a, b)| t_s >= *a && t_s <= *b)
    }
}

/// Advisory speed (m/s) to reach the stop line `d_m` ahead on green, or `None` to stop.
/// Margin 0; see [`advisory_speed_with_margin`].
pub fn advisory_speed(
    d_m: f64,
    v: f64,
    v_min: f64,
    v_max: f64,
    timing: &SignalTiming,
) -> Option<f64> {
    advisory_speed_with_margin(d_m, v, v_min, v_max, timing, 0.0)
}

/// [`advisory_speed`] arriving at least `margin_s` after a green starts (unless it is green
/// now) and `margin_s` before it ends. Past the stop line (d ≤ 0) there is nothing to
/// advise: the current speed, capped at v_max, is returned.
pub fn advisory_speed_with_margin(
    d_m: f64,
    v: f64,
    v_min: f64,
    v_max: f64,
    timing: &SignalTiming,
    margin_s: f64,
) -> Option<f64> {
    if d_m <= 0.0 {
        return Some(v.min(v_max));
    }
    for (ta, tb) in timing.green_windows() {
        let ta = if ta > 0.0 { ta + margin_s } else { 0.0 };
        let tb = tb - margin_s;
        if tb <= 0.0 || tb < ta {
            continue;
        }
        let lo = (d_m / tb).max(v_min);
        let hi = if ta > 0.0 {
            (d_m / ta).min(v_max)
        } else {
            v_max
        };
        if lo <= hi {
            return Some(v.clamp(lo, hi));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const V_MIN: f64 = 5.0;
    const V_MAX: f64 = 50.0 / 3.6;

    fn cycle(colour: Colour, remaining: f64) -> SignalTiming {
        // green 30 s, amber 3 s, red 30 s
        SignalTiming::fixed_cycle(colour, remaining, 30.0, 3.0, 30.0)
    }

    #[test]
    fn green_reachable_keeps_speed() {
        // 100 m at 13.9 m/s takes 7.2 s < 10 s of green.
        let t = cycle(Colour::Green, 10.0);
        assert_eq!(advisory_speed(100.0, V_MAX, V_MIN, V_MAX, &t), Some(V_MAX));
        // At 8 m/s it would take 12.5 s: speed up to exactly 100 / 10 = 10 m/s.
        assert_eq!(advisory_speed(100.0, 8.0, V_MIN, V_MAX, &t), Some(10.0));
    }

    #[test]
    fn green_too_short_targets_next_green() {
        let t = cycle(Colour::Green, 5.0);
        assert_eq!((t.next_green_start_s, t.next_green_end_s), (38.0, 68.0));
        // 100 m: needs 20 m/s now; next green needs [1.47, 2.63] m/s < v_min → stop.
        assert_eq!(advisory_speed(100.0, 10.0, V_MIN, V_MAX, &t), None);
        // 300 m: next green needs [4.41, 7.89] m/s → [5, 7.89]; from 10 m/s slow to 300/38.
        let v = advisory_speed(300.0, 10.0, V_MIN, V_MAX, &t).unwrap();
        assert!((v - 300.0 / 38.0).abs() < 1e-12);
    }

    #[test]
    fn red_slows_to_arrive_at_green_start() {
        let t = cycle(Colour::Red, 10.0);
        // 100 m: window [10, 40] s → [2.5, 10] m/s; from 13.9 slow to 10 (arrive at green start).
        assert_eq!(advisory_speed(100.0, V_MAX, V_MIN, V_MAX, &t), Some(10.0));
        // 200 m: [5, 20] ∩ [5, 13.9]: current speed already fine.
        assert_eq!(advisory_speed(200.0, V_MAX, V_MIN, V_MAX, &t), Some(V_MAX));
        // Long red, close: [0.83, 1.67] m/s < v_min → stop.
        assert_eq!(
            advisory_speed(50.0, 10.0, V_MIN, V_MAX, &cycle(Colour::Red, 30.0)),
            None
        );
    }

    #[test]
    fn amber_and_margin() {
        let t = cycle(Colour::Amber, 2.0);
        assert_eq!(t.next_green_start_s, 32.0);
        // 160 m: [160/62, 160/32 = 5] → exactly v_min.
        assert_eq!(advisory_speed(160.0, 10.0, V_MIN, V_MAX, &t), Some(5.0));
        // With a 1 s margin the window is [33, 61] → max 160/33 = 4.85 < v_min → stop.
        assert_eq!(
            advisory_speed_with_margin(160.0, 10.0, V_MIN, V_MAX, &t, 1.0),
            None
        );
        // Green now with margin: 100 m in 10 − 1 = 9 s needs 11.1 m/s.
        let g = cycle(Colour::Green, 10.0);
        let v = advisory_speed_with_margin(100.0, 8.0, V_MIN, V_MAX, &g, 1.0).unwrap();
        assert!((v - 100.0 / 9.0).abs() < 1e-12);
        assert_eq!(advisory_speed(-1.0, 20.0, V_MIN, V_MAX, &g), Some(V_MAX));
        assert!(g.is_green_at(5.0) && !g.is_green_at(20.0) && g.is_green_at(50.0));
    }
}

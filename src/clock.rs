//! Simulated time as a step counter: t = step × dt exactly, with no accumulation of rounding
//! and no wall clock anywhere in a run; and the one set of unit conversions every module uses.
//!
//! **The rule.** Time stamps and durations inside the simulation are whole microseconds
//! (`u64`). A configured or derived time in seconds or milliseconds becomes µs by rounding to
//! the nearest µs (halves away from zero); negative values and NaN become 0. Only a random draw
//! spread over an interval is floored (`us_from_ms_floor`), so that a draw from [a, b) stays in
//! [a, b). Going back (µs → s or ms) is exact division.
use bevy::prelude::Resource;

#[derive(Resource, Debug, Clone, Copy, PartialEq)]
pub struct SimClock {
    /// Steps completed.
    pub step: u64,
    /// Step length, s.
    pub dt: f64,
    /// Steps in the whole run.
    pub total: u64,
}

impl SimClock {
    pub fn new(dt: f64, duration: f64) -> Self {
        SimClock {
            step: 0,
            dt,
            total: (duration / dt).round().max(0.0) as u64,
        }
    }
    /// Current time, s.
    pub fn t(&self) -> f64 {
        self.step as f64 * self.dt
    }
    /// Current time, µs.
    pub fn t_us(&self) -> u64 {
        us_from_s(self.t())
    }
    /// True once every `period` seconds (on the step where a period boundary is crossed).
    pub fn every(&self, period: f64) -> bool {
        let k = (period / self.dt).round().max(1.0) as u64;
        self.step.is_multiple_of(k)
    }
    pub fn done(&self) -> bool {
        self.step >= self.total
    }
}

/// Seconds → µs, rounded to the nearest µs (the module's rule).
pub fn us_from_s(s: f64) -> u64 {
    (s * 1e6).round().max(0.0) as u64
}

/// Milliseconds → µs, rounded to the nearest µs (the module's rule).
pub fn us_from_ms(ms: f64) -> u64 {
    (ms * 1e3).round().max(0.0) as u64
}

/// Seconds → µs, floored: for a random instant drawn from an interval, which must stay inside it.
pub fn us_from_s_floor(s: f64) -> u64 {
    (s * 1e6).max(0.0) as u64
}

/// Milliseconds → µs, floored: for a random delay drawn from an interval, which must stay inside
/// it.
pub fn us_from_ms_floor(ms: f64) -> u64 {
    (ms * 1e3).max(0.0) as u64
}

/// µs → seconds.
pub fn s_from_us(us: u64) -> f64 {
    us as f64 / 1e6
}

/// µs → milliseconds.
pub fn ms_from_us(us: u64) -> f64 {
    us as f64 / 1e3
}

/// Milliseconds → seconds.
pub fn s_from_ms(ms: f64) -> f64 {
    ms / 1e3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_microseconds_rounds_to_nearest_and_clamps() {
        assert_eq!(us_from_s(0.000_001_4), 1);
        assert_eq!(us_from_s(0.000_001_5), 2, "halves away from zero");
        assert_eq!(us_from_ms(2.4996), 2500);
        assert_eq!(us_from_ms(-3.0), 0);
        assert_eq!(us_from_ms(f64::NAN), 0);
        // 0.1 s is not exact in binary; rounding still gives the exact µs count.
        assert_eq!(us_from_s(0.1), 100_000);
        assert_eq!(us_from_s(0.3), 300_000);
    }

    #[test]
    fn floors_keep_a_draw_inside_its_interval() {
        assert_eq!(us_from_ms_floor(2.9999), 2999);
        assert_eq!(us_from_s_floor(0.000_999_9), 999);
        assert_eq!(us_from_ms_floor(-1.0), 0);
    }

    #[test]
    fn back_conversions_are_exact_division() {
        assert_eq!(s_from_us(1_500_000), 1.5);
        assert_eq!(ms_from_us(2_500), 2.5);
        assert_eq!(s_from_ms(250.0), 0.25);
        let t = SimClock {
            step: 3,
            dt: 0.1,
            total: 10,
        };
        assert_eq!(t.t_us(), 300_000);
    }
}

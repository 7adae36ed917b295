//! Simulated time as a step counter: t = step × dt exactly, with no accumulation of rounding
//! and no wall clock anywhere in a run.
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
        (self.t() * 1e6).round() as u64
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

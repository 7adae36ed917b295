//! SAE J2945/1 (2016) §6.3.8 congestion control for BSMs: the inter-transmit time grows with
//! the density of vehicles around, the radiated power falls as the channel gets busy.
//! Parameters from J2945/1 as tabulated by Ahmad et al., "V2V System Congestion Control
//! Validation and Performance", IEEE TVT 68(3) 2019, Table I (reference §5b):
//!
//! - density: N(k) vehicles heard within 100 m, smoothed N̄(k) = λ·N(k) + (1 − λ)·N̄(k−1),
//!   λ = 0.05, every 100 ms;
//! - inter-transmit time: ITT = 100 ms · max(1, N̄ / B), B = 25, at most vMaxITT = 600 ms;
//! - radiated power: 20 dBm up to a channel busy percentage of 50 %, 10 dBm from 80 %, linear
//!   in between; each update moves the power by the SUPRA gain 0.5 of the gap.

/// How often the density and the channel busy percentage are measured, s.
pub const MEASURE_PERIOD_S: f64 = 0.1;
/// Density coefficient B, vehicles.
pub const DENSITY_COEFFICIENT: f64 = 25.0;
/// Weight λ of a new density sample.
pub const DENSITY_WEIGHT: f64 = 0.05;
/// Range within which vehicles count towards the density, m.
pub const DENSITY_RANGE_M: f64 = 100.0;
/// Shortest and longest inter-transmit time, ms.
pub const MIN_ITT_MS: f64 = 100.0;
pub const MAX_ITT_MS: f64 = 600.0;
/// Radiated power at a quiet and at a busy channel, dBm, and the busy percentages between
/// which it falls.
pub const MAX_POWER_DBM: f64 = 20.0;
pub const MIN_POWER_DBM: f64 = 10.0;
pub const QUIET_CBP: f64 = 0.5;
pub const BUSY_CBP: f64 = 0.8;
/// Share of the gap to the target power closed per update.
pub const SUPRA_GAIN: f64 = 0.5;

/// One vehicle's congestion-control state, updated every 100 ms.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Congestion {
    /// Smoothed density N̄, vehicles within 100 m.
    pub density: f64,
    /// Radiated power, dBm.
    pub power_dbm: f64,
}

impl Default for Congestion {
    fn default() -> Self {
        Congestion {
            density: 0.0,
            power_dbm: MAX_POWER_DBM,
        }
    }
}

impl Congestion {
    /// Take a 100 ms measurement: vehicles heard within 100 m, channel busy ratio 0-1.
    pub fn update(&mut self, neighbours: usize, cbp: f64) {
        self.density = DENSITY_WEIGHT * neighbours as f64 + (1.0 - DENSITY_WEIGHT) * self.density;
        self.power_dbm += SUPRA_GAIN * (target_power_dbm(cbp) - self.power_dbm);
    }

    /// The inter-transmit time now, ms.
    pub fn itt_ms(&self) -> f64 {
        itt_ms(self.density)
    }
}

/// ITT at a smoothed density, ms.
pub fn itt_ms(density: f64) -> f64 {
    (MIN_ITT_MS * (density / DENSITY_COEFFICIENT).max(1.0)).min(MAX_ITT_MS)
}

/// The power the channel load asks for, dBm.
pub fn target_power_dbm(cbp: f64) -> f64 {
    let f = ((cbp - QUIET_CBP) / (BUSY_CBP - QUIET_CBP)).clamp(0.0, 1.0);
    MAX_POWER_DBM - f * (MAX_POWER_DBM - MIN_POWER_DBM)
}

/// When a vehicle's BSMs go out: every inter-transmit time of its congestion control, the
/// first at once, and at once whenever an event flag is raised (J2945/1's event-triggered
/// transmissions do not wait for the interval). The simulated step is the time grid: a BSM is
/// due in the step where at least ITT − dt/2 has passed since the last.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BsmSchedule {
    pub cc: Congestion,
    /// When the last BSM went out, s.
    pub last_s: Option<f64>,
    /// MsgCount of the next BSM, 0..127.
    pub count: u8,
    /// The event flags of the last BSM.
    pub events: u16,
}

impl BsmSchedule {
    /// Whether a BSM with `events` is due at `t`; if so it is counted as sent.
    pub fn due(&mut self, t: f64, dt: f64, events: u16) -> bool {
        let raised = events & !self.events != 0;
        let interval = self.cc.itt_ms() / 1000.0;
        let due = raised
            || self
                .last_s
                .is_none_or(|last| t - last >= interval - dt / 2.0);
        if due {
            self.last_s = Some(t);
            self.count = (self.count + 1) % 128;
            self.events = events;
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_roads_send_every_100_ms_at_full_power() {
        let mut c = Congestion::default();
        for _ in 0..100 {
            c.update(10, 0.2);
        }
        assert_eq!(c.itt_ms(), 100.0);
        assert_eq!(c.power_dbm, 20.0);
    }

    #[test]
    fn interval_follows_density_up_to_600_ms() {
        // ITT = 100 ms · N / 25: 25 → 100, 50 → 200, 100 → 400, 150 and more → 600.
        for (n, itt) in [
            (0.0, 100.0),
            (25.0, 100.0),
            (50.0, 200.0),
            (100.0, 400.0),
            (150.0, 600.0),
            (400.0, 600.0),
        ] {
            assert!((itt_ms(n) - itt).abs() < 1e-9, "{n}: {}", itt_ms(n));
        }
        // The density filter: after k samples of N from 0, N̄ = N (1 − 0.95^k).
        let mut c = Congestion::default();
        for _ in 0..20 {
            c.update(100, 0.0);
        }
        let want = 100.0 * (1.0 - 0.95_f64.powi(20));
        assert!((c.density - want).abs() < 1e-9);
    }

    #[test]
    fn power_falls_from_20_to_10_dbm_between_50_and_80_percent_busy() {
        for (cbp, p) in [
            (0.3, 20.0),
            (0.5, 20.0),
            (0.6, 16.666_666),
            (0.65, 15.0),
            (0.8, 10.0),
            (0.95, 10.0),
        ] {
            assert!((target_power_dbm(cbp) - p).abs() < 1e-5, "{cbp}");
        }
        // SUPRA: each update closes half the gap, 20 → 15 → 12.5 → 11.25 on a saturated channel.
        let mut c = Congestion::default();
        let mut seen = Vec::new();
        for _ in 0..3 {
            c.update(0, 0.9);
            seen.push(c.power_dbm);
        }
        assert_eq!(seen, [15.0, 12.5, 11.25]);
    }

    /// The send times of a schedule stepped every 10 ms for `n` steps with flags `events(k)`.
    fn sends(s: &mut BsmSchedule, n: usize, events: impl Fn(usize) -> u16) -> Vec<usize> {
        (0..n)
            .filter(|&k| s.due(k as f64 * 0.01, 0.01, events(k)))
            .collect()
    }

    #[test]
    fn bsms_go_every_itt_and_at_once_on_an_event() {
        let mut s = BsmSchedule::default();
        assert_eq!(sends(&mut s, 35, |_| 0), [0, 10, 20, 30]);
        // 100 vehicles around for long enough: 400 ms.
        let dense = || {
            let mut s = BsmSchedule::default();
            for _ in 0..200 {
                s.cc.update(100, 0.0);
            }
            s
        };
        assert_eq!(sends(&mut dense(), 100, |_| 0), [0, 40, 80]);
        // A hard brake at step 55 goes out at once, then the interval runs from there.
        let brake = |k: usize| if k >= 55 { 1 << 7 } else { 0 };
        let mut s = dense();
        assert_eq!(sends(&mut s, 140, brake), [0, 40, 55, 95, 135]);
        assert_eq!(s.count, 5);
    }
}

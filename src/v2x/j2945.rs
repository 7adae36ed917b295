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
}

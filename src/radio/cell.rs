//! Load of a 5G cell and the scheduling wait it adds to each radio hop over Uu.
//!
//! The configured uplink and downlink latency distributions describe a cell at its usual load.
//! Extra load, from other users (`load` of a gNB, or a `CellLoad` event) and from the V2X
//! traffic through the cell, makes a packet wait for radio resources. The wait per hop is
//! that of an M/M/1 queue whose service time is one NR slot (0.5 ms at 30 kHz sub-carrier
//! spacing, numerology 1, 3GPP TS 38.211 §4.3.2), at utilisation ρ: W = 0 with probability
//! 1 − ρ, else exponential with mean S / (1 − ρ); E[W] = S ρ / (1 − ρ) (Kleinrock, Queueing
//! Systems vol. 1, 1975, §3.2). Class E: a scheduler is not an M/M/1 queue, but the model
//! has the right shape (no wait on an idle cell, steep growth near saturation) and one
//! parameter, the slot.
use crate::clock::s_from_us;
use rand::Rng;

use super::stats::open_unit;

/// NR slot at 30 kHz sub-carrier spacing, µs (TS 38.211 §4.3.2).
pub const NR_SLOT_US: f64 = 500.0;
/// Utilisation is capped here, so the mean wait stays finite (19 slots at most), 0-1.
pub const MAX_LOAD: f64 = 0.95;
/// Window over which a cell's V2X traffic is measured, µs (as the channel busy ratio).
pub const LOAD_WINDOW_US: u64 = 100_000;

/// One scheduling wait at utilisation `load`, µs. Always two draws.
pub fn mm1_wait_us(load: f64, slot_us: f64, rng: &mut impl Rng) -> u64 {
    let rho = load.clamp(0.0, MAX_LOAD);
    let (busy, u) = (open_unit(rng), open_unit(rng));
    if busy >= rho {
        return 0;
    }
    (-(slot_us / (1.0 - rho)) * u.ln()).round() as u64
}

/// Mean of [`mm1_wait_us`], µs.
pub fn mm1_mean_wait_us(load: f64, slot_us: f64) -> f64 {
    let rho = load.clamp(0.0, MAX_LOAD);
    slot_us * rho / (1.0 - rho)
}

/// The V2X traffic through each cell, in bits per 100 ms window, against the cell's capacity.
#[derive(Debug, Clone, Default)]
pub struct CellMeter {
    bits: Vec<u64>,
    last: Vec<f64>,
    window_end_us: u64,
}

impl CellMeter {
    pub fn new(cells: usize) -> Self {
        CellMeter {
            bits: vec![0; cells],
            last: vec![0.0; cells],
            window_end_us: LOAD_WINDOW_US,
        }
    }

    /// Close finished windows up to `now_us`; `capacity_mbps` per cell. True if one closed.
    pub fn roll(&mut self, now_us: u64, capacity_mbps: impl Fn(usize) -> f64) -> bool {
        let closed = now_us >= self.window_end_us;
        while now_us >= self.window_end_us {
            for (c, (l, b)) in self.last.iter_mut().zip(self.bits.iter_mut()).enumerate() {
                let capacity_bits = capacity_mbps(c) * 1e6 * s_from_us(LOAD_WINDOW_US);
                *l = if capacity_bits > 0.0 {
                    *b as f64 / capacity_bits
                } else {
                    0.0
                };
                *b = 0;
            }
            self.window_end_us += LOAD_WINDOW_US;
        }
        closed
    }

    /// A packet of `bytes` through cell `c`.
    pub fn add(&mut self, c: usize, bytes: usize) {
        if let Some(b) = self.bits.get_mut(c) {
            *b += 8 * bytes as u64;
        }
    }

    /// Utilisation of cell `c` by V2X traffic over the last complete window, 0-1.
    pub fn v2x_load(&self, c: usize) -> f64 {
        self.last.get(c).copied().unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn mm1_wait_matches_its_mean_and_idle_probability() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for rho in [0.0, 0.3, 0.8, 0.95] {
            let n = 200_000;
            let w: Vec<u64> = (0..n)
                .map(|_| mm1_wait_us(rho, NR_SLOT_US, &mut rng))
                .collect();
            let mean = w.iter().sum::<u64>() as f64 / n as f64;
            let want = mm1_mean_wait_us(rho, NR_SLOT_US);
            assert!(
                (mean - want).abs() <= 0.02 * want + 1.0,
                "ρ {rho}: {mean} vs {want}"
            );
            let idle = w.iter().filter(|&&x| x == 0).count() as f64 / n as f64;
            assert!((idle - (1.0 - rho)).abs() < 0.01, "ρ {rho}: idle {idle}");
        }
        // Beyond the cap: the cap's wait (19 slots on average).
        assert_eq!(
            mm1_mean_wait_us(2.0, 500.0),
            mm1_mean_wait_us(MAX_LOAD, 500.0)
        );
        assert!((mm1_mean_wait_us(MAX_LOAD, 500.0) - 9500.0).abs() < 1e-6);
    }

    #[test]
    fn meter_reports_utilisation_of_the_last_window() {
        let mut m = CellMeter::new(2);
        // 125 packets of 100 B in a window: 100 kbit over 0.1 s = 1 Mbit/s of 10 Mbit/s.
        for _ in 0..125 {
            m.add(0, 100);
        }
        m.add(5, 100); // unknown cell: ignored
        assert_eq!(m.v2x_load(0), 0.0);
        assert!(m.roll(100_000, |_| 10.0));
        assert!(!m.roll(150_000, |_| 10.0));
        assert!((m.v2x_load(0) - 0.1).abs() < 1e-12);
        assert_eq!(m.v2x_load(1), 0.0);
        m.roll(200_000, |_| 10.0);
        assert_eq!(m.v2x_load(0), 0.0);
    }
}

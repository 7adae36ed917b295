//! The 5G NR (Uu) radio hop of a vehicle to its cell, 3GPP TR 38.901 urban macro (UMa): path
//! loss by LOS state, RSRP per resource element, SINR against the other cells at their load, a
//! block error curve, and the coverage radius the view draws. Plain functions; the simulation
//! decides the LOS state (buildings by ray casts, the rest by the LOS probability) and the view
//! calls [`coverage_radius_m`] (docs/v2x-models.md#the-5g-uu-radio-hop).
use super::budget::{dbm_to_mw, mw_to_dbm, noise_floor_dbm};
use super::pathloss::{UmaLink, uma_los_db, uma_los_probability, uma_nlos_db};

/// Subcarriers of a 100 MHz NR carrier at 30 kHz spacing: 273 resource blocks × 12 (3GPP TS
/// 38.101-1 Table 5.3.2-1). RSRP is the power of one of them.
pub const SUBCARRIERS: f64 = 3276.0;

/// Subcarrier spacing, Hz (numerology 1, the 3.5 GHz band n78).
pub const SCS_HZ: f64 = 30e3;

/// UE noise figure, dB (TR 38.802 / IMT-2020 evaluation assumption for the UE: 9 dB).
pub const UE_NOISE_FIGURE_DB: f64 = 9.0;

/// Distance over which the LOS state of a UE towards a cell stays the same, m (TR 38.901
/// Table 7.6.3.1-2: LOS-state correlation distance 50 m for UMa).
pub const LOS_DECORRELATION_M: f64 = 50.0;

/// Height of the UE antenna, m (a car roof; TR 38.901's 1.5 m).
pub const UE_HEIGHT_M: f64 = 1.5;

/// Closest horizontal distance the UMa model covers, m (TR 38.901 Table 7.4.1-1).
pub const MIN_D2D_M: f64 = 10.0;

/// A cell as the radio hop sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub pos: [f64; 2],
    /// Antenna height, m.
    pub height: f64,
    /// Total transmit power, dBm.
    pub tx_dbm: f64,
    pub freq_ghz: f64,
}

impl Cell {
    fn link(&self, ue: [f64; 2]) -> UmaLink {
        UmaLink {
            d2d_m: (self.pos[0] - ue[0])
                .hypot(self.pos[1] - ue[1])
                .max(MIN_D2D_M),
            h_bs_m: self.height,
            h_ut_m: UE_HEIGHT_M,
            fc_ghz: self.freq_ghz,
        }
    }

    /// Horizontal distance to a UE, m.
    pub fn distance(&self, ue: [f64; 2]) -> f64 {
        (self.pos[0] - ue[0]).hypot(self.pos[1] - ue[1])
    }

    /// UMa path loss to a UE in the given LOS state, dB.
    pub fn path_loss_db(&self, ue: [f64; 2], los: bool) -> f64 {
        let link = self.link(ue);
        if los {
            uma_los_db(&link)
        } else {
            uma_nlos_db(&link)
        }
    }

    /// RSRP at a UE, dBm: the power of one subcarrier, tx − 10 log10(subcarriers) − PL.
    pub fn rsrp_dbm(&self, ue: [f64; 2], los: bool) -> f64 {
        self.tx_dbm - 10.0 * SUBCARRIERS.log10() - self.path_loss_db(ue, los)
    }
}

/// Thermal noise in one subcarrier at the UE, dBm: −174 + 10 log10(30 kHz) + 9 = −120.2.
pub fn subcarrier_noise_dbm() -> f64 {
    noise_floor_dbm(SCS_HZ, UE_NOISE_FIGURE_DB)
}

/// SINR on the serving cell, dB: its RSRP over the noise and the other cells' RSRP, each
/// weighted by the share of resources it is transmitting on (its load, 0–1).
pub fn sinr_db(serving_dbm: f64, others: &[(f64, f64)]) -> f64 {
    let i: f64 = others
        .iter()
        .map(|&(rsrp, load)| load.clamp(0.0, 1.0) * dbm_to_mw(rsrp))
        .sum();
    serving_dbm - mw_to_dbm(dbm_to_mw(subcarrier_noise_dbm()) + i)
}

/// Block error rate of a transport block at a SINR, 0–1: a logistic curve through 10 % at
/// `sinr10_db` with `width_db` per factor e of the odds. With link adaptation the scheduler
/// picks a modulation and coding scheme the SINR supports, so loss sets in where even the most
/// robust one fails (MCS 0, QPSK at a code rate of 0.12, TS 38.214 Table 5.1.3.1-1).
pub fn bler(sinr_db: f64, sinr10_db: f64, width_db: f64) -> f64 {
    let x = (sinr_db - sinr10_db) / width_db.max(1e-9);
    1.0 / (1.0 + 9.0 * x.exp())
}

/// TR 38.901's UMa LOS probability at a UE, for the obstacles a map does not hold.
pub fn los_probability(cell: &Cell, ue: [f64; 2]) -> f64 {
    uma_los_probability(cell.distance(ue).max(MIN_D2D_M))
}

/// A spatially consistent draw of the LOS state: one uniform number per cell and 50 m tile
/// (`LOS_DECORRELATION_M`), from the run's seed, so that a UE does not flip between LOS and
/// NLOS from one step to the next (TR 38.901 §7.6.3, simplified to tiles).
pub fn los_draw(seed: u64, cell: u32, ue: [f64; 2]) -> f64 {
    let tile = |x: f64| (x / LOS_DECORRELATION_M).floor() as i64 as u64;
    let mut h = seed ^ 0x9E37_79B9_7F4A_7C15;
    for v in [u64::from(cell), tile(ue[0]), tile(ue[1])] {
        h = splitmix(h ^ v);
    }
    (h >> 11) as f64 / (1u64 << 53) as f64
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// How far from the cell a UE still has `min_rsrp_dbm`, m, in the given LOS state (bisection
/// over the monotone path loss, to 0.1 m; at most 20 km).
pub fn coverage_radius_m(cell: &Cell, min_rsrp_dbm: f64, los: bool) -> f64 {
    let at = |d: f64| cell.rsrp_dbm([cell.pos[0] + d, cell.pos[1]], los);
    let (mut lo, mut hi) = (0.0, 20_000.0);
    if at(hi) >= min_rsrp_dbm {
        return hi;
    }
    if at(lo) < min_rsrp_dbm {
        return 0.0;
    }
    while hi - lo > 0.1 {
        let mid = (lo + hi) / 2.0;
        if at(mid) >= min_rsrp_dbm {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;

    fn macro_cell() -> Cell {
        Cell {
            pos: [0.0, 0.0],
            height: 25.0,
            tx_dbm: 46.0,
            freq_ghz: 3.5,
        }
    }

    #[test]
    fn rsrp_is_the_power_of_one_subcarrier_after_the_uma_path_loss() {
        let c = macro_cell();
        // 200 m, LOS (below the 560 m breakpoint): PL1 = 28 + 22 log10 d3D + 20 log10 3.5 with
        // d3D = √(200² + 23.5²).
        let d3 = 200f64.hypot(23.5);
        let pl = 28.0 + 22.0 * d3.log10() + 20.0 * 3.5f64.log10();
        assert!((c.path_loss_db([200.0, 0.0], true) - pl).abs() < 1e-9);
        let rsrp = 46.0 - 10.0 * 3276f64.log10() - pl;
        assert!((c.rsrp_dbm([200.0, 0.0], true) - rsrp).abs() < 1e-9);
        // NLOS: 13.54 + 39.08 log10 d3D + 20 log10 fc (above the LOS value).
        let nlos = 13.54 + 39.08 * d3.log10() + 20.0 * 3.5f64.log10();
        assert!((c.path_loss_db([200.0, 0.0], false) - nlos).abs() < 1e-9);
        // Noise in a 30 kHz subcarrier with a 9 dB noise figure.
        assert!((subcarrier_noise_dbm() + 120.23).abs() < 0.01);
    }

    #[test]
    fn a_macro_cell_covers_hundreds_of_metres_not_kilometres() {
        let c = macro_cell();
        // At −120 dBm RSRP: NLOS about half a kilometre (UMa sites are 500 m apart, TR 38.901
        // Table 7.8-1), LOS a few kilometres.
        let nlos = coverage_radius_m(&c, -120.0, false);
        let los = coverage_radius_m(&c, -120.0, true);
        assert!((400.0..800.0).contains(&nlos), "NLOS radius {nlos}");
        assert!((2000.0..5000.0).contains(&los), "LOS radius {los}");
        assert!((c.rsrp_dbm([nlos, 0.0], false) + 120.0).abs() < 0.01);
    }

    #[test]
    fn interference_counts_at_the_other_cells_load() {
        let noise = subcarrier_noise_dbm();
        // No other cell: SNR.
        assert!((sinr_db(-100.0, &[]) - (-100.0 - noise)).abs() < 1e-9);
        // An idle neighbour does not interfere; a fully loaded one as strong as the serving
        // cell brings the SINR to about 0 dB (the noise is 20 dB below).
        assert!((sinr_db(-100.0, &[(-100.0, 0.0)]) - (-100.0 - noise)).abs() < 1e-9);
        assert!(sinr_db(-100.0, &[(-100.0, 1.0)]).abs() < 0.05);
        // Half load: 3 dB less interference.
        let half = sinr_db(-100.0, &[(-100.0, 0.5)]);
        assert!((half - 3.0).abs() < 0.1, "{half}");
    }

    #[test]
    fn bler_falls_through_ten_percent_at_its_point() {
        assert!((bler(-6.0, -6.0, 1.0) - 0.1).abs() < 1e-12);
        assert!(bler(-10.0, -6.0, 1.0) > 0.8);
        assert!(bler(0.0, -6.0, 1.0) < 1e-3);
        let mut last = 1.0;
        for k in -40..40 {
            let b = bler(f64::from(k) * 0.5, -6.0, 1.0);
            assert!(b <= last);
            last = b;
        }
    }

    #[test]
    fn the_los_draw_is_stable_within_a_tile_and_uniform_across_them() {
        assert_eq!(los_draw(7, 1, [10.0, 10.0]), los_draw(7, 1, [40.0, 49.0]));
        let n = 20_000;
        let mean: f64 = (0..n)
            .map(|k| los_draw(7, 1, [f64::from(k) * 50.0, 0.0]))
            .sum::<f64>()
            / f64::from(n);
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
    }
}

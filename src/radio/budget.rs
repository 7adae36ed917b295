//! Link budget: noise floor, received power, SNR/SINR and the reception decision.
//!
//! Received power = P_tx + G_tx + G_rx − PL − shadowing (all dB / dBm). Noise floor =
//! −174 dBm/Hz + 10 log10 B + NF, the 3GPP evaluation density (TR 36.885 / TR 37.885 via
//! EURASIP JWCN 2018 Table 4, docs/standards.md §3a). Interference powers add in milliwatts.
//!
//! Reception is decided on SINR: either a hard threshold (the `sinr_threshold_db` of
//! `SidelinkSpec`; 802.11p MCS 2 6.5 dB from WiLabV2Xsim `SINRmin11p.m`, reference §3d) or a
//! smooth logistic packet-error curve centred on the same threshold (see [`ErrorCurve`]).
use crate::scenario::spec::{ErrorCurve, SidelinkSpec};
use rand::Rng;

use super::pathloss::urban_los_db;
use super::stats::open_unit;

/// Thermal noise density used by 3GPP evaluations, dBm/Hz (reference §3a, JWCN 2018 Table 4).
pub const THERMAL_NOISE_DBM_HZ: f64 = -174.0;
/// kT at 290 K, dBm/Hz (10 log10(1.380649e-23 · 290 · 1000) = −173.975), the value behind the
/// noise floors printed in reference §3b.
pub const KT_290K_DBM_HZ: f64 = -173.975;

/// dBm → mW.
pub fn dbm_to_mw(dbm: f64) -> f64 {
    10f64.powf(dbm / 10.0)
}

/// mW → dBm (−∞ for 0 mW).
pub fn mw_to_dbm(mw: f64) -> f64 {
    10.0 * mw.log10()
}

/// Power sum of several powers given in dBm, returned in dBm (−∞ when empty).
pub fn sum_dbm(powers_dbm: impl IntoIterator<Item = f64>) -> f64 {
    mw_to_dbm(powers_dbm.into_iter().map(dbm_to_mw).sum())
}

/// Noise floor, dBm: −174 dBm/Hz + 10 log10 B + NF.
pub fn noise_floor_dbm(bandwidth_hz: f64, noise_figure_db: f64) -> f64 {
    noise_floor_dbm_with(THERMAL_NOISE_DBM_HZ, bandwidth_hz, noise_figure_db)
}

/// Noise floor with an explicit noise density, dBm.
pub fn noise_floor_dbm_with(density_dbm_hz: f64, bandwidth_hz: f64, noise_figure_db: f64) -> f64 {
    density_dbm_hz + 10.0 * bandwidth_hz.log10() + noise_figure_db
}

/// Received power, dBm: P_tx + G_tx + G_rx − PL − shadowing (positive shadowing = more loss).
pub fn rx_power_dbm(tx_dbm: f64, g_tx_dbi: f64, g_rx_dbi: f64, pl_db: f64, shadow_db: f64) -> f64 {
    tx_dbm + g_tx_dbi + g_rx_dbi - pl_db - shadow_db
}

/// Largest path loss (plus shadowing) a link tolerates: P_tx + G_tx + G_rx − (N + threshold).
pub fn max_pathloss_db(
    tx_dbm: f64,
    g_tx_dbi: f64,
    g_rx_dbi: f64,
    noise_dbm: f64,
    thr_db: f64,
) -> f64 {
    tx_dbm + g_tx_dbi + g_rx_dbi - noise_dbm - thr_db
}

/// Delivery probability below which a receiver is not worth evaluating: the reach of a link is
/// where even its best case delivers less often than this.
pub const NEGLIGIBLE_DELIVERY: f64 = 1e-3;
/// Standard normal quantile exceeded with probability 5 · 10⁻⁴ (half of
/// [`NEGLIGIBLE_DELIVERY`]; the other half goes to the error curve's tail).
const Z_HALF_NEGLIGIBLE: f64 = 3.2905;

/// Margin, dB, below the threshold at which an error curve still decodes with probability
/// [`NEGLIGIBLE_DELIVERY`]/2: 0 for the step, w ln(1999) for the logistic curve.
fn curve_margin_db(curve: ErrorCurve) -> f64 {
    match curve {
        ErrorCurve::Step => 0.0,
        ErrorCurve::Logistic { width_db } => {
            width_db.max(0.0) * (2.0 / NEGLIGIBLE_DELIVERY - 1.0).ln()
        }
    }
}

/// Farthest horizontal distance, m, at which a sidelink could still deliver: beyond it even
/// the best case (TR 37.885 urban LOS, no vehicle or building in the way, shadowing at
/// +3.29 σ, no interference, the error curve's tail) delivers less than one message in a
/// thousand. It bounds the receivers evaluated; SINR decides within it, so delivery falls off
/// with the link budget, not at a cut-off. Capped by the scenario's `max_range`.
pub fn sidelink_reach_m(p: &SidelinkSpec) -> f64 {
    let noise = noise_floor_dbm(p.bandwidth_mhz * 1e6, p.noise_figure_db);
    let budget = max_pathloss_db(
        p.tx_dbm,
        p.antenna_gain_dbi,
        p.antenna_gain_dbi,
        noise,
        p.sinr_threshold_db,
    ) + curve_margin_db(p.error_curve)
        + Z_HALF_NEGLIGIBLE * p.shadowing_db.0.max(0.0);
    // Invert 38.77 + 16.7 log10 d + 18.2 log10 fc (urban_los_db) for d.
    let at_1m = urban_los_db(1.0, p.freq_ghz);
    let d = 10f64.powf((budget - at_1m) / 16.7);
    d.clamp(1.0, p.max_range)
}

/// SNR, dB.
pub fn snr_db(signal_dbm: f64, noise_dbm: f64) -> f64 {
    signal_dbm - noise_dbm
}

/// SINR, dB: S − 10 log10(N_mW + Σ I_mW). Interferers are summed in mW; order of the slice
/// does not matter beyond floating-point rounding (callers pass them in a fixed order).
pub fn sinr_db(signal_dbm: f64, noise_dbm: f64, interferers_dbm: &[f64]) -> f64 {
    let i_mw: f64 = interferers_dbm.iter().copied().map(dbm_to_mw).sum();
    signal_dbm - mw_to_dbm(dbm_to_mw(noise_dbm) + i_mw)
}

/// Packet error rate at a SINR, 0–1.
pub fn per(sinr_db: f64, threshold_db: f64, curve: ErrorCurve) -> f64 {
    match curve {
        ErrorCurve::Step => {
            if sinr_db >= threshold_db {
                0.0
            } else {
                1.0
            }
        }
        ErrorCurve::Logistic { width_db } => {
            1.0 / (1.0 + ((sinr_db - threshold_db) / width_db.max(1e-9)).exp())
        }
    }
}

/// Reception decision. `Step` takes no random draw; `Logistic` takes exactly one.
pub fn decodes(sinr_db: f64, threshold_db: f64, curve: ErrorCurve, rng: &mut impl Rng) -> bool {
    match curve {
        ErrorCurve::Step => sinr_db >= threshold_db,
        ErrorCurve::Logistic { .. } => open_unit(rng) >= per(sinr_db, threshold_db, curve),
    }
}

#[cfg(test)]
mod tests {
    use super::super::pathloss::{highway_los_db, urban_los_db, urban_nlos_db};
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// At the reach, the best case is exactly at the threshold less 3.29 σ of shadowing
    /// (P = 5e-4); closer, more; the configured cut-off caps it.
    #[test]
    fn reach_is_where_the_best_case_fails_but_one_in_a_thousand() {
        let p = SidelinkSpec {
            max_range: 1e9,
            ..SidelinkSpec::wave()
        };
        let d = sidelink_reach_m(&p);
        let noise = noise_floor_dbm(10e6, 9.0);
        let snr_mean = 23.0 + 6.0 - urban_los_db(d, 5.91) - noise;
        assert!((snr_mean + 3.2905 * 3.0 - 6.5).abs() < 1e-9, "{snr_mean}");
        assert!((20_000.0..40_000.0).contains(&d), "{d}");
        let soft = SidelinkSpec {
            error_curve: ErrorCurve::Logistic { width_db: 1.0 },
            ..p.clone()
        };
        assert!(sidelink_reach_m(&soft) > d);
        assert_eq!(
            sidelink_reach_m(&SidelinkSpec {
                max_range: 300.0,
                ..p
            }),
            300.0
        );
    }

    #[test]
    fn noise_floor_checkpoints() {
        // reference §3b: 10 MHz NF 9 → −94.97; 20 MHz NF 9 → −91.96; 10 MHz NF 6 → −97.97 (kT).
        let kt = |b, nf| noise_floor_dbm_with(KT_290K_DBM_HZ, b, nf);
        assert!((kt(10e6, 9.0) - -94.97).abs() < 0.006);
        assert!((kt(20e6, 9.0) - -91.96).abs() < 0.006);
        assert!((kt(10e6, 6.0) - -97.97).abs() < 0.006);
        // With the rounded −174 dBm/Hz the same floors are 0.025 dB lower.
        assert!((noise_floor_dbm(10e6, 9.0) - -95.0).abs() < 1e-9);
        assert!(
            ((10f64 * (1.380_649e-23f64 * 290.0 * 1000.0).log10()) - KT_290K_DBM_HZ).abs() < 1e-3
        );
    }

    #[test]
    fn snr_limited_range_checkpoints() {
        // reference §3b: 23 dBm + 3 + 3 dBi, NF 9, 10 MHz, threshold 6.5 dB → max PL 117.5 dB;
        // urban LOS 7.5 km, highway LOS 3.0 km, NLOS 159 m. At 13 dB: 111.0 dB, 3.0 km/1.4 km/97 m.
        let n = noise_floor_dbm_with(KT_290K_DBM_HZ, 10e6, 9.0);
        let pl = max_pathloss_db(23.0, 3.0, 3.0, n, 6.5);
        assert!((pl - 117.5).abs() < 0.05, "{pl}");
        let fc = 5.9;
        assert!(urban_los_db(7400.0, fc) < pl && urban_los_db(7600.0, fc) > pl);
        assert!(highway_los_db(2950.0, fc) < pl && highway_los_db(3050.0, fc) > pl);
        assert!(urban_nlos_db(158.0, fc) < pl && urban_nlos_db(160.0, fc) > pl);
        let pl13 = max_pathloss_db(23.0, 3.0, 3.0, n, 13.0);
        assert!((pl13 - 111.0).abs() < 0.05);
        assert!(urban_nlos_db(96.5, fc) < pl13 && urban_nlos_db(97.5, fc) > pl13);
        assert!(highway_los_db(1350.0, fc) < pl13 && highway_los_db(1450.0, fc) > pl13);
    }

    #[test]
    fn power_arithmetic() {
        assert!((sum_dbm([0.0, 0.0]) - 3.0103).abs() < 1e-4);
        assert_eq!(sum_dbm(std::iter::empty()), f64::NEG_INFINITY);
        assert!((rx_power_dbm(23.0, 3.0, 3.0, 100.0, 2.0) - -73.0).abs() < 1e-12);
        assert!((snr_db(-80.0, -95.0) - 15.0).abs() < 1e-12);
        // Interferer equal to noise halves the SNR (−3.01 dB).
        assert!((sinr_db(-80.0, -95.0, &[-95.0]) - (15.0 - 3.0103)).abs() < 1e-4);
        assert!((sinr_db(-80.0, -95.0, &[]) - 15.0).abs() < 1e-12);
    }

    #[test]
    fn reception_curves() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        assert!(decodes(6.5, 6.5, ErrorCurve::Step, &mut rng));
        assert!(!decodes(6.49, 6.5, ErrorCurve::Step, &mut rng));
        let c = ErrorCurve::Logistic { width_db: 1.0 };
        assert!((per(6.5, 6.5, c) - 0.5).abs() < 1e-12);
        assert!((per(8.5, 6.5, c) - 0.1192).abs() < 1e-4);
        assert!(per(20.0, 6.5, c) < 1e-5 && per(-10.0, 6.5, c) > 0.99999);
        let n = 20_000;
        let ok = (0..n).filter(|_| decodes(8.5, 6.5, c, &mut rng)).count();
        let rate = ok as f64 / n as f64;
        assert!((rate - 0.8808).abs() < 0.01, "{rate}");
    }
}

//! Numerical helpers shared by the radio models.
//!
//! Every random quantity in `radio` is drawn by inverse transform from exactly one uniform
//! variate, so the number of draws a model takes from its stream never depends on the value
//! drawn. That keeps streams aligned between runs and makes results reproducible from the seed.
//! The standard normal quantile is P. J. Acklam's rational approximation ("An algorithm for
//! computing the inverse normal cumulative distribution function", 2003; relative error
//! < 1.15e-9), which needs no dependency beyond `rand`.
use rand::Rng;

/// Standard normal 99th percentile, Φ⁻¹(0.99) (the brief's rounded 2.3263).
pub const Z_99: f64 = 2.326_347_874_040_841;

/// A uniform variate on the open interval (0, 1): 53 random bits, offset by half a step so
/// that neither 0 nor 1 can come out (both would map to an infinite normal quantile).
pub fn open_unit(rng: &mut impl Rng) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// A standard normal draw, N(0, 1), by inverse transform of one [`open_unit`] variate.
pub fn std_normal(rng: &mut impl Rng) -> f64 {
    inv_norm_cdf(open_unit(rng))
}

/// Standard normal quantile Φ⁻¹(p) for p in (0, 1) (Acklam 2003). Returns ∓∞ at p = 0 / 1
/// and NaN outside [0, 1].
pub fn inv_norm_cdf(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.02425;
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < P_LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn known_quantiles() {
        // Reference values of Φ⁻¹ (Abramowitz & Stegun Table 26.5 / any statistics table).
        for (p, z) in [
            (0.5, 0.0),
            (0.975, 1.959_963_985),
            (0.99, Z_99),
            (0.01, -Z_99),
            (0.001, -3.090_232_306),
            (0.841_344_746, 1.0),
        ] {
            assert!((inv_norm_cdf(p) - z).abs() < 1e-8, "p={p}");
        }
        assert!(inv_norm_cdf(1.5).is_nan());
        assert_eq!(inv_norm_cdf(0.0), f64::NEG_INFINITY);
    }

    #[test]
    fn normal_draws_have_unit_moments() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| std_normal(&mut rng)).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "mean {mean}");
        assert!((var - 1.0).abs() < 0.02, "var {var}");
        assert!(xs.iter().all(|x| x.is_finite()));
    }
}

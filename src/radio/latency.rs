//! Sampling and quantiles of a [`Latency`] distribution.
//!
//! Every sample is one inverse-transform draw x = F⁻¹(u) from one uniform u, so a sample
//! costs exactly one draw from the caller's stream whatever the variant, and the analytic
//! [`quantile_ms`] is the same function the sampler uses.
//!
//! * `Constant(c)`: c.
//! * `Uniform { min, max }`: min + u (max − min).
//! * `LogNormal { median, p99 }`: ln X ~ N(μ, σ²) with μ = ln median and
//!   σ = (ln p99 − ln median) / Φ⁻¹(0.99), Φ⁻¹(0.99) = 2.3263. A median/p99 pair is how
//!   latency is usually reported (docs/standards.md §1d, §6: "median 10 ms, p99 ≤ 30 ms").
//! * `Empirical(points)`: a piecewise-linear CDF through (ms, P) points; below the first
//!   point's probability the first latency is returned (an atom, like ns-3's
//!   `EmpiricalRandomVariable` with interpolation).
use rand::Rng;

use super::stats::{Z_99, inv_norm_cdf, open_unit};
use crate::scenario::spec::Latency;

/// Tolerance on the last CDF value of an empirical distribution.
const CDF_END_TOL: f64 = 1e-9;

/// Check a latency distribution: finite, non-negative, ordered, CDF ending at 1.
pub fn validate(l: &Latency) -> Result<(), String> {
    let ok = |x: f64| x.is_finite() && x >= 0.0;
    match l {
        Latency::Constant(c) if !ok(*c) => Err(format!("constant latency {c} ms must be ≥ 0")),
        Latency::Constant(_) => Ok(()),
        Latency::Uniform { min_ms, max_ms } if !ok(*min_ms) || !ok(*max_ms) => Err(format!(
            "uniform latency bounds {min_ms}..{max_ms} ms must be ≥ 0"
        )),
        Latency::Uniform { min_ms, max_ms } if min_ms > max_ms => Err(format!(
            "uniform latency min {min_ms} ms exceeds max {max_ms} ms"
        )),
        Latency::Uniform { .. } => Ok(()),
        Latency::LogNormal { median_ms, .. } if !(median_ms.is_finite() && *median_ms > 0.0) => {
            Err(format!("log-normal median {median_ms} ms must be > 0"))
        }
        Latency::LogNormal { median_ms, p99_ms }
            if !(p99_ms.is_finite() && p99_ms >= median_ms) =>
        {
            Err(format!(
                "log-normal p99 {p99_ms} ms must be ≥ the median {median_ms} ms"
            ))
        }
        Latency::LogNormal { .. } => Ok(()),
        Latency::Empirical(pts) => validate_empirical(pts),
    }
}

/// An empirical CDF: at least one point, latencies ≥ 0, probabilities in [0, 1], neither
/// decreasing, ending at 1.
fn validate_empirical(pts: &[(f64, f64)]) -> Result<(), String> {
    let Some(&(_, last)) = pts.last() else {
        return Err("empirical latency needs at least one (ms, probability) point".into());
    };
    for (i, &(x, p)) in pts.iter().enumerate() {
        if !(x.is_finite() && x >= 0.0) {
            return Err(format!("empirical point {i}: latency {x} ms must be ≥ 0"));
        }
        if !(p.is_finite() && (0.0..=1.0).contains(&p)) {
            return Err(format!(
                "empirical point {i}: probability {p} not in [0, 1]"
            ));
        }
        if let Some(&(x0, p0)) = i.checked_sub(1).map(|k| &pts[k])
            && (x < x0 || p < p0)
        {
            return Err(format!(
                "empirical point {i}: ({x}, {p}) must not decrease from ({x0}, {p0})"
            ));
        }
    }
    if (last - 1.0).abs() > CDF_END_TOL {
        return Err(format!(
            "empirical CDF must end at probability 1, ends at {last}"
        ));
    }
    Ok(())
}

/// (μ, σ) of ln X for a log-normal given by median and p99.
pub fn lognormal_params(median_ms: f64, p99_ms: f64) -> (f64, f64) {
    let mu = median_ms.ln();
    (mu, ((p99_ms.ln() - mu) / Z_99).max(0.0))
}

/// Analytic quantile F⁻¹(p), ms, for p in [0, 1]. Assumes `validate` passed.
pub fn quantile_ms(l: &Latency, p: f64) -> f64 {
    let p = p.clamp(0.0, 1.0);
    match l {
        Latency::Constant(c) => *c,
        Latency::Uniform { min_ms, max_ms } => min_ms + p * (max_ms - min_ms),
        Latency::LogNormal { median_ms, p99_ms } => {
            let (mu, sigma) = lognormal_params(*median_ms, *p99_ms);
            if sigma == 0.0 {
                *median_ms
            } else {
                (mu + sigma * inv_norm_cdf(p)).exp()
            }
        }
        Latency::Empirical(pts) => empirical_quantile(pts, p),
    }
}

fn empirical_quantile(pts: &[(f64, f64)], p: f64) -> f64 {
    let Some(&(x0, p0)) = pts.first() else {
        return 0.0;
    };
    if p <= p0 {
        return x0;
    }
    // First point whose probability reaches p; interpolate from its predecessor.
    let i = pts.partition_point(|&(_, q)| q < p);
    if i >= pts.len() {
        return pts[pts.len() - 1].0;
    }
    let (xa, pa) = pts[i - 1];
    let (xb, pb) = pts[i];
    if pb <= pa {
        xb
    } else {
        xa + (p - pa) / (pb - pa) * (xb - xa)
    }
}

/// One sample, ms (one draw).
pub fn sample_ms(l: &Latency, rng: &mut impl Rng) -> f64 {
    quantile_ms(l, open_unit(rng))
}

/// One sample in whole microseconds (rounded to nearest; one draw).
pub fn sample_us(l: &Latency, rng: &mut impl Rng) -> u64 {
    ms_to_us(sample_ms(l, rng))
}

/// ms (f64) → µs (u64) by the clock's rule (`crate::clock::us_from_ms`).
pub fn ms_to_us(ms: f64) -> u64 {
    crate::clock::us_from_ms(ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ms_from_us;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Nearest-rank sample percentile of sorted values.
    fn pct(sorted: &[u64], p: f64) -> f64 {
        let k = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        ms_from_us(sorted[k - 1])
    }

    fn check_quantiles(l: &Latency, n: usize, seed: u64) {
        validate(l).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut s: Vec<u64> = (0..n).map(|_| sample_us(l, &mut rng)).collect();
        s.sort_unstable();
        for p in [0.5, 0.95, 0.99] {
            let want = quantile_ms(l, p);
            let got = pct(&s, p);
            let err = (got - want).abs() / want;
            assert!(err < 0.02, "{l:?} p{p}: sample {got} vs analytic {want}");
        }
    }

    #[test]
    fn constant() {
        check_quantiles(&Latency::Constant(1.0), 10_000, 1);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        assert_eq!(sample_us(&Latency::Constant(0.5), &mut rng), 500);
    }

    #[test]
    fn uniform() {
        let l = Latency::Uniform {
            min_ms: 1.0,
            max_ms: 20.0,
        };
        check_quantiles(&l, 20_000, 2);
        assert!((quantile_ms(&l, 0.5) - 10.5).abs() < 1e-12);
    }

    #[test]
    fn lognormal_spec_defaults() {
        // UuSpec defaults; 200,000 samples keep the p99 estimator's standard error ≈ 0.6 %.
        for (m, p99) in [(4.0, 12.0), (10.0, 25.0), (2.5, 7.0), (10.0, 30.0)] {
            let l = Latency::LogNormal {
                median_ms: m,
                p99_ms: p99,
            };
            assert!((quantile_ms(&l, 0.5) - m).abs() < 1e-9);
            assert!((quantile_ms(&l, 0.99) - p99).abs() < 1e-6);
            check_quantiles(&l, 200_000, 3);
        }
        let (_, sigma) = lognormal_params(10.0, 30.0);
        assert!((sigma - 3f64.ln() / 2.3263).abs() < 1e-4);
    }

    #[test]
    fn empirical() {
        let l = Latency::Empirical(vec![(1.0, 0.0), (2.0, 0.5), (5.0, 0.9), (20.0, 1.0)]);
        assert!((quantile_ms(&l, 0.25) - 1.5).abs() < 1e-12);
        assert!((quantile_ms(&l, 0.7) - 3.5).abs() < 1e-12);
        assert!((quantile_ms(&l, 0.95) - 12.5).abs() < 1e-12);
        check_quantiles(&l, 200_000, 4);
        // An atom at the first point.
        let a = Latency::Empirical(vec![(3.0, 0.4), (5.0, 1.0)]);
        assert_eq!(quantile_ms(&a, 0.3), 3.0);
        assert!((quantile_ms(&a, 0.7) - 4.0).abs() < 1e-12);
    }

    #[test]
    fn validation() {
        assert!(validate(&Latency::default()).is_ok());
        assert!(validate(&Latency::Constant(-1.0)).is_err());
        assert!(
            validate(&Latency::Uniform {
                min_ms: 2.0,
                max_ms: 1.0
            })
            .is_err()
        );
        assert!(
            validate(&Latency::LogNormal {
                median_ms: 0.0,
                p99_ms: 1.0
            })
            .is_err()
        );
        assert!(
            validate(&Latency::LogNormal {
                median_ms: 5.0,
                p99_ms: 4.0
            })
            .is_err()
        );
        assert!(
            validate(&Latency::LogNormal {
                median_ms: 5.0,
                p99_ms: 5.0
            })
            .is_ok()
        );
        assert!(validate(&Latency::Empirical(vec![])).is_err());
        assert!(validate(&Latency::Empirical(vec![(1.0, 0.5), (2.0, 0.9)])).is_err());
        assert!(validate(&Latency::Empirical(vec![(2.0, 0.5), (1.0, 1.0)])).is_err());
        assert!(
            validate(&Latency::Empirical(vec![
                (1.0, 0.6),
                (2.0, 0.5),
                (3.0, 1.0)
            ]))
            .is_err()
        );
        assert!(validate(&Latency::Empirical(vec![(1.0, 1.0)])).is_ok());
        assert_eq!(ms_to_us(f64::NAN), 0);
        assert_eq!(ms_to_us(-3.0), 0);
    }
}

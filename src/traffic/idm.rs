//! Intelligent Driver Model: Treiber, Hennecke, Helbing, "Congested traffic states in empirical
//! observations and microscopic simulations", Phys. Rev. E 62, 1805-1824 (2000), eq. (2)-(3).

/// Per-driver IDM parameters (SI units).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Idm {
    /// Desired speed v0, m/s.
    pub v0: f64,
    /// Desired time headway T, s.
    pub t: f64,
    /// Maximum acceleration a, m/s².
    pub a: f64,
    /// Comfortable deceleration b, m/s².
    pub b: f64,
    /// Minimum jam gap s0, m.
    pub s0: f64,
    /// Acceleration exponent δ.
    pub delta: f64,
}

/// Strongest deceleration a vehicle can apply, m/s² (dry asphalt, ~0.9 g).
pub const MAX_DECEL: f64 = 9.0;

impl Idm {
    /// Free-road term: a [1 − (v/v0)^δ] up to v0. Above v0 (a lower limit ahead, a GLOSA
    /// advisory) the plain IDM term brakes far harder than b; the IIDM free term
    /// −b [1 − (v0/v)^(aδ/b)] (Treiber & Kesting, "Traffic Flow Dynamics", 2013, eq. 11.23)
    /// slows down at most comfortably.
    pub fn free(&self, v: f64) -> f64 {
        let v0 = self.v0.max(0.01);
        if v <= v0 {
            self.a * (1.0 - (v / v0).max(0.0).powf(self.delta))
        } else {
            -self.b * (1.0 - (v0 / v).powf(self.a * self.delta / self.b))
        }
    }

    /// Desired dynamic gap s*(v, Δv) = s0 + max(0, vT + vΔv / (2√(ab))).
    pub fn desired_gap(&self, v: f64, dv: f64) -> f64 {
        self.s0 + (v * self.t + v * dv / (2.0 * (self.a * self.b).sqrt())).max(0.0)
    }

    /// Acceleration behind a leader at bumper-to-bumper `gap` (m) approaching it at `dv = v − v_lead`.
    pub fn accel(&self, v: f64, gap: f64, dv: f64) -> f64 {
        self.accel_given_free(self.free(v), v, gap, dv)
    }

    /// [`Idm::accel`] with the free-road term `free` = [`Idm::free`]`(v)` already taken: a
    /// driver weighs every constraint ahead (leaders, lines, pedestrians) at one speed in a
    /// step, and the term's power was 7 % of a grid run (`perf`) when taken for each.
    pub fn accel_given_free(&self, free: f64, v: f64, gap: f64, dv: f64) -> f64 {
        let s_star = self.desired_gap(v, dv);
        let gap = gap.max(0.01);
        let acc = free - self.a * (s_star / gap).powi(2);
        acc.max(-MAX_DECEL)
    }

    /// Acceleration on a free road.
    pub fn accel_free(&self, v: f64) -> f64 {
        self.free(v).max(-MAX_DECEL)
    }

    /// Equilibrium gap at speed v: s_e = (s0 + vT) / sqrt(1 − (v/v0)^δ).
    pub fn equilibrium_gap(&self, v: f64) -> f64 {
        let r = 1.0 - (v / self.v0).powf(self.delta);
        (self.s0 + v * self.t) / r.max(1e-9).sqrt()
    }
}

/// Advance speed and position one step with ballistic update (constant acceleration over the
/// step, speed clamped at zero): Treiber & Kanagaraj, "Comparing numerical integration schemes
/// for time-continuous car-following models", Physica A 419 (2015) recommend it for IDM.
/// Returns (distance travelled, new speed).
pub fn integrate(v: f64, acc: f64, dt: f64) -> (f64, f64) {
    let v1 = v + acc * dt;
    if v1 >= 0.0 {
        ((v + v1) * 0.5 * dt, v1)
    } else {
        // Stops within the step: travel v²/(2|a|) and stay stopped.
        (if acc < 0.0 { -v * v / (2.0 * acc) } else { 0.0 }, 0.0)
    }
}

/// IDM parameters with the desired speed of this link.
pub fn idm_on(idm: &Idm, v0: f64) -> Idm {
    Idm { v0, ..*idm }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn car() -> Idm {
        Idm {
            v0: 15.0,
            t: 1.2,
            a: 1.5,
            b: 2.0,
            s0: 2.0,
            delta: 4.0,
        }
    }

    /// A free vehicle follows dv/dt = a(1 − (v/v0)^4): compare with a fine reference integration
    /// and with the analytic bounds (monotone increase, never above v0).
    #[test]
    fn free_road_approaches_v0_along_the_idm_profile() {
        let idm = car();
        let (mut v, mut x) = (0.0, 0.0);
        let (mut vr, mut xr) = (0.0f64, 0.0f64);
        for step in 0..3000 {
            let (dx, v1) = integrate(v, idm.accel_free(v), 0.01);
            x += dx;
            v = v1;
            // Reference: RK4 at 1 ms.
            for _ in 0..10 {
                let f = |v: f64| idm.a * (1.0 - (v / idm.v0).powi(4));
                let h = 0.001;
                let k1 = f(vr);
                let k2 = f(vr + h / 2.0 * k1);
                let k3 = f(vr + h / 2.0 * k2);
                let k4 = f(vr + h * k3);
                xr += vr * h + h * h / 6.0 * (k1 + k2 + k3);
                vr += h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
            }
            assert!(v <= idm.v0 + 1e-9, "overshoot at step {step}");
            assert!((v - vr).abs() < 0.02, "v {v} vs ref {vr} at step {step}");
        }
        assert!((x - xr).abs() / xr < 0.005, "x {x} vs {xr}");
        // After 30 s the car is within 2 % of v0 (the δ = 4 profile saturates quickly).
        assert!(v > 0.98 * idm.v0);
        // At v = 0 the acceleration is a; at v0/2 it is a(1 − 1/16).
        assert!((idm.accel_free(0.0) - 1.5).abs() < 1e-12);
        assert!((idm.accel_free(7.5) - 1.5 * 15.0 / 16.0).abs() < 1e-12);
    }

    #[test]
    fn desired_gap_matches_the_paper() {
        let idm = car();
        // s* = s0 + vT + vΔv/(2√(ab)) = 2 + 12 + 10·2/(2√3).
        let expect = 2.0 + 12.0 + 20.0 / (2.0 * 3.0f64.sqrt());
        assert!((idm.desired_gap(10.0, 2.0) - expect).abs() < 1e-12);
        // In equilibrium (Δv = 0, s = s_e) the acceleration is zero.
        let se = idm.equilibrium_gap(10.0);
        assert!(idm.accel(10.0, se, 0.0).abs() < 1e-9);
    }

    #[test]
    fn above_the_desired_speed_it_slows_down_at_most_comfortably() {
        let idm = car();
        let acc = idm.accel_free(2.0 * idm.v0);
        assert!(acc < 0.0 && acc >= -idm.b, "{acc}");
        assert!(idm.accel_free(idm.v0).abs() < 1e-12);
    }

    #[test]
    fn integration_never_goes_backwards() {
        let (dx, v) = integrate(1.0, -9.0, 0.5);
        assert_eq!(v, 0.0);
        assert!((dx - 1.0 / 18.0).abs() < 1e-12);
    }
}

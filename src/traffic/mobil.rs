//! MOBIL lane changing: Kesting, Treiber, Helbing, "General lane-changing model MOBIL for
//! car-following models", Transportation Research Record 1999, 86-94 (2007), eq. (4)-(6) for
//! symmetric (European-style overtaking not enforced) rules, as used on Korean urban arterials.

/// MOBIL parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mobil {
    /// Politeness p (0 selfish, 1 altruistic); the paper's typical urban value is 0.2-0.5.
    pub politeness: f64,
    /// Switching threshold Δa_th, m/s² (0.1 in the paper).
    pub threshold: f64,
    /// Maximum safe deceleration imposed on the new follower, b_safe, m/s² (4 in the paper).
    pub b_safe: f64,
    /// Bias towards a target lane, m/s² (used to reach the lane a route needs).
    pub bias: f64,
}

impl Default for Mobil {
    fn default() -> Self {
        Mobil {
            politeness: 0.3,
            threshold: 0.1,
            b_safe: 4.0,
            bias: 0.0,
        }
    }
}

/// Accelerations that MOBIL weighs for one candidate lane change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LaneChangeInputs {
    /// Own acceleration now and after the change.
    pub own_now: f64,
    pub own_after: f64,
    /// New follower's acceleration now and after the change (0 and 0 if none).
    pub new_follower_now: f64,
    pub new_follower_after: f64,
    /// Old follower's acceleration now and after the change.
    pub old_follower_now: f64,
    pub old_follower_after: f64,
}

impl Mobil {
    /// Safety criterion: neither the new follower nor the changer itself (behind its new
    /// leader) need brake harder than b_safe. The paper imposes it on the follower only, as
    /// the changer's own incentive rules out cutting in close behind a slower car; a large
    /// bias (a mandatory change to reach the route's lane) no longer does, so it applies to
    /// both here.
    pub fn safe(&self, x: &LaneChangeInputs) -> bool {
        x.new_follower_after >= -self.b_safe && x.own_after >= -self.b_safe
    }

    /// Incentive: own gain plus politeness times the followers' gain, minus the threshold.
    pub fn incentive(&self, x: &LaneChangeInputs) -> f64 {
        (x.own_after - x.own_now)
            + self.politeness
                * ((x.new_follower_after - x.new_follower_now)
                    + (x.old_follower_after - x.old_follower_now))
            - self.threshold
            + self.bias
    }

    /// Change lanes when safe and the incentive is positive.
    pub fn should_change(&self, x: &LaneChangeInputs) -> bool {
        self.safe(x) && self.incentive(x) > 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overtakes_a_slow_leader_when_the_target_lane_is_free() {
        let m = Mobil::default();
        let x = LaneChangeInputs {
            own_now: -1.0,
            own_after: 0.8,
            new_follower_now: 0.0,
            new_follower_after: 0.0,
            old_follower_now: 0.0,
            old_follower_after: 0.0,
        };
        assert!(m.should_change(&x));
    }

    #[test]
    fn refuses_a_mandatory_change_that_would_need_hard_braking_behind_the_new_leader() {
        // Reaching the route's lane weighs 30 m/s² of bias, but not into a gap that needs
        // 6 m/s² of braking behind a slower car.
        let m = Mobil {
            bias: 30.0,
            ..Mobil::default()
        };
        let x = LaneChangeInputs {
            own_now: 0.0,
            own_after: -6.0,
            new_follower_now: 0.0,
            new_follower_after: 0.0,
            old_follower_now: 0.0,
            old_follower_after: 0.0,
        };
        assert!(m.incentive(&x) > 0.0);
        assert!(!m.should_change(&x));
        assert!(m.should_change(&LaneChangeInputs {
            own_after: -3.0,
            ..x
        }));
    }

    #[test]
    fn refuses_to_cut_in_when_the_new_follower_must_brake_hard() {
        let m = Mobil::default();
        let x = LaneChangeInputs {
            own_now: -1.0,
            own_after: 1.0,
            new_follower_now: 0.5,
            new_follower_after: -5.0,
            old_follower_now: 0.0,
            old_follower_after: 0.0,
        };
        assert!(!m.safe(&x));
        assert!(!m.should_change(&x));
    }

    #[test]
    fn politeness_weighs_the_harm_to_others() {
        let x = LaneChangeInputs {
            own_now: 0.0,
            own_after: 0.5,
            new_follower_now: 0.5,
            new_follower_after: -1.0,
            old_follower_now: 0.0,
            old_follower_after: 0.0,
        };
        let selfish = Mobil {
            politeness: 0.0,
            ..Mobil::default()
        };
        let polite = Mobil {
            politeness: 1.0,
            ..Mobil::default()
        };
        assert!(selfish.should_change(&x));
        assert!(!polite.should_change(&x));
    }
}

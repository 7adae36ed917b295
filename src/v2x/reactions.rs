//! Pure decisions an automated vehicle takes on V2X information: red-light violation
//! warning, braking for a notified hazard, emergency electronic brake light (EEBL) trigger.
//! (Intersection collision warning by time-to-arrival is a traffic model: `traffic::conflict`.)
use super::glosa::SignalTiming;
use crate::traffic::conflict::time_to_arrival;
use crate::traffic::idm::Idm;

/// EEBL trigger deceleration, m/s². SAE J2735 sets the BSM `eventHardBraking` flag at a
/// deceleration above 0.4 g (3.92 m/s²); the ETSI/C2C-CC EEBL DENM trigger is commonly
/// quoted as > 4 m/s² (not re-read; treat as T-grade).
pub const EEBL_DECEL_MPS2: f64 = 4.0;
/// Deceleration a receiver assumes for the vehicle that sent an EEBL DENM, m/s²: a full
/// emergency brake (assumed; the DENM only says "more than [`EEBL_DECEL_MPS2`]", and assuming
/// the hardest plausible braking puts the virtual obstacle nearest, the safe side).
pub const EEBL_DECEL: f64 = 8.0;
/// Length subtracted from the distance to an EEBL event position to get a gap, m: a whole
/// passenger car (assumed 4.5 m), because the receiver does not know which point of the
/// sender's body the reported position is (here: its centre), so the gap errs short.
pub const EEBL_ASSUMED_LENGTH: f64 = 4.5;
/// Red-light warning horizon, s: predicted crossings later than this are not warned about
/// (class E; a driver-warning horizon of the order of a stopping manoeuvre).
pub const RLVW_HORIZON_S: f64 = 8.0;
/// Red-light violation warning: at its current speed the vehicle would cross the stop line
/// `d_m` ahead outside a green window, within `horizon_s`.
pub fn red_light_warning(d_m: f64, v: f64, timing: &SignalTiming, horizon_s: f64) -> bool {
    if d_m <= 0.0 {
        return false;
    }
    let t = time_to_arrival(d_m, v);
    t <= horizon_s && !timing.is_green_at(t)
}

/// Constant deceleration that stops from `v` within `d_m − margin_m`: v² / (2 (d − margin)),
/// m/s² (∞ when already inside the margin and moving, 0 when stopped).
pub fn stopping_decel(d_m: f64, v: f64, margin_m: f64) -> f64 {
    if v <= 0.0 {
        return 0.0;
    }
    let room = d_m - margin_m;
    if room <= 0.0 {
        f64::INFINITY
    } else {
        v * v / (2.0 * room)
    }
}

/// Braking for a hazard `d_m` ahead (from a DENM): keep driving while a stop at the
/// comfortable deceleration `b_comf` is still possible, then brake at the deceleration that
/// stops `margin_m` short of it. Returns the deceleration to apply (≥ b_comf; the caller
/// clamps at the vehicle's maximum), or `None` for no braking yet. Braking at the "last
/// comfortable moment" stops exactly at the margin with constant deceleration b_comf.
pub fn hazard_brake_target(d_m: f64, v: f64, margin_m: f64, b_comf: f64) -> Option<f64> {
    let a = stopping_decel(d_m, v, margin_m);
    (v > 0.0 && a >= b_comf).then_some(a)
}

/// Should this vehicle send an EEBL warning? `accel` is signed (negative when braking).
pub fn eebl_trigger(accel: f64) -> bool {
    -accel > EEBL_DECEL_MPS2
}

/// Distance travelled and speed of a vehicle braking at `decel` from `v0`, `tau` s later
/// (constant deceleration down to a standstill, where it stays).
pub fn braking_motion(v0: f64, decel: f64, tau: f64) -> (f64, f64) {
    let v0 = v0.max(0.0);
    let t_stop = if decel > 0.0 {
        v0 / decel
    } else {
        f64::INFINITY
    };
    let tau = tau.clamp(0.0, t_stop);
    (v0 * tau - 0.5 * decel * tau * tau, v0 - decel * tau)
}

/// EEBL reaction as multi-anticipation (Treiber, Kesting, Helbing, "Delays, inaccuracies and
/// anticipation in microscopic traffic models", Physica A 360 (2006) 71-88: drivers also react
/// to vehicles beyond the immediate leader, and to where those will be): the IDM acceleration
/// of a vehicle at speed `v` against a virtual leader, the vehicle whose EEBL DENM reported it
/// `d_event` m ahead (along the route) at `v_event`, extrapolated at [`EEBL_DECEL`] to where it
/// comes to rest. The receiver knows neither how long the sender keeps braking nor how many
/// vehicles are in between, so it plans for the worst case, a stop at the shortest plausible
/// distance. The caller takes the minimum with its other constraints.
pub fn eebl_accel(idm: &Idm, v: f64, d_event: f64, v_event: f64) -> f64 {
    let (x, v_obs) = braking_motion(v_event, EEBL_DECEL, f64::INFINITY);
    idm.accel(v, d_event + x - EEBL_ASSUMED_LENGTH, v - v_obs)
}

#[cfg(test)]
mod tests {
    use super::super::spat::Colour;
    use super::*;

    #[test]
    fn red_light() {
        let green_ends = SignalTiming::fixed_cycle(Colour::Green, 3.0, 30.0, 3.0, 30.0);
        // 50 m at 10 m/s: 5 s > 3 s of green → crosses on amber/red.
        assert!(red_light_warning(50.0, 10.0, &green_ends, RLVW_HORIZON_S));
        // 20 m: 2 s, still green.
        assert!(!red_light_warning(20.0, 10.0, &green_ends, RLVW_HORIZON_S));
        // 150 m: 15 s, beyond the horizon.
        assert!(!red_light_warning(150.0, 10.0, &green_ends, RLVW_HORIZON_S));
        let red = SignalTiming::fixed_cycle(Colour::Red, 4.0, 30.0, 3.0, 30.0);
        assert!(red_light_warning(30.0, 10.0, &red, RLVW_HORIZON_S)); // 3 s < 4 s red
        assert!(!red_light_warning(50.0, 10.0, &red, RLVW_HORIZON_S)); // 5 s: green
        assert!(!red_light_warning(30.0, 0.0, &red, RLVW_HORIZON_S)); // stopped
        assert!(!red_light_warning(-1.0, 10.0, &red, RLVW_HORIZON_S)); // past the line
    }

    #[test]
    fn hazard_braking() {
        // 20 m/s, hazard 110 m ahead, 10 m margin: 400 / 200 = 2 m/s².
        assert!((stopping_decel(110.0, 20.0, 10.0) - 2.0).abs() < 1e-12);
        assert_eq!(stopping_decel(5.0, 20.0, 10.0), f64::INFINITY);
        assert_eq!(stopping_decel(5.0, 0.0, 10.0), 0.0);
        assert_eq!(hazard_brake_target(210.0, 20.0, 10.0, 2.0), None); // 1 m/s² suffices
        assert_eq!(hazard_brake_target(110.0, 20.0, 10.0, 2.0), Some(2.0));
        assert_eq!(hazard_brake_target(60.0, 20.0, 10.0, 2.0), Some(4.0)); // late: harder
        assert_eq!(hazard_brake_target(60.0, 0.0, 10.0, 2.0), None);
        // Braking at b_comf from the onset point stops exactly at the margin.
        let (mut x, mut v, dt) = (0.0, 20.0, 0.001);
        while v > 0.0 {
            let a = hazard_brake_target(110.0 - x, v, 10.0, 2.0).unwrap_or(0.0);
            x += v * dt;
            v -= a * dt;
        }
        assert!((x - 100.0).abs() < 0.1, "stopped at {x}");
    }

    #[test]
    fn eebl() {
        assert!(eebl_trigger(-4.5));
        assert!(!eebl_trigger(-4.0));
        assert!(!eebl_trigger(3.0));
    }

    #[test]
    fn eebl_virtual_leader() {
        // 14 m/s braking at 8 m/s²: after 1 s, 14 - 4 = 10 m and 6 m/s; stopped after 1.75 s
        // having covered 14² / 16 = 12.25 m, and stays there.
        assert_eq!(braking_motion(14.0, EEBL_DECEL, 1.0), (10.0, 6.0));
        assert_eq!(braking_motion(14.0, EEBL_DECEL, 5.0), (12.25, 0.0));
        assert_eq!(braking_motion(14.0, EEBL_DECEL, -1.0), (0.0, 14.0));
        let idm = Idm {
            v0: 14.0,
            t: 1.0,
            a: 1.5,
            b: 2.0,
            s0: 2.0,
            delta: 4.0,
        };
        // The same as IDM behind a standing leader where the sender comes to rest.
        let a = eebl_accel(&idm, 14.0, 50.0, 14.0);
        assert_eq!(a, idm.accel(14.0, 50.0 + 12.25 - EEBL_ASSUMED_LENGTH, 14.0));
        // 50 m ahead at 50 km/h: firmer than comfortable braking at once (the real leader,
        // still at speed, would ask for nothing yet); from 150 m only a gentle slow-down.
        assert!(a < -idm.b, "{a}");
        let far = eebl_accel(&idm, 14.0, 150.0, 14.0);
        assert!(far < 0.0 && far > -idm.b, "{far}");
        // Far away, it hardly matters: close to the free-road acceleration at v < v0.
        assert!((eebl_accel(&idm, 10.0, 2000.0, 14.0) - idm.accel_free(10.0)).abs() < 0.01);
    }
}

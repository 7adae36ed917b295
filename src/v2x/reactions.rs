//! Pure decisions an automated vehicle takes on V2X information: red-light violation
//! warning, braking for a notified hazard, emergency electronic brake light (EEBL) trigger,
//! and intersection collision warning by time-to-arrival.
use super::glosa::SignalTiming;

/// EEBL trigger deceleration, m/s². SAE J2735 sets the BSM `eventHardBraking` flag at a
/// deceleration above 0.4 g (3.92 m/s²); the ETSI/C2C-CC EEBL DENM trigger is commonly
/// quoted as > 4 m/s² (not re-read; treat as T-grade).
pub const EEBL_DECEL_MPS2: f64 = 4.0;
/// Red-light warning horizon, s: predicted crossings later than this are not warned about
/// (class E; a driver-warning horizon of the order of a stopping manoeuvre).
pub const RLVW_HORIZON_S: f64 = 8.0;
/// Intersection collision warning: two arrivals closer than this are a conflict, s
/// (class E; FHWA SSAM counts post-encroachment times up to 5 s as conflicts, Gettman et
/// al., FHWA-HRT-08-051, 2008, so 2 s flags only the tight ones).
pub const ICW_GAP_S: f64 = 2.0;
/// Intersection collision warning horizon, s (class E).
pub const ICW_HORIZON_S: f64 = 8.0;

/// Time to reach a point `d_m` ahead at constant speed `v`, s (0 when already there, ∞
/// when not moving).
pub fn time_to_arrival(d_m: f64, v: f64) -> f64 {
    if d_m <= 0.0 {
        0.0
    } else if v <= 0.0 {
        f64::INFINITY
    } else {
        d_m / v
    }
}

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

/// Intersection collision warning by time-to-arrival: both vehicles reach the conflict
/// point within `horizon_s` and less than `gap_s` apart.
pub fn intersection_conflict(
    d_ego: f64,
    v_ego: f64,
    d_other: f64,
    v_other: f64,
    gap_s: f64,
    horizon_s: f64,
) -> bool {
    let (a, b) = (
        time_to_arrival(d_ego, v_ego),
        time_to_arrival(d_other, v_other),
    );
    a <= horizon_s && b <= horizon_s && (a - b).abs() < gap_s
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
    fn intersection_tta() {
        assert_eq!(time_to_arrival(0.0, 0.0), 0.0);
        assert_eq!(time_to_arrival(10.0, 0.0), f64::INFINITY);
        // 50 m at 10 m/s (5 s) vs 60 m at 10 m/s (6 s): 1 s apart → conflict.
        assert!(intersection_conflict(
            50.0,
            10.0,
            60.0,
            10.0,
            ICW_GAP_S,
            ICW_HORIZON_S
        ));
        // 5 s vs 8 s: clear.
        assert!(!intersection_conflict(
            50.0,
            10.0,
            80.0,
            10.0,
            ICW_GAP_S,
            ICW_HORIZON_S
        ));
        // Other vehicle stopped: no conflict.
        assert!(!intersection_conflict(
            50.0,
            10.0,
            5.0,
            0.0,
            ICW_GAP_S,
            ICW_HORIZON_S
        ));
        // Both beyond the horizon.
        assert!(!intersection_conflict(
            100.0,
            10.0,
            100.0,
            10.0,
            ICW_GAP_S,
            ICW_HORIZON_S
        ));
    }
}

//! A lane change as a manoeuvre: the body moves sideways from the lane it leaves to the new one
//! over a few seconds, along a quintic (minimum-jerk) profile that starts and ends with no
//! lateral speed or acceleration.
//!
//! Duration: naturalistic lane changes last 1–13 s, 4.6 s on average (Toledo & Zohar,
//! "Modeling Duration of Lane Changes", Transportation Research Record 1999, 2007); the default is
//! that mean. A vehicle cannot move sideways without moving forwards, so below
//! [`FULL_SPEED`] the manoeuvre keeps its path and takes longer; at a standstill it pauses.
//! docs/traffic-models.md#lane-changes-take-time.
#[cfg(test)]
use crate::road::LANE_WIDTH;

/// Default duration of a lane change, s (Toledo & Zohar 2007: mean of 4.6 s).
pub const DEFAULT_DURATION_S: f64 = 4.6;

/// At or above this speed a lane change takes its duration; below it, the path is the one
/// driven at this speed (assumed: 5 m/s, a 23 m manoeuvre, heading at most 16° off the lane).
pub const FULL_SPEED: f64 = 5.0;

/// Road a lane change needs before the end of its link, m: the path driven at [`FULL_SPEED`]
/// (23 m at the default duration), or half the link when it is shorter. A change is started only
/// with that much road left, and one that would not end in time is hurried to end at the line
/// ([`Shift::advance`]), so that no vehicle enters a junction between lanes and the body's angle
/// to its lane never exceeds that of the low-speed path.
pub fn room(duration: f64, link_length: f64) -> f64 {
    (FULL_SPEED * duration).min(link_length / 2.0)
}

/// A lane change under way: `Motion::lane` is already the new lane.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shift {
    /// The lane left, while the body still overlaps it: followers there keep seeing the vehicle.
    /// `None` once it is clear of it, or past the end of the link.
    pub from: Option<u8>,
    /// The body's offset from the centre of the new lane at the start, m, positive to the left.
    pub start: f64,
    /// How far the manoeuvre has come, 0..=1.
    pub progress: f64,
    /// How long it takes at or above [`FULL_SPEED`], s.
    pub duration: f64,
    /// Width of the lanes, m.
    pub width: f64,
}

/// The quintic profile: share of the way across at progress x (0 and 1 at the ends, with zero
/// first and second derivatives there).
pub fn profile(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    x * x * x * (10.0 - 15.0 * x + 6.0 * x * x)
}

/// d profile / dx: at most 1.875, at x = 1/2.
pub fn profile_slope(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    30.0 * x * x * (1.0 - x) * (1.0 - x)
}

impl Shift {
    /// Start a change from lane `from` into lane `to` of a link of `lanes` lanes `width` metres
    /// wide, the body now `offset` metres left of the centre of `from` (non-zero when a change
    /// is still settling).
    pub fn new((lanes, width): (u8, f64), from: u8, to: u8, offset: f64, duration: f64) -> Shift {
        use crate::road::network::LinkData;
        let start = LinkData::lane_offset(lanes, to, width)
            - LinkData::lane_offset(lanes, from, width)
            + offset;
        // Going on from a change not yet settled covers more than a lane: it takes longer, so
        // that the path is no steeper.
        let across = (start.abs() / width).max(1.0);
        Shift {
            from: Some(from),
            start,
            progress: 0.0,
            duration: duration.max(0.1) * across,
            width,
        }
    }

    /// Offset of the body from the centre of the new lane, m, positive to the left.
    pub fn offset(&self) -> f64 {
        self.start * (1.0 - profile(self.progress))
    }

    /// Progress per second at speed `v`.
    fn rate(&self, v: f64) -> f64 {
        (v / FULL_SPEED).clamp(0.0, 1.0) / self.duration
    }

    /// Sideways speed at speed `v`, m/s, positive to the left.
    pub fn lateral_speed(&self, v: f64) -> f64 {
        -self.start * profile_slope(self.progress) * self.rate(v)
    }

    /// The angle between the body and its lane, rad, positive to the left: the slope of the
    /// path, which at low speed is that driven at [`FULL_SPEED`].
    pub fn yaw(&self, v: f64) -> f64 {
        let slope =
            -self.start * profile_slope(self.progress) / (self.duration * v.max(FULL_SPEED));
        slope.atan()
    }

    /// How far the body reaches sideways from the centre of the new lane, towards the old one,
    /// m: its offset, half its width, and the swing of its rear while it is turned (a 12 m bus
    /// at 8° reaches 0.8 m further back into the lane it leaves).
    pub fn reach(&self, v: f64, (length, width): (f64, f64)) -> f64 {
        let yaw = self.yaw(v).abs();
        self.offset().abs() + width / 2.0 * yaw.cos() + length / 2.0 * yaw.sin()
    }

    /// Advance by `dt`, over `ds` metres at speed `v`, `to_end` metres before the end of the
    /// link (after the step), for a body of (length, width); `false` once complete.
    pub fn advance(&mut self, (v, dt, ds): (f64, f64, f64), to_end: f64, body: (f64, f64)) -> bool {
        let left = 1.0 - self.progress;
        let hurry = if to_end > 0.01 {
            left * ds / (to_end + ds)
        } else {
            left
        };
        self.progress = (self.progress + (self.rate(v) * dt).max(hurry)).min(1.0);
        if self.reach(v, body) <= self.width / 2.0 {
            self.from = None;
        }
        self.progress < 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_is_smooth_at_both_ends() {
        assert_eq!(profile(0.0), 0.0);
        assert_eq!(profile(1.0), 1.0);
        assert!((profile(0.5) - 0.5).abs() < 1e-12);
        assert_eq!(profile_slope(0.0), 0.0);
        assert_eq!(profile_slope(1.0), 0.0);
        assert!((profile_slope(0.5) - 1.875).abs() < 1e-12);
        // The slope is the derivative of the profile (central difference).
        for k in 1..20 {
            let x = k as f64 / 20.0;
            let h = 1e-6;
            let num = (profile(x + h) - profile(x - h)) / (2.0 * h);
            assert!((num - profile_slope(x)).abs() < 1e-6);
        }
    }

    #[test]
    fn a_change_crosses_one_lane_in_its_duration_at_speed() {
        // Lane 0 to lane 1 of two: the body starts one lane width to the right.
        let mut s = Shift::new((2, LANE_WIDTH), 0, 1, 0.0, 4.6);
        assert!((s.offset() + LANE_WIDTH).abs() < 1e-12);
        let (dt, v) = (0.01, 14.0);
        let mut t = 0.0;
        let mut peak: f64 = 0.0;
        while s.advance((v, dt, v * dt), 1e3, (4.5, 1.8)) {
            t += dt;
            peak = peak.max(s.lateral_speed(v));
        }
        t += dt;
        assert!((t - 4.6).abs() < 0.011, "took {t} s");
        assert_eq!(s.offset(), 0.0);
        // Peak sideways speed 1.875 W / T, leftwards.
        assert!((peak - 1.875 * LANE_WIDTH / 4.6).abs() < 0.01, "{peak}");
        assert_eq!(s.from, None);
    }

    #[test]
    fn it_pauses_at_a_standstill_and_keeps_its_path_when_slow() {
        let mut s = Shift::new((3, LANE_WIDTH), 2, 1, 0.0, 4.0);
        assert!(s.advance((0.0, 1.0, 0.0), 1e3, (4.5, 1.8)));
        assert_eq!(s.progress, 0.0);
        assert_eq!(s.from, Some(2));
        // Half the full speed: half the progress per second, the same angle to the lane.
        s.progress = 0.5;
        let (slow, fast) = (s.yaw(2.5), s.yaw(FULL_SPEED));
        assert_eq!(slow, fast);
        // Moving right (from lane 2 into lane 1): negative yaw and sideways speed.
        assert!(slow < 0.0 && s.lateral_speed(2.5) < 0.0);
        // Lateral speed never exceeds what the forward speed allows at that angle.
        assert!(s.lateral_speed(2.5).abs() <= 2.5 * slow.tan().abs() + 1e-12);
    }

    #[test]
    fn a_change_that_would_not_end_in_time_ends_at_the_line() {
        // 14 m/s needs 64 m at 4.6 s; started 30 m before the line, it is hurried.
        let mut s = Shift::new((2, LANE_WIDTH), 1, 0, 0.0, 4.6);
        let (v, dt) = (14.0, 0.01);
        let mut to_end: f64 = 30.0;
        let mut steepest: f64 = 0.0;
        loop {
            let before = s.offset();
            to_end -= v * dt;
            let going = s.advance((v, dt, v * dt), to_end, (4.5, 1.8));
            steepest = steepest.max((s.offset() - before).abs() / (v * dt));
            if !going {
                break;
            }
        }
        assert!(to_end > -0.2, "ended {to_end} m past the line");
        // Never steeper than 1.875 W over the road left when it began (here 30 m).
        assert!(steepest <= 1.875 * LANE_WIDTH / 30.0 + 1e-3, "{steepest}");
        assert_eq!(room(4.6, 1000.0), 23.0);
        assert_eq!(room(4.6, 30.0), 15.0);
    }
}

//! Heights of the road: the ground under a link as a profile along it (SUMO's `x,y,z` shapes,
//! or the heights of a scenario's nodes and shape points). Positions along links stay measured
//! on the map (docs/traffic-models.md, "Elevation"): a 10 % grade makes the road 0.5 % longer
//! than its plan, which car following does not notice.
use super::geometry::{P2, dist};

/// Height of the ground along a link, m above the map's datum: piecewise linear in the arc
/// length along the link's centreline, constant beyond either end.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Arc length of each point along the link (the first may be negative where the link was
    /// trimmed by a junction box), increasing.
    s: Vec<f64>,
    z: Vec<f64>,
}

impl Profile {
    /// The profile of a line through `points` with heights `z` (one per point), whose arc
    /// length 0 lies `start` metres along it (a link trimmed by its first node's junction box).
    /// `None` for a flat line (every height 0) or when the counts differ.
    pub fn along(points: &[P2], z: &[f64], start: f64) -> Option<Profile> {
        if points.len() != z.len() || points.len() < 2 || z.iter().all(|h| *h == 0.0) {
            return None;
        }
        let mut s = Vec::with_capacity(points.len());
        let mut total = -start;
        for (i, p) in points.iter().enumerate() {
            if i > 0 {
                total += dist(points[i - 1], *p);
            }
            s.push(total);
        }
        Some(Profile { s, z: z.to_vec() })
    }

    /// Height at arc length `s`, m.
    pub fn at(&self, s: f64) -> f64 {
        let i = self.s.partition_point(|x| *x <= s);
        if i == 0 {
            return self.z[0];
        }
        if i == self.s.len() {
            return self.z[i - 1];
        }
        let (s0, s1) = (self.s[i - 1], self.s[i]);
        let t = if s1 > s0 { (s - s0) / (s1 - s0) } else { 1.0 };
        self.z[i - 1] + (self.z[i] - self.z[i - 1]) * t
    }
}

/// Height at fraction `t` (0-1) of the way along a path from height `a` to height `b`: the
/// ground through a junction box, between the lanes it joins.
pub fn between(a: f64, b: f64, t: f64) -> f64 {
    a + (b - a) * t.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_line_has_no_profile() {
        let pts = [[0.0, 0.0], [10.0, 0.0]];
        assert_eq!(Profile::along(&pts, &[0.0, 0.0], 0.0), None);
        assert_eq!(Profile::along(&pts, &[1.0], 0.0), None);
    }

    #[test]
    fn heights_are_linear_between_points_and_constant_beyond() {
        // A ramp of 100 m rising 5 m, then 50 m level: a trimmed start moves arc length 0.
        let pts = [[0.0, 0.0], [60.0, 80.0], [110.0, 80.0]];
        let p = Profile::along(&pts, &[0.0, 5.0, 5.0], 10.0).expect("not flat");
        assert_eq!(p.at(-10.0), 0.0);
        assert!((p.at(40.0) - 2.5).abs() < 1e-12);
        assert!((p.at(90.0) - 5.0).abs() < 1e-12);
        assert_eq!(p.at(-50.0), 0.0);
        assert_eq!(p.at(1000.0), 5.0);
    }

    #[test]
    fn between_interpolates_and_clamps() {
        assert_eq!(between(2.0, 6.0, 0.25), 3.0);
        assert_eq!(between(2.0, 6.0, 1.5), 6.0);
    }
}

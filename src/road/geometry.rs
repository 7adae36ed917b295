//! Polylines with arc-length parameterisation: the geometry lanes and turns are built from.

/// A 2D point or vector, m.
pub type P2 = [f64; 2];

/// Points of a polyline closer than this are one point, m.
pub const SAME_POINT_M: f64 = 1e-3;

/// Spacing of the points at which two paths are compared for a conflict, m.
pub const CONFLICT_SAMPLE_M: f64 = 0.5;

/// Points along `l` every [`CONFLICT_SAMPLE_M`] or less, both ends included: (arc length, point).
fn samples(l: &Polyline) -> impl Iterator<Item = (f64, P2)> + '_ {
    let n = (l.length() / CONFLICT_SAMPLE_M).ceil().max(1.0) as usize;
    (0..=n).map(move |k| {
        let s = l.length() * k as f64 / n as f64;
        (s, l.at(s).0)
    })
}

/// A polyline with cumulative arc length, evaluated by distance along it.
#[derive(Debug, Clone, PartialEq)]
pub struct Polyline {
    points: Vec<P2>,
    /// `cum[i]` = arc length from `points[0]` to `points[i]`.
    cum: Vec<f64>,
}

impl Polyline {
    /// A polyline through `points` (at least two distinct points, else a zero-length line).
    /// Points within [`SAME_POINT_M`] of the one before are dropped (the last point is kept):
    /// a segment that short has no direction to speak of, and lanes offset from it would swing
    /// off at a random angle (a trimmed link end can land a rounding error from a shape point).
    pub fn new(points: Vec<P2>) -> Self {
        let mut kept: Vec<P2> = Vec::with_capacity(points.len());
        for p in points {
            let n = kept.len();
            if n > 0 && dist(kept[n - 1], p) < SAME_POINT_M {
                if n > 1 {
                    kept[n - 1] = p;
                }
                continue;
            }
            kept.push(p);
        }
        let points = kept;
        let mut cum = Vec::with_capacity(points.len());
        let mut total = 0.0;
        for (i, p) in points.iter().enumerate() {
            if i > 0 {
                total += dist(points[i - 1], *p);
            }
            cum.push(total);
        }
        Polyline { points, cum }
    }

    pub fn length(&self) -> f64 {
        self.cum.last().copied().unwrap_or(0.0)
    }

    pub fn points(&self) -> &[P2] {
        &self.points
    }

    /// Arc length at each point.
    pub fn cumulative(&self) -> &[f64] {
        &self.cum
    }

    /// The segment that arc length `s` falls on (the first or last beyond the ends).
    pub fn segment(&self, s: f64) -> usize {
        let n = self.points.len();
        if n < 2 {
            return 0;
        }
        match self.cum.binary_search_by(|c| c.total_cmp(&s)) {
            Ok(i) => i.min(n - 2),
            Err(i) => i.saturating_sub(1).min(n - 2),
        }
    }

    /// Point and unit direction at arc length `s` (clamped to the ends; extrapolated linearly
    /// beyond them so that vehicles just past an end keep a sensible pose).
    pub fn at(&self, s: f64) -> (P2, P2) {
        let n = self.points.len();
        if n < 2 {
            let p = self.points.first().copied().unwrap_or([0.0, 0.0]);
            return (p, [1.0, 0.0]);
        }
        let i = self.segment(s);
        let (a, b) = (self.points[i], self.points[i + 1]);
        let seg = self.cum[i + 1] - self.cum[i];
        let dir = if seg > 0.0 {
            [(b[0] - a[0]) / seg, (b[1] - a[1]) / seg]
        } else {
            [1.0, 0.0]
        };
        let t = s - self.cum[i];
        ([a[0] + dir[0] * t, a[1] + dir[1] * t], dir)
    }

    /// The stretch of this path (first and last arc length, m) that comes within `within`
    /// metres of `other`, sampled every [`CONFLICT_SAMPLE_M`]; `None` if it never does. Two
    /// paths through a junction conflict there: vehicles on them would touch.
    pub fn conflict_span(&self, other: &Polyline, within: f64) -> Option<(f64, f64)> {
        // Samples lie on the segments, inside the box of the points (1 µm for rounding).
        let (lo, hi) = self.bounds(within + 1e-6);
        let (their_lo, their_hi) = other.bounds(0.0);
        if (0..2).any(|k| their_lo[k] > hi[k] || their_hi[k] < lo[k]) {
            return None;
        }
        let theirs: Vec<P2> = self::samples(other).map(|(_, p)| p).collect();
        // A sample farther than `within` along either axis cannot be within `within` (the
        // distance is at least that axis's difference), so those skip the square root: the
        // junctions of a 23 × 23 grid are built in 1.0 s instead of 4.3 s, with the same spans.
        let near = |a: f64, b: f64| (a - b).abs() < within;
        let close = |p: P2| {
            theirs
                .iter()
                .any(|q| near(p[0], q[0]) && near(p[1], q[1]) && dist(p, *q) < within)
        };
        let mut span: Option<(f64, f64)> = None;
        for (s, p) in self::samples(self) {
            if close(p) {
                span = Some(span.map_or((s, s), |(a, _)| (a, s)));
            }
        }
        span
    }

    /// The smallest axis-aligned box around the points, grown by `by` on every side.
    fn bounds(&self, by: f64) -> (P2, P2) {
        let mut lo = [f64::INFINITY; 2];
        let mut hi = [f64::NEG_INFINITY; 2];
        for p in &self.points {
            for k in 0..2 {
                lo[k] = lo[k].min(p[k] - by);
                hi[k] = hi[k].max(p[k] + by);
            }
        }
        (lo, hi)
    }

    /// The same line shifted `offset` metres to the right of its direction of travel.
    pub fn offset_right(&self, offset: f64) -> Polyline {
        let n = self.points.len();
        if n < 2 {
            return self.clone();
        }
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let d_in = if i > 0 {
                unit(sub(self.points[i], self.points[i - 1]))
            } else {
                unit(sub(self.points[1], self.points[0]))
            };
            let d_out = if i + 1 < n {
                unit(sub(self.points[i + 1], self.points[i]))
            } else {
                d_in
            };
            // Miter: average normal scaled so that both adjacent segments keep the offset.
            let n_in = right(d_in);
            let n_out = right(d_out);
            let m = unit([n_in[0] + n_out[0], n_in[1] + n_out[1]]);
            let cos = (m[0] * n_in[0] + m[1] * n_in[1]).max(0.3);
            out.push([
                self.points[i][0] + m[0] * offset / cos,
                self.points[i][1] + m[1] * offset / cos,
            ]);
        }
        Polyline::new(out)
    }

    /// The nearest point of the line to `p`: (arc length, signed offset to the right of the
    /// direction of travel, unit direction there). Map-matches a reported position (a DENM's
    /// event position) onto a road.
    pub fn project(&self, p: P2) -> (f64, f64, P2) {
        let mut best = (0.0, f64::INFINITY, 0.0, [1.0, 0.0]);
        for (i, w) in self.points.windows(2).enumerate() {
            let seg = self.cum[i + 1] - self.cum[i];
            if seg <= 0.0 {
                continue;
            }
            let d = [(w[1][0] - w[0][0]) / seg, (w[1][1] - w[0][1]) / seg];
            let rel = sub(p, w[0]);
            let t = (rel[0] * d[0] + rel[1] * d[1]).clamp(0.0, seg);
            let q = [w[0][0] + d[0] * t, w[0][1] + d[1] * t];
            let off = dist(p, q);
            if off < best.1 {
                let r = right(d);
                let signed = rel[0] * r[0] + rel[1] * r[1];
                best = (self.cum[i] + t, off, signed, d);
            }
        }
        (best.0, best.2, best.3)
    }

    /// The part between arc lengths `a` and `b` (a < b).
    pub fn slice(&self, a: f64, b: f64) -> Polyline {
        let mut pts = vec![self.at(a).0];
        for (p, c) in self.points.iter().zip(&self.cum) {
            if *c > a && *c < b {
                pts.push(*p);
            }
        }
        pts.push(self.at(b).0);
        Polyline::new(pts)
    }
}

/// A quadratic Bézier from `a` to `b` with control point `c`, sampled into a polyline: the path
/// of a turn through a junction box.
pub fn bezier(a: P2, c: P2, b: P2, samples: usize) -> Polyline {
    let pts = (0..=samples)
        .map(|i| {
            let t = i as f64 / samples as f64;
            let u = 1.0 - t;
            [
                u * u * a[0] + 2.0 * u * t * c[0] + t * t * b[0],
                u * u * a[1] + 2.0 * u * t * c[1] + t * t * b[1],
            ]
        })
        .collect();
    Polyline::new(pts)
}

pub fn dist(a: P2, b: P2) -> f64 {
    (a[0] - b[0]).hypot(a[1] - b[1])
}

pub fn sub(a: P2, b: P2) -> P2 {
    [a[0] - b[0], a[1] - b[1]]
}

pub fn unit(v: P2) -> P2 {
    let l = v[0].hypot(v[1]);
    if l > 0.0 {
        [v[0] / l, v[1] / l]
    } else {
        [1.0, 0.0]
    }
}

/// The unit vector 90° clockwise of `d` (to the right of travel).
pub fn right(d: P2) -> P2 {
    [d[1], -d[0]]
}

/// Intersection of the lines a + t·da and b + u·db, if they are not parallel.
pub fn line_intersection(a: P2, da: P2, b: P2, db: P2) -> Option<P2> {
    let den = da[0] * db[1] - da[1] * db[0];
    if den.abs() < 1e-9 {
        return None;
    }
    let t = ((b[0] - a[0]) * db[1] - (b[1] - a[1]) * db[0]) / den;
    Some([a[0] + da[0] * t, a[1] + da[1] * t])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_and_evaluation_follow_the_arc() {
        let p = Polyline::new(vec![[0.0, 0.0], [3.0, 0.0], [3.0, 4.0]]);
        assert_eq!(p.length(), 7.0);
        let (pt, dir) = p.at(5.0);
        assert!((pt[0] - 3.0).abs() < 1e-12 && (pt[1] - 2.0).abs() < 1e-12);
        assert_eq!(dir, [0.0, 1.0]);
        // Beyond the end: extrapolated along the last segment.
        assert!((p.at(8.0).0[1] - 5.0).abs() < 1e-12);
    }

    #[test]
    fn right_offset_of_an_eastbound_line_is_south() {
        let p = Polyline::new(vec![[0.0, 0.0], [10.0, 0.0]]).offset_right(1.75);
        assert_eq!(p.points()[0], [0.0, -1.75]);
        // A right-angle bend keeps the offset on both legs.
        let bend = Polyline::new(vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]]).offset_right(1.0);
        let corner = bend.points()[1];
        assert!((corner[0] - 11.0).abs() < 1e-9 && (corner[1] + 1.0).abs() < 1e-9);
    }

    #[test]
    fn projection_finds_arc_length_and_side() {
        let p = Polyline::new(vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0]]);
        // South of the first leg (right of eastbound travel).
        let (s, off, dir) = p.project([4.0, -2.0]);
        assert!((s - 4.0).abs() < 1e-12 && (off - 2.0).abs() < 1e-12);
        assert_eq!(dir, [1.0, 0.0]);
        // West of the second leg is left of northbound travel.
        let (s, off, dir) = p.project([8.0, 6.0]);
        assert!((s - 16.0).abs() < 1e-12 && (off + 2.0).abs() < 1e-12);
        assert_eq!(dir, [0.0, 1.0]);
    }

    #[test]
    fn bezier_quarter_turn_is_shorter_than_its_control_legs() {
        let b = bezier([0.0, 0.0], [10.0, 0.0], [10.0, 10.0], 16);
        assert!(b.length() > 14.142 && b.length() < 20.0);
    }

    #[test]
    fn a_rounding_error_of_a_segment_does_not_swing_an_offset_line() {
        // A trimmed link can start a micrometre before its first shape point: that segment has
        // no meaningful direction. Its offset must stay beside the line, not metres off.
        let l = Polyline::new(vec![
            [-0.0039845, 453.7895947],
            [-0.0039853, 453.7895946],
            [434.376, 444.0096],
        ]);
        assert_eq!(l.points().len(), 2);
        let lane = l.offset_right(5.25);
        let (p, _) = lane.at(0.0);
        assert!(dist(p, [-0.0039845, 453.7895947]) < 5.26, "{p:?}");
        assert!((lane.length() - l.length()).abs() < 1e-6);
        // The end point is kept when the last segment is that short.
        let m = Polyline::new(vec![[0.0, 0.0], [10.0, 0.0], [10.0, 0.0005]]);
        assert_eq!(m.points(), &[[0.0, 0.0], [10.0, 0.0005]]);
    }
}

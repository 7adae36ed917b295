//! How fast a bend can be driven, and how far a vehicle on a lane goes per metre of centreline.
//!
//! A vehicle on a curve of radius R at speed v feels the lateral acceleration v²/R; drivers keep
//! it below a limit, so the speed on a bend is at most √(a_lat R). SUMO caps the speed through
//! junctions the same way (netconvert `--junctions.limit-turn-speed`, default 5.5 m/s², applied
//! to the average radius of the path: docs/traffic-models.md#speed-on-bends).
use super::geometry::{P2, Polyline};

/// Lateral acceleration drivers keep below on bends and turns, m/s² (SUMO netconvert's
/// `--junctions.limit-turn-speed` default).
pub const LATERAL_ACCEL: f64 = 5.5;

/// Bends gentler than this need no slowing: √(5.5 · 1000 m) ≈ 74 m/s is above any limit, m.
const STRAIGHT_RADIUS_M: f64 = 1000.0;

/// A stretch of a lane to be driven no faster than `v`, m/s: centreline positions `from..to`, m.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Curve {
    pub from: f64,
    pub to: f64,
    pub v: f64,
}

/// The highest speed on a bend of radius `r` metres, m/s.
pub fn bend_speed(r: f64) -> f64 {
    (LATERAL_ACCEL * r.max(0.0)).sqrt()
}

/// Signed heading change from direction `a` to `b`, rad.
fn turn_angle(a: P2, b: P2) -> f64 {
    (a[0] * b[1] - a[1] * b[0]).atan2(a[0] * b[0] + a[1] * b[1])
}

/// The speed through a junction along `path`: the bend speed of its average radius, its length
/// over its total heading change (SUMO's rule); unlimited for a straight path.
pub fn turn_speed(path: &Polyline) -> f64 {
    let (_, d0) = path.at(0.0);
    let (_, d1) = path.at(path.length());
    let angle = turn_angle(d0, d1).abs();
    if angle < 1e-6 {
        return f64::INFINITY;
    }
    // Directions are those of the first and last chords, which belong to their midpoints: the
    // heading turns by `angle` between them.
    let cum = path.cumulative();
    let n = cum.len();
    let between = if n >= 2 {
        path.length() - (cum[1] + cum[n - 1] - cum[n - 2]) / 2.0
    } else {
        0.0
    };
    let r = between / angle.max(1e-9);
    if r >= STRAIGHT_RADIUS_M {
        f64::INFINITY
    } else {
        bend_speed(r)
    }
}

/// The bends of a lane: at each inner vertex of its path the heading changes by Δθ; the vertex
/// stands for an arc of radius (shorter neighbouring segment) / Δθ, which is exact for a
/// finely sampled circle. Each bend reaches as far as the shorter neighbouring segment on
/// either side: the arc it stands for, its chords included, so that where a bend begins at a
/// vertex its first chord already has the bend's speed.
pub fn curves(center: &Polyline, lane: &Polyline) -> Vec<Curve> {
    let (c, p) = (center.points(), lane.points());
    if c.len() != p.len() || p.len() < 3 {
        return Vec::new();
    }
    let cum = center.cumulative();
    let mut out = Vec::new();
    for i in 1..p.len() - 1 {
        let (a, b) = (sub(p[i], p[i - 1]), sub(p[i + 1], p[i]));
        let (la, lb) = (a[0].hypot(a[1]), b[0].hypot(b[1]));
        let angle = turn_angle(a, b).abs();
        if la <= 0.0 || lb <= 0.0 || angle < 1e-6 {
            continue;
        }
        let r = la.min(lb) / angle;
        let reach = (cum[i] - cum[i - 1]).min(cum[i + 1] - cum[i]);
        if r < STRAIGHT_RADIUS_M {
            out.push(Curve {
                from: cum[i] - reach,
                to: cum[i] + reach,
                v: bend_speed(r),
            });
        }
    }
    out
}

fn sub(a: P2, b: P2) -> P2 {
    [a[0] - b[0], a[1] - b[1]]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A polyline on a circle of radius `r` around the origin, `n` segments over `sweep` rad.
    fn arc(r: f64, sweep: f64, n: usize) -> Polyline {
        Polyline::new(
            (0..=n)
                .map(|k| {
                    let a = sweep * k as f64 / n as f64;
                    [r * a.cos(), r * a.sin()]
                })
                .collect(),
        )
    }

    #[test]
    fn a_sampled_circle_gives_its_radius() {
        // 64 chords over 90°: the chord-to-arc error is below 0.01 %.
        let c = arc(50.0, std::f64::consts::FRAC_PI_2, 64);
        let found = curves(&c, &c);
        assert_eq!(found.len(), 63);
        for k in &found {
            let want = bend_speed(50.0);
            assert!((k.v / want - 1.0).abs() < 1e-3, "{} vs {want}", k.v);
        }
        // 5.5 m/s² on 50 m: 16.6 m/s (60 km/h).
        assert!((bend_speed(50.0) - 16.583).abs() < 1e-3);
    }

    #[test]
    fn a_quarter_turn_is_driven_at_the_speed_of_its_average_radius() {
        let c = arc(13.0, std::f64::consts::FRAC_PI_2, 32);
        // Average radius = length / angle = 13 m (the chords are a hair shorter than the arc).
        let v = turn_speed(&c);
        assert!((v - (5.5f64 * 13.0).sqrt()).abs() < 0.001, "{v}");
        let straight = Polyline::new(vec![[0.0, 0.0], [30.0, 0.0]]);
        assert_eq!(turn_speed(&straight), f64::INFINITY);
    }
}

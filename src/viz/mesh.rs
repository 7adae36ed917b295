//! Small mesh builder: flat-shaded triangles, quads and boxes merged into one `Mesh`, plus the
//! 2D helpers the scene needs (ear-clipping, convex hull, dashes along a polyline).
use bevy::asset::RenderAssetUsages;
use bevy::mesh::{Indices, PrimitiveTopology};
use bevy::prelude::*;

use crate::road::elevation::Profile;
use crate::road::geometry::{P2, Polyline};

/// Map point (x east, y north) at height `h` to Bevy coordinates (x, up, −north).
pub fn world(p: P2, h: f32) -> Vec3 {
    Vec3::new(p[0] as f32, h, -p[1] as f32)
}

/// Flat-shaded triangle soup.
#[derive(Default)]
pub struct MeshBuf {
    pos: Vec<[f32; 3]>,
    nrm: Vec<[f32; 3]>,
    idx: Vec<u32>,
    /// The ground strips, dashes and segments are drawn on, by arc length along their line
    /// (a link's heights; none on flat ground).
    ground: Option<Profile>,
}

impl MeshBuf {
    pub fn is_empty(&self) -> bool {
        self.idx.is_empty()
    }

    /// A triangle facing `n` (its winding is fixed to match).
    pub fn tri(&mut self, a: Vec3, b: Vec3, c: Vec3, n: Vec3) {
        let cross = (b - a).cross(c - a);
        if cross.length_squared() < 1e-12 {
            return;
        }
        let (b, c) = if cross.dot(n) >= 0.0 { (b, c) } else { (c, b) };
        let n = n.normalize_or_zero().to_array();
        let base = self.pos.len() as u32;
        for p in [a, b, c] {
            self.pos.push(p.to_array());
            self.nrm.push(n);
        }
        self.idx.extend([base, base + 1, base + 2]);
    }

    /// A planar quad a-b-c-d (in order around its edge) facing `n`.
    pub fn quad(&mut self, a: Vec3, b: Vec3, c: Vec3, d: Vec3, n: Vec3) {
        self.tri(a, b, c, n);
        self.tri(a, c, d, n);
    }

    /// A flat quad at height `h` from four map points in order around the edge, facing up.
    pub fn flat_quad(&mut self, p: [P2; 4], h: f32) {
        let [a, b, c, d] = p.map(|q| world(q, h));
        self.quad(a, b, c, d, Vec3::Y);
    }

    /// Draw the strips, dashes and segments that follow on this ground (`None`: flat).
    pub fn on_ground(&mut self, ground: Option<Profile>) {
        self.ground = ground;
    }

    /// A quad from four map points in order around the edge, `h` above the ground at arc
    /// lengths `s` (one per point), facing up.
    fn lifted_quad(&mut self, p: [P2; 4], h: f32, s: [f64; 4]) {
        let Some(g) = &self.ground else {
            return self.flat_quad(p, h);
        };
        let z = s.map(|s| g.at(s) as f32 + h);
        let [a, b, c, d] = [0, 1, 2, 3].map(|k| world(p[k], z[k]));
        self.quad(a, b, c, d, Vec3::Y);
    }

    /// An axis-aligned box (local coordinates).
    pub fn cuboid(&mut self, min: Vec3, max: Vec3) {
        let (x0, y0, z0, x1, y1, z1) = (min.x, min.y, min.z, max.x, max.y, max.z);
        let v = |x, y, z| Vec3::new(x, y, z);
        self.quad(
            v(x1, y0, z0),
            v(x1, y1, z0),
            v(x1, y1, z1),
            v(x1, y0, z1),
            Vec3::X,
        );
        self.quad(
            v(x0, y0, z0),
            v(x0, y0, z1),
            v(x0, y1, z1),
            v(x0, y1, z0),
            Vec3::NEG_X,
        );
        self.quad(
            v(x0, y1, z0),
            v(x0, y1, z1),
            v(x1, y1, z1),
            v(x1, y1, z0),
            Vec3::Y,
        );
        self.quad(
            v(x0, y0, z0),
            v(x1, y0, z0),
            v(x1, y0, z1),
            v(x0, y0, z1),
            Vec3::NEG_Y,
        );
        self.quad(
            v(x0, y0, z1),
            v(x1, y0, z1),
            v(x1, y1, z1),
            v(x0, y1, z1),
            Vec3::Z,
        );
        self.quad(
            v(x0, y0, z0),
            v(x0, y1, z0),
            v(x1, y1, z0),
            v(x1, y0, z0),
            Vec3::NEG_Z,
        );
    }

    /// A strip between two polylines with the same number of points, flat at height `h`.
    pub fn strip(&mut self, left: &Polyline, right: &Polyline, h: f32) {
        let (l, r, cum) = (left.points(), right.points(), left.cumulative());
        for i in 0..l.len().min(r.len()).saturating_sub(1) {
            let (a, b) = (cum[i], cum[i + 1]);
            self.lifted_quad([l[i], r[i], r[i + 1], l[i + 1]], h, [a, a, b, b]);
        }
    }

    /// Dashes (`on` m painted, `off` m gap) of width `w` along `line`, flat at height `h`.
    pub fn dashes(&mut self, line: &Polyline, w: f64, on: f64, off: f64, h: f32) {
        let len = line.length();
        let mut s = 0.5 * off;
        while s < len {
            let e = (s + on).min(len);
            self.segment(line, s, e, w, h);
            s += on + off;
        }
    }

    /// One painted segment of width `w` along `line` between arc lengths `a` and `b`.
    pub fn segment(&mut self, line: &Polyline, a: f64, b: f64, w: f64, h: f32) {
        if b - a < 1e-3 {
            return;
        }
        // Follow the polyline's vertices between a and b so bends stay on the road.
        let mut ss = vec![a];
        let pts = line.points();
        let mut acc = 0.0;
        for i in 1..pts.len() {
            acc += crate::road::geometry::dist(pts[i - 1], pts[i]);
            if acc > a && acc < b {
                ss.push(acc);
            }
        }
        ss.push(b);
        for k in 0..ss.len() - 1 {
            let (p0, d0) = line.at(ss[k]);
            let (p1, _) = line.at(ss[k + 1]);
            let r = [d0[1] * w / 2.0, -d0[0] * w / 2.0];
            let (a, b) = (ss[k], ss[k + 1]);
            self.lifted_quad(
                [
                    [p0[0] - r[0], p0[1] - r[1]],
                    [p0[0] + r[0], p0[1] + r[1]],
                    [p1[0] + r[0], p1[1] + r[1]],
                    [p1[0] - r[0], p1[1] - r[1]],
                ],
                h,
                [a, a, b, b],
            );
        }
    }

    /// A filled polygon (map points, any orientation, may be concave) at height `h`, facing up.
    pub fn polygon(&mut self, poly: &[P2], h: f32) {
        for [a, b, c] in triangulate(poly) {
            self.tri(
                world(poly[a], h),
                world(poly[b], h),
                world(poly[c], h),
                Vec3::Y,
            );
        }
    }

    /// Walls of a footprint from `y0` to `y1`, facing outwards.
    pub fn walls(&mut self, poly: &[P2], y0: f32, y1: f32) {
        let ccw = signed_area(poly) >= 0.0;
        let n = poly.len();
        for i in 0..n {
            let (p, q) = (poly[i], poly[(i + 1) % n]);
            let d = [q[0] - p[0], q[1] - p[1]];
            // Outward normal in map coordinates: right of the edge for a CCW polygon.
            let out = if ccw { [d[1], -d[0]] } else { [-d[1], d[0]] };
            let normal = Vec3::new(out[0] as f32, 0.0, -out[1] as f32);
            self.quad(
                world(p, y0),
                world(q, y0),
                world(q, y1),
                world(p, y1),
                normal,
            );
        }
    }

    pub fn build(self) -> Mesh {
        Mesh::new(
            PrimitiveTopology::TriangleList,
            RenderAssetUsages::default(),
        )
        .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, self.pos)
        .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, self.nrm)
        .with_inserted_indices(Indices::U32(self.idx))
    }
}

/// Twice the signed area (positive when counter-clockwise).
pub fn signed_area(poly: &[P2]) -> f64 {
    let n = poly.len();
    (0..n)
        .map(|i| {
            let (a, b) = (poly[i], poly[(i + 1) % n]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum()
}

/// Ear-clipping triangulation of a simple polygon; indices into `poly`.
pub fn triangulate(poly: &[P2]) -> Vec<[usize; 3]> {
    let n = poly.len();
    if n < 3 {
        return Vec::new();
    }
    let mut idx: Vec<usize> = (0..n).collect();
    if signed_area(poly) < 0.0 {
        idx.reverse();
    }
    let cross = |a: P2, b: P2, c: P2| (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
    let mut out = Vec::with_capacity(n - 2);
    let mut guard = 0;
    while idx.len() > 3 && guard < n * n {
        guard += 1;
        let m = idx.len();
        let mut clipped = false;
        for i in 0..m {
            let (ia, ib, ic) = (idx[(i + m - 1) % m], idx[i], idx[(i + 1) % m]);
            let (a, b, c) = (poly[ia], poly[ib], poly[ic]);
            if cross(a, b, c) <= 1e-12 {
                continue;
            }
            let inside = idx.iter().any(|&j| {
                j != ia
                    && j != ib
                    && j != ic
                    && cross(a, b, poly[j]) >= 0.0
                    && cross(b, c, poly[j]) >= 0.0
                    && cross(c, a, poly[j]) >= 0.0
            });
            if inside {
                continue;
            }
            out.push([ia, ib, ic]);
            idx.remove(i);
            clipped = true;
            break;
        }
        if !clipped {
            break;
        }
    }
    if idx.len() == 3 {
        out.push([idx[0], idx[1], idx[2]]);
    }
    out
}

/// Convex hull (counter-clockwise, monotone chain).
pub fn convex_hull(mut pts: Vec<P2>) -> Vec<P2> {
    pts.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    pts.dedup_by(|a, b| (a[0] - b[0]).abs() < 1e-9 && (a[1] - b[1]).abs() < 1e-9);
    if pts.len() < 3 {
        return pts;
    }
    let cross = |o: P2, a: P2, b: P2| (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    let mut lower: Vec<P2> = Vec::new();
    for &p in &pts {
        while lower.len() >= 2 && cross(lower[lower.len() - 2], lower[lower.len() - 1], p) <= 0.0 {
            lower.pop();
        }
        lower.push(p);
    }
    let mut upper: Vec<P2> = Vec::new();
    for &p in pts.iter().rev() {
        while upper.len() >= 2 && cross(upper[upper.len() - 2], upper[upper.len() - 1], p) <= 0.0 {
            upper.pop();
        }
        upper.push(p);
    }
    lower.pop();
    upper.pop();
    lower.extend(upper);
    lower
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concave_polygons_triangulate_to_n_minus_2_triangles() {
        // An L shape, clockwise on purpose.
        let l = [
            [0.0, 0.0],
            [0.0, 2.0],
            [1.0, 2.0],
            [1.0, 1.0],
            [2.0, 1.0],
            [2.0, 0.0],
        ];
        let tris = triangulate(&l);
        assert_eq!(tris.len(), 4);
        let area: f64 = tris
            .iter()
            .map(|t| signed_area(&[l[t[0]], l[t[1]], l[t[2]]]).abs() / 2.0)
            .sum();
        assert!((area - 3.0).abs() < 1e-9);
    }

    #[test]
    fn hull_drops_interior_points() {
        let h = convex_hull(vec![
            [0.0, 0.0],
            [2.0, 0.0],
            [1.0, 1.0],
            [2.0, 2.0],
            [0.0, 2.0],
        ]);
        assert_eq!(h.len(), 4);
        assert!(signed_area(&h) > 0.0);
    }

    #[test]
    fn triangles_face_their_normal() {
        let mut m = MeshBuf::default();
        m.flat_quad([[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0]], 0.0);
        for t in m.idx.chunks(3) {
            let [a, b, c] = [t[0], t[1], t[2]].map(|i| Vec3::from_array(m.pos[i as usize]));
            assert!((b - a).cross(c - a).y > 0.0);
        }
    }
}

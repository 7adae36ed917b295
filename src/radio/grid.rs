//! A uniform spatial hash grid for "who is within r metres of here" queries (receivers of a
//! broadcast, vehicles in a camera's range, neighbours in a CBR cell).
//!
//! Points are bucketed by ⌊x / cell⌋, ⌊y / cell⌋. A query visits the cells overlapping the
//! query square and keeps the points with distance ≤ r. The result is sorted ascending by key
//! and de-duplicated, so it never depends on hash order. Cell size ~ the typical query radius
//! (100 m for the default scenarios) keeps a query to a handful of cells.
use std::collections::HashMap;

/// A 2D point, metres.
pub type Pos = (f64, f64);

/// ⌊v⌋ as an integer, as `v.floor() as i64` (saturating; NaN gives 0) without the call into
/// libm that `floor` is on baseline x86-64 (no SSE4.1): cell numbers are taken for every
/// reception and every interferer at every receiver (2.6 % of a Sangam run, `perf`).
#[inline]
pub fn floor_i64(v: f64) -> i64 {
    let t = v as i64;
    if (t as f64) > v {
        t.saturating_sub(1)
    } else {
        t
    }
}

/// A static grid built once per step from (key, position) pairs.
#[derive(Debug, Clone)]
pub struct SpatialGrid {
    cell: f64,
    cells: HashMap<(i64, i64), Vec<(u32, Pos)>>,
    /// Every point, in the order given.
    all: Vec<(u32, Pos)>,
    /// Whether `all` is in strictly ascending key order (a query that scans everything then
    /// needs no sort: the receivers of a sidelink message usually span the whole map).
    ascending: bool,
}

impl SpatialGrid {
    /// Build a grid with square cells of side `cell` metres (> 0).
    pub fn build(cell: f64, items: impl Iterator<Item = (u32, Pos)>) -> Self {
        assert!(cell > 0.0 && cell.is_finite(), "cell size must be > 0");
        let mut g = SpatialGrid {
            cell,
            cells: HashMap::new(),
            all: items.collect(),
            ascending: false,
        };
        for &(key, p) in &g.all {
            g.cells.entry(g.cell_of(p)).or_default().push((key, p));
        }
        g.ascending = g.all.is_sorted_by(|a, b| a.0 < b.0);
        g
    }

    fn coord(&self, v: f64) -> i64 {
        floor_i64(v / self.cell)
    }

    fn cell_of(&self, p: Pos) -> (i64, i64) {
        (self.coord(p.0), self.coord(p.1))
    }

    /// Points stored.
    pub fn len(&self) -> usize {
        self.all.len()
    }

    /// True when no point is stored.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// Keys of all points within distance `r` (inclusive) of `center`, ascending, without
    /// duplicates. `out` is cleared first (reuse it across queries to avoid allocation).
    pub fn query(&self, center: Pos, r: f64, out: &mut Vec<u32>) {
        out.clear();
        if r.is_nan() || r < 0.0 {
            return;
        }
        let r2 = r * r;
        let mut visit = |pts: &[(u32, Pos)]| {
            for (k, p) in pts {
                let (dx, dy) = (p.0 - center.0, p.1 - center.1);
                if dx * dx + dy * dy <= r2 {
                    out.push(*k);
                }
            }
        };
        let (x0, x1) = (self.coord(center.0 - r), self.coord(center.0 + r));
        let (y0, y1) = (self.coord(center.1 - r), self.coord(center.1 + r));
        // In f64: a huge radius saturates the cell coordinates and `x1 - x0` would overflow.
        let span = (x1 as f64 - x0 as f64 + 1.0) * (y1 as f64 - y0 as f64 + 1.0);
        if span > self.cells.len() as f64 {
            // Huge radius: scanning every point is cheaper, and in key order if they were given so.
            visit(&self.all);
            if self.ascending {
                return;
            }
        } else {
            for cx in x0..=x1 {
                for cy in y0..=y1 {
                    if let Some(pts) = self.cells.get(&(cx, cy)) {
                        visit(pts);
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn floor_i64_is_floor_for_every_kind_of_value() {
        let special = [
            0.0,
            -0.0,
            0.5,
            -0.5,
            -1.0,
            1e300,
            -1e300,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -9.3e18,
            9.3e18,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
        ];
        for v in special {
            assert_eq!(floor_i64(v), v.floor() as i64, "{v}");
        }
    }

    proptest! {
        #[test]
        fn floor_i64_agrees_with_floor(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            prop_assert_eq!(floor_i64(v), v.floor() as i64);
        }

        #[test]
        fn floor_i64_agrees_with_floor_on_the_map(v in -1e6f64..1e6) {
            prop_assert_eq!(floor_i64(v), v.floor() as i64);
        }
    }

    fn brute(items: &[(u32, Pos)], c: Pos, r: f64) -> Vec<u32> {
        let mut v: Vec<u32> = items
            .iter()
            .filter(|(_, p)| (p.0 - c.0).powi(2) + (p.1 - c.1).powi(2) <= r * r)
            .map(|(k, _)| *k)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    #[test]
    fn basic() {
        let g = SpatialGrid::build(
            100.0,
            [
                (3, (0.0, 0.0)),
                (1, (99.0, 0.0)),
                (2, (-150.0, 10.0)),
                (7, (0.0, 100.0)),
            ]
            .into_iter(),
        );
        assert_eq!(g.len(), 4);
        let mut out = vec![42];
        g.query((0.0, 0.0), 100.0, &mut out);
        assert_eq!(out, [1, 3, 7]);
        g.query((0.0, 0.0), 1e9, &mut out);
        assert_eq!(out, [1, 2, 3, 7]);
        g.query((0.0, 0.0), -1.0, &mut out);
        assert!(out.is_empty());
        assert!(SpatialGrid::build(10.0, std::iter::empty()).is_empty());
    }

    proptest! {
        #[test]
        fn matches_brute_force(
            pts in proptest::collection::vec((-1000.0f64..1000.0, -1000.0f64..1000.0), 0..150),
            c in (-1200.0f64..1200.0, -1200.0f64..1200.0),
            r in 0.0f64..700.0,
            cell in 5.0f64..300.0,
        ) {
            let items: Vec<(u32, Pos)> = pts.iter().enumerate().map(|(i, p)| (i as u32 * 7 % 101, *p)).collect();
            let g = SpatialGrid::build(cell, items.iter().copied());
            let mut out = Vec::new();
            g.query(c, r, &mut out);
            prop_assert_eq!(out, brute(&items, c, r));
        }

        /// Keys given in ascending order (as the radio gives its stations), with radii up to
        /// beyond the map, where a query scans every point without sorting.
        #[test]
        fn matches_brute_force_with_keys_in_order(
            pts in proptest::collection::vec((-1000.0f64..1000.0, -1000.0f64..1000.0), 0..150),
            c in (-1200.0f64..1200.0, -1200.0f64..1200.0),
            r in 0.0f64..5000.0,
            cell in 5.0f64..300.0,
        ) {
            let items: Vec<(u32, Pos)> = pts.iter().enumerate().map(|(i, p)| (3 * i as u32, *p)).collect();
            let g = SpatialGrid::build(cell, items.iter().copied());
            let mut out = vec![7];
            g.query(c, r, &mut out);
            prop_assert_eq!(out, brute(&items, c, r));
        }
    }
}

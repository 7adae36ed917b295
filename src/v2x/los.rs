//! The building line-of-sight cache: one ray cast per pair of 10 m cells, remembered for the run
//! (buildings never move).
//!
//! Every reception asks it, and so does every interferer at every receiver: ~94 M questions in
//! the 600 s Sangam scenario, about 1.2 M distinct pairs. Kept as one table of every pair, each
//! question was a cache miss (30 % of that run's time, `perf`; docs/performance.md). Here the
//! cells that have been asked about get dense numbers, and the answers are two bits in a matrix
//! of them: a sender's whole row is a few hundred bytes, and 1,670 cells take 700 kB. Cells
//! beyond [`LosCache::DENSE_CELLS`] go to a table of pairs, as before.
//!
//! A cell's number is found without hashing for cells over the map (a table of the map's cells
//! plus a margin, [`LosCache::over`]: the hash lookup per question was the largest part of its
//! cost); cells beyond it are numbered through a hash map.
//!
//! A pair's answer holds for both directions: the first ray cast between two cells, from
//! whichever end asked first, decides it, and the cache starts afresh after
//! [`LosCache::MAX_PAIRS`] casts, which bounds its memory on any map.
use bevy::platform::collections::HashMap;

use crate::radio::grid::floor_i64;

/// A 10 m cell of the ground, packed as x (high 16 bits) and y (low 16 bits).
type Cell = u32;

/// Side of a cell, m.
const CELL_M: f64 = 10.0;
/// Cells around the map's nodes that the table covers (roadside units and base stations stand
/// off the road), m.
const MARGIN_M: f64 = 1000.0;
/// The largest table of cell numbers, entries (4 MB: a map of 20 km × 20 km).
const MAX_TABLE: usize = 1 << 20;
/// No number yet.
const NONE: u32 = u32::MAX;

/// Numbers of the cells over the map, by position.
#[derive(Default)]
struct Table {
    /// First cell's packed x and y.
    x0: u32,
    y0: u32,
    /// Cells across (x) and up (y).
    w: u32,
    h: u32,
    numbers: Vec<u32>,
}

impl Table {
    fn slot(&self, c: Cell) -> Option<usize> {
        let (x, y) = (
            (c >> 16).wrapping_sub(self.x0),
            (c & 0xffff).wrapping_sub(self.y0),
        );
        (x < self.w && y < self.h).then(|| (y * self.w + x) as usize)
    }
}

/// A ground position's cell, and its number in the cache if it has one ([`LosCache::place`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    cell: Cell,
    number: Option<u32>,
}

/// Remembered line of sight between 10 m cells.
#[derive(Default)]
pub struct LosCache {
    /// Dense number of each cell over the map, in the order first cast from or to.
    table: Table,
    /// Dense number of each cell beyond the table.
    index: HashMap<Cell, u32>,
    /// Cells numbered.
    numbered: usize,
    /// The matrix's side (a power of two, ≥ the cells numbered).
    side: usize,
    /// Two bits per ordered pair of numbered cells: known, clear; rows of `side / 32` words.
    bits: Vec<u64>,
    /// Pairs with a cell beyond the matrix, by [`pair_key`].
    overflow: HashMap<u64, bool>,
    /// The cell asked from last, and its number (a sender asks about all its receivers in a row).
    last: Option<(Cell, Option<u32>)>,
    /// Pairs cast since the cache started afresh.
    pairs: usize,
}

impl LosCache {
    /// Pairs remembered before the cache starts afresh.
    pub const MAX_PAIRS: usize = 2_000_000;
    /// Cells with a row in the matrix (4,096: 4 MB).
    pub const DENSE_CELLS: usize = 4096;

    /// A cache whose cells over the map (nodes between `lo` and `hi`, m, and a margin around
    /// them) are numbered by table; an empty or too large map is numbered by hash alone.
    pub fn over(lo: [f64; 2], hi: [f64; 2]) -> LosCache {
        let first = cell([lo[0] - MARGIN_M, lo[1] - MARGIN_M]);
        let last = cell([hi[0] + MARGIN_M, hi[1] + MARGIN_M]);
        let (x0, y0) = (first >> 16, first & 0xffff);
        let (w, h) = (
            (last >> 16).saturating_sub(x0) + 1,
            (last & 0xffff).saturating_sub(y0) + 1,
        );
        let n = w as usize * h as usize;
        let table = if lo[0] <= hi[0] && lo[1] <= hi[1] && n <= MAX_TABLE {
            Table {
                x0,
                y0,
                w,
                h,
                numbers: vec![NONE; n],
            }
        } else {
            Table::default()
        };
        LosCache {
            table,
            ..LosCache::default()
        }
    }

    /// The remembered line of sight between `a` and `b`, if either end has asked before.
    pub fn get(&mut self, a: [f64; 2], b: [f64; 2]) -> Option<bool> {
        let ca = cell(a);
        let number = self.number_of_from(ca);
        self.peek_places(Place { cell: ca, number }, self.place(b))
    }

    /// [`LosCache::get`] without remembering the cell asked from: for many threads asking at
    /// once.
    pub fn peek(&self, a: [f64; 2], b: [f64; 2]) -> Option<bool> {
        self.peek_places(self.place(a), self.place(b))
    }

    /// A ground position's cell and its number, looked up once for the many questions asked
    /// from or to it (valid until the cache next remembers an answer).
    pub fn place(&self, p: [f64; 2]) -> Place {
        let c = cell(p);
        Place {
            cell: c,
            number: self.lookup(c),
        }
    }

    /// The remembered line of sight between two places, if known.
    pub fn peek_places(&self, a: Place, b: Place) -> Option<bool> {
        match (a.number, b.number) {
            (Some(i), Some(j)) => self.entry(i, j),
            _ => self.overflow.get(&pair_key(a.cell, b.cell)).copied(),
        }
    }

    /// Remember a ray cast between `a` and `b`.
    pub fn insert(&mut self, a: [f64; 2], b: [f64; 2], clear: bool) {
        if self.pairs > Self::MAX_PAIRS {
            self.forget();
        }
        self.pairs += 1;
        let (ca, cb) = (cell(a), cell(b));
        self.last = None;
        match (self.number(ca), self.number(cb)) {
            (Some(i), Some(j)) => {
                self.set(i, j, clear);
                self.set(j, i, clear);
            }
            _ => {
                self.overflow.insert(pair_key(ca, cb), clear);
            }
        }
    }

    /// Start afresh, keeping the table's extent.
    fn forget(&mut self) {
        let mut table = std::mem::take(&mut self.table);
        table.numbers.fill(NONE);
        *self = LosCache {
            table,
            ..LosCache::default()
        };
    }

    /// The number of a cell asked from, remembered for the next question.
    fn number_of_from(&mut self, c: Cell) -> Option<u32> {
        match self.last {
            Some((last, i)) if last == c => i,
            _ => {
                let i = self.lookup(c);
                self.last = Some((c, i));
                i
            }
        }
    }

    /// The number of a cell, if it has one.
    fn lookup(&self, c: Cell) -> Option<u32> {
        match self.table.slot(c) {
            Some(k) => Some(self.table.numbers[k]).filter(|&i| i != NONE),
            None => self.index.get(&c).copied(),
        }
    }

    /// The number of a cell, given one while the matrix has room.
    fn number(&mut self, c: Cell) -> Option<u32> {
        if let Some(i) = self.lookup(c) {
            return Some(i);
        }
        let n = self.numbered;
        if n >= Self::DENSE_CELLS {
            return None;
        }
        if n >= self.side {
            self.grow((2 * self.side).max(64));
        }
        match self.table.slot(c) {
            Some(k) => self.table.numbers[k] = n as u32,
            None => {
                self.index.insert(c, n as u32);
            }
        }
        self.numbered += 1;
        Some(n as u32)
    }

    /// Widen the matrix to `side`, keeping every answer.
    fn grow(&mut self, side: usize) {
        let (old, new) = (self.side / 32, side / 32);
        let mut bits = vec![0; side * new];
        for (i, row) in self.bits.chunks_exact(old.max(1)).enumerate() {
            bits[i * new..i * new + old].copy_from_slice(row);
        }
        self.bits = bits;
        self.side = side;
    }

    /// The word and shift of the ordered pair (i, j).
    fn at(&self, i: u32, j: u32) -> (usize, u32) {
        let (i, j) = (i as usize, j as usize);
        (i * (self.side / 32) + j / 32, 2 * (j % 32) as u32)
    }

    fn entry(&self, i: u32, j: u32) -> Option<bool> {
        let (w, s) = self.at(i, j);
        let v = self.bits[w] >> s;
        (v & 1 == 1).then_some(v & 2 == 2)
    }

    fn set(&mut self, i: u32, j: u32, clear: bool) {
        let (w, s) = self.at(i, j);
        self.bits[w] |= (1 | (u64::from(clear) << 1)) << s;
    }
}

/// The 10 m cell of a ground position (±327 km around the origin).
fn cell(p: [f64; 2]) -> Cell {
    let q = |v: f64| (floor_i64(v / CELL_M) + 32768).clamp(0, 65535) as u32;
    (q(p[0]) << 16) | q(p[1])
}

/// An unordered pair of cells.
fn pair_key(a: Cell, b: Cell) -> u64 {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    (u64::from(lo) << 32) | u64::from(hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_holds_for_both_directions_and_the_whole_cell() {
        for c in caches() {
            both_directions(c);
        }
    }

    /// A cache numbering by hash alone, and one with a table over part of the cells asked about.
    fn caches() -> [LosCache; 2] {
        [
            LosCache::default(),
            LosCache::over([-100.0, -100.0], [-50.0, 1000.0]),
        ]
    }

    fn both_directions(mut c: LosCache) {
        assert_eq!(c.get([0.0, 0.0], [100.0, 0.0]), None);
        c.insert([1.0, 1.0], [101.0, 1.0], false);
        assert_eq!(c.get([9.0, 9.0], [109.0, 0.0]), Some(false));
        assert_eq!(c.peek([105.0, 5.0], [5.0, 5.0]), Some(false));
        let (far, near) = (c.place([105.0, 5.0]), c.place([5.0, 5.0]));
        assert_eq!(c.peek_places(near, far), Some(false));
        assert_eq!(c.peek([105.0, 15.0], [5.0, 5.0]), None);
        assert_eq!(c.get([105.0, 5.0], [5.0, 5.0]), Some(false));
        assert_eq!(c.get([105.0, 15.0], [5.0, 5.0]), None);
    }

    #[test]
    fn answers_survive_the_matrix_growing_and_overflowing_it() {
        for c in caches() {
            growing(c);
        }
    }

    fn growing(mut c: LosCache) {
        let at = |k: usize| [10.0 * k as f64, 0.0];
        let n = LosCache::DENSE_CELLS + 10;
        for k in 1..n {
            c.insert(at(0), at(k), k % 3 == 0);
        }
        assert!(
            c.overflow.len() >= 10,
            "cells beyond the matrix go to the pair table"
        );
        for k in 1..n {
            assert_eq!(c.get(at(k), at(0)), Some(k % 3 == 0), "pair {k}");
            assert_eq!(c.peek(at(0), at(k)), Some(k % 3 == 0), "pair {k}");
            assert_eq!(c.get(at(k), at(k + n)), None);
        }
    }

    #[test]
    fn the_cache_starts_afresh_after_its_pair_budget() {
        for c in caches() {
            afresh(c);
        }
    }

    fn afresh(mut c: LosCache) {
        c.insert([0.0, 0.0], [10.0, 0.0], true);
        c.pairs = LosCache::MAX_PAIRS + 1;
        c.insert([0.0, 0.0], [20.0, 0.0], true);
        assert_eq!(c.get([0.0, 0.0], [10.0, 0.0]), None);
        assert_eq!(c.get([0.0, 0.0], [20.0, 0.0]), Some(true));
    }
}

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
//! A pair's answer holds for both directions: the first ray cast between two cells, from
//! whichever end asked first, decides it, and the cache starts afresh after
//! [`LosCache::MAX_PAIRS`] casts, which bounds its memory on any map.
use bevy::platform::collections::HashMap;

/// A 10 m cell of the ground, packed as x (high 16 bits) and y (low 16 bits).
type Cell = u32;

/// Remembered line of sight between 10 m cells.
#[derive(Default)]
pub struct LosCache {
    /// Dense number of each cell in the matrix, in the order first cast from or to.
    index: HashMap<Cell, u32>,
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

    /// The remembered line of sight between `a` and `b`, if either end has asked before.
    pub fn get(&mut self, a: [f64; 2], b: [f64; 2]) -> Option<bool> {
        let (ca, cb) = (cell(a), cell(b));
        match (self.number_of_from(ca), self.index.get(&cb)) {
            (Some(i), Some(&j)) => self.entry(i, j),
            _ => self.overflow.get(&pair_key(ca, cb)).copied(),
        }
    }

    /// Remember a ray cast between `a` and `b`.
    pub fn insert(&mut self, a: [f64; 2], b: [f64; 2], clear: bool) {
        if self.pairs > Self::MAX_PAIRS {
            *self = Self::default();
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

    /// The number of a cell asked from, remembered for the next question.
    fn number_of_from(&mut self, c: Cell) -> Option<u32> {
        match self.last {
            Some((last, i)) if last == c => i,
            _ => {
                let i = self.index.get(&c).copied();
                self.last = Some((c, i));
                i
            }
        }
    }

    /// The number of a cell, given one while the matrix has room.
    fn number(&mut self, c: Cell) -> Option<u32> {
        if let Some(&i) = self.index.get(&c) {
            return Some(i);
        }
        let n = self.index.len();
        if n >= Self::DENSE_CELLS {
            return None;
        }
        if n >= self.side {
            self.grow((2 * self.side).max(64));
        }
        self.index.insert(c, n as u32);
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
    let q = |v: f64| ((v / 10.0).floor() as i64 + 32768).clamp(0, 65535) as u32;
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
        let mut c = LosCache::default();
        assert_eq!(c.get([0.0, 0.0], [100.0, 0.0]), None);
        c.insert([1.0, 1.0], [101.0, 1.0], false);
        assert_eq!(c.get([9.0, 9.0], [109.0, 0.0]), Some(false));
        assert_eq!(c.get([105.0, 5.0], [5.0, 5.0]), Some(false));
        assert_eq!(c.get([105.0, 15.0], [5.0, 5.0]), None);
    }

    #[test]
    fn answers_survive_the_matrix_growing_and_overflowing_it() {
        let mut c = LosCache::default();
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
            assert_eq!(c.get(at(k), at(k + n)), None);
        }
    }

    #[test]
    fn the_cache_starts_afresh_after_its_pair_budget() {
        let mut c = LosCache::default();
        c.insert([0.0, 0.0], [10.0, 0.0], true);
        c.pairs = LosCache::MAX_PAIRS + 1;
        c.insert([0.0, 0.0], [20.0, 0.0], true);
        assert_eq!(c.get([0.0, 0.0], [10.0, 0.0]), None);
        assert_eq!(c.get([0.0, 0.0], [20.0, 0.0]), Some(true));
    }
}

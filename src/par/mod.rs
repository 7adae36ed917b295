//! Work inside one world split over threads, with output independent of how many.
//!
//! A world is stepped by one thread; a system whose work is many independent items (the
//! receptions of a step, every vehicle's decision) hands them to [`map`] or [`batches_mut`],
//! which cuts them into contiguous chunks, one per thread, and returns the results in item
//! order. The caller guarantees that an item's result depends on the item alone (shared state
//! read-only, random draws keyed by the item: [`crate::rng::Keyed`]); then the output is the
//! same for any thread count, and anything the items leave behind (answers to remember) is
//! applied afterwards in item order, never in the order threads finish. The chunks run on
//! helper threads kept for the whole run ([`pool`]).
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use bevy::prelude::Resource;

pub mod pool;

/// Threads a world may use for its own work (`--threads`), and the least work worth a thread.
#[derive(Resource, Debug, Clone, Copy)]
pub struct Threads {
    /// At least 1.
    pub n: usize,
    /// Fewer items than this per thread are done on one ([`MIN_PER_THREAD`] unless a test asks
    /// for less).
    pub min_per_thread: usize,
}

impl Threads {
    /// `n` threads (0 counts as 1), splitting from `min_per_thread` items each (0: the default).
    pub fn new(n: usize, min_per_thread: usize) -> Threads {
        Threads {
            n: n.max(1),
            min_per_thread: if min_per_thread == 0 {
                MIN_PER_THREAD
            } else {
                min_per_thread
            },
        }
    }

    /// The world's threads, or one when the world has no [`Threads`] (worlds built by tests).
    pub fn of(given: Option<bevy::prelude::Res<Threads>>) -> Threads {
        given.map_or_else(Threads::default, |t| *t)
    }
}

impl Default for Threads {
    fn default() -> Self {
        Threads::new(1, 0)
    }
}

/// Items per thread below which a step's work stays on one thread. Handing a chunk to a
/// helper that is still watching for work costs ~0.1 µs ([`pool`]), but one that has parked
/// takes 65-78 µs to wake on the 2-core test machine (a VM), and a helper's spinning competes
/// with the host for the second core: splitting the default scenario's ~1,400 receptions a
/// step (from 256 items per thread) made its 600 s run 34.9 s → 36.3 s wall, and splitting
/// the 1,000 vehicles of `bench` gave 2.2-3.1 s against 2.8 s unsplit (measured in session
/// 20). An item takes 0.3-1 µs, so at 4,096 items a thread has ~2 ms of work.
pub const MIN_PER_THREAD: usize = 4096;

/// Calls of [`chunks`] and [`batches_mut`] (and so [`map`]) in this process that split their
/// items over more than one thread, so a test can tell that its run took the parallel path.
static SPLITS: AtomicU64 = AtomicU64::new(0);

/// How many calls have split their items so far (in this process).
pub fn splits() -> u64 {
    SPLITS.load(Ordering::Relaxed)
}

/// `f` over every item, on up to `threads.n` threads; one result per item, in item order. `f`
/// gets each chunk and returns the chunk's results and what it leaves behind; those come back
/// concatenated in chunk order.
pub fn map<T, R, L>(
    threads: Threads,
    items: &[T],
    f: impl Fn(&[T]) -> (Vec<R>, Vec<L>) + Sync,
) -> (Vec<R>, Vec<L>)
where
    T: Sync,
    R: Send,
    L: Send,
{
    let parts = chunks(threads, items, f);
    let mut out = (
        Vec::with_capacity(items.len()),
        Vec::with_capacity(parts.iter().map(|p| p.1.len()).sum()),
    );
    for (r, l) in parts {
        out.0.extend(r);
        out.1.extend(l);
    }
    out
}

/// Items per chunk when `len` items are split over these threads; `None` when the work is too
/// small to split (one chunk).
fn chunk_len(threads: Threads, len: usize) -> Option<usize> {
    let n = threads.n.min(len / threads.min_per_thread);
    (n > 1).then(|| len.div_ceil(n))
}

/// `f` over contiguous chunks of the items, one per thread (one chunk when the work is too
/// small to split); one result per chunk, in chunk order. How many chunks there are depends on
/// the threads: callers either concatenate the results ([`map`]) or combine them in a way that
/// does not depend on the split (integer sums).
pub fn chunks<T, R>(threads: Threads, items: &[T], f: impl Fn(&[T]) -> R + Sync) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    match chunk_len(threads, items.len()) {
        Some(per) => on_threads(items.chunks(per).collect(), f),
        None => vec![f(items)],
    }
}

/// Items per thread held at once by [`batches_mut`]: ~0.3-1 ms of a vehicle's work, so handing
/// a batch to helpers still watching for work (~0.1 µs, [`pool`]) costs nothing measurable.
pub const BATCH_PER_THREAD: usize = 1024;

/// [`chunks`] for work that writes its own items (each item's new value depending on that item
/// and on shared state read-only, so the split does not show), over what an iterator yields (a
/// query's rows, which must be gathered into a slice to be split), gathered
/// [`BATCH_PER_THREAD`] per thread at a time. Gathering every row
/// at once held a step's worth of row references (up to 256 B a vehicle: 2.3 MB a step at
/// 9,000 vehicles) on top of the rows themselves; batches hold a fixed amount for any count.
/// Whether the work is split over threads is decided on the whole count, as [`chunks`]
/// does; `f`'s results come back in item order, one or more per batch.
pub fn batches_mut<T, R>(
    threads: Threads,
    items: impl ExactSizeIterator<Item = T>,
    f: impl Fn(&mut [T]) -> R + Sync,
) -> Vec<R>
where
    T: Send,
    R: Send,
{
    let split = chunk_len(threads, items.len()).is_some();
    let batch = if split { threads.n } else { 1 } * BATCH_PER_THREAD;
    let mut items = items.peekable();
    let mut held = Vec::with_capacity(batch.min(items.len()));
    let mut out = Vec::new();
    while items.peek().is_some() {
        held.extend(items.by_ref().take(batch));
        if split {
            let per = held.len().div_ceil(threads.n);
            out.extend(on_threads(held.chunks_mut(per).collect(), &f));
        } else {
            out.push(f(&mut held));
        }
        held.clear();
    }
    out
}

/// `f` over every piece, one per thread of [`pool`]; results in piece order.
fn on_threads<P: Send, R: Send>(pieces: Vec<P>, f: impl Fn(P) -> R + Sync) -> Vec<R> {
    SPLITS.fetch_add(1, Ordering::Relaxed);
    let n = pieces.len();
    let cells: Vec<Mutex<(Option<P>, Option<R>)>> = pieces
        .into_iter()
        .map(|p| Mutex::new((Some(p), None)))
        .collect();
    pool::run(n, &|i| {
        let mut cell = cells[i].lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(piece) = cell.0.take() {
            cell.1 = Some(f(piece));
        }
    });
    cells
        .into_iter()
        .filter_map(|c| c.into_inner().unwrap_or_else(PoisonError::into_inner).1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Squares, and the multiples of 7 left behind.
    fn squares(threads: usize, n: u64) -> (Vec<u64>, Vec<u64>) {
        let items: Vec<u64> = (0..n).collect();
        map(Threads::new(threads, 256), &items, |chunk| {
            (
                chunk.iter().map(|x| x * x).collect(),
                chunk.iter().copied().filter(|x| x % 7 == 0).collect(),
            )
        })
    }

    #[test]
    fn results_come_back_in_item_order_for_any_thread_count() {
        let one = squares(1, 5000);
        assert_eq!(one.0, (0..5000u64).map(|x| x * x).collect::<Vec<_>>());
        for t in [2, 3, 4, 7, 64] {
            assert_eq!(squares(t, 5000), one, "{t} threads");
        }
        assert_eq!(squares(4, 10), squares(1, 10));
    }

    /// Every item once, results in item order, never more than a batch per thread held at once,
    /// whether or not the whole count is split (10,000 items: split from 16 per thread, not from
    /// the default 4,096 per thread on 3 threads).
    #[test]
    fn batches_mut_writes_every_item_once_holding_a_batch_at_a_time() {
        let n = 10_000u64;
        for (t, min) in [(1, 16), (2, 16), (3, 16), (8, 16), (3, 0)] {
            let threads = Threads::new(t, min);
            let mut items: Vec<u64> = (0..n).collect();
            let seen = batches_mut(threads, items.iter_mut(), |chunk| {
                let first = *chunk[0];
                chunk.iter_mut().for_each(|x| **x = **x * 3 + 1);
                (first, chunk.len())
            });
            assert!(
                seen.iter().all(|&(_, len)| len <= BATCH_PER_THREAD),
                "{t} threads"
            );
            assert_eq!(seen.iter().map(|s| s.1).sum::<usize>(), n as usize);
            let starts: Vec<u64> = seen.iter().map(|s| s.0).collect();
            assert!(starts.windows(2).all(|w| w[0] < w[1]), "{t}: in item order");
            assert!(
                items
                    .iter()
                    .enumerate()
                    .all(|(i, &x)| x == i as u64 * 3 + 1)
            );
        }
        // Within one batch a thread: one chunk each when split.
        for t in [1, 2, 3, 8] {
            let mut items: Vec<u64> = (0..1000).collect();
            let lens = batches_mut(Threads::new(t, 16), items.iter_mut(), |chunk| chunk.len());
            assert_eq!(lens.len(), t, "{t} threads: one chunk each");
            assert_eq!(lens.iter().sum::<usize>(), 1000, "{t} threads");
        }
    }

    #[test]
    fn a_panic_in_any_chunk_reaches_the_caller_and_the_helpers_stay_usable() {
        let items: Vec<u64> = (0..400).collect();
        for bad in [0, 150, 399] {
            let caught = std::panic::catch_unwind(|| {
                chunks(Threads::new(4, 10), &items, |chunk| {
                    assert!(!chunk.contains(&bad), "item {bad}");
                    chunk.len()
                })
            });
            assert!(caught.is_err(), "a panic at item {bad} was lost");
        }
        let after = chunks(Threads::new(4, 10), &items, |chunk| {
            chunk.iter().sum::<u64>()
        });
        assert_eq!(after.iter().sum::<u64>(), 399 * 400 / 2);
    }

    #[test]
    fn work_split_again_inside_a_chunk_runs_there_and_adds_up() {
        let items: Vec<u64> = (0..300).collect();
        let inner = |chunk: &[u64]| {
            chunks(Threads::new(3, 10), chunk, |c| c.iter().sum::<u64>())
                .iter()
                .sum::<u64>()
        };
        let parts = chunks(Threads::new(3, 10), &items, inner);
        assert_eq!(parts.iter().sum::<u64>(), 299 * 300 / 2);
    }
}

//! Work inside one world split over threads, with output independent of how many.
//!
//! A world is stepped by one thread; a system whose work is many independent items (the
//! receptions of a step) hands them to [`map`], which cuts them into contiguous chunks, one per
//! thread, and returns the results in item order. The caller guarantees that an item's result
//! depends on the item alone (shared state read-only, random draws keyed by the item:
//! [`crate::rng::Keyed`]); then the output is the same for any thread count, and anything the
//! items leave behind (answers to remember) is applied afterwards in item order, never in the
//! order threads finish.
use std::sync::atomic::{AtomicU64, Ordering};

use bevy::prelude::Resource;

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
}

impl Default for Threads {
    fn default() -> Self {
        Threads::new(1, 0)
    }
}

/// Items per thread below which a step's work stays on one thread. Starting a scoped thread
/// and joining it costs 78 µs on the 2-core test machine (a VM; a hand-over to a parked
/// thread through a channel 45 µs), and the default scenario's 92,000 splits of ~1,400
/// receptions cost 13 s more wall time than none; an item takes 0.3-1 µs, so at 4,096 items a
/// thread has ~2 ms of work.
pub const MIN_PER_THREAD: usize = 4096;

/// Calls of [`map`] in this process that split their items over more than one thread, so a
/// test can tell that its run took the parallel path.
static SPLITS: AtomicU64 = AtomicU64::new(0);

/// How many calls of [`map`] have split their items so far (in this process).
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

/// `f` over contiguous chunks of the items, one per thread (one chunk when the work is too
/// small to split); one result per chunk, in chunk order. How many chunks there are depends on the threads: callers either concatenate the
/// results ([`map`]) or combine them in a way that does not depend on the split (integer sums).
pub fn chunks<T, R>(threads: Threads, items: &[T], f: impl Fn(&[T]) -> R + Sync) -> Vec<R>
where
    T: Sync,
    R: Send,
{
    let n = threads.n.min(items.len() / threads.min_per_thread).max(1);
    if n == 1 {
        return vec![f(items)];
    }
    SPLITS.fetch_add(1, Ordering::Relaxed);
    let per = items.len().div_ceil(n);
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = items
            .chunks(per)
            .skip(1)
            .map(|chunk| s.spawn(move || f(chunk)))
            .collect();
        let mut parts = vec![f(&items[..per])];
        for h in handles {
            match h.join() {
                Ok(part) => parts.push(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        parts
    })
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
}

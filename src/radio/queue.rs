//! A deterministic delivery queue: messages in flight, ordered by delivery time.
//!
//! Entries are keyed by (deliver_at_us, seq), where seq is the insertion counter, so two
//! messages due at the same microsecond come out in the order they were pushed. Given the
//! same pushes, the pops are the same on every run and platform (no hashing, no floats).
use std::cmp::Ordering;
use std::collections::BinaryHeap;

struct Entry<T> {
    at_us: u64,
    seq: u64,
    item: T,
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.at_us, self.seq) == (other.at_us, other.seq)
    }
}
impl<T> Eq for Entry<T> {}
impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Entry<T> {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest key first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at_us, other.seq).cmp(&(self.at_us, self.seq))
    }
}

/// Items waiting to be delivered, earliest first, ties in insertion order.
pub struct DeliveryQueue<T> {
    heap: BinaryHeap<Entry<T>>,
    next_seq: u64,
}

impl<T> Default for DeliveryQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> std::fmt::Debug for DeliveryQueue<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeliveryQueue")
            .field("len", &self.heap.len())
            .field("next_at_us", &self.next_at_us())
            .finish()
    }
}

impl<T> DeliveryQueue<T> {
    /// An empty queue.
    pub fn new() -> Self {
        DeliveryQueue {
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }

    /// Schedule `item` for delivery at `deliver_at_us`; returns its sequence number.
    pub fn push(&mut self, deliver_at_us: u64, item: T) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry {
            at_us: deliver_at_us,
            seq,
            item,
        });
        seq
    }

    /// Delivery time of the earliest item.
    pub fn next_at_us(&self) -> Option<u64> {
        self.heap.peek().map(|e| e.at_us)
    }

    /// Remove and return the earliest item if it is due (time ≤ `now_us`).
    pub fn pop_next_due(&mut self, now_us: u64) -> Option<(u64, T)> {
        if self.heap.peek()?.at_us <= now_us {
            self.heap.pop().map(|e| (e.at_us, e.item))
        } else {
            None
        }
    }

    /// Remove and return every item due at `now_us` or earlier, as (deliver_at_us, item) in
    /// (time, insertion) order.
    pub fn pop_due(&mut self, now_us: u64) -> Vec<(u64, T)> {
        let mut out = Vec::new();
        while let Some(x) = self.pop_next_due(now_us) {
            out.push(x);
        }
        out
    }

    /// Items waiting.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// True when nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }

    /// Drop everything waiting (the sequence counter keeps counting).
    pub fn clear(&mut self) {
        self.heap.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn orders_by_time_then_insertion() {
        let mut q = DeliveryQueue::new();
        q.push(300, "c");
        q.push(100, "a1");
        q.push(200, "b");
        q.push(100, "a2");
        q.push(100, "a3");
        assert_eq!(q.len(), 5);
        assert_eq!(q.next_at_us(), Some(100));
        assert!(q.pop_due(99).is_empty());
        let due: Vec<_> = q.pop_due(200).into_iter().map(|(_, x)| x).collect();
        assert_eq!(due, ["a1", "a2", "a3", "b"]);
        assert_eq!(q.len(), 1);
        assert_eq!(q.pop_next_due(1000), Some((300, "c")));
        assert!(q.is_empty());
        assert_eq!(q.pop_next_due(u64::MAX), None);
    }

    proptest! {
        #[test]
        fn pops_equal_stable_sort(times in proptest::collection::vec(0u64..50, 0..200), now in 0u64..60) {
            let mut q = DeliveryQueue::new();
            for (i, t) in times.iter().enumerate() {
                q.push(*t, i);
            }
            let got = q.pop_due(now);
            let mut want: Vec<(u64, usize)> =
                times.iter().enumerate().map(|(i, t)| (*t, i)).filter(|(t, _)| *t <= now).collect();
            want.sort_by_key(|(t, _)| *t); // stable: ties keep insertion order
            prop_assert_eq!(&got, &want);
            prop_assert_eq!(q.len(), times.len() - want.len());
        }
    }
}

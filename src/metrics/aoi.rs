//! Age of information at the receivers that use it: how old the newest information a receiver
//! holds had become when something newer arrived.
use bevy::platform::collections::HashMap;

use crate::scenario::spec::{MsgType, Tech};

/// Age of information is measured at the receivers that use the information (automated
/// vehicles) within this distance of the sender, m: the CAM awareness radius of
/// `v2x::uu::UU_CAM_RADIUS`, the GLOSA range.
pub const AOI_RANGE_M: f64 = 300.0;

/// Age of information: for every (message type, technology, receiver, sender) the generation
/// time of the newest message received. When a newer one arrives, the age the receiver's
/// information had reached just before it (arrival − previous generation) is one sample: the
/// peak age of Kaul, Yates, Gruteser, "Real-time status: how often should one update?",
/// IEEE INFOCOM 2012. Pairs silent for longer than [`AOI_FORGET_US`] are forgotten, so the
/// store stays as large as the current neighbourhoods.
///
/// Kept in rows, one per (message type, technology, sender): a transmission's receptions are
/// decided one after the other, so its row stays in the processor's cache while its receivers
/// are looked up. One table of every pair cost a cache miss per reception (11 % of
/// `bench --v2x on`, `perf`; docs/performance.md).
#[derive(Debug, Clone, Default)]
pub struct AgeOfInformation {
    rows: HashMap<u64, usize>,
    /// Per row: receiver → generation time of the newest message it holds, µs.
    newest: Vec<HashMap<u32, u64>>,
    /// The row used last, by key.
    last: Option<(u64, usize)>,
    next_sweep_us: u64,
}

/// A (receiver, sender) pair with nothing new for this long starts afresh, µs.
pub const AOI_FORGET_US: u64 = 10_000_000;

impl AgeOfInformation {
    fn key(msg: MsgType, tech: Tech, from: u32) -> u64 {
        ((msg as u64) << 40) | ((tech as u64) << 32) | u64::from(from)
    }

    /// The row of (msg, tech, from), made when first used.
    fn row(&mut self, key: u64) -> &mut HashMap<u32, u64> {
        let i = match self.last {
            Some((k, i)) if k == key => i,
            _ => {
                let next = self.newest.len();
                let i = *self.rows.entry(key).or_insert(next);
                if i == next {
                    self.newest.push(HashMap::default());
                }
                self.last = Some((key, i));
                i
            }
        };
        &mut self.newest[i]
    }

    /// A message generated at `gen_us` arrives at `arrival_us`; returns the peak age sample, µs
    /// (none for the first message of a pair, or for one older than what the receiver holds).
    pub fn update(
        &mut self,
        msg: MsgType,
        tech: Tech,
        to: u32,
        from: u32,
        gen_us: u64,
        arrival_us: u64,
    ) -> Option<u64> {
        if arrival_us >= self.next_sweep_us {
            for row in &mut self.newest {
                row.retain(|_, g| *g + AOI_FORGET_US > arrival_us);
            }
            self.next_sweep_us = arrival_us + AOI_FORGET_US / 10;
        }
        let slot = self
            .row(Self::key(msg, tech, from))
            .entry(to)
            .or_insert(u64::MAX);
        if *slot == u64::MAX || *slot + AOI_FORGET_US <= gen_us {
            *slot = gen_us;
            None
        } else if gen_us > *slot {
            let age = arrival_us - *slot;
            *slot = gen_us;
            Some(age)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_age_of_periodic_updates() {
        let mut a = AgeOfInformation::default();
        // CAM every 100 ms with 2 ms latency: each arrival finds information 102 ms old.
        assert_eq!(a.update(MsgType::Cam, Tech::Pc5, 1, 2, 0, 2_000), None);
        assert_eq!(
            a.update(MsgType::Cam, Tech::Pc5, 1, 2, 100_000, 102_000),
            Some(102_000)
        );
        // One lost: the next arrival finds 202 ms old information.
        assert_eq!(
            a.update(MsgType::Cam, Tech::Pc5, 1, 2, 300_000, 302_000),
            Some(202_000)
        );
        // An older copy arriving late (another technology's path is separate) changes nothing.
        assert_eq!(
            a.update(MsgType::Cam, Tech::Pc5, 1, 2, 200_000, 310_000),
            None
        );
        // Pairs are independent.
        assert_eq!(
            a.update(MsgType::Cam, Tech::Uu, 1, 2, 300_000, 320_000),
            None
        );
        assert_eq!(
            a.update(MsgType::Cam, Tech::Pc5, 2, 1, 300_000, 302_000),
            None
        );
        // A pair silent for longer than the forget time starts afresh.
        assert_eq!(
            a.update(MsgType::Cam, Tech::Pc5, 1, 2, 20_300_000, 20_302_000),
            None
        );
    }
}

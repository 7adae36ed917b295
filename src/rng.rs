//! Seeded random streams, one per purpose, all derived from the scenario seed.
//!
//! Each purpose draws from its own ChaCha8 stream (`set_stream`), so adding draws to one purpose
//! (a new message type on the radio stream, say) never shifts another's (vehicle routes).
use bevy::prelude::Resource;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What a stream is for. The discriminant is the ChaCha stream number: never reorder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Stream {
    /// Flow arrivals, kinds, automation.
    Demand = 1,
    /// Per-driver parameter variation.
    Drivers = 2,
    /// Sidelink radio: shadowing, medium access, reception, loss.
    Radio = 3,
    /// Sidelink access latency draws.
    Latency = 4,
    /// GNSS position errors.
    Gnss = 5,
    /// The 5G network (Uu, edge, core, backhaul): loss and latency draws, apart from the
    /// sidelinks so that a cell outage leaves every sidelink draw where it was.
    Network = 6,
}

/// A fresh generator for one purpose.
pub fn stream(seed: u64, which: Stream) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(which as u64);
    rng
}

/// The run's generators that systems draw from during the run.
#[derive(Resource)]
pub struct Rngs {
    pub radio: ChaCha8Rng,
    pub latency: ChaCha8Rng,
    pub gnss: ChaCha8Rng,
    pub network: ChaCha8Rng,
    /// The seed itself, for draws that must not depend on how often a stream was used (the
    /// spatially consistent LOS state of `radio::nr`).
    pub seed: u64,
}

impl Rngs {
    pub fn new(seed: u64) -> Self {
        Rngs {
            radio: stream(seed, Stream::Radio),
            latency: stream(seed, Stream::Latency),
            gnss: stream(seed, Stream::Gnss),
            network: stream(seed, Stream::Network),
            seed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_independent_and_reproducible() {
        let a: Vec<u32> = (0..4).map(|_| stream(7, Stream::Demand).random()).collect();
        let mut d = stream(7, Stream::Demand);
        let mut r = stream(7, Stream::Radio);
        let x: u64 = d.random();
        let y: u64 = r.random();
        assert_ne!(x, y);
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(stream(8, Stream::Demand).random::<u64>(), x);
    }
}

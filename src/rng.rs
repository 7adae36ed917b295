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
    /// One sidelink reception's draws (`Keyed`, keyed by message, technology and receiver).
    Reception = 7,
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

/// A small random stream of its own for one event, keyed by what the event is (a message and a
/// receiver, say) instead of by how many draws came before it: SplitMix64 (Steele, Lea and
/// Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; passes BigCrush),
/// started at a hash of the seed, the purpose and the key.
///
/// Why: a reception drawn from the shared radio stream depends on every reception drawn before
/// it, so receivers can only be decided one after the other, in one order. Keyed, a reception
/// draws the same numbers whichever thread decides it and whatever else is decided, and a
/// reception that needs no draw (a hopeless one, or no burst loss) shifts nothing.
#[derive(Debug, Clone)]
pub struct Keyed(u64);

/// SplitMix64's increment (the golden ratio, 2^64 / φ).
const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's output function (Stafford's Mix13 variant).
fn mix64(z: u64) -> u64 {
    let z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Keyed {
    /// The stream of `key` for one purpose of the run seeded by `seed`.
    pub fn new(seed: u64, which: Stream, key: &[u64]) -> Self {
        let start = Keyed(mix64(seed ^ GOLDEN_GAMMA.wrapping_mul(which as u64 + 1)));
        key.iter().fold(start, |k, &part| k.fork(part))
    }

    /// The stream of `key` under this one's: `new(s, w, &[a, b]).fork(c)` is
    /// `new(s, w, &[a, b, c])`, one mixing instead of three (a message's stream, then each of
    /// its receivers').
    pub fn fork(&self, key: u64) -> Keyed {
        Keyed(mix64(self.0.wrapping_add(GOLDEN_GAMMA) ^ key))
    }
}

impl rand::RngCore for Keyed {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN_GAMMA);
        mix64(self.0)
    }

    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        rand::rand_core::impls::fill_bytes_via_next(self, dst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, RngCore};

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

    #[test]
    fn keyed_streams_are_splitmix64() {
        // Vigna's reference splitmix64.c from state 1234567 (its published first outputs).
        let mut r = Keyed(1_234_567);
        let got: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        assert_eq!(
            got,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423
            ]
        );
    }

    #[test]
    fn a_key_always_draws_the_same_and_neighbouring_keys_are_independent() {
        let first = |rx: u64| Keyed::new(9, Stream::Reception, &[42, 1, rx]).random::<f64>();
        assert_eq!(first(7), first(7));
        assert_eq!(
            Keyed::new(9, Stream::Reception, &[42, 1])
                .fork(7)
                .random::<f64>(),
            first(7)
        );
        assert_ne!(
            Keyed::new(9, Stream::Reception, &[42, 1, 7]).random::<u64>(),
            Keyed::new(10, Stream::Reception, &[42, 1, 7]).random::<u64>()
        );
        // The first draws of consecutive receivers: uniform (chi-square over 20 bins, 19
        // degrees of freedom, below its 0.999 quantile 43.8) and uncorrelated neighbours.
        let n = 200_000;
        let u: Vec<f64> = (0..n).map(first).collect();
        let mut bins = [0u32; 20];
        for &x in &u {
            bins[(x * 20.0) as usize] += 1;
        }
        let e = n as f64 / 20.0;
        let chi2: f64 = bins.iter().map(|&b| (f64::from(b) - e).powi(2) / e).sum();
        assert!(chi2 < 43.8, "chi-square {chi2}");
        let mean = u.iter().sum::<f64>() / n as f64;
        let cov = u
            .windows(2)
            .map(|w| (w[0] - mean) * (w[1] - mean))
            .sum::<f64>()
            / n as f64;
        // Correlation = cov / (1/12); its standard error is 1/sqrt(n) ≈ 0.0022.
        assert!(
            (cov * 12.0).abs() < 0.01,
            "neighbour correlation {}",
            cov * 12.0
        );
    }
}

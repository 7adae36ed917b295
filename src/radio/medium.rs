//! The shared sidelink medium: who is on the air when, on which sub-channels, and therefore
//! who interferes with whom and who cannot listen because it is talking.
//!
//! Two medium-access models, both resolving to [`Burst`]s (time span, and for PC5 the
//! sub-channels used):
//!
//! * **802.11p / ITS-G5 (CSMA/CA, EDCA)**: a station ready to send defers while a transmission
//!   it senses above the CCA threshold (−85 dBm, preamble decoded; WiLabV2Xsim
//!   `initiatePhyParameters.m`, IEEE 802.11-2007, docs/standards.md §3d) is on the air, then
//!   waits AIFS plus a random back-off of 0…CW slots of 13 µs (EDCA parameters of ETSI EN 302 663
//!   V1.3.1 Tables C.3–C.6, reference §3d). Stations that cannot hear each other (hidden
//!   terminals), and stations whose back-offs end in the same slot, still overlap: those are the
//!   collisions 802.11p has.
//! * **PC5 (C-V2X mode 4 / NR mode 2, sensing-based selection)**: a transmission occupies one
//!   1 ms subframe on a block of sub-channels. The sender excludes blocks it senses in use above
//!   the RSRP threshold, raising the threshold in 3 dB steps until at least 20 % of the
//!   candidates remain (TS 36.213 §14.1.1.6, reference §3e), and picks one at random. Simplified
//!   (class E): the selection is made per transmission against what is already scheduled in that
//!   subframe, as if every reservation were known; semi-persistent reuse of a resource over
//!   several periods is not modelled. Remaining collisions come from hidden stations and from
//!   the 20 % rule once the subframe is full.
//!
//! The failure types follow Gonzalez-Martin et al., "Analytical Models of the Performance of
//! C-V2X Mode 4 Vehicular Communications", IEEE TVT 68(2) 2019 (reference §2b): half duplex (the
//! receiver was transmitting), below sensitivity / propagation (SNR too low), and collision
//! (SNR sufficient, SINR not).
use rand::Rng;

/// One transmission on a sidelink channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Burst {
    /// Station id of the sender.
    pub sender: u32,
    pub pos: [f64; 2],
    pub height: f64,
    pub start_us: u64,
    pub end_us: u64,
    /// PC5: the sub-channels used, `(first, count)`; `None` on 802.11p (the whole channel).
    pub subch: Option<(u8, u8)>,
    /// Transmit power below the link's configured power, dB (≤ 0; SAE J2945/1 power control).
    pub power_db: f64,
}

impl Burst {
    /// The two are on the air at the same time.
    pub fn overlaps_time(&self, o: &Burst) -> bool {
        self.start_us < o.end_us && o.start_us < self.end_us
    }

    /// `o` adds interference to a reception of `self`: same time and, on PC5, a shared
    /// sub-channel (in-band emission into other sub-channels is not modelled).
    pub fn interfered_by(&self, o: &Burst) -> bool {
        self.overlaps_time(o)
            && match (self.subch, o.subch) {
                (Some((a, n)), Some((b, m))) => a < b + m && b < a + n,
                _ => true,
            }
    }
}

/// 802.11p slot time, µs (EN 302 663 Table C.3, reference §3d).
pub const SLOT_US: u64 = 13;
/// CCA threshold with a decodable preamble, dBm (reference §3d).
pub const CCA_DBM: f64 = -85.0;
/// Initial PC5 sensing (PSSCH-RSRP) exclusion threshold, dBm (assumed: a common setting of
/// mode-4 simulators; TS 36.213 derives it from the priorities of both transmissions).
pub const PC5_SENSING_DBM: f64 = -110.0;
/// Step by which the exclusion threshold rises until enough candidates remain, dB.
pub const PC5_THRESHOLD_STEP_DB: f64 = 3.0;
/// Share of candidate resources that must remain after exclusion (TS 36.213 §14.1.1.6).
pub const PC5_MIN_CANDIDATES: f64 = 0.2;
/// PC5 subframe, µs.
pub const SUBFRAME_US: u64 = 1000;

/// EDCA access category parameters: AIFS and contention window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edca {
    pub aifs_us: u64,
    pub cw: u32,
    /// The 802.11 user priority a frame of this category carries in its QoS control field
    /// (802.11-2016 Table 10-1: AC_BE 0, AC_VI 5).
    pub user_priority: u8,
}

impl Edca {
    /// AC_BE (AIFSN 6: CAM, and by default everything else; EN 302 663 Table C.3).
    pub const BEST_EFFORT: Edca = Edca {
        aifs_us: 110,
        cw: 15,
        user_priority: 0,
    };
    /// AC_VI (AIFSN 3: DENM).
    pub const VIDEO: Edca = Edca {
        aifs_us: 71,
        cw: 7,
        user_priority: 5,
    };
}

/// CSMA/CA start time of an 802.11p frame of `air_us` ready at `ready_us`: deferred past every
/// transmission in `sensed` (the `(start, end)` of bursts heard above CCA) that would overlap
/// it, then AIFS + back-off. A sensed burst starting in the same 13 µs slot is not heard in time
/// (both back-offs expired together), so it does not defer the frame.
pub fn csma_start(
    ready_us: u64,
    air_us: u64,
    sensed: &[(u64, u64)],
    edca: Edca,
    rng: &mut impl Rng,
) -> u64 {
    let mut t = ready_us;
    loop {
        let busy_until = sensed
            .iter()
            .filter(|&&(s, e)| s < t + air_us && t < e && s.abs_diff(t) >= SLOT_US)
            .map(|&(_, e)| e)
            .max();
        match busy_until {
            Some(e) => t = e + edca.aifs_us + SLOT_US * u64::from(rng.random_range(0..=edca.cw)),
            None => return t,
        }
    }
}

/// PC5 sub-channel block for a transmission needing `need` of `total` sub-channels, given what
/// the sender senses in its subframe: `(first, count, rsrp_dbm)` of each scheduled burst.
/// Candidates are the aligned blocks `k · need`; returns the first sub-channel of the chosen one.
pub fn pc5_select(total: u8, need: u8, sensed: &[(u8, u8, f64)], rng: &mut impl Rng) -> u8 {
    let need = need.clamp(1, total.max(1));
    let k = (total / need).max(1);
    let power = |c: u8| {
        let a = c * need;
        sensed
            .iter()
            .filter(|&&(b, m, _)| a < b + m && b < a + need)
            .map(|&(_, _, p)| p)
            .fold(f64::NEG_INFINITY, f64::max)
    };
    let powers: Vec<f64> = (0..k).map(power).collect();
    let keep = ((f64::from(k) * PC5_MIN_CANDIDATES).ceil() as usize).max(1);
    let mut thr = PC5_SENSING_DBM;
    // Once the threshold passes the strongest finite power every finite candidate is allowed,
    // so the loop ends even if a power is +inf or NaN (it then picks among the allowed, or all).
    let ceiling = powers
        .iter()
        .copied()
        .filter(|p| p.is_finite())
        .fold(PC5_SENSING_DBM, f64::max);
    let allowed = loop {
        let allowed: Vec<u8> = (0..k).filter(|&c| powers[c as usize] <= thr).collect();
        if allowed.len() >= keep {
            break allowed;
        }
        if thr > ceiling {
            break if allowed.is_empty() {
                (0..k).collect()
            } else {
                allowed
            };
        }
        thr += PC5_THRESHOLD_STEP_DB;
    };
    allowed[rng.random_range(0..allowed.len())] * need
}

/// Median received power by distance, in mW, for LOS and NLOS (TR 37.885 urban path loss),
/// tabulated every 0.25 m in single precision: interference and carrier sensing need it for
/// every receiver of every overlapping transmission, and a table lookup replaces two logarithms
/// and a power. Quantising the distance costs < 0.2 dB beyond 10 m (NLOS, 30 dB/decade),
/// < 0.1 dB beyond 20 m.
#[derive(Debug, Clone, Default)]
pub struct PowerTable {
    los: Vec<f32>,
    nlos: Vec<f32>,
}

/// Distance step of [`PowerTable`], m.
pub const POWER_TABLE_STEP_M: f64 = 0.25;

impl PowerTable {
    /// `eirp_dbm` = P_tx + G_tx + G_rx; distances up to `max_m` (farther ones clamp to it).
    pub fn new(eirp_dbm: f64, fc_ghz: f64, max_m: f64) -> Self {
        use super::budget::dbm_to_mw;
        use super::pathloss::{V2vCondition, urban_db};
        let n = (max_m.max(1.0) / POWER_TABLE_STEP_M).ceil() as usize + 1;
        let row = |cond| {
            (0..n)
                .map(|k| {
                    let d = (k as f64 * POWER_TABLE_STEP_M).max(1.0);
                    dbm_to_mw(eirp_dbm - urban_db(cond, d, fc_ghz)) as f32
                })
                .collect()
        };
        PowerTable {
            los: row(V2vCondition::Los),
            nlos: row(V2vCondition::Nlos),
        }
    }

    /// Median received power at 3D distance `d_m`, mW.
    pub fn mw(&self, los: bool, d_m: f64) -> f64 {
        let t = if los { &self.los } else { &self.nlos };
        let k = ((d_m.max(0.0) / POWER_TABLE_STEP_M + 0.5) as usize).min(t.len().saturating_sub(1));
        t.get(k).map_or(0.0, |&x| f64::from(x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn burst(start: u64, end: u64, subch: Option<(u8, u8)>) -> Burst {
        Burst {
            power_db: 0.0,
            sender: 0,
            pos: [0.0, 0.0],
            height: 1.5,
            start_us: start,
            end_us: end,
            subch,
        }
    }

    #[test]
    fn overlap_in_time_and_sub_channels() {
        let a = burst(0, 300, None);
        assert!(a.interfered_by(&burst(299, 600, None)));
        assert!(!a.interfered_by(&burst(300, 600, None)));
        let p = burst(0, 1000, Some((0, 2)));
        assert!(p.interfered_by(&burst(0, 1000, Some((1, 2)))));
        assert!(!p.interfered_by(&burst(0, 1000, Some((2, 2)))));
        assert!(!p.interfered_by(&burst(1000, 2000, Some((0, 2)))));
    }

    #[test]
    fn csma_sends_at_once_on_an_idle_channel() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(csma_start(500, 300, &[], Edca::BEST_EFFORT, &mut rng), 500);
        // A burst that ended before, and one that starts after this frame: idle.
        let sensed = [(0, 400), (900, 1200)];
        assert_eq!(
            csma_start(500, 300, &sensed, Edca::BEST_EFFORT, &mut rng),
            500
        );
    }

    #[test]
    fn csma_defers_past_sensed_bursts_by_aifs_and_backoff() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for _ in 0..200 {
            let t = csma_start(100, 300, &[(0, 400)], Edca::BEST_EFFORT, &mut rng);
            // AIFS 110 µs after the end, plus 0-15 slots of 13 µs.
            assert!((510..=510 + 15 * 13).contains(&t), "{t}");
            assert_eq!((t - 510) % 13, 0);
        }
        // Deferring into a second burst defers again, past both.
        let t = csma_start(100, 300, &[(0, 400), (450, 900)], Edca::VIDEO, &mut rng);
        assert!(t >= 900 + 71, "{t}");
        // Same slot: not heard in time, both go (a collision).
        assert_eq!(
            csma_start(100, 300, &[(95, 395)], Edca::BEST_EFFORT, &mut rng),
            100
        );
    }

    #[test]
    fn pc5_avoids_sensed_blocks_while_free_ones_remain() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        // 10 sub-channels, blocks of 2: five candidates; 0-2 and 6-7 strongly used.
        let sensed = [(0, 2, -80.0), (2, 2, -90.0), (6, 2, -70.0)];
        let mut seen = [0u32; 5];
        for _ in 0..2000 {
            let c = pc5_select(10, 2, &sensed, &mut rng);
            assert!(c == 4 || c == 8, "picked {c}");
            seen[(c / 2) as usize] += 1;
        }
        // Uniform between the two free blocks.
        assert!((800..1200).contains(&seen[2]), "{seen:?}");
        // A weakly sensed block (below −110 dBm) counts as free.
        let faint = [
            (0, 2, -80.0),
            (2, 2, -80.0),
            (4, 2, -80.0),
            (6, 2, -80.0),
            (8, 2, -120.0),
        ];
        assert_eq!(pc5_select(10, 2, &faint, &mut rng), 8);
    }

    #[test]
    fn pc5_full_subframe_keeps_the_weakest_fifth() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        // Every block used: the threshold rises until one of five (20 %) remains, the weakest.
        let sensed = [
            (0, 2, -70.0),
            (2, 2, -95.0),
            (4, 2, -80.0),
            (6, 2, -75.0),
            (8, 2, -85.0),
        ];
        for _ in 0..50 {
            assert_eq!(pc5_select(10, 2, &sensed, &mut rng), 2);
        }
    }

    #[test]
    fn power_table_matches_the_path_loss_formulas() {
        use crate::radio::budget::mw_to_dbm;
        use crate::radio::pathloss::{V2vCondition, urban_db};
        let t = PowerTable::new(29.0, 5.9, 2000.0);
        for d in [10.0, 37.3, 100.0, 512.9, 1999.0, 10.25, 20.25] {
            for (los, cond) in [(true, V2vCondition::Los), (false, V2vCondition::Nlos)] {
                let want = 29.0 - urban_db(cond, d, 5.9);
                let got = mw_to_dbm(t.mw(los, d));
                let tol = if d < 20.0 { 0.2 } else { 0.1 };
                assert!((got - want).abs() < tol, "{d} m {cond:?}: {got} vs {want}");
            }
        }
        // Beyond the table: clamped to its last entry; below 1 m: the 1 m value.
        assert_eq!(t.mw(true, 5000.0), t.mw(true, 2000.0));
        assert_eq!(t.mw(true, 0.0), t.mw(true, 1.0));
    }
}

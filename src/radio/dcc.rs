//! Channel occupancy, channel busy ratio (CBR), reactive decentralized congestion control
//! (DCC). Who collides with whom on the channel is `radio::medium`'s.
//!
//! * 802.11p airtime: TXTIME = 40 µs + 8 µs · ⌈(16 + 8 L + 6) / N_DBPS⌉ at 10 MHz (IEEE
//!   802.11-2016 Eq. 17-29: 32 µs preamble + 8 µs SIGNAL, 8 µs OFDM symbols, 16 SERVICE and
//!   6 tail bits); checkpoints in docs/standards.md §3d. L is the PSDU length: callers pass the
//!   message size of `v2x::messages`, which already stands for a whole frame (the measured
//!   CAM sizes of §4b include headers and security).
//! * PC5 occupancy: a fixed subframe model (see [`Pc5Occupancy`]).
//! * CBR: busy time over the last T_CBR = 100 ms (EN 302 571 V2.1.1 §4.2.10.1, reference §5a).
//! * Reactive DCC: ETSI TS 102 687 V1.2.1 Table A.1 (T_on ≤ 1 ms), transitions only to the
//!   neighbouring state (§5.3), "> 60 %" read as printed (reference §5a).
use crate::clock::us_from_ms;
use std::collections::BTreeMap;

/// 802.11p data rates at 10 MHz (ETSI EN 302 663 Table 1; MCS 0–7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WaveRate {
    /// 3 Mbit/s, BPSK 1/2 (MCS 0).
    R3,
    /// 4.5 Mbit/s, BPSK 3/4 (MCS 1).
    R4_5,
    /// 6 Mbit/s, QPSK 1/2 (MCS 2), the ITS-G5 control channel default.
    R6,
    /// 9 Mbit/s, QPSK 3/4 (MCS 3).
    R9,
    /// 12 Mbit/s, 16-QAM 1/2 (MCS 4).
    R12,
    /// 18 Mbit/s, 16-QAM 3/4 (MCS 5).
    R18,
    /// 24 Mbit/s, 64-QAM 2/3 (MCS 6).
    R24,
    /// 27 Mbit/s, 64-QAM 3/4 (MCS 7).
    R27,
}

impl WaveRate {
    /// All rates, MCS order.
    pub const ALL: [WaveRate; 8] = [
        WaveRate::R3,
        WaveRate::R4_5,
        WaveRate::R6,
        WaveRate::R9,
        WaveRate::R12,
        WaveRate::R18,
        WaveRate::R24,
        WaveRate::R27,
    ];
    /// Data bits per 8 µs OFDM symbol (IEEE 802.11-2016 Table 17-4, halved-clock 10 MHz).
    pub fn n_dbps(self) -> u64 {
        match self {
            WaveRate::R3 => 24,
            WaveRate::R4_5 => 36,
            WaveRate::R6 => 48,
            WaveRate::R9 => 72,
            WaveRate::R12 => 96,
            WaveRate::R18 => 144,
            WaveRate::R24 => 192,
            WaveRate::R27 => 216,
        }
    }
    /// Rate, Mbit/s.
    pub fn mbps(self) -> f64 {
        self.n_dbps() as f64 / 8.0
    }
    /// MCS index 0–7.
    pub fn mcs(self) -> usize {
        self as usize
    }
    /// SINR decoding threshold, dB (u-blox set in WiLabV2Xsim `SINRmin11p.m`, reference §3d).
    pub fn sinr_threshold_db(self) -> f64 {
        [4.1, 5.6, 6.5, 9.0, 11.7, 15.5, 19.9, 22.0][self.mcs()]
    }
}

/// 802.11p frame airtime, µs (IEEE 802.11-2016 Eq. 17-29 at 10 MHz).
pub fn wave_airtime_us(psdu_bytes: usize, rate: WaveRate) -> u64 {
    let bits = 16 + 8 * psdu_bytes as u64 + 6;
    40 + 8 * bits.div_ceil(rate.n_dbps())
}

/// PC5 (LTE-V2X mode 4) channel occupancy: each transmission fills one 1 ms subframe on
/// ⌈L / bytes_per_subchannel⌉ sub-channels (at least `min_subchannels`, at most all); its
/// share of the channel counts as `1000 µs × used / total` of busy time for the CBR.
/// Defaults follow the SAE J3161/1 profile (ten 10-PRB sub-channels on 20 MHz, ≥ 2 per
/// transport block, MCS 7; reference §3e). `bytes_per_subchannel` = 120 B is an engineering
/// estimate (class E): 10 PRB × 12 sub-carriers × 9 data symbols × 2 bits (QPSK) at a code
/// rate of ~0.45 ≈ 970 bits. It is not read from the TS 36.213 TBS table (not retrieved).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pc5Occupancy {
    /// Sub-channels in the band.
    pub subchannels: u32,
    /// Smallest allocation.
    pub min_subchannels: u32,
    /// Payload one sub-channel carries in one subframe, bytes.
    pub bytes_per_subchannel: u32,
}

impl Default for Pc5Occupancy {
    fn default() -> Self {
        Pc5Occupancy {
            subchannels: 10,
            min_subchannels: 2,
            bytes_per_subchannel: 120,
        }
    }
}

/// LTE subframe (TTI), µs.
pub const PC5_SUBFRAME_US: u64 = 1000;

impl Pc5Occupancy {
    /// Sub-channels one transmission of `bytes` uses.
    pub fn subchannels_for(&self, bytes: usize) -> u32 {
        let need = (bytes as u64).div_ceil(self.bytes_per_subchannel.max(1) as u64) as u32;
        need.max(self.min_subchannels).min(self.subchannels)
    }
    /// Busy-time equivalent of one transmission, µs.
    pub fn busy_us(&self, bytes: usize) -> u64 {
        PC5_SUBFRAME_US * self.subchannels_for(bytes) as u64 / self.subchannels.max(1) as u64
    }
}

/// CBR measurement interval T_CBR, µs (EN 302 571 V2.1.1 §4.2.10.1).
pub const T_CBR_US: u64 = 100_000;

/// Channel busy ratio bookkeeping for one receiver (or one channel, in a cell-level model).
///
/// Busy time of every transmission sensed above the CCA threshold (−85 dBm, reference §3d),
/// own ones included, is added to the fixed 100 ms window(s) it falls in. Overlapping
/// transmissions are summed, not merged, and a window's ratio is clamped to 1: a simple,
/// order-independent bookkeeping (interval merging would depend on arrival order).
#[derive(Debug, Clone, Default)]
pub struct CbrMeter {
    busy: BTreeMap<u64, u64>,
}

impl CbrMeter {
    /// An empty meter.
    pub fn new() -> Self {
        Self::default()
    }
    /// Add a transmission [start, start + airtime) sensed as busy.
    pub fn record(&mut self, start_us: u64, airtime_us: u64) {
        let (mut t, end) = (start_us, start_us + airtime_us);
        while t < end {
            let w = t / T_CBR_US;
            let seg_end = end.min((w + 1) * T_CBR_US);
            *self.busy.entry(w).or_insert(0) += seg_end - t;
            t = seg_end;
        }
    }
    /// CBR of the last complete window before `now_us` (0 during the first window). Drops
    /// windows older than that one.
    pub fn cbr(&mut self, now_us: u64) -> f64 {
        let w = now_us / T_CBR_US;
        if w == 0 {
            return 0.0;
        }
        self.busy = self.busy.split_off(&(w - 1));
        let busy = self.busy.get(&(w - 1)).copied().unwrap_or(0);
        (busy as f64 / T_CBR_US as f64).min(1.0)
    }
}

/// Reactive DCC states, ETSI TS 102 687 V1.2.1 Table A.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum DccState {
    /// CBR < 0.30: 10 Hz, T_off 100 ms.
    #[default]
    Relaxed,
    /// 0.30 ≤ CBR < 0.40: 5 Hz, 200 ms.
    Active1,
    /// 0.40 ≤ CBR < 0.50: 2.5 Hz, 400 ms.
    Active2,
    /// 0.50 ≤ CBR ≤ 0.60: 2 Hz, 500 ms.
    Active3,
    /// CBR > 0.60: 1 Hz, 1000 ms.
    Restrictive,
}

impl DccState {
    /// States in order of increasing restriction.
    pub const ALL: [DccState; 5] = [
        DccState::Relaxed,
        DccState::Active1,
        DccState::Active2,
        DccState::Active3,
        DccState::Restrictive,
    ];
    /// The state Table A.1 assigns to a CBR.
    pub fn for_cbr(cbr: f64) -> DccState {
        if cbr < 0.30 {
            DccState::Relaxed
        } else if cbr < 0.40 {
            DccState::Active1
        } else if cbr < 0.50 {
            DccState::Active2
        } else if cbr <= 0.60 {
            DccState::Active3
        } else {
            DccState::Restrictive
        }
    }
    /// Next state after measuring `cbr`: one step toward the table state, never a jump
    /// (TS 102 687 §5.3). Call once per CBR measurement.
    pub fn step(self, cbr: f64) -> DccState {
        let (cur, target) = (self as usize, DccState::for_cbr(cbr) as usize);
        let next = match target.cmp(&cur) {
            std::cmp::Ordering::Greater => cur + 1,
            std::cmp::Ordering::Less => cur - 1,
            std::cmp::Ordering::Equal => cur,
        };
        DccState::ALL[next]
    }
    /// Minimum gap between two transmissions, ms.
    pub fn t_off_ms(self) -> f64 {
        [100.0, 200.0, 400.0, 500.0, 1000.0][self as usize]
    }
    /// Maximum packet rate, Hz.
    pub fn max_rate_hz(self) -> f64 {
        1000.0 / self.t_off_ms()
    }
    /// Gate: may a station whose previous transmission started at `last_start_us`
    /// transmit at `now_us`? The gap is measured start to start (so the rate is exactly
    /// 1 / T_off; it differs from "T_off after T_on" by at most T_on ≤ 1 ms).
    pub fn may_transmit(self, last_start_us: Option<u64>, now_us: u64) -> bool {
        match last_start_us {
            None => true,
            Some(t) => now_us.saturating_sub(t) >= us_from_ms(self.t_off_ms()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn airtime_checkpoints_3d() {
        let rates = [WaveRate::R3, WaveRate::R6, WaveRate::R12];
        for (len, want) in [
            (200, [584, 312, 176]),
            (300, [848, 448, 248]),
            (500, [1384, 712, 376]),
            (800, [2184, 1112, 576]),
        ] {
            for (r, w) in rates.iter().zip(want) {
                assert_eq!(wave_airtime_us(len, *r), w, "{len} B at {r:?}");
            }
        }
        assert_eq!(WaveRate::R6.mbps(), 6.0);
        assert_eq!(WaveRate::R6.sinr_threshold_db(), 6.5);
    }

    #[test]
    fn pc5_occupancy() {
        let o = Pc5Occupancy::default();
        assert_eq!(o.subchannels_for(100), 2);
        assert_eq!(o.subchannels_for(300), 3);
        assert_eq!(o.subchannels_for(5000), 10);
        assert_eq!(o.busy_us(300), 300);
    }

    #[test]
    fn cbr_windows() {
        let mut m = CbrMeter::new();
        assert_eq!(m.cbr(50_000), 0.0);
        for i in 0..100 {
            m.record(i * 1000, 300); // 30 % of window 0
        }
        m.record(99_900, 200); // 100 µs in window 0, 100 µs in window 1
        assert!((m.cbr(150_000) - 0.301).abs() < 1e-12);
        assert!((m.cbr(250_000) - 0.001).abs() < 1e-12);
        assert_eq!(m.cbr(350_000), 0.0);
        m.record(400_000, 200_000);
        assert_eq!(m.cbr(500_000), 1.0);
    }

    #[test]
    fn dcc_table_a1() {
        use DccState::*;
        for (cbr, s) in [
            (0.0, Relaxed),
            (0.299, Relaxed),
            (0.30, Active1),
            (0.39, Active1),
            (0.40, Active2),
            (0.50, Active3),
            (0.60, Active3),
            (0.601, Restrictive),
            (1.0, Restrictive),
        ] {
            assert_eq!(DccState::for_cbr(cbr), s, "cbr {cbr}");
        }
        let rates: Vec<f64> = DccState::ALL.iter().map(|s| s.max_rate_hz()).collect();
        assert_eq!(rates, [10.0, 5.0, 2.5, 2.0, 1.0]);
        // Neighbouring transitions only.
        let mut s = Relaxed;
        let mut path = vec![];
        for _ in 0..5 {
            s = s.step(0.9);
            path.push(s);
        }
        assert_eq!(path, [Active1, Active2, Active3, Restrictive, Restrictive]);
        assert_eq!(Restrictive.step(0.1), Active3);
        assert_eq!(Active2.step(0.45), Active2);
        assert!(Active1.may_transmit(None, 0));
        assert!(!Active1.may_transmit(Some(1_000), 200_999));
        assert!(Active1.may_transmit(Some(1_000), 201_000));
    }
}

//! Simulated time as the clocks on the air read it.
//!
//! Simulated t = 0 is 2025-01-01T00:00:00Z: pcap records carry that epoch plus simulated time,
//! and the ETSI timestamps (TimestampIts, TS 102 894-2: milliseconds since
//! 2004-01-01T00:00:00Z, counting leap seconds, i.e. on TAI) count from it. Five leap seconds
//! were inserted between 2004 and 2025 (end of 2005, 2008, June 2012, June 2015, end of 2016;
//! IERS Bulletin C), so the ITS clock at t = 0 is (662 774 400 + 5) s.

/// Unix time of simulated t = 0 (2025-01-01T00:00:00Z), s.
pub const EPOCH_UNIX_S: u64 = 1_735_689_600;
/// Unix time of the ITS epoch, 2004-01-01T00:00:00Z, s.
const ITS_EPOCH_UNIX_S: u64 = 1_072_915_200;
/// Leap seconds inserted between the ITS epoch and [`EPOCH_UNIX_S`].
const LEAP_SECONDS: u64 = 5;

/// TimestampIts at `sim_us` of simulated time, ms.
pub fn its_ms(sim_us: u64) -> u64 {
    (EPOCH_UNIX_S - ITS_EPOCH_UNIX_S + LEAP_SECONDS) * 1000 + sim_us / 1000
}

/// Unix seconds and microseconds at `sim_us` (the pcap record timestamp).
pub fn unix(sim_us: u64) -> (u32, u32) {
    let s = EPOCH_UNIX_S + sim_us / 1_000_000;
    (s as u32, (sim_us % 1_000_000) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_are_whole_days_apart() {
        // 2004-01-01 to 2025-01-01: 21 years with 6 leap days (2004, 2008, ..., 2024).
        let days = 21 * 365 + 6;
        assert_eq!(EPOCH_UNIX_S - ITS_EPOCH_UNIX_S, days * 86_400);
        assert_eq!(EPOCH_UNIX_S % 86_400, 0);
        assert_eq!(
            EPOCH_UNIX_S / 86_400,
            20_089,
            "days from 1970-01-01 to 2025-01-01"
        );
        assert_eq!(its_ms(1_500), (days * 86_400 + 5) * 1000 + 1);
        assert_eq!(unix(2_500_000), (1_735_689_602, 500_000));
    }
}

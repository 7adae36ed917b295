//! What became of one reception attempt, as the radio models decide it: delivered after a
//! latency, or lost for a reason. Metrics, traces and the view read these outcomes; the models
//! know nothing of them.

/// Why a reception failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LossReason {
    OutOfRange,
    BelowThreshold,
    /// SNR sufficient, SINR not: another transmission overlapped on the same resource.
    Collision,
    /// The receiver was transmitting at the time.
    HalfDuplex,
    NodeDown,
    NoCoverage,
    Expired,
    Injected,
}

impl LossReason {
    pub fn name(self) -> &'static str {
        match self {
            LossReason::OutOfRange => "out_of_range",
            LossReason::BelowThreshold => "below_threshold",
            LossReason::Collision => "collision",
            LossReason::HalfDuplex => "half_duplex",
            LossReason::NodeDown => "node_down",
            LossReason::NoCoverage => "no_coverage",
            LossReason::Expired => "expired",
            LossReason::Injected => "burst_loss",
        }
    }
}

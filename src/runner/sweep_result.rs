//! What each point of a sweep came to, and the summaries both `points.csv` and the plots take
//! from the results (so neither output module imports the other).
use std::collections::BTreeSet;

use super::sweep::Point;
use crate::metrics::report::Report;

/// What one point came to.
#[derive(Debug, Clone, PartialEq)]
pub enum PointResult {
    Report(Box<Report>),
    /// Panicked or timed out: the message.
    Error(String),
}

/// Share of automated vehicles among those that departed.
pub fn automated_share(r: &Report) -> Option<f64> {
    (!r.vehicles.is_empty())
        .then(|| r.vehicles.iter().filter(|v| v.automated).count() as f64 / r.vehicles.len() as f64)
}

/// Every (message type, technology) seen in any report, sorted.
pub fn channels(results: &[(Point, PointResult)]) -> Vec<(String, String)> {
    let mut set = BTreeSet::new();
    for (_, r) in results {
        if let PointResult::Report(r) = r {
            for t in &r.v2x.by_type {
                set.insert((t.msg.clone(), t.tech.clone()));
            }
        }
    }
    set.into_iter().collect()
}

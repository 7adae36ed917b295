//! V2X through TraCI's generic parameters: what each vehicle has received and the running
//! totals, read with `getParameter(id, "v2x.…")` (docs/traci.md lists the keys).
//!
//! Read from the radio's published outcomes ([`AirEvents`]) after every step, as metrics and
//! traces read them: a reception decided as delivered reaches the receiver's inbox once its
//! latency has passed, as the simulation's own inbox does.
use std::collections::BTreeMap;

use crate::ids::StationId;
use crate::radio::outcome::{AirEvent, AirEvents, StationNames};
use crate::scenario::spec::{MsgType, Tech};

/// One message a vehicle received.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub msg: MsgType,
    pub tech: Tech,
    pub from: String,
    pub sent_us: u64,
    pub latency_us: u64,
}

impl Received {
    /// `type sender sent_s latency_ms tech`, space-separated.
    fn line(&self) -> String {
        format!(
            "{} {} {:.3} {:.3} {}",
            self.msg.name(),
            self.from,
            self.sent_us as f64 * 1e-6,
            self.latency_us as f64 * 1e-3,
            self.tech.name()
        )
    }
}

/// What one vehicle has received: counts and the last of each type, and the last step's.
#[derive(Debug, Default)]
struct Inbox {
    counts: BTreeMap<MsgType, u64>,
    last: BTreeMap<MsgType, Received>,
    step: Vec<Received>,
}

/// Receptions and totals, by receiving vehicle index.
#[derive(Debug, Default)]
pub struct V2xView {
    inboxes: BTreeMap<u32, Inbox>,
    /// Delivered receptions not yet due: (due µs, receiver index, what).
    pending: Vec<(u64, u32, Received)>,
    sent: u64,
    attempts: u64,
    delivered: u64,
    latency_sum_us: u64,
}

impl V2xView {
    /// Take the step's air events (ending at `now_us`) in.
    pub fn update(&mut self, events: &AirEvents, names: &StationNames, now_us: u64) {
        for inbox in self.inboxes.values_mut() {
            inbox.step.clear();
        }
        for e in &events.0 {
            match e {
                AirEvent::Sent { .. } => self.sent += 1,
                AirEvent::Frame(_) => {}
                AirEvent::Reception(r) => {
                    self.attempts += 1;
                    let (Ok(latency_us), StationId::Vehicle(to)) =
                        (r.outcome, StationId::from_wire(r.to))
                    else {
                        continue;
                    };
                    self.delivered += 1;
                    self.latency_sum_us += latency_us;
                    let rx = Received {
                        msg: r.msg,
                        tech: r.tech,
                        from: names.name(r.from).to_string(),
                        sent_us: r.sent_us,
                        latency_us,
                    };
                    self.pending.push((r.sent_us + latency_us, to, rx));
                }
                AirEvent::CellLoad { .. } => {}
            }
        }
        // Due in the order they arrive, ties in the order the radio decided them.
        self.pending.sort_by_key(|p| p.0);
        let due = self.pending.partition_point(|p| p.0 <= now_us);
        for (_, to, rx) in self.pending.drain(..due) {
            let inbox = self.inboxes.entry(to).or_default();
            *inbox.counts.entry(rx.msg).or_default() += 1;
            inbox.last.insert(rx.msg, rx.clone());
            inbox.step.push(rx);
        }
    }

    /// A vehicle's parameter `key`.
    pub fn vehicle(&self, index: u32, key: &str) -> Result<String, String> {
        let empty = Inbox::default();
        let inbox = self.inboxes.get(&index).unwrap_or(&empty);
        let msg = |name: &str| MsgType::ALL.into_iter().find(|m| m.name() == name);
        if key == "v2x.received" {
            return Ok(inbox.counts.values().sum::<u64>().to_string());
        }
        if key == "v2x.inbox" {
            let lines: Vec<String> = inbox.step.iter().map(Received::line).collect();
            return Ok(lines.join(";"));
        }
        if let Some(m) = key.strip_prefix("v2x.received.").and_then(msg) {
            return Ok(inbox.counts.get(&m).copied().unwrap_or(0).to_string());
        }
        if let Some(m) = key.strip_prefix("v2x.last.").and_then(msg) {
            return Ok(inbox.last.get(&m).map(Received::line).unwrap_or_default());
        }
        Err(unknown_key(key))
    }

    /// A simulation-wide parameter `key`.
    pub fn totals(&self, key: &str) -> Result<String, String> {
        Ok(match key {
            "v2x.sent" => self.sent.to_string(),
            "v2x.receptions" => self.attempts.to_string(),
            "v2x.delivered" => self.delivered.to_string(),
            "v2x.lost" => (self.attempts - self.delivered).to_string(),
            "v2x.pdr" if self.attempts == 0 => String::new(),
            "v2x.pdr" => format!("{:.6}", self.delivered as f64 / self.attempts as f64),
            "v2x.latency_ms.mean" if self.delivered == 0 => String::new(),
            "v2x.latency_ms.mean" => {
                format!(
                    "{:.3}",
                    self.latency_sum_us as f64 * 1e-3 / self.delivered as f64
                )
            }
            _ => return Err(unknown_key(key)),
        })
    }
}

pub fn unknown_key(key: &str) -> String {
    format!("parameter '{key}' is not known to sangam-sim (docs/traci.md lists the v2x.* keys)")
}

//! The radio environment of one step: who can send and receive where, channel occupancy per
//! area, the line-of-sight cache, and the queue of deliveries in flight.
use std::sync::Arc;

use bevy::prelude::*;

use super::messages::Payload;
use super::sidelink::Airing;
use crate::radio::cell::CellMeter;
use crate::radio::dcc::{Pc5Occupancy, WaveRate, wave_airtime_us};
use crate::radio::grid::SpatialGrid;
use crate::radio::medium::PowerTable;
use crate::radio::queue::DeliveryQueue;
use crate::scenario::spec::MsgType;
use crate::scenario::spec::Tech;

/// A station that can send or receive this step.
#[derive(Debug, Clone, Copy)]
pub struct Station {
    pub entity: Entity,
    /// Station number: `ids::StationId::wire` (vehicle index, or the RSU range).
    pub id: u32,
    pub pos: [f64; 2],
    pub height: f64,
    /// Bit per technology (see [`bit`]).
    pub radios: u8,
    /// Automated vehicles act on what they receive; everyone else only counts it.
    pub acts: bool,
    /// Serving gNB index when attached and not in a handover.
    pub serving: Option<u32>,
    pub is_rsu: bool,
    /// RSU only: its backhaul works.
    pub backhaul: bool,
}

pub fn bit(t: Tech) -> u8 {
    1 << (t as u8)
}

/// A message to send this step.
#[derive(Debug, Clone)]
pub struct Tx {
    /// Index of the sender in `RadioEnv::stations`.
    pub from: usize,
    pub msg: Arc<Payload>,
    pub via: Vec<Tech>,
    /// Radius of the area the message is meant for, m (0 for none): its Uu (network-relayed)
    /// copies are delivered in it, and sidelink stations in it beyond `max_range` count as
    /// out of range.
    pub area_m: f64,
}

/// A message on its way to a station that will act on it.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub to: Entity,
    pub msg: Arc<Payload>,
    pub sent_us: u64,
    pub tech: Tech,
}

/// Channel busy ratio per area: airtime sensed in 100 m cells over 100 ms windows
/// (T_CBR = 100 ms, ETSI EN 302 571 §4.2.10.1).
#[derive(Debug, Clone, Default)]
pub struct CbrCells {
    origin: [f64; 2],
    nx: usize,
    ny: usize,
    busy_us: Vec<u64>,
    last: Vec<f64>,
    window_end_us: u64,
}

/// Cell size of the CBR map, m.
pub const CBR_CELL: f64 = 100.0;
/// Distance within which a transmission keeps a cell's channel busy, m: where its power stays
/// above the −85 dBm busy threshold with typical urban shadowing (assumed, class E).
pub const SENSE_RANGE: f64 = 300.0;
const WINDOW_US: u64 = 100_000;
/// Most CBR cells along one side: a defensive bound on the allocation (validation already
/// keeps coordinates within ±`MAX_COORD_M`, far inside it); points beyond are not counted.
const MAX_CBR_CELLS_PER_SIDE: f64 = 2_000.0;

impl CbrCells {
    pub fn new(lo: [f64; 2], hi: [f64; 2]) -> Self {
        let origin = [lo[0] - SENSE_RANGE, lo[1] - SENSE_RANGE];
        let nx = (((hi[0] - lo[0]) + 2.0 * SENSE_RANGE) / CBR_CELL)
            .ceil()
            .clamp(1.0, MAX_CBR_CELLS_PER_SIDE) as usize;
        let ny = (((hi[1] - lo[1]) + 2.0 * SENSE_RANGE) / CBR_CELL)
            .ceil()
            .clamp(1.0, MAX_CBR_CELLS_PER_SIDE) as usize;
        CbrCells {
            origin,
            nx,
            ny,
            busy_us: vec![0; nx * ny],
            last: vec![0.0; nx * ny],
            window_end_us: WINDOW_US,
        }
    }

    fn cell(&self, p: [f64; 2]) -> Option<usize> {
        let i = ((p[0] - self.origin[0]) / CBR_CELL).floor();
        let j = ((p[1] - self.origin[1]) / CBR_CELL).floor();
        (i >= 0.0 && j >= 0.0 && (i as usize) < self.nx && (j as usize) < self.ny)
            .then(|| j as usize * self.nx + i as usize)
    }

    /// Close finished windows up to `now_us`.
    pub fn roll(&mut self, now_us: u64) {
        while now_us >= self.window_end_us {
            for (l, b) in self.last.iter_mut().zip(self.busy_us.iter_mut()) {
                *l = (*b as f64 / WINDOW_US as f64).min(1.0);
                *b = 0;
            }
            self.window_end_us += WINDOW_US;
        }
    }

    /// A transmission of `airtime_us` from `p` keeps every cell within the sense range busy.
    pub fn add(&mut self, p: [f64; 2], airtime_us: u64) {
        let r = (SENSE_RANGE / CBR_CELL).ceil() as i64;
        let Some(c) = self.cell(p) else { return };
        let (ci, cj) = ((c % self.nx) as i64, (c / self.nx) as i64);
        for dj in -r..=r {
            for di in -r..=r {
                let (i, j) = (ci + di, cj + dj);
                if i < 0 || j < 0 || i as usize >= self.nx || j as usize >= self.ny {
                    continue;
                }
                let cx = self.origin[0] + (i as f64 + 0.5) * CBR_CELL;
                let cy = self.origin[1] + (j as f64 + 0.5) * CBR_CELL;
                let (dx, dy) = (cx - p[0], cy - p[1]);
                if dx * dx + dy * dy <= SENSE_RANGE * SENSE_RANGE {
                    self.busy_us[j as usize * self.nx + i as usize] += airtime_us;
                }
            }
        }
    }

    /// CBR of the last complete window at a point.
    pub fn at(&self, p: [f64; 2]) -> f64 {
        self.cell(p).map_or(0.0, |c| self.last[c])
    }

    /// (x, y, cbr) of every cell with a busy channel, for the view's heat map.
    pub fn cells(&self) -> Vec<(f64, f64, f64)> {
        self.last
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0.0)
            .map(|(k, c)| {
                let (i, j) = (k % self.nx, k / self.nx);
                (
                    self.origin[0] + (i as f64 + 0.5) * CBR_CELL,
                    self.origin[1] + (j as f64 + 0.5) * CBR_CELL,
                    *c,
                )
            })
            .collect()
    }
}

/// Airtime of a message on a sidelink technology, µs: 802.11p at 6 Mbit/s (IEEE 802.11-2016
/// eq. 17-29), PC5 by sub-channel occupancy of one 1 ms subframe.
pub fn airtime_us(tech: Tech, bytes: usize) -> u64 {
    match tech {
        Tech::Wave => wave_airtime_us(bytes, WaveRate::R6),
        _ => Pc5Occupancy::default().busy_us(bytes),
    }
}

/// The radio environment.
#[derive(Resource, Default)]
pub struct RadioEnv {
    pub stations: Vec<Station>,
    /// Names of `stations`, same order (for traces and the view).
    pub names: Vec<Arc<str>>,
    pub grid: Option<SpatialGrid>,
    pub outbox: Vec<Tx>,
    pub queue: DeliveryQueue<Delivery>,
    /// Building line of sight between 10 m cells (buildings never move).
    pub los_cache: bevy::platform::collections::HashMap<u64, bool>,
    /// CBR maps for WAVE and PC5.
    pub cbr_wave: CbrCells,
    pub cbr_pc5: CbrCells,
    /// gNB (position, up, index into the gNB entities in index order).
    pub gnb_up: Vec<bool>,
    /// Messages sent so far (message ids).
    pub next_msg_id: u64,
    pub has_buildings: bool,
    /// Sidelink transmissions on the air or still able to interfere (`v2x::sidelink`).
    pub medium_wave: Vec<Airing>,
    pub medium_pc5: Vec<Airing>,
    /// Age of information per (message, technology, receiver, sender).
    pub aoi: AgeOfInformation,
    /// Deliveries later than this after sending are dropped as expired, µs.
    pub lifetime_us: u64,
    /// Median received power by distance for WAVE and PC5 (interference, carrier sensing).
    pub power_wave: PowerTable,
    pub power_pc5: PowerTable,
    /// V2X traffic through each gNB (by index), for its load.
    pub cells: CellMeter,
}

impl RadioEnv {
    pub fn medium(&mut self, tech: Tech) -> &mut Vec<Airing> {
        if tech == Tech::Wave {
            &mut self.medium_wave
        } else {
            &mut self.medium_pc5
        }
    }

    pub fn power(&self, tech: Tech) -> &PowerTable {
        if tech == Tech::Wave {
            &self.power_wave
        } else {
            &self.power_pc5
        }
    }

    pub fn cbr(&mut self, tech: Tech) -> &mut CbrCells {
        if tech == Tech::Wave {
            &mut self.cbr_wave
        } else {
            &mut self.cbr_pc5
        }
    }
}

/// Key of the building-LOS cache: both ends quantised to 10 m, unordered.
pub fn los_key(a: [f64; 2], b: [f64; 2]) -> u64 {
    let q = |p: [f64; 2]| -> u64 {
        let x = ((p[0] / 10.0).floor() as i64 + 32768).clamp(0, 65535) as u64;
        let y = ((p[1] / 10.0).floor() as i64 + 32768).clamp(0, 65535) as u64;
        (x << 16) | y
    };
    let (ka, kb) = (q(a), q(b));
    let (lo, hi) = if ka <= kb { (ka, kb) } else { (kb, ka) };
    (lo << 32) | hi
}

/// Age of information: for every (message type, technology, receiver, sender) the generation
/// time of the newest message received. When a newer one arrives, the age the receiver's
/// information had reached just before it (arrival − previous generation) is one sample: the
/// peak age of Kaul, Yates, Gruteser, "Real-time status: how often should one update?",
/// IEEE INFOCOM 2012. Pairs silent for longer than [`AOI_FORGET_US`] are forgotten, so the
/// map stays as large as the current neighbourhoods.
#[derive(Debug, Default)]
pub struct AgeOfInformation {
    newest: bevy::platform::collections::HashMap<u64, u64>,
    next_sweep_us: u64,
}

/// A (receiver, sender) pair with nothing new for this long starts afresh, µs.
pub const AOI_FORGET_US: u64 = 10_000_000;

impl AgeOfInformation {
    fn key(msg: MsgType, tech: Tech, to: u32, from: u32) -> u64 {
        ((msg as u64) << 60) | ((tech as u64) << 56) | (u64::from(to) << 28) | u64::from(from)
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
            self.newest.retain(|_, g| *g + AOI_FORGET_US > arrival_us);
            self.next_sweep_us = arrival_us + AOI_FORGET_US / 10;
        }
        let slot = self
            .newest
            .entry(Self::key(msg, tech, to, from))
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

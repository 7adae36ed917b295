//! The radio environment of one step: who can send and receive where, channel occupancy per
//! area, the line-of-sight cache, and the queue of deliveries in flight.
use std::sync::Arc;

use bevy::prelude::*;

use super::messages::Payload;
use crate::radio::cell::CellMeter;
use crate::radio::dcc::{Pc5Occupancy, WaveRate, wave_airtime_us};
use crate::radio::grid::SpatialGrid;
use crate::radio::medium::Burst;
use crate::radio::medium::PowerTable;
use crate::radio::queue::DeliveryQueue;
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
    /// SINR on the serving cell, dB (`radio::nr`; +∞ for stations without a Uu radio hop).
    pub sinr_db: f64,
    pub is_rsu: bool,
    /// RSU only: its backhaul works.
    pub backhaul: bool,
    /// ITS station type on the air (`wire::STATION_TYPE_*`).
    pub station_type: u8,
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
    /// A transmit power below the link's, dBm (SAE J2945/1 power control), if any.
    pub tx_cap_dbm: Option<f64>,
}

/// A message on its way to a station that will act on it.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub to: Entity,
    pub msg: Arc<Payload>,
    pub sent_us: u64,
    pub tech: Tech,
}

/// A message as sent: what, when and by whom.
#[derive(Debug, Clone)]
pub struct Sent {
    pub msg_id: u64,
    pub msg: Arc<Payload>,
    /// The message as a packet (`wire::packet`: GeoNetworking or WSMP): its length is what the
    /// radio puts on the air; a capture (`--pcap`) writes its bytes.
    pub packet: Arc<[u8]>,
    pub sent_us: u64,
    pub from: Station,
    /// The stack the packet is built for.
    pub stack: crate::wire::Stack,
    /// A transmit power below the link's, dBm (SAE J2945/1 power control), if any.
    pub tx_cap_dbm: Option<f64>,
}

impl Sent {
    /// The power it is sent with on a sidelink configured for `link_dbm`, dBm.
    pub fn tx_dbm(&self, link_dbm: f64) -> f64 {
        self.tx_cap_dbm.map_or(link_dbm, |cap| cap.min(link_dbm))
    }
    /// Bytes on the air on a sidelink technology: on 802.11p the MAC frame (QoS data header,
    /// LLC/SNAP and FCS around the packet); on PC5 the packet (its PDCP/RLC/MAC headers, a few
    /// bytes, are not counted).
    pub fn air_bytes(&self, tech: Tech) -> usize {
        use crate::wire::frame::{FCS_LEN, LLC_LEN, MAC_HEADER_LEN};
        match tech {
            Tech::Wave => MAC_HEADER_LEN + LLC_LEN + self.packet.len() + FCS_LEN,
            _ => self.packet.len(),
        }
    }
}

/// A receiver in range of a scheduled sidelink transmission, with the signal it gets. Compact
/// (40 bytes, single precision): a busy step holds one per receiver of every message on the air.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub entity: Entity,
    pub id: u32,
    pub acts: bool,
    pub pos: [f32; 2],
    pub height: f32,
    /// Horizontal distance, m.
    pub d: f32,
    pub rx_dbm: f32,
    /// Noise floor plus any jammer at the receiver, dBm.
    pub noise_dbm: f32,
}

impl Candidate {
    /// Antenna position and height.
    pub fn at(&self) -> ([f64; 2], f64) {
        (
            [f64::from(self.pos[0]), f64::from(self.pos[1])],
            f64::from(self.height),
        )
    }

    /// The receiving station, as far as recording a reception needs it.
    pub fn station(&self) -> Station {
        let (pos, height) = self.at();
        Station {
            entity: self.entity,
            id: self.id,
            pos,
            height,
            radios: 0,
            acts: self.acts,
            serving: None,
            sinr_db: f64::INFINITY,
            is_rsu: false,
            backhaul: false,
            station_type: 0,
        }
    }
}

/// A scheduled sidelink transmission waiting to be resolved.
#[derive(Debug, Clone)]
pub struct Pending {
    pub sent: Sent,
    pub spike_us: u64,
    pub burst_loss: f64,
    pub candidates: Vec<Candidate>,
    /// Each candidate's station (index into `RadioEnv::stations`) until its signal is drawn,
    /// later in the step it was sent in (`v2x::sidelink`); empty after.
    pub undrawn: Vec<u32>,
}

/// A transmission on the medium; kept after it is resolved while it can still interfere with
/// one that is not.
#[derive(Debug, Clone)]
pub struct Airing {
    pub burst: Burst,
    pub pending: Option<Box<Pending>>,
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
    pub grid: Option<SpatialGrid>,
    pub outbox: Vec<Tx>,
    pub queue: DeliveryQueue<Delivery>,
    /// Building line of sight between 10 m cells (buildings never move; `v2x::los`).
    pub los_cache: super::los::LosCache,
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
    /// Deliveries later than this after sending are dropped as expired, µs.
    pub lifetime_us: u64,
    /// Median received power by distance for WAVE and PC5 (interference, carrier sensing).
    pub power_wave: PowerTable,
    pub power_pc5: PowerTable,
    /// V2X traffic through each gNB (by index), for its load.
    pub cells: CellMeter,
    /// Where the map is on the earth, for positions on the air.
    pub origin: crate::wire::geo::GeoOrigin,
    /// When each station last attached its certificate to a message, µs (`wire::signer`).
    pub certificate_sent: bevy::platform::collections::HashMap<u32, u64>,
    /// Which frames are published with their bytes (`AirEvent::Frame`) for a capture.
    pub capture: Capture,
    /// The stack packets are built for (`v2x.profile`).
    pub stack: crate::wire::Stack,
}

/// What a capture (`--pcap`, `--pcap-rx`) records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Capture {
    /// Every sidelink transmission.
    pub tx: bool,
    /// Every decoded sidelink reception, at the receiver.
    pub rx: bool,
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

//! V2X stations in the world: roadside units, base stations, and the on-board unit state of
//! connected vehicles.
use bevy::prelude::*;

use super::cam::CamGenerator;
use super::cpm::CpmGenerator;
use super::denm::{DenmOriginator, DenmTable};
use super::messages::{ActionId, SequenceNumbers};
use crate::clock::{s_from_us, us_from_s_floor};
use crate::road::RoadNetwork;
use crate::scenario::spec::{CctvSpec, Latency, Tech};
use crate::sim::SpecRes;

/// A roadside unit.
#[derive(Component, Debug)]
pub struct Rsu {
    pub index: u32,
    pub id: String,
    pub pos: [f64; 2],
    pub height: f64,
    pub radios: Vec<Tech>,
    pub junction: Option<u32>,
    pub cctv: Vec<CctvSpec>,
    pub cpm: CpmGenerator,
    /// DENMs this RSU originates for hazards its cameras see: (hazard id, originator, last
    /// seen at). A hazard out of sight for 2 s is terminated.
    pub denms: Vec<(u32, DenmOriginator, f64)>,
    /// ActionID sequence numbers of this RSU's events.
    pub sequence: SequenceNumbers,
    /// Offset of this RSU's 100 ms SPaT/CPM cycle (and its first MAP), µs: see [`rsu_phase_us`].
    pub phase_us: u64,
}

/// Period of SPaT (10 Hz, SAE J2735 / ISO TS 19091 practice) and of the CPM checks, µs.
pub const RSU_CYCLE_US: u64 = 100_000;

/// Antenna height of a vehicle's on-board unit, m: TR 37.885 §6.1 evaluation vehicles carry
/// their antennas at 1.5 m (reference §3a), also the TR 38.901 UE height used for Uu.
pub const UE_ANTENNA_HEIGHT_M: f64 = crate::radio::nr::UE_HEIGHT_M;
/// Hysteresis of cell reselection, dB: a neighbour must be this much stronger than the serving
/// cell (the offset of TS 38.331 event A3, configurable there from −15 to 15 dB; 3 dB is the
/// value common in handover studies, assumed).
pub const A3_OFFSET_DB: f64 = 3.0;
/// How often a UE re-evaluates its cell, s (assumed: the 100 ms of the CAM check grid).
pub const CELL_RESELECT_S: f64 = 0.1;

/// Where in the 100 ms cycle RSU `index` sends: see [`spread_phase_s`].
pub fn rsu_phase_us(index: u32) -> u64 {
    us_from_s_floor(spread_phase_s(index, s_from_us(RSU_CYCLE_US)))
}

/// Offset of station `index`'s periodic schedule within `period_s`: frac(index · φ) of the
/// period (φ the golden ratio), a low-discrepancy spread. Real stations are not synchronised;
/// if all of them sent in the same millisecond, hidden ones would collide on the shared
/// channel far more than they do.
pub fn spread_phase_s(index: u32, period_s: f64) -> f64 {
    let golden = 0.618_033_988_749_895_f64;
    (f64::from(index) * golden).fract() * period_s
}

/// Is a cycle of `period_us` starting at `phase_us` due in the step [now, now + dt)?
pub fn cycle_due(now_us: u64, dt_us: u64, phase_us: u64, period_us: u64) -> bool {
    now_us + dt_us > phase_us && (now_us + dt_us - phase_us - 1) % period_us < dt_us
}

/// A 5G base station with its edge server.
#[derive(Component, Debug)]
pub struct Gnb {
    pub index: u32,
    pub id: String,
    pub pos: [f64; 2],
    pub height: f64,
    pub freq_ghz: f64,
    pub tx_dbm: f64,
    pub mec: Latency,
    pub mec_at_gnb: bool,
    /// Background load, 0-0.95, and V2X capacity, Mbit/s (see `radio::cell`).
    pub load: f64,
    pub capacity_mbps: f64,
}

impl Gnb {
    /// The cell as the radio hop sees it.
    pub fn cell(&self) -> crate::radio::nr::Cell {
        crate::radio::nr::Cell {
            pos: self.pos,
            height: self.height,
            tx_dbm: self.tx_dbm,
            freq_ghz: self.freq_ghz,
        }
    }
}

/// An EEBL event a vehicle was told of, located on its route.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EeblNotice {
    pub action: ActionId,
    /// Where the sender was at detection: link, centreline position and lane on it.
    pub link: u32,
    pub s: f64,
    pub lane: u8,
    /// Its speed then (`eventSpeed`), m/s.
    pub speed: f64,
    pub detected_s: f64,
    /// End of the DENM's validity, s.
    pub until_s: f64,
    /// When it arrived, s (the reaction time counts from here).
    pub received_s: f64,
}

/// The V2X state of a vehicle with an on-board unit.
#[derive(Component, Debug)]
pub struct OnBoard {
    pub cam: CamGenerator,
    /// Serving gNB (index) for Uu, and until when a handover interrupts service, s.
    pub serving: Option<u32>,
    pub handover_until: f64,
    /// SINR on the serving cell at the last cell selection, dB (−∞ without one).
    pub sinr_db: f64,
    pub denms: DenmTable,
    /// DENM this vehicle originates (stalled, emergency braking).
    pub own_denm: Option<DenmOriginator>,
    /// ActionID sequence numbers of this vehicle's events.
    pub sequence: SequenceNumbers,
    pub braking: bool,
    /// Latest SPaT for links of my route: (link, colour, remaining at reception, received at).
    pub spat: Vec<(u32, crate::road::signals::Colour, f64, f64)>,
    /// Hazards I have been warned of by V2X, sorted.
    pub warned: Vec<u32>,
    /// Emergency braking ahead told of by EEBL DENMs, sorted by ActionID.
    pub eebl: Vec<EeblNotice>,
    /// The vehicle as it was at the end of the last step, i.e. at the start of this one: what
    /// its messages describe, stamped with the step's time (the step has already moved it).
    pub step_start: Option<Kinematics>,
    /// When BSMs go out on the Korean profile (SAE J2945/1).
    pub bsm: super::j2945::BsmSchedule,
    /// ProbeSegmentNumber of the last Probe Vehicle Data report.
    pub pvd_segment: u16,
}

/// Where a vehicle is and how it moves, at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kinematics {
    /// Map position of the body's centre, m.
    pub pos: [f64; 2],
    /// Map position of the centre of its front, m.
    pub front: [f64; 2],
    /// Radians counter-clockwise from east.
    pub heading: f64,
    /// m/s.
    pub v: f64,
    /// m/s².
    pub acc: f64,
}

impl OnBoard {
    /// A unit that has heard nothing yet and sends CAMs from `cam`.
    pub fn new(cam: CamGenerator) -> Self {
        OnBoard {
            cam,
            serving: None,
            handover_until: 0.0,
            sinr_db: f64::NEG_INFINITY,
            denms: DenmTable::new(),
            own_denm: None,
            step_start: None,
            sequence: SequenceNumbers::default(),
            braking: false,
            spat: Vec::new(),
            warned: Vec::new(),
            eebl: Vec::new(),
            bsm: Default::default(),
            pvd_segment: 0,
        }
    }
}

/// Spawn RSUs and gNBs from the scenario.
pub fn spawn(mut commands: Commands, spec: Res<SpecRes>, net: Res<RoadNetwork>) {
    let v2x = &spec.0.v2x;
    if !v2x.enabled {
        return;
    }
    for (i, r) in v2x.rsus.iter().enumerate() {
        let junction = r
            .junction
            .as_ref()
            .and_then(|j| net.junction_index.get(j).copied());
        commands.spawn((
            Rsu {
                index: i as u32,
                id: r.id.clone(),
                pos: [r.pos.0, r.pos.1],
                height: r.height,
                radios: r.radios.clone(),
                junction,
                cctv: r.cctv.clone(),
                cpm: CpmGenerator::default(),
                denms: Vec::new(),
                sequence: SequenceNumbers::default(),
                phase_us: rsu_phase_us(i as u32),
            },
            Transform::from_xyz(r.pos.0 as f32, r.height as f32, -r.pos.1 as f32),
        ));
    }
    for (i, g) in v2x.gnbs.iter().enumerate() {
        commands.spawn((
            Gnb {
                index: i as u32,
                id: g.id.clone(),
                pos: [g.pos.0, g.pos.1],
                height: g.height,
                freq_ghz: g.freq_ghz,
                tx_dbm: g.tx_dbm,
                mec: g.mec.clone(),
                mec_at_gnb: g.mec_at_gnb,
                load: g.load,
                capacity_mbps: g.capacity_mbps,
            },
            Transform::from_xyz(g.pos.0 as f32, g.height as f32, -g.pos.1 as f32),
        ));
    }
}

/// Cell selection with A3-style hysteresis (3 dB, 3GPP TS 38.331 event A3 offset typical):
/// returns the new serving cell index among the cells that are up.
pub fn select_cell(
    current: Option<u32>,
    rsrp: impl Iterator<Item = (u32, f64)>,
    min_rsrp_dbm: f64,
    hysteresis_db: f64,
) -> Option<u32> {
    let mut best: Option<(u32, f64)> = None;
    let mut cur_rsrp = None;
    for (i, p) in rsrp {
        if p < min_rsrp_dbm {
            continue;
        }
        if Some(i) == current {
            cur_rsrp = Some(p);
        }
        if best.is_none_or(|(_, b)| p > b) {
            best = Some((i, p));
        }
    }
    match (cur_rsrp, best) {
        (Some(c), Some((i, b))) if b > c + hysteresis_db => Some(i),
        (Some(_), _) => current,
        (None, b) => b.map(|(i, _)| i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsu_cycles_are_spread_and_due_once_per_period() {
        let phases: Vec<u64> = (0..14).map(rsu_phase_us).collect();
        let mut sorted = phases.clone();
        sorted.sort();
        // Fourteen RSUs over 100 ms: no two closer than 2 ms.
        assert!(
            sorted.windows(2).all(|w| w[1] - w[0] >= 2_000),
            "{sorted:?}"
        );
        for &phase in &phases {
            for dt in [10_000, 5_000, 1_000] {
                let due: Vec<u64> = (0..300_000 / dt)
                    .map(|k| k * dt)
                    .filter(|&now| cycle_due(now, dt, phase, RSU_CYCLE_US))
                    .collect();
                assert_eq!(due.len(), 3, "phase {phase} dt {dt}: {due:?}");
                for (k, &now) in due.iter().enumerate() {
                    let at = phase + k as u64 * RSU_CYCLE_US;
                    assert!(now <= at && at < now + dt, "{now} {at}");
                }
            }
        }
    }

    #[test]
    fn handover_needs_the_hysteresis_margin() {
        let cells = [(0, -80.0), (1, -78.0)];
        assert_eq!(
            select_cell(Some(0), cells.into_iter(), -120.0, 3.0),
            Some(0)
        );
        let cells = [(0, -80.0), (1, -76.0)];
        assert_eq!(
            select_cell(Some(0), cells.into_iter(), -120.0, 3.0),
            Some(1)
        );
        // The serving cell went down (not listed): the best remaining one is taken.
        assert_eq!(
            select_cell(Some(0), [(1, -90.0)].into_iter(), -120.0, 3.0),
            Some(1)
        );
        // Nothing above the coverage threshold.
        assert_eq!(
            select_cell(None, [(1, -130.0)].into_iter(), -120.0, 3.0),
            None
        );
    }
}

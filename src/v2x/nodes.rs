//! V2X stations in the world: roadside units, base stations, and the on-board unit state of
//! connected vehicles.
use bevy::prelude::*;

use super::cam::CamGenerator;
use super::cpm::CpmGenerator;
use super::denm::{DenmOriginator, DenmTable};
use crate::radio::pathloss::{UmaLink, uma_los_db};
use crate::road::RoadNetwork;
use crate::scenario::SpecRes;
use crate::scenario::spec::{CctvSpec, Latency, Tech};

/// Station ids: vehicles use their index; roadside units start here.
pub const RSU_STATION_BASE: u32 = 2_000_000;

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
    /// seen at). A hazard out of sight for 2 s is no longer warned of.
    pub denms: Vec<(u32, DenmOriginator, f64)>,
    pub last_spat_us: Option<u64>,
    pub last_map_us: Option<u64>,
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
}

/// The V2X state of a vehicle with an on-board unit.
#[derive(Component, Debug)]
pub struct OnBoard {
    pub cam: CamGenerator,
    /// Serving gNB (index) for Uu, and until when a handover interrupts service, s.
    pub serving: Option<u32>,
    pub handover_until: f64,
    pub denms: DenmTable,
    /// DENM this vehicle originates (stalled, emergency braking).
    pub own_denm: Option<DenmOriginator>,
    pub braking: bool,
    /// Latest SPaT for links of my route: (link, colour, remaining at reception, received at).
    pub spat: Vec<(u32, crate::traffic::signals::Colour, f64, f64)>,
    /// Hazards I have been warned of by V2X, sorted.
    pub warned: Vec<u32>,
    /// Generation time of the freshest SPaT received per intersection, for age of information.
    pub spat_gen: Vec<(String, f64)>,
    /// Emergency braking ahead told of by EEBL DENMs, sorted by ActionID.
    pub eebl: Vec<super::eebl::EeblNotice>,
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
                last_spat_us: None,
                last_map_us: None,
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
            },
            Transform::from_xyz(g.pos.0 as f32, g.height as f32, -g.pos.1 as f32),
        ));
    }
}

/// Received power from a gNB at a UE, dBm: 3GPP TR 38.901 UMa LOS path loss (the macro sites
/// of the Sangam scenarios sit on rooftops above the street canyon).
pub fn rsrp_dbm(gnb: &Gnb, ue: [f64; 2]) -> f64 {
    let d2d = (gnb.pos[0] - ue[0]).hypot(gnb.pos[1] - ue[1]).max(10.0);
    let link = UmaLink {
        d2d_m: d2d,
        h_bs_m: gnb.height,
        h_ut_m: 1.5,
        fc_ghz: gnb.freq_ghz,
    };
    gnb.tx_dbm - uma_los_db(&link)
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

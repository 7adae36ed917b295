//! What each station sends this step: vehicles' CAM (EN 302 637-2 triggers) and DENM (stalled,
//! emergency braking), RSUs' SPaT (10 Hz), MAP (1 Hz), and CPM and DENM from their cameras.
use std::sync::Arc;

use bevy::ecs::query::QueryData;
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy_rapier3d::prelude::{RapierContext, ReadRapierContext};

use super::air::building_los;
use super::cpm::in_view;
use super::denm::{DenmOriginator, DenmTiming};
use super::env::{RadioEnv, Station, Tx, bit};
use super::faults::FaultState;
use super::j2945;
use super::messages::*;
use super::nodes::{
    A3_OFFSET_DB, CELL_RESELECT_S, Gnb, Kinematics, OnBoard, RSU_CYCLE_US, Rsu,
    UE_ANTENNA_HEIGHT_M, cycle_due, select_cell,
};
use super::spat::{ApproachState, Colour as SpatColour, build_spat};
use super::uu::{UU_CAM_RADIUS, cell_load};
use crate::clock::{SimClock, s_from_ms, us_from_s};
use crate::ids::StationId;
use crate::radio::grid::SpatialGrid;
use crate::radio::nr;
use crate::radio::outcome::StationNames;
use crate::radio::stats::std_normal;
use crate::rng::Rngs;
use crate::road::RoadNetwork;
use crate::road::network::JunctionCtl;
use crate::road::signals::Colour;
use crate::scenario::spec::{Profile, Tech};
use crate::sight::BUILDINGS;
use crate::sight::clear;
use crate::sim::SpecRes;
use crate::traffic::Obu;
use crate::traffic::components::*;
use crate::wire;

/// Cell of the neighbour grid, m.
const GRID_CELL: f64 = 100.0;
fn map_pos(tf: &Transform) -> [f64; 2] {
    [f64::from(tf.translation.x), -f64::from(tf.translation.z)]
}

/// The resources the station list is gathered from, and the radio environment it is written to.
#[derive(SystemParam)]
pub struct GatherCtx<'w, 's> {
    clock: Res<'w, SimClock>,
    spec: Res<'w, SpecRes>,
    faults: Res<'w, FaultState>,
    env: ResMut<'w, RadioEnv>,
    /// Present when a trace or the view shows station names.
    names: Option<ResMut<'w, StationNames>>,
    /// Buildings, for the line of sight to the cells.
    rapier: ReadRapierContext<'w, 's>,
    rngs: Res<'w, Rngs>,
    /// Heights of the roads, for the on-board units' antennas.
    net: Res<'w, RoadNetwork>,
}

/// A vehicle as a radio station.
#[derive(QueryData)]
#[query_data(mutable)]
pub struct VehicleStation {
    entity: Entity,
    veh: &'static Vehicle,
    obu: &'static Obu,
    ob: &'static mut OnBoard,
    tf: &'static Transform,
}

/// The radio bit set of a list of technologies.
fn radio_bits(radios: &[Tech]) -> u8 {
    radios.iter().fold(0u8, |b, t| b | bit(*t))
}

/// Who is on the air this step, and the neighbour grid over them.
pub fn gather(
    ctx: GatherCtx,
    mut vehicles: Query<VehicleStation>,
    rsus: Query<(Entity, &Rsu)>,
    gnbs: Query<&Gnb>,
) {
    let GatherCtx {
        clock,
        spec,
        faults,
        mut env,
        mut names,
        rapier,
        rngs,
        net,
    } = ctx;
    let t = clock.t();
    let env = &mut *env;
    let cells = cells_up(env, &gnbs, &faults);
    let uu = &spec.0.v2x.links.uu;
    let reselect = clock.every(CELL_RESELECT_S);
    let rapier = rapier.single().ok();
    let mut st: Vec<Station> = Vec::new();
    let mut name = |id: u32, n: &str| {
        if let Some(names) = names.as_mut() {
            names.0.entry(id).or_insert_with(|| Arc::from(n));
        }
    };
    for mut v in &mut vehicles {
        let pos = map_pos(v.tf);
        let radios = radio_bits(&v.obu.radios);
        if radios & bit(Tech::Uu) != 0 && reselect {
            let rx = received(env, rapier.as_ref(), &cells, pos, rngs.seed);
            reselect_cell(&mut v.ob, &rx, uu, t);
        }
        let ground = if net.elevated() {
            f64::from(v.tf.translation.y) - v.veh.body.height / 2.0
        } else {
            0.0
        };
        if let Some(station) = vehicle_station(&v, (pos, ground), radios, &env.gnb_up, t) {
            name(station.id, &v.veh.id);
            st.push(station);
        }
    }
    for (e, r) in &rsus {
        if !faults.rsu_down.contains(&r.id)
            && let Some(station) = rsu_station(e, r, &faults)
        {
            name(station.id, &r.id);
            st.push(station);
        }
    }
    if let (Some(_), Some(id)) = (spec.0.v2x.control_centre, StationId::ControlCentre.wire()) {
        name(id, "control_centre");
    }
    st.sort_by_key(|s| s.id);
    env.stations = st;
    env.grid = Some(SpatialGrid::build(
        GRID_CELL,
        env.stations
            .iter()
            .enumerate()
            .map(|(i, s)| (i as u32, (s.pos[0], s.pos[1]))),
    ));
}

/// Mark which gNBs are up (`env.gnb_up`, by index) and return those that are, with their load.
fn cells_up<'g>(
    env: &mut RadioEnv,
    gnbs: &'g Query<&Gnb>,
    faults: &FaultState,
) -> Vec<(&'g Gnb, f64)> {
    let mut list: Vec<&Gnb> = gnbs.iter().collect();
    list.sort_by_key(|g| g.index);
    env.gnb_up = list
        .iter()
        .map(|g| !faults.gnb_down.contains(&g.id) && !faults.backhaul_cut.contains(&g.id))
        .collect();
    list.into_iter()
        .filter(|g| env.gnb_up[g.index as usize])
        .map(|g| (g, cell_load(g, env, faults)))
        .collect()
}

/// Side of the square tiles over which a UE's building line of sight to a cell is cast once
/// and cached, m (a car moves 1.4 m per cell selection at 50 km/h).
const UU_LOS_TILE_M: f64 = 5.0;

/// What a vehicle at `pos` receives from each cell that is up: (cell, RSRP per subcarrier,
/// load). A cell is in line of sight when no building is in the way (a ray from the roof
/// antenna to the cell's, from the centre of the UE's 5 m tile) and the UMa LOS probability,
/// drawn consistently over 50 m, says the rest of the street is clear (`radio::nr`).
fn received(
    env: &mut RadioEnv,
    rapier: Option<&RapierContext>,
    cells: &[(&Gnb, f64)],
    pos: [f64; 2],
    seed: u64,
) -> Vec<(u32, f64, f64)> {
    let tile = pos.map(|x| ((x / UU_LOS_TILE_M).floor() + 0.5) * UU_LOS_TILE_M);
    cells
        .iter()
        .map(|&(g, load)| {
            let cell = g.cell();
            let clear = building_los(env, rapier, (tile, UE_ANTENNA_HEIGHT_M), (g.pos, g.height));
            let los = clear && nr::los_draw(seed, g.index, pos) < nr::los_probability(&cell, pos);
            (g.index, cell.rsrp_dbm(pos, los), load)
        })
        .collect()
}

/// Cell (re)selection of a vehicle among the cells it receives (A3: a neighbour better by the
/// offset), and its SINR there against the others at their load; a change of cell starts a
/// handover interruption.
fn reselect_cell(
    ob: &mut OnBoard,
    rx: &[(u32, f64, f64)],
    uu: &crate::scenario::spec::UuSpec,
    t: f64,
) {
    let new = select_cell(
        ob.serving.filter(|s| rx.iter().any(|r| r.0 == *s)),
        rx.iter().map(|r| (r.0, r.1)),
        uu.min_rsrp_dbm,
        A3_OFFSET_DB,
    );
    if ob.serving.is_some() && new.is_some() && new != ob.serving {
        ob.handover_until = t + s_from_ms(uu.handover_ms);
    }
    ob.serving = new;
    ob.sinr_db = match rx.iter().find(|r| Some(r.0) == new) {
        Some(&(g, rsrp, _)) => {
            let others: Vec<(f64, f64)> =
                rx.iter().filter(|r| r.0 != g).map(|r| (r.1, r.2)).collect();
            nr::sinr_db(rsrp, &others)
        }
        None => f64::NEG_INFINITY,
    };
}

/// A vehicle as a radio station at `pos` on ground of height `ground`: served by its cell while
/// that is up and no handover is under way. Its sidelink antenna is [`UE_ANTENNA_HEIGHT_M`]
/// above the road (on a bridge, above the bridge); for Uu the cell models take heights above
/// local ground, so cell selection uses the antenna height alone (docs/traffic-models.md,
/// "Elevation").
fn vehicle_station(
    v: &VehicleStationItem,
    (pos, ground): ([f64; 2], f64),
    radios: u8,
    gnb_up: &[bool],
    t: f64,
) -> Option<Station> {
    let serving =
        v.ob.serving
            .filter(|s| gnb_up[*s as usize] && t >= v.ob.handover_until);
    Some(Station {
        entity: v.entity,
        id: StationId::Vehicle(v.veh.index).wire()?,
        pos,
        height: ground + UE_ANTENNA_HEIGHT_M,
        radios,
        acts: v.veh.automated,
        serving,
        sinr_db: v.ob.sinr_db,
        is_rsu: false,
        backhaul: false,
        station_type: wire::station_type(v.veh.class),
    })
}

/// An RSU as a radio station.
fn rsu_station(entity: Entity, r: &Rsu, faults: &FaultState) -> Option<Station> {
    Some(Station {
        entity,
        id: rsu_id(r)?,
        pos: r.pos,
        height: r.height,
        radios: radio_bits(&r.radios),
        acts: false,
        serving: None,
        sinr_db: f64::INFINITY,
        is_rsu: true,
        backhaul: !faults.backhaul_cut.contains(&r.id),
        station_type: wire::STATION_TYPE_RSU,
    })
}

fn station_index(env: &RadioEnv, id: u32) -> Option<usize> {
    env.stations.binary_search_by_key(&id, |s| s.id).ok()
}

/// An RSU's station number (`None`: its index does not fit, it is no station).
fn rsu_id(r: &Rsu) -> Option<u32> {
    StationId::Rsu(r.index).wire()
}

/// The resources the vehicle message system reads, and the outbox it writes.
#[derive(SystemParam)]
pub struct VehicleCtx<'w> {
    clock: Res<'w, SimClock>,
    spec: Res<'w, SpecRes>,
    faults: Res<'w, FaultState>,
    env: ResMut<'w, RadioEnv>,
    rngs: ResMut<'w, Rngs>,
    net: Res<'w, RoadNetwork>,
}

/// A vehicle as a message originator.
#[derive(QueryData)]
#[query_data(mutable)]
pub struct Originator {
    veh: &'static Vehicle,
    motion: &'static Motion,
    ob: &'static mut OnBoard,
    tf: &'static Transform,
    stalled: Option<&'static Stalled>,
    hazard: Option<&'static Hazard>,
}

/// Where a vehicle says it is: map position (with GNSS error) and heading, rad.
#[derive(Debug, Clone, Copy)]
struct Fix {
    pos: [f64; 2],
    heading: f64,
}

/// Vehicles: CAM on the configured technologies, DENM when stalled or braking hard.
pub fn vehicles(ctx: VehicleCtx, mut q: Query<Originator>) {
    let VehicleCtx {
        clock,
        spec,
        faults,
        mut env,
        mut rngs,
        net,
    } = ctx;
    let t = clock.t();
    let m = &spec.0.v2x.messages;
    let korea = spec.0.v2x.profile == Profile::Korea;
    let cc_tick = korea && clock.every(j2945::MEASURE_PERIOD_S);
    let env = &mut *env;
    let mut sorted: Vec<_> = q.iter_mut().collect();
    sorted.sort_by_key(|x| x.veh.index);
    for mut o in sorted {
        let v = o.veh;
        let fwd = o.tf.rotation * Vec3::X;
        let now = Kinematics {
            pos: map_pos(o.tf),
            front: crate::traffic::act::front_point(&net, o.motion),
            heading: f64::from((-fwd.z).atan2(fwd.x)),
            v: o.motion.v,
            acc: o.motion.acc,
        };
        // Messages stamped `t` describe the vehicle at `t`: as it was before this step moved
        // it (a vehicle that has just appeared waits a step).
        let Some(start) = o.ob.step_start.replace(now) else {
            continue;
        };
        let Some(from) = station_index(env, v.index) else {
            continue;
        };
        // The CAM's reference point is the centre of the vehicle's front (EN 302 637-2 B.19);
        // DENMs locate the vehicle by its body.
        let mut pos = start.pos;
        let mut front = start.front;
        if let Some((_, sigma)) = faults
            .gnss
            .iter()
            .find(|(id, _)| id.is_empty() || *id == v.id)
        {
            let e = [
                sigma * std_normal(&mut rngs.gnss),
                sigma * std_normal(&mut rngs.gnss),
            ];
            (pos[0], pos[1]) = (pos[0] + e[0], pos[1] + e[1]);
            (front[0], front[1]) = (front[0] + e[0], front[1] + e[1]);
        }
        let fix = Fix {
            pos,
            heading: start.heading,
        };
        if korea {
            let stalled = o.stalled.and(o.hazard);
            vehicle_denm(&mut o.ob, v.index, o.motion, stalled, fix, t, m);
            let at_front = Fix { pos: front, ..fix };
            let bsm = Bsm {
                core: cam_of(v, &start, at_front, t, false),
                count: o.ob.bsm.count,
                events: 0,
                event: None,
            };
            let core = bsm.core.clone();
            if let Some(tx) = bsm_due(env, &mut o.ob, bsm, from, (clock.dt, cc_tick), m) {
                env.outbox.push(tx);
            }
            if m.pvd
                && spec.0.v2x.control_centre.is_some()
                && let Some(tx) = pvd_due(env, &mut o.ob, core, from, (clock.t_us(), clock.dt))
            {
                env.outbox.push(tx);
            }
            continue;
        }
        if m.cam
            && let Some(send) =
                o.ob.cam
                    .check_detail(t, (pos[0], pos[1]), fix.heading, start.v)
        {
            let at_front = Fix { pos: front, ..fix };
            let cam = cam_of(v, &start, at_front, t, send.low_frequency);
            env.outbox.push(Tx {
                from,
                msg: Arc::new(Payload::Cam(cam)),
                via: m.cam_via.clone(),
                area_m: UU_CAM_RADIUS,
                tx_cap_dbm: None,
            });
        }
        if m.denm {
            let stalled = o.stalled.and(o.hazard);
            if let Some(denm) = vehicle_denm(&mut o.ob, v.index, o.motion, stalled, fix, t, m) {
                env.outbox.push(Tx {
                    from,
                    msg: Arc::new(Payload::Denm(denm)),
                    via: m.denm_via.clone(),
                    area_m: m.denm_radius,
                    tx_cap_dbm: None,
                });
            }
        }
    }
}

/// A vehicle's BSM, if its J2945/1 schedule says one is due now (`dt`: the step; `cc_tick`:
/// this step takes the 100 ms congestion measurement first). Its event flags and event come
/// from the vehicle's own hazard event (`vehicle_denm`): disabled with hazard lights while
/// stalled, hard braking while an emergency brake event lasts.
fn bsm_due(
    env: &mut RadioEnv,
    ob: &mut OnBoard,
    mut bsm: Bsm,
    from: usize,
    (dt, cc_tick): (f64, bool),
    m: &crate::scenario::spec::MessageSpec,
) -> Option<Tx> {
    let pos = env.stations[from].pos;
    if cc_tick {
        let tech = sidelink_of(&m.cam_via);
        let cbp = env.cbr(tech).at(pos);
        ob.bsm.cc.update(vehicles_within(env, pos, from), cbp);
    }
    if let Some(event) = ob
        .own_denm
        .as_ref()
        .map(|o| o.denm())
        .filter(|d| !d.termination)
    {
        bsm.events = match event.event {
            DenmEvent::EmergencyBraking => event_flags::HARD_BRAKING,
            _ => event_flags::DISABLED_VEHICLE | event_flags::HAZARD_LIGHTS,
        };
        bsm.event = Some(event.clone());
    }
    if !m.cam || !ob.bsm.due(bsm.core.gen_time_s, dt, bsm.events) {
        return None;
    }
    Some(Tx {
        from,
        msg: Arc::new(Payload::Bsm(bsm)),
        via: m.cam_via.clone(),
        area_m: UU_CAM_RADIUS,
        tx_cap_dbm: Some(ob.bsm.cc.power_dbm),
    })
}

/// Period of Probe Vehicle Data reports, µs: 1 Hz, the Sangam client's rate (docs/sangam.md).
pub const PVD_PERIOD_US: u64 = 1_000_000;

/// A vehicle's Probe Vehicle Data report to the control centre over Uu, if it has a 5G radio
/// and its second has come round (spread over the second by vehicle, as RSUs' cycles are).
fn pvd_due(
    env: &RadioEnv,
    ob: &mut OnBoard,
    core: Cam,
    from: usize,
    (now_us, dt): (u64, f64),
) -> Option<Tx> {
    if env.stations[from].radios & bit(Tech::Uu) == 0 {
        return None;
    }
    let phase = crate::clock::us_from_s_floor(super::nodes::spread_phase_s(core.station_id, 1.0));
    if !cycle_due(now_us, us_from_s(dt), phase, PVD_PERIOD_US) {
        return None;
    }
    ob.pvd_segment = (ob.pvd_segment + 1) % 32_768;
    let pvd = Pvd {
        core,
        segment: ob.pvd_segment,
    };
    Some(Tx {
        from,
        msg: Arc::new(Payload::Pvd(pvd)),
        via: vec![Tech::Uu],
        area_m: 0.0,
        tx_cap_dbm: None,
    })
}

/// The sidelink whose channel a vehicle measures for congestion control: the first it sends
/// BSMs on (PC5 when it sends on neither).
fn sidelink_of(via: &[Tech]) -> Tech {
    via.iter()
        .copied()
        .find(|t| matches!(t, Tech::Wave | Tech::Pc5))
        .unwrap_or(Tech::Pc5)
}

/// Other vehicles within SAE J2945/1's density range of station `me` (those on the air this
/// step stand for those heard).
fn vehicles_within(env: &RadioEnv, pos: [f64; 2], me: usize) -> usize {
    let mut near = Vec::new();
    if let Some(grid) = &env.grid {
        grid.query((pos[0], pos[1]), j2945::DENSITY_RANGE_M, &mut near);
    }
    near.iter()
        .filter(|&&k| k as usize != me && !env.stations[k as usize].is_rsu)
        .count()
}

/// The CAM of a vehicle moving as `k`, at `fix` and time `t`.
fn cam_of(v: &Vehicle, k: &Kinematics, fix: Fix, t: f64, low_frequency: bool) -> Cam {
    Cam {
        station_id: v.index,
        gen_time_s: t,
        pos: (fix.pos[0], fix.pos[1]),
        speed: k.v,
        heading_rad: fix.heading,
        accel: k.acc,
        length_m: v.body.length,
        width_m: v.body.width,
        low_frequency,
    }
}

/// A vehicle's own DENM due now, if any. A stalled vehicle (with its hazard) warns of itself
/// for as long as it stands there, one event updated before each validity ends; a hard brake
/// raises an EEBL event, updated by a new brake while it is valid and left to expire after.
fn vehicle_denm(
    ob: &mut OnBoard,
    station_id: u32,
    motion: &Motion,
    stalled: Option<&Hazard>,
    fix: Fix,
    t: f64,
    m: &crate::scenario::spec::MessageSpec,
) -> Option<Denm> {
    let pos = (fix.pos[0], fix.pos[1]);
    let braking = super::reactions::eebl_trigger(motion.acc);
    let new_brake = braking && !ob.braking;
    ob.braking = braking;
    match (&mut ob.own_denm, stalled) {
        (None, Some(h)) => {
            let id = ob.sequence.next(station_id);
            let timing = DenmTiming::of(m);
            let o = DenmOriginator::trigger(id, DenmEvent::StalledVehicle, pos, t, timing);
            ob.own_denm = Some(o.about_hazard(h.id));
        }
        (None, None) if new_brake => {
            let id = ob.sequence.next(station_id);
            let timing = DenmTiming::eebl(m);
            let o = DenmOriginator::trigger(id, DenmEvent::EmergencyBraking, pos, t, timing);
            ob.own_denm = Some(o.with_motion(motion.v, fix.heading));
        }
        (Some(o), _) if new_brake && o.denm().event == DenmEvent::EmergencyBraking => {
            o.update(t, pos);
        }
        _ => {}
    }
    let orig = ob.own_denm.as_mut()?;
    let lasting = stalled.is_some() && orig.denm().event == DenmEvent::StalledVehicle;
    let denm = orig.poll(t, lasting);
    if orig.expired(t) {
        ob.own_denm = None;
    }
    denm
}

/// The resources the RSU system reads, and the outbox it writes.
#[derive(SystemParam)]
pub struct RsuCtx<'w, 's> {
    clock: Res<'w, SimClock>,
    spec: Res<'w, SpecRes>,
    net: Res<'w, RoadNetwork>,
    env: ResMut<'w, RadioEnv>,
    closed: Res<'w, crate::traffic::ClosedLanes>,
    /// This step's predicted red-light violators (what a camera's tracker would flag).
    violators: Res<'w, crate::traffic::conflict::Violators>,
    rapier: ReadRapierContext<'w, 's>,
}

/// The road users an RSU's cameras may see.
#[derive(SystemParam)]
pub struct RoadUsers<'w, 's> {
    vehicles: Query<
        'w,
        's,
        (
            &'static Vehicle,
            &'static Motion,
            &'static Transform,
            Option<&'static Hazard>,
        ),
    >,
    pedestrians: Query<'w, 's, (&'static Pedestrian, &'static Hazard, &'static Transform)>,
}

/// A hazard an RSU knows of: its id, where it is, and what it is.
type Known = (u32, [f64; 2], DenmEvent);

/// RSUs: SPaT and MAP of their junction; CPM and DENM for what their cameras see.
pub fn rsus(mut ctx: RsuCtx, mut rsus: Query<&mut Rsu>, users: RoadUsers) {
    let (clock, net) = (&ctx.clock, &ctx.net);
    let t = clock.t();
    let now_us = clock.t_us();
    let dt_us = us_from_s(clock.dt);
    let m = &ctx.spec.0.v2x.messages;
    let korea = ctx.spec.0.v2x.profile == Profile::Korea;
    // MAP at 1 Hz in Europe (TS 103 301 practice), 10 Hz like SPaT on the Sangam testbed.
    let map_period_us = if korea {
        RSU_CYCLE_US
    } else {
        10 * RSU_CYCLE_US
    };
    let los = ctx.rapier.single().ok();
    let env = &mut *ctx.env;
    let mut list: Vec<_> = rsus.iter_mut().collect();
    list.sort_by_key(|r| r.index);
    let works = road_works(net, env, &list, &ctx.closed);
    for mut rsu in list {
        let Some(from) = rsu_id(&rsu).and_then(|id| station_index(env, id)) else {
            continue;
        };
        let radios: Vec<Tech> = rsu.radios.clone();
        if let Some(j) = rsu.junction
            && let JunctionCtl::Signal(program) = &net.junctions[j as usize].ctl
        {
            if m.spat && cycle_due(now_us, dt_us, rsu.phase_us, RSU_CYCLE_US) {
                let spat = spat_of(net, j, program, t);
                push(env, from, Payload::Spat(spat), &radios);
            }
            if m.map && cycle_due(now_us, dt_us, rsu.phase_us, map_period_us) {
                push(
                    env,
                    from,
                    Payload::Map(super::map::map_data(net, j)),
                    &radios,
                );
            }
        }
        if !cycle_due(now_us, dt_us, rsu.phase_us, RSU_CYCLE_US) {
            continue;
        }
        let mut hazards_seen: Vec<Known> = works
            .iter()
            .filter(|w| w.2 == Some(rsu.index))
            .map(|w| (w.0, w.1, DenmEvent::RoadWorks))
            .collect();
        if rsu.cctv.is_empty() {
            send_denms(env, &mut rsu, from, hazards_seen, &radios, t, (m, korea));
            continue;
        }
        let objects = camera_objects(&rsu, los.as_ref(), net, &users, &mut hazards_seen);
        // J2735-2016 has no perception message (SAE J3224's SDSM is not modelled): on the
        // Korean profile what the cameras see reaches vehicles as Road Side Alerts, and a
        // red-light runner as an Intersection Collision Avoidance message each cycle.
        if m.cpm && korea {
            for ica in collisions(net, &ctx.violators, &objects, t) {
                push(env, from, Payload::Ica(ica), &radios);
            }
        }
        if m.cpm
            && !korea
            && let Some(included) = rsu.cpm.check(t, &objects)
        {
            let cpm = Cpm {
                station_id: env.stations[from].id,
                gen_time_s: t,
                sender_pos: (rsu.pos[0], rsu.pos[1]),
                objects: included,
            };
            push(env, from, Payload::Cpm(cpm), &radios);
        }
        send_denms(env, &mut rsu, from, hazards_seen, &radios, t, (m, korea));
    }
}

/// The red-light runners among the vehicles an RSU's cameras see, as Intersection Collision
/// Avoidance messages about the junction each is heading for.
fn collisions(
    net: &RoadNetwork,
    violators: &crate::traffic::conflict::Violators,
    objects: &[PerceivedObject],
    t: f64,
) -> Vec<Ica> {
    objects
        .iter()
        .filter_map(|o| {
            let crate::ids::ObjectId::Vehicle(index) = crate::ids::ObjectId::from_wire(o.object_id)
            else {
                return None;
            };
            let v = violators.get(index)?;
            let node = &net.nodes[v.node as usize];
            let junction = &net.junctions[node.junction? as usize];
            let approach = node.incoming.iter().position(|&l| l == v.link)?;
            Some(Ica {
                vehicle: o.clone(),
                intersection_id: junction.id.clone(),
                approach: (approach + 1).min(15) as u8,
                gen_time_s: t,
            })
        })
        .collect()
}

/// Queue a local broadcast from station `from` on `radios`.
fn push(env: &mut RadioEnv, from: usize, msg: Payload, radios: &[Tech]) {
    env.outbox.push(Tx {
        from,
        msg: Arc::new(msg),
        via: radios.to_vec(),
        area_m: 0.0,
        tx_cap_dbm: None,
    });
}

/// Road works: every closed lane is announced by the nearest working RSU within
/// [`ROADWORKS_RSU_RANGE`] (the operator's control centre knows where it closed a lane), as
/// (hazard id, position, announcing RSU).
fn road_works(
    net: &RoadNetwork,
    env: &RadioEnv,
    list: &[Mut<Rsu>],
    closed: &crate::traffic::ClosedLanes,
) -> Vec<(u32, [f64; 2], Option<u32>)> {
    closed
        .0
        .iter()
        .filter_map(|&(link, lane)| {
            let id = crate::ids::ObjectId::Roadworks { link, lane }.wire()?;
            let s = net.links[link as usize].length - crate::traffic::events::CLOSURE_BEFORE_END_M;
            let (p, _) = net.pose(link, lane, s, None);
            let nearest = list
                .iter()
                .filter(|r| rsu_id(r).and_then(|id| station_index(env, id)).is_some())
                .map(|r| ((r.pos[0] - p[0]).hypot(r.pos[1] - p[1]), r.index))
                .filter(|(d, _)| *d <= ROADWORKS_RSU_RANGE)
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                .map(|(_, i)| i);
            Some((id, p, nearest))
        })
        .collect()
}

/// The SPaT of junction `j` run by `program` at time `t`.
fn spat_of(net: &RoadNetwork, j: u32, program: &crate::road::signals::Program, t: f64) -> Spat {
    let states: Vec<ApproachState> = program
        .timelines
        .iter()
        .map(|(link, _)| {
            let s = program.state(*link, t);
            ApproachState {
                link: net.links[*link as usize].id.clone(),
                colour: match s.colour {
                    Colour::Green => SpatColour::Green,
                    Colour::Amber => SpatColour::Amber,
                    Colour::Red => SpatColour::Red,
                },
                remaining_s: s.remaining.min(3600.0),
            }
        })
        .collect();
    build_spat(&net.junctions[j as usize].id, t, &states)
}

/// What an RSU's cameras see: road users in a camera's cone with a clear line past buildings
/// (poles are high enough to look over vehicles), sorted by object id. Stalled vehicles and
/// pedestrians on the carriageway are added to `hazards_seen`.
fn camera_objects(
    rsu: &Rsu,
    los: Option<&RapierContext>,
    net: &RoadNetwork,
    users: &RoadUsers,
    hazards_seen: &mut Vec<Known>,
) -> Vec<PerceivedObject> {
    let eye = Vec3::new(rsu.pos[0] as f32, rsu.height as f32, -rsu.pos[1] as f32);
    let sees = |p: [f64; 2]| {
        rsu.cctv.iter().any(|c| {
            in_view(
                (rsu.pos[0], rsu.pos[1]),
                c.heading_deg,
                c.fov_deg,
                c.range,
                (p[0], p[1]),
            )
        }) && los.is_none_or(|ctx| {
            clear(
                ctx,
                eye,
                Vec3::new(p[0] as f32, CAMERA_TARGET_HEIGHT_M, -p[1] as f32),
                BUILDINGS,
                &[],
            )
        })
    };
    let mut objects = Vec::new();
    seen_vehicles(rsu, &sees, &users.vehicles, hazards_seen, &mut objects);
    seen_pedestrians(net, &sees, &users.pedestrians, hazards_seen, &mut objects);
    objects.sort_by_key(|o| o.object_id);
    objects
}

/// Vehicles that an RSU's cameras see; stalled ones are hazards. Those beyond the longest
/// camera range are skipped before the view and line-of-sight tests.
fn seen_vehicles(
    rsu: &Rsu,
    sees: &impl Fn([f64; 2]) -> bool,
    vehicles: &Query<(&Vehicle, &Motion, &Transform, Option<&Hazard>)>,
    hazards_seen: &mut Vec<Known>,
    objects: &mut Vec<PerceivedObject>,
) {
    let reach = rsu.cctv.iter().map(|c| c.range).fold(0.0, f64::max);
    for (v, motion, tf, hazard) in vehicles {
        let p = map_pos(tf);
        if (p[0] - rsu.pos[0]).hypot(p[1] - rsu.pos[1]) > reach || !sees(p) {
            continue;
        }
        let vehicle = crate::ids::ObjectId::Vehicle(v.index).wire();
        let Some(id) = hazard.map_or(vehicle, |h| Some(h.id)) else {
            continue;
        };
        if hazard.is_some() {
            hazards_seen.push((id, p, DenmEvent::StalledVehicle));
        }
        objects.push(PerceivedObject {
            object_id: id,
            kind: ObjectKind::Vehicle,
            pos: (p[0], p[1]),
            speed: motion.v,
            heading_rad: 0.0,
        });
    }
}

/// Pedestrians an RSU's cameras see; those on the carriageway are a collision risk.
fn seen_pedestrians(
    net: &RoadNetwork,
    sees: &impl Fn([f64; 2]) -> bool,
    pedestrians: &Query<(&Pedestrian, &Hazard, &Transform)>,
    hazards_seen: &mut Vec<Known>,
    objects: &mut Vec<PerceivedObject>,
) {
    for (p, h, tf) in pedestrians {
        let pos = map_pos(tf);
        if !sees(pos) {
            continue;
        }
        let lanes = net.links[p.link as usize].width();
        if p.lateral.abs() <= lanes {
            hazards_seen.push((h.id, pos, DenmEvent::CollisionRisk));
        }
        objects.push(PerceivedObject {
            object_id: h.id,
            kind: ObjectKind::Pedestrian,
            pos: (pos[0], pos[1]),
            speed: p.speed,
            heading_rad: 0.0,
        });
    }
}

/// Height on a road user a camera must see to detect it, m (assumed: about a car's mid-height
/// and a pedestrian's hip).
pub const CAMERA_TARGET_HEIGHT_M: f32 = 1.0;

/// A hazard an RSU's cameras have not seen for this long is over, s (assumed: 20 camera
/// cycles of 100 ms, long enough to ride out an occlusion by a passing vehicle).
pub const HAZARD_LOST_S: f64 = 2.0;

/// Radius within which an RSU announces road works, m (assumed: about its radio range).
pub const ROADWORKS_RSU_RANGE: f64 = 500.0;

/// How often the Sangam testbed's roadside units repeat a Road Side Alert (2 Hz) and a
/// Traveler Information Message (1 Hz), s: the rates the 2021 challenge's V2X client received
/// (docs/sangam.md).
pub const RSA_INTERVAL_S: f64 = 0.5;
pub const TIM_INTERVAL_S: f64 = 1.0;

/// The message an RSU's notice of `event` goes as: a DENM on the ETSI profile; on the Korean
/// one a TIM for road works, an RSA for every other hazard.
fn notice_type(korea: bool, event: DenmEvent) -> crate::scenario::spec::MsgType {
    use crate::scenario::spec::MsgType;
    match (korea, event) {
        (false, _) => MsgType::Denm,
        (true, DenmEvent::RoadWorks) => MsgType::Tim,
        (true, _) => MsgType::Rsa,
    }
}

/// The repetition of an RSU's notice: the scenario's DENM timing, at the testbed's RSA or TIM
/// rate on the Korean profile.
fn timing(m: &crate::scenario::spec::MessageSpec, event: DenmEvent, korea: bool) -> DenmTiming {
    use crate::scenario::spec::MsgType;
    let etsi = DenmTiming::of(m);
    let interval_s = match notice_type(korea, event) {
        MsgType::Tim => TIM_INTERVAL_S,
        MsgType::Rsa => RSA_INTERVAL_S,
        _ => return etsi,
    };
    DenmTiming { interval_s, ..etsi }
}

/// An RSU's DENMs: trigger an event for every hazard it newly knows of, keep those it still
/// sees alive (updated before their validity ends), and terminate those not seen for
/// [`HAZARD_LOST_S`]; an originator is dropped once its termination has been repeated.
fn send_denms(
    env: &mut RadioEnv,
    rsu: &mut Rsu,
    from: usize,
    hazards_seen: Vec<Known>,
    radios: &[Tech],
    t: f64,
    (m, korea): (&crate::scenario::spec::MessageSpec, bool),
) {
    if !m.denm {
        return;
    }
    let station = env.stations[from].id;
    for (id, p, event) in hazards_seen {
        let live = |(h, o, _): &&mut (u32, DenmOriginator, f64)| *h == id && !o.denm().termination;
        match rsu.denms.iter_mut().find(live) {
            Some(entry) => entry.2 = t,
            None => {
                let aid = rsu.sequence.next(station);
                let o =
                    DenmOriginator::trigger(aid, event, (p[0], p[1]), t, timing(m, event, korea));
                rsu.denms.push((id, o.about_hazard(id), t));
            }
        }
    }
    let mut via = radios.to_vec();
    if m.denm_via.contains(&Tech::Uu) {
        via.push(Tech::Uu);
    }
    let mut out = Vec::new();
    rsu.denms.retain_mut(|(_, o, seen)| {
        let present = t - *seen < HAZARD_LOST_S;
        if !present {
            o.terminate(t);
        }
        out.extend(o.poll(t, present));
        !o.expired(t)
    });
    for d in out {
        env.outbox.push(Tx {
            from,
            msg: Arc::new(match notice_type(korea, d.event) {
                crate::scenario::spec::MsgType::Tim => Payload::Tim(d),
                crate::scenario::spec::MsgType::Rsa => Payload::Rsa(d),
                _ => Payload::Denm(d),
            }),
            via: via.clone(),
            area_m: m.denm_radius,
            tx_cap_dbm: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::spec::MessageSpec;

    /// When an RSU's notice about `event` goes out over 3 s, polled every 10 ms.
    fn rsu_sends(event: DenmEvent, korea: bool) -> Vec<f64> {
        let m = MessageSpec::default();
        let id = ActionId {
            station_id: 7,
            sequence: 1,
        };
        let mut o = DenmOriginator::trigger(id, event, (0.0, 0.0), 0.0, timing(&m, event, korea));
        (0..300)
            .map(|k| k as f64 * 0.01)
            .filter(|&t| o.poll(t, true).is_some())
            .collect()
    }

    #[test]
    fn the_korean_profile_repeats_alerts_at_2_hz_and_road_works_at_1_hz() {
        let at = |sends: Vec<f64>| {
            sends
                .iter()
                .map(|t| (t * 100.0).round() as u32)
                .collect::<Vec<_>>()
        };
        let rsa = at(rsu_sends(DenmEvent::StalledVehicle, true));
        assert_eq!(rsa, [0, 50, 100, 150, 200, 250]);
        let tim = at(rsu_sends(DenmEvent::RoadWorks, true));
        assert_eq!(tim, [0, 100, 200]);
        let denm = rsu_sends(DenmEvent::RoadWorks, false);
        let every = MessageSpec::default().denm_repeat;
        assert_eq!(
            denm.len(),
            (3.0 / every).round() as usize,
            "ETSI keeps the scenario's rate"
        );
    }

    fn motion(acc: f64) -> Motion {
        Motion {
            link: 0,
            prev: None,
            lane: 0,
            s: 0.0,
            v: 10.0,
            acc,
            shift: None,
        }
    }

    /// The vehicle's DENM log, every 10 ms for `n` steps: (step, DENM).
    fn vehicle_log(
        ob: &mut OnBoard,
        m: &MessageSpec,
        n: usize,
        state: impl Fn(usize) -> (f64, bool),
    ) -> Vec<(usize, Denm)> {
        let fix = Fix {
            pos: [0.0, 0.0],
            heading: 0.0,
        };
        let hazard = Hazard { id: 42 };
        (0..n)
            .filter_map(|k| {
                let (acc, stalled) = state(k);
                let h = stalled.then_some(&hazard);
                let t = k as f64 * 0.01;
                vehicle_denm(ob, 9, &motion(acc), h, fix, t, m).map(|d| (k, d))
            })
            .collect()
    }

    fn on_board() -> OnBoard {
        OnBoard::new(super::super::cam::CamGenerator::with_phase(
            super::super::cam::CamConfig::default(),
            0.0,
        ))
    }

    /// A vehicle stalled for 20 s with a 1 s validity: one ActionID, one DENM every 100 ms
    /// without a gap or a doubled slot, updated (new reference time) before each expiry.
    #[test]
    fn a_stalled_vehicle_keeps_one_event_on_an_unbroken_grid() {
        let m = MessageSpec {
            denm_validity: 1.0,
            ..MessageSpec::default()
        };
        let log = vehicle_log(&mut on_board(), &m, 2000, |_| (0.0, true));
        assert_eq!(log.len(), 200);
        assert!(log.windows(2).all(|w| w[1].0 - w[0].0 == 10));
        let first = log[0].1.action_id;
        assert!(log.iter().all(|(_, d)| d.action_id == first));
        assert!(log.iter().all(|(_, d)| d.hazard == Some(42)));
        let updates = log
            .windows(2)
            .filter(|w| w[1].1.reference_time_s > w[0].1.reference_time_s)
            .count();
        assert_eq!(updates, 22, "every 0.9 s over 20 s");
    }

    /// Two separate hard brakes are two events with consecutive sequence numbers; each EEBL
    /// DENM ends with its own validity (2 s by default), never re-created.
    #[test]
    fn each_hard_brake_is_a_new_event_that_expires() {
        let m = MessageSpec::default();
        let brake = |k: usize| {
            let acc = if (100..150).contains(&k) || (600..650).contains(&k) {
                -6.0
            } else {
                0.0
            };
            (acc, false)
        };
        let log = vehicle_log(&mut on_board(), &m, 1200, brake);
        let ids: Vec<u32> = log.iter().map(|(_, d)| d.action_id.sequence).collect();
        assert_eq!(log.len(), 40, "{ids:?}");
        assert!(ids[..20].iter().all(|&s| s == 0) && ids[20..].iter().all(|&s| s == 1));
        assert_eq!(
            (log[0].0, log[19].0, log[20].0, log[39].0),
            (100, 290, 600, 790)
        );
        assert!(
            log.iter()
                .all(|(_, d)| d.event == DenmEvent::EmergencyBraking)
        );
    }
}

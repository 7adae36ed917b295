//! What each station sends this step: vehicles' CAM (EN 302 637-2 triggers) and DENM (stalled,
//! emergency braking), RSUs' SPaT (10 Hz), MAP (1 Hz), and CPM and DENM from their cameras.
use std::sync::Arc;

use bevy::prelude::*;
use bevy_rapier3d::prelude::ReadRapierContext;

use super::cpm::in_view;
use super::denm::DenmOriginator;
use super::env::{RadioEnv, Station, Tx, bit};
use super::faults::FaultState;
use super::messages::*;
use super::nodes::{
    Gnb, OnBoard, RSU_CYCLE_US, RSU_STATION_BASE, Rsu, cycle_due, rsrp_dbm, select_cell,
};
use super::spat::{ApproachState, Colour as SpatColour, build_spat};
use super::transmit::UU_CAM_RADIUS;
use crate::SpecRes;
use crate::clock::SimClock;
use crate::physics::BUILDINGS;
use crate::physics::los::clear;
use crate::radio::grid::SpatialGrid;
use crate::radio::stats::std_normal;
use crate::rng::Rngs;
use crate::road::RoadNetwork;
use crate::road::network::JunctionCtl;
use crate::scenario::spec::Tech;
use crate::traffic::Obu;
use crate::traffic::components::*;
use crate::traffic::signals::Colour;

/// Cell of the neighbour grid, m.
const GRID_CELL: f64 = 100.0;
fn map_pos(tf: &Transform) -> [f64; 2] {
    [f64::from(tf.translation.x), -f64::from(tf.translation.z)]
}

/// Who is on the air this step, and the neighbour grid over them.
#[allow(clippy::type_complexity)]
pub fn gather(
    clock: Res<SimClock>,
    spec: Res<SpecRes>,
    faults: Res<FaultState>,
    mut env: ResMut<RadioEnv>,
    mut vehicles: Query<(Entity, &Vehicle, &Obu, &mut OnBoard, &Transform)>,
    rsus: Query<(Entity, &Rsu)>,
    gnbs: Query<&Gnb>,
) {
    let t = clock.t();
    let env = &mut *env;
    let mut gnb_list: Vec<&Gnb> = gnbs.iter().collect();
    gnb_list.sort_by_key(|g| g.index);
    env.gnb_up = gnb_list
        .iter()
        .map(|g| !faults.gnb_down.contains(&g.id) && !faults.backhaul_cut.contains(&g.id))
        .collect();
    let uu = &spec.0.v2x.links.uu;
    let reselect = clock.every(0.1);
    let mut st: Vec<(Station, String)> = Vec::new();
    for (e, v, obu, mut ob, tf) in &mut vehicles {
        let pos = map_pos(tf);
        let radios = obu.radios.iter().fold(0u8, |b, t| b | bit(*t));
        if radios & bit(Tech::Uu) != 0 && reselect {
            let cells = gnb_list
                .iter()
                .filter(|g| env.gnb_up[g.index as usize])
                .map(|g| (g.index, rsrp_dbm(g, pos)));
            let new = select_cell(
                ob.serving.filter(|s| env.gnb_up[*s as usize]),
                cells,
                uu.min_rsrp_dbm,
                3.0,
            );
            if ob.serving.is_some() && new.is_some() && new != ob.serving {
                ob.handover_until = t + uu.handover_ms / 1000.0;
            }
            ob.serving = new;
        }
        let serving = ob
            .serving
            .filter(|s| env.gnb_up[*s as usize] && t >= ob.handover_until);
        st.push((
            Station {
                entity: e,
                id: v.index,
                pos,
                height: 1.5,
                radios,
                acts: v.automated,
                serving,
                is_rsu: false,
                backhaul: false,
            },
            v.id.clone(),
        ));
    }
    for (e, r) in &rsus {
        if faults.rsu_down.contains(&r.id) {
            continue;
        }
        let radios = r.radios.iter().fold(0u8, |b, t| b | bit(*t));
        st.push((
            Station {
                entity: e,
                id: RSU_STATION_BASE + r.index,
                pos: r.pos,
                height: r.height,
                radios,
                acts: false,
                serving: None,
                is_rsu: true,
                backhaul: !faults.backhaul_cut.contains(&r.id),
            },
            r.id.clone(),
        ));
    }
    st.sort_by_key(|(s, _)| s.id);
    env.stations = st.iter().map(|(s, _)| *s).collect();
    env.names = st.into_iter().map(|(_, n)| Arc::from(n)).collect();
    env.grid = Some(SpatialGrid::build(
        GRID_CELL,
        env.stations
            .iter()
            .enumerate()
            .map(|(i, s)| (i as u32, (s.pos[0], s.pos[1]))),
    ));
}

fn station_index(env: &RadioEnv, id: u32) -> Option<usize> {
    env.stations.binary_search_by_key(&id, |s| s.id).ok()
}

/// Vehicles: CAM on the configured technologies, DENM when stalled or braking hard.
#[allow(clippy::type_complexity)]
pub fn vehicles(
    clock: Res<SimClock>,
    spec: Res<SpecRes>,
    faults: Res<FaultState>,
    mut env: ResMut<RadioEnv>,
    mut rngs: ResMut<Rngs>,
    mut q: Query<(
        &Vehicle,
        &Motion,
        &mut OnBoard,
        &Transform,
        Option<&Stalled>,
        Option<&Hazard>,
    )>,
) {
    let t = clock.t();
    let m = &spec.0.v2x.messages;
    let env = &mut *env;
    let mut sorted: Vec<_> = q.iter_mut().collect();
    sorted.sort_by_key(|x| x.0.index);
    for (v, motion, mut ob, tf, stalled, hazard) in sorted {
        let Some(from) = station_index(env, v.index) else {
            continue;
        };
        let mut pos = map_pos(tf);
        if let Some((_, sigma)) = faults
            .gnss
            .iter()
            .find(|(id, _)| id.is_empty() || *id == v.id)
        {
            pos[0] += sigma * std_normal(&mut rngs.gnss);
            pos[1] += sigma * std_normal(&mut rngs.gnss);
        }
        let fwd = tf.rotation * Vec3::X;
        let heading = f64::from((-fwd.z).atan2(fwd.x));
        if m.cam
            && let Some(send) = ob.cam.check_detail(t, (pos[0], pos[1]), heading, motion.v)
        {
            let cam = Cam {
                station_id: v.index,
                gen_time_s: t,
                pos: (pos[0], pos[1]),
                speed: motion.v,
                heading_rad: heading,
                accel: motion.acc,
                length_m: v.body.length,
                width_m: v.body.width,
                low_frequency: send.low_frequency,
            };
            env.outbox.push(Tx {
                from,
                msg: Arc::new(Payload::Cam(cam)),
                via: m.cam_via.clone(),
                area_m: UU_CAM_RADIUS,
            });
        }
        if m.denm {
            // A stalled vehicle warns of itself; a hard brake raises an EEBL DENM once per event.
            if let (Some(_), Some(h), None) = (stalled, hazard, ob.own_denm.as_ref()) {
                let id = ActionId {
                    station_id: v.index,
                    sequence: h.id,
                };
                ob.own_denm = Some(DenmOriginator::from_spec(
                    id,
                    DenmEvent::StalledVehicle,
                    (pos[0], pos[1]),
                    t,
                    m,
                ));
            }
            let braking = super::reactions::eebl_trigger(motion.acc);
            if braking && !ob.braking && ob.own_denm.is_none() {
                let id = ActionId {
                    station_id: v.index,
                    sequence: u32::MAX,
                };
                ob.own_denm = Some(
                    DenmOriginator::trigger(
                        id,
                        DenmEvent::EmergencyBraking,
                        (pos[0], pos[1]),
                        t,
                        m.denm_repeat,
                        2.0,
                        m.denm_radius.min(300.0),
                    )
                    .with_motion(motion.v, heading),
                );
            }
            ob.braking = braking;
            if let Some(orig) = ob.own_denm.as_mut() {
                if let Some(denm) = orig.poll(t) {
                    env.outbox.push(Tx {
                        from,
                        msg: Arc::new(Payload::Denm(denm)),
                        via: m.denm_via.clone(),
                        area_m: m.denm_radius,
                    });
                } else if orig.expired(t) {
                    ob.own_denm = None;
                }
            }
        }
    }
}

/// RSUs: SPaT and MAP of their junction; CPM and DENM for what their cameras see.
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
pub fn rsus(
    clock: Res<SimClock>,
    spec: Res<SpecRes>,
    net: Res<RoadNetwork>,
    mut env: ResMut<RadioEnv>,
    mut rsus: Query<&mut Rsu>,
    vehicles: Query<(&Vehicle, &Motion, &Transform, Option<&Hazard>)>,
    pedestrians: Query<(&Pedestrian, &Hazard, &Transform)>,
    closed: Res<crate::traffic::ClosedLanes>,
    rapier: ReadRapierContext,
) {
    let t = clock.t();
    let now_us = clock.t_us();
    let dt_us = (clock.dt * 1e6).round() as u64;
    let m = &spec.0.v2x.messages;
    let env = &mut *env;
    let ctx = rapier.single().ok();
    let mut list: Vec<_> = rsus.iter_mut().collect();
    list.sort_by_key(|r| r.index);
    // Road works: every closed lane is announced by the nearest working RSU within
    // `ROADWORKS_RSU_RANGE` (the operator's control centre knows where it closed a lane).
    let works: Vec<(u32, [f64; 2], Option<u32>)> = closed
        .0
        .iter()
        .filter_map(|&(link, lane)| {
            let id = crate::ids::ObjectId::Roadworks { link, lane }.wire()?;
            let s = net.links[link as usize].length - crate::traffic::events::CLOSURE_BEFORE_END_M;
            let (p, _) = net.pose(link, lane, s, None);
            let nearest = list
                .iter()
                .filter(|r| station_index(env, RSU_STATION_BASE + r.index).is_some())
                .map(|r| ((r.pos[0] - p[0]).hypot(r.pos[1] - p[1]), r.index))
                .filter(|(d, _)| *d <= ROADWORKS_RSU_RANGE)
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                .map(|(_, i)| i);
            Some((id, p, nearest))
        })
        .collect();
    for mut rsu in list {
        let Some(from) = station_index(env, RSU_STATION_BASE + rsu.index) else {
            continue;
        };
        let radios: Vec<Tech> = rsu.radios.clone();
        if let Some(j) = rsu.junction {
            let jd = &net.junctions[j as usize];
            if let JunctionCtl::Signal(program) = &jd.ctl {
                if m.spat && cycle_due(now_us, dt_us, rsu.phase_us, RSU_CYCLE_US) {
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
                    let spat = build_spat(&jd.id, t, &states);
                    env.outbox.push(Tx {
                        from,
                        msg: Arc::new(Payload::Spat(spat)),
                        via: radios.clone(),
                        area_m: 0.0,
                    });
                }
                if m.map && cycle_due(now_us, dt_us, rsu.phase_us, 10 * RSU_CYCLE_US) {
                    let map = super::map::map_data(&net, j);
                    env.outbox.push(Tx {
                        from,
                        msg: Arc::new(Payload::Map(map)),
                        via: radios.clone(),
                        area_m: 0.0,
                    });
                }
            }
        }
        if !cycle_due(now_us, dt_us, rsu.phase_us, RSU_CYCLE_US) {
            continue;
        }
        let mut hazards_seen: Vec<(u32, [f64; 2], DenmEvent)> = works
            .iter()
            .filter(|w| w.2 == Some(rsu.index))
            .map(|w| (w.0, w.1, DenmEvent::RoadWorks))
            .collect();
        if rsu.cctv.is_empty() {
            send_denms(env, &mut rsu, from, hazards_seen, &radios, t, m);
            continue;
        }
        // What the cameras see: road users in a camera's cone with a clear line past buildings
        // (poles are high enough to look over vehicles).
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
            }) && ctx.as_ref().is_none_or(|ctx| {
                clear(
                    ctx,
                    eye,
                    Vec3::new(p[0] as f32, 1.0, -p[1] as f32),
                    BUILDINGS,
                    &[],
                )
            })
        };
        let mut objects = Vec::new();
        for (v, motion, tf, hazard) in &vehicles {
            let p = map_pos(tf);
            if (p[0] - rsu.pos[0]).hypot(p[1] - rsu.pos[1]) > 150.0 || !sees(p) {
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
        for (p, h, tf) in &pedestrians {
            let pos = map_pos(tf);
            if !sees(pos) {
                continue;
            }
            let lanes = f64::from(net.links[p.link as usize].lanes) * crate::road::LANE_WIDTH;
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
        objects.sort_by_key(|o| o.object_id);
        if m.cpm
            && let Some(included) = rsu.cpm.check(t, &objects)
        {
            let cpm = Cpm {
                station_id: RSU_STATION_BASE + rsu.index,
                gen_time_s: t,
                sender_pos: (rsu.pos[0], rsu.pos[1]),
                objects: included,
            };
            env.outbox.push(Tx {
                from,
                msg: Arc::new(Payload::Cpm(cpm)),
                via: radios.clone(),
                area_m: 0.0,
            });
        }
        send_denms(env, &mut rsu, from, hazards_seen, &radios, t, m);
    }
}

/// Radius within which an RSU announces road works, m (assumed: about its radio range).
pub const ROADWORKS_RSU_RANGE: f64 = 500.0;

/// An RSU's DENMs: start one for every hazard it knows of now, repeat them, and stop those not
/// seen for 2 s.
fn send_denms(
    env: &mut RadioEnv,
    rsu: &mut Rsu,
    from: usize,
    hazards_seen: Vec<(u32, [f64; 2], DenmEvent)>,
    radios: &[Tech],
    t: f64,
    m: &crate::scenario::spec::MessageSpec,
) {
    if !m.denm {
        return;
    }
    for (id, p, event) in hazards_seen {
        match rsu.denms.iter_mut().find(|(h, _, _)| *h == id) {
            Some(entry) => entry.2 = t,
            None => {
                let aid = ActionId {
                    station_id: RSU_STATION_BASE + rsu.index,
                    sequence: id,
                };
                let o = DenmOriginator::from_spec(aid, event, (p[0], p[1]), t, m);
                rsu.denms.push((id, o, t));
            }
        }
    }
    let mut via = radios.to_vec();
    if m.denm_via.contains(&Tech::Uu) {
        via.push(Tech::Uu);
    }
    let mut out = Vec::new();
    rsu.denms.retain_mut(|(_, o, seen)| {
        if let Some(d) = o.poll(t) {
            out.push(d);
        }
        !o.expired(t) && t - *seen < 2.0
    });
    for d in out {
        env.outbox.push(Tx {
            from,
            msg: Arc::new(Payload::Denm(d)),
            via: via.clone(),
            area_m: m.denm_radius,
        });
    }
}

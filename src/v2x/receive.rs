//! What arrives, and what automated vehicles do with it. Human-driven vehicles ignore V2X;
//! automated ones use what arrived and only that: signal timing for GLOSA, hazards (DENM, CPM)
//! they have not seen yet.
use bevy::ecs::query::QueryData;
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use super::env::RadioEnv;
use super::glosa::{SignalTiming, advisory_speed};
use super::messages::{DenmEvent, Payload, Spat};
use super::nodes::OnBoard;
use super::reactions::{RLVW_HORIZON_S, red_light_warning};
use super::spat::Colour as SpatColour;
use crate::clock::SimClock;
use crate::clock::s_from_us;
use crate::ids::ObjectId;
use crate::metrics::Recorder;
use crate::metrics::report::WarningRecord;
use crate::road::RoadNetwork;
use crate::road::signals::Colour;
use crate::traffic::components::*;
use crate::traffic::conflict::{Violators, approaching};

/// Where each hazard is this step: (hazard id, link, position on the link).
#[derive(Resource, Default, Debug)]
pub struct HazardMap(pub Vec<(u32, u32, f64)>);

pub fn map_hazards(
    mut map: ResMut<HazardMap>,
    net: Res<RoadNetwork>,
    closed: Res<crate::traffic::ClosedLanes>,
    stalled: Query<(&Hazard, &Motion), With<Stalled>>,
    peds: Query<(&Hazard, &Pedestrian)>,
) {
    map.0.clear();
    map.0
        .extend(stalled.iter().map(|(h, m)| (h.id, m.link, m.s)));
    map.0.extend(peds.iter().map(|(h, p)| (h.id, p.link, p.s)));
    map.0.extend(closed.0.iter().filter_map(|&(link, lane)| {
        let s = net.links[link as usize].length - crate::traffic::events::CLOSURE_BEFORE_END_M;
        Some((ObjectId::Roadworks { link, lane }.wire()?, link, s))
    }));
    map.0.sort_by_key(|h| h.0);
}

/// Hazard ids a message tells of, with the name of the message that told.
fn hazards_in(msg: &Payload) -> Vec<(u32, &'static str)> {
    match msg {
        Payload::Denm(_) | Payload::Rsa(_) | Payload::Tim(_) | Payload::Bsm(_) => msg
            .notice()
            .filter(|d| !d.termination)
            .and_then(|d| d.hazard)
            .map(|h| (h, msg.msg_type().name()))
            .into_iter()
            .collect(),
        Payload::Cpm(c) => c
            .objects
            .iter()
            .filter(|o| {
                matches!(
                    ObjectId::from_wire(o.object_id),
                    ObjectId::Pedestrian(_) | ObjectId::Stalled(_)
                )
            })
            .map(|o| (o.object_id, "cpm"))
            .collect(),
        _ => Vec::new(),
    }
}

/// What handing out deliveries reads and writes besides the receivers.
#[derive(SystemParam)]
pub struct Inbox<'w> {
    clock: Res<'w, SimClock>,
    net: Res<'w, RoadNetwork>,
    hazards: Res<'w, HazardMap>,
    violators: Res<'w, Violators>,
    env: ResMut<'w, RadioEnv>,
    rec: ResMut<'w, Recorder>,
}

/// A vehicle that can receive.
#[derive(QueryData)]
#[query_data(mutable)]
pub struct Receiver {
    vehicle: &'static Vehicle,
    motion: &'static Motion,
    route: &'static Route,
    ob: &'static mut OnBoard,
    aware: &'static mut Awareness,
}

/// Hand every due delivery to its receiver; warnings recorded on the way name their hazards.
pub fn deliver(inbox: Inbox, mut q: Query<Receiver>, names: HazardNames) {
    let Inbox {
        clock,
        net,
        hazards,
        violators,
        mut env,
        mut rec,
    } = inbox;
    let warned_before = rec.warnings.len();
    let (now_us, t) = (clock.t_us(), clock.t());
    while let Some((at, d)) = env.queue.pop_next_due(now_us) {
        let Ok(mut r) = q.get_mut(d.to) else {
            continue;
        };
        let t_recv = s_from_us(at);
        match d.msg.as_ref() {
            Payload::Spat(spat) => take_spat(&net, &mut r, spat, t_recv),
            msg => {
                if let Some(denm) = msg.notice() {
                    let update = r.ob.denms.accept(denm, t);
                    if denm.event == DenmEvent::EmergencyBraking {
                        let ob = &mut *r.ob;
                        let eebl = &mut ob.eebl;
                        super::eebl::note(&net, r.motion, r.route, denm, update, t_recv, eebl);
                    }
                }
            }
        }
        for (h, via) in hazards_in(&d.msg) {
            let Ok(hi) = hazards.0.binary_search_by_key(&h, |x| x.0) else {
                continue;
            };
            let (_, link, s) = hazards.0[hi];
            let Some(dist) = r.route.distance_to(&net, r.motion, link, s) else {
                continue;
            };
            warn_once(
                &mut rec,
                &mut r,
                Warning {
                    id: h,
                    via,
                    t_recv,
                    dist,
                },
            );
        }
        let runners: Vec<u32> = match d.msg.as_ref() {
            Payload::Cpm(c) => c.objects.iter().map(|o| o.object_id).collect(),
            Payload::Ica(i) => vec![i.vehicle.object_id],
            _ => Vec::new(),
        };
        if !runners.is_empty() {
            let via = d.msg.msg_type().name();
            warn_red_light_runners(
                &net,
                &violators,
                (&mut rec, &mut r),
                &runners,
                (via, t_recv),
            );
        }
    }
    for w in &mut rec.warnings[warned_before..] {
        w.hazard = names.name(&w.hazard, &net);
    }
}

/// What a hazard is, for people reading the report: `pedestrian ped_1`, `stalled vehicle bus_3`,
/// `road works ab lane 0`, `red-light runner car_7` (from its wire id).
#[derive(SystemParam)]
pub struct HazardNames<'w, 's> {
    spec: Res<'w, crate::sim::SpecRes>,
    vehicles: Query<'w, 's, &'static Vehicle>,
}

impl HazardNames<'_, '_> {
    fn vehicle(&self, index: u32) -> Option<&str> {
        self.vehicles
            .iter()
            .find(|v| v.index == index)
            .map(|v| v.id.as_str())
    }

    /// The name of the hazard whose wire id is `id` (kept as it is when unknown).
    fn name(&self, id: &str, net: &RoadNetwork) -> String {
        let Ok(wire) = id.parse::<u32>() else {
            return id.to_string();
        };
        let named = match ObjectId::from_wire(wire) {
            ObjectId::Pedestrian(i) => self
                .spec
                .0
                .pedestrians
                .get(i as usize)
                .map(|p| format!("pedestrian {}", p.id)),
            ObjectId::Stalled(i) => self.vehicle(i).map(|v| format!("stalled vehicle {v}")),
            ObjectId::Vehicle(i) => self.vehicle(i).map(|v| format!("red-light runner {v}")),
            ObjectId::Roadworks { link, lane } => net
                .links
                .get(link as usize)
                .map(|l| format!("road works {} lane {lane}", l.id)),
        };
        named.unwrap_or_else(|| id.to_string())
    }
}

/// Keep the signal states of my current and next link from a SPaT.
fn take_spat(net: &RoadNetwork, r: &mut ReceiverItem, spat: &Spat, t_recv: f64) {
    for st in &spat.states {
        let Some(link) = net.link(&st.link) else {
            continue;
        };
        if link != r.motion.link && r.route.next() != Some(link) {
            continue;
        }
        let colour = match SpatColour::from_phase_state(st.state) {
            SpatColour::Green => Colour::Green,
            SpatColour::Amber => Colour::Amber,
            SpatColour::Red => Colour::Red,
        };
        r.ob.spat.retain(|(l, ..)| *l != link);
        r.ob.spat.push((link, colour, st.min_end_time_s, t_recv));
    }
}

/// Intersection collision warning: red-light runners among the vehicles a CPM or an ICA names
/// (`objects`, wire ids), heading for the junction I approach on another link.
fn warn_red_light_runners(
    net: &RoadNetwork,
    violators: &Violators,
    (rec, r): (&mut Recorder, &mut ReceiverItem),
    objects: &[u32],
    (via, t_recv): (&'static str, f64),
) {
    let Some((node, to_line)) = approaching(net, r.motion, r.route) else {
        return;
    };
    for &id in objects {
        let ObjectId::Vehicle(index) = ObjectId::from_wire(id) else {
            continue;
        };
        if let Some(v) = violators.get(index)
            && v.node == node
            && v.link != r.motion.link
        {
            let w = Warning {
                id,
                via,
                t_recv,
                dist: to_line,
            };
            warn_once(rec, r, w);
        }
    }
}

/// A V2X warning of a hazard (or of a red-light runner) to one vehicle.
struct Warning {
    id: u32,
    /// The message that told of it.
    via: &'static str,
    t_recv: f64,
    /// Distance to the hazard, or to the stop line of the junction a red-light runner heads for.
    dist: f64,
}

/// Record the first V2X warning of a hazard to this vehicle, with its lead time (distance /
/// speed); the automated driving stack learns of the hazard when the message arrives (its
/// processing delay is the driver's reaction time).
fn warn_once(rec: &mut Recorder, r: &mut ReceiverItem, w: Warning) {
    if let Err(pos) = r.ob.warned.binary_search(&w.id) {
        r.ob.warned.insert(pos, w.id);
        let v = r.motion.v;
        rec.warnings.push(WarningRecord {
            vehicle: r.vehicle.id.clone(),
            hazard: w.id.to_string(),
            kind: w.via.to_string(),
            received_s: crate::metrics::recorder::round(w.t_recv, 6),
            lead_time_s: (v > 0.5).then(|| crate::metrics::recorder::round(w.dist / v, 3)),
        });
    }
    r.aware.learn(w.id, w.t_recv);
}

/// Fresh SPaT is at most this old, s.
const SPAT_FRESH: f64 = 1.0;
/// Green length assumed when only the current phase is known, s (assumed).
const ASSUMED_GREEN: f64 = 20.0;
/// Red (and amber+all-red) length assumed after a green, s (assumed).
const ASSUMED_RED: f64 = 30.0;
/// GLOSA is offered within this distance of the stop line, m.
const GLOSA_RANGE: f64 = 300.0;
/// Closer to the line than this, m, no advice is given: the driver is at the line and the
/// signal itself decides (assumed).
const GLOSA_MIN_DISTANCE: f64 = 5.0;
/// Lowest advisory speed, m/s: GLOSA's v_min (Katsaros et al. 2011 bound the advice below),
/// here about 11 km/h, since slower advice would hold up traffic (assumed).
const GLOSA_V_MIN: f64 = 3.0;

/// GLOSA: automated vehicles adapt their speed to arrive on green; when no speed does, the
/// red-light violation warning makes them stop at the line.
pub fn glosa(
    clock: Res<SimClock>,
    net: Res<RoadNetwork>,
    mut q: Query<(&Vehicle, &Motion, &Driver, &OnBoard, &mut Advice)>,
) {
    let t = clock.t();
    for (v, m, driver, ob, mut advice) in &mut q {
        advice.max_speed = None;
        advice.stop_at = None;
        if !v.automated {
            continue;
        }
        let link = &net.links[m.link as usize];
        let d = link.length - m.s;
        let Some(&(_, colour, end_s, recv)) = ob.spat.iter().find(|(l, ..)| *l == m.link) else {
            continue;
        };
        if t - recv > SPAT_FRESH || !(GLOSA_MIN_DISTANCE..=GLOSA_RANGE).contains(&d) {
            continue;
        }
        let remaining = (end_s - t).max(0.0);
        let timing = match colour {
            Colour::Green => SignalTiming {
                colour: SpatColour::Green,
                remaining_s: remaining,
                next_green_start_s: remaining + ASSUMED_RED,
                next_green_end_s: remaining + ASSUMED_RED + ASSUMED_GREEN,
            },
            Colour::Amber => continue,
            Colour::Red => SignalTiming {
                colour: SpatColour::Red,
                remaining_s: remaining,
                next_green_start_s: remaining,
                next_green_end_s: remaining + ASSUMED_GREEN,
            },
        };
        let v_max = crate::traffic::spawn::effective_v0(driver, link.speed_limit);
        if let Some(adv) = advisory_speed(d, m.v, GLOSA_V_MIN, v_max, &timing) {
            advice.max_speed = Some(adv);
        } else if red_light_warning(d, m.v, &timing, RLVW_HORIZON_S) {
            // Red-light violation warning: no speed reaches the line on green, so prepare to
            // stop at it now rather than when the light is seen changing.
            advice.stop_at = Some(link.length);
        }
    }
}

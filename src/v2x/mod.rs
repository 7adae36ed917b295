//! V2X: messages (CAM, DENM, SPaT, MAP, CPM), the stations that send them (vehicles' on-board
//! units, roadside units with cameras, 5G base stations with edge servers), the links they
//! travel over, and what automated vehicles do with what arrives.
//!
//! The models (`cam`, `denm`, `spat`, `cpm`, `glosa`, `reactions`, `messages`) are pure; the
//! systems (`nodes`, `generate`, `transmit`, `receive`, `faults`) wire them to the world.
//! `transmit` sends over `sidelink` and `uu`, which share `air`; what the air decided goes out
//! as `radio::outcome::AirEvents`, read by metrics, traces and the view with their own systems.
//! Equations, defaults and sources: `docs/v2x-models.md`.
pub mod air;
pub mod cam;
pub mod cpm;
pub mod denm;
pub mod eebl;
pub mod env;
pub mod faults;
pub mod generate;
pub mod glosa;
pub mod j2945;
pub mod los;
pub mod map;
pub mod messages;
pub mod nodes;
pub mod reactions;
pub mod receive;
pub mod sidelink;
pub mod spat;
pub mod transmit;
pub mod uu;

use bevy::prelude::*;

use crate::clock::SimClock;
use crate::sim::SpecRes;
use crate::sim::{CommSystems, DecideStage, EventSystems, ScenarioSystems, SenseStage};
use crate::traffic::Obu;

/// The radio faults among the scenario's timed events that have started so far, in file
/// order; [`faults::update`] turns them into the faults in force now.
#[derive(Resource, Debug, Default, Clone)]
pub struct Faults {
    pub events: Vec<(f64, crate::scenario::spec::Action)>,
}

pub(crate) fn plugin(app: &mut App) {
    app.init_resource::<Faults>()
        .init_resource::<env::RadioEnv>()
        .init_resource::<faults::FaultState>()
        .init_resource::<receive::HazardMap>()
        .init_resource::<crate::radio::outcome::AirEvents>()
        .add_observer(on_board)
        .add_systems(Startup, (nodes::spawn, setup_env))
        .add_systems(
            FixedUpdate,
            (
                collect_faults.in_set(ScenarioSystems).after(EventSystems),
                (receive::map_hazards, receive::deliver)
                    .chain()
                    .in_set(SenseStage::Inbox),
                (receive::glosa, eebl::anticipate)
                    .chain()
                    .in_set(DecideStage::Advice),
                (
                    faults::update,
                    generate::gather,
                    generate::vehicles,
                    generate::rsus,
                    transmit::transmit,
                )
                    .chain()
                    .in_set(CommSystems),
            )
                .run_if(v2x_enabled),
        );
}

/// Take the radio faults that start in this step (the same half-step window as
/// `traffic::events::apply`).
fn collect_faults(clock: Res<SimClock>, spec: Res<SpecRes>, mut faults: ResMut<Faults>) {
    let (t0, t1) = (clock.t() - clock.dt * 0.5, clock.t() + clock.dt * 0.5);
    let starting = spec.0.events.iter().filter(|ev| ev.at >= t0 && ev.at < t1);
    for ev in starting.filter(|ev| !ev.action.changes_traffic()) {
        faults.events.push((ev.at, ev.action.clone()));
    }
}

fn v2x_enabled(spec: Res<SpecRes>) -> bool {
    spec.0.v2x.enabled
}

fn setup_env(
    spec: Res<SpecRes>,
    net: Res<crate::road::RoadNetwork>,
    mut env: ResMut<env::RadioEnv>,
) {
    let (lo, hi) = net.bounds();
    env.cbr_wave = env::CbrCells::new(lo, hi);
    env.cbr_pc5 = env::CbrCells::new(lo, hi);
    env.has_buildings = !spec.0.buildings.is_empty();
    env.los_cache = los::LosCache::over(lo, hi);
    if let Some((lat_deg, lon_deg)) = spec.0.network.geo_origin {
        env.origin = crate::wire::geo::GeoOrigin { lat_deg, lon_deg };
    }
    env.lifetime_us = crate::clock::us_from_s(spec.0.v2x.messages.lifetime_s);
    env.stack = crate::wire::Stack::of(spec.0.v2x.profile);
    env.cells = crate::radio::cell::CellMeter::new(spec.0.v2x.gnbs.len());
    // Interference can come from anywhere on the map (plus the sensing margin around it).
    let extent = (hi[0] - lo[0]).hypot(hi[1] - lo[1]) + 2.0 * env::SENSE_RANGE;
    let table = |p: &crate::scenario::spec::SidelinkSpec| {
        crate::radio::medium::PowerTable::new(
            p.tx_dbm + 2.0 * p.antenna_gain_dbi,
            p.freq_ghz,
            extent,
        )
    };
    env.power_wave = table(&spec.0.v2x.links.wave);
    env.power_pc5 = table(&spec.0.v2x.links.pc5);
}

/// Vehicles with an on-board unit get their V2X state when V2X is on.
fn on_board(
    add: On<Add, Obu>,
    spec: Res<SpecRes>,
    vehicles: Query<&crate::traffic::components::Vehicle>,
    mut commands: Commands,
) {
    if spec.0.v2x.enabled {
        let config = cam::CamConfig::default();
        let index = vehicles.get(add.entity).map_or(0, |v| v.index);
        let phase = nodes::spread_phase_s(index, config.check_period_s);
        let cam = cam::CamGenerator::with_phase(config, phase);
        commands.entity(add.entity).insert(nodes::OnBoard::new(cam));
    }
}

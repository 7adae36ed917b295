//! The 3D view and control-centre dashboard (cargo feature `viz`).
//!
//! `sangam-sim view [SCENARIO]` opens a window on the same simulation core as headless runs. The
//! simulation is the headless `App` that `runner::build_app` builds for `sangam-sim run`
//! (`MinimalPlugins`, single-threaded executors, manual time, one fixed step per update); the
//! view is a second, windowed `App` that owns it, steps it as many times per frame as the time
//! control asks, and mirrors what it draws (poses, signal colours, recorder figures) into its own
//! world. So rendering cannot write simulation state, the same seed gives the same results as a
//! headless run (`sim::tests`), and restart is simply a fresh simulation `App`.
//!
//! Modules: `sim` (hosting, time control, mirroring), `scene` (static district), `vehicles`,
//! `messages` (V2X arcs, coverage, heat map), `camera`, `picking`, `dashboard`, `screenshot`,
//! `playback` (`view --replay`: a recorded run instead of the simulation).
mod assets;
mod camera;
mod dashboard;
mod label;
pub mod log;
mod measure;
mod mesh;
pub mod messages;
pub mod palette;
mod picking;
pub mod playback;
mod scene;
mod screenshot;
mod selection;
mod sim;
mod timeline;
mod vehicles;

use std::path::PathBuf;
use std::sync::Arc;

use bevy::ecs::schedule::ScheduleConfigs;
use bevy::ecs::system::ScheduleSystem;
use bevy::prelude::*;
use bevy::window::WindowResolution;

pub use messages::{MsgEvent, VizCbr, VizMessages};

/// What the view shows and how it starts: a loaded scenario and plain options (the command
/// line that fills it lives in `cli`).
#[derive(Debug, Clone)]
pub struct ViewOptions {
    /// The scenario, already loaded and validated.
    pub spec: crate::scenario::spec::Spec,
    /// The name of the file (or built-in scenario) it came from.
    pub source: String,
    /// Overrides the scenario's seed.
    pub seed: Option<u64>,
    /// Save one frame to this PNG once the simulation reaches this time (s), then exit.
    pub screenshot: Option<(PathBuf, f64)>,
    /// Initial speed, × real time (0.25-64; 0 = as fast as it can).
    pub speed: f64,
    /// Start paused.
    pub paused: bool,
    /// Serve TraCI clients on this address, waiting for this many before the window opens:
    /// they step the run, the view shows it (`view --serve`).
    pub serve: Option<(std::net::SocketAddr, usize)>,
    /// Select this vehicle once it is on the road (`view --select`).
    pub select: Option<String>,
    /// Play this recorded run instead of simulating (`view --replay`); `spec` is the scenario
    /// it ran.
    pub replay: Option<crate::html::read::Recording>,
    /// Time the frames drawn over this many wall seconds, print the figures and exit
    /// (`view --measure`).
    pub measure: Option<f64>,
}

/// Window size, px (also the screenshot's).
pub const WIDTH: u32 = 1280;
pub const HEIGHT: u32 = 720;

/// Open the view; returns the process exit code.
pub fn view(opts: ViewOptions) -> i32 {
    let cfg = sim::ViewConfig {
        spec: Arc::new(opts.spec),
        source: opts.source,
        seed: opts.seed,
    };
    let title = format!("sangam-sim: {}", cfg.spec.name);
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(Window {
            title,
            resolution: WindowResolution::new(WIDTH, HEIGHT).with_scale_factor_override(1.0),
            ..default()
        }),
        ..default()
    }));
    assets::embed(&mut app);
    let mut host = sim::SimHost::new(&cfg);
    if let Some((addr, clients)) = opts.serve {
        match serve(&mut host, addr, clients) {
            Ok(server) => host.traci = Some(server),
            Err(code) => return code,
        }
    }
    app.world_mut().insert_non_send(host);
    if let Some(rec) = opts.replay {
        app.insert_resource(playback::Playback::new(rec, &cfg.spec));
    }
    app.insert_resource(cfg)
        .insert_resource(sim::TimeCtl::new(opts.speed, opts.paused))
        .insert_resource(label::SelectWhenSeen(opts.select));
    add_state(&mut app);
    add_systems(&mut app);
    if let Some(seconds) = opts.measure {
        app.insert_resource(measure::Measure::new(seconds))
            .add_systems(Update, measure::drive.after(sim::advance));
    }
    if let Some((path, at)) = opts.screenshot {
        app.insert_resource(screenshot::ShotMode::new(path, at))
            .add_systems(Update, screenshot::drive.before(sim::advance));
    }
    match app.run() {
        AppExit::Success => 0,
        AppExit::Error(_) => 1,
    }
}

/// Listen on `addr`, wait for the clients and serve them until their first step.
fn serve(
    host: &mut sim::SimHost,
    addr: std::net::SocketAddr,
    clients: usize,
) -> Result<crate::cosim::Server, i32> {
    let listener = std::net::TcpListener::bind(addr).map_err(|e| {
        eprintln!("error: cannot listen on {addr}: {e}");
        eprintln!("  help: choose another --port (0 picks a free one)");
        2
    })?;
    let local = listener.local_addr().map_or(addr, |a| a);
    eprintln!(
        "listening on {local} for {clients} TraCI client(s); the window opens when they connect"
    );
    let mut server = crate::cosim::Server::accept(&listener, clients).map_err(|e| {
        eprintln!("error: accepting TraCI clients on {local}: {e}");
        2
    })?;
    host.sim.set_tracking(true);
    server.start(&mut host.sim);
    Ok(server)
}

/// The view's own resources and the observers that give new vehicles and pedestrians a body.
fn add_state(app: &mut App) {
    app.init_resource::<sim::Mirror>()
        .init_resource::<sim::SimView>()
        .init_resource::<messages::VizMessages>()
        .init_resource::<messages::VizCbr>()
        .init_resource::<messages::MsgToggles>()
        .init_resource::<messages::PerEntity>()
        .init_resource::<selection::Selected>()
        .init_resource::<picking::PressedAt>()
        .init_resource::<dashboard::Stats>()
        .add_observer(vehicles::on_add_vehicle)
        .add_observer(vehicles::on_add_pedestrian);
}

/// Simulating (not playing a recording).
fn live(pb: Option<Res<playback::Playback>>) -> bool {
    pb.is_none()
}

/// Playing a recording (`view --replay`).
fn replaying(pb: Option<Res<playback::Playback>>) -> bool {
    pb.is_some()
}

/// The view's assets first (`assets`), then the scene, then every frame.
fn add_systems(app: &mut App) {
    app.add_systems(Startup, assets::load).add_systems(
        Update,
        (
            assets::adopt_palette,
            // The scene, once its palette is in.
            (
                scene::build,
                camera::setup,
                vehicles::setup,
                dashboard::setup,
                label::setup,
                timeline::setup,
            )
                .chain()
                .run_if(resource_added::<assets::Ready>),
            each_frame().run_if(resource_exists::<assets::Ready>),
        )
            .chain(),
    );
}

/// Each frame once the scene is built: step the simulation and copy what it made, then draw,
/// then the dashboard.
fn each_frame() -> ScheduleConfigs<ScheduleSystem> {
    (
        (
            dashboard::hotkeys,
            timeline::click,
            (sim::restart, sim::advance, sim::mirror)
                .chain()
                .run_if(live),
            (playback::advance, playback::mirror)
                .chain()
                .run_if(replaying),
            label::select_when_seen,
            sim::snapshot,
            messages::ingest,
        )
            .chain(),
        (
            scene::signals,
            vehicles::rear_lights,
            (camera::fit_viewport, camera::control, label::enlarge).chain(),
            (picking::pick, label::place).chain(),
            messages::draw,
            messages::rings,
            messages::heat_map,
            dashboard::highlight,
        ),
        (
            assets::adopt,
            dashboard::refresh.run_if(live),
            dashboard::replayed.run_if(replaying),
            dashboard::update,
            dashboard::inspector,
            timeline::update,
        )
            .chain(),
    )
        .chain()
}

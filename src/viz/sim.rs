//! The simulation behind the view: a headless `App` built by `runner::build_app`, exactly as for
//! `sangam-sim run`, owned by the view and stepped from it. The view mirrors what it draws into
//! its own world; nothing here writes a simulation component.
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bevy::ecs::query::QueryState;
use bevy::prelude::*;

use crate::clock::SimClock;
use crate::road::RoadNetwork;
use crate::road::network::JunctionCtl;
use crate::road::signals::Colour;
use crate::runner::{RunOptions, build_app};
use crate::scenario::spec::Spec;
use crate::traffic::components::{Motion, Pedestrian, Stalled, Vehicle};

/// What the view was started with; restart rebuilds the simulation from it.
#[derive(Resource, Clone)]
pub struct ViewConfig {
    pub spec: Arc<Spec>,
    pub source: String,
    pub seed: Option<u64>,
}

type VehicleQuery = (
    Entity,
    &'static Vehicle,
    &'static Motion,
    &'static Transform,
    Has<Stalled>,
);
type PedQuery = (Entity, &'static Pedestrian, &'static Transform);

/// The simulation world and cached queries into it (non-send: an `App` is not `Sync`).
pub struct SimHost {
    /// The world, as TraCI sees it too (`view --serve`).
    pub sim: crate::cosim::Sim,
    vehicles: QueryState<VehicleQuery>,
    peds: QueryState<PedQuery>,
    /// TraCI clients stepping this run (`view --serve`); `None` once they are done.
    pub traci: Option<crate::cosim::Server>,
}

impl SimHost {
    /// Build the world of a run and start its clocks, as `runner::drive` does: after this, each
    /// `step` runs exactly one fixed step.
    pub fn new(cfg: &ViewConfig) -> Self {
        let opts = RunOptions {
            seed: cfg.seed,
            ..RunOptions::default()
        };
        let mut app = build_app((*cfg.spec).clone(), &cfg.source, &opts);
        // Keep reception records for the arcs.
        super::log::install(&mut app, super::log::LOG_CAPACITY);
        let mut sim = crate::cosim::Sim::new(app);
        // Only TraCI clients need what it tracks (`view --serve` switches it on).
        sim.set_tracking(false);
        let world = sim.app.world_mut();
        let vehicles = world.query::<VehicleQuery>();
        let peds = world.query::<PedQuery>();
        SimHost {
            sim,
            vehicles,
            peds,
            traci: None,
        }
    }

    pub fn world(&self) -> &World {
        self.sim.app.world()
    }

    pub fn world_mut(&mut self) -> &mut World {
        self.sim.app.world_mut()
    }

    pub fn clock(&self) -> SimClock {
        *self.world().resource::<SimClock>()
    }

    /// One fixed step (one update of the headless app).
    pub fn step(&mut self) {
        self.sim.step();
    }
}

/// Speed levels, × real time; past the last one the view runs as fast as it can.
pub const SPEEDS: [f64; 9] = [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

/// Time control.
#[derive(Resource, Debug)]
pub struct TimeCtl {
    pub paused: bool,
    /// Index into `SPEEDS`, or `SPEEDS.len()` for "as fast as it can".
    pub speed: usize,
    /// Run one step on the next frame (while paused).
    pub step_once: bool,
    /// Run until this step regardless of frame budget (screenshot mode).
    pub run_to: Option<u64>,
    /// Jump to this step as fast as frames allow, then pause (the timeline; backwards by
    /// restarting, the run being deterministic).
    pub seek: Option<u64>,
    /// Fractional steps owed.
    pub(super) acc: f64,
    /// Measured simulated seconds per wall second (smoothed).
    pub achieved: f64,
    /// The last frame could not keep up with the requested speed.
    pub lagging: bool,
    /// Frames drawn per wall second (smoothed).
    pub fps: f64,
    pub restart: bool,
}

impl TimeCtl {
    pub fn new(speed: f64, paused: bool) -> Self {
        let idx = if speed <= 0.0 {
            SPEEDS.len()
        } else {
            SPEEDS
                .iter()
                .position(|s| *s >= speed - 1e-9)
                .unwrap_or(SPEEDS.len())
        };
        TimeCtl {
            paused,
            speed: idx,
            step_once: false,
            run_to: None,
            seek: None,
            acc: 0.0,
            achieved: 0.0,
            lagging: false,
            fps: 0.0,
            restart: false,
        }
    }
    pub fn max(&self) -> bool {
        self.speed >= SPEEDS.len()
    }
    pub fn label(&self) -> String {
        if self.max() {
            "max".into()
        } else {
            let s = SPEEDS[self.speed];
            if s < 1.0 {
                format!("{s}x")
            } else {
                format!("{s:.0}x")
            }
        }
    }
    /// Jump to step `target` from step `now`: forwards by running on, backwards by running
    /// the same scenario and seed again from the start.
    pub fn seek_to(&mut self, target: u64, now: u64) {
        if target < now {
            self.restart = true;
        }
        self.seek = Some(target);
        self.step_once = false;
    }
    /// Frame rate and achieved speed, smoothed, after a frame that ran `done` steps of `dt`.
    pub fn measure(&mut self, done: u64, dt: f64, wall_dt: f64) {
        if wall_dt <= 0.0 {
            return;
        }
        self.fps = 0.9 * self.fps + 0.1 / wall_dt;
        if self.run_to.is_none() {
            let rate = done as f64 * dt / wall_dt;
            self.achieved = if self.paused {
                0.0
            } else {
                0.9 * self.achieved + 0.1 * rate
            };
        }
    }
    pub fn faster(&mut self) {
        self.speed = (self.speed + 1).min(SPEEDS.len());
    }
    pub fn slower(&mut self) {
        self.speed = self.speed.saturating_sub(1);
    }
}

/// Longest wall time one frame asks the simulation to catch up, s: a renderer drawing 1-2
/// frames a second (Mesa llvmpipe, no GPU) still gets real time, while a stall (a window being
/// dragged) is not caught up all at once.
pub const MAX_FRAME_S: f64 = 1.0;

/// Steps to run this frame at `speed`× real time, given the wall time since the last frame.
/// Fractions carry over; a frame never asks for more than [`MAX_FRAME_S`] of wall time.
pub fn steps_for(acc: &mut f64, wall_dt: f64, speed: f64, dt: f64) -> u64 {
    *acc += wall_dt.min(MAX_FRAME_S) * speed / dt;
    // A whole step that rounding left a hair short still runs.
    let n = (*acc + 1e-9).floor();
    *acc -= n;
    n as u64
}

/// Wall time the simulation may take in a frame: half the last frame's, so that the view keeps
/// the requested speed however slowly frames are drawn (at 2 frames a second, 250 ms of every
/// 500), between 45 ms (a responsive 60 Hz window) and 500 ms.
pub fn frame_budget(wall_dt: f64) -> Duration {
    Duration::from_secs_f64((wall_dt / 2.0).clamp(0.045, 0.5))
}

/// Run the steps this frame owes the simulation.
pub fn advance(mut host: NonSendMut<SimHost>, mut ctl: ResMut<TimeCtl>, real: Res<Time<Real>>) {
    let clock = host.clock();
    let dt = clock.dt;
    let wall_dt = real.delta_secs_f64();
    let started = Instant::now();
    let (want, budget) = if let Some(target) = ctl.run_to {
        (target.saturating_sub(clock.step), None)
    } else if let Some(target) = ctl.seek {
        (
            target.saturating_sub(clock.step),
            Some(Duration::from_millis(45)),
        )
    } else if ctl.step_once {
        ctl.step_once = false;
        (1, None)
    } else if ctl.paused {
        (0, None)
    } else if ctl.max() {
        (u64::MAX, Some(Duration::from_millis(30)))
    } else {
        let speed = SPEEDS[ctl.speed];
        let mut acc = ctl.acc;
        let n = steps_for(&mut acc, wall_dt, speed, dt);
        ctl.acc = acc;
        (n, Some(frame_budget(wall_dt)))
    };
    let mut done = 0u64;
    ctl.lagging = false;
    if host.traci.is_some() {
        done = serve_frame(&mut host, want, budget.map(|b| started + b));
    }
    while host.traci.is_none() && done < want && !host.clock().done() {
        host.step();
        done += 1;
        if let Some(b) = budget
            && started.elapsed() > b
        {
            if !ctl.max() && ctl.seek.is_none() {
                ctl.lagging = done < want;
                ctl.acc = 0.0;
            }
            break;
        }
    }
    if let Some(target) = ctl.seek
        && (host.clock().step >= target || host.clock().done())
    {
        ctl.seek = None;
        ctl.paused = true;
    }
    ctl.measure(done, dt, wall_dt);
}

/// With TraCI clients (`view --serve`): run up to `want` steps of what they ask for, by the
/// `until` deadline, answering them (a client waits for its step while the view is paused or
/// slower than it); returns the steps run. When the clients are done the view goes on by
/// itself.
fn serve_frame(host: &mut SimHost, want: u64, until: Option<Instant>) -> u64 {
    let before = host.clock().step;
    loop {
        let done = host.clock().step - before;
        let late = until.is_some_and(|u| Instant::now() >= u);
        let SimHost { sim, traci, .. } = &mut *host;
        let Some(server) = traci.as_mut() else {
            return done;
        };
        if done >= want || late {
            return done;
        }
        if !server.advance(sim, want - done)
            && let Some(server) = traci.take()
        {
            let ended = server.finish();
            for (n, why, t) in &ended.lost {
                eprintln!("warning: TraCI client {n} lost at t = {t:.2} s: {why}");
            }
            eprintln!("TraCI clients done after {} steps", ended.steps);
        }
    }
}

/// A vehicle drawn in the view, mirroring a simulation entity.
#[derive(Component, Debug, Clone, Copy)]
pub struct ViewVehicle {
    pub sim: Entity,
    pub stalled: bool,
}

/// A pedestrian drawn in the view.
#[derive(Component, Debug, Clone, Copy)]
pub struct ViewPedestrian {
    pub sim: Entity,
}

/// Simulation entity → view entity, with the frame it was last seen.
#[derive(Resource, Default)]
pub struct Mirror {
    pub vehicles: HashMap<Entity, (Entity, u64)>,
    pub peds: HashMap<Entity, (Entity, u64)>,
    frame: u64,
}

/// What the view shows of the simulation's state this frame.
#[derive(Resource, Debug, Default, Clone)]
pub struct SimView {
    pub clock: Option<SimClock>,
    /// Simulated time at the previous frame, s.
    pub t_prev: f64,
    /// Signal colour per controlled link.
    pub signals: HashMap<u32, Colour>,
}

impl SimView {
    pub fn t(&self) -> f64 {
        self.clock.map_or(0.0, |c| c.t())
    }
}

/// Copy poses of vehicles and pedestrians into the view world; spawn and despawn as the
/// simulation does.
pub fn mirror(
    mut host: NonSendMut<SimHost>,
    mut commands: Commands,
    mut map: ResMut<Mirror>,
    mut vehicles: Query<ViewVehicleItem, Without<ViewPedestrian>>,
    mut peds: Query<&mut Transform, (With<ViewPedestrian>, Without<ViewVehicle>)>,
) {
    map.frame += 1;
    let frame = map.frame;
    let SimHost {
        sim,
        vehicles: vq,
        peds: pq,
        ..
    } = &mut *host;
    let world = sim.app.world();
    for (e, v, m, tf, stalled) in vq.iter(world) {
        match map.vehicles.get_mut(&e) {
            Some((view, seen)) => {
                *seen = frame;
                if let Ok(item) = vehicles.get_mut(*view) {
                    sync_vehicle(item, m, tf, stalled);
                }
            }
            None => {
                let view = ViewVehicle { sim: e, stalled };
                let bundle = (view, *m, *tf, Visibility::default(), v.clone());
                map.vehicles.insert(e, (commands.spawn(bundle).id(), frame));
            }
        }
    }
    for (e, _p, tf) in pq.iter(world) {
        match map.peds.get_mut(&e) {
            Some((view, seen)) => {
                *seen = frame;
                if let Ok(mut vt) = peds.get_mut(*view) {
                    *vt = *tf;
                }
            }
            None => {
                let bundle = (ViewPedestrian { sim: e }, *tf, Visibility::default());
                map.peds.insert(e, (commands.spawn(bundle).id(), frame));
            }
        }
    }
    map.sweep(&mut commands);
}

/// What the view keeps of a mirrored vehicle.
type ViewVehicleItem = (
    &'static mut Transform,
    &'static mut Motion,
    &'static mut ViewVehicle,
);

/// Copy a vehicle's pose, motion and breakdown into its view (touching only what changed, so
/// change detection stays meaningful).
fn sync_vehicle(
    (mut vt, mut vm, mut vv): (Mut<Transform>, Mut<Motion>, Mut<ViewVehicle>),
    m: &Motion,
    tf: &Transform,
    stalled: bool,
) {
    *vt = *tf;
    if *vm != *m {
        *vm = *m;
    }
    if vv.stalled != stalled {
        vv.stalled = stalled;
    }
}

impl Mirror {
    /// Despawn the views of what the simulation no longer has (not seen this frame).
    fn sweep(&mut self, commands: &mut Commands) {
        let frame = self.frame;
        for table in [&mut self.vehicles, &mut self.peds] {
            table.retain(|_, (view, seen)| {
                if *seen != frame {
                    commands.entity(*view).despawn();
                    false
                } else {
                    true
                }
            });
        }
    }
}

/// Clock and signal colours.
pub fn snapshot(host: NonSend<SimHost>, mut view: ResMut<SimView>) {
    let world = host.world();
    let clock = *world.resource::<SimClock>();
    view.t_prev = view.t();
    view.clock = Some(clock);
    let t = clock.t();
    let net = world.resource::<RoadNetwork>();
    view.signals.clear();
    for j in &net.junctions {
        if let JunctionCtl::Signal(p) = &j.ctl {
            for (link, _) in &p.timelines {
                view.signals.insert(*link, p.state(*link, t).colour);
            }
        }
    }
}

/// Rebuild the simulation on request (`R`): a fresh world from the same scenario and seed.
pub fn restart(
    mut host: NonSendMut<SimHost>,
    cfg: Res<ViewConfig>,
    mut ctl: ResMut<TimeCtl>,
    mut map: ResMut<Mirror>,
    mut view: ResMut<SimView>,
    mut commands: Commands,
) {
    if !ctl.restart {
        return;
    }
    ctl.restart = false;
    if host.traci.is_some() {
        // The clients steer this run: it is theirs to end.
        return;
    }
    *host = SimHost::new(&cfg);
    for (_, (e, _)) in map.vehicles.drain() {
        commands.entity(e).despawn();
    }
    for (_, (e, _)) in map.peds.drain() {
        commands.entity(e).despawn();
    }
    *view = SimView::default();
}

/// A windowless app stepping the default embedded scenario towards step `run_to`: the view's
/// config, `SimHost`, `TimeCtl`, `Mirror` and `SimView`, no systems (tests add their own).
#[cfg(test)]
pub(crate) fn test_app(paused: bool, run_to: u64) -> App {
    let loaded = crate::scenario::embedded::load_embedded(crate::scenario::embedded::DEFAULT)
        .unwrap_or_else(|d| panic!("{}", d.render_fancy()));
    let cfg = ViewConfig {
        spec: Arc::new(loaded.spec),
        source: loaded.name,
        seed: None,
    };
    let mut app = App::new();
    app.add_plugins(MinimalPlugins);
    app.world_mut().insert_non_send(SimHost::new(&cfg));
    let mut ctl = TimeCtl::new(1.0, paused);
    ctl.run_to = Some(run_to);
    app.insert_resource(cfg)
        .insert_resource(ctl)
        .init_resource::<Mirror>()
        .init_resource::<SimView>();
    app
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_carry_fractions_between_frames() {
        let mut acc = 0.0;
        // 0.25× at 60 fps with 10 ms steps: 0.4167 steps per frame.
        let n: u64 = (0..60)
            .map(|_| steps_for(&mut acc, 1.0 / 60.0, 0.25, 0.01))
            .sum();
        assert_eq!(n, 25);
        // A renderer at 1 frame a second still gets real time at 1×; a 3 s stall asks for 1 s.
        let mut acc = 0.0;
        assert_eq!(steps_for(&mut acc, 1.0, 1.0, 0.01), 100);
        assert_eq!(steps_for(&mut acc, 3.0, 1.0, 0.01), 100);
    }

    #[test]
    fn the_simulation_gets_half_of_a_slow_frame() {
        assert_eq!(frame_budget(1.0 / 60.0), Duration::from_millis(45));
        assert_eq!(frame_budget(0.5), Duration::from_millis(250));
        assert_eq!(frame_budget(3.0), Duration::from_millis(500));
    }

    #[test]
    fn speed_labels() {
        assert_eq!(TimeCtl::new(1.0, false).label(), "1x");
        assert_eq!(TimeCtl::new(0.25, false).label(), "0.25x");
        assert_eq!(TimeCtl::new(0.0, false).label(), "max");
    }

    /// Stepping, mirroring and restart, in a windowless app.
    #[test]
    fn mirror_follows_the_simulation_and_restart_starts_over() {
        let mut app = test_app(false, 2000);
        app.add_systems(Update, (restart, advance, mirror, snapshot).chain());
        app.update();
        app.update();
        let step = |app: &App| app.world().non_send::<SimHost>().clock().step;
        assert_eq!(step(&app), 2000);
        let sim_vehicles = {
            let host = app.world().non_send::<SimHost>();
            host.world()
                .iter_entities()
                .filter(|e| e.contains::<Vehicle>())
                .count()
        };
        let mut q = app.world_mut().query_filtered::<(), With<ViewVehicle>>();
        assert!(sim_vehicles > 0);
        assert_eq!(q.iter(app.world()).count(), sim_vehicles);
        assert!(!app.world().resource::<SimView>().signals.is_empty());
        // Restart: a fresh world, nothing of the old one left in the view.
        {
            let mut ctl = app.world_mut().resource_mut::<TimeCtl>();
            ctl.run_to = None;
            ctl.paused = true;
            ctl.restart = true;
        }
        app.update();
        app.update();
        assert_eq!(step(&app), 0);
        assert_eq!(q.iter(app.world()).count(), 0);
    }

    /// The timeline's jumps: forwards to a step, then backwards (a restart and a run from the
    /// start) to an earlier one, where the view shows what a straight run shows there.
    #[test]
    fn a_jump_lands_on_its_step_paused_forwards_and_backwards() {
        let mut app = test_app(false, 0);
        app.add_systems(Update, (restart, advance, mirror, snapshot).chain());
        let step = |app: &App| app.world().non_send::<SimHost>().clock().step;
        let jump = |app: &mut App, target: u64| {
            let now = step(app);
            let mut ctl = app.world_mut().resource_mut::<TimeCtl>();
            ctl.run_to = None;
            ctl.seek_to(target, now);
            for _ in 0..400 {
                app.update();
                if app.world().resource::<TimeCtl>().seek.is_none() {
                    break;
                }
            }
        };
        jump(&mut app, 800);
        assert_eq!(step(&app), 800);
        assert!(app.world().resource::<TimeCtl>().paused);
        let poses = |app: &mut App| {
            let mut q = app.world_mut().query::<(&Vehicle, &Transform)>();
            let mut v: Vec<(String, [f32; 3])> = q
                .iter(app.world())
                .map(|(v, t)| (v.id.clone(), t.translation.to_array()))
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        };
        let mut straight = test_app(true, 400);
        straight.add_systems(Update, (restart, advance, mirror, snapshot).chain());
        straight.update();
        straight.update();
        jump(&mut app, 400);
        assert_eq!(step(&app), 400);
        assert!(!poses(&mut app).is_empty());
        assert_eq!(poses(&mut app), poses(&mut straight));
    }

    /// The view's simulation is the headless one: stepping it through `SimHost`, with the
    /// view's queries and live reports in between, gives the same report as `runner::run`.
    #[test]
    fn the_view_runs_the_same_simulation_as_a_headless_run() {
        let loaded = crate::scenario::embedded::load_embedded(crate::scenario::embedded::DEFAULT)
            .unwrap_or_else(|d| panic!("{}", d.render_fancy()));
        let mut spec = loaded.spec;
        spec.duration = spec.duration.min(20.0);
        let headless =
            crate::runner::run(spec.clone(), &loaded.name, &RunOptions::default()).report;
        let cfg = ViewConfig {
            spec: Arc::new(spec),
            source: loaded.name.clone(),
            seed: None,
        };
        let mut host = SimHost::new(&cfg);
        let mut k = 0;
        while !host.clock().done() {
            host.step();
            k += 1;
            let SimHost { sim, vehicles, .. } = &mut host;
            let _ = vehicles.iter(sim.app.world()).count();
            if k % 250 == 0 {
                let _ = crate::metrics::report(host.world_mut());
            }
        }
        let viewed = crate::metrics::report(host.world_mut());
        assert_eq!(
            serde_json::to_string(&viewed).unwrap(),
            serde_json::to_string(&headless).unwrap()
        );
    }
}

//! V2X in the view: messages as short-lived arcs from sender to receiver coloured by latency,
//! lost ones crossed out in red, per-type toggles, radio coverage rings, and a heat map of the
//! channel busy ratio.
//!
//! # Where the data comes from
//! The simulation keeps its recent reception attempts in [`MessageLog`] (`viz::log`, which the
//! view adds to the simulation app before its first update). Each frame [`feed`]
//! copies the events received since the previous frame into the view's own [`VizMessages`]; the
//! arcs, the inspector's "last messages" and the live sparkline read from there. Channel-busy
//! cells are read into [`VizCbr`] from the simulation's `RadioEnv` (both sidelink channels).
use std::collections::{HashMap, VecDeque};

use bevy::prelude::*;

use super::mesh::world;
use super::palette as pal;
use super::selection::{Infra, Pickable};
use super::sim::{SimHost, SimView, ViewConfig};
use crate::radio::coverage::{gnb_radius, rsu_radius};
use crate::scenario::spec::MsgType;
use crate::traffic::components::Vehicle;

pub use super::log::{MessageLog, MsgEvent};

/// Recent message events, oldest first (the view keeps the last few seconds).
#[derive(Resource, Debug, Default, Clone)]
pub struct VizMessages(pub VecDeque<MsgEvent>);

/// Channel busy ratio on a regular grid: (x, y, cbr) with (x, y) the cell centre in map
/// coordinates and cbr in 0-1. The cell size is the smallest spacing between centres.
#[derive(Resource, Debug, Default, Clone)]
pub struct VizCbr(pub Vec<(f64, f64, f64)>);

/// How long the view keeps events, s of simulated time.
const KEEP_S: f64 = 5.0;
/// Lost receptions are marked within this distance of the sender, m.
const LOSS_MARK_M: f32 = 300.0;
/// At most this many arcs per message type and frame (the newest).
const MAX_ARCS: usize = 500;
/// Arcs longer than this are not drawn (except DENM), m: the view shows the neighbourhood
/// exchange, not every edge-of-range reception.
const ARC_MAX_M: f32 = 350.0;

/// Copy what the simulation produced in (`t_prev`, `t_now`] into the view's copies; returns
/// the number of new events (the last ones in `out`).
pub fn feed(
    sim: &World,
    t_prev: f64,
    t_now: f64,
    out: &mut VizMessages,
    cbr: &mut VizCbr,
) -> usize {
    let mut fresh = 0;
    if let Some(src) = sim.get_resource::<MessageLog>() {
        for e in src
            .recent
            .iter()
            .filter(|e| e.t_recv > t_prev && e.t_recv <= t_now)
        {
            out.0.push_back(e.clone());
            fresh += 1;
        }
    }
    if let Some(env) = sim.get_resource::<crate::v2x::env::RadioEnv>() {
        // Both sidelink channels on one map: the busier of the two per cell.
        let mut cells = env.cbr_pc5.cells();
        for (x, y, c) in env.cbr_wave.cells() {
            match cells.iter_mut().find(|(cx, cy, _)| *cx == x && *cy == y) {
                Some(cell) => cell.2 = cell.2.max(c),
                None => cells.push((x, y, c)),
            }
        }
        if cells != cbr.0 {
            cbr.0 = cells;
        }
    }
    while out.0.len() > fresh && out.0.front().is_some_and(|e| e.t_recv < t_now - KEEP_S) {
        out.0.pop_front();
    }
    fresh
}

/// What is drawn.
#[derive(Resource, Debug)]
pub struct MsgToggles {
    /// Per `MsgType::ALL` index.
    pub types: [bool; MsgType::COUNT],
    pub rings: bool,
    pub heat: bool,
}

impl Default for MsgToggles {
    fn default() -> Self {
        MsgToggles {
            types: [true; MsgType::COUNT],
            rings: true,
            // The busy-ratio heat map paints the ground; it is a layer to ask for (B).
            heat: false,
        }
    }
}

/// The last messages each pickable thing sent or received: (event, true if it sent it).
#[derive(Resource, Default)]
pub struct PerEntity(pub HashMap<Entity, VecDeque<(MsgEvent, bool)>>);

/// What attribution needs of a pickable thing.
type PickableThing = (
    Entity,
    &'static GlobalTransform,
    Option<&'static Vehicle>,
    Option<&'static Infra>,
);

/// A pickable thing and its map position.
type Located = (Entity, [f64; 2]);

/// The heat map's shared cell mesh, its cell size, and one material per colour step.
type HeatAssets = (Handle<Mesh>, f64, Vec<Handle<StandardMaterial>>);

/// Pull this frame's events and attribute them to the nearest vehicle or node at either end.
pub fn ingest(
    host: NonSend<SimHost>,
    view: Res<SimView>,
    mut msgs: ResMut<VizMessages>,
    mut cbr: ResMut<VizCbr>,
    mut per: ResMut<PerEntity>,
    cfg: Res<ViewConfig>,
    things: Query<PickableThing, With<Pickable>>,
) {
    let (t_prev, t_now) = (view.t_prev, view.t());
    if t_now < t_prev {
        msgs.0.clear();
        per.0.clear();
    }
    let fresh = feed(host.world(), t_prev, t_now, &mut msgs, &mut cbr);
    if fresh == 0 {
        return;
    }
    let locator = Locator::new(&things, &cfg);
    let n = msgs.0.len();
    for ev in msgs.0.iter().skip(n - fresh) {
        // Vehicles moved since: allow for 15 m/s over the event's age.
        let tol = 6.0 + 15.0 * (t_now - ev.t_sent).max(0.0);
        for (name, p, sent) in [(&ev.sender, ev.from, true), (&ev.receiver, ev.to, false)] {
            // By station name; by position for anything unnamed.
            let who = locator.find(name, p, tol.min(19.0));
            if let Some(e) = who {
                let q = per.0.entry(e).or_default();
                q.push_back((ev.clone(), sent));
                while q.len() > 8 {
                    q.pop_front();
                }
            }
        }
    }
    per.0.retain(|e, _| things.contains(*e));
}

/// Finds the entity a message event names: by station name, else the nearest pickable thing
/// within a tolerance (a coarse grid of things by position, map coordinates, 20 m cells).
struct Locator<'a> {
    grid: HashMap<(i64, i64), Vec<Located>>,
    by_name: HashMap<&'a str, Entity>,
}

impl<'a> Locator<'a> {
    const CELL_M: f64 = 20.0;

    fn cell(p: [f64; 2]) -> (i64, i64) {
        (
            (p[0] / Self::CELL_M).floor() as i64,
            (p[1] / Self::CELL_M).floor() as i64,
        )
    }

    fn new(things: &'a Query<PickableThing, With<Pickable>>, cfg: &'a ViewConfig) -> Locator<'a> {
        let mut l = Locator {
            grid: HashMap::new(),
            by_name: HashMap::new(),
        };
        for (e, tf, v, infra) in things {
            let p = tf.translation();
            let m = [f64::from(p.x), -f64::from(p.z)];
            l.grid.entry(Self::cell(m)).or_default().push((e, m));
            let name = match (v, infra) {
                (Some(v), _) => Some(v.id.as_str()),
                (_, Some(Infra::Rsu(i))) => cfg.spec.v2x.rsus.get(*i).map(|r| r.id.as_str()),
                (_, Some(Infra::Gnb(i))) => cfg.spec.v2x.gnbs.get(*i).map(|g| g.id.as_str()),
                _ => None,
            };
            if let Some(n) = name {
                l.by_name.insert(n, e);
            }
        }
        l
    }

    fn find(&self, name: &str, p: [f64; 2], tol: f64) -> Option<Entity> {
        self.by_name
            .get(name)
            .copied()
            .or_else(|| self.nearest(p, tol))
    }

    fn nearest(&self, p: [f64; 2], tol: f64) -> Option<Entity> {
        let (cx, cy) = Self::cell(p);
        let mut best: Option<(Entity, f64)> = None;
        for dx in -1..=1 {
            for dy in -1..=1 {
                for (e, q) in self.grid.get(&(cx + dx, cy + dy)).into_iter().flatten() {
                    let d = ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt();
                    if d <= tol && best.is_none_or(|(_, b)| d < b) {
                        best = Some((*e, d));
                    }
                }
            }
        }
        best.map(|(e, _)| e)
    }
}

/// Arcs for recent messages; red crosses where one was lost.
pub fn draw(
    mut gizmos: Gizmos,
    view: Res<SimView>,
    msgs: Res<VizMessages>,
    toggles: Res<MsgToggles>,
    ctl: Res<super::sim::TimeCtl>,
) {
    let t = view.t();
    let life = event_life(&ctl);
    let mut drawn = [0usize; MsgType::COUNT];
    for ev in msgs.0.iter().rev() {
        if ev.t_recv > t || t - ev.t_recv > life {
            if t - ev.t_recv > life {
                break;
            }
            continue;
        }
        let k = ev.msg.index();
        if !toggles.types[k] || drawn[k] >= MAX_ARCS {
            continue;
        }
        let fade = (1.0 - ((t - ev.t_recv) / life) as f32).clamp(0.15, 1.0);
        let a = world(ev.from, 2.0);
        let b = world(ev.to, 2.0);
        if ev.msg != MsgType::Denm && a.distance(b) > ARC_MAX_M {
            continue;
        }
        drawn[k] += 1;
        if ev.delivered {
            let c = pal::latency(ev.latency_ms);
            gizmos.linestrip(arc(a, b), Color::srgba(c[0], c[1], c[2], 0.45 * fade));
        } else if a.distance(b) <= LOSS_MARK_M {
            // Losses far out are expected (out of range); mark those that matter.
            cross(&mut gizmos, b, fade);
        }
    }
}

/// How long an event stays drawn, s of simulated time: 0.3 s, longer when the simulation runs
/// fast so that it stays on screen for a few frames.
fn event_life(ctl: &super::sim::TimeCtl) -> f64 {
    let speed = if ctl.max() {
        64.0
    } else {
        super::sim::SPEEDS[ctl.speed]
    };
    (0.15 * speed).max(0.3)
}

/// A parabolic arc from `a` to `b` (13 points), rising 8 % of the distance (1 to 20 m).
fn arc(a: Vec3, b: Vec3) -> impl Iterator<Item = Vec3> {
    let lift = (a.distance(b) * 0.08).clamp(1.0, 20.0);
    (0..=12).map(move |i| {
        let s = i as f32 / 12.0;
        a.lerp(b, s) + Vec3::Y * lift * 4.0 * s * (1.0 - s)
    })
}

/// A red cross where a message was lost.
fn cross(gizmos: &mut Gizmos, b: Vec3, fade: f32) {
    let c = pal::get().bad;
    let s = 2.0;
    gizmos.line(
        b + Vec3::new(-s, 0.5, -s),
        b + Vec3::new(s, 0.5, s),
        Color::srgba(c[0], c[1], c[2], fade),
    );
    gizmos.line(
        b + Vec3::new(-s, 0.5, s),
        b + Vec3::new(s, 0.5, -s),
        Color::srgba(c[0], c[1], c[2], fade),
    );
}

/// Coverage rings around RSUs and gNBs.
pub fn rings(
    mut gizmos: Gizmos,
    toggles: Res<MsgToggles>,
    cfg: Res<ViewConfig>,
    nodes: Query<(&Infra, &GlobalTransform)>,
) {
    if !toggles.rings || !cfg.spec.v2x.enabled {
        return;
    }
    let rsu_r = rsu_radius(&cfg.spec);
    let flat = Quat::from_rotation_x(std::f32::consts::FRAC_PI_2);
    for (infra, tf) in &nodes {
        let p = tf.translation().with_y(0.4);
        let (r, c, a) = match infra {
            Infra::Rsu(_) => (rsu_r as f32, pal::get().rsu, 0.22),
            Infra::Gnb(i) => (gnb_radius(&cfg.spec, *i) as f32, pal::get().gnb, 0.16),
            Infra::ControlCentre => continue,
        };
        gizmos
            .circle(
                Isometry3d::new(p, flat),
                r,
                Color::srgba(c[0], c[1], c[2], a),
            )
            .resolution(96);
    }
}

/// The heat-map cells currently shown.
#[derive(Component)]
pub struct HeatCell;

/// Rebuild the channel-busy heat map when its data changes.
pub fn heat_map(
    mut commands: Commands,
    cbr: Res<VizCbr>,
    toggles: Res<MsgToggles>,
    cells: Query<Entity, With<HeatCell>>,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    mut cache: Local<Option<HeatAssets>>,
) {
    if !cbr.is_changed() && !toggles.is_changed() {
        return;
    }
    for e in &cells {
        commands.entity(e).despawn();
    }
    if !toggles.heat || cbr.0.is_empty() {
        return;
    }
    let size = cell_size(&cbr.0);
    if cache.as_ref().is_none_or(|c| (c.1 - size).abs() > 1e-9) {
        *cache = Some(heat_assets(size, &mut meshes, &mut materials));
    }
    let Some((mesh, _, mats)) = cache.as_ref() else {
        return;
    };
    for &(x, y, r) in &cbr.0 {
        commands.spawn((
            HeatCell,
            Mesh3d(mesh.clone()),
            MeshMaterial3d(mats[heat_step(r)].clone()),
            // Under the roads: a tint of the ground, roads stay readable.
            Transform::from_translation(world([x, y], 0.012)),
        ));
    }
}

/// The grid spacing of the busy-ratio cells, m: the smallest Chebyshev distance between a cell
/// and one of the next 64 (cells come in grid order), 50 m when there is only one.
fn cell_size(cells: &[(f64, f64, f64)]) -> f64 {
    let mut size = f64::INFINITY;
    for (i, a) in cells.iter().enumerate() {
        for b in cells.iter().skip(i + 1).take(64) {
            let d = (a.0 - b.0).abs().max((a.1 - b.1).abs());
            if d > 1e-6 {
                size = size.min(d);
            }
        }
    }
    if size.is_finite() { size } else { 50.0 }
}

/// Which of the ten tints a busy ratio gets: 0 (idle) to 9 (80 % busy or more).
fn heat_step(cbr: f64) -> usize {
    ((cbr / 0.8).clamp(0.0, 1.0) * 9.0).round() as usize
}

/// A cell's plane (4 % gaps between cells) and the ten tints from idle to 80 % busy.
fn heat_assets(
    size: f64,
    meshes: &mut Assets<Mesh>,
    materials: &mut Assets<StandardMaterial>,
) -> HeatAssets {
    let mesh = meshes.add(
        Plane3d::default()
            .mesh()
            .size(size as f32 * 0.96, size as f32 * 0.96),
    );
    let mats = (0..10)
        .map(|k| {
            let c = pal::cbr(f64::from(k) / 9.0 * 0.8);
            materials.add(StandardMaterial {
                base_color: Color::srgba(c[0], c[1], c[2], c[3]),
                alpha_mode: AlphaMode::Blend,
                unlit: true,
                ..default()
            })
        })
        .collect();
    (mesh, size, mats)
}

/// Label of a message type for the dashboard.
pub fn type_label(m: MsgType) -> &'static str {
    match m {
        MsgType::Cam => "CAM",
        MsgType::Denm => "DENM",
        MsgType::Spat => "SPaT",
        MsgType::Map => "MAP",
        MsgType::Cpm => "CPM",
        MsgType::Bsm => "BSM",
        MsgType::Rsa => "RSA",
        MsgType::Tim => "TIM",
        MsgType::Ica => "ICA",
        MsgType::Pvd => "PVD",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::spec::Tech;

    #[test]
    fn feed_copies_only_the_new_window() {
        let mut sim = World::new();
        let ev = |t: f64| MsgEvent {
            t_sent: t - 0.002,
            t_recv: t,
            msg: MsgType::Cam,
            tech: Tech::Pc5,
            from: [0.0, 0.0],
            to: [10.0, 0.0],
            delivered: true,
            latency_ms: 2.0,
            sender: "a".into(),
            receiver: "b".into(),
        };
        sim.insert_resource(MessageLog {
            recent: [0.01, 0.02, 0.03].map(ev).into_iter().collect(),
            capacity: 10,
        });
        let (mut out, mut cbr) = (VizMessages::default(), VizCbr::default());
        feed(&sim, 0.0, 0.02, &mut out, &mut cbr);
        assert_eq!(out.0.len(), 2);
        feed(&sim, 0.02, 0.03, &mut out, &mut cbr);
        assert_eq!(out.0.len(), 3);
    }

    #[test]
    fn heat_cells_take_the_grid_spacing_and_ten_steps() {
        let grid: Vec<(f64, f64, f64)> = (0..4)
            .flat_map(|i| (0..4).map(move |j| (f64::from(i) * 25.0, f64::from(j) * 25.0, 0.0)))
            .collect();
        assert_eq!(cell_size(&grid), 25.0);
        assert_eq!(cell_size(&[(3.0, 4.0, 0.5)]), 50.0);
        assert_eq!(heat_step(0.0), 0);
        assert_eq!(heat_step(0.4), 5);
        assert_eq!(heat_step(0.8), 9);
        assert_eq!(heat_step(1.0), 9);
        assert_eq!(heat_step(-0.1), 0);
    }

    #[test]
    fn arcs_join_the_ends_and_rise_in_the_middle() {
        let (a, b) = (Vec3::ZERO, Vec3::new(100.0, 0.0, 0.0));
        let pts: Vec<Vec3> = arc(a, b).collect();
        assert_eq!(pts.len(), 13);
        assert_eq!((pts[0], pts[12]), (a, b));
        // Peak at the middle: 8 % of 100 m.
        assert!((pts[6].y - 8.0).abs() < 1e-4, "{}", pts[6].y);
    }
}

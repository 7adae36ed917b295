//! The static district: ground, roads with markings and stop lines, junction boxes, buildings
//! extruded from their footprints, RSU poles, gNB masts, the control centre, traffic lights.
//! Built once from the scenario; only the signal colours change afterwards.
use std::collections::HashMap;

use bevy::ecs::system::SystemParam;
use bevy::prelude::*;

use super::mesh::{MeshBuf, convex_hull, world};
use super::palette as pal;
use super::selection::{Infra, Pickable};
use super::sim::{SimHost, SimView, ViewConfig};
use crate::road::RoadNetwork;
use crate::road::geometry::P2;
use crate::road::network::JunctionCtl;
use crate::road::signals::Colour;
use crate::scenario::spec::{Building, GnbSpec, RsuSpec};

pub fn rgb(c: [f32; 3]) -> Color {
    Color::srgb(c[0], c[1], c[2])
}

/// A lit, rough, non-metallic material.
pub fn matte(c: [f32; 3]) -> StandardMaterial {
    StandardMaterial {
        base_color: rgb(c),
        perceptual_roughness: 0.9,
        reflectance: 0.2,
        ..default()
    }
}

/// A self-lit material: looks the same from every side and at night.
pub fn glow(c: [f32; 3], strength: f32) -> StandardMaterial {
    StandardMaterial {
        base_color: rgb(c),
        emissive: LinearRgba::from(rgb(c)) * strength,
        unlit: true,
        ..default()
    }
}

/// A signal lamp or the coloured bar before a stop line, showing `link`'s colour.
#[derive(Component, Debug)]
pub struct SignalLamp {
    pub link: u32,
    pub shown: Option<Colour>,
}

#[derive(Resource)]
pub struct SignalMats {
    green: Handle<StandardMaterial>,
    amber: Handle<StandardMaterial>,
    red: Handle<StandardMaterial>,
}

/// Extent of the district (map coordinates), for the camera and ground.
#[derive(Resource, Debug, Clone, Copy)]
pub struct District {
    pub min: P2,
    pub max: P2,
}

impl District {
    pub fn centre(&self) -> P2 {
        [
            (self.min[0] + self.max[0]) / 2.0,
            (self.min[1] + self.max[1]) / 2.0,
        ]
    }
    pub fn size(&self) -> f64 {
        (self.max[0] - self.min[0])
            .max(self.max[1] - self.min[1])
            .max(100.0)
    }
}

fn district(net: &RoadNetwork, spec: &crate::scenario::spec::Spec) -> District {
    let mut lo = [f64::INFINITY; 2];
    let mut hi = [f64::NEG_INFINITY; 2];
    let mut add = |p: P2| {
        for k in 0..2 {
            lo[k] = lo[k].min(p[k]);
            hi[k] = hi[k].max(p[k]);
        }
    };
    for n in &net.nodes {
        add(n.pos);
    }
    for b in &spec.buildings {
        for c in b.shape.corners() {
            add([c.0, c.1]);
        }
    }
    if !lo[0].is_finite() {
        return District {
            min: [-100.0, -100.0],
            max: [100.0, 100.0],
        };
    }
    District { min: lo, max: hi }
}

/// Does the footprint contain the point (even-odd rule)?
fn contains(poly: &[P2], p: P2) -> bool {
    let mut inside = false;
    let n = poly.len();
    for i in 0..n {
        let (a, b) = (poly[i], poly[(i + 1) % n]);
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let x = a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]);
            if p[0] < x {
                inside = !inside;
            }
        }
    }
    inside
}

/// Where the static scene goes: commands and the mesh and material stores.
#[derive(SystemParam)]
pub struct SceneAssets<'w, 's> {
    commands: Commands<'w, 's>,
    meshes: ResMut<'w, Assets<Mesh>>,
    materials: ResMut<'w, Assets<StandardMaterial>>,
}

impl SceneAssets<'_, '_> {
    /// One entity for a whole layer (roads, markings, walls), so it is one draw call.
    fn layer(&mut self, buf: MeshBuf, mat: StandardMaterial) {
        let mesh = self.meshes.add(buf.build());
        let mat = self.materials.add(mat);
        self.commands.spawn((Mesh3d(mesh), MeshMaterial3d(mat)));
    }
}

/// The pole mesh and its grey, shared by RSUs, gNB masts and traffic lights.
struct Pole {
    mesh: Handle<Mesh>,
    grey: Handle<StandardMaterial>,
}

pub fn build(mut sa: SceneAssets, host: NonSend<SimHost>, cfg: Res<ViewConfig>) {
    let net = host.world().resource::<RoadNetwork>().clone();
    let spec = cfg.spec.clone();
    let d = district(&net, &spec);
    sa.commands.insert_resource(d);
    ground(&mut sa, &d);
    roads(&mut sa, &net);
    let footprints = buildings(&mut sa, &spec.buildings);
    let roof_at = |p: P2| {
        footprints
            .iter()
            .filter(|(poly, _)| contains(poly, p))
            .map(|(_, h)| *h)
            .fold(0.0f32, f32::max)
    };
    let pole = Pole {
        mesh: sa.meshes.add(Cylinder::new(0.15, 1.0)),
        grey: sa.materials.add(matte([0.45, 0.47, 0.5])),
    };
    rsus(&mut sa, &spec.v2x.rsus, &pole);
    gnbs(&mut sa, &spec.v2x.gnbs, &pole, roof_at);
    // The control centre: a beacon above its building.
    if let Some(cc) = spec.v2x.control_centre {
        control_centre(&mut sa, [cc.0, cc.1], roof_at([cc.0, cc.1]) + 14.0);
    }
    traffic_lights(&mut sa, &net, &pole);
}

fn ground(sa: &mut SceneAssets, d: &District) {
    let size = d.size() as f32 + 1600.0;
    let mesh = sa.meshes.add(Plane3d::default().mesh().size(size, size));
    let mat = sa.materials.add(matte(pal::get().ground));
    sa.commands.spawn((
        Mesh3d(mesh),
        MeshMaterial3d(mat),
        Transform::from_translation(world(d.centre(), 0.0)),
    ));
}

/// Roads, markings, stop lines and junction boxes, one layer each of asphalt, white and yellow.
fn roads(sa: &mut SceneAssets, net: &RoadNetwork) {
    let mut asphalt = MeshBuf::default();
    let mut white = MeshBuf::default();
    let mut yellow = MeshBuf::default();
    let mut blue = MeshBuf::default();
    for l in &net.links {
        for buf in [&mut asphalt, &mut white, &mut yellow, &mut blue] {
            buf.on_ground(l.heights.clone());
        }
        let w = l.width();
        let right = l.center.offset_right(w);
        asphalt.strip(&l.center, &right, 0.03);
        yellow.segment(&l.center.offset_right(0.2), 0.0, l.length, 0.15, 0.06);
        white.segment(&l.center.offset_right(w - 0.25), 0.0, l.length, 0.15, 0.06);
        for k in 1..l.lanes {
            let lane_line = l.center.offset_right(f64::from(k) * l.lane_width);
            // The line between lanes `lanes - k` (left of it) and `lanes - k - 1`.
            if l.open_to_all(l.lanes - k) && l.open_to_all(l.lanes - k - 1) {
                white.dashes(&lane_line, 0.15, 3.0, 5.0, 0.06);
            } else {
                blue.segment(&lane_line, 0.0, l.length, 0.2, 0.065);
            }
        }
        if net.nodes[l.to as usize].junction.is_some() {
            let a = (l.length - 0.5).max(0.0);
            white.segment(&l.center.offset_right(w / 2.0), a, l.length, w - 0.2, 0.06);
        }
    }
    for buf in [&mut asphalt, &mut white, &mut yellow, &mut blue] {
        buf.on_ground(None);
    }
    junction_boxes(net, &mut asphalt);
    for (buf, colour) in [
        (asphalt, pal::get().asphalt),
        (white, pal::get().marking),
        (yellow, pal::get().centre_line),
        (blue, pal::get().bus_lane),
    ] {
        if buf.is_empty() {
            continue;
        }
        let mut m = matte(colour);
        if colour != pal::get().asphalt {
            m.emissive = LinearRgba::from(rgb(colour)) * 0.15;
        }
        sa.layer(buf, m);
    }
}

/// Junction boxes: the hull of the carriageway ends meeting at a node.
fn junction_boxes(net: &RoadNetwork, asphalt: &mut MeshBuf) {
    for (i, n) in net.nodes.iter().enumerate() {
        if n.incoming.len() + n.outgoing.len() < 3 && n.junction.is_none() {
            continue;
        }
        let mut pts = Vec::new();
        for &li in n.incoming.iter().chain(&n.outgoing) {
            let l = &net.links[li as usize];
            let s = if l.to as usize == i { l.length } else { 0.0 };
            let w = l.width();
            pts.push(l.center.at(s).0);
            pts.push(l.center.offset_right(w).at(s).0);
        }
        let hull = convex_hull(pts);
        if hull.len() >= 3 {
            asphalt.polygon(&hull, n.z as f32 + 0.03);
        }
    }
}

/// Buildings: floors of concrete and glass, a roof. Returns the footprints with their heights.
fn buildings(sa: &mut SceneAssets, specs: &[Building]) -> Vec<(Vec<P2>, f32)> {
    let (mut concrete, mut glass, mut roof) =
        (MeshBuf::default(), MeshBuf::default(), MeshBuf::default());
    let mut footprints: Vec<(Vec<P2>, f32)> = Vec::new();
    for b in specs {
        let poly: Vec<P2> = b.shape.corners().iter().map(|p| [p.0, p.1]).collect();
        if poly.len() < 3 {
            continue;
        }
        let h = b.height.max(0.5) as f32;
        for (band, top) in floor_bands(h) {
            concrete.walls(&poly, band.0, band.1);
            if let Some((g0, g1)) = top {
                glass.walls(&poly, g0, g1);
            }
        }
        roof.polygon(&poly, h);
        footprints.push((poly, h));
    }
    let glass_mat = StandardMaterial {
        base_color: rgb(pal::get().glass),
        perceptual_roughness: 0.25,
        metallic: 0.2,
        emissive: LinearRgba::from(rgb([0.35, 0.5, 0.7])) * 0.25,
        ..default()
    };
    for (buf, mat) in [
        (concrete, matte(pal::get().concrete)),
        (glass, glass_mat),
        (roof, matte(pal::get().roof)),
    ] {
        if !buf.is_empty() {
            sa.layer(buf, mat);
        }
    }
    footprints
}

/// One floor of a façade: (concrete from, to), and the glass above it (from, to) if any.
type Band = ((f32, f32), Option<(f32, f32)>);

/// The façade of a building `h` m tall, floor by floor (4 m): a 1.3 m concrete band, then glass
/// up to the next floor, cut at the roof.
fn floor_bands(h: f32) -> Vec<Band> {
    let floor = 4.0f32;
    let mut bands = Vec::new();
    let mut y = 0.0f32;
    while y < h {
        let band = (y + 1.3).min(h);
        let glass = (band < h).then(|| (band, (y + floor).min(h)));
        bands.push(((y, band), glass));
        y += floor;
    }
    bands
}

/// Roadside units: a pole with the unit on top.
fn rsus(sa: &mut SceneAssets, rsus: &[RsuSpec], pole: &Pole) {
    let rsu_head = sa.meshes.add(Cuboid::new(0.7, 1.0, 0.7));
    let rsu_mat = sa.materials.add(glow(pal::get().rsu, 1.5));
    for (i, r) in rsus.iter().enumerate() {
        let h = r.height.max(1.0) as f32;
        sa.commands
            .spawn((
                Infra::Rsu(i),
                Pickable::sphere(4.0),
                Transform::from_translation(world([r.pos.0, r.pos.1], h)),
                Visibility::default(),
            ))
            .with_children(|p| {
                p.spawn((
                    Mesh3d(pole.mesh.clone()),
                    MeshMaterial3d(pole.grey.clone()),
                    Transform::from_xyz(0.0, -h / 2.0, 0.0).with_scale(Vec3::new(1.0, h, 1.0)),
                ));
                p.spawn((Mesh3d(rsu_head.clone()), MeshMaterial3d(rsu_mat.clone())));
            });
    }
}

/// Base stations: a mast with three sector panels, on their roof.
fn gnbs(sa: &mut SceneAssets, gnbs: &[GnbSpec], pole: &Pole, roof_at: impl Fn(P2) -> f32) {
    let panel = sa.meshes.add(Cuboid::new(0.3, 2.4, 0.9));
    let gnb_mat = sa.materials.add(glow(pal::get().gnb, 1.5));
    let beacon = sa.meshes.add(Sphere::new(0.7));
    for (i, g) in gnbs.iter().enumerate() {
        let h = g.height.max(2.0) as f32;
        let base = roof_at([g.pos.0, g.pos.1]).min(h);
        let mast = (h - base).max(2.0);
        sa.commands
            .spawn((
                Infra::Gnb(i),
                Pickable::sphere(7.0),
                Transform::from_translation(world([g.pos.0, g.pos.1], h)),
                Visibility::default(),
            ))
            .with_children(|p| {
                p.spawn((
                    Mesh3d(pole.mesh.clone()),
                    MeshMaterial3d(pole.grey.clone()),
                    Transform::from_xyz(0.0, -mast / 2.0, 0.0)
                        .with_scale(Vec3::new(2.0, mast, 2.0)),
                ));
                for k in 0..3 {
                    let a = k as f32 * std::f32::consts::TAU / 3.0;
                    p.spawn((
                        Mesh3d(panel.clone()),
                        MeshMaterial3d(gnb_mat.clone()),
                        Transform::from_xyz(0.8 * a.cos(), -1.8, 0.8 * a.sin())
                            .with_rotation(Quat::from_rotation_y(-a)),
                    ));
                }
                p.spawn((
                    Mesh3d(beacon.clone()),
                    MeshMaterial3d(gnb_mat.clone()),
                    Transform::from_xyz(0.0, 0.6, 0.0),
                ));
            });
    }
}

fn control_centre(sa: &mut SceneAssets, at: P2, h: f32) {
    let sphere = Sphere::new(5.0)
        .mesh()
        .ico(1)
        .unwrap_or_else(|_| Sphere::new(5.0).mesh().build());
    let mesh = sa.meshes.add(sphere);
    let mat = sa.materials.add(glow(pal::get().control_centre, 2.0));
    sa.commands.spawn((
        Infra::ControlCentre,
        Pickable::sphere(8.0),
        Mesh3d(mesh),
        MeshMaterial3d(mat),
        Transform::from_translation(world(at, h)),
    ));
}

/// The links whose end a signal controls, in link order.
fn signalled_links(net: &RoadNetwork) -> Vec<u32> {
    let mut controlled: Vec<u32> = Vec::new();
    for j in &net.junctions {
        if let JunctionCtl::Signal(p) = &j.ctl {
            controlled.extend(p.timelines.iter().map(|(l, _)| *l));
        }
    }
    controlled.sort_unstable();
    controlled.dedup();
    controlled
}

/// The meshes a traffic light is made of.
struct LightKit {
    mats: SignalMats,
    lamp: Handle<Mesh>,
    housing: Handle<Mesh>,
    dark: Handle<StandardMaterial>,
}

/// Traffic lights at the stop line of every signalised approach, and a coloured bar across
/// its lanes just before the line (visible from far away).
fn traffic_lights(sa: &mut SceneAssets, net: &RoadNetwork, pole: &Pole) {
    let kit = LightKit {
        mats: SignalMats {
            green: sa.materials.add(glow(pal::get().signal_green, 3.0)),
            amber: sa.materials.add(glow(pal::get().signal_amber, 3.0)),
            red: sa.materials.add(glow(pal::get().signal_red, 3.0)),
        },
        lamp: sa.meshes.add(Sphere::new(0.5)),
        housing: sa.meshes.add(Cuboid::new(0.6, 1.6, 0.6)),
        dark: sa.materials.add(matte([0.08, 0.08, 0.09])),
    };
    for link in signalled_links(net) {
        traffic_light(sa, net, link, pole, &kit);
    }
    sa.commands.insert_resource(kit.mats);
}

/// The post, arm, housing and lamp right of the stop line of `link`, and the bar across it.
fn traffic_light(sa: &mut SceneAssets, net: &RoadNetwork, link: u32, pole: &Pole, kit: &LightKit) {
    let l = &net.links[link as usize];
    let w = l.width();
    let (p, dir) = l.center.at(l.length);
    let heading = dir[1].atan2(dir[0]) as f32;
    let base = [p[0] + dir[1] * (w + 1.5), p[1] - dir[0] * (w + 1.5)];
    let arm = (w * 0.6 + 1.5) as f32;
    sa.commands
        .spawn((
            Transform::from_translation(world(base, l.ground(l.length) as f32))
                .with_rotation(Quat::from_rotation_y(heading)),
            Visibility::default(),
        ))
        .with_children(|c| {
            c.spawn((
                Mesh3d(pole.mesh.clone()),
                MeshMaterial3d(pole.grey.clone()),
                Transform::from_xyz(0.0, 3.25, 0.0).with_scale(Vec3::new(1.0, 6.5, 1.0)),
            ));
            c.spawn((
                Mesh3d(pole.mesh.clone()),
                MeshMaterial3d(pole.grey.clone()),
                Transform::from_xyz(0.0, 6.3, -arm / 2.0)
                    .with_rotation(Quat::from_rotation_x(std::f32::consts::FRAC_PI_2))
                    .with_scale(Vec3::new(0.8, arm, 0.8)),
            ));
            c.spawn((
                Mesh3d(kit.housing.clone()),
                MeshMaterial3d(kit.dark.clone()),
                Transform::from_xyz(0.0, 6.0, -arm),
            ));
            c.spawn((
                SignalLamp { link, shown: None },
                Mesh3d(kit.lamp.clone()),
                MeshMaterial3d(kit.mats.red.clone()),
                Transform::from_xyz(-0.3, 6.0, -arm),
            ));
        });
    let mut bar = MeshBuf::default();
    bar.on_ground(l.heights.clone());
    let a = (l.length - 2.6).max(0.0);
    bar.segment(
        &l.center.offset_right(w / 2.0),
        a,
        (l.length - 0.7).max(a + 0.1),
        w - 0.6,
        0.07,
    );
    let mesh = sa.meshes.add(bar.build());
    sa.commands.spawn((
        SignalLamp { link, shown: None },
        Mesh3d(mesh),
        MeshMaterial3d(kit.mats.red.clone()),
    ));
}

/// Show each approach's current colour.
pub fn signals(
    view: Res<SimView>,
    mats: Option<Res<SignalMats>>,
    mut lamps: Query<(&mut SignalLamp, &mut MeshMaterial3d<StandardMaterial>)>,
) {
    let Some(mats) = mats else { return };
    for (mut lamp, mut mat) in &mut lamps {
        let colour = view.signals.get(&lamp.link).copied().unwrap_or(Colour::Red);
        if lamp.shown != Some(colour) {
            lamp.shown = Some(colour);
            mat.0 = match colour {
                Colour::Green => mats.green.clone(),
                Colour::Amber => mats.amber.clone(),
                Colour::Red => mats.red.clone(),
            };
        }
    }
}

/// Link names for the inspector.
pub fn link_names(net: &RoadNetwork, links: &[u32]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut seen: HashMap<&str, ()> = HashMap::new();
    for &l in links {
        if let Some(d) = net.links.get(l as usize) {
            let name = if d.name.is_empty() {
                d.id.as_str()
            } else {
                d.name.as_str()
            };
            if seen.insert(name, ()).is_none() {
                out.push(name.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_in_footprint() {
        let sq = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        assert!(contains(&sq, [5.0, 5.0]));
        assert!(!contains(&sq, [15.0, 5.0]));
    }

    #[test]
    fn floors_alternate_concrete_and_glass_up_to_the_roof() {
        // 10 m: floors at 0, 4 and 8 m; the third floor's band reaches 9.3 m, glass to the roof.
        let want = [
            (0.0, 1.3, 1.3, 4.0),
            (4.0, 5.3, 5.3, 8.0),
            (8.0, 9.3, 9.3, 10.0),
        ];
        let got = floor_bands(10.0);
        assert_eq!(got.len(), want.len());
        for (((c0, c1), g), w) in got.into_iter().zip(want) {
            let (g0, g1) = g.unwrap_or((f32::NAN, f32::NAN));
            for (a, b) in [(c0, w.0), (c1, w.1), (g0, w.2), (g1, w.3)] {
                assert!((a - b).abs() < 1e-5, "{a} vs {b}");
            }
        }
        // Lower than one band: concrete only.
        assert_eq!(floor_bands(0.5), [((0.0, 0.5), None)]);
        // Every band and pane lies within the building.
        for (c, g) in floor_bands(37.0) {
            assert!(c.0 < c.1 && c.1 <= 37.0);
            assert!(g.is_none_or(|g| g.0 == c.1 && g.1 <= 37.0));
        }
    }
}

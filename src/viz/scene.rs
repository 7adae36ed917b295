//! The static district: ground, roads with markings and stop lines, junction boxes, buildings
//! extruded from their footprints, RSU poles, gNB masts, the control centre, traffic lights.
//! Built once from the scenario; only the signal colours change afterwards.
use std::collections::HashMap;

use bevy::prelude::*;

use super::mesh::{MeshBuf, convex_hull, world};
use super::palette as pal;
use super::picking::{Infra, Pickable};
use super::sim::{SimHost, SimView, ViewConfig};
use crate::road::RoadNetwork;
use crate::road::geometry::P2;
use crate::road::network::{JunctionCtl, LANE_WIDTH};
use crate::traffic::signals::Colour;

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

pub fn build(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    host: NonSend<SimHost>,
    cfg: Res<ViewConfig>,
) {
    let net = host.world().resource::<RoadNetwork>().clone();
    let spec = cfg.spec.clone();
    let d = district(&net, &spec);
    commands.insert_resource(d);

    // Ground.
    let c = d.centre();
    let size = d.size() as f32 + 1600.0;
    commands.spawn((
        Mesh3d(meshes.add(Plane3d::default().mesh().size(size, size))),
        MeshMaterial3d(materials.add(matte(pal::GROUND))),
        Transform::from_translation(world(c, 0.0)),
    ));

    // Roads, markings, stop lines.
    let mut asphalt = MeshBuf::default();
    let mut white = MeshBuf::default();
    let mut yellow = MeshBuf::default();
    for l in &net.links {
        let w = f64::from(l.lanes) * LANE_WIDTH;
        let right = l.center.offset_right(w);
        asphalt.strip(&l.center, &right, 0.03);
        yellow.segment(&l.center.offset_right(0.2), 0.0, l.length, 0.15, 0.06);
        white.segment(&l.center.offset_right(w - 0.25), 0.0, l.length, 0.15, 0.06);
        for k in 1..l.lanes {
            white.dashes(
                &l.center.offset_right(f64::from(k) * LANE_WIDTH),
                0.15,
                3.0,
                5.0,
                0.06,
            );
        }
        let end_is_junction = net.nodes[l.to as usize].junction.is_some();
        if end_is_junction {
            let a = (l.length - 0.5).max(0.0);
            white.segment(&l.center.offset_right(w / 2.0), a, l.length, w - 0.2, 0.06);
        }
    }
    // Junction boxes: the hull of the carriageway ends meeting at a node.
    for (i, n) in net.nodes.iter().enumerate() {
        if n.incoming.len() + n.outgoing.len() < 3 && n.junction.is_none() {
            continue;
        }
        let mut pts = Vec::new();
        for &li in n.incoming.iter().chain(&n.outgoing) {
            let l = &net.links[li as usize];
            let s = if l.to as usize == i { l.length } else { 0.0 };
            let w = f64::from(l.lanes) * LANE_WIDTH;
            pts.push(l.center.at(s).0);
            pts.push(l.center.offset_right(w).at(s).0);
        }
        let hull = convex_hull(pts);
        if hull.len() >= 3 {
            asphalt.polygon(&hull, 0.03);
        }
    }
    for (buf, colour) in [
        (asphalt, pal::ASPHALT),
        (white, pal::MARKING),
        (yellow, pal::CENTRE_LINE),
    ] {
        if buf.is_empty() {
            continue;
        }
        let mut m = matte(colour);
        if colour != pal::ASPHALT {
            m.emissive = LinearRgba::from(rgb(colour)) * 0.15;
        }
        commands.spawn((
            Mesh3d(meshes.add(buf.build())),
            MeshMaterial3d(materials.add(m)),
        ));
    }

    // Buildings: floors of concrete and glass, a roof.
    let (mut concrete, mut glass, mut roof) =
        (MeshBuf::default(), MeshBuf::default(), MeshBuf::default());
    let mut footprints: Vec<(Vec<P2>, f32)> = Vec::new();
    for b in &spec.buildings {
        let poly: Vec<P2> = b.shape.corners().iter().map(|p| [p.0, p.1]).collect();
        if poly.len() < 3 {
            continue;
        }
        let h = b.height.max(0.5) as f32;
        let floor = 4.0f32;
        let mut y = 0.0f32;
        while y < h {
            let band = (y + 1.3).min(h);
            concrete.walls(&poly, y, band);
            if band < h {
                glass.walls(&poly, band, (y + floor).min(h));
            }
            y += floor;
        }
        roof.polygon(&poly, h);
        footprints.push((poly, h));
    }
    let glass_mat = StandardMaterial {
        base_color: rgb(pal::GLASS),
        perceptual_roughness: 0.25,
        metallic: 0.2,
        emissive: LinearRgba::from(rgb([0.35, 0.5, 0.7])) * 0.25,
        ..default()
    };
    for (buf, mat) in [
        (concrete, matte(pal::CONCRETE)),
        (glass, glass_mat),
        (roof, matte(pal::ROOF)),
    ] {
        if !buf.is_empty() {
            commands.spawn((
                Mesh3d(meshes.add(buf.build())),
                MeshMaterial3d(materials.add(mat)),
            ));
        }
    }
    let roof_at = |p: P2| {
        footprints
            .iter()
            .filter(|(poly, _)| contains(poly, p))
            .map(|(_, h)| *h)
            .fold(0.0f32, f32::max)
    };

    // Roadside units: a pole with the unit on top.
    let pole = meshes.add(Cylinder::new(0.15, 1.0));
    let grey = materials.add(matte([0.45, 0.47, 0.5]));
    let rsu_head = meshes.add(Cuboid::new(0.7, 1.0, 0.7));
    let rsu_mat = materials.add(glow(pal::RSU, 1.5));
    for (i, r) in spec.v2x.rsus.iter().enumerate() {
        let h = r.height.max(1.0) as f32;
        commands
            .spawn((
                Infra::Rsu(i),
                Pickable { radius: 4.0 },
                Transform::from_translation(world([r.pos.0, r.pos.1], h)),
                Visibility::default(),
            ))
            .with_children(|p| {
                p.spawn((
                    Mesh3d(pole.clone()),
                    MeshMaterial3d(grey.clone()),
                    Transform::from_xyz(0.0, -h / 2.0, 0.0).with_scale(Vec3::new(1.0, h, 1.0)),
                ));
                p.spawn((Mesh3d(rsu_head.clone()), MeshMaterial3d(rsu_mat.clone())));
            });
    }

    // Base stations: a mast with three sector panels, on their roof.
    let panel = meshes.add(Cuboid::new(0.3, 2.4, 0.9));
    let gnb_mat = materials.add(glow(pal::GNB, 1.5));
    let beacon = meshes.add(Sphere::new(0.7));
    for (i, g) in spec.v2x.gnbs.iter().enumerate() {
        let h = g.height.max(2.0) as f32;
        let base = roof_at([g.pos.0, g.pos.1]).min(h);
        let mast = (h - base).max(2.0);
        commands
            .spawn((
                Infra::Gnb(i),
                Pickable { radius: 7.0 },
                Transform::from_translation(world([g.pos.0, g.pos.1], h)),
                Visibility::default(),
            ))
            .with_children(|p| {
                p.spawn((
                    Mesh3d(pole.clone()),
                    MeshMaterial3d(grey.clone()),
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

    // The control centre: a beacon above its building.
    if let Some(cc) = spec.v2x.control_centre {
        let h = roof_at([cc.0, cc.1]) + 14.0;
        commands.spawn((
            Infra::ControlCentre,
            Pickable { radius: 8.0 },
            Mesh3d(
                meshes.add(
                    Sphere::new(5.0)
                        .mesh()
                        .ico(1)
                        .unwrap_or_else(|_| Sphere::new(5.0).mesh().build()),
                ),
            ),
            MeshMaterial3d(materials.add(glow(pal::CONTROL_CENTRE, 2.0))),
            Transform::from_translation(world([cc.0, cc.1], h)),
        ));
    }

    // Traffic lights at the stop line of every signalised approach, and a coloured bar across
    // its lanes just before the line (visible from far away).
    let mats = SignalMats {
        green: materials.add(glow(pal::SIGNAL_GREEN, 3.0)),
        amber: materials.add(glow(pal::SIGNAL_AMBER, 3.0)),
        red: materials.add(glow(pal::SIGNAL_RED, 3.0)),
    };
    let lamp = meshes.add(Sphere::new(0.5));
    let housing = meshes.add(Cuboid::new(0.6, 1.6, 0.6));
    let dark = materials.add(matte([0.08, 0.08, 0.09]));
    let mut controlled: Vec<u32> = Vec::new();
    for j in &net.junctions {
        if let JunctionCtl::Signal(p) = &j.ctl {
            controlled.extend(p.timelines.iter().map(|(l, _)| *l));
        }
    }
    controlled.sort_unstable();
    controlled.dedup();
    for link in controlled {
        let l = &net.links[link as usize];
        let w = f64::from(l.lanes) * LANE_WIDTH;
        let (p, dir) = l.center.at(l.length);
        let heading = dir[1].atan2(dir[0]) as f32;
        let base = [p[0] + dir[1] * (w + 1.5), p[1] - dir[0] * (w + 1.5)];
        let arm = (w * 0.6 + 1.5) as f32;
        commands
            .spawn((
                Transform::from_translation(world(base, 0.0))
                    .with_rotation(Quat::from_rotation_y(heading)),
                Visibility::default(),
            ))
            .with_children(|c| {
                c.spawn((
                    Mesh3d(pole.clone()),
                    MeshMaterial3d(grey.clone()),
                    Transform::from_xyz(0.0, 3.25, 0.0).with_scale(Vec3::new(1.0, 6.5, 1.0)),
                ));
                c.spawn((
                    Mesh3d(pole.clone()),
                    MeshMaterial3d(grey.clone()),
                    Transform::from_xyz(0.0, 6.3, -arm / 2.0)
                        .with_rotation(Quat::from_rotation_x(std::f32::consts::FRAC_PI_2))
                        .with_scale(Vec3::new(0.8, arm, 0.8)),
                ));
                c.spawn((
                    Mesh3d(housing.clone()),
                    MeshMaterial3d(dark.clone()),
                    Transform::from_xyz(0.0, 6.0, -arm),
                ));
                c.spawn((
                    SignalLamp { link, shown: None },
                    Mesh3d(lamp.clone()),
                    MeshMaterial3d(mats.red.clone()),
                    Transform::from_xyz(-0.3, 6.0, -arm),
                ));
            });
        let mut bar = MeshBuf::default();
        let a = (l.length - 2.6).max(0.0);
        bar.segment(
            &l.center.offset_right(w / 2.0),
            a,
            (l.length - 0.7).max(a + 0.1),
            w - 0.6,
            0.07,
        );
        commands.spawn((
            SignalLamp { link, shown: None },
            Mesh3d(meshes.add(bar.build())),
            MeshMaterial3d(mats.red.clone()),
        ));
    }
    commands.insert_resource(mats);
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
}

//! Vehicles and pedestrians: a model per kind (car, bus, truck) with shared mesh and material
//! handles, so 1000 vehicles batch into a few draw calls; automated vs human by colour; brake
//! lights when braking harder than 1 m/s²; hazard lights on a broken-down vehicle.
use bevy::prelude::*;

use super::mesh::MeshBuf;
use super::palette as pal;
use super::scene::{glow, rgb};
use super::selection::Pickable;
use super::sim::{ViewPedestrian, ViewVehicle};
use crate::scenario::spec::Body;
use crate::scenario::spec::Kind;
use crate::traffic::components::{Motion, Vehicle};

/// Deceleration that lights the brake lights, m/s².
pub const BRAKE_LIGHTS_BELOW: f64 = -1.0;

/// The model of one kind: painted body, glass, rear lights (in the body frame: x forward, y up,
/// z right, origin at the body's centre).
struct Model {
    paint: Handle<Mesh>,
    trim: Option<Handle<Mesh>>,
    glass: Handle<Mesh>,
    lights: Handle<Mesh>,
}

#[derive(Resource)]
pub struct VehicleAssets {
    models: [Model; 3],
    /// [automated, human].
    paint: [Handle<StandardMaterial>; 2],
    trim: [Handle<StandardMaterial>; 2],
    glass: Handle<StandardMaterial>,
    lights_off: Handle<StandardMaterial>,
    brake: Handle<StandardMaterial>,
    hazard: Handle<StandardMaterial>,
    ped: Handle<Mesh>,
    ped_mat: Handle<StandardMaterial>,
}

/// The rear-light child of a vehicle.
#[derive(Component)]
pub struct RearLights;

fn kind_index(k: Kind) -> usize {
    match k {
        Kind::Car => 0,
        Kind::Bus => 1,
        Kind::Truck => 2,
    }
}

/// The meshes of a model while it is built.
#[derive(Default)]
struct Parts {
    paint: MeshBuf,
    trim: MeshBuf,
    glass: MeshBuf,
    lights: MeshBuf,
}

fn model(meshes: &mut Assets<Mesh>, kind: Kind) -> Model {
    let b: Body = kind.body();
    let half = Vec3::new(
        (b.length / 2.0) as f32,
        (b.height / 2.0) as f32,
        (b.width / 2.0) as f32,
    );
    let mut p = Parts::default();
    match kind {
        Kind::Car => car(&mut p, half),
        Kind::Bus => bus(&mut p, half),
        Kind::Truck => truck(&mut p, half),
    }
    Model {
        paint: meshes.add(p.paint.build()),
        trim: (!p.trim.is_empty()).then(|| meshes.add(p.trim.build())),
        glass: meshes.add(p.glass.build()),
        lights: meshes.add(p.lights.build()),
    }
}

/// A pair of rear lights on the back face (x = -l), from `y0` to `y1` above the bottom, from
/// `inner` to `outer` of the half width out on each side.
fn rear_light_pair(
    lights: &mut MeshBuf,
    half: Vec3,
    (y0, y1): (f32, f32),
    (inner, outer): (f32, f32),
) {
    let (l, h, w) = (half.x, half.y, half.z);
    let v = Vec3::new;
    lights.cuboid(
        v(-l - 0.04, -h + y0, -w * outer),
        v(-l + 0.02, -h + y1, -w * inner),
    );
    lights.cuboid(
        v(-l - 0.04, -h + y0, w * inner),
        v(-l + 0.02, -h + y1, w * outer),
    );
}

/// A saloon: body, glasshouse, roof.
fn car(p: &mut Parts, half: Vec3) {
    let (l, h, w) = (half.x, half.y, half.z);
    let v = Vec3::new;
    p.paint.cuboid(v(-l, -h, -w), v(l, -h + 0.8, w));
    p.glass.cuboid(
        v(-l * 0.55, -h + 0.8, -w * 0.88),
        v(l * 0.4, h - 0.12, w * 0.88),
    );
    p.paint
        .cuboid(v(-l * 0.5, h - 0.12, -w * 0.86), v(l * 0.35, h, w * 0.86));
    rear_light_pair(&mut p.lights, half, (0.45, 0.65), (0.45, 0.9));
}

/// A city bus: a box on a dark skirt with a band of windows.
fn bus(p: &mut Parts, half: Vec3) {
    let (l, h, w) = (half.x, half.y, half.z);
    let v = Vec3::new;
    p.paint.cuboid(v(-l, -h + 0.3, -w), v(l, h, w));
    p.trim
        .cuboid(v(-l + 0.2, -h, -w + 0.1), v(l - 0.2, -h + 0.3, w - 0.1));
    p.glass.cuboid(
        v(-l + 0.4, -h + 1.3, -w - 0.02),
        v(l + 0.02, h - 0.45, w + 0.02),
    );
    rear_light_pair(&mut p.lights, half, (0.6, 0.95), (0.6, 0.95));
}

/// A lorry: painted cab in front of a box body on a chassis.
fn truck(p: &mut Parts, half: Vec3) {
    let (l, h, w) = (half.x, half.y, half.z);
    let v = Vec3::new;
    let cab = 2.4;
    p.paint.cuboid(v(l - cab, -h + 0.4, -w), v(l, h - 0.6, w));
    p.glass.cuboid(
        v(l - 0.5, -h + 1.6, -w * 0.9),
        v(l + 0.03, h - 0.9, w * 0.9),
    );
    p.trim.cuboid(v(-l, -h + 0.7, -w), v(l - cab - 0.2, h, w));
    p.trim
        .cuboid(v(-l + 0.3, -h, -w + 0.2), v(l - 0.3, -h + 0.7, w - 0.2));
    rear_light_pair(&mut p.lights, half, (0.8, 1.1), (0.6, 0.95));
}

pub fn setup(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
) {
    let models = [Kind::Car, Kind::Bus, Kind::Truck].map(|k| model(&mut meshes, k));
    let paint = |m: &mut Assets<StandardMaterial>, c: [f32; 3], dim: f32| {
        m.add(StandardMaterial {
            base_color: rgb([c[0] * dim, c[1] * dim, c[2] * dim]),
            perceptual_roughness: 0.45,
            emissive: LinearRgba::from(rgb(c)) * 0.35,
            ..default()
        })
    };
    let assets = VehicleAssets {
        models,
        paint: [
            paint(&mut materials, pal::get().automated, 1.0),
            paint(&mut materials, pal::get().human, 1.0),
        ],
        trim: [
            paint(&mut materials, pal::get().automated, 0.55),
            paint(&mut materials, pal::get().human, 0.55),
        ],
        glass: materials.add(StandardMaterial {
            base_color: rgb(pal::get().window),
            perceptual_roughness: 0.15,
            ..default()
        }),
        lights_off: materials.add(StandardMaterial {
            base_color: Color::srgb(0.35, 0.04, 0.04),
            ..default()
        }),
        brake: materials.add(glow(pal::get().brake, 6.0)),
        hazard: materials.add(glow(pal::get().hazard, 6.0)),
        ped: meshes.add(Capsule3d::new(0.3, 1.1)),
        ped_mat: materials.add(glow(pal::get().pedestrian, 1.2)),
    };
    commands.insert_resource(assets);
}

/// A new vehicle in the view: attach its model.
pub fn on_add_vehicle(
    add: On<Add, Vehicle>,
    vehicles: Query<&Vehicle>,
    assets: Res<VehicleAssets>,
    mut commands: Commands,
) {
    let Ok(v) = vehicles.get(add.entity) else {
        return;
    };
    let m = &assets.models[kind_index(v.kind)];
    let who = usize::from(!v.automated);
    let radius = (v.body.length / 2.0).max(2.0) as f32;
    let b = &v.body;
    let half = Vec3::new(b.length as f32, b.height as f32, b.width as f32) / 2.0;
    commands
        .entity(add.entity)
        .insert(Pickable {
            radius,
            half: Some(half),
        })
        .with_children(|c| {
            c.spawn((
                Mesh3d(m.paint.clone()),
                MeshMaterial3d(assets.paint[who].clone()),
            ));
            if let Some(trim) = &m.trim {
                c.spawn((
                    Mesh3d(trim.clone()),
                    MeshMaterial3d(assets.trim[who].clone()),
                ));
            }
            c.spawn((
                Mesh3d(m.glass.clone()),
                MeshMaterial3d(assets.glass.clone()),
            ));
            c.spawn((
                RearLights,
                Mesh3d(m.lights.clone()),
                MeshMaterial3d(assets.lights_off.clone()),
            ));
        });
}

/// A new pedestrian in the view.
pub fn on_add_pedestrian(
    add: On<Add, ViewPedestrian>,
    assets: Res<VehicleAssets>,
    mut commands: Commands,
) {
    commands.entity(add.entity).insert((
        Pickable::sphere(1.5),
        Mesh3d(assets.ped.clone()),
        MeshMaterial3d(assets.ped_mat.clone()),
    ));
}

/// Brake lights while decelerating; hazard lights blinking at 1.5 Hz on a stalled vehicle.
pub fn rear_lights(
    time: Res<Time<Real>>,
    assets: Res<VehicleAssets>,
    vehicles: Query<(&Motion, &ViewVehicle, &Children)>,
    mut lights: Query<&mut MeshMaterial3d<StandardMaterial>, With<RearLights>>,
) {
    let blink = ((time.elapsed_secs() * 3.0) as u32).is_multiple_of(2);
    for (m, vv, children) in &vehicles {
        let want = if vv.stalled {
            if blink {
                &assets.hazard
            } else {
                &assets.lights_off
            }
        } else if m.acc < BRAKE_LIGHTS_BELOW {
            &assets.brake
        } else {
            &assets.lights_off
        };
        for c in children.iter() {
            if let Ok(mut mat) = lights.get_mut(c)
                && mat.0 != *want
            {
                mat.0 = want.clone();
            }
        }
    }
}

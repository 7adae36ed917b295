//! Buildings as static colliders: boxes directly, polygons as convex hulls of their footprint
//! extruded to their height (concave footprints are approximated by their hull for blocking).
use bevy::prelude::*;
use bevy_rapier3d::prelude::*;

use crate::scenario::spec::Footprint;
use crate::sight::BUILDINGS;
use crate::sim::SpecRes;

/// A building block, for the view and for radio line of sight.
#[derive(Component, Debug, Clone)]
pub struct Building {
    pub index: u32,
    pub height: f64,
}

pub fn spawn(mut commands: Commands, spec: Res<SpecRes>) {
    for (i, b) in spec.0.buildings.iter().enumerate() {
        let h = b.height.max(0.1) as f32;
        let collider = match &b.shape {
            Footprint::Box {
                center,
                size,
                rotation_deg,
            } => {
                let tf = Transform::from_xyz(center.0 as f32, h / 2.0, -center.1 as f32)
                    .with_rotation(Quat::from_rotation_y(rotation_deg.to_radians() as f32));
                commands.spawn((
                    Building {
                        index: i as u32,
                        height: b.height,
                    },
                    tf,
                    RigidBody::Fixed,
                    Collider::cuboid((size.0 / 2.0) as f32, h / 2.0, (size.1 / 2.0) as f32),
                    CollisionGroups::new(BUILDINGS, Group::ALL),
                ));
                continue;
            }
            Footprint::Polygon(pts) => {
                let mut hull: Vec<Vec3> = Vec::with_capacity(pts.len() * 2);
                for p in pts {
                    hull.push(Vec3::new(p.0 as f32, 0.0, -p.1 as f32));
                    hull.push(Vec3::new(p.0 as f32, h, -p.1 as f32));
                }
                Collider::convex_hull(&hull)
            }
        };
        if let Some(collider) = collider {
            commands.spawn((
                Building {
                    index: i as u32,
                    height: b.height,
                },
                Transform::default(),
                RigidBody::Fixed,
                collider,
                CollisionGroups::new(BUILDINGS, Group::ALL),
            ));
        }
    }
}

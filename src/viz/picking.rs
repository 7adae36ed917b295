//! Click to select: a ray from the cursor against a bounding sphere per pickable thing (vehicles,
//! pedestrians, RSUs, gNBs, the control centre). No picking backend needed.
use bevy::prelude::*;
use bevy::window::PrimaryWindow;

use super::camera::{MainCamera, pointer_over_panel};
use super::selection::{Pickable, Selected};

/// Distance along the ray to the sphere, if it hits.
pub fn ray_sphere(origin: Vec3, dir: Vec3, centre: Vec3, radius: f32) -> Option<f32> {
    let oc = origin - centre;
    let b = oc.dot(dir);
    let c = oc.length_squared() - radius * radius;
    let disc = b * b - c;
    if disc < 0.0 {
        return None;
    }
    let s = disc.sqrt();
    let t = if -b - s >= 0.0 { -b - s } else { -b + s };
    (t >= 0.0).then_some(t)
}

/// Where the left button went down, to tell a click from an orbit drag.
#[derive(Resource, Default)]
pub struct PressedAt(Option<Vec2>);

pub fn pick(
    buttons: Res<ButtonInput<MouseButton>>,
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Single<(&Camera, &GlobalTransform), With<MainCamera>>,
    pickables: Query<(Entity, &GlobalTransform, &Pickable)>,
    mut pressed: ResMut<PressedAt>,
    mut selected: ResMut<Selected>,
) {
    let Some(cursor) = window.cursor_position() else {
        return;
    };
    if buttons.just_pressed(MouseButton::Left) {
        pressed.0 = (!pointer_over_panel(&window, cursor)).then_some(cursor);
    }
    if !buttons.just_released(MouseButton::Left) {
        return;
    }
    let Some(start) = pressed.0.take() else {
        return;
    };
    if start.distance(cursor) > 5.0 {
        return;
    }
    let (cam, cam_tf) = *camera;
    let Ok(ray) = cam.viewport_to_world(cam_tf, cursor) else {
        return;
    };
    let dir = *ray.direction;
    // Far things are hard to hit: every target is at least ~6 px across (45° vertical fov).
    let px_per_m = 2.0 * (22.5f32).to_radians().tan() / window.height().max(1.0);
    let hit = pickables
        .iter()
        .filter_map(|(e, tf, p)| {
            let c = tf.translation();
            let min_r = 6.0 * px_per_m * c.distance(ray.origin);
            ray_sphere(ray.origin, dir, c, p.radius.max(min_r)).map(|t| (e, t))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1));
    selected.0 = hit.map(|(e, _)| e);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rays_hit_spheres_in_front_only() {
        let t = ray_sphere(Vec3::ZERO, Vec3::X, Vec3::new(10.0, 0.0, 0.0), 1.0).unwrap();
        assert!((t - 9.0).abs() < 1e-5);
        assert!(ray_sphere(Vec3::ZERO, Vec3::X, Vec3::new(-10.0, 0.0, 0.0), 1.0).is_none());
        assert!(ray_sphere(Vec3::ZERO, Vec3::X, Vec3::new(10.0, 3.0, 0.0), 1.0).is_none());
    }
}

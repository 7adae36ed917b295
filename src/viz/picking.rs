//! Click to select: a ray from the cursor against each vehicle's body (a box), else against a
//! bounding sphere per pickable thing (pedestrians, RSUs, gNBs, the control centre), widened so
//! that far things stay clickable, taking the one nearest the ray. No picking backend needed.
use bevy::prelude::*;
use bevy::ui::RelativeCursorPosition;
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

/// Distance along the ray to a box placed by `tf` (no scale) with half extents `half`, if it
/// hits: the slab test in the box's own frame.
pub fn ray_box(origin: Vec3, dir: Vec3, tf: &GlobalTransform, half: Vec3) -> Option<f32> {
    let inv = tf.affine().inverse();
    let (o, d) = (inv.transform_point3(origin), inv.transform_vector3(dir));
    let (mut near, mut far) = (0.0f32, f32::INFINITY);
    for i in 0..3 {
        if d[i].abs() < 1e-9 {
            if o[i].abs() > half[i] {
                return None;
            }
            continue;
        }
        let (a, b) = ((-half[i] - o[i]) / d[i], (half[i] - o[i]) / d[i]);
        near = near.max(a.min(b));
        far = far.min(a.max(b));
        if near > far {
            return None;
        }
    }
    Some(near)
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
    timeline: Query<&RelativeCursorPosition, With<super::timeline::Track>>,
) {
    let Some(cursor) = window.cursor_position() else {
        return;
    };
    if buttons.just_pressed(MouseButton::Left) {
        let on_timeline = timeline.iter().any(RelativeCursorPosition::cursor_over);
        pressed.0 = (!pointer_over_panel(&window, cursor) && !on_timeline).then_some(cursor);
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
    selected.0 = under(cam, cam_tf, cursor, window.height(), pickables.iter());
}

/// The pickable thing under the cursor: a body the ray passes through (the nearest along it is
/// the one seen); else, far things being hard to hit, every target at least ~6 px across (45°
/// vertical fov), the one whose centre is nearest the ray in angle.
pub fn under<'a>(
    cam: &Camera,
    cam_tf: &GlobalTransform,
    cursor: Vec2,
    window_h: f32,
    pickables: impl Iterator<Item = (Entity, &'a GlobalTransform, &'a Pickable)> + Clone,
) -> Option<Entity> {
    let ray = cam.viewport_to_world(cam_tf, cursor).ok()?;
    let dir = *ray.direction;
    let body = pickables
        .clone()
        .filter_map(|(e, tf, p)| Some((e, ray_box(ray.origin, dir, tf, p.half?)?)))
        .min_by(|a, b| a.1.total_cmp(&b.1));
    let px_per_m = 2.0 * (22.5f32).to_radians().tan() / window_h.max(1.0);
    let near = || {
        pickables
            .filter_map(|(e, tf, p)| {
                let c = tf.translation();
                let range = c.distance(ray.origin).max(1e-3);
                let r = p.radius.max(6.0 * px_per_m * range);
                ray_sphere(ray.origin, dir, c, r)?;
                let miss = (c - ray.origin).cross(dir).length() / range;
                Some((e, miss))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
    };
    body.or_else(near).map(|(e, _)| e)
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

    #[test]
    fn a_ray_at_the_second_car_of_a_queue_passes_its_neighbours_sphere_but_not_its_body() {
        // Two 4.5 m cars 1 m apart along x, seen low from behind the first: the ray aimed at
        // the second one's roof passes through the first one's bounding sphere (which picked
        // the neighbour), above its body.
        let car = |x: f32| GlobalTransform::from(Transform::from_xyz(x, 0.75, 0.0));
        let half = Vec3::new(2.25, 0.75, 0.9);
        let origin = Vec3::new(-30.0, 10.0, 0.0);
        let dir = (Vec3::new(3.5, 1.4, 0.0) - origin).normalize();
        let first_sphere = ray_sphere(origin, dir, Vec3::new(0.0, 0.75, 0.0), 2.25);
        let second_body = ray_box(origin, dir, &car(5.5), half);
        assert!(first_sphere.unwrap() < second_body.unwrap());
        assert!(ray_box(origin, dir, &car(0.0), half).is_none());
        // From above: the gap between them is neither body.
        let down = Vec3::NEG_Y;
        let over = |x: f32| Vec3::new(x, 50.0, 0.0);
        assert!(ray_box(over(2.75), down, &car(0.0), half).is_none());
        assert!(ray_box(over(2.75), down, &car(5.5), half).is_none());
        // The hit is on the roof, 50 - 1.5 m down.
        let t = ray_box(over(0.0), down, &car(0.0), half).unwrap();
        assert!((t - 48.5).abs() < 1e-4, "{t}");
        // A car turned 90° about y has its length along z.
        let turned = GlobalTransform::from(
            Transform::from_xyz(0.0, 0.75, 0.0)
                .with_rotation(Quat::from_rotation_y(std::f32::consts::FRAC_PI_2)),
        );
        assert!(ray_box(Vec3::new(0.0, 50.0, 2.0), down, &turned, half).is_some());
        assert!(ray_box(Vec3::new(2.0, 50.0, 0.0), down, &turned, half).is_none());
    }
}

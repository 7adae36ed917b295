//! The camera: orbit (left drag), pan (right or middle drag, WASD / arrows), zoom (wheel),
//! top-down (T), follow the selected vehicle (F), reset (C). Lights are set up here too.
use bevy::camera::visibility::RenderLayers;
use bevy::camera::{PerspectiveProjection, Projection, Viewport};
use bevy::ecs::system::SystemParam;
use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll, MouseScrollUnit};
use bevy::light::CascadeShadowConfigBuilder;
use bevy::pbr::{DistanceFog, FogFalloff};
use bevy::prelude::*;
use bevy::render::renderer::RenderAdapterInfo;
use bevy::window::PrimaryWindow;
use wgpu_types::DeviceType;

use super::mesh::world;
use super::palette as pal;
use super::scene::{District, rgb};
use super::selection::Selected;
use super::sim::{SimHost, ViewConfig};
use crate::road::RoadNetwork;

/// Width of the dashboard panel on the right, logical px.
pub const PANEL_W: f32 = 340.0;

#[derive(Component)]
pub struct MainCamera;

/// Orbit camera state: looks at `focus` from `dist` m away at `yaw` (about up, 0 = from the
/// south) and `pitch` (above the horizon).
#[derive(Component, Debug, Clone, Copy)]
pub struct OrbitCam {
    pub focus: Vec3,
    pub yaw: f32,
    pub pitch: f32,
    pub dist: f32,
    pub top_down: bool,
    pub follow: bool,
    home: (Vec3, f32, f32, f32),
}

impl OrbitCam {
    /// Back to where the view started, looking obliquely and not following.
    fn go_home(&mut self) {
        let (f, y, p, d) = self.home;
        self.focus = f;
        self.yaw = y;
        self.pitch = p;
        self.dist = d;
        self.top_down = false;
        self.follow = false;
    }

    fn transform(&self) -> Transform {
        let pitch = if self.top_down {
            89.5f32.to_radians()
        } else {
            self.pitch
        };
        let yaw = if self.top_down { 0.0 } else { self.yaw };
        let off = Vec3::new(
            pitch.cos() * yaw.sin(),
            pitch.sin(),
            pitch.cos() * yaw.cos(),
        ) * self.dist;
        Transform::from_translation(self.focus + off).looking_at(self.focus, Vec3::Y)
    }
}

/// Is the pointer over the dashboard (so drags and clicks there do not move the camera)?
pub fn pointer_over_panel(window: &Window, cursor: Vec2) -> bool {
    cursor.x > window.width() - PANEL_W
}

/// How far the camera stands from a frame's middle per metre of its radius: the radius fills
/// about 45 % of the height at the 45° vertical field of view (1 / tan 22.5° ≈ 2.4).
const FRAME_DISTANCE_PER_M: f32 = 2.2;
/// Camera elevation over the district overview, rad (27°: the skyline along the boulevard).
const OVERVIEW_PITCH: f32 = 0.48;
/// Camera elevation over a scenario's action, rad (55°): steep enough to see a crossing between
/// the towers around it.
const ACTION_PITCH: f32 = 0.96;

/// The view from the east-south-east: framed on the scenario's action where it has one
/// (`replay::framing::action`); else, for the whole district, the oblique overview down World
/// Cup-buk-ro into the media district around the control centre, the heart of the testbed; else
/// the middle of the map.
fn home(district: &District, cfg: &ViewConfig, net: &RoadNetwork) -> OrbitCam {
    let size = district.size() as f32;
    let action = || crate::replay::framing::action(&cfg.spec, net, district.centre());
    let yaw = 1.15f32;
    let (focus, dist, pitch) = match (action(), cfg.spec.v2x.control_centre) {
        (Some((c, r)), _) => (
            world(c, 0.0),
            (r as f32 * FRAME_DISTANCE_PER_M).clamp(80.0, size.max(80.0)),
            ACTION_PITCH,
        ),
        (None, Some(cc)) => (
            world([cc.0 + 110.0, cc.1 - 120.0], 0.0),
            (size * 0.22).clamp(150.0, 600.0),
            OVERVIEW_PITCH,
        ),
        (None, None) => (world(district.centre(), 0.0), size * 0.7, OVERVIEW_PITCH),
    };
    OrbitCam {
        focus,
        yaw,
        pitch,
        dist,
        top_down: false,
        follow: false,
        home: (focus, yaw, pitch, dist),
    }
}

/// Multisampling for a renderer: none on a CPU renderer (Mesa llvmpipe, no GPU), where 4×
/// multisampling nearly doubles the cost of a frame (docs/viz.md, "Draw cost": 734 → 414 ms,
/// measured with `view --measure`); 4× on a GPU.
pub fn msaa_for(adapter: Option<&RenderAdapterInfo>) -> Msaa {
    match adapter.map(|a| a.0.device_type) {
        Some(DeviceType::Cpu) => Msaa::Off,
        _ => Msaa::Sample4,
    }
}

pub fn setup(
    mut commands: Commands,
    district: Res<District>,
    cfg: Res<ViewConfig>,
    host: NonSend<SimHost>,
    adapter: Option<Res<RenderAdapterInfo>>,
) {
    let size = district.size() as f32;
    let cam = home(&district, &cfg, host.world().resource::<RoadNetwork>());
    let msaa = msaa_for(adapter.as_deref());
    commands.spawn((
        msaa,
        MainCamera,
        Camera3d::default(),
        Camera {
            viewport: Some(scene_viewport(super::WIDTH as f32, super::HEIGHT as f32)),
            ..default()
        },
        Projection::Perspective(PerspectiveProjection {
            near: 0.5,
            far: 50_000.0,
            ..default()
        }),
        cam.transform(),
        cam,
        DistanceFog {
            color: rgb(pal::get().sky),
            falloff: FogFalloff::Linear {
                start: size * 1.2,
                end: size * 3.5,
            },
            ..default()
        },
    ));
    // The dashboard is drawn by its own camera over the whole window.
    commands.spawn((
        Camera2d,
        Camera {
            order: 1,
            clear_color: ClearColorConfig::None,
            ..default()
        },
        msaa,
        IsDefaultUiCamera,
        // Nothing of the 3D scene (gizmos included) on this camera.
        RenderLayers::layer(1),
    ));
    lights(&mut commands, size);
}

/// Sky, ambient light and a low sun casting cascaded shadows over the district.
fn lights(commands: &mut Commands, size: f32) {
    commands.insert_resource(ClearColor(rgb(pal::get().sky)));
    commands.insert_resource(GlobalAmbientLight {
        color: Color::srgb(0.75, 0.82, 1.0),
        brightness: 900.0,
        ..default()
    });
    commands.spawn((
        DirectionalLight {
            color: Color::srgb(1.0, 0.93, 0.82),
            illuminance: 9_000.0,
            shadow_maps_enabled: true,
            ..default()
        },
        Transform::from_xyz(-0.5, 1.0, 0.35).looking_at(Vec3::ZERO, Vec3::Y),
        CascadeShadowConfigBuilder {
            num_cascades: 3,
            first_cascade_far_bound: size * 0.3,
            maximum_distance: size * 2.5,
            ..default()
        }
        .build(),
    ));
}

/// The 3D view fills the window left of the dashboard.
fn scene_viewport(w: f32, h: f32) -> Viewport {
    Viewport {
        physical_position: UVec2::ZERO,
        physical_size: UVec2::new((w - PANEL_W).max(1.0) as u32, h.max(1.0) as u32),
        ..default()
    }
}

/// Keep the viewport beside the dashboard when the window changes size.
pub fn fit_viewport(
    window: Single<&Window, With<PrimaryWindow>>,
    mut cams: Query<&mut Camera, With<MainCamera>>,
) {
    let (w, h) = (
        window.physical_width() as f32,
        window.physical_height() as f32,
    );
    let s = window.scale_factor();
    for mut cam in &mut cams {
        let want = Viewport {
            physical_position: UVec2::ZERO,
            physical_size: UVec2::new(((w - PANEL_W * s).max(1.0)) as u32, h.max(1.0) as u32),
            ..default()
        };
        if cam
            .viewport
            .as_ref()
            .is_none_or(|v| v.physical_size != want.physical_size)
        {
            cam.viewport = Some(want);
        }
    }
}

/// The mouse and keyboard state the camera reads.
#[derive(SystemParam)]
pub struct CamInput<'w, 's> {
    keys: Res<'w, ButtonInput<KeyCode>>,
    buttons: Res<'w, ButtonInput<MouseButton>>,
    motion: Res<'w, AccumulatedMouseMotion>,
    scroll: Res<'w, AccumulatedMouseScroll>,
    window: Single<'w, 's, &'static Window, With<PrimaryWindow>>,
    time: Res<'w, Time<Real>>,
}

/// What the camera may follow: the selection and where things are.
#[derive(SystemParam)]
pub struct FollowTarget<'w, 's> {
    selected: Res<'w, Selected>,
    targets: Query<'w, 's, &'static GlobalTransform>,
}

const DRAG_BUTTONS: [MouseButton; 3] = [MouseButton::Left, MouseButton::Right, MouseButton::Middle];

pub fn control(
    input: CamInput,
    follow: FollowTarget,
    mut cams: Query<(&mut OrbitCam, &mut Transform), With<MainCamera>>,
    mut dragging: Local<bool>,
) {
    let Ok((mut cam, mut tf)) = cams.single_mut() else {
        return;
    };
    let dt = input.time.delta_secs().min(0.1);
    let over_panel = input
        .window
        .cursor_position()
        .is_some_and(|c| pointer_over_panel(&input.window, c));
    let buttons = &input.buttons;
    if buttons.any_just_pressed(DRAG_BUTTONS) {
        *dragging = !over_panel;
    }
    if !buttons.any_pressed(DRAG_BUTTONS) {
        *dragging = false;
    }
    drag(&mut cam, buttons, input.motion.delta, *dragging);
    steer(&mut cam, &input.keys, dt);
    // Zoom.
    if !over_panel && input.scroll.delta.y != 0.0 {
        cam.dist = zoomed(cam.dist, scroll_notches(&input.scroll));
    }
    toggles(&mut cam, &input.keys, follow.selected.0.is_some());
    if cam.follow {
        let target = follow.selected.0.and_then(|e| follow.targets.get(e).ok());
        match target {
            Some(t) => {
                let goal = t.translation().with_y(0.0);
                cam.focus = cam.focus.lerp(goal, (dt * 6.0).min(1.0));
            }
            None => cam.follow = false,
        }
    }
    let new = cam.transform();
    if *tf != new {
        *tf = new;
    }
}

/// Forward and right along the ground as the camera looks (north-up when top-down).
fn ground_axes(cam: &OrbitCam) -> (Vec3, Vec3) {
    let fwd = if cam.top_down {
        Vec3::NEG_Z
    } else {
        Vec3::new(-cam.yaw.sin(), 0.0, -cam.yaw.cos())
    };
    (fwd, Vec3::new(-fwd.z, 0.0, fwd.x))
}

/// Orbit with a left drag, pan in the ground plane (scaled by distance) with a right or middle
/// drag.
fn drag(cam: &mut OrbitCam, buttons: &ButtonInput<MouseButton>, d: Vec2, dragging: bool) {
    if dragging && buttons.pressed(MouseButton::Left) && !cam.top_down {
        cam.yaw -= d.x * 0.005;
        cam.pitch = (cam.pitch + d.y * 0.004).clamp(0.08, 1.5);
    }
    let (fwd, right) = ground_axes(cam);
    let k = cam.dist * 0.0015;
    if dragging && (buttons.pressed(MouseButton::Right) || buttons.pressed(MouseButton::Middle)) {
        cam.focus += (-right * d.x + fwd * d.y) * k;
        cam.follow = false;
    }
}

/// WASD / arrows move the focus, Q and E turn.
fn steer(cam: &mut OrbitCam, keys: &ButtonInput<KeyCode>, dt: f32) {
    let (fwd, right) = ground_axes(cam);
    let held = |a, b| keys.pressed(a) || keys.pressed(b);
    let mut mv = Vec3::ZERO;
    if held(KeyCode::KeyW, KeyCode::ArrowUp) {
        mv += fwd;
    }
    if held(KeyCode::KeyS, KeyCode::ArrowDown) {
        mv -= fwd;
    }
    if held(KeyCode::KeyD, KeyCode::ArrowRight) {
        mv += right;
    }
    if held(KeyCode::KeyA, KeyCode::ArrowLeft) {
        mv -= right;
    }
    if mv != Vec3::ZERO {
        cam.focus += mv.normalize() * cam.dist * 0.8 * dt;
        cam.follow = false;
    }
    if keys.pressed(KeyCode::KeyQ) {
        cam.yaw += 1.2 * dt;
    }
    if keys.pressed(KeyCode::KeyE) {
        cam.yaw -= 1.2 * dt;
    }
}

/// Wheel notches: lines as they are, pixels at 40 a notch.
fn scroll_notches(scroll: &AccumulatedMouseScroll) -> f32 {
    match scroll.unit {
        MouseScrollUnit::Line => scroll.delta.y,
        MouseScrollUnit::Pixel => scroll.delta.y / 40.0,
    }
}

/// Each notch brings the camera 12 % closer, within 8 m .. 8 km.
fn zoomed(dist: f32, notches: f32) -> f32 {
    (dist * 0.88f32.powf(notches)).clamp(8.0, 8000.0)
}

/// T top-down, F follow the selection (closing in from afar), C back home.
fn toggles(cam: &mut OrbitCam, keys: &ButtonInput<KeyCode>, has_selection: bool) {
    if keys.just_pressed(KeyCode::KeyT) {
        cam.top_down = !cam.top_down;
    }
    if keys.just_pressed(KeyCode::KeyF) && has_selection {
        cam.follow = !cam.follow;
        if cam.follow && cam.dist > 250.0 {
            cam.dist = 120.0;
        }
    }
    if keys.just_pressed(KeyCode::KeyC) {
        cam.go_home();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cam(yaw: f32, top_down: bool) -> OrbitCam {
        OrbitCam {
            focus: Vec3::ZERO,
            yaw,
            pitch: 0.5,
            dist: 100.0,
            top_down,
            follow: false,
            home: (Vec3::ZERO, yaw, 0.5, 100.0),
        }
    }

    #[test]
    fn ground_axes_are_level_unit_and_right_handed() {
        for yaw in [0.0f32, 0.7, 1.15, -2.0, 3.0] {
            let c = cam(yaw, false);
            let (fwd, right) = ground_axes(&c);
            assert!((fwd.length() - 1.0).abs() < 1e-6 && (right.length() - 1.0).abs() < 1e-6);
            assert_eq!((fwd.y, right.y), (0.0, 0.0));
            assert!(fwd.dot(right).abs() < 1e-6);
            // Right of forward, seen from above (+Y up): forward x right points down.
            assert!(fwd.cross(right).y < 0.0);
            // Forward points from the camera towards the focus, along the ground.
            let eye = c.transform().translation.with_y(0.0);
            assert!(eye.normalize().dot(fwd) < -0.999);
        }
        assert_eq!(ground_axes(&cam(1.0, true)), (Vec3::NEG_Z, Vec3::X));
    }

    #[test]
    fn zoom_is_geometric_and_bounded() {
        assert!((zoomed(100.0, 1.0) - 88.0).abs() < 1e-4);
        assert!((zoomed(zoomed(100.0, 1.0), -1.0) - 100.0).abs() < 1e-3);
        assert_eq!(zoomed(10.0, 50.0), 8.0);
        assert_eq!(zoomed(7000.0, -50.0), 8000.0);
    }

    #[test]
    fn home_restores_the_start_pose() {
        let mut c = cam(1.15, false);
        let start = c.transform();
        c.yaw = 0.1;
        c.dist = 900.0;
        c.focus = Vec3::new(5.0, 0.0, 9.0);
        c.top_down = true;
        c.follow = true;
        c.go_home();
        assert_eq!(c.transform(), start);
        assert!(!c.top_down && !c.follow);
    }
}

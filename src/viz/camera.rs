//! The camera: orbit (left drag), pan (right or middle drag, WASD / arrows), zoom (wheel),
//! top-down (T), follow the selected vehicle (F), reset (C). Lights are set up here too.
use bevy::camera::visibility::RenderLayers;
use bevy::camera::{PerspectiveProjection, Projection, Viewport};
use bevy::input::mouse::{AccumulatedMouseMotion, AccumulatedMouseScroll, MouseScrollUnit};
use bevy::light::CascadeShadowConfigBuilder;
use bevy::pbr::{DistanceFog, FogFalloff};
use bevy::prelude::*;
use bevy::window::PrimaryWindow;

use super::mesh::world;
use super::palette as pal;
use super::picking::Selected;
use super::scene::{District, rgb};
use super::sim::ViewConfig;

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

pub fn setup(mut commands: Commands, district: Res<District>, cfg: Res<ViewConfig>) {
    // The oblique overview: from the east-south-east, down World Cup-buk-ro into the media
    // district around the control centre (the heart of the testbed), or the middle of the map
    // when there is no control centre.
    let size = district.size() as f32;
    let (focus, dist) = match cfg.spec.v2x.control_centre {
        Some(cc) => (
            world([cc.0 + 110.0, cc.1 - 120.0], 0.0),
            (size * 0.22).clamp(150.0, 600.0),
        ),
        None => (world(district.centre(), 0.0), size * 0.7),
    };
    let (yaw, pitch) = (1.15f32, 0.48f32);
    let cam = OrbitCam {
        focus,
        yaw,
        pitch,
        dist,
        top_down: false,
        follow: false,
        home: (focus, yaw, pitch, dist),
    };
    commands.spawn((
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
            color: rgb(pal::SKY),
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
        IsDefaultUiCamera,
        // Nothing of the 3D scene (gizmos included) on this camera.
        RenderLayers::layer(1),
    ));
    commands.insert_resource(ClearColor(rgb(pal::SKY)));
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

#[allow(clippy::too_many_arguments)]
pub fn control(
    keys: Res<ButtonInput<KeyCode>>,
    buttons: Res<ButtonInput<MouseButton>>,
    motion: Res<AccumulatedMouseMotion>,
    scroll: Res<AccumulatedMouseScroll>,
    window: Single<&Window, With<PrimaryWindow>>,
    time: Res<Time<Real>>,
    selected: Res<Selected>,
    targets: Query<&GlobalTransform>,
    mut cams: Query<(&mut OrbitCam, &mut Transform), With<MainCamera>>,
    mut dragging: Local<bool>,
) {
    let Ok((mut cam, mut tf)) = cams.single_mut() else {
        return;
    };
    let dt = time.delta_secs().min(0.1);
    let over_panel = window
        .cursor_position()
        .is_some_and(|c| pointer_over_panel(&window, c));
    let any = [MouseButton::Left, MouseButton::Right, MouseButton::Middle];
    if buttons.any_just_pressed(any) {
        *dragging = !over_panel;
    }
    if !buttons.any_pressed(any) {
        *dragging = false;
    }
    let d = motion.delta;
    // Orbit.
    if *dragging && buttons.pressed(MouseButton::Left) && !cam.top_down {
        cam.yaw -= d.x * 0.005;
        cam.pitch = (cam.pitch + d.y * 0.004).clamp(0.08, 1.5);
    }
    // Pan in the ground plane, scaled by distance.
    let fwd = Vec3::new(-cam.yaw.sin(), 0.0, -cam.yaw.cos());
    let fwd = if cam.top_down { Vec3::NEG_Z } else { fwd };
    let right = Vec3::new(-fwd.z, 0.0, fwd.x);
    let k = cam.dist * 0.0015;
    if *dragging && (buttons.pressed(MouseButton::Right) || buttons.pressed(MouseButton::Middle)) {
        cam.focus += (-right * d.x + fwd * d.y) * k;
        cam.follow = false;
    }
    let mut mv = Vec3::ZERO;
    if keys.pressed(KeyCode::KeyW) || keys.pressed(KeyCode::ArrowUp) {
        mv += fwd;
    }
    if keys.pressed(KeyCode::KeyS) || keys.pressed(KeyCode::ArrowDown) {
        mv -= fwd;
    }
    if keys.pressed(KeyCode::KeyD) || keys.pressed(KeyCode::ArrowRight) {
        mv += right;
    }
    if keys.pressed(KeyCode::KeyA) || keys.pressed(KeyCode::ArrowLeft) {
        mv -= right;
    }
    if mv != Vec3::ZERO {
        let step = mv.normalize() * cam.dist * 0.8 * dt;
        cam.focus += step;
        cam.follow = false;
    }
    if keys.pressed(KeyCode::KeyQ) {
        cam.yaw += 1.2 * dt;
    }
    if keys.pressed(KeyCode::KeyE) {
        cam.yaw -= 1.2 * dt;
    }
    // Zoom.
    if !over_panel && scroll.delta.y != 0.0 {
        let notches = match scroll.unit {
            MouseScrollUnit::Line => scroll.delta.y,
            MouseScrollUnit::Pixel => scroll.delta.y / 40.0,
        };
        cam.dist = (cam.dist * 0.88f32.powf(notches)).clamp(8.0, 8000.0);
    }
    if keys.just_pressed(KeyCode::KeyT) {
        cam.top_down = !cam.top_down;
    }
    if keys.just_pressed(KeyCode::KeyF) && selected.0.is_some() {
        cam.follow = !cam.follow;
        if cam.follow && cam.dist > 250.0 {
            cam.dist = 120.0;
        }
    }
    if keys.just_pressed(KeyCode::KeyC) {
        let (f, y, p, dd) = cam.home;
        cam.focus = f;
        cam.yaw = y;
        cam.pitch = p;
        cam.dist = dd;
        cam.top_down = false;
        cam.follow = false;
    }
    if cam.follow {
        match selected.0.and_then(|e| targets.get(e).ok()) {
            Some(t) => {
                let goal = t.translation().with_y(0.0);
                let a = (dt * 6.0).min(1.0);
                cam.focus = cam.focus.lerp(goal, a);
            }
            None => cam.follow = false,
        }
    }
    let new = cam.transform();
    if *tf != new {
        *tf = new;
    }
}

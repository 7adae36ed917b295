//! Road users legible at every zoom: bodies drawn larger when far away (never shorter than
//! [`MIN_LENGTH_PX`] on screen), and a label that names what the pointer is over, else what is
//! selected (`view --select ID` selects a vehicle once it is on the road).
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::window::PrimaryWindow;

use super::camera::{MainCamera, pointer_over_panel};
use super::palette as pal;
use super::picking::under;
use super::scene::rgb;
use super::selection::{Infra, Pickable, Selected};
use super::sim::{ViewConfig, ViewPedestrian, ViewVehicle};
use crate::traffic::components::{Motion, Vehicle};

/// Shortest a road user is drawn on screen, px: a car of 4.5 m is a recognisable shape at
/// about this length; nearer than that, bodies are to scale.
pub const MIN_LENGTH_PX: f32 = 14.0;
/// Largest enlargement: beyond it a far vehicle stays small rather than cover its street.
pub const MAX_SCALE: f32 = 6.0;
/// A pedestrian's height, m (the capsule the view draws).
const PEDESTRIAN_HEIGHT_M: f32 = 1.7;

/// How much to enlarge a body `len_m` long seen from `distance_m` in a viewport `viewport_h_px`
/// high (45° vertical field of view), to be at least [`MIN_LENGTH_PX`] long.
pub fn legible_scale(len_m: f32, distance_m: f32, viewport_h_px: f32) -> f32 {
    let px_per_m = viewport_h_px / (2.0 * (22.5f32).to_radians().tan() * distance_m.max(1e-3));
    (MIN_LENGTH_PX / (len_m.max(0.1) * px_per_m)).clamp(1.0, MAX_SCALE)
}

/// A vehicle to select once it is on the road (`view --select`).
#[derive(Resource, Debug, Default)]
pub struct SelectWhenSeen(pub Option<String>);

/// The label panel and its text.
#[derive(Component)]
pub struct LabelPanel;
#[derive(Component)]
pub struct LabelText;

pub fn setup(mut commands: Commands) {
    commands
        .spawn((
            LabelPanel,
            Node {
                position_type: PositionType::Absolute,
                padding: UiRect::axes(Val::Px(6.0), Val::Px(2.0)),
                border: UiRect::all(Val::Px(2.0)),
                border_radius: BorderRadius::all(Val::Px(4.0)),
                display: Display::None,
                ..default()
            },
            BackgroundColor(Color::srgba(
                pal::get().panel[0],
                pal::get().panel[1],
                pal::get().panel[2],
                pal::get().panel[3],
            )),
            BorderColor::all(rgb(pal::get().look)),
            GlobalZIndex(10),
        ))
        .with_children(|p| {
            p.spawn((
                LabelText,
                Text::new(""),
                TextFont {
                    font_size: FontSize::Px(13.0),
                    ..default()
                },
                TextColor(rgb(pal::get().text)),
            ));
        });
}

/// The bodies the view draws: vehicles and pedestrians.
type Bodies<'w, 's> = Query<
    'w,
    's,
    (&'static mut Transform, Option<&'static Vehicle>),
    Or<(With<ViewVehicle>, With<ViewPedestrian>)>,
>;

/// Enlarge far bodies, standing them on the ground (after the mirror has placed them).
pub fn enlarge(camera: Single<(&Camera, &GlobalTransform), With<MainCamera>>, mut bodies: Bodies) {
    let (cam, cam_tf) = *camera;
    let h = cam.logical_viewport_size().map_or(720.0, |s| s.y);
    for (mut tf, v) in &mut bodies {
        let (len, height) = v.map_or((0.6, PEDESTRIAN_HEIGHT_M), |v| {
            (v.body.length as f32, v.body.height as f32)
        });
        let s = legible_scale(len, tf.translation.distance(cam_tf.translation()), h);
        tf.scale = Vec3::splat(s);
        tf.translation.y = height / 2.0 * s;
    }
}

/// Select the vehicle `view --select` named, once it is on the road.
pub fn select_when_seen(
    mut pending: ResMut<SelectWhenSeen>,
    vehicles: Query<(Entity, &Vehicle), With<ViewVehicle>>,
    mut selected: ResMut<Selected>,
) {
    let Some(id) = pending.0.as_deref() else {
        return;
    };
    if let Some((e, _)) = vehicles.iter().find(|(_, v)| v.id == id) {
        selected.0 = Some(e);
        pending.0 = None;
    }
}

/// What the label says of a thing.
type Named = (
    Option<&'static Vehicle>,
    Option<&'static Motion>,
    Option<&'static Infra>,
);

/// What the label reads: the pointer, the camera, the things and the selection.
#[derive(SystemParam)]
pub struct LabelInput<'w, 's> {
    window: Single<'w, 's, &'static Window, With<PrimaryWindow>>,
    camera: Single<'w, 's, (&'static Camera, &'static GlobalTransform), With<MainCamera>>,
    pickables: Query<'w, 's, (Entity, &'static GlobalTransform, &'static Pickable)>,
    named: Query<'w, 's, Named>,
    selected: Res<'w, Selected>,
    cfg: Res<'w, ViewConfig>,
}

/// The label over what the pointer is on, else over the selection.
pub fn place(
    input: LabelInput,
    mut panel: Single<&mut Node, With<LabelPanel>>,
    mut text: Single<&mut Text, With<LabelText>>,
) {
    let LabelInput {
        window,
        camera,
        pickables,
        named,
        selected,
        cfg,
    } = input;
    let (cam, cam_tf) = *camera;
    let hovered = window
        .cursor_position()
        .filter(|c| !pointer_over_panel(&window, *c))
        .and_then(|c| under(cam, cam_tf, c, window.height(), pickables.iter()));
    let target = hovered.or(selected.0).and_then(|e| {
        let (_, tf, p) = pickables.get(e).ok()?;
        let top = tf.translation() + Vec3::Y * (p.radius + 1.5);
        Some((e, cam.world_to_viewport(cam_tf, top).ok()?))
    });
    let Some((e, at)) = target else {
        panel.display = Display::None;
        return;
    };
    let words = named
        .get(e)
        .map_or_else(|_| String::new(), |n| describe(n, &cfg));
    if text.0 != words {
        text.0 = words;
    }
    panel.display = Display::Flex;
    panel.left = Val::Px(at.x + 8.0);
    panel.top = Val::Px((at.y - 26.0).max(0.0));
}

/// `av_car, automated car, 12.3 m/s`, `RSU rsu_1`, ... (the UI font has no middle dot).
fn describe(
    (v, m, infra): (Option<&Vehicle>, Option<&Motion>, Option<&Infra>),
    cfg: &ViewConfig,
) -> String {
    let spec = &cfg.spec;
    match (v, infra) {
        (Some(v), _) => {
            let who = if v.automated {
                "automated"
            } else {
                "human-driven"
            };
            let speed = m.map_or(String::new(), |m| format!(", {:.1} m/s", m.v));
            format!("{}, {who} {}{speed}", v.id, v.kind.name())
        }
        (None, Some(Infra::Rsu(i))) => spec
            .v2x
            .rsus
            .get(*i)
            .map_or(String::new(), |r| format!("RSU {}", r.id)),
        (None, Some(Infra::Gnb(i))) => spec
            .v2x
            .gnbs
            .get(*i)
            .map_or(String::new(), |g| format!("gNB {}", g.id)),
        (None, Some(Infra::ControlCentre)) => "control centre".into(),
        (None, None) => "pedestrian".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn far_bodies_are_enlarged_to_the_minimum_length_and_near_ones_kept_to_scale() {
        // 720 px at 45°: 1 m at 100 m is 720 / (2 tan 22.5° × 100) = 8.69 px; a 4.5 m car 39 px.
        assert_eq!(legible_scale(4.5, 100.0, 720.0), 1.0);
        // At 1 km it is 3.9 px: enlarged 14 / 3.9 = 3.58 times.
        let s = legible_scale(4.5, 1000.0, 720.0);
        assert!((s - 3.58).abs() < 0.01, "{s}");
        assert_eq!(legible_scale(4.5, 100_000.0, 720.0), MAX_SCALE);
    }
}

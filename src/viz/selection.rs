//! What can be selected and what is: the pickable things (vehicles, pedestrians, RSUs, gNBs,
//! the control centre), infrastructure by index, and the current selection. Types only, shared
//! by the scene that marks things, the picking that selects, the camera that follows and the
//! inspector that shows.
use bevy::prelude::*;

/// Something the user can click: the radius of its bounding sphere, m, and for a vehicle the
/// half extents of its body (length, height, width in its own frame), which picking tests
/// first so that the car under the pointer is the one chosen, not its neighbour in a queue.
#[derive(Component, Debug, Clone, Copy)]
pub struct Pickable {
    pub radius: f32,
    pub half: Option<Vec3>,
}

impl Pickable {
    pub fn sphere(radius: f32) -> Self {
        Pickable { radius, half: None }
    }
}

/// An infrastructure node, by index into the scenario's lists.
#[derive(Component, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Infra {
    Rsu(usize),
    Gnb(usize),
    ControlCentre,
}

/// The selection shown in the inspector.
#[derive(Resource, Debug, Default)]
pub struct Selected(pub Option<Entity>);

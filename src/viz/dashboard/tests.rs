//! The dashboard in a windowless app.
use bevy::prelude::*;

use super::{Dash, InspectorPanel, Stats, inspector, refresh};
use crate::viz::messages::{PerEntity, VizMessages};
use crate::viz::selection::{Infra, Selected};
use crate::viz::sim::{ViewConfig, ViewVehicle, advance, mirror, snapshot, test_app};

/// The inspector describes a selected vehicle and a selected RSU (windowless app).
#[test]
fn inspector_describes_the_selection() {
    let mut app = test_app(true, 1500);
    app.init_resource::<Selected>()
        .init_resource::<PerEntity>()
        .init_resource::<Stats>()
        .init_resource::<VizMessages>()
        .add_systems(
            Update,
            (advance, mirror, snapshot, refresh, inspector).chain(),
        );
    app.world_mut()
        .spawn((InspectorPanel, Node::default()))
        .with_children(|p| {
            p.spawn((Dash::Inspector, Text::new("")));
        });
    let rsu = app.world_mut().spawn(Infra::Rsu(0)).id();
    app.update();
    app.update();
    let text = |app: &mut App| {
        let mut q = app.world_mut().query::<(&Dash, &Text)>();
        q.iter(app.world())
            .find(|(d, _)| **d == Dash::Inspector)
            .map(|(_, t)| t.0.clone())
            .unwrap_or_default()
    };
    let mut vq = app
        .world_mut()
        .query_filtered::<Entity, With<ViewVehicle>>();
    let vehicle = vq
        .iter(app.world())
        .next()
        .expect("a vehicle on the road at 15 s");
    app.world_mut().resource_mut::<Selected>().0 = Some(vehicle);
    app.update();
    let s = text(&mut app);
    assert!(s.starts_with("VEHICLE "), "{s}");
    assert!(s.contains("km/h") && s.contains("route"), "{s}");
    app.world_mut().resource_mut::<Selected>().0 = Some(rsu);
    app.update();
    let s = text(&mut app);
    assert!(s.starts_with("RSU rsu_"), "{s}");
    // Expectations were checked live.
    assert_eq!(
        app.world().resource::<Stats>().verdicts.len(),
        app.world().resource::<ViewConfig>().spec.expectations.len()
    );
}

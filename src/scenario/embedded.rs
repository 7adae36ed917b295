//! Scenarios built into the binary, so `sangam-sim run` works without a checkout.
//!
//! Includes of an embedded scenario resolve against this same table (names are `/`-separated
//! paths relative to `scenarios/`), never against the disk, so a built-in scenario cannot
//! silently pick up a stray local file.

use super::diag::{Diag, Diagnostics};
use super::load::{Loaded, load_with};

/// (name relative to `scenarios/`, text). Add fragments here too when a scenario includes them.
pub const FILES: &[(&str, &str)] = &[
    ("bus-loop.ron", include_str!("../../scenarios/bus-loop.ron")),
    (
        "common/emergency-brake-world.ron",
        include_str!("../../scenarios/common/emergency-brake-world.ron"),
    ),
    (
        "common/hidden-pedestrian-world.ron",
        include_str!("../../scenarios/common/hidden-pedestrian-world.ron"),
    ),
    (
        "common/red-light-runner-world.ron",
        include_str!("../../scenarios/common/red-light-runner-world.ron"),
    ),
    (
        "common/sangam-map.ron",
        include_str!("../../scenarios/common/sangam-map.ron"),
    ),
    (
        "emergency-brake-eebl-no-v2x.ron",
        include_str!("../../scenarios/emergency-brake-eebl-no-v2x.ron"),
    ),
    (
        "emergency-brake-eebl.ron",
        include_str!("../../scenarios/emergency-brake-eebl.ron"),
    ),
    (
        "examples/minimal.ron",
        include_str!("../../scenarios/examples/minimal.ron"),
    ),
    (
        "glosa-world-cup-buk-ro.ron",
        include_str!("../../scenarios/glosa-world-cup-buk-ro.ron"),
    ),
    (
        "gnb-outage.ron",
        include_str!("../../scenarios/gnb-outage.ron"),
    ),
    ("grid-8x8.ron", include_str!("../../scenarios/grid-8x8.ron")),
    (
        "hidden-pedestrian-no-v2x.ron",
        include_str!("../../scenarios/hidden-pedestrian-no-v2x.ron"),
    ),
    (
        "hidden-pedestrian.ron",
        include_str!("../../scenarios/hidden-pedestrian.ron"),
    ),
    (
        "red-light-runner-no-v2x.ron",
        include_str!("../../scenarios/red-light-runner-no-v2x.ron"),
    ),
    (
        "red-light-runner.ron",
        include_str!("../../scenarios/red-light-runner.ron"),
    ),
    (
        "sangam-dmc.ron",
        include_str!("../../scenarios/sangam-dmc.ron"),
    ),
    (
        "stalled-vehicle-denm.ron",
        include_str!("../../scenarios/stalled-vehicle-denm.ron"),
    ),
];

/// The scenario run when none is named.
pub const DEFAULT: &str = "sangam-dmc.ron";

/// The text of a built-in file.
pub fn get(name: &str) -> Option<&'static str> {
    FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// Names of the built-in files.
pub fn names() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(n, _)| *n)
}

/// Loads a built-in scenario, resolving its includes from [`FILES`].
pub fn load_embedded(name: &str) -> Result<Loaded, Diagnostics> {
    let Some(src) = get(name) else {
        let known: Vec<&str> = names().collect();
        return Err(Diagnostics::single(Diag::whole_file(
            name,
            format!("no built-in scenario named `{name}`"),
            Some(format!("built-in scenarios: {}", known.join(", "))),
        )));
    };
    load_with(name, src, &mut |path: &str| {
        get(path)
            .map(str::to_string)
            .ok_or_else(|| format!("no built-in file `{path}`"))
    })
}

//! The view's colours (sRGB components, 0-1), in one place: the scene, the dashboard and the
//! screenshot test's pixel classes use them. They are data, `assets/view/palette.ron`, loaded
//! through Bevy's `AssetServer` (`viz::assets`), with the same file built into the binary for
//! when `assets/` is not there; restyle the view by editing it. The gradients below are
//! formulas and stay code.
use std::sync::OnceLock;

use bevy::asset::io::Reader;
use bevy::asset::{AssetLoader, LoadContext};
use bevy::prelude::*;
use serde::Deserialize;

/// The colours, by what they paint.
#[derive(Asset, TypePath, Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Palette {
    /// Night-blue sky and fog.
    pub sky: [f32; 3],
    /// Ground between the roads: dark blue-green.
    pub ground: [f32; 3],
    /// Asphalt (roads and junction boxes).
    pub asphalt: [f32; 3],
    /// Lane markings and stop lines.
    pub marking: [f32; 3],
    /// Centre line (Korean roads: yellow).
    pub centre_line: [f32; 3],
    /// Lines of a lane reserved for some kinds (Korean bus lanes: blue).
    pub bus_lane: [f32; 3],
    /// Building walls between floors.
    pub concrete: [f32; 3],
    /// Building glass bands.
    pub glass: [f32; 3],
    /// Roofs.
    pub roof: [f32; 3],
    /// Automated vehicles.
    pub automated: [f32; 3],
    /// Human-driven vehicles.
    pub human: [f32; 3],
    /// Vehicle windows.
    pub window: [f32; 3],
    /// Brake lights (emissive).
    pub brake: [f32; 3],
    /// Hazard lights of a broken-down vehicle (emissive, blinking).
    pub hazard: [f32; 3],
    /// Pedestrians.
    pub pedestrian: [f32; 3],
    /// Roadside units.
    pub rsu: [f32; 3],
    /// 5G base stations.
    pub gnb: [f32; 3],
    /// The control centre beacon.
    pub control_centre: [f32; 3],
    /// Signal colours.
    pub signal_green: [f32; 3],
    pub signal_amber: [f32; 3],
    pub signal_red: [f32; 3],
    /// The road user being looked at: the label's edge (and the browser report's mark ring).
    pub look: [f32; 3],
    /// Dashboard.
    pub panel: [f32; 4],
    pub panel_edge: [f32; 3],
    pub text: [f32; 3],
    pub text_dim: [f32; 3],
    pub accent: [f32; 3],
    pub good: [f32; 3],
    pub warn: [f32; 3],
    pub bad: [f32; 3],
}

/// The palette the binary carries: `assets/view/palette.ron` as it was built.
pub const BUILT_IN: &str = include_str!("../../assets/view/palette.ron");

/// The palette in use, set once when the view's assets are in (`viz::assets`).
static ACTIVE: OnceLock<Palette> = OnceLock::new();

/// The built-in palette.
pub fn built_in() -> Palette {
    // The file is part of the build and its parse is tested (`tests::the_built_in_palette_reads`).
    ron::from_str(BUILT_IN).unwrap_or_else(|e| panic!("assets/view/palette.ron: {e}"))
}

/// The palette in use (the built-in one until another is adopted).
pub fn get() -> &'static Palette {
    ACTIVE.get_or_init(built_in)
}

/// Use `p` from now on; false when a palette was already in use (it stays).
pub fn adopt(p: Palette) -> bool {
    ACTIVE.set(p).is_ok()
}

/// Reads a palette (`*.palette.ron`) for the asset server.
#[derive(Default, TypePath)]
pub struct PaletteLoader;

impl AssetLoader for PaletteLoader {
    type Asset = Palette;
    type Settings = ();
    type Error = BevyError;

    async fn load(
        &self,
        reader: &mut dyn Reader,
        _settings: &(),
        _ctx: &mut LoadContext<'_>,
    ) -> Result<Palette, BevyError> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).await?;
        Ok(ron::de::from_bytes(&bytes)?)
    }

    fn extensions(&self) -> &[&str] {
        &["palette.ron"]
    }
}

/// Latency colour: green at or below 10 ms, through yellow, red at or above 100 ms (log scale).
pub fn latency(ms: f64) -> [f32; 3] {
    let x = ((ms.max(1e-3).log10() - 1.0) / 1.0).clamp(0.0, 1.0) as f32;
    if x < 0.5 {
        let k = x * 2.0;
        [0.2 + 0.8 * k, 0.95, 0.3 * (1.0 - k)]
    } else {
        let k = (x - 0.5) * 2.0;
        [1.0, 0.95 * (1.0 - k) + 0.15 * k, 0.0 + 0.1 * k]
    }
}

/// Channel busy ratio colour (0 = idle blue, 0.5 yellow, ≥ 0.8 red), with alpha.
pub fn cbr(ratio: f64) -> [f32; 4] {
    let x = (ratio / 0.8).clamp(0.0, 1.0) as f32;
    let rgb = if x < 0.5 {
        let k = x * 2.0;
        [0.1 + 0.9 * k, 0.4 + 0.5 * k, 1.0 - 0.9 * k]
    } else {
        let k = (x - 0.5) * 2.0;
        [1.0, 0.9 - 0.75 * k, 0.1]
    };
    [rgb[0], rgb[1], rgb[2], 0.15 + 0.3 * x]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_palette_reads() {
        let p = built_in();
        assert_eq!(p.automated, [0.05, 0.78, 0.76]);
        assert_eq!(p.panel[3], 0.90);
        // Every field is needed: one left out is an error, as is one it does not know.
        let short = BUILT_IN.replace("sky:", "// sky:");
        assert!(ron::from_str::<Palette>(&short).is_err());
    }

    #[test]
    fn latency_colours_run_from_green_to_red() {
        assert!(latency(5.0)[1] > 0.9 && latency(5.0)[0] < 0.3);
        assert!(latency(200.0)[0] > 0.9 && latency(200.0)[1] < 0.3);
        let mid = latency(31.6);
        assert!(mid[0] > 0.9 && mid[1] > 0.9);
    }
}

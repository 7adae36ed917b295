//! The view's colours, in one place: the scene, the dashboard and the screenshot test all use
//! these (sRGB components, 0-1).

/// Night-blue sky and fog.
pub const SKY: [f32; 3] = [0.045, 0.063, 0.09];
/// Ground between the roads: dark blue-green.
pub const GROUND: [f32; 3] = [0.055, 0.075, 0.07];
/// Asphalt (roads and junction boxes).
pub const ASPHALT: [f32; 3] = [0.20, 0.21, 0.23];
/// Lane markings and stop lines.
pub const MARKING: [f32; 3] = [0.92, 0.92, 0.90];
/// Centre line (Korean roads: yellow).
pub const CENTRE_LINE: [f32; 3] = [0.95, 0.74, 0.15];
/// Building walls between floors.
pub const CONCRETE: [f32; 3] = [0.74, 0.75, 0.78];
/// Building glass bands.
pub const GLASS: [f32; 3] = [0.23, 0.36, 0.52];
/// Roofs.
pub const ROOF: [f32; 3] = [0.42, 0.44, 0.48];
/// Automated vehicles.
pub const AUTOMATED: [f32; 3] = [0.05, 0.78, 0.76];
/// Human-driven vehicles.
pub const HUMAN: [f32; 3] = [1.0, 0.50, 0.12];
/// Vehicle windows.
pub const WINDOW: [f32; 3] = [0.06, 0.08, 0.11];
/// Brake lights (emissive).
pub const BRAKE: [f32; 3] = [1.0, 0.05, 0.03];
/// Hazard lights of a broken-down vehicle (emissive, blinking).
pub const HAZARD: [f32; 3] = [1.0, 0.62, 0.0];
/// Pedestrians.
pub const PEDESTRIAN: [f32; 3] = [1.0, 0.90, 0.25];
/// Roadside units.
pub const RSU: [f32; 3] = [0.72, 0.42, 1.0];
/// 5G base stations.
pub const GNB: [f32; 3] = [1.0, 0.33, 0.55];
/// The control centre beacon.
pub const CONTROL_CENTRE: [f32; 3] = [0.25, 0.85, 1.0];
/// Signal colours.
pub const SIGNAL_GREEN: [f32; 3] = [0.15, 1.0, 0.35];
pub const SIGNAL_AMBER: [f32; 3] = [1.0, 0.72, 0.05];
pub const SIGNAL_RED: [f32; 3] = [1.0, 0.12, 0.10];

/// The road user being looked at: the label's edge (and the browser report's mark ring).
pub const LOOK: [f32; 3] = [1.0, 0.17, 0.84];

/// Dashboard.
pub const PANEL: [f32; 4] = [0.035, 0.047, 0.066, 0.90];
pub const PANEL_EDGE: [f32; 3] = [0.16, 0.22, 0.30];
pub const TEXT: [f32; 3] = [0.86, 0.89, 0.93];
pub const TEXT_DIM: [f32; 3] = [0.52, 0.58, 0.66];
pub const ACCENT: [f32; 3] = [0.25, 0.85, 1.0];
pub const GOOD: [f32; 3] = [0.30, 0.90, 0.45];
pub const WARN: [f32; 3] = [1.0, 0.75, 0.20];
pub const BAD: [f32; 3] = [1.0, 0.33, 0.30];

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
    fn latency_colours_run_from_green_to_red() {
        assert!(latency(5.0)[1] > 0.9 && latency(5.0)[0] < 0.3);
        assert!(latency(200.0)[0] > 0.9 && latency(200.0)[1] < 0.3);
        let mid = latency(31.6);
        assert!(mid[0] > 0.9 && mid[1] > 0.9);
    }
}

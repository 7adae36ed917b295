//! `view --measure SECONDS`: how fast the view draws here. After the first frames (pipelines
//! compile lazily), it times every frame for that much wall time at the requested speed,
//! prints the frame rate, the slowest frame and the speed the simulation kept, with the
//! renderer that drew them, and exits. docs/viz.md quotes it for Mesa llvmpipe.
use std::time::Instant;

use bevy::prelude::*;
use bevy::render::renderer::RenderAdapterInfo;

use super::sim::SimHost;

/// Frames left out at the start (shaders compile and meshes upload then).
const WARM_UP_FRAMES: u32 = 20;

#[derive(Resource, Debug)]
pub struct Measure {
    seconds: f64,
    warm: u32,
    started: Option<(Instant, f64)>,
    frames: Vec<f64>,
}

impl Measure {
    pub fn new(seconds: f64) -> Self {
        Measure {
            seconds,
            warm: 0,
            started: None,
            frames: Vec::new(),
        }
    }
}

/// Time one frame; at the end, print the figures and exit.
pub fn drive(
    real: Res<Time<Real>>,
    host: NonSend<SimHost>,
    adapter: Option<Res<RenderAdapterInfo>>,
    mut m: ResMut<Measure>,
    mut exit: MessageWriter<AppExit>,
) {
    let t = host.clock().t();
    if m.warm < WARM_UP_FRAMES {
        m.warm += 1;
        return;
    }
    let Some((since, t0)) = m.started else {
        m.started = Some((Instant::now(), t));
        return;
    };
    m.frames.push(real.delta_secs_f64());
    let wall = since.elapsed().as_secs_f64();
    if wall < m.seconds && !host.clock().done() {
        return;
    }
    let n = m.frames.len() as f64;
    let slowest = m.frames.iter().copied().fold(0.0, f64::max);
    let renderer = adapter.map_or_else(
        || "unknown".to_string(),
        |a| format!("{} ({:?}, {:?})", a.0.name, a.0.device_type, a.0.backend),
    );
    println!(
        "drew {n} frames in {wall:.1} s: {:.2} frames/s, mean frame {:.0} ms, slowest {:.0} ms; \
         simulated {:.1} s ({:.2}x real time); renderer {renderer}",
        n / wall,
        1e3 * wall / n,
        1e3 * slowest,
        t - t0,
        (t - t0) / wall,
    );
    exit.write(AppExit::Success);
}

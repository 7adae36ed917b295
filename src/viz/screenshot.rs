//! Headless capture: run to `--at` as fast as possible, let the renderer settle, save the primary
//! window to a PNG, wait until the file is complete, exit.
use std::path::PathBuf;
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, save_to_disk};

use super::sim::{SimHost, TimeCtl};

/// Frames rendered after reaching the time before capturing (pipelines compile
/// asynchronously; on llvmpipe the first frames may miss meshes).
const SETTLE_FRAMES: u32 = 40;
/// Give up after this long.
const TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Running,
    Settling(u32),
    Capturing(u32),
}

#[derive(Resource, Debug)]
pub struct ShotMode {
    pub path: PathBuf,
    pub at: f64,
    phase: Phase,
    started: Instant,
    last_size: u64,
}

impl ShotMode {
    pub fn new(path: PathBuf, at: f64) -> Self {
        // A stale file would look like success.
        let _ = std::fs::remove_file(&path);
        ShotMode {
            path,
            at,
            phase: Phase::Running,
            started: Instant::now(),
            last_size: 0,
        }
    }
}

pub fn drive(
    mut commands: Commands,
    mut shot: ResMut<ShotMode>,
    mut ctl: ResMut<TimeCtl>,
    host: NonSend<SimHost>,
    mut exit: MessageWriter<AppExit>,
) {
    if shot.started.elapsed() > TIMEOUT {
        error!("screenshot: timed out after {:?}", TIMEOUT);
        exit.write(AppExit::error());
        return;
    }
    let clock = host.clock();
    match shot.phase {
        Phase::Running => {
            let target = ((shot.at / clock.dt).round() as u64).min(clock.total);
            if clock.step >= target {
                ctl.run_to = None;
                ctl.paused = true;
                shot.phase = Phase::Settling(0);
            } else {
                ctl.run_to = Some(target);
            }
        }
        Phase::Settling(n) if n >= SETTLE_FRAMES => {
            let path = shot.path.clone();
            commands
                .spawn(Screenshot::primary_window())
                .observe(save_to_disk(path));
            shot.phase = Phase::Capturing(0);
        }
        Phase::Settling(n) => shot.phase = Phase::Settling(n + 1),
        Phase::Capturing(n) => {
            // Done once the file exists and its size held for a few frames.
            let size = std::fs::metadata(&shot.path).map_or(0, |m| m.len());
            let stable = size > 0 && size == shot.last_size;
            shot.last_size = size;
            shot.phase = Phase::Capturing(if stable { n + 1 } else { 0 });
            if stable && n >= 3 {
                info!(
                    "screenshot: wrote {} at t = {:.2} s",
                    shot.path.display(),
                    clock.t()
                );
                exit.write(AppExit::Success);
            }
        }
    }
}

//! CAM generation rules, ETSI EN 302 637-2 V1.3.2 §6.1.3, as implemented in Artery
//! (`CaService::checkTriggeringConditions`, docs/standards.md §4a).
//!
//! Every T_CheckCamGen (100 ms) the generator checks, once at least T_GenCam_DCC has passed
//! since the last CAM:
//! 1. dynamics: heading changed by > 4°, position by > 4 m or speed by > 0.5 m/s since the
//!    last CAM → send, and T_GenCam := min(elapsed, T_GenCamMax), N := 0;
//! 2. otherwise, if T_GenCam has passed → send; after N_GenCam = 3 such consecutive
//!    low-dynamics CAMs, T_GenCam := T_GenCamMax.
//!
//! T_GenCam starts at T_GenCamMax; the first check always sends. The low-frequency container
//! rides on the first CAM and then at most every 500 ms. Times are handled internally in whole
//! microseconds so that the 100 ms grid never suffers float drift. At constant speed v this
//! gives an interval of 4 m / v rounded up to the check period within [100, 1000] ms: 300 ms
//! at 50 km/h, 1000 ms at 15 km/h (reference §4a, class D).
use crate::clock::{s_from_us, us_from_s};
use crate::scenario::spec::Point;

/// Parameters of the CAM rules (defaults: EN 302 637-2 §6.1.3 via Artery, reference §4a).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CamConfig {
    /// T_GenCamMin, s (0.1).
    pub t_gen_cam_min_s: f64,
    /// T_GenCamMax, s (1.0).
    pub t_gen_cam_max_s: f64,
    /// T_CheckCamGen, s (0.1; must be ≤ T_GenCamMin).
    pub check_period_s: f64,
    /// N_GenCam (3, Artery `mGenCamLowDynamicsLimit`).
    pub n_gen_cam: u32,
    /// Heading threshold, degrees (4).
    pub heading_delta_deg: f64,
    /// Position threshold, m (4).
    pub position_delta_m: f64,
    /// Speed threshold, m/s (0.5).
    pub speed_delta_mps: f64,
    /// Low-frequency container interval, s (0.5, Artery `scLowFrequencyContainerInterval`).
    pub lf_interval_s: f64,
}

impl Default for CamConfig {
    fn default() -> Self {
        CamConfig {
            t_gen_cam_min_s: 0.1,
            t_gen_cam_max_s: 1.0,
            check_period_s: 0.1,
            n_gen_cam: 3,
            heading_delta_deg: 4.0,
            position_delta_m: 4.0,
            speed_delta_mps: 0.5,
            lf_interval_s: 0.5,
        }
    }
}

/// Why a CAM was generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CamTrigger {
    /// No CAM sent before.
    First,
    Heading,
    Position,
    Speed,
    /// T_GenCam elapsed without a dynamic trigger.
    Timer,
}

/// A decision to send a CAM now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CamSend {
    pub trigger: CamTrigger,
    /// Include the low-frequency container (sets `Cam::low_frequency`).
    pub low_frequency: bool,
}

#[derive(Debug, Clone, Copy)]
struct LastCam {
    at_us: u64,
    pos: Point,
    heading_rad: f64,
    speed: f64,
}

/// Per-station CAM generation state.
#[derive(Debug, Clone)]
pub struct CamGenerator {
    cfg: CamConfig,
    last: Option<LastCam>,
    last_lf_us: Option<u64>,
    next_check_us: Option<u64>,
    t_gen_cam_us: u64,
    t_gen_cam_dcc_us: u64,
    low_dynamics: u32,
    /// Offset of this station's T_CheckCamGen grid, µs.
    phase_us: u64,
}

impl Default for CamGenerator {
    fn default() -> Self {
        Self::new(CamConfig::default())
    }
}

impl CamGenerator {
    pub fn new(cfg: CamConfig) -> Self {
        CamGenerator {
            cfg,
            last: None,
            last_lf_us: None,
            next_check_us: None,
            t_gen_cam_us: us_from_s(cfg.t_gen_cam_max_s),
            t_gen_cam_dcc_us: us_from_s(cfg.t_gen_cam_min_s),
            low_dynamics: 0,
            phase_us: 0,
        }
    }

    /// A generator whose generation checks fall at `phase_s` past each T_CheckCamGen boundary
    /// instead of on the first call. Stations are not synchronised: vehicles that all start
    /// with the run would otherwise check (and send) in the same step, forever.
    pub fn with_phase(cfg: CamConfig, phase_s: f64) -> Self {
        CamGenerator {
            phase_us: us_from_s(phase_s),
            ..Self::new(cfg)
        }
    }

    pub fn config(&self) -> &CamConfig {
        &self.cfg
    }

    /// Current T_GenCam, s.
    pub fn t_gen_cam_s(&self) -> f64 {
        s_from_us(self.t_gen_cam_us)
    }

    /// Couple to DCC: T_GenCam_DCC = clamp(T_off, T_GenCamMin, T_GenCamMax) (Artery
    /// `genCamDcc()`, reference §4a); pass `DccState::t_off_ms() / 1000`.
    pub fn set_dcc_interval(&mut self, t_off_s: f64) {
        let t = t_off_s.clamp(self.cfg.t_gen_cam_min_s, self.cfg.t_gen_cam_max_s);
        self.t_gen_cam_dcc_us = us_from_s(t);
    }

    /// Should a CAM be sent now? Safe to call every simulation step: calls between two
    /// T_CheckCamGen grid points (from the first call) return `false` without effect.
    pub fn check(&mut self, now_s: f64, pos: Point, heading_rad: f64, speed: f64) -> bool {
        self.check_detail(now_s, pos, heading_rad, speed).is_some()
    }

    /// Like [`check`](Self::check), with the trigger and whether to add the low-frequency
    /// container. Records the CAM as sent when it returns `Some`.
    pub fn check_detail(
        &mut self,
        now_s: f64,
        pos: Point,
        heading_rad: f64,
        speed: f64,
    ) -> Option<CamSend> {
        let now = us_from_s(now_s);
        if !self.on_check_grid(now) {
            return None;
        }
        let trigger = self.trigger(now, pos, heading_rad, speed)?;
        let low_frequency = self
            .last_lf_us
            .is_none_or(|t| now.saturating_sub(t) >= us_from_s(self.cfg.lf_interval_s));
        if low_frequency {
            self.last_lf_us = Some(now);
        }
        self.last = Some(LastCam {
            at_us: now,
            pos,
            heading_rad,
            speed,
        });
        Some(CamSend {
            trigger,
            low_frequency,
        })
    }

    /// Is `now` (µs) a T_CheckCamGen grid point of this station? Advances the grid when it is.
    fn on_check_grid(&mut self, now: u64) -> bool {
        let period = us_from_s(self.cfg.check_period_s).max(1);
        match self.next_check_us {
            Some(t) if now < t => return false,
            Some(t) => {
                let skipped = (now - t) / period + 1;
                self.next_check_us = Some(t + skipped * period);
            }
            None if self.phase_us > 0 => {
                // The first grid point at or after now.
                let wait = (self.phase_us % period + period - now % period) % period;
                if wait > 0 {
                    self.next_check_us = Some(now + wait);
                    return false;
                }
                self.next_check_us = Some(now + period);
            }
            None => self.next_check_us = Some(now + period),
        }
        true
    }

    /// The trigger of a CAM due at `now` (µs), if one is: the first CAM, a dynamic trigger once
    /// T_GenCam_DCC has elapsed, or T_GenCam; updates T_GenCam as EN 302 637-2 §6.1.3 asks.
    fn trigger(
        &mut self,
        now: u64,
        pos: Point,
        heading_rad: f64,
        speed: f64,
    ) -> Option<CamTrigger> {
        let Some(last) = self.last else {
            return Some(CamTrigger::First);
        };
        let elapsed = now.saturating_sub(last.at_us);
        if elapsed < self.t_gen_cam_dcc_us {
            return None;
        }
        if let Some(t) = self.dynamic_trigger(&last, pos, heading_rad, speed) {
            self.t_gen_cam_us = elapsed.min(us_from_s(self.cfg.t_gen_cam_max_s));
            self.low_dynamics = 0;
            Some(t)
        } else if elapsed >= self.t_gen_cam_us {
            self.low_dynamics += 1;
            if self.low_dynamics >= self.cfg.n_gen_cam {
                self.t_gen_cam_us = us_from_s(self.cfg.t_gen_cam_max_s);
            }
            Some(CamTrigger::Timer)
        } else {
            None
        }
    }

    fn dynamic_trigger(
        &self,
        last: &LastCam,
        pos: Point,
        heading_rad: f64,
        speed: f64,
    ) -> Option<CamTrigger> {
        let dh = angle_diff_rad(heading_rad, last.heading_rad)
            .abs()
            .to_degrees();
        let dp = (pos.0 - last.pos.0).hypot(pos.1 - last.pos.1);
        if dh > self.cfg.heading_delta_deg {
            Some(CamTrigger::Heading)
        } else if dp > self.cfg.position_delta_m {
            Some(CamTrigger::Position)
        } else if (speed - last.speed).abs() > self.cfg.speed_delta_mps {
            Some(CamTrigger::Speed)
        } else {
            None
        }
    }
}

/// a − b wrapped to (−π, π].
pub fn angle_diff_rad(a: f64, b: f64) -> f64 {
    use std::f64::consts::{PI, TAU};
    let d = (a - b).rem_euclid(TAU);
    if d > PI { d - TAU } else { d }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_shifts_the_check_grid() {
        // Checks at 30 ms past each 100 ms; a standing vehicle sends its first CAM at the
        // first of them and then every T_GenCamMax (1 s).
        let mut g = CamGenerator::with_phase(CamConfig::default(), 0.03);
        let sent: Vec<u64> = (0..250)
            .filter(|&k| g.check(k as f64 * 0.01, (0.0, 0.0), 0.0, 0.0))
            .map(|k| k * 10)
            .collect();
        assert_eq!(sent, vec![30, 1030, 2030]);
        // Started later, the grid stays where it was.
        let mut g = CamGenerator::with_phase(CamConfig::default(), 0.03);
        let first = (55..300).find(|&k| g.check(k as f64 * 0.01, (0.0, 0.0), 0.0, 0.0));
        assert_eq!(first, Some(63));
    }

    /// Drive a generator with a 10 ms step for `dur` s; `state(t)` gives (pos, heading, speed).
    /// Returns (time ms, send) of every CAM.
    fn run(
        g: &mut CamGenerator,
        dur: f64,
        state: impl Fn(f64) -> (Point, f64, f64),
    ) -> Vec<(u64, CamSend)> {
        let mut out = vec![];
        for k in 0..=(dur * 100.0).round() as u64 {
            let t = k as f64 * 0.01;
            let (p, h, v) = state(t);
            if let Some(s) = g.check_detail(t, p, h, v) {
                out.push((k * 10, s));
            }
        }
        out
    }

    fn intervals(c: &[(u64, CamSend)]) -> Vec<u64> {
        c.windows(2).map(|w| w[1].0 - w[0].0).collect()
    }

    #[test]
    fn cruising_50_kmh_every_300_ms() {
        let v = 50.0 / 3.6;
        let c = run(&mut CamGenerator::default(), 10.0, |t| {
            ((v * t, 0.0), 0.0, v)
        });
        assert_eq!(c[0].1.trigger, CamTrigger::First);
        assert!(
            intervals(&c).iter().all(|i| *i == 300),
            "{:?}",
            intervals(&c)
        );
        assert!(
            c[1..]
                .iter()
                .all(|(_, s)| s.trigger == CamTrigger::Position)
        );
    }

    #[test]
    fn d_class_checkpoint_15_kmh_every_1000_ms() {
        let v = 15.0 / 3.6;
        let c = run(&mut CamGenerator::default(), 10.0, |t| {
            ((v * t, 0.0), 0.0, v)
        });
        assert!(intervals(&c).iter().all(|i| *i == 1000));
    }

    #[test]
    fn standstill_every_1000_ms_with_lf_container() {
        let c = run(&mut CamGenerator::default(), 5.0, |_| {
            ((0.0, 0.0), 0.0, 0.0)
        });
        assert_eq!(intervals(&c), [1000; 5]);
        assert!(c.iter().all(|(_, s)| s.low_frequency));
        assert!(c[1..].iter().all(|(_, s)| s.trigger == CamTrigger::Timer));
    }

    #[test]
    fn turning_is_heading_triggered() {
        // 12 °/s at 2 m/s on a circle: 4.8° after 400 ms (> 4°), 3.6° after 300 ms; the
        // 0.8 m travelled never reaches 4 m.
        let (w, v) = (12f64.to_radians(), 2.0);
        let r = v / w;
        let c = run(&mut CamGenerator::default(), 6.0, |t| {
            ((r * (w * t).sin(), r * (1.0 - (w * t).cos())), w * t, v)
        });
        assert!(
            intervals(&c).iter().all(|i| *i == 400),
            "{:?}",
            intervals(&c)
        );
        assert!(c[1..].iter().all(|(_, s)| s.trigger == CamTrigger::Heading));
        // 10 °/s: 4° is reached exactly at 400 ms, so "> 4°" holds at 400 or 500 ms
        // depending on floating-point rounding of each difference; once T_GenCam = 400 ms,
        // a CAM whose heading change rounds to 4° is sent by the timer instead.
        let w = 10f64.to_radians();
        let c = run(&mut CamGenerator::default(), 6.0, |t| {
            ((0.0, 0.0), w * t, v)
        });
        let iv = intervals(&c);
        assert!(iv.iter().all(|i| *i == 400 || *i == 500), "{iv:?}");
        let ok = [CamTrigger::Heading, CamTrigger::Timer];
        assert!(c[1..].iter().all(|(_, s)| ok.contains(&s.trigger)));
    }

    #[test]
    fn accelerating_is_speed_triggered() {
        // 2 m/s² from 5 m/s: Δv 0.6 m/s after 300 ms (> 0.5), while Δx ≤ 3.6 m for 3 s.
        let c = run(&mut CamGenerator::default(), 3.0, |t| {
            ((5.0 * t + t * t, 0.0), 0.0, 5.0 + 2.0 * t)
        });
        assert!(
            intervals(&c).iter().all(|i| *i == 300),
            "{:?}",
            intervals(&c)
        );
        assert!(c[1..].iter().all(|(_, s)| s.trigger == CamTrigger::Speed));
    }

    #[test]
    fn low_dynamics_reverts_after_n_gen_cam() {
        // Cruise at 50 km/h to 2.05 s, then stand still.
        let v = 50.0 / 3.6;
        let c = run(&mut CamGenerator::default(), 8.0, |t| {
            let x = v * t.min(2.05);
            ((x, 0.0), 0.0, if t < 2.05 { v } else { 0.0 })
        });
        let stop = c.iter().position(|(t, _)| *t > 2050).unwrap();
        assert_eq!(c[stop].1.trigger, CamTrigger::Speed);
        let iv = intervals(&c[stop..]);
        let t_gen = c[stop].0 - c[stop - 1].0;
        assert_eq!(&iv[..3], &[t_gen; 3]);
        assert!(iv[3..].iter().all(|i| *i == 1000), "{iv:?}");
    }

    #[test]
    fn dcc_and_lf_and_throttling() {
        let v = 50.0 / 3.6;
        let mut g = CamGenerator::default();
        g.set_dcc_interval(0.5);
        let c = run(&mut g, 5.0, |t| ((v * t, 0.0), 0.0, v));
        assert!(intervals(&c).iter().all(|i| *i == 500));
        // LF container every 500 ms at most: at 300 ms spacing, every other CAM.
        let c = run(&mut CamGenerator::default(), 3.0, |t| {
            ((v * t, 0.0), 0.0, v)
        });
        let lf: Vec<bool> = c.iter().map(|(_, s)| s.low_frequency).collect();
        assert_eq!(&lf[..6], &[true, false, true, false, true, false]);
        // Calls between check points do nothing.
        let mut g = CamGenerator::default();
        assert!(g.check(0.0, (0.0, 0.0), 0.0, 0.0));
        assert!(!g.check(0.05, (100.0, 0.0), 0.0, 0.0));
        assert!(g.check(0.1, (100.0, 0.0), 0.0, 0.0));
        assert!((angle_diff_rad(0.1, std::f64::consts::TAU - 0.1) - 0.2).abs() < 1e-12);
    }
}

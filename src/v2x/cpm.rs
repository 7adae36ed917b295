//! Collective Perception: which perceived objects a CPM includes, and whether a roadside
//! camera sees a target.
//!
//! Object inclusion (ETSI TS 103 324 / TR 103 562 as evaluated by Thandavarayan, Sepulcre,
//! Gozalvez, "Generation of Cooperative Perception Messages for Connected and Automated
//! Vehicles", IEEE TVT 2020, doi 10.1109/TVT.2020.3036165; docs/standards.md §4d): at each
//! generation check (every T_GenCpmMin = 100 ms) an object is included if it is newly
//! detected, moved > 4 m or changed speed by > 0.5 m/s since it was last included, or was
//! last included ≥ 1 s (T_GenCpmMax) ago. A CPM is generated when at least one object
//! qualifies. Objects no longer perceived are forgotten, so a re-detection counts as new.
use std::collections::BTreeMap;

use super::messages::PerceivedObject;
use crate::clock::us_from_s;
use crate::scenario::spec::Point;

/// CPM generation parameters (defaults: reference §4d).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpmConfig {
    /// Generation check period, s (0.1).
    pub check_period_s: f64,
    /// Position change that forces inclusion, m (4).
    pub position_delta_m: f64,
    /// Speed change that forces inclusion, m/s (0.5).
    pub speed_delta_mps: f64,
    /// Longest time an object goes without inclusion, s (1.0).
    pub max_interval_s: f64,
}

impl Default for CpmConfig {
    fn default() -> Self {
        CpmConfig {
            check_period_s: 0.1,
            position_delta_m: 4.0,
            speed_delta_mps: 0.5,
            max_interval_s: 1.0,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Included {
    at_us: u64,
    pos: Point,
    speed: f64,
}

/// Per-sender CPM state.
#[derive(Debug, Clone, Default)]
pub struct CpmGenerator {
    cfg: CpmConfig,
    next_check_us: Option<u64>,
    last: BTreeMap<u32, Included>,
}

impl CpmGenerator {
    pub fn new(cfg: CpmConfig) -> Self {
        CpmGenerator {
            cfg,
            next_check_us: None,
            last: BTreeMap::new(),
        }
    }

    /// Objects to put in a CPM now, sorted by object id, or `None` when it is not a check
    /// point or nothing qualifies. Safe to call every step (calls between check points on
    /// the 100 ms grid from the first call do nothing). `perceived` is everything the sender
    /// currently perceives.
    pub fn check(
        &mut self,
        now_s: f64,
        perceived: &[PerceivedObject],
    ) -> Option<Vec<PerceivedObject>> {
        let now = us_from_s(now_s);
        let period = us_from_s(self.cfg.check_period_s).max(1);
        match self.next_check_us {
            Some(t) if now < t => return None,
            Some(t) => self.next_check_us = Some(t + ((now - t) / period + 1) * period),
            None => self.next_check_us = Some(now + period),
        }
        let mut sorted: Vec<&PerceivedObject> = perceived.iter().collect();
        sorted.sort_by_key(|o| o.object_id);
        sorted.dedup_by_key(|o| o.object_id);
        self.last
            .retain(|id, _| sorted.binary_search_by_key(id, |o| o.object_id).is_ok());
        let mut out = Vec::new();
        for o in sorted {
            let include = match self.last.get(&o.object_id) {
                None => true,
                Some(l) => {
                    (o.pos.0 - l.pos.0).hypot(o.pos.1 - l.pos.1) > self.cfg.position_delta_m
                        || (o.speed - l.speed).abs() > self.cfg.speed_delta_mps
                        || now - l.at_us >= us_from_s(self.cfg.max_interval_s)
                }
            };
            if include {
                self.last.insert(
                    o.object_id,
                    Included {
                        at_us: now,
                        pos: o.pos,
                        speed: o.speed,
                    },
                );
                out.push(o.clone());
            }
        }
        (!out.is_empty()).then_some(out)
    }
}

/// Does a camera at `camera` looking along `heading_deg` (counter-clockwise from east, as
/// `CctvSpec`) with field of view `fov_deg` and range `range_m` see `target`? Inside the
/// range (inclusive) and within ±fov/2 of the heading (inclusive). Occlusion is the
/// caller's (line-of-sight) business.
pub fn in_view(camera: Point, heading_deg: f64, fov_deg: f64, range_m: f64, target: Point) -> bool {
    let (dx, dy) = (target.0 - camera.0, target.1 - camera.1);
    let dist = dx.hypot(dy);
    if dist > range_m {
        return false;
    }
    if dist == 0.0 || fov_deg >= 360.0 {
        return true;
    }
    let bearing = dy.atan2(dx).to_degrees();
    let off = (bearing - heading_deg + 180.0).rem_euclid(360.0) - 180.0;
    off.abs() <= fov_deg / 2.0 + 1e-9
}

#[cfg(test)]
mod tests {
    use super::super::messages::ObjectKind;
    use super::*;

    fn obj(id: u32, x: f64, speed: f64) -> PerceivedObject {
        PerceivedObject {
            object_id: id,
            kind: ObjectKind::Vehicle,
            pos: (x, 0.0),
            speed,
            heading_rad: 0.0,
        }
    }

    fn ids(v: &Option<Vec<PerceivedObject>>) -> Vec<u32> {
        v.as_ref()
            .map(|v| v.iter().map(|o| o.object_id).collect())
            .unwrap_or_default()
    }

    #[test]
    fn inclusion_rules() {
        let mut g = CpmGenerator::default();
        // New objects, given out of order: included, sorted.
        assert_eq!(
            ids(&g.check(0.0, &[obj(2, 0.0, 0.0), obj(1, 0.0, 10.0)])),
            [1, 2]
        );
        // Between check points: nothing.
        assert_eq!(g.check(0.05, &[obj(1, 100.0, 10.0)]), None);
        // 0.3 s later: object 1 moved 3 m (< 4), no speed change; object 2 static → none.
        assert_eq!(g.check(0.3, &[obj(1, 3.0, 10.0), obj(2, 0.0, 0.0)]), None);
        // 0.4 s: object 1 moved 4.1 m → included.
        assert_eq!(
            ids(&g.check(0.4, &[obj(1, 4.1, 10.0), obj(2, 0.0, 0.0)])),
            [1]
        );
        // 0.5 s: object 2 speeds up by 0.6 m/s → included.
        assert_eq!(
            ids(&g.check(0.5, &[obj(1, 5.0, 10.0), obj(2, 0.0, 0.6)])),
            [2]
        );
        // 1.4 s: object 1 last included at 0.4 → 1 s rule.
        assert_eq!(
            ids(&g.check(1.4, &[obj(1, 5.0, 10.0), obj(2, 0.0, 0.6)])),
            [1]
        );
        // 1.5 s: object 2 (last 0.5) → 1 s rule.
        assert_eq!(
            ids(&g.check(1.5, &[obj(1, 5.0, 10.0), obj(2, 0.0, 0.6)])),
            [2]
        );
    }

    #[test]
    fn redetection_is_new() {
        let mut g = CpmGenerator::default();
        assert!(g.check(0.0, &[obj(1, 0.0, 0.0)]).is_some());
        assert_eq!(g.check(0.1, &[]), None);
        assert_eq!(ids(&g.check(0.2, &[obj(1, 0.0, 0.0)])), [1]);
    }

    #[test]
    fn camera_view() {
        let c = (0.0, 0.0);
        // Looking east, 90° FOV, 80 m.
        assert!(in_view(c, 0.0, 90.0, 80.0, (50.0, 0.0)));
        assert!(in_view(c, 0.0, 90.0, 80.0, (50.0, 50.0))); // exactly 45°
        assert!(!in_view(c, 0.0, 90.0, 80.0, (50.0, 51.0)));
        assert!(!in_view(c, 0.0, 90.0, 80.0, (81.0, 0.0)));
        assert!(!in_view(c, 0.0, 90.0, 80.0, (-10.0, 0.0)));
        // Looking west across the ±180° seam.
        assert!(in_view(c, 180.0, 90.0, 80.0, (-50.0, -10.0)));
        assert!(in_view(c, -170.0, 30.0, 80.0, (-50.0, -5.0)));
        assert!(!in_view(c, -170.0, 30.0, 80.0, (-50.0, 5.0))); // 15.7° off the axis
        assert!(in_view(c, 0.0, 360.0, 80.0, (-50.0, 0.0)));
        assert!(in_view(c, 0.0, 10.0, 80.0, c));
    }
}

//! Every library scenario, stepped in process: no vehicle moves further in a step than its
//! speed allows (no sideways jumps at lane changes), on a lane position and speed agree (the
//! distance the front bumper covers is the distance the speed integrates to, on bends too),
//! and no vehicle drives faster than its desired speed on the link it is on (the limit times
//! its driver's speed factor).
use std::path::{Path, PathBuf};

use bevy::prelude::*;
use sangam_sim::road::RoadNetwork;
use sangam_sim::road::geometry::{P2, dist};
use sangam_sim::scenario::load::load_file;
use sangam_sim::traffic::act::front_point;
use sangam_sim::traffic::components::{Driver, Motion, Vehicle};
use sangam_sim::traffic::spawn::effective_v0;

/// Simulated time checked per scenario, s: the first minutes hold every kind of manoeuvre
/// (departures, lane changes, turns, queues) at a fraction of the cost of the whole library.
const CHECKED_S: f64 = 90.0;

/// The sideways part of a lane change may add this share to the distance covered (its path is
/// at most 16° off the lane: 1/cos 16° = 1.04).
const LATERAL_SHARE: f64 = 1.05;

fn library() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("scenarios/ readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    out.sort();
    out
}

/// One vehicle as seen at the end of a step.
#[derive(Clone, Copy)]
struct Seen {
    front: P2,
    m: Motion,
}

#[derive(Default)]
struct Findings {
    jumps: Vec<String>,
    disagreements: Vec<String>,
    speeding: Vec<String>,
    pairs: usize,
}

/// Each vehicle (by index) as last seen, and the step it was seen at.
type Last = Vec<Option<(usize, Seen)>>;

type VehicleQuery = QueryState<(&'static Vehicle, &'static Motion, &'static Driver)>;

fn observe(world: &mut World, q: &mut VehicleQuery, k: usize, last: &mut Last, f: &mut Findings) {
    let (dt, t) = (0.01, k as f64 * 0.01);
    let net = world.resource::<RoadNetwork>();
    for (veh, m, d) in q.iter(world) {
        let front = front_point(net, m);
        let limit = net.links[m.link as usize].speed_limit;
        let desired = effective_v0(d, limit);
        if m.v > desired * 1.001 + 1e-3 {
            f.speeding.push(format!(
                "{} at {t:.2} s: {:.3} m/s on {} (desired {desired:.3})",
                veh.id, m.v, net.links[m.link as usize].id
            ));
        }
        let i = veh.index as usize;
        if last.len() <= i {
            last.resize(i + 1, None);
        }
        // Seen at the step before this one: a vehicle's first step has nothing to compare.
        if let Some((_, p)) = last[i].filter(|(at, _)| *at + 1 == k) {
            let moved = dist(p.front, front);
            let allowed = p.m.v.max(m.v) * dt * LATERAL_SHARE + 1e-6;
            if moved > allowed {
                f.jumps.push(format!(
                    "{} at {t:.2} s: {moved:.3} m in one step at {:.2} m/s; {:?} -> {:?}",
                    veh.id, m.v, p.m, m
                ));
            }
            let same_lane = p.m.link == m.link && p.m.lane == m.lane && p.m.prev == m.prev;
            let driven = (p.m.v + m.v) / 2.0 * dt;
            if same_lane && p.m.shift.is_none() && m.shift.is_none() && driven > 0.01 {
                f.pairs += 1;
                if (moved / driven - 1.0).abs() > 0.01 {
                    f.disagreements.push(format!(
                        "{} at {t:.2} s on {}_{} at s {:.2}..{:.2}: {moved:.4} m for {driven:.4} m",
                        veh.id, net.links[m.link as usize].id, m.lane, p.m.s, m.s
                    ));
                }
            }
        }
        last[i] = Some((k, Seen { front, m: *m }));
    }
}

fn check(path: &Path) -> Findings {
    let loaded =
        load_file(path).unwrap_or_else(|d| panic!("{} does not load: {d}", path.display()));
    let spec = loaded.spec;
    let steps = (spec.duration.min(CHECKED_S) / 0.01).round() as usize;
    let mut app = sangam_sim::runner::build_app(spec, "lib.ron", &Default::default());
    app.update();
    let mut q = VehicleQuery::new(app.world_mut());
    let (mut last, mut f) = (Last::new(), Findings::default());
    for k in 0..steps {
        app.update();
        observe(app.world_mut(), &mut q, k, &mut last, &mut f);
    }
    f
}

#[test]
fn library_vehicles_move_as_their_speed_says() {
    let files: Vec<PathBuf> = library()
        .into_iter()
        .filter(|p| {
            std::env::var("KIN_ONLY").map_or(true, |o| p.display().to_string().contains(&o))
        })
        .collect();
    assert!(
        files.len() >= 9 || std::env::var("KIN_ONLY").is_ok(),
        "scenario library shrank: {files:?}"
    );
    // Two workers take the next scenario as they finish one (the scenarios' costs differ by
    // 20×), results in file order.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<(usize, Findings)> = std::thread::scope(|s| {
        let worker = || {
            let mut mine = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(p) = files.get(i) else {
                    return mine;
                };
                mine.push((i, check(p)));
            }
        };
        let handles: Vec<_> = (0..2).map(|_| s.spawn(worker)).collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("no panic"))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);
    let results: Vec<(&PathBuf, Findings)> =
        results.into_iter().map(|(i, f)| (&files[i], f)).collect();
    let mut problems = Vec::new();
    for (p, f) in &results {
        assert!(
            f.pairs > 500,
            "{}: too few moving samples ({})",
            p.display(),
            f.pairs
        );
        for (what, list) in [
            ("jump", &f.jumps),
            ("speed/position disagree", &f.disagreements),
            ("over desired speed", &f.speeding),
        ] {
            if let Some(first) = list.first() {
                problems.push(format!(
                    "{}: {} × {what}; first: {first}",
                    p.display(),
                    list.len()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

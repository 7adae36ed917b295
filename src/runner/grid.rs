//! The benchmark world: an 8×8 signalised grid with 200 m blocks and 2 lanes each way, the
//! network SUMO's figures in `docs/performance.md` were measured on.
//!
//! Vehicles circle the blocks clockwise (right turns only), so that a fixed number of them is on
//! the road for the whole run and a two-phase program (north-south, east-west) has no conflicts.
use crate::scenario::spec::*;

/// Junctions per side, block length (m), lanes per direction.
pub const SIDE: usize = 8;
pub const BLOCK: f64 = 200.0;
const LANES: u8 = 2;

fn node(i: usize, j: usize) -> String {
    format!("n{i}_{j}")
}
fn link(a: (usize, usize), b: (usize, usize)) -> String {
    format!("{}-{}", node(a.0, a.1), node(b.0, b.1))
}

/// The grid scenario with `vehicles` vehicles for `duration` s, V2X on or off.
pub fn grid_spec(vehicles: usize, duration: f64, v2x: bool) -> Spec {
    let mut nodes = Vec::new();
    let mut links = Vec::new();
    let mut junctions = Vec::new();
    for i in 0..SIDE {
        for j in 0..SIDE {
            nodes.push(Node {
                id: node(i, j),
                pos: (i as f64 * BLOCK, j as f64 * BLOCK),
                radius: 10.0,
            });
        }
    }
    let mut add = |a: (usize, usize), b: (usize, usize)| {
        links.push(Link {
            id: link(a, b),
            from: node(a.0, a.1),
            to: node(b.0, b.1),
            lanes: LANES,
            speed_limit_kmh: 50.0,
            shape: Vec::new(),
            name: String::new(),
        });
    };
    for i in 0..SIDE {
        for j in 0..SIDE {
            if i + 1 < SIDE {
                add((i, j), (i + 1, j));
                add((i + 1, j), (i, j));
            }
            if j + 1 < SIDE {
                add((i, j), (i, j + 1));
                add((i, j + 1), (i, j));
            }
        }
    }
    for i in 0..SIDE {
        for j in 0..SIDE {
            let incoming = |horizontal: bool| -> Vec<String> {
                let mut v = Vec::new();
                if horizontal {
                    if i > 0 {
                        v.push(link((i - 1, j), (i, j)));
                    }
                    if i + 1 < SIDE {
                        v.push(link((i + 1, j), (i, j)));
                    }
                } else {
                    if j > 0 {
                        v.push(link((i, j - 1), (i, j)));
                    }
                    if j + 1 < SIDE {
                        v.push(link((i, j + 1), (i, j)));
                    }
                }
                v
            };
            junctions.push(Junction {
                id: format!("j{i}_{j}"),
                node: node(i, j),
                name: String::new(),
                control: Control::Signal(SignalProgram {
                    // A green wave along x: offsets grow with the column.
                    offset: (i as f64 * BLOCK / 13.9) % 70.0,
                    amber: 3.0,
                    all_red: 2.0,
                    phases: vec![
                        Phase {
                            green: incoming(true),
                            duration: 30.0,
                        },
                        Phase {
                            green: incoming(false),
                            duration: 30.0,
                        },
                    ],
                }),
            });
        }
    }
    // Clockwise loops around each block (x east, y north): east along the top, south, west, north.
    let mut loops = Vec::new();
    for i in 0..SIDE - 1 {
        for j in 0..SIDE - 1 {
            loops.push(vec![
                link((i, j + 1), (i + 1, j + 1)),
                link((i + 1, j + 1), (i + 1, j)),
                link((i + 1, j), (i, j)),
                link((i, j), (i, j + 1)),
            ]);
        }
    }
    let slots = loops.len() * usize::from(LANES);
    let usable = BLOCK - 2.0 * 10.0;
    let mut spawns = Vec::with_capacity(vehicles);
    for k in 0..vehicles {
        let slot = k % slots;
        let (lp, lane) = (slot / usize::from(LANES), (slot % usize::from(LANES)) as u8);
        let per_slot = vehicles.div_ceil(slots);
        let along = (k / slots) as f64 * 4.0 * usable / per_slot as f64;
        let edge = (along / usable) as usize % 4;
        let pos = (along % usable).max(5.0);
        let mut route = loops[lp].clone();
        route.rotate_left(edge);
        spawns.push(VehicleSpawn {
            id: format!("v{k}"),
            kind: Kind::Car,
            route: Route::Loop {
                links: route,
                laps: 100,
            },
            depart: 0.0,
            speed: 0.0,
            pos,
            lane,
            automated: v2x && k % 2 == 0,
            driver: DriverSpec::default(),
            radios: v2x.then(|| vec![Tech::Pc5, Tech::Uu]),
            stops: Vec::new(),
            runs_red: false,
        });
    }
    let mut spec_v2x = V2xSpec {
        enabled: v2x,
        ..V2xSpec::default()
    };
    if v2x {
        spec_v2x.gnbs = (0..4)
            .map(|q| GnbSpec {
                id: format!("gnb{q}"),
                pos: (
                    (q % 2) as f64 * 800.0 + 300.0,
                    (q / 2) as f64 * 800.0 + 300.0,
                ),
                height: 30.0,
                freq_ghz: 3.5,
                tx_dbm: 46.0,
                mec: Latency::LogNormal {
                    median_ms: 1.0,
                    p99_ms: 3.0,
                },
                mec_at_gnb: true,
                load: 0.0,
                capacity_mbps: 100.0,
            })
            .collect();
        spec_v2x.messages.cam_via = vec![Tech::Pc5, Tech::Uu];
    }
    Spec {
        name: format!(
            "grid-8x8 ({vehicles} vehicles, V2X {})",
            if v2x { "on" } else { "off" }
        ),
        description: "8×8 signalised grid, 200 m blocks, 2 lanes each way: the benchmark network"
            .into(),
        seed: 1,
        duration,
        step: 0.01,
        include: Vec::new(),
        network: Network {
            nodes,
            links,
            junctions,
        },
        buildings: Vec::new(),
        vehicles: spawns,
        flows: Vec::new(),
        pedestrians: Vec::new(),
        events: Vec::new(),
        v2x: spec_v2x,
        expectations: vec![Expectation::NoCollisions],
    }
}

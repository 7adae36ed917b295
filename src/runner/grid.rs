//! The benchmark world: a square signalised grid with 200 m blocks and 2 lanes each way. At the
//! default 1,000 vehicles it is the 8×8 grid SUMO's figures in `docs/performance.md` were
//! measured on; for more vehicles the grid grows so that the density stays that of 1,000 on 8×8.
//!
//! The library's `grid-8x8` scenario is written by `library_grid` beside it, from the same block
//! length and size (it keeps its own junction radius, names and signal timing, so that its
//! reports stay what they were): both grids are built by this folder's Rust code, none by Python.
//!
//! Vehicles circle the blocks clockwise (right turns only), so that a fixed number of them is on
//! the road for the whole run and a two-phase program (north-south, east-west) has no conflicts.
use crate::scenario::spec::*;
use crate::traffic::components::ROUTE_LOOKAHEAD_M;

/// Junctions per side of the default grid, block length (m), lanes per direction.
pub const SIDE: usize = 8;
pub const BLOCK: f64 = 200.0;
const LANES: u8 = 2;
/// Every link's speed limit, km/h.
const SPEED_LIMIT_KMH: f64 = 50.0;
/// Junction radius, m: the block length minus two radii is the drivable length of a link.
const RADIUS: f64 = 10.0;
/// Most vehicles in one lane of one block loop: the default 1,000 vehicles on 8×8 put
/// ⌈1000 / 98⌉ = 11 in each (one per ~65 m of the 720 m loop). More than that and the grid grows.
const PER_SLOT: usize = 11;
/// The grid side never grows past this: 32×32 holds 961 × 2 × 11 = 21,142 vehicles, more than
/// the 20,000 the validator accepts, and spans 6.2 km, inside its 20 km coordinate bound.
pub const MAX_SIDE: usize = 32;

/// Junctions per side for `vehicles`: the smallest grid, at least 8×8, whose block loops hold
/// them at no more than `PER_SLOT` per lane, so density (and hence UPS) stays comparable.
pub fn side_for(vehicles: usize) -> usize {
    (SIDE..MAX_SIDE)
        .find(|&s| (s - 1) * (s - 1) * usize::from(LANES) * PER_SLOT >= vehicles)
        .unwrap_or(MAX_SIDE)
}

fn node(i: usize, j: usize) -> String {
    format!("n{i}_{j}")
}
fn link(a: (usize, usize), b: (usize, usize)) -> String {
    format!("{}-{}", node(a.0, a.1), node(b.0, b.1))
}

/// The grid scenario with `vehicles` vehicles for `duration` s, V2X on or off.
pub fn grid_spec(vehicles: usize, duration: f64, v2x: bool) -> Spec {
    let side = side_for(vehicles);
    let mut spec_v2x = V2xSpec {
        enabled: v2x,
        ..V2xSpec::default()
    };
    if v2x {
        spec_v2x.gnbs = gnbs(side);
        spec_v2x.messages.cam_via = vec![Tech::Pc5, Tech::Uu];
    }
    Spec {
        sumo: Default::default(),
        name: format!(
            "grid-{side}x{side} ({vehicles} vehicles, V2X {})",
            if v2x { "on" } else { "off" }
        ),
        description: format!(
            "{side}×{side} signalised grid, 200 m blocks, 2 lanes each way: the benchmark network"
        ),
        seed: 1,
        duration,
        step: 0.01,
        include: Vec::new(),
        network: Network {
            nodes: nodes(side),
            links: links(side),
            junctions: junctions(side),
            ..Network::default()
        },
        buildings: Vec::new(),
        vehicles: spawns(side, vehicles, v2x, duration),
        flows: Vec::new(),
        pedestrians: Vec::new(),
        events: Vec::new(),
        v2x: spec_v2x,
        expectations: vec![Expectation::NoCollisions],
    }
}

fn nodes(side: usize) -> Vec<Node> {
    let mut nodes = Vec::with_capacity(side * side);
    for i in 0..side {
        for j in 0..side {
            nodes.push(Node {
                id: node(i, j),
                pos: (i as f64 * BLOCK, j as f64 * BLOCK),
                radius: RADIUS,
                z: 0.0,
            });
        }
    }
    nodes
}

/// Both directions of every block edge, in the order (i, j) east then north.
fn links(side: usize) -> Vec<Link> {
    let mut links = Vec::new();
    let mut add = |a: (usize, usize), b: (usize, usize)| {
        links.push(Link {
            id: link(a, b),
            from: node(a.0, a.1),
            to: node(b.0, b.1),
            lanes: LANES,
            speed_limit_kmh: SPEED_LIMIT_KMH,
            shape: Vec::new(),
            heights: Vec::new(),
            name: String::new(),
            exact_ends: false,
            lane_width: None,
            dead_end: false,
            reserved: Vec::new(),
            connections: Vec::new(),
        });
    };
    for i in 0..side {
        for j in 0..side {
            if i + 1 < side {
                add((i, j), (i + 1, j));
                add((i + 1, j), (i, j));
            }
            if j + 1 < side {
                add((i, j), (i, j + 1));
                add((i, j + 1), (i, j));
            }
        }
    }
    links
}

/// The links entering junction (i, j) along x (`horizontal`) or along y.
fn incoming(side: usize, (i, j): (usize, usize), horizontal: bool) -> Vec<String> {
    let mut v = Vec::new();
    if horizontal {
        if i > 0 {
            v.push(link((i - 1, j), (i, j)));
        }
        if i + 1 < side {
            v.push(link((i + 1, j), (i, j)));
        }
    } else {
        if j > 0 {
            v.push(link((i, j - 1), (i, j)));
        }
        if j + 1 < side {
            v.push(link((i, j + 1), (i, j)));
        }
    }
    v
}

/// A two-phase signal at every junction: 30 s along x, 30 s along y.
fn junctions(side: usize) -> Vec<Junction> {
    let mut junctions = Vec::with_capacity(side * side);
    for i in 0..side {
        for j in 0..side {
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
                            green: incoming(side, (i, j), true),
                            duration: 30.0,
                            ..Default::default()
                        },
                        Phase {
                            green: incoming(side, (i, j), false),
                            duration: 30.0,
                            ..Default::default()
                        },
                    ],
                }),
            });
        }
    }
    junctions
}

/// Clockwise loops around each block (x east, y north): east along the top, south, west, north.
fn block_loops(side: usize) -> Vec<Vec<String>> {
    let mut loops = Vec::new();
    for i in 0..side - 1 {
        for j in 0..side - 1 {
            loops.push(vec![
                link((i, j + 1), (i + 1, j + 1)),
                link((i + 1, j + 1), (i + 1, j)),
                link((i + 1, j), (i, j)),
                link((i, j), (i, j + 1)),
            ]);
        }
    }
    loops
}

/// Laps of its block a vehicle's route holds for a run of `duration` s: as many as the speed
/// limit covers in that time, plus the route look-ahead (`ROUTE_LOOKAHEAD_M`) and one, so that no
/// vehicle reaches the end of its route or sees it coming. A lap is 4 link lengths; a route's
/// links are a vehicle's memory (100 laps, the old fixed count, were 1.6 KB a route).
fn laps_for(duration: f64) -> u32 {
    let lap = 4.0 * (BLOCK - 2.0 * RADIUS);
    let reach = duration.max(0.0) * SPEED_LIMIT_KMH / 3.6 + ROUTE_LOOKAHEAD_M;
    (reach / lap).ceil() as u32 + 1
}

/// `vehicles` cars spread evenly over every lane of every block loop, at rest at t = 0.
fn spawns(side: usize, vehicles: usize, v2x: bool, duration: f64) -> Vec<VehicleSpawn> {
    let loops = block_loops(side);
    let slots = loops.len() * usize::from(LANES);
    let usable = BLOCK - 2.0 * RADIUS;
    let per_slot = vehicles.div_ceil(slots);
    let mut spawns = Vec::with_capacity(vehicles);
    for k in 0..vehicles {
        let slot = k % slots;
        let (lp, lane) = (slot / usize::from(LANES), (slot % usize::from(LANES)) as u8);
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
                laps: laps_for(duration),
            },
            depart: 0.0,
            speed: 0.0,
            fit_speed: false,
            fit_lane: false,
            length: None,
            pos,
            lane,
            automated: v2x && k % 2 == 0,
            driver: DriverSpec::default(),
            radios: v2x.then(|| vec![Tech::Pc5, Tech::Uu]),
            stops: Vec::new(),
            runs_red: false,
            class: None,
        });
    }
    spawns
}

/// Four gNBs on a square, at 300 m and 1,100 m on the 8×8 grid, scaled with the grid.
fn gnbs(side: usize) -> Vec<GnbSpec> {
    let scale = (side - 1) as f64 / (SIDE - 1) as f64;
    (0..4)
        .map(|q| GnbSpec {
            id: format!("gnb{q}"),
            pos: (
                ((q % 2) as f64 * 800.0 + 300.0) * scale,
                ((q / 2) as f64 * 800.0 + 300.0) * scale,
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
        .collect()
}

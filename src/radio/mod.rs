//! Radio layer models: path loss, link budget, latency distributions, the delivery queue,
//! channel occupancy and DCC, medium access and interference, and the neighbour grid.
//!
//! Everything here is a pure function or a plain struct on plain data (no Bevy): the Bevy
//! systems in this module's plugin gather inputs, call these, and write results. Every random
//! draw takes the caller's `&mut impl rand::Rng` (a per-purpose ChaCha8 stream), so runs are
//! reproducible from the scenario seed. Equations, defaults and sources: `docs/v2x-models.md`.
pub mod budget;
pub mod cell;
pub mod coverage;
pub mod dcc;
pub mod grid;
pub mod latency;
pub mod medium;
pub mod nr;
pub mod outcome;
pub mod pathloss;
pub mod queue;
pub mod stats;

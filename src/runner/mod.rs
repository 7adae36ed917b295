//! Running scenarios: one headless app per run, driven step by step on the calling thread;
//! many runs at once on a worker pool (`sangam-sim test`, sweeps), their JUnit and plots.
pub mod app;
pub mod discover;
pub mod fault;
pub mod grid;
pub mod job;
pub mod junit;
pub mod library_grid;
pub mod merge;
pub mod plots;
pub mod pool;
pub mod suite;
pub mod suite_page;
pub mod sweep;
pub mod sweep_out;
pub mod sweep_result;
pub mod worker;

pub use app::{Outcome, RunOptions, build_app, run};

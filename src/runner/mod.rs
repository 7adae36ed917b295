//! Running scenarios: one headless app per run, driven step by step on the calling thread.
pub mod app;
pub mod grid;
pub mod output;

pub use app::{Outcome, RunOptions, build_app, run};

//! Running scenarios: one headless app per run, driven step by step on the calling thread.
pub mod app;

pub use app::{Outcome, RunOptions, build_app, run};

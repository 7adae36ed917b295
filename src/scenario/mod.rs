//! Scenarios as plain data: the RON schema (`spec`), loading with spans, validation that
//! reports every error at once, and the embedded library. Nothing here knows the ECS; the
//! simulation reads the spec through [`crate::sim::SpecRes`].
pub mod diag;
pub mod embedded;
pub mod load;
pub mod locate;
pub mod spec;
pub mod validate;

//! Co-simulation: a TraCI server, so that SUMO's own clients (the `traci` Python package,
//! libtraci, Veins, Artery, ...) step and steer a sangam-sim world (docs/traci.md).
//!
//! A door, kept thin: the protocol is plain functions ([`codec`]); a session turns commands
//! into reads of the world and the core's own commands ([`session`], [`world`]); the server
//! only moves bytes and decides when to step ([`server`]).
pub mod add;
pub mod codec;
pub mod network;
pub mod send;
pub mod server;
pub mod session;
pub mod signals;
pub mod v2x;
pub mod world;

pub use server::{Ended, Server, serve};
pub use world::Sim;

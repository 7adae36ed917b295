//! SUMO networks in: reading `.net.xml` (`net`) and turning it into a sangam-sim road network
//! (`convert`). Through SUMO's `netconvert`, OpenStreetMap and OpenDRIVE maps come in the same
//! way (docs/sumo-import.md).
pub mod convert;
pub mod demand;
pub mod memo;
pub mod net;
pub mod routes;
pub mod xml;

/// Something a SUMO file holds that was not read or only approximated: the line of the first
/// occurrence, and what (with the count).
pub type Note = (usize, String);

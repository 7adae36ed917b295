//! SUMO networks in: reading `.net.xml` (`net`) and turning it into a sangam-sim road network
//! (`convert`). Through SUMO's `netconvert`, OpenStreetMap and OpenDRIVE maps come in the same
//! way (docs/sumo-import.md).
pub mod convert;
pub mod net;

//! Messages as bytes on the air: ASN.1 UPER payloads (`its`) inside signed GeoNetworking
//! packets (`security`, `gn`), and the link-layer framing and capture file that Wireshark reads
//! (`frame`, `pcap`). Plain functions of the simulated state; the radio takes a packet's length
//! for its airtime, the trace writer the bytes for `--pcap`. Fields, sizes and sources:
//! docs/v2x-models.md.
pub mod frame;
pub mod geo;
pub mod gn;
#[cfg(feature = "asn1")]
pub mod its;
pub mod j2735;
pub mod pcap;
pub mod security;
pub mod size;
pub mod time;
pub mod wsmp;

use crate::scenario::spec::Profile;
use crate::v2x::messages::Payload;
use geo::GeoOrigin;
use gn::{Forwarding, Packet, Source};
use security::{Header, Signer};

/// The station a packet comes from, as its headers describe it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sender {
    /// Station number (ETSI StationID).
    pub station: u32,
    /// ITS station type (TS 102 894-2: 5 passenger car, 6 bus, 8 heavy truck, 15 roadside unit).
    pub station_type: u8,
    /// Map position, m.
    pub pos: [f64; 2],
    /// m/s.
    pub speed: f64,
    /// Radians counter-clockwise from east.
    pub heading_rad: f64,
}

impl Sender {
    pub fn mobile(&self) -> bool {
        self.station_type != STATION_TYPE_RSU
    }
}

/// ITS station types (TS 102 894-2 StationType).
pub const STATION_TYPE_MOPED: u8 = 3;
pub const STATION_TYPE_MOTORCYCLE: u8 = 4;
pub const STATION_TYPE_CAR: u8 = 5;
pub const STATION_TYPE_BUS: u8 = 6;
pub const STATION_TYPE_LIGHT_TRUCK: u8 = 7;
pub const STATION_TYPE_HEAVY_TRUCK: u8 = 8;
pub const STATION_TYPE_TRAILER: u8 = 9;
pub const STATION_TYPE_SPECIAL_VEHICLE: u8 = 10;
pub const STATION_TYPE_RSU: u8 = 15;

/// The station type a vehicle of SUMO class `class` announces (TS 102 894-2 StationType):
/// buses and coaches are buses, delivery vans light trucks, emergency, authority and army
/// vehicles special vehicles; every kind of car a passenger car.
pub fn station_type(class: crate::scenario::spec::Class) -> u8 {
    use crate::scenario::spec::Class as C;
    match class {
        C::Moped => STATION_TYPE_MOPED,
        C::Motorcycle => STATION_TYPE_MOTORCYCLE,
        C::Bus | C::Coach => STATION_TYPE_BUS,
        C::Delivery => STATION_TYPE_LIGHT_TRUCK,
        C::Truck => STATION_TYPE_HEAVY_TRUCK,
        C::Trailer => STATION_TYPE_TRAILER,
        C::Emergency | C::Authority | C::Army => STATION_TYPE_SPECIAL_VEHICLE,
        C::Passenger
        | C::Private
        | C::Taxi
        | C::Hov
        | C::Vip
        | C::Evehicle
        | C::Custom1
        | C::Custom2 => STATION_TYPE_CAR,
    }
}

/// The message's UPER encoding, or, when its bytes are not wanted (`Sending::encode`), as many
/// zero bytes as it has (`size`, exact: checked against the encoder). Every field is put in range
/// when it is built; the one message the encoder refuses is one the standard does not allow (a
/// SPaT or MAP naming no signal group or lane), which then costs what `size` says, in zero bytes.
#[cfg(feature = "asn1")]
fn payload(msg: &Payload, from: &Sender, s: &Sending) -> Vec<u8> {
    let zeros = || vec![0; size::payload_bytes(msg)];
    if !s.encode {
        return zeros();
    }
    let ctx = its::Context {
        origin: s.origin,
        station_type: from.station_type,
        station: from.station,
    };
    its::encode(msg, &ctx).unwrap_or_else(|_| zeros())
}

/// Built without the encoder: as many bytes as the encoding would have (`size`), all zero.
#[cfg(not(feature = "asn1"))]
fn payload(msg: &Payload, _: &Sender, _: &Sending) -> Vec<u8> {
    vec![0; size::payload_bytes(msg)]
}

/// The SPAT or MapData value of a J2735 MessageFrame: its UPER encoding with the DSRC types
/// (`its`), or as many zero bytes (`size`) when its bytes are not wanted or there is no encoder.
#[cfg(feature = "asn1")]
fn j2735_value(msg: &Payload, from: &Sender, s: &Sending) -> Vec<u8> {
    let zeros = || vec![0; size::j2735_value_bytes(msg)];
    if !s.encode {
        return zeros();
    }
    let ctx = its::Context {
        origin: s.origin,
        station_type: from.station_type,
        station: from.station,
    };
    its::encode_j2735_value(msg, &ctx).unwrap_or_else(|_| zeros())
}

#[cfg(not(feature = "asn1"))]
fn j2735_value(msg: &Payload, _: &Sender, _: &Sending) -> Vec<u8> {
    vec![0; size::j2735_value_bytes(msg)]
}

/// An intersection's number on the air (DSRC IntersectionID, 0..65535), from its name: the
/// scenario names junctions with strings, so a stable hash stands in (FNV-1a, 16 bits).
pub fn intersection_number(id: &str) -> u16 {
    let h = id.bytes().fold(0x811c_9dc5_u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    (h ^ (h >> 16)) as u16
}

/// Whether this build writes the messages' real encodings (feature `asn1`), which a capture
/// (`--pcap`) needs.
pub const ENCODES: bool = cfg!(feature = "asn1");

/// The network and transport layers a profile's messages travel in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Stack {
    /// ETSI: GeoNetworking and BTP (EN 302 636-4-1, -5-1).
    #[default]
    GeoNetworking,
    /// Korea and the US: IEEE 1609.3 WSMP.
    Wsmp,
}

impl Stack {
    pub fn of(profile: Profile) -> Stack {
        match profile {
            Profile::Etsi => Stack::GeoNetworking,
            Profile::Korea => Stack::Wsmp,
        }
    }

    /// The EtherType in the LLC/SNAP header in front of the packet.
    pub fn ethertype(self) -> u16 {
        match self {
            Stack::GeoNetworking => frame::ETHERTYPE_GN,
            Stack::Wsmp => frame::ETHERTYPE_WSMP,
        }
    }
}

/// How a packet is sent: on which stack, when, where on earth the map is, who signs, the GN
/// sequence number and the packet lifetime (`messages.lifetime_s`, the same that expires late
/// copies).
#[derive(Debug, Clone, Copy)]
pub struct Sending {
    pub stack: Stack,
    pub now_us: u64,
    pub origin: GeoOrigin,
    pub signer: Signer,
    pub sequence: u16,
    pub lifetime_s: f64,
    /// Whether the UPER payload is encoded (a capture writes it) or only its length is taken,
    /// in zero bytes (the radio needs no more: encoding was 9.9 % of `bus-loop`, `perf`).
    pub encode: bool,
}

/// The packet of a message on its stack.
pub fn packet(msg: &Payload, from: &Sender, s: &Sending) -> Vec<u8> {
    match s.stack {
        Stack::GeoNetworking => gn_packet(msg, from, s),
        Stack::Wsmp => wsm_packet(msg, from, s),
    }
}

/// The WAVE short message of a message: WSMP headers, then the IEEE 1609.2 signed data
/// around the J2735 MessageFrame (the same envelope as ETSI's, with the US PSIDs).
pub fn wsm_packet(msg: &Payload, from: &Sender, s: &Sending) -> Vec<u8> {
    let psid = match msg {
        Payload::Bsm(_) => wsmp::PSID_BSM,
        // PVD: 1609.12's probe-data PSID was not found; traveller information stands in (it only
        // travels over Uu, never in a capture).
        Payload::Rsa(_) | Payload::Tim(_) | Payload::Pvd(_) => wsmp::PSID_TRAVELLER,
        _ => wsmp::PSID_INTERSECTION,
    };
    let frame = j2735_frame(msg, from, s);
    let header = Header {
        psid,
        gen_us: s.now_us,
        location: None,
    };
    let data = security::signed(&frame, &header, s.signer, from.station);
    let mut out = wsmp::headers(psid, data.len());
    out.extend(data);
    out
}

/// A message as a J2735 MessageFrame. ETSI-only messages (CAM, DENM, CPM) are not sent on the
/// Korean profile; were one handed in, it would go as its ETSI encoding, unframed.
fn j2735_frame(msg: &Payload, from: &Sender, s: &Sending) -> Vec<u8> {
    let origin = &s.origin;
    match msg {
        Payload::Bsm(b) => {
            let c = &b.core;
            let (lat_deg, lon_deg) = origin.to_wgs84(c.pos.0, c.pos.1);
            let core = j2735::CoreData {
                count: b.count,
                id: b.core.station_id,
                sec_mark_ms: (s.now_us / 1000 % 60_000) as u16,
                lat_deg,
                lon_deg,
                speed: c.speed,
                heading_deg: geo::compass_deg(c.heading_rad),
                accel: c.accel,
                width_m: c.width_m,
                length_m: c.length_m,
            };
            j2735::bsm(&core, b.events)
        }
        Payload::Rsa(d) => {
            let (lat_deg, lon_deg) = origin.to_wgs84(d.pos.0, d.pos.1);
            j2735::rsa(&j2735::Alert {
                count: (d.action_id.sequence % 128) as u8,
                minute_of_year: (s.now_us / 60_000_000 % 527_040) as u32,
                itis: d.event.itis(),
                lat_deg,
                lon_deg,
            })
        }
        Payload::Tim(d) => {
            let (lat_deg, lon_deg) = origin.to_wgs84(d.pos.0, d.pos.1);
            j2735::tim(&j2735::Advisory {
                count: (d.action_id.sequence % 128) as u8,
                minute_of_year: (s.now_us / 60_000_000 % 527_040) as u32,
                id: (d.action_id.sequence % 65_536) as u16,
                start_minute: (d.detection_time_s / 60.0) as u32 % 527_040,
                duration_min: (d.validity_s / 60.0).ceil() as u16,
                itis: d.event.itis(),
                lat_deg,
                lon_deg,
                radius_m: d.relevance_radius_m,
            })
        }
        Payload::Ica(i) => {
            let o = &i.vehicle;
            let (lat_deg, lon_deg) = origin.to_wgs84(o.pos.0, o.pos.1);
            j2735::ica(&j2735::Collision {
                count: (s.now_us / 100_000 % 128) as u8,
                minute_of_year: (s.now_us / 60_000_000 % 527_040) as u32,
                core: j2735::CoreData {
                    count: 0,
                    id: o.object_id,
                    sec_mark_ms: (s.now_us / 1000 % 60_000) as u16,
                    lat_deg,
                    lon_deg,
                    speed: o.speed,
                    heading_deg: geo::compass_deg(o.heading_rad),
                    accel: 0.0,
                    // Size unavailable (0): a camera's estimate is not sent.
                    width_m: 0.0,
                    length_m: 0.0,
                },
                intersection: intersection_number(&i.intersection_id),
                approach: i.approach,
                events: crate::v2x::messages::event_flags::STOP_LINE_VIOLATION,
            })
        }
        Payload::Pvd(p) => {
            let c = &p.core;
            let (lat_deg, lon_deg) = origin.to_wgs84(c.pos.0, c.pos.1);
            j2735::pvd(&j2735::Probe {
                minute_of_year: (s.now_us / 60_000_000 % 527_040) as u32,
                segment: p.segment,
                lat_deg,
                lon_deg,
                heading_deg: geo::compass_deg(c.heading_rad),
                speed: c.speed,
                hpms_type: match from.station_type {
                    STATION_TYPE_BUS => 6,
                    STATION_TYPE_HEAVY_TRUCK => 8,
                    _ => 4,
                },
            })
        }
        Payload::Spat(_) => j2735::message_frame(j2735::MSG_SPAT, &j2735_value(msg, from, s)),
        Payload::Map(_) => j2735::message_frame(j2735::MSG_MAP, &j2735_value(msg, from, s)),
        Payload::Cam(_) | Payload::Denm(_) | Payload::Cpm(_) => payload(msg, from, s),
    }
}

/// The GeoNetworking packet of a message: basic header, then the signed envelope around the
/// common and extended headers, BTP-B and the UPER payload.
pub fn gn_packet(msg: &Payload, from: &Sender, s: &Sending) -> Vec<u8> {
    let (now_us, origin) = (s.now_us, &s.origin);
    let payload = payload(msg, from, s);
    let (lat_deg, lon_deg) = origin.to_wgs84(from.pos[0], from.pos[1]);
    let source = Source {
        station_type: from.station_type,
        mac: gn::mac(from.station),
        lat_deg,
        lon_deg,
        speed: from.speed,
        heading_deg: geo::compass_deg(from.heading_rad),
        mobile: from.mobile(),
    };
    let p = transport(msg, origin, s.sequence, s.lifetime_s);
    let mut inner = gn::common_and_extended(&p.packet, &source, now_us, payload.len());
    inner.extend(&payload);
    let header = Header {
        psid: p.psid,
        gen_us: now_us,
        location: p.located.then_some((lat_deg, lon_deg)),
    };
    let mut out = gn::basic_header(gn::NH_SECURED, p.packet.lifetime_s).to_vec();
    out.extend(security::signed(&inner, &header, s.signer, from.station));
    out
}

/// How each message type travels (ports: TS 103 248; PSIDs: TS 102 965; traffic classes: the
/// DCC profiles of TS 102 636-4-2).
struct Transport {
    packet: Packet,
    psid: u32,
    /// The signed header carries the generation location (DENM, TS 103 097 §7.1.2).
    located: bool,
}

fn transport(msg: &Payload, origin: &GeoOrigin, sequence: u16, lifetime_s: f64) -> Transport {
    let single = |port, tc, psid| Transport {
        packet: Packet {
            forwarding: Forwarding::SingleHop,
            lifetime_s,
            traffic_class: tc,
            port,
        },
        psid,
        located: false,
    };
    match msg {
        Payload::Cam(_) | Payload::Bsm(_) | Payload::Pvd(_) => single(2001, 2, security::PSID_CAM),
        Payload::Map(_) => single(2003, 3, security::PSID_MAPEM),
        Payload::Spat(_) => single(2004, 3, security::PSID_SPATEM),
        Payload::Cpm(_) | Payload::Ica(_) => single(2009, 3, security::PSID_CPM),
        Payload::Denm(d) | Payload::Rsa(d) | Payload::Tim(d) => Transport {
            packet: Packet {
                forwarding: Forwarding::GeoBroadcast {
                    centre: origin.to_wgs84(d.pos.0, d.pos.1),
                    radius_m: d.relevance_radius_m,
                    sequence,
                },
                lifetime_s,
                traffic_class: 1,
                port: 2002,
            },
            psid: security::PSID_DENM,
            located: true,
        },
    }
}

/// TS 103 097 V1.3.1 §7.1.1: a CAM carries the certificate when a second has passed since the
/// last one that did (a digest otherwise); every other message carries it always (§7.1.2-3).
pub fn signer(msg: &Payload, last_certificate_us: Option<u64>, now_us: u64) -> Signer {
    match (msg, last_certificate_us) {
        (Payload::Cam(_) | Payload::Bsm(_), Some(last)) if now_us < last + 1_000_000 => {
            Signer::Digest
        }
        _ => Signer::Certificate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::spec::{Class, Kind};

    /// TS 102 894-2 StationType: moped 3, motorcycle 4, passengerCar 5, bus 6, lightTruck 7,
    /// heavyTruck 8, trailer 9, specialVehicles 10; each kind's own class keeps its type.
    #[test]
    fn vehicle_classes_announce_their_station_types() {
        let of = |k| station_type(Class::of_kind(k));
        assert_eq!([of(Kind::Car), of(Kind::Bus), of(Kind::Truck)], [5, 6, 8]);
        let classes = [
            Class::Moped,
            Class::Motorcycle,
            Class::Taxi,
            Class::Coach,
            Class::Delivery,
            Class::Trailer,
            Class::Emergency,
        ];
        assert_eq!(classes.map(station_type), [3, 4, 5, 6, 7, 9, 10]);
    }
}

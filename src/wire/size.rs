//! The length of each message's UPER encoding, for builds without the encoder (feature `asn1`
//! off): fitted to the encoder, and checked against it field by field when it is there.
//!
//! UPER sizes hardly depend on values here: every field we send is a constrained integer or an
//! enumeration of fixed width. What changes the length is structure: the CAM's low-frequency
//! container, a DENM's optional location fields and termination, and the number of signal
//! groups, lanes and objects. Each count adds a fixed number of bits; the total is rounded up
//! to whole bytes.
use crate::v2x::messages::{ObjectKind, Payload};

/// Whole bytes of `bits`.
fn bytes(bits: usize) -> usize {
    bits.div_ceil(8)
}

/// The length of `msg`'s UPER encoding, bytes.
pub fn payload_bytes(msg: &Payload) -> usize {
    match msg {
        Payload::Cam(c) => bytes(CAM_BITS + if c.low_frequency { CAM_LF_BITS } else { 0 }),
        Payload::Denm(d) => {
            let mut bits = DENM_MANAGEMENT_BITS;
            // validityDuration DEFAULT 600: absent when it is 600 (EN 302 637-3 Annex A).
            if d.validity_s.round() != 600.0 {
                bits += DENM_VALIDITY_BITS;
            }
            if !d.termination {
                bits += DENM_SITUATION_LOCATION_BITS;
                bits += d.event_speed.map_or(0, |_| DENM_SPEED_BITS);
                bits += d.event_heading_rad.map_or(0, |_| DENM_HEADING_BITS);
            }
            bytes(bits)
        }
        Payload::Spat(_) | Payload::Map(_) => bytes(payload_bits(msg)),
        Payload::Cpm(c) => {
            let objects = c.objects.iter().take(128);
            let bits: usize = objects
                .map(|o| {
                    CPM_OBJECT_BITS
                        + if o.kind == ObjectKind::Unknown {
                            0
                        } else {
                            CPM_CLASS_BITS
                        }
                })
                .sum();
            bytes(
                CPM_BITS
                    + if c.objects.is_empty() {
                        0
                    } else {
                        CPM_CONTAINER_BITS
                    }
                    + bits,
            )
        }
        // J2735 messages have no ETSI encoding: they travel in WSMP (`wire::wsm_packet`).
        Payload::Bsm(_) | Payload::Rsa(_) | Payload::Tim(_) | Payload::Ica(_) | Payload::Pvd(_) => {
            0
        }
    }
}

/// The length of the SPAT or MapData value inside a J2735 MessageFrame, bytes: the ETSI
/// message's bits without its 48-bit ItsPduHeader, padded on its own.
pub fn j2735_value_bytes(msg: &Payload) -> usize {
    match msg {
        Payload::Spat(_) | Payload::Map(_) => (payload_bits(msg) - ITS_PDU_HEADER_BITS).div_ceil(8),
        _ => 0,
    }
}

/// ItsPduHeader: protocolVersion (8 bits), messageID (8), stationID (32).
const ITS_PDU_HEADER_BITS: usize = 48;

/// The bits of a SPATEM's or MAPEM's encoding before padding.
fn payload_bits(msg: &Payload) -> usize {
    match msg {
        Payload::Spat(s) => SPAT_BITS + SPAT_GROUP_BITS * s.states.len().min(255),
        Payload::Map(m) => {
            let lanes = m.approaches.iter().flat_map(|a| &a.lanes);
            let bits: usize = lanes
                .take(255)
                .map(|l| {
                    MAP_LANE_BITS
                        + if l.signal_group > 0 {
                            MAP_CONNECTION_BITS
                        } else {
                            0
                        }
                })
                .sum();
            MAP_BITS + bits
        }
        _ => 0,
    }
}

// Bits of each part, fitted to the encoder's lengths over 1-40 groups, lanes and objects (the
// test below checks every combination it was fitted on and more).
const CAM_BITS: usize = 322;
const CAM_LF_BITS: usize = 19;
const DENM_MANAGEMENT_BITS: usize = 324;
const DENM_SITUATION_LOCATION_BITS: usize = 34;
/// ValidityDuration, 0..86 400 s.
const DENM_VALIDITY_BITS: usize = 17;
/// SpeedValue (14 bits) and SpeedConfidence (7).
const DENM_SPEED_BITS: usize = 21;
/// HeadingValue (12 bits) and HeadingConfidence (7).
const DENM_HEADING_BITS: usize = 19;
const SPAT_BITS: usize = 148;
const SPAT_GROUP_BITS: usize = 61;
const MAP_BITS: usize = 173;
const MAP_LANE_BITS: usize = 128;
const MAP_CONNECTION_BITS: usize = 25;
const CPM_BITS: usize = 210;
const CPM_CONTAINER_BITS: usize = 8;
const CPM_OBJECT_BITS: usize = 140;
const CPM_CLASS_BITS: usize = 29;

#[cfg(all(test, feature = "asn1"))]
mod tests {
    use super::*;
    use crate::v2x::messages::*;
    use crate::wire::geo::GeoOrigin;
    use crate::wire::its::{Context, encode};

    fn check(m: &Payload) {
        let ctx = Context {
            origin: GeoOrigin::DMC,
            station_type: 5,
            station: 7,
        };
        let real = encode(m, &ctx).map(|v| v.len());
        assert_eq!(Ok(payload_bytes(m)), real, "{m:?}");
        if matches!(m, Payload::Spat(_) | Payload::Map(_)) {
            let real = crate::wire::its::encode_j2735_value(m, &ctx).map(|v| v.len());
            assert_eq!(Ok(j2735_value_bytes(m)), real, "J2735 {m:?}");
        }
    }

    #[test]
    fn cams_and_denms_have_their_encoded_length() {
        for lf in [false, true] {
            check(&Payload::Cam(Cam {
                station_id: 1,
                gen_time_s: 3.0,
                pos: (1.0, 2.0),
                speed: 10.0,
                heading_rad: 0.3,
                accel: -1.0,
                length_m: 12.0,
                width_m: 2.5,
                low_frequency: lf,
            }));
        }
        for termination in [false, true] {
            for speed in [None, Some(3.0)] {
                for heading in [None, Some(-2.0)] {
                    check(&Payload::Denm(Denm {
                        action_id: ActionId {
                            station_id: 3_000_004,
                            sequence: 70_000,
                        },
                        event: DenmEvent::EmergencyBraking,
                        pos: (-500.0, 6.0),
                        relevance_radius_m: 300.0,
                        detection_time_s: 1.0,
                        reference_time_s: 2.0,
                        validity_s: if speed.is_some() { 2.0 } else { 600.0 },
                        termination,
                        event_speed: speed,
                        event_heading_rad: heading,
                        hazard: None,
                    }));
                }
            }
        }
    }

    #[test]
    fn spat_map_and_cpm_grow_by_a_fixed_number_of_bits_per_item() {
        let state = |g: u8, state| MovementState {
            signal_group: g,
            link: "l".into(),
            state,
            min_end_time_s: 3599.0 + f64::from(g),
            likely_end_time_s: 20.0,
        };
        let lane = |g: u8| MapLane {
            lane_id: g,
            signal_group: g % 3,
            stop_line: (-300.0, 2.0),
            upstream: (30.0, 200.0),
            width_m: 3.5,
        };
        let object = |i: u32| PerceivedObject {
            object_id: 1_000 + i,
            kind: [
                ObjectKind::Vehicle,
                ObjectKind::Pedestrian,
                ObjectKind::Unknown,
            ][i as usize % 3],
            pos: (3.0 * f64::from(i), -4.0),
            speed: f64::from(i),
            heading_rad: 1.0,
        };
        // A SPaT or MAP names at least one group or lane (SIZE (1..255)); a CPM may have none.
        check(&Payload::Cpm(Cpm {
            station_id: 2_000_000,
            gen_time_s: 1.0,
            sender_pos: (0.0, 0.0),
            objects: Vec::new(),
        }));
        for n in [1usize, 2, 3, 7, 16, 40, 80] {
            let states = [
                MovementPhaseState::StopAndRemain,
                MovementPhaseState::ProtectedClearance,
            ];
            check(&Payload::Spat(Spat {
                intersection_id: "junction".into(),
                timestamp_s: 3_723.4,
                states: (1..=n).map(|g| state(g as u8, states[g % 2])).collect(),
            }));
            let approach = |k: usize| MapApproach {
                link: format!("l{k}"),
                lanes: (1..=n).map(|g| lane(g as u8)).collect(),
            };
            check(&Payload::Map(MapData {
                intersection_id: "junction".into(),
                ref_point: (10.0, -20.0),
                approaches: (0..3).map(approach).collect(),
            }));
            check(&Payload::Cpm(Cpm {
                station_id: 2_000_000,
                gen_time_s: 1.0,
                sender_pos: (0.0, 0.0),
                objects: (0..n as u32).map(object).collect(),
            }));
        }
    }
}

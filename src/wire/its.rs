//! ETSI facilities-layer messages in ASN.1 UPER, built from the simulated state with the
//! `c-its-parser` crate's types (generated from ETSI's ASN.1): CAM (EN 302 637-2 V1.4.1), DENM
//! (EN 302 637-3 V1.3.1), CPM (TR 103 562 V2.1.1), SPATEM and MAPEM (TS 103 301 with the
//! ISO TS 19091 DSRC types). Units and "unavailable" values are those of the common data
//! dictionary (TS 102 894-2 V1.3.1); docs/v2x-models.md lists what each field carries.
use c_its_parser::en::encode_to_uper;
use c_its_parser::standards::cam_1_4_1::cam_pdu_descriptions as cam;
use c_its_parser::standards::cdd_1_3_1_1::its_container as cdd;
use c_its_parser::standards::cdd_2_2_1::etsi_its_cdd as cdd2;
use c_its_parser::standards::cpm_1::cpm_pdu_descriptions as cpm;
use c_its_parser::standards::denm_1_3_1::denm_pdu_descriptions as denm;
use c_its_parser::standards::dsrc_2_2_1::etsi_its_dsrc as dsrc;
use c_its_parser::standards::mapem_2_2_1::mapem_pdu_descriptions as mapem;
use c_its_parser::standards::spatem_2_2_1::spatem_pdu_descriptions as spatem;
use rasn::types::{BitString, FixedBitString};

use super::geo::{GeoOrigin, compass_deg};
use super::gn::tenth_microdegrees;
use super::intersection_number;
use super::time::its_ms;
use crate::v2x::messages::{
    Cam, Cpm, Denm, MapData, MovementPhaseState, ObjectKind, Payload, Spat,
};

/// ItsPduHeader message ids (TS 102 894-2): DENM 1, CAM 2, SPATEM 4, MAPEM 5, CPM 14.
const ID_DENM: u8 = 1;
const ID_CAM: u8 = 2;
const ID_SPATEM: u8 = 4;
const ID_MAPEM: u8 = 5;
const ID_CPM: u8 = 14;

/// What the encoders need besides the message.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub origin: GeoOrigin,
    /// The sender's ITS station type.
    pub station_type: u8,
    /// The sender's station number.
    pub station: u32,
}

/// The UPER encoding of a message.
pub fn encode(msg: &Payload, ctx: &Context) -> Result<Vec<u8>, String> {
    match msg {
        Payload::Cam(m) => encode_to_uper(&cam_pdu(m, ctx)),
        Payload::Denm(m) => encode_to_uper(&denm_pdu(m, ctx)),
        Payload::Cpm(m) => encode_to_uper(&cpm_pdu(m, ctx)),
        Payload::Spat(m) => encode_to_uper(&spatem_pdu(m, ctx)),
        Payload::Map(m) => encode_to_uper(&mapem_pdu(m, ctx)),
        Payload::Bsm(_) | Payload::Rsa(_) | Payload::Tim(_) | Payload::Ica(_) | Payload::Pvd(_) => {
            Err("a J2735 message has no ETSI encoding".into())
        }
    }
}

/// The UPER encoding of the SPAT or MapData a J2735 MessageFrame carries (the Korean profile).
pub fn encode_j2735_value(msg: &Payload, ctx: &Context) -> Result<Vec<u8>, String> {
    match msg {
        Payload::Spat(m) => encode_to_uper(&spat(m)),
        Payload::Map(m) => encode_to_uper(&map_data(m, ctx)),
        _ => Err("only SPaT and MAP are encoded from the DSRC types".into()),
    }
}

/// ItsPduHeader: protocol version 2 for CAM and DENM (EN 302 637-2/-3 V1.4.1/V1.3.1), 1 for the
/// CPM of TR 103 562 V2.1.1.
fn header(id: u8, station: u32) -> cdd::ItsPduHeader {
    let version = if id == ID_CPM { 1 } else { 2 };
    cdd::ItsPduHeader::new(version, id, cdd::StationID(station))
}

/// A reference position at a map point, with an exact-fix confidence ellipse (1 cm, the
/// simulation knows where things are) and altitude unavailable.
fn reference_position(o: &GeoOrigin, p: (f64, f64)) -> cdd::ReferencePosition {
    let (lat, lon) = o.to_wgs84(p.0, p.1);
    cdd::ReferencePosition::new(
        cdd::Latitude(tenth_microdegrees(lat)),
        cdd::Longitude(tenth_microdegrees(lon)),
        cdd::PosConfidenceEllipse::new(
            cdd::SemiAxisLength(1),
            cdd::SemiAxisLength(1),
            cdd::HeadingValue(0),
        ),
        cdd::Altitude::new(
            cdd::AltitudeValue(800_001),
            cdd::AltitudeConfidence::unavailable,
        ),
    )
}

/// 0.1° from north, 0..3599.
fn heading_value(rad: f64) -> u16 {
    (compass_deg(rad) * 10.0).round() as u16 % 3600
}

fn heading(rad: f64) -> cdd::Heading {
    cdd::Heading::new(
        cdd::HeadingValue(heading_value(rad)),
        cdd::HeadingConfidence(1),
    )
}

/// 0.01 m/s, 0..16382 (16383 means unavailable).
fn speed(v: f64) -> cdd::Speed {
    let value = (v * 100.0).round().clamp(0.0, 16_382.0) as u16;
    cdd::Speed::new(cdd::SpeedValue(value), cdd::SpeedConfidence(1))
}

/// 0.1 unit steps clamped to `lo..=hi`.
fn tenths(v: f64, lo: f64, hi: f64) -> f64 {
    (v * 10.0).round().clamp(lo, hi)
}

fn cam_pdu(m: &Cam, ctx: &Context) -> cam::CAM {
    let accel = tenths(m.accel, -160.0, 160.0) as i16;
    let hf = cam::BasicVehicleContainerHighFrequency::new(
        heading(m.heading_rad),
        speed(m.speed),
        cdd::DriveDirection::forward,
        cdd::VehicleLength::new(
            cdd::VehicleLengthValue(tenths(m.length_m, 1.0, 1022.0) as u16),
            cdd::VehicleLengthConfidenceIndication::noTrailerPresent,
        ),
        cdd::VehicleWidth(tenths(m.width_m, 1.0, 61.0) as u8),
        cdd::LongitudinalAcceleration::new(
            cdd::LongitudinalAccelerationValue(accel),
            cdd::AccelerationConfidence(1),
        ),
        cdd::Curvature::new(
            cdd::CurvatureValue(1023),
            cdd::CurvatureConfidence::unavailable,
        ),
        cdd::CurvatureCalculationMode::unavailable,
        cdd::YawRate::new(
            cdd::YawRateValue(32_767),
            cdd::YawRateConfidence::unavailable,
        ),
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    );
    let lf = m.low_frequency.then(|| {
        cam::LowFrequencyContainer::basicVehicleContainerLowFrequency(
            cam::BasicVehicleContainerLowFrequency::new(
                cdd::VehicleRole::default,
                cdd::ExteriorLights(Default::default()),
                cdd::PathHistory(Vec::new()),
            ),
        )
    });
    let params = cam::CamParameters::new(
        cam::BasicContainer::new(
            cdd::StationType(ctx.station_type),
            reference_position(&ctx.origin, m.pos),
        ),
        cam::HighFrequencyContainer::basicVehicleContainerHighFrequency(hf),
        lf,
        None,
    );
    let gdt = cam::GenerationDeltaTime((its_ms(us(m.gen_time_s)) % 65_536) as u16);
    cam::CAM::new(
        header(ID_CAM, ctx.station),
        cam::CoopAwareness::new(gdt, params),
    )
}

/// Simulated seconds as µs.
fn us(s: f64) -> u64 {
    crate::clock::us_from_s(s.max(0.0))
}

/// The relevance distance class that covers a radius (EN 302 637-3 §7.1.5 RelevanceDistance).
fn relevance(radius_m: f64) -> cdd::RelevanceDistance {
    use cdd::RelevanceDistance::*;
    [
        (50.0, lessThan50m),
        (100.0, lessThan100m),
        (200.0, lessThan200m),
        (500.0, lessThan500m),
        (1000.0, lessThan1000m),
        (5000.0, lessThan5km),
        (10_000.0, lessThan10km),
    ]
    .into_iter()
    .find(|(r, _)| radius_m < *r)
    .map_or(over10km, |(_, c)| c)
}

fn denm_pdu(m: &Denm, ctx: &Context) -> denm::DENM {
    let ts = |s: f64| cdd::TimestampIts(its_ms(us(s)));
    let management = denm::ManagementContainer::new(
        cdd::ActionID::new(
            cdd::StationID(m.action_id.station_id),
            cdd::SequenceNumber((m.action_id.sequence % 65_536) as u16),
        ),
        ts(m.detection_time_s),
        ts(m.reference_time_s),
        m.termination.then_some(denm::Termination::isCancellation),
        reference_position(&ctx.origin, m.pos),
        Some(relevance(m.relevance_radius_m)),
        None,
        cdd::ValidityDuration(m.validity_s.round().clamp(0.0, 86_400.0) as u32),
        None,
        cdd::StationType(ctx.station_type),
    );
    let (cause, sub) = m.event.cause_code();
    let situation = (!m.termination).then(|| {
        denm::SituationContainer::new(
            cdd::InformationQuality(1),
            cdd::CauseCode::new(cdd::CauseCodeType(cause), cdd::SubCauseCodeType(sub)),
            None,
            None,
        )
    });
    let location = (!m.termination).then(|| {
        denm::LocationContainer::new(
            m.event_speed.map(speed),
            m.event_heading_rad.map(heading),
            cdd::Traces(vec![cdd::PathHistory(Vec::new())]),
            None,
        )
    });
    denm::DENM::new(
        header(ID_DENM, ctx.station),
        denm::DecentralizedEnvironmentalNotificationMessage::new(
            management, situation, location, None,
        ),
    )
}

fn cpm_pdu(m: &Cpm, ctx: &Context) -> cpm::CPM {
    let objects: Vec<cpm::PerceivedObject> = m
        .objects
        .iter()
        .take(128)
        .map(|o| perceived_object(o, m.sender_pos))
        .collect();
    let count = objects.len() as u8;
    let params = cpm::CpmParameters::new(
        cpm::CpmManagementContainer::new(
            cdd::StationType(ctx.station_type),
            None,
            reference_position(&ctx.origin, m.sender_pos),
        ),
        None,
        None,
        (!objects.is_empty()).then_some(cpm::PerceivedObjectContainer(objects)),
        None,
        cpm::NumberOfPerceivedObjects(count),
    );
    let gdt = cam::GenerationDeltaTime((its_ms(us(m.gen_time_s)) % 65_536) as u16);
    cpm::CPM::new(
        header(ID_CPM, ctx.station),
        cpm::CollectivePerceptionMessage::new(gdt, params),
    )
}

/// One object relative to the sender: for a roadside unit, x east and y north (TR 103 562
/// §6.6.3), in 0.01 m and 0.01 m/s.
fn perceived_object(
    o: &crate::v2x::messages::PerceivedObject,
    from: (f64, f64),
) -> cpm::PerceivedObject {
    let cm = |v: f64| (v * 100.0).round().clamp(-132_768.0, 132_767.0) as i32;
    let cms = |v: f64| (v * 100.0).round().clamp(-16_383.0, 16_383.0) as i16;
    let distance = |v| {
        cpm::ObjectDistanceWithConfidence::new(
            cpm::DistanceValue(cm(v)),
            cpm::DistanceConfidence(1),
        )
    };
    let velocity =
        |v| cpm::SpeedExtended::new(cpm::SpeedValueExtended(cms(v)), cdd::SpeedConfidence(1));
    let (vx, vy) = (o.speed * o.heading_rad.cos(), o.speed * o.heading_rad.sin());
    // TR 103 562 VehicleSubclassType passengerCar (3); PersonSubclassType pedestrian (1),
    // cyclist (3).
    let class = match o.kind {
        ObjectKind::Vehicle => Some(cpm::ObjectClassClass::vehicle(cpm::VehicleSubclass::new(
            cpm::VehicleSubclassType(3),
            cpm::ClassConfidence(100),
        ))),
        ObjectKind::Pedestrian | ObjectKind::Cyclist => {
            let t = if o.kind == ObjectKind::Pedestrian {
                1
            } else {
                3
            };
            Some(cpm::ObjectClassClass::person(cpm::PersonSubclass::new(
                cpm::PersonSubclassType(t),
                cpm::ClassConfidence(100),
            )))
        }
        ObjectKind::Unknown => None,
    };
    cpm::PerceivedObject::new(
        cpm::Identifier((o.object_id % 256) as u8),
        None,
        cpm::TimeOfMeasurement(0),
        None,
        cpm::ObjectConfidence(100),
        distance(o.pos.0 - from.0),
        distance(o.pos.1 - from.1),
        None,
        velocity(vx),
        velocity(vy),
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        cpm::ObjectRefPoint(0),
        None,
        class.map(|c| {
            cpm::ObjectClassDescription(vec![cpm::ObjectClass::new(cpm::ClassConfidence(100), c)])
        }),
        None,
    )
}

fn header2(id: u8, station: u32) -> cdd2::ItsPduHeader {
    cdd2::ItsPduHeader::new(
        cdd2::OrdinalNumber1B(2),
        cdd2::MessageId(id),
        cdd2::StationId(station),
    )
}

fn intersection_ref(id: &str) -> dsrc::IntersectionReferenceID {
    dsrc::IntersectionReferenceID::new(None, dsrc::IntersectionID(intersection_number(id)))
}

/// A TimeMark (ISO TS 19091 / J2735): tenths of a second within the hour, 0..35999.
fn time_mark(s: f64) -> dsrc::TimeMark {
    dsrc::TimeMark(((s.max(0.0) * 10.0).round() as u64 % 36_000) as u16)
}

fn phase_state(s: MovementPhaseState) -> dsrc::MovementPhaseState {
    match s {
        MovementPhaseState::StopAndRemain => dsrc::MovementPhaseState::stop_And_Remain,
        MovementPhaseState::ProtectedMovementAllowed => {
            dsrc::MovementPhaseState::protected_Movement_Allowed
        }
        MovementPhaseState::ProtectedClearance => dsrc::MovementPhaseState::protected_clearance,
    }
}

fn spatem_pdu(m: &Spat, ctx: &Context) -> spatem::SPATEM {
    spatem::SPATEM::new(header2(ID_SPATEM, ctx.station), spat(m))
}

/// The SPAT itself: the same type in ISO TS 19091 (inside a SPATEM) and SAE J2735 (inside a
/// MessageFrame on the Korean profile), with no regional extensions.
fn spat(m: &Spat) -> dsrc::SPAT {
    let states: Vec<dsrc::MovementState> = m
        .states
        .iter()
        .take(255)
        .map(|s| {
            let timing = dsrc::TimeChangeDetails::new(
                None,
                time_mark(s.min_end_time_s),
                None,
                Some(time_mark(s.likely_end_time_s)),
                None,
                None,
            );
            dsrc::MovementState::new(
                None,
                dsrc::SignalGroupID(s.signal_group),
                dsrc::MovementEventList(vec![dsrc::MovementEvent::new(
                    phase_state(s.state),
                    Some(timing),
                    None,
                    None,
                )]),
                None,
                None,
            )
        })
        .collect();
    let minute = (m.timestamp_s.max(0.0) / 60.0).floor();
    let ms_in_minute = ((m.timestamp_s.max(0.0) - minute * 60.0) * 1000.0).round() as u16;
    let intersection = dsrc::IntersectionState::new(
        None,
        intersection_ref(&m.intersection_id),
        dsrc::MsgCount(0),
        dsrc::IntersectionStatusObject(Default::default()),
        Some(dsrc::MinuteOfTheYear(minute as u32 % 527_040)),
        Some(dsrc::DSecond(ms_in_minute.min(59_999))),
        None,
        dsrc::MovementList(states),
        None,
        None,
    );
    dsrc::SPAT::new(
        None,
        None,
        dsrc::IntersectionStateList(vec![intersection]),
        None,
    )
}

fn mapem_pdu(m: &MapData, ctx: &Context) -> mapem::MAPEM {
    mapem::MAPEM::new(header2(ID_MAPEM, ctx.station), map_data(m, ctx))
}

/// The MapData itself, shared by ISO TS 19091 and SAE J2735 as [`spat`] is.
fn map_data(m: &MapData, ctx: &Context) -> dsrc::MapData {
    let mut lanes = Vec::new();
    for (a, approach) in m.approaches.iter().enumerate() {
        for l in &approach.lanes {
            lanes.push(generic_lane(l, m.ref_point, (a % 16) as u8));
        }
    }
    lanes.truncate(255);
    let (lat, lon) = ctx.origin.to_wgs84(m.ref_point.0, m.ref_point.1);
    let geometry = dsrc::IntersectionGeometry::new(
        None,
        intersection_ref(&m.intersection_id),
        dsrc::MsgCount(0),
        dsrc::Position3D::new(
            cdd2::Latitude(tenth_microdegrees(lat)),
            cdd2::Longitude(tenth_microdegrees(lon)),
            None,
            None,
        ),
        None,
        None,
        dsrc::LaneList(lanes),
        None,
        None,
    );
    dsrc::MapData::new(
        None,
        dsrc::MsgCount(0),
        None,
        None,
        Some(dsrc::IntersectionGeometryList(vec![geometry])),
        None,
        None,
        None,
        None,
    )
}

/// An ingress lane: its stop line and a point upstream as node offsets from the reference
/// point (cm), controlled by its signal group.
fn generic_lane(
    l: &crate::v2x::messages::MapLane,
    reference: (f64, f64),
    approach: u8,
) -> dsrc::GenericLane {
    let node = |p: (f64, f64)| {
        let cm = |v: f64| (v * 100.0).round().clamp(-32_768.0, 32_767.0) as i16;
        dsrc::NodeXY::new(
            dsrc::NodeOffsetPointXY::node_XY6(dsrc::NodeXY32b::new(
                dsrc::OffsetB16(cm(p.0 - reference.0)),
                dsrc::OffsetB16(cm(p.1 - reference.1)),
            )),
            None,
        )
    };
    let mut ingress = FixedBitString::<2>::ZERO;
    ingress.set(0, true); // ingressPath
    let attributes = dsrc::LaneAttributes::new(
        dsrc::LaneDirection(ingress),
        dsrc::LaneSharing(Default::default()),
        dsrc::LaneTypeAttributes::vehicle(dsrc::LaneAttributesVehicle(BitString::repeat(false, 8))),
        None,
    );
    let connects = (l.signal_group > 0).then(|| {
        dsrc::ConnectsToList(vec![dsrc::Connection::new(
            dsrc::ConnectingLane::new(dsrc::LaneID(0), None),
            None,
            Some(dsrc::SignalGroupID(l.signal_group)),
            None,
            None,
        )])
    });
    dsrc::GenericLane::new(
        dsrc::LaneID(l.lane_id),
        None,
        Some(dsrc::ApproachID(approach)),
        None,
        attributes,
        None,
        dsrc::NodeListXY::nodes(dsrc::NodeSetXY(vec![node(l.stop_line), node(l.upstream)])),
        connects,
        None,
        None,
    )
}

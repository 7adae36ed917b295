//! Typed ids of what V2X messages and drivers' awareness name, with the number each one has on
//! the wire (CPM object ids, DENM hazard ids, report and trace columns).
//!
//! Every kind owns its own range of wire numbers, and an id whose index does not fit its range
//! has no wire number ([`ObjectId::wire`] returns `None`), so two different ids never share a
//! number: the encoding is injective by construction, not by a limit checked elsewhere.
//! This module imports nothing.

/// First wire number of stalled vehicles (pedestrians own the numbers below it).
const STALLED_BASE: u32 = 1_000_000;
/// First wire number of road works (closed lanes).
const ROADWORKS_BASE: u32 = 2_500_000;
/// First wire number of ordinary vehicles as perceived objects.
const VEHICLE_BASE: u32 = 3_000_000;
/// Lanes per link a road-works number can tell apart (the road network has at most 8).
const LANES_PER_LINK: u32 = 8;

/// First station id of roadside units (vehicles own the numbers below it).
const RSU_STATION_BASE: u32 = 2_000_000;

/// A V2X station (the ETSI `StationID` / J2735 `TemporaryID` a message carries): a vehicle's
/// on-board unit or a roadside unit. As with [`ObjectId`], each kind owns its own range and an
/// index that does not fit has no number, so two stations never share one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StationId {
    /// A vehicle, by its vehicle index.
    Vehicle(u32),
    /// A roadside unit, by its index in the scenario.
    Rsu(u32),
    /// The control centre's server, which vehicles report to (the last number).
    ControlCentre,
}

impl StationId {
    /// The station's number on the wire, or `None` when its index does not fit its range.
    pub fn wire(self) -> Option<u32> {
        match self {
            Self::Vehicle(i) => (i < RSU_STATION_BASE).then_some(i),
            Self::Rsu(i) => RSU_STATION_BASE.checked_add(i).filter(|&n| n < u32::MAX),
            Self::ControlCentre => Some(u32::MAX),
        }
    }

    /// The station a wire number stands for (every number stands for exactly one).
    pub fn from_wire(n: u32) -> Self {
        match n.checked_sub(RSU_STATION_BASE) {
            _ if n == u32::MAX => Self::ControlCentre,
            Some(i) => Self::Rsu(i),
            None => Self::Vehicle(n),
        }
    }
}

/// Something a message or a driver can name: a hazard (pedestrian, stalled vehicle, road
/// works) or an ordinary vehicle seen by a camera or a driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ObjectId {
    /// A pedestrian, by its index in the scenario's pedestrian plan.
    Pedestrian(u32),
    /// A stalled vehicle, by its vehicle index.
    Stalled(u32),
    /// The road works closing `lane` of `link`.
    Roadworks { link: u32, lane: u8 },
    /// An ordinary vehicle, by its vehicle index (CPM objects, red-light runners).
    Vehicle(u32),
}

impl ObjectId {
    /// The wire number of this id, or `None` when its index does not fit the kind's range.
    pub fn wire(self) -> Option<u32> {
        let in_range =
            |base: u32, offset: u32, end: u32| base.checked_add(offset).filter(|n| *n < end);
        match self {
            Self::Pedestrian(i) => in_range(0, i, STALLED_BASE),
            Self::Stalled(i) => in_range(STALLED_BASE, i, ROADWORKS_BASE),
            Self::Roadworks { link, lane } => {
                if u32::from(lane) >= LANES_PER_LINK {
                    return None;
                }
                let slot = link.checked_mul(LANES_PER_LINK)? + u32::from(lane);
                in_range(ROADWORKS_BASE, slot, VEHICLE_BASE)
            }
            Self::Vehicle(i) => VEHICLE_BASE.checked_add(i),
        }
    }

    /// The id a wire number stands for (every number stands for exactly one id).
    pub fn from_wire(n: u32) -> Self {
        if n < STALLED_BASE {
            Self::Pedestrian(n)
        } else if n < ROADWORKS_BASE {
            Self::Stalled(n - STALLED_BASE)
        } else if n < VEHICLE_BASE {
            let slot = n - ROADWORKS_BASE;
            Self::Roadworks {
                link: slot / LANES_PER_LINK,
                lane: (slot % LANES_PER_LINK) as u8,
            }
        } else {
            Self::Vehicle(n - VEHICLE_BASE)
        }
    }

    /// A hazard: a pedestrian, a stalled vehicle or road works (not an ordinary vehicle).
    pub fn is_hazard(self) -> bool {
        !matches!(self, Self::Vehicle(_))
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn station_numbers_are_one_to_one() {
        use super::StationId::{ControlCentre, Rsu, Vehicle};
        assert_eq!(Vehicle(0).wire(), Some(0));
        assert_eq!(Rsu(0).wire(), Some(2_000_000));
        assert_eq!(
            Vehicle(2_000_000).wire(),
            None,
            "would collide with the first RSU"
        );
        assert_eq!(Rsu(u32::MAX).wire(), None);
        assert_eq!(
            Rsu(u32::MAX - 2_000_000).wire(),
            None,
            "would collide with the control centre"
        );
        for id in [
            Vehicle(0),
            Vehicle(1_999_999),
            Rsu(0),
            Rsu(7),
            Rsu(u32::MAX - 2_000_001),
            ControlCentre,
        ] {
            assert_eq!(super::StationId::from_wire(id.wire().unwrap()), id);
        }
    }
    use super::ObjectId::{self, *};

    /// Ids at the edges of every range, and just past them.
    fn edges() -> Vec<ObjectId> {
        let mut ids = Vec::new();
        for i in [
            0,
            1,
            7,
            8,
            499_999,
            999_999,
            1_000_000,
            1_499_999,
            1_500_000,
            u32::MAX,
        ] {
            ids.extend([Pedestrian(i), Stalled(i), Vehicle(i)]);
            for lane in [0, 1, 7, 8, 255] {
                ids.push(Roadworks { link: i, lane });
            }
        }
        ids
    }

    #[test]
    fn every_wire_number_decodes_to_its_id() {
        for id in edges() {
            if let Some(n) = id.wire() {
                assert_eq!(ObjectId::from_wire(n), id, "{id:?} -> {n}");
            }
        }
    }

    #[test]
    fn no_two_ids_share_a_wire_number() {
        let mut seen = std::collections::BTreeMap::new();
        for id in edges() {
            if let Some(n) = id.wire()
                && let Some(other) = seen.insert(n, id)
            {
                assert_eq!(other, id, "{other:?} and {id:?} both encode to {n}");
            }
        }
    }

    #[test]
    fn ids_past_their_range_have_no_number() {
        assert_eq!(Pedestrian(1_000_000).wire(), None);
        assert_eq!(Stalled(1_500_000).wire(), None);
        assert_eq!(Roadworks { link: 0, lane: 8 }.wire(), None);
        assert_eq!(
            Roadworks {
                link: 62_500,
                lane: 0
            }
            .wire(),
            None
        );
        assert_eq!(Vehicle(u32::MAX - 2_999_999).wire(), None);
    }

    /// The numbers the reports and traces have always carried.
    #[test]
    fn wire_numbers_keep_their_ranges() {
        assert_eq!(Pedestrian(3).wire(), Some(3));
        assert_eq!(Stalled(4).wire(), Some(1_000_004));
        assert_eq!(Roadworks { link: 5, lane: 2 }.wire(), Some(2_500_042));
        assert_eq!(Vehicle(6).wire(), Some(3_000_006));
    }
}

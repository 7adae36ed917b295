use serde::{Deserialize, Serialize};

use super::v2x::Radio;

/// Vehicle kinds, each with its own size and default driver (see `traffic::kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Kind {
    Car,
    Bus,
    Truck,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Car, Kind::Bus, Kind::Truck];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Car => "car",
            Kind::Bus => "bus",
            Kind::Truck => "truck",
        }
    }

    /// Body dimensions: a typical Korean passenger car (4.5 × 1.8 × 1.5 m), an 11 m city bus
    /// (Hyundai Universe / Elec City class, 11 × 2.5 × 3.2 m), a 12 m rigid truck.
    pub fn body(self) -> Body {
        match self {
            Kind::Car => Body {
                length: 4.5,
                width: 1.8,
                height: 1.5,
            },
            Kind::Bus => Body {
                length: 11.0,
                width: 2.5,
                height: 3.2,
            },
            Kind::Truck => Body {
                length: 12.0,
                width: 2.5,
                height: 3.5,
            },
        }
    }
}

/// SUMO's classes of road vehicle (`vClass`), which lanes are opened or closed to (`allow`,
/// `disallow`): a vehicle's class is its kind's (car: passenger, bus: bus, truck: truck)
/// unless it says otherwise (a taxi, a delivery van, an emergency vehicle). SUMO's other
/// classes (pedestrians, bicycles, rail, ships, ...) are not road vehicles sangam-sim drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Class {
    Passenger,
    Private,
    Taxi,
    Hov,
    Bus,
    Coach,
    Delivery,
    Truck,
    Trailer,
    Emergency,
    Authority,
    Army,
    Vip,
    Motorcycle,
    Moped,
    Evehicle,
    Custom1,
    Custom2,
}

impl Class {
    pub const ALL: [Class; 18] = [
        Class::Passenger,
        Class::Private,
        Class::Taxi,
        Class::Hov,
        Class::Bus,
        Class::Coach,
        Class::Delivery,
        Class::Truck,
        Class::Trailer,
        Class::Emergency,
        Class::Authority,
        Class::Army,
        Class::Vip,
        Class::Motorcycle,
        Class::Moped,
        Class::Evehicle,
        Class::Custom1,
        Class::Custom2,
    ];

    /// SUMO's name of the class.
    pub fn sumo_name(self) -> &'static str {
        match self {
            Class::Passenger => "passenger",
            Class::Private => "private",
            Class::Taxi => "taxi",
            Class::Hov => "hov",
            Class::Bus => "bus",
            Class::Coach => "coach",
            Class::Delivery => "delivery",
            Class::Truck => "truck",
            Class::Trailer => "trailer",
            Class::Emergency => "emergency",
            Class::Authority => "authority",
            Class::Army => "army",
            Class::Vip => "vip",
            Class::Motorcycle => "motorcycle",
            Class::Moped => "moped",
            Class::Evehicle => "evehicle",
            Class::Custom1 => "custom1",
            Class::Custom2 => "custom2",
        }
    }

    /// The class of SUMO's name, if it is a road vehicle's.
    pub fn from_sumo(name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.sumo_name() == name)
    }

    /// A kind's class unless a vehicle says otherwise.
    pub fn of_kind(kind: Kind) -> Class {
        match kind {
            Kind::Car => Class::Passenger,
            Kind::Bus => Class::Bus,
            Kind::Truck => Class::Truck,
        }
    }

    /// The mask of a lane open to every class (one [`Class::bit`] each).
    pub const EVERY: u32 = (1 << Class::ALL.len()) - 1;

    /// The class's bit in a lane's mask of classes it is open to.
    pub fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// Body dimensions, m.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Body {
    pub length: f64,
    pub width: f64,
    pub height: f64,
}

/// Where a vehicle goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Route {
    /// An explicit list of consecutive links.
    Links(Vec<String>),
    /// From one node to another by the shortest free-flow travel time.
    Trip { from: String, to: String },
    /// A closed loop of links driven `laps` times (the last link must lead to the first).
    Loop { links: Vec<String>, laps: u32 },
    /// From the start of one link to the end of another, the links between by the shortest
    /// free-flow travel time (SUMO's `<trip from=".." to="..">`, which names edges).
    LinkTrip { from: String, to: String },
}

/// IDM and MOBIL parameters; every field falls back to the kind's default.
///
/// IDM: Treiber, Hennecke, Helbing, "Congested traffic states in empirical observations and
/// microscopic simulations", Phys. Rev. E 62, 1805 (2000). MOBIL: Kesting, Treiber, Helbing,
/// "General lane-changing model MOBIL for car-following models", TRR 1999 (2007).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DriverSpec {
    /// Desired speed, m/s (default: the link's speed limit).
    #[serde(default)]
    pub v0: Option<f64>,
    /// Desired time headway T, s.
    #[serde(default)]
    pub time_headway: Option<f64>,
    /// Maximum acceleration a, m/s².
    #[serde(default)]
    pub accel: Option<f64>,
    /// Comfortable deceleration b, m/s².
    #[serde(default)]
    pub decel: Option<f64>,
    /// Minimum gap s0, m.
    #[serde(default)]
    pub min_gap: Option<f64>,
    /// Acceleration exponent delta.
    #[serde(default)]
    pub delta: Option<f64>,
    /// MOBIL politeness p.
    #[serde(default)]
    pub politeness: Option<f64>,
    /// Reaction to what the driver sees: perception-reaction time, s (human default 1.0, automated 0.1).
    #[serde(default)]
    pub reaction_time: Option<f64>,
    /// How long a lane change takes at speed, s (default 4.6, the naturalistic mean).
    #[serde(default)]
    pub lane_change_duration: Option<f64>,
    /// The vehicle's top speed, m/s: the desired speed never exceeds it (SUMO's `maxSpeed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_speed: Option<f64>,
    /// Desired speed as a multiple of the limit when `v0` is not set (SUMO's `speedFactor`;
    /// default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_factor: Option<f64>,
    /// Spread of `speed_factor` between the drivers of a flow: each draws a factor uniformly
    /// within ± `speed_spread` of it (default 0.1; explicit vehicles take the factor as is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_spread: Option<f64>,
}

/// One vehicle placed by hand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VehicleSpawn {
    pub id: String,
    pub kind: Kind,
    pub route: Route,
    /// Departure time, s.
    #[serde(default)]
    pub depart: f64,
    /// Initial speed, m/s.
    #[serde(default)]
    pub speed: f64,
    /// Depart as fast as the limit and the gap ahead safely allow, as flow vehicles do (SUMO's
    /// `departSpeed="max"`); `speed` is then not used.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fit_speed: bool,
    /// Body length, m (default: the kind's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<f64>,
    /// Initial position along the first link, m from its start.
    #[serde(default)]
    pub pos: f64,
    /// Initial lane (0 = rightmost).
    #[serde(default)]
    pub lane: u8,
    /// Depart on the lane with the most room, as flow vehicles do (SUMO's `departLane="best"`);
    /// `lane` is then not used.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fit_lane: bool,
    /// Automated vehicles use V2X; human-driven ones ignore it.
    #[serde(default)]
    pub automated: bool,
    #[serde(default)]
    pub driver: DriverSpec,
    /// Radios on board (default: from `v2x.obu` for the kind and automation).
    #[serde(default)]
    pub radios: Option<Vec<Radio>>,
    /// Bus stops to dwell at: (link id, position m, dwell s).
    #[serde(default)]
    pub stops: Vec<BusStop>,
    /// A red-light runner: this (human) driver ignores red and amber signals, still following
    /// leaders and yielding to nothing else. For intersection collision warning tests.
    #[serde(default)]
    pub runs_red: bool,
    /// Its class for lane permissions (SUMO's `vClass`; default: its kind's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<Class>,
}

/// A stop on a vehicle's route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusStop {
    pub name: String,
    pub link: String,
    /// Position along the link, m.
    pub pos: f64,
    /// Dwell time, s.
    pub dwell: f64,
}

/// Shares of each kind in a flow; they need not sum to 1 (they are normalised).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindMix {
    #[serde(default = "one")]
    pub car: f64,
    #[serde(default)]
    pub bus: f64,
    #[serde(default)]
    pub truck: f64,
}

impl Default for KindMix {
    fn default() -> Self {
        KindMix {
            car: 1.0,
            bus: 0.0,
            truck: 0.0,
        }
    }
}

fn one() -> f64 {
    1.0
}

impl KindMix {
    /// Every vehicle of one kind.
    pub fn only(kind: Kind) -> KindMix {
        let share = |k: Kind| if k == kind { 1.0 } else { 0.0 };
        KindMix {
            car: share(Kind::Car),
            bus: share(Kind::Bus),
            truck: share(Kind::Truck),
        }
    }
}

fn is_poisson(a: &Arrivals) -> bool {
    *a == Arrivals::Poisson
}

/// How a flow's departures are spaced in time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Arrivals {
    /// Poisson: exponential headways with mean 3600 / `per_hour` s.
    #[default]
    Poisson,
    /// Evenly spaced, the first at `begin` (SUMO's `vehsPerHour`, `period`, `number`).
    Regular,
    /// Each whole second from `begin`, a departure with probability `per_hour` / 3600 (SUMO's
    /// `probability`).
    Bernoulli,
}

/// A stream of vehicles between two nodes, or along a route.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub id: String,
    /// First and last node (the route between them is the fastest); or give `route` instead.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub from: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub to: String,
    /// Where the flow's vehicles go, instead of `from` and `to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<Route>,
    /// Demand, vehicles per hour.
    pub per_hour: f64,
    /// How departures are spaced (default Poisson).
    #[serde(default, skip_serializing_if = "is_poisson")]
    pub arrivals: Arrivals,
    /// At most this many vehicles (SUMO's `number`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u32>,
    /// Departure lane (0 = rightmost; default: the lane with the most room).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lane: Option<u8>,
    /// Departure speed, m/s (default: as fast as the limit and the gap ahead safely allow).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed: Option<f64>,
    /// Body length, m (default: the kind's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<f64>,
    /// Time window, s.
    #[serde(default)]
    pub begin: f64,
    #[serde(default)]
    pub end: Option<f64>,
    #[serde(default)]
    pub mix: KindMix,
    /// Share of automated vehicles (penetration rate), 0-1.
    #[serde(default)]
    pub automated: f64,
    #[serde(default)]
    pub driver: DriverSpec,
    /// Its vehicles' class for lane permissions (SUMO's `vClass`; default: each one's kind's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<Class>,
}

/// A pedestrian crossing a link at right angles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PedestrianSpawn {
    pub id: String,
    /// The link crossed.
    pub link: String,
    /// Where along the link, m from its start.
    pub pos: f64,
    /// Time the pedestrian steps off the kerb, s.
    pub depart: f64,
    /// Walking speed, m/s (default 1.4).
    #[serde(default = "walk")]
    pub speed: f64,
    /// Start at the right kerb (true) or the left one.
    #[serde(default = "yes")]
    pub from_right: bool,
}

fn walk() -> f64 {
    1.4
}
fn yes() -> bool {
    true
}

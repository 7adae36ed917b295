use serde::{Deserialize, Serialize};

use super::Point;

/// The road graph: nodes, directed links between them, and junction control.
/// Every list defaults to empty so that a scenario can take its map from an include.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    #[serde(default)]
    pub nodes: Vec<Node>,
    #[serde(default)]
    pub links: Vec<Link>,
    #[serde(default)]
    pub junctions: Vec<Junction>,
    /// (latitude, longitude), degrees, of the map point (0, 0): where messages on the air say
    /// things are (positions in CAMs, DENMs, SPaT/MAP, GeoNetworking headers). Default: the
    /// Digital Media City intersection, the Sangam map's origin. The scenario's own value wins
    /// over an included fragment's.
    #[serde(default)]
    pub geo_origin: Option<(f64, f64)>,
}

/// A point of the graph; links start and end at nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub id: String,
    /// Position, m.
    pub pos: Point,
    /// Half-size of the junction box, m: links are trimmed by this much at the node and turns are
    /// drawn inside it; stop lines sit at the trimmed end. 0 for a plain bend or an end point.
    #[serde(default)]
    pub radius: f64,
    /// Height of the ground here above the map's datum, m (SUMO's junction `z`): the ends of
    /// links from and to the node. 0, flat, by default.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub z: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// A directed road between two nodes with one or more lanes (lane 0 is the rightmost).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub id: String,
    pub from: String,
    pub to: String,
    /// Lanes in this direction (1-8).
    #[serde(default = "one")]
    pub lanes: u8,
    /// Speed limit, km/h.
    #[serde(default = "fifty")]
    pub speed_limit_kmh: f64,
    /// Intermediate points between `from` and `to`, m; the length is derived from the polyline.
    #[serde(default)]
    pub shape: Vec<Point>,
    /// Height of the road at each shape point above the map's datum, m (SUMO's `x,y,z`
    /// shapes): one per point of `shape`, or none for a road whose height follows its nodes'
    /// `z` (flat by default). Heights are linear between points; positions along the road stay
    /// measured on the map.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub heights: Vec<f64>,
    /// Display name (e.g. "World Cup-buk-ro").
    #[serde(default)]
    pub name: String,
    /// The shape's first and last points are where the carriageway starts and ends (as in a
    /// SUMO network, whose lanes end at each junction's edge): the link runs between them,
    /// rather than from node to node trimmed by the nodes' radii. Needs two shape points.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exact_ends: bool,
    /// Width of each lane, m (default [`crate::road::LANE_WIDTH`]; SUMO's default is 3.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lane_width: Option<f64>,
    /// Which lane leads into which lane of which next link at this link's end (SUMO's
    /// `<connection>`s). When given, these are the only ways on from this link: a route may
    /// continue only onto a link named here, from the lanes named. When empty, the lanes
    /// follow sangam-sim's own lane rules (docs/traffic-models.md, "Junctions").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub connections: Vec<LaneLink>,
    /// No way on from this link's end (a SUMO edge without connections): routes end here.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dead_end: bool,
    /// Lanes only some kinds of vehicle may use, such as a bus lane (SUMO's `allow` /
    /// `disallow` on a lane). Other kinds neither depart in them nor change into them, and
    /// are not steered into them through junctions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserved: Vec<ReservedLane>,
}

/// A lane only the kinds and classes named may use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReservedLane {
    /// Lane of the link (0 is the rightmost).
    pub lane: u8,
    /// The kinds whose vehicles may use it (those of the kind's own class: `Bus` opens it to
    /// buses, not to a bus that says it is a `Coach`).
    #[serde(default)]
    pub kinds: Vec<super::Kind>,
    /// Further classes that may use it (SUMO's `vClass`: `Taxi`, `Emergency`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<super::Class>,
}

impl ReservedLane {
    /// The classes that may use the lane, as a mask of [`super::Class::bit`]s.
    pub fn mask(&self) -> u32 {
        let kinds = self.kinds.iter().map(|k| super::Class::of_kind(*k));
        kinds
            .chain(self.classes.iter().copied())
            .fold(0, |m, c| m | c.bit())
    }
}

/// One lane-to-lane connection at the end of a link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaneLink {
    /// Lane of this link (0 is the rightmost).
    pub lane: u8,
    /// The next link, starting at this link's end node.
    pub to: String,
    /// Lane of the next link it leads into.
    pub to_lane: u8,
    /// The path through the junction box, m (SUMO's internal lanes): the vehicle's path runs
    /// from the end of `lane` through these points to the start of `to_lane`. Empty: a curve
    /// between the two lane ends.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub via: Vec<Point>,
}

fn one() -> u8 {
    1
}
fn fifty() -> f64 {
    50.0
}

/// How a node controls who may enter it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Junction {
    /// Junction id (used by RSUs and events).
    pub id: String,
    /// The node it controls.
    pub node: String,
    pub control: Control,
    /// Display name (e.g. "Digital Media City intersection").
    #[serde(default)]
    pub name: String,
}

/// Junction control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Control {
    /// Fixed-time signal program.
    Signal(SignalProgram),
    /// Priority junction: vehicles on `major` links go first; the others yield and accept a gap.
    Priority {
        major: Vec<String>,
        /// Who gives way to whom, movement by movement (SUMO's `<request>` foe matrix). When
        /// given, this is the whole right of way: a movement listed gives way to the movements
        /// named, a movement not listed to none, whatever `major` says (`major` then only
        /// names the main road for display). Empty: minor links give way to every major
        /// vehicle whose path meets theirs.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        yields: Vec<GiveWay>,
    },
}

/// One movement of a priority junction and the movements it gives way to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GiveWay {
    /// The movement that gives way: (from link, to link).
    pub movement: (String, String),
    /// The movements it gives way to, each (from link, to link).
    pub to: Vec<(String, String)>,
    /// A stop sign: drivers come to a full stop at the line and stand a moment before they go
    /// (SUMO's link states `s` and `w`, `jmStopSignWait`), then give way as above.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stop: bool,
}

/// A fixed-time program: a cycle of phases, each followed by amber and all-red.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalProgram {
    /// Start of the cycle relative to t = 0, s (coordination offset).
    #[serde(default)]
    pub offset: f64,
    /// Amber after each phase, s (default 3).
    #[serde(default = "three")]
    pub amber: f64,
    /// All-red clearance after each amber, s (default 2).
    #[serde(default = "two")]
    pub all_red: f64,
    pub phases: Vec<Phase>,
}

fn three() -> f64 {
    3.0
}
fn two() -> f64 {
    2.0
}

/// One phase: the incoming links that have green, and for how long.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// Incoming link ids with a protected green for every movement in this phase.
    pub green: Vec<String>,
    /// Green time, s.
    pub duration: f64,
    /// Single movements `(from link, to link)` with a protected green in this phase, the other
    /// movements of their link staying red (a protected left-turn arrow; SUMO's `G` on some of
    /// an edge's connections only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub turns: Vec<(String, String)>,
    /// Movements with a permissive green in this phase: they go only through gaps in the
    /// protected movements that cross their path (SUMO's `g`; SAE J2735
    /// `permissive-Movement-Allowed`), like a left turn across oncoming traffic. A movement of a
    /// `green` link listed here yields too.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissive: Vec<(String, String)>,
}

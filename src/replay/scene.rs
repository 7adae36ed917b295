//! What stays put during a run, as the browser report draws it from above: roads with their
//! lanes, the paths through junctions, buildings, roadside units and gNBs with how far they
//! reach. Coordinates in metres rounded to 0.1 m (x east, y north).
use serde::{Deserialize, Serialize};

use crate::radio::coverage::{gnb_radius, rsu_radius};
use crate::road::{LANE_WIDTH, RoadNetwork};
use crate::scenario::spec::Spec;

/// A point, m.
pub type Pt = [f64; 2];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scene {
    /// Scenario name and message set (`ETSI C-ITS`, `Korean C-ITS`, `no V2X`), for the header.
    pub name: String,
    pub profile: String,
    /// West, south, east, north edges of everything drawn, m.
    pub bounds: [f64; 4],
    pub lane_width: f64,
    pub roads: Vec<Road>,
    /// Vehicle paths through junctions (one lane wide).
    pub turns: Vec<Vec<Pt>>,
    pub buildings: Vec<Block>,
    pub rsus: Vec<Site>,
    pub gnbs: Vec<Site>,
    /// Where the action is, to open on: middle and radius, m (`framing`); none for the whole
    /// district's overview.
    pub focus: Option<(Pt, f64)>,
}

/// A link: its centreline and lane count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Road {
    pub id: String,
    pub name: String,
    pub lanes: u8,
    pub center: Vec<Pt>,
    /// Its lane width, m, where it is not the scene's `lane_width`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lane_width: Option<f64>,
    /// Its lanes reserved for some kinds (bus lanes), drawn with blue lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reserved: Vec<u8>,
}

/// A building's footprint and height.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub footprint: Vec<Pt>,
    pub height: f64,
}

/// A roadside unit or gNB: where, and how far it reaches (`radio::coverage`, indicative).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    pub id: String,
    pub pos: Pt,
    pub radius: f64,
}

/// Metres rounded to 0.1 m.
fn r1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

fn pt(p: (f64, f64)) -> Pt {
    [r1(p.0), r1(p.1)]
}

/// The message set stations use, as the dashboard names it.
pub fn message_set(spec: &Spec) -> &'static str {
    use crate::scenario::spec::Profile;
    match (spec.v2x.enabled, spec.v2x.profile) {
        (false, _) => "no V2X",
        (true, Profile::Etsi) => "ETSI C-ITS",
        (true, Profile::Korea) => "Korean C-ITS",
    }
}

impl Scene {
    pub fn build(spec: &Spec, net: &RoadNetwork) -> Scene {
        let roads = net
            .links
            .iter()
            .map(|l| Road {
                id: l.id.clone(),
                name: l.name.clone(),
                lanes: l.lanes,
                center: l.center.points().iter().map(|p| pt((p[0], p[1]))).collect(),
                lane_width: (l.lane_width != LANE_WIDTH).then_some(r1(l.lane_width)),
                reserved: (0..l.lanes).filter(|k| !l.open_to_all(*k)).collect(),
            })
            .collect();
        let turns = net
            .turns()
            .map(|(_, t)| t.path.points().iter().map(|p| pt((p[0], p[1]))).collect())
            .collect();
        let buildings = spec
            .buildings
            .iter()
            .map(|b| Block {
                footprint: b.shape.corners().into_iter().map(pt).collect(),
                height: r1(b.height),
            })
            .collect();
        let rsu_r = r1(rsu_radius(spec));
        let rsus = spec.v2x.rsus.iter().map(|r| Site {
            id: r.id.clone(),
            pos: pt(r.pos),
            radius: rsu_r,
        });
        let gnbs = spec.v2x.gnbs.iter().enumerate().map(|(i, g)| Site {
            id: g.id.clone(),
            pos: pt(g.pos),
            radius: r1(gnb_radius(spec, i)),
        });
        let mut scene = Scene {
            name: spec.name.clone(),
            profile: message_set(spec).into(),
            bounds: [0.0; 4],
            lane_width: LANE_WIDTH,
            roads,
            turns,
            buildings,
            rsus: rsus.collect(),
            gnbs: gnbs.collect(),
            focus: None,
        };
        scene.bounds = scene.extent();
        let b = scene.bounds;
        let centre = [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0];
        scene.focus =
            super::framing::action(spec, net, centre).map(|(c, r)| ([r1(c[0]), r1(c[1])], r1(r)));
        scene
    }

    /// The box around roads, buildings and roadside units (gNB coverage may reach beyond).
    fn extent(&self) -> [f64; 4] {
        let pts = self
            .roads
            .iter()
            .flat_map(|r| r.center.iter())
            .chain(self.buildings.iter().flat_map(|b| b.footprint.iter()))
            .chain(self.rsus.iter().chain(&self.gnbs).map(|s| &s.pos));
        let mut b = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in pts {
            b = [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ];
        }
        if b[0] > b[2] {
            return [-50.0, -50.0, 50.0, 50.0];
        }
        b
    }
}

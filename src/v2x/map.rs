//! MapData (SAE J2735) of a signalised junction: its approaches, lanes and stop lines.
use super::messages::{MapApproach, MapData, MapLane};
use crate::road::RoadNetwork;
use crate::road::network::JunctionCtl;

/// How far upstream of the stop line a lane's second MapData node lies, m.
const UPSTREAM_M: f64 = 30.0;

pub fn map_data(net: &RoadNetwork, junction: u32) -> MapData {
    let j = &net.junctions[junction as usize];
    let node = &net.nodes[j.node as usize];
    let groups: Vec<u32> = match &j.ctl {
        JunctionCtl::Signal(p) => p.timelines.iter().map(|(l, _)| *l).collect(),
        JunctionCtl::Priority { .. } => Vec::new(),
    };
    let approaches = node
        .incoming
        .iter()
        .map(|&l| {
            let link = &net.links[l as usize];
            let group = groups
                .iter()
                .position(|g| *g == l)
                .map_or(0, |i| i as u8 + 1);
            MapApproach {
                link: link.id.clone(),
                lanes: (0..link.lanes)
                    .map(|lane| {
                        let path = &link.lane_paths[lane as usize];
                        let (p, _) = path.at(path.length());
                        let (q, _) = path.at((path.length() - UPSTREAM_M).max(0.0));
                        MapLane {
                            lane_id: lane + 1,
                            signal_group: group,
                            stop_line: (p[0], p[1]),
                            upstream: (q[0], q[1]),
                            width_m: link.lane_width,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    MapData {
        intersection_id: j.id.clone(),
        ref_point: (node.pos[0], node.pos[1]),
        approaches,
    }
}

//! Shortest paths by free-flow travel time (Dijkstra, 1959), with ties broken by link index so
//! that the same network always gives the same route.
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::network::RoadNetwork;

/// Links from node `from` to node `to` with the least free-flow time, or `None` if unreachable.
pub fn shortest_path(net: &RoadNetwork, from: u32, to: u32) -> Option<Vec<u32>> {
    let n = net.nodes.len();
    if from as usize >= n || to as usize >= n {
        return None;
    }
    // Costs in microseconds as integers: exact ordering, no float ties.
    let mut best = vec![u64::MAX; n];
    let mut via: Vec<Option<u32>> = vec![None; n];
    let mut heap = BinaryHeap::new();
    best[from as usize] = 0;
    heap.push(Reverse((0u64, from)));
    while let Some(Reverse((cost, node))) = heap.pop() {
        if node == to {
            break;
        }
        if cost > best[node as usize] {
            continue;
        }
        for &l in &net.nodes[node as usize].outgoing {
            let link = &net.links[l as usize];
            let t = crate::clock::us_from_s_floor(link.length / link.speed_limit.max(0.1)) + 1;
            let next = cost + t;
            if next < best[link.to as usize] {
                best[link.to as usize] = next;
                via[link.to as usize] = Some(l);
                heap.push(Reverse((next, link.to)));
            }
        }
    }
    if best[to as usize] == u64::MAX {
        return None;
    }
    let mut path = Vec::new();
    let mut node = to;
    while node != from {
        let l = via[node as usize]?;
        path.push(l);
        node = net.links[l as usize].from;
    }
    path.reverse();
    Some(path)
}

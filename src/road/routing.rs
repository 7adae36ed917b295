//! Shortest paths by free-flow travel time (Dijkstra, 1959), with ties broken by link index so
//! that the same network always gives the same route.
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::network::RoadNetwork;

/// Links from node `from` to node `to` with the least free-flow time, or `None` if unreachable.
/// On a network with lane-to-lane connections, only the movements they allow are taken.
pub fn shortest_path(net: &RoadNetwork, from: u32, to: u32) -> Option<Vec<u32>> {
    let n = net.nodes.len();
    if from as usize >= n || to as usize >= n {
        return None;
    }
    if net.wired() {
        if from == to {
            return Some(Vec::new());
        }
        let first = net.nodes[from as usize].outgoing.clone();
        return fastest_chain(net, &first, |l| net.links[l as usize].to == to);
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

/// The links from link `a` to link `b`, both included: `a` alone when they are the same,
/// else the fastest way on from the end of `a` that ends with `b`.
pub fn link_trip(net: &RoadNetwork, a: u32, b: u32) -> Option<Vec<u32>> {
    if a == b {
        return Some(vec![a]);
    }
    let mut links = vec![a];
    if net.wired() {
        let first: Vec<u32> = net.next_links(a).collect();
        links.extend(fastest_chain(net, &first, |l| l == b)?);
    } else {
        let (end, start) = (net.links[a as usize].to, net.links[b as usize].from);
        if end != start {
            links.extend(shortest_path(net, end, start)?);
        }
        links.push(b);
    }
    Some(links)
}

/// Free-flow time over a link, µs (at least 1, so that every step costs).
fn cost(net: &RoadNetwork, l: u32) -> u64 {
    let link = &net.links[l as usize];
    crate::clock::us_from_s_floor(link.length / link.speed_limit.max(0.1)) + 1
}

/// Free-flow time through the junction from link `a` onto link `b`, µs: along the path from
/// the first lane allowed to make the movement, at the speed it can be driven (SUMO's routers
/// likewise count the internal lanes of a junction).
fn through(net: &RoadNetwork, a: u32, b: u32) -> u64 {
    let lane = net.entry_lane(a, b, net.lanes_for(a, b).0);
    net.turn(a, b, lane).map_or(0, |t| {
        let v = t.speed.min(net.links[b as usize].speed_limit).max(0.1);
        crate::clock::us_from_s_floor(t.path.length() / v)
    })
}

/// Dijkstra over links, each followed by the links its movements lead to: the fastest chain
/// that starts with one of `first` and ends with a link where `done` holds.
fn fastest_chain(net: &RoadNetwork, first: &[u32], done: impl Fn(u32) -> bool) -> Option<Vec<u32>> {
    let n = net.links.len();
    let mut best = vec![u64::MAX; n];
    let mut via: Vec<Option<u32>> = vec![None; n];
    let mut heap = BinaryHeap::new();
    for &l in first.iter().filter(|l| (**l as usize) < n) {
        best[l as usize] = cost(net, l);
        heap.push(Reverse((best[l as usize], l)));
    }
    let mut last = None;
    while let Some(Reverse((c, l))) = heap.pop() {
        if c > best[l as usize] {
            continue;
        }
        if done(l) {
            last = Some(l);
            break;
        }
        for m in net.next_links(l) {
            let next = c + through(net, l, m) + cost(net, m);
            if next < best[m as usize] {
                best[m as usize] = next;
                via[m as usize] = Some(l);
                heap.push(Reverse((next, m)));
            }
        }
    }
    let mut path = vec![last?];
    while let Some(prev) = via[path[path.len() - 1] as usize] {
        path.push(prev);
    }
    path.reverse();
    Some(path)
}

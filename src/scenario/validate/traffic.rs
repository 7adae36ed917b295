//! Checks of what moves: vehicles (routes, spawn positions, stops), flows and pedestrians.

use std::cmp::Ordering;

use super::MAX_LENGTH_M;
use super::{
    Checker, MAX_DURATION, MAX_FLOW_VEHICLES, MAX_LAPS, MAX_MIX_WEIGHT, MAX_SPEED_MS, MAX_WALK_MS,
};
use crate::scenario::spec::{Class, DriverSpec, Flow, KindMix, Route, Tech, VehicleSpawn};

/// Clearance between the bodies of two vehicles spawned on one lane at the same time, m.
pub const MIN_SPAWN_CLEARANCE: f64 = 1.0;

impl Checker<'_, '_> {
    pub(super) fn vehicles(&mut self) {
        let spec = self.spec;
        // (first link, lane, depart, pos, vehicle index) of spawns that can be compared.
        let mut spawns = Vec::new();
        for (i, v) in spec.vehicles.iter().enumerate() {
            let p = format!("vehicles[{i}]");
            let route = self.route(&p, &v.route);
            let depart_ok = self.out.non_negative(&format!("{p}.depart"), v.depart, "s");
            if let (true, Some(d)) = (depart_ok, self.duration())
                && v.depart > d
            {
                self.out.err(
                    format!("{p}.depart"),
                    format!(
                        "departs at {} s, after the end of the scenario ({d} s)",
                        v.depart
                    ),
                    Some("`depart` must not be later than `duration`".into()),
                );
            }
            self.out
                .non_negative_upto(&format!("{p}.speed"), v.speed, MAX_SPEED_MS, "m/s");
            self.length(&p, v.length);
            let pos_ok = self.out.non_negative(&format!("{p}.pos"), v.pos, "m");
            let first = route.as_ref().and_then(|r| r.first().copied());
            if let Some(first) = first {
                let link = self.link(first);
                if pos_ok {
                    self.on_link(&format!("{p}.pos"), v.pos, first);
                }
                if v.fit_lane {
                    // Placed where there is room when it departs.
                } else if (1..=8).contains(&link.lanes) && v.lane >= link.lanes {
                    self.out.err(
                        format!("{p}.lane"),
                        format!(
                            "lane {} does not exist on link `{}`, which has {} lane(s)",
                            v.lane, link.id, link.lanes
                        ),
                        Some("lanes are numbered from 0 (the rightmost)".into()),
                    );
                } else if let Some(r) = super::wiring::reserved_for(link, v.lane)
                    .filter(|r| r.mask() & v.class.unwrap_or(Class::of_kind(v.kind)).bit() == 0)
                {
                    let kinds = r.kinds.iter().map(|k| k.name());
                    let names: Vec<&str> = kinds
                        .chain(r.classes.iter().map(|c| c.sumo_name()))
                        .collect();
                    let me = match v.class {
                        Some(c) => format!("{} of class {}", v.kind.name(), c.sumo_name()),
                        None => v.kind.name().to_string(),
                    };
                    self.out.err(
                        format!("{p}.lane"),
                        format!(
                            "lane {} of link `{}` is reserved for: {}; a {me} may not use it",
                            v.lane,
                            link.id,
                            names.join(", "),
                        ),
                        Some("choose another `lane`, or `fit_lane: true`".into()),
                    );
                } else if pos_ok && depart_ok {
                    spawns.push((first, v.lane, v.depart, v.pos, i));
                }
            }
            self.driver(&format!("{p}.driver"), &v.driver);
            self.vehicle_flags(&p, v);
            self.stops(&p, v, route.as_deref());
        }
        self.overlaps(spawns);
    }

    /// Flags that contradict each other or the vehicle: red-running automation, wired radios.
    fn vehicle_flags(&mut self, p: &str, v: &VehicleSpawn) {
        if v.runs_red && v.automated {
            self.out.err(
                format!("{p}.runs_red"),
                "an automated vehicle does not run red lights",
                Some("`runs_red` is for human-driven vehicles (`automated: false`)".into()),
            );
        }
        if v.radios
            .as_ref()
            .is_some_and(|r| r.contains(&Tech::Backhaul))
        {
            self.out.err(
                format!("{p}.radios"),
                "a vehicle cannot carry `Backhaul`, which is wired",
                Some("vehicle radios are Wave, Pc5 and Uu".into()),
            );
        }
    }

    /// Bus stops: on a link of the vehicle's route (if it has one), at a place on that link.
    fn stops(&mut self, p: &str, v: &VehicleSpawn, route: Option<&[usize]>) {
        for (k, s) in v.stops.iter().enumerate() {
            let sp = format!("{p}.stops[{k}]");
            if let Some(li) = self
                .out
                .reference(&format!("{sp}.link"), &s.link, &self.links)
            {
                if let Some(r) = route.filter(|r| !r.contains(&li)) {
                    let names: Vec<String> = r
                        .iter()
                        .map(|&l| format!("`{}`", self.link(l).id))
                        .collect();
                    self.out.err(
                        format!("{sp}.link"),
                        format!(
                            "bus stop `{}` is on link `{}`, which is not on this vehicle's route",
                            s.name, s.link
                        ),
                        Some(format!("the route's links are {}", names.join(", "))),
                    );
                }
                if self.out.non_negative(&format!("{sp}.pos"), s.pos, "m") {
                    self.on_link(&format!("{sp}.pos"), s.pos, li);
                }
            }
            self.out.non_negative(&format!("{sp}.dwell"), s.dwell, "s");
        }
    }

    /// Reports spawns on the same link, lane and time whose bodies overlap or come within
    /// [`MIN_SPAWN_CLEARANCE`] of each other (positions are front bumpers).
    fn overlaps(&mut self, mut spawns: Vec<(usize, u8, f64, f64, usize)>) {
        let key = |s: &(usize, u8, f64, f64, usize)| (s.0, s.1);
        spawns.sort_by(|a, b| {
            key(a)
                .cmp(&key(b))
                .then(a.2.total_cmp(&b.2))
                .then(a.3.total_cmp(&b.3))
                .then(a.4.cmp(&b.4))
        });
        for w in spawns.windows(2) {
            let (a, b) = (w[0], w[1]);
            if key(&a) != key(&b) || a.2.total_cmp(&b.2) != Ordering::Equal {
                continue;
            }
            let gap = b.3 - a.3;
            // Front bumpers: the one ahead must not reach back over the other.
            let v = &self.spec.vehicles[b.4];
            let ahead = v.length.unwrap_or(v.kind.body().length);
            let need = ahead + MIN_SPAWN_CLEARANCE;
            if gap >= need {
                continue;
            }
            let (early, late) = if a.4 < b.4 { (a.4, b.4) } else { (b.4, a.4) };
            let vs = &self.spec.vehicles;
            self.out.err_see(
                format!("vehicles[{late}].pos"),
                format!(
                    "vehicle `{}` overlaps vehicle `{}`: both start on link `{}` lane {} at {} s, {gap} m apart",
                    vs[late].id,
                    vs[early].id,
                    self.link(a.0).id,
                    a.1,
                    a.2
                ),
                Some(format!(
                    "vehicles starting together on one lane need the length of the one ahead plus {MIN_SPAWN_CLEARANCE} m between them ({need} m here); change `pos`, `lane` or `depart`"
                )),
                "the other vehicle is",
                format!("vehicles[{early}]"),
            );
        }
    }

    /// `pos` must lie on link `li`.
    fn on_link(&mut self, path: &str, pos: f64, li: usize) {
        if let Some(len) = self.link_len[li]
            && pos > len
        {
            self.out.err(
                path,
                format!(
                    "position {pos} m is beyond the end of link `{}` ({len:.1} m long)",
                    self.link(li).id
                ),
                None,
            );
        }
    }

    /// Checks a route; returns its links when they are all known (not for trips).
    fn route(&mut self, p: &str, route: &Route) -> Option<Vec<usize>> {
        match route {
            Route::Links(ids) => self.chain(&format!("{p}.route"), ids),
            Route::Trip { from, to } => {
                let a = self
                    .out
                    .reference(&format!("{p}.route.from"), from, &self.nodes);
                let b = self
                    .out
                    .reference(&format!("{p}.route.to"), to, &self.nodes);
                if let (Some(a), Some(b)) = (a, b) {
                    self.path_exists(&format!("{p}.route"), a, b);
                }
                None
            }
            Route::LinkTrip { from, to } => {
                self.link_trip(&format!("{p}.route"), from, to);
                None
            }
            Route::Loop { links, laps } => {
                if *laps == 0 || *laps > MAX_LAPS {
                    let bound = if *laps == 0 { "at least 1" } else { "at most" };
                    let bound = if *laps == 0 {
                        bound.to_string()
                    } else {
                        format!("{bound} {MAX_LAPS}")
                    };
                    self.out.err(
                        format!("{p}.route.laps"),
                        format!("must be {bound}, found {laps}"),
                        None,
                    );
                }
                let chain = self.chain(&format!("{p}.route.links"), links)?;
                let (first, last) = (self.link(chain[0]), self.link(chain[chain.len() - 1]));
                if last.to != first.from {
                    self.out.err(
                        format!("{p}.route.links[{}]", chain.len() - 1),
                        format!(
                            "the loop does not close: last link `{}` ends at node `{}`, but the first link `{}` starts at node `{}`",
                            last.id, last.to, first.id, first.from
                        ),
                        Some("a loop's last link must lead to its first".into()),
                    );
                }
                Some(chain)
            }
        }
    }

    /// Links that must exist and follow each other.
    fn chain(&mut self, p: &str, ids: &[String]) -> Option<Vec<usize>> {
        if ids.is_empty() {
            self.out.err(
                p,
                "the route has no links",
                Some("list at least one link id".into()),
            );
            return None;
        }
        let found: Vec<Option<usize>> = ids
            .iter()
            .enumerate()
            .map(|(j, id)| self.out.reference(&format!("{p}[{j}]"), id, &self.links))
            .collect();
        for (j, w) in found.windows(2).enumerate() {
            if let (Some(ia), Some(ib)) = (w[0], w[1]) {
                let (a, b) = (self.link(ia), self.link(ib));
                if a.to == b.from && !self.joins(ia, ib) {
                    let onto: Vec<&str> = a.connections.iter().map(|c| c.to.as_str()).collect();
                    self.out.err(
                        format!("{p}[{}]", j + 1),
                        format!("link `{}` has no connection onto link `{}`", a.id, b.id),
                        Some(format!("its `connections` lead onto: {}", onto.join(", "))),
                    );
                } else if a.to != b.from {
                    self.out.err(
                        format!("{p}[{}]", j + 1),
                        format!(
                            "link `{}` starts at node `{}`, but the previous link `{}` ends at node `{}`",
                            b.id, b.from, a.id, a.to
                        ),
                        Some("consecutive links must connect: each link's `from` is the previous link's `to`".into()),
                    );
                }
            }
        }
        found.into_iter().collect()
    }

    /// A trip from one link to another: both exist and the second is reachable from the first.
    fn link_trip(&mut self, p: &str, from: &str, to: &str) {
        let a = self.out.reference(&format!("{p}.from"), from, &self.links);
        let b = self.out.reference(&format!("{p}.to"), to, &self.links);
        let (Some(a), Some(b)) = (a, b) else {
            return;
        };
        if a != b && !self.reaches(a, b) {
            self.out.err(
                p,
                format!("no path from link `{from}` to link `{to}` along the network's links"),
                Some(self.one_way_hint()),
            );
        }
    }

    fn path_exists(&mut self, path: &str, a: usize, b: usize) {
        let nodes = &self.spec.network.nodes;
        if a == b {
            self.out.err(
                path,
                format!("starts and ends at the same node `{}`", nodes[a].id),
                Some("use a `Loop` route to drive in circles".into()),
            );
        } else if !self.reachable(a, b) {
            self.out.err(
                path,
                format!(
                    "no path from node `{}` to node `{}` along the network's links",
                    nodes[a].id, nodes[b].id
                ),
                Some(self.one_way_hint()),
            );
        }
    }

    fn driver(&mut self, p: &str, d: &DriverSpec) {
        let positive = [
            ("v0", d.v0, "m/s"),
            ("time_headway", d.time_headway, "s"),
            ("accel", d.accel, "m/s²"),
            ("decel", d.decel, "m/s²"),
            ("delta", d.delta, ""),
            ("lane_change_duration", d.lane_change_duration, "s"),
            ("max_speed", d.max_speed, "m/s"),
            ("speed_factor", d.speed_factor, ""),
        ];
        for (name, v, unit) in positive {
            if let Some(v) = v {
                self.out.positive(&format!("{p}.{name}"), v, unit);
            }
        }
        let non_negative = [
            ("min_gap", d.min_gap, "m"),
            ("politeness", d.politeness, ""),
            ("reaction_time", d.reaction_time, "s"),
            ("speed_spread", d.speed_spread, ""),
        ];
        for (name, v, unit) in non_negative {
            if let Some(v) = v {
                self.out.non_negative(&format!("{p}.{name}"), v, unit);
            }
        }
    }

    pub(super) fn flows(&mut self) {
        let spec = self.spec;
        let mut expected = 0.0;
        for (i, f) in spec.flows.iter().enumerate() {
            let p = format!("flows[{i}]");
            if self.vehicles.contains(&f.id) {
                self.out.err_see(
                    format!("{p}.id"),
                    format!("flow id `{}` is also a vehicle id", f.id),
                    Some("expectations name vehicles and flows by id, so they must differ".into()),
                    "the vehicle is",
                    format!("vehicles[{}]", self.vehicles.map[f.id.as_str()]),
                );
            }
            self.flow_way(&p, f);
            self.flow_depart(&p, f);
            let rate_ok = self
                .out
                .positive(&format!("{p}.per_hour"), f.per_hour, "vehicles/h");
            let window_ok = self.flow_window(&p, f);
            self.mix(&p, &f.mix);
            self.out.ratio(&format!("{p}.automated"), f.automated);
            self.driver(&format!("{p}.driver"), &f.driver);
            if rate_ok && window_ok {
                let stop = spec.duration.clamp(0.0, MAX_DURATION);
                let stop = f.end.map_or(stop, |e| e.min(stop));
                expected += f.per_hour * (stop - f.begin).max(0.0) / 3600.0;
            }
        }
        if expected > MAX_FLOW_VEHICLES {
            self.out.err(
                "flows",
                format!("the flows would create about {expected:.0} vehicles, more than the limit of {MAX_FLOW_VEHICLES}"),
                Some("lower `per_hour` or shorten the flows' time windows".into()),
            );
        }
    }

    /// A body length, when given.
    fn length(&mut self, p: &str, length: Option<f64>) {
        if let Some(l) = length {
            self.out
                .positive_upto(&format!("{p}.length"), l, MAX_LENGTH_M, "m");
        }
    }

    /// How a flow's vehicles depart: a lane, a speed, a length, a count.
    fn flow_depart(&mut self, p: &str, f: &Flow) {
        if let Some(v) = f.speed {
            self.out
                .non_negative_upto(&format!("{p}.speed"), v, MAX_SPEED_MS, "m/s");
        }
        self.length(p, f.length);
        if f.number == Some(0) {
            self.out.err(
                format!("{p}.number"),
                "must be at least 1, found 0",
                Some("leave `number` out for no limit".into()),
            );
        }
    }

    /// Where a flow goes: `from` and `to`, or a `route`, not both.
    fn flow_way(&mut self, p: &str, f: &Flow) {
        if let Some(route) = &f.route {
            if !f.from.is_empty() || !f.to.is_empty() {
                let which = if f.from.is_empty() { "to" } else { "from" };
                self.out.err(
                    format!("{p}.{which}"),
                    "a flow with a `route` takes no `from` or `to`",
                    Some("keep either the route or the two nodes".into()),
                );
            }
            self.route(p, route);
            return;
        }
        if f.from.is_empty() || f.to.is_empty() {
            let which = if f.from.is_empty() { "from" } else { "to" };
            self.out.err(
                format!("{p}.{which}"),
                format!(
                    "a flow needs `from` and `to` (node ids), or a `route`; `{which}` is missing"
                ),
                None,
            );
            return;
        }
        let a = self
            .out
            .reference(&format!("{p}.from"), &f.from, &self.nodes);
        let b = self.out.reference(&format!("{p}.to"), &f.to, &self.nodes);
        if let (Some(a), Some(b)) = (a, b) {
            self.path_exists(p, a, b);
        }
    }

    /// `begin` and `end` of a flow; whether both are usable.
    fn flow_window(&mut self, p: &str, f: &Flow) -> bool {
        let begin_ok = self.out.non_negative(&format!("{p}.begin"), f.begin, "s");
        if let (true, Some(d)) = (begin_ok, self.duration())
            && f.begin > d
        {
            self.out.err(
                format!("{p}.begin"),
                format!(
                    "begins at {} s, after the end of the scenario ({d} s)",
                    f.begin
                ),
                None,
            );
        }
        let mut end_ok = true;
        if let Some(end) = f.end {
            end_ok = self.out.finite(&format!("{p}.end"), end);
            if end_ok && begin_ok && end <= f.begin {
                end_ok = false;
                self.out.err(
                    format!("{p}.end"),
                    format!("ends at {end} s, not after it begins ({} s)", f.begin),
                    None,
                );
            }
        }
        begin_ok && end_ok
    }

    /// Kind shares of a flow: each in range, not all zero.
    fn mix(&mut self, p: &str, mix: &KindMix) {
        let shares = [("car", mix.car), ("bus", mix.bus), ("truck", mix.truck)];
        let mut mix_ok = true;
        for (name, x) in shares {
            mix_ok &= self
                .out
                .non_negative_upto(&format!("{p}.mix.{name}"), x, MAX_MIX_WEIGHT, "");
        }
        if mix_ok && mix.car + mix.bus + mix.truck <= 0.0 {
            self.out.err(
                format!("{p}.mix"),
                "all kind shares are 0",
                Some("give at least one kind a positive share".into()),
            );
        }
    }

    pub(super) fn pedestrians(&mut self) {
        let spec = self.spec;
        let ids = spec.pedestrians.iter().map(|p| p.id.as_str());
        super::IdSet::build(self.out, "pedestrian", "pedestrians", ids, false);
        for (i, w) in spec.pedestrians.iter().enumerate() {
            let p = format!("pedestrians[{i}]");
            if let Some(li) = self
                .out
                .reference(&format!("{p}.link"), &w.link, &self.links)
                && self.out.non_negative(&format!("{p}.pos"), w.pos, "m")
            {
                self.on_link(&format!("{p}.pos"), w.pos, li);
            }
            if let (true, Some(d)) = (
                self.out.non_negative(&format!("{p}.depart"), w.depart, "s"),
                self.duration(),
            ) && w.depart > d
            {
                self.out.err(
                    format!("{p}.depart"),
                    format!(
                        "departs at {} s, after the end of the scenario ({d} s)",
                        w.depart
                    ),
                    None,
                );
            }
            self.out
                .positive_upto(&format!("{p}.speed"), w.speed, MAX_WALK_MS, "m/s");
        }
    }
}

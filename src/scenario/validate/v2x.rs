//! Checks of the V2X section (units, link models, latency distributions), of timed events and
//! of expectations.

use super::{Checker, MAX_RANGE_M, MAX_TX_DBM, MIN_TX_DBM};
use crate::scenario::spec::{
    Action, Expectation, Latency, MAX_DENM_VALIDITY_S, MsgType, Profile, SidelinkSpec, Tech,
};

/// Vehicle groups an expectation's `of` may name besides vehicle and flow ids.
pub const GROUPS: [&str; 3] = ["automated", "human", "all"];

impl Checker<'_, '_> {
    pub(super) fn v2x(&mut self) {
        let v = &self.spec.v2x;
        for (i, g) in v.gnbs.iter().enumerate() {
            if let Some(&r) = self.rsus.map.get(g.id.as_str()) {
                self.out.err_see(
                    format!("v2x.gnbs[{i}].id"),
                    format!("gNB id `{}` is also an RSU id", g.id),
                    Some("`Backhaul` events name RSUs and gNBs by id, so they must differ".into()),
                    "the RSU is",
                    format!("v2x.rsus[{r}]"),
                );
            }
        }
        self.rsus();
        self.gnbs();
        if let Some(c) = v.control_centre {
            self.out.point("v2x.control_centre", c);
        }
        self.out
            .ratio("v2x.obu.human_penetration", v.obu.human_penetration);
        self.link_models();
        self.messages();
    }

    fn rsus(&mut self) {
        let v = &self.spec.v2x;
        for (i, r) in v.rsus.iter().enumerate() {
            let p = format!("v2x.rsus[{i}]");
            self.out.point(&format!("{p}.pos"), r.pos);
            self.out.positive(&format!("{p}.height"), r.height, "m");
            if let Some(j) = &r.junction {
                self.out
                    .reference(&format!("{p}.junction"), j, &self.junctions);
            }
            for (k, c) in r.cctv.iter().enumerate() {
                let cp = format!("{p}.cctv[{k}]");
                self.out.finite(&format!("{cp}.heading_deg"), c.heading_deg);
                if self
                    .out
                    .positive(&format!("{cp}.fov_deg"), c.fov_deg, "degrees")
                    && c.fov_deg > 360.0
                {
                    self.out.err(
                        format!("{cp}.fov_deg"),
                        format!("must be at most 360 degrees, found {}", c.fov_deg),
                        None,
                    );
                }
                self.out.positive(&format!("{cp}.range"), c.range, "m");
            }
        }
    }

    fn gnbs(&mut self) {
        let v = &self.spec.v2x;
        for (i, g) in v.gnbs.iter().enumerate() {
            let p = format!("v2x.gnbs[{i}]");
            self.out.point(&format!("{p}.pos"), g.pos);
            self.out.positive(&format!("{p}.height"), g.height, "m");
            self.out
                .positive(&format!("{p}.freq_ghz"), g.freq_ghz, "GHz");
            self.out.within(
                &format!("{p}.tx_dbm"),
                g.tx_dbm,
                MIN_TX_DBM,
                MAX_TX_DBM,
                "dBm",
            );
            self.latency(&format!("{p}.mec"), &g.mec);
            self.out.within(
                &format!("{p}.load"),
                g.load,
                0.0,
                crate::radio::cell::MAX_LOAD,
                "",
            );
            self.out
                .positive(&format!("{p}.capacity_mbps"), g.capacity_mbps, "Mbit/s");
        }
    }

    fn link_models(&mut self) {
        let v = &self.spec.v2x;
        self.sidelink("v2x.links.wave", &v.links.wave);
        self.sidelink("v2x.links.pc5", &v.links.pc5);
        let uu = &v.links.uu;
        self.latency("v2x.links.uu.uplink", &uu.uplink);
        self.latency("v2x.links.uu.core", &uu.core);
        self.latency("v2x.links.uu.downlink", &uu.downlink);
        self.out.ratio("v2x.links.uu.loss", uu.loss);
        self.out
            .finite("v2x.links.uu.min_rsrp_dbm", uu.min_rsrp_dbm);
        self.out
            .finite("v2x.links.uu.bler_sinr_db", uu.bler_sinr_db);
        self.out
            .positive("v2x.links.uu.bler_width_db", uu.bler_width_db, "dB");
        self.out
            .non_negative("v2x.links.uu.handover_ms", uu.handover_ms, "ms");
        let bh = &v.links.backhaul;
        self.out
            .non_negative("v2x.links.backhaul.latency_ms", bh.latency_ms, "ms");
        self.out
            .non_negative("v2x.links.backhaul.jitter_ms", bh.jitter_ms, "ms");
    }

    fn messages(&mut self) {
        let v = &self.spec.v2x;
        let m = &v.messages;
        self.out
            .positive("v2x.messages.denm_repeat", m.denm_repeat, "s");
        if let Some(d) = m.denm_repeat_duration {
            self.out
                .positive("v2x.messages.denm_repeat_duration", d, "s");
        }
        for (name, validity) in [
            ("denm_validity", m.denm_validity),
            ("eebl_validity", m.eebl_validity),
        ] {
            self.out.positive_upto(
                &format!("v2x.messages.{name}"),
                validity,
                MAX_DENM_VALIDITY_S,
                "s",
            );
        }
        self.out
            .positive("v2x.messages.denm_radius", m.denm_radius, "m");
        self.out
            .positive("v2x.messages.eebl_radius", m.eebl_radius, "m");
        self.out
            .positive("v2x.messages.lifetime_s", m.lifetime_s, "s");
        for (name, list) in [("cam_via", &m.cam_via), ("denm_via", &m.denm_via)] {
            if let Some(k) = list.iter().position(|t| *t == Tech::Backhaul) {
                self.out.err(
                    format!("v2x.messages.{name}[{k}]"),
                    "vehicles cannot send over `Backhaul`, which is wired",
                    Some("use Wave, Pc5 or Uu".into()),
                );
            }
        }
    }

    fn sidelink(&mut self, p: &str, s: &SidelinkSpec) {
        self.out
            .positive(&format!("{p}.freq_ghz"), s.freq_ghz, "GHz");
        self.out
            .positive(&format!("{p}.bandwidth_mhz"), s.bandwidth_mhz, "MHz");
        for (name, x, lo, hi, u) in [
            ("tx_dbm", s.tx_dbm, MIN_TX_DBM, MAX_TX_DBM, "dBm"),
            ("antenna_gain_dbi", s.antenna_gain_dbi, -30.0, 30.0, "dBi"),
            ("noise_figure_db", s.noise_figure_db, 0.0, 30.0, "dB"),
            ("sinr_threshold_db", s.sinr_threshold_db, -30.0, 50.0, "dB"),
        ] {
            self.out.within(&format!("{p}.{name}"), x, lo, hi, u);
        }
        self.out
            .non_negative(&format!("{p}.shadowing_db[0]"), s.shadowing_db.0, "dB");
        self.out
            .non_negative(&format!("{p}.shadowing_db[1]"), s.shadowing_db.1, "dB");
        self.latency(&format!("{p}.access"), &s.access);
        self.out
            .positive_upto(&format!("{p}.max_range"), s.max_range, MAX_RANGE_M, "m");
    }

    /// A latency distribution must describe non-negative delays consistently.
    pub(super) fn latency(&mut self, p: &str, l: &Latency) {
        match l {
            Latency::Constant(ms) => {
                self.out.non_negative(p, *ms, "ms");
            }
            Latency::Uniform { min_ms, max_ms } => {
                let a = self.out.non_negative(&format!("{p}.min_ms"), *min_ms, "ms");
                let b = self.out.non_negative(&format!("{p}.max_ms"), *max_ms, "ms");
                if a && b && min_ms > max_ms {
                    self.out.err(
                        format!("{p}.max_ms"),
                        format!("max_ms ({max_ms}) is smaller than min_ms ({min_ms})"),
                        None,
                    );
                }
            }
            Latency::LogNormal { median_ms, p99_ms } => {
                let a = self
                    .out
                    .positive(&format!("{p}.median_ms"), *median_ms, "ms");
                let b = self.out.positive(&format!("{p}.p99_ms"), *p99_ms, "ms");
                if a && b && p99_ms < median_ms {
                    self.out.err(
                        format!("{p}.p99_ms"),
                        format!("p99_ms ({p99_ms}) is below median_ms ({median_ms})"),
                        Some(
                            "the 99th percentile of a latency cannot be smaller than its median"
                                .into(),
                        ),
                    );
                }
            }
            Latency::Empirical(points) => self.empirical(p, points),
        }
    }

    fn empirical(&mut self, p: &str, points: &[(f64, f64)]) {
        let Some(&(_, last)) = points.last() else {
            self.out.err(
                p,
                "an empirical distribution needs at least one point",
                None,
            );
            return;
        };
        let mut prev: Option<(f64, f64)> = None;
        for (k, &(ms, cdf)) in points.iter().enumerate() {
            let a = self.out.non_negative(&format!("{p}[{k}][0]"), ms, "ms");
            let b = self.out.ratio(&format!("{p}[{k}][1]"), cdf);
            if !(a && b) {
                prev = None;
                continue;
            }
            if let Some((pm, pc)) = prev
                && (ms <= pm || cdf < pc)
            {
                self.out.err(
                    format!("{p}[{k}]"),
                    format!(
                        "the empirical CDF is not increasing: ({ms}, {cdf}) follows ({pm}, {pc})"
                    ),
                    Some(
                        "latencies must increase and cumulative probabilities must not decrease"
                            .into(),
                    ),
                );
            }
            prev = Some((ms, cdf));
        }
        if last.is_finite() && (last - 1.0).abs() > 1e-9 {
            self.out.err(
                format!("{p}[{}][1]", points.len() - 1),
                format!("the empirical CDF must end at probability 1, it ends at {last}"),
                None,
            );
        }
    }

    pub(super) fn events(&mut self) {
        let spec = self.spec;
        for (i, e) in spec.events.iter().enumerate() {
            let p = format!("events[{i}]");
            if let (true, Some(d)) = (self.out.finite(&format!("{p}.at"), e.at), self.duration())
                && (e.at < 0.0 || e.at > d)
            {
                self.out.err(
                    format!("{p}.at"),
                    format!("{} s is outside the run (0 to {d} s)", e.at),
                    Some("events happen between t = 0 and `duration`".into()),
                );
            }
            self.action(&format!("{p}.action"), &e.action);
        }
    }

    /// Dispatches on the kind of action (exhaustive, so a new kind must be placed).
    fn action(&mut self, a: &str, action: &Action) {
        match action {
            Action::Stall { .. }
            | Action::EmergencyBrake { .. }
            | Action::CloseLane { .. }
            | Action::SetProgram { .. } => self.road_action(a, action),
            Action::Gnb { .. } | Action::Rsu { .. } | Action::Backhaul { .. } => {
                self.station_action(a, action)
            }
            Action::Jamming { .. }
            | Action::LatencySpike { .. }
            | Action::CellLoad { .. }
            | Action::BurstLoss { .. }
            | Action::GnssError { .. } => self.fault_action(a, action),
        }
    }

    /// Actions on vehicles, lanes and signals.
    fn road_action(&mut self, a: &str, action: &Action) {
        match action {
            Action::Stall { vehicle } => {
                self.out
                    .reference(&format!("{a}.vehicle"), vehicle, &self.vehicles);
            }
            Action::EmergencyBrake {
                vehicle,
                decel,
                for_s,
            } => {
                self.out
                    .reference(&format!("{a}.vehicle"), vehicle, &self.vehicles);
                if self.out.positive(&format!("{a}.decel"), *decel, "m/s²") && *decel > 12.0 {
                    self.out.err(
                        format!("{a}.decel"),
                        format!("must be at most 12 m/s², found {decel}"),
                        Some("tyres give about 1 g (9.8 m/s²) at best; Euro NCAP CCRb brakes at 6 m/s²".into()),
                    );
                }
                self.out.non_negative(&format!("{a}.for_s"), *for_s, "s");
            }
            Action::CloseLane { link, lane } => {
                if let Some(li) = self.out.reference(&format!("{a}.link"), link, &self.links) {
                    let lanes = self.link(li).lanes;
                    if (1..=8).contains(&lanes) && *lane >= lanes {
                        self.out.err(
                            format!("{a}.lane"),
                            format!("lane {lane} does not exist on link `{link}`, which has {lanes} lane(s)"),
                            Some("lanes are numbered from 0 (the rightmost)".into()),
                        );
                    }
                }
            }
            Action::SetProgram { junction, program } => {
                let j = self
                    .out
                    .reference(&format!("{a}.junction"), junction, &self.junctions);
                let node = j
                    .map(|j| self.spec.network.junctions[j].node.as_str())
                    .filter(|n| self.nodes.contains(n));
                self.program(&format!("{a}.program"), program, node);
            }
            _ => {}
        }
    }

    /// Actions switching RSUs, gNBs and their backhaul.
    fn station_action(&mut self, a: &str, action: &Action) {
        match action {
            Action::Gnb { id, .. } => {
                self.out.reference(&format!("{a}.id"), id, &self.gnbs);
            }
            Action::Rsu { id, .. } => {
                self.out.reference(&format!("{a}.id"), id, &self.rsus);
            }
            Action::Backhaul { node, .. }
                if !self.rsus.contains(node) && !self.gnbs.contains(node) =>
            {
                let all = self.rsus.order.iter().chain(&self.gnbs.order).copied();
                self.out.err(
                    format!("{a}.node"),
                    format!("unknown RSU or gNB `{node}`{}", self.out.suggest(node, all)),
                    Some("`node` names an RSU (`v2x.rsus`) or a gNB (`v2x.gnbs`)".into()),
                );
            }
            _ => {}
        }
    }

    /// Injected faults: interference, latency, load, loss, positioning error.
    fn fault_action(&mut self, a: &str, action: &Action) {
        match action {
            Action::Jamming {
                center,
                radius,
                noise_dbm,
                for_s,
            } => {
                self.out.point(&format!("{a}.center"), *center);
                self.out.positive(&format!("{a}.radius"), *radius, "m");
                self.out.finite(&format!("{a}.noise_dbm"), *noise_dbm);
                self.out.positive(&format!("{a}.for_s"), *for_s, "s");
            }
            Action::LatencySpike {
                extra_ms, for_s, ..
            } => {
                self.out
                    .non_negative(&format!("{a}.extra_ms"), *extra_ms, "ms");
                self.out.positive(&format!("{a}.for_s"), *for_s, "s");
            }
            Action::CellLoad { id, load, for_s } => {
                self.out.reference(&format!("{a}.id"), id, &self.gnbs);
                self.out.within(
                    &format!("{a}.load"),
                    *load,
                    0.0,
                    crate::radio::cell::MAX_LOAD,
                    "",
                );
                self.out.positive(&format!("{a}.for_s"), *for_s, "s");
            }
            Action::BurstLoss { loss, for_s, .. } => {
                self.out.ratio(&format!("{a}.loss"), *loss);
                self.out.positive(&format!("{a}.for_s"), *for_s, "s");
            }
            Action::GnssError {
                vehicle,
                sigma_m,
                for_s,
            } => {
                if !vehicle.is_empty() {
                    self.out
                        .reference(&format!("{a}.vehicle"), vehicle, &self.vehicles);
                }
                self.out
                    .non_negative(&format!("{a}.sigma_m"), *sigma_m, "m");
                self.out.positive(&format!("{a}.for_s"), *for_s, "s");
            }
            _ => {}
        }
    }

    /// `of` of an expectation: a vehicle id, a flow id, `automated`, `human` or `all`.
    fn group(&mut self, path: &str, of: &str) {
        if GROUPS.contains(&of) || self.vehicles.contains(of) || self.flows.contains(of) {
            return;
        }
        let all = GROUPS
            .into_iter()
            .chain(self.vehicles.order.iter().copied())
            .chain(self.flows.order.iter().copied());
        self.out.err(
            path,
            format!(
                "unknown vehicle, flow or group `{of}`{}",
                self.out.suggest(of, all)
            ),
            Some("`of` takes a vehicle id, a flow id, `automated`, `human` or `all`".into()),
        );
    }

    /// A percentile: 0 < x <= 100.
    fn percentile(&mut self, path: &str, percentile: f64) {
        if self.out.finite(path, percentile) && !(percentile > 0.0 && percentile <= 100.0) {
            self.out.err(
                path,
                format!("must be greater than 0 and at most 100, found {percentile}"),
                None,
            );
        }
    }

    /// A message type the scenario's profile never sends cannot be measured.
    fn sent_type(&mut self, path: &str, msg: MsgType) {
        let profile = self.spec.v2x.profile;
        if !msg.sent_on(profile) {
            let hint = match profile {
                Profile::Korea => {
                    "on the Korean profile vehicles send Bsm (for CAM, and with event flags for \
                     their own hazards) and Pvd (to the control centre), roadside units Rsa and \
                     Tim (for DENM: hazards, and road works), Ica (a red-light runner their \
                     cameras see, for CPM), Spat and Map. Use one of those, or set \
                     v2x.profile: Etsi"
                }
                Profile::Etsi => {
                    "Bsm, Rsa, Tim, Ica and Pvd are sent on the Korean profile (v2x.profile: \
                     Korea); the ETSI profile sends Cam, Denm, Cpm, Spat and Map"
                }
            };
            self.out.err(
                path,
                format!("{msg:?} is never sent on the {profile:?} profile"),
                Some(hint.into()),
            );
        }
    }

    pub(super) fn expectations(&mut self) {
        for (i, e) in self.spec.expectations.iter().enumerate() {
            let p = format!("expectations[{i}]");
            match e {
                Expectation::Latency { msg, .. }
                | Expectation::DeliveryRatio { msg, .. }
                | Expectation::MinDelivered { msg, .. } => {
                    self.sent_type(&format!("{p}.msg"), *msg);
                }
                _ => {}
            }
            match e {
                Expectation::NoCollisions
                | Expectation::ComfortableBraking
                | Expectation::AutomatedFewerStops
                | Expectation::MinDelivered { .. } => {}
                Expectation::Collisions { min, max } => {
                    if let Some(max) = max.filter(|m| m < min) {
                        self.out.err(
                            format!("{p}.max"),
                            format!("max ({max}) is smaller than min ({min})"),
                            None,
                        );
                    }
                }
                Expectation::AllArrived { by } => {
                    self.out.positive(&format!("{p}.by"), *by, "s");
                }
                Expectation::MaxTravelTime { of, max_s } => {
                    self.group(&format!("{p}.of"), of);
                    self.out.positive(&format!("{p}.max_s"), *max_s, "s");
                }
                Expectation::MinTimeToCollision { s } => {
                    self.out.positive(&format!("{p}.s"), *s, "s");
                }
                Expectation::MaxStops { of, max } => {
                    self.group(&format!("{p}.of"), of);
                    self.out.non_negative(&format!("{p}.max"), *max, "");
                }
                Expectation::Latency {
                    percentile,
                    below_ms,
                    ..
                } => {
                    self.percentile(&format!("{p}.percentile"), *percentile);
                    self.out.positive(&format!("{p}.below_ms"), *below_ms, "ms");
                }
                Expectation::DeliveryRatio {
                    within_m, at_least, ..
                } => {
                    self.out.positive(&format!("{p}.within_m"), *within_m, "m");
                    self.out.ratio(&format!("{p}.at_least"), *at_least);
                }
                Expectation::WarningLeadTime { at_least_s } => {
                    self.out
                        .non_negative(&format!("{p}.at_least_s"), *at_least_s, "s");
                }
                Expectation::MaxHeadway { max_s } => {
                    self.out.positive(&format!("{p}.max_s"), *max_s, "s");
                }
            }
        }
    }
}

//! Warnings: values that are valid but that a user probably did not mean. `check` prints them
//! with their place in the file and still exits 0; a run goes ahead with the values as given.
use std::collections::HashMap;

use super::check::{Issue, Sink};
use crate::scenario::spec::{Route, Spec, VehicleSpawn};

/// A speed limit below this, km/h, is probably a value in m/s (13.9 for 50 km/h): Korea's
/// lowest posted limits are 20 km/h (shared streets), 30 km/h in school zones.
pub const SUSPICIOUS_LIMIT_KMH: f64 = 20.0;
/// A desired speed this share above every limit on the route is flagged: more than the ±10 %
/// spread flows give their drivers (`traffic::spawn::V0_SPREAD`).
pub const SPEEDING_MARGIN: f64 = 0.1;
/// A speed limit above this, km/h, is above any Korean road's (120 km/h on expressways).
pub const HIGHEST_LIMIT_KMH: f64 = 130.0;

/// Every warning for a scenario that passed validation.
pub fn warnings(spec: &Spec) -> Vec<Issue> {
    let mut out = Sink::default();
    speed_limits(spec, &mut out);
    let limits: HashMap<&str, f64> = spec
        .network
        .links
        .iter()
        .map(|l| (l.id.as_str(), l.speed_limit_kmh / 3.6))
        .collect();
    for (i, v) in spec.vehicles.iter().enumerate() {
        vehicle(&limits, i, v, &mut out);
    }
    timing(spec, &mut out);
    denm(spec, &mut out);
    out.issues
}

fn kmh(ms: f64) -> f64 {
    ms * 3.6
}

fn speed_limits(spec: &Spec, out: &mut Sink) {
    for (i, l) in spec.network.links.iter().enumerate() {
        let path = format!("network.links[{i}].speed_limit_kmh");
        if l.speed_limit_kmh < SUSPICIOUS_LIMIT_KMH {
            out.err(
                path,
                format!(
                    "a speed limit of {} km/h is below any posted limit",
                    l.speed_limit_kmh
                ),
                Some(format!(
                    "the unit is km/h; {} m/s would be {:.0} km/h",
                    l.speed_limit_kmh,
                    kmh(l.speed_limit_kmh)
                )),
            );
        } else if l.speed_limit_kmh > HIGHEST_LIMIT_KMH {
            out.err(
                path,
                format!(
                    "a speed limit of {} km/h is above any Korean road's",
                    l.speed_limit_kmh
                ),
                Some("Korean expressways are limited to 100-120 km/h".into()),
            );
        }
    }
}

/// Limits of the links a vehicle's route names, m/s, with their ids.
fn route_limits<'a>(limits: &HashMap<&str, f64>, v: &'a VehicleSpawn) -> Vec<(&'a str, f64)> {
    let ids: &[String] = match &v.route {
        Route::Links(l) | Route::Loop { links: l, .. } => l,
        Route::Trip { .. } | Route::LinkTrip { .. } => &[],
    };
    ids.iter()
        .filter_map(|id| limits.get(id.as_str()).map(|&v| (id.as_str(), v)))
        .collect()
}

fn vehicle(limits: &HashMap<&str, f64>, i: usize, v: &VehicleSpawn, out: &mut Sink) {
    let limits = route_limits(limits, v);
    let fastest = limits.iter().map(|l| l.1).fold(0.0, f64::max);
    if let Some(v0) = v.driver.v0
        && !limits.is_empty()
        && v0 > fastest * (1.0 + SPEEDING_MARGIN)
    {
        out.err(
            format!("vehicles[{i}].driver.v0"),
            format!(
                "desired speed {v0} m/s ({:.0} km/h) is above every limit on its route (at most {:.0} km/h)",
                kmh(v0),
                kmh(fastest)
            ),
            Some("the driver will speed all the way; leave `v0` out to drive at the limit".into()),
        );
    }
    if let Some(&(link, limit)) = limits.first()
        && v.speed > limit * 1.2
    {
        out.err(
            format!("vehicles[{i}].speed"),
            format!(
                "starts at {} m/s ({:.0} km/h) on `{link}`, limited to {:.0} km/h",
                v.speed,
                kmh(v.speed),
                kmh(limit)
            ),
            Some("`speed` is in m/s".into()),
        );
    }
}

fn timing(spec: &Spec, out: &mut Sink) {
    for (i, e) in spec.events.iter().enumerate() {
        if e.at >= spec.duration {
            out.err(
                format!("events[{i}].at"),
                format!("at {} s, after the run ends at {} s", e.at, spec.duration),
                Some("the event will never happen; lengthen `duration`".into()),
            );
        }
    }
}

fn denm(spec: &Spec, out: &mut Sink) {
    let m = &spec.v2x.messages;
    if let Some(d) = m.denm_repeat_duration
        && d > m.denm_validity
    {
        out.err(
            "v2x.messages.denm_repeat_duration",
            format!(
                "repeats for {d} s, longer than the validity of {} s",
                m.denm_validity
            ),
            Some("repetition stops when the validity ends (EN 302 637-3 §8.2.1.5)".into()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint(src: &str) -> Vec<Issue> {
        let spec = crate::scenario::load::load_str("lint.ron", src)
            .expect("valid")
            .spec;
        warnings(&spec)
    }

    #[test]
    fn speeding_drivers_and_unit_slips_are_flagged_and_plain_values_are_not() {
        let road = |kmh: f64, vehicle: &str| {
            format!(
                r#"(name: "w", duration: 60.0,
                network: (nodes: [(id: "a", pos: (0.0, 0.0)), (id: "b", pos: (500.0, 0.0))],
                          links: [(id: "ab", from: "a", to: "b", lanes: 1, speed_limit_kmh: {kmh})]),
                vehicles: [{vehicle}])"#
            )
        };
        let plain = r#"(id: "c", kind: Car, route: Links(["ab"]), speed: 13.0)"#;
        assert!(lint(&road(50.0, plain)).is_empty());
        let fast = r#"(id: "c", kind: Car, route: Links(["ab"]), driver: (v0: Some(30.0)))"#;
        let w = lint(&road(50.0, fast));
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].path, "vehicles[0].driver.v0");
        assert_eq!(
            lint(&road(13.9, plain))[0].path,
            "network.links[0].speed_limit_kmh"
        );
        let near = r#"(id: "c", kind: Car, route: Links(["ab"]), driver: (v0: Some(15.0)))"#;
        assert!(
            lint(&road(50.0, near)).is_empty(),
            "8 % over is within the drivers' spread"
        );
        let slip = r#"(id: "c", kind: Car, route: Links(["ab"]), speed: 50.0)"#;
        assert_eq!(lint(&road(50.0, slip))[0].path, "vehicles[0].speed");
    }
}

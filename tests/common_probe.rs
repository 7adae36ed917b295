use sangam_sim::runner::{RunOptions, run};
use sangam_sim::scenario::spec::Spec;

#[test]
fn probe() {
    let src = r#"(
    name: "probe", seed: 1, duration: 120.0,
    network: (
        nodes: [(id: "a", pos: (0.0, 0.0)), (id: "b", pos: (500.0, 0.0), radius: 12.0), (id: "c", pos: (1000.0, 0.0))],
        links: [(id: "ab", from: "a", to: "b", lanes: 2, speed_limit_kmh: 50.0), (id: "bc", from: "b", to: "c", lanes: 2)],
        junctions: [(id: "j", node: "b", control: Signal((phases: [(green: ["ab"], duration: 30.0), (green: [], duration: 30.0)])))],
    ),
    flows: [(id: "f", from: "a", to: "c", per_hour: 1200.0, end: Some(60.0))],
    vehicles: [(id: "v1", kind: Car, route: Links(["ab", "bc"]), speed: 10.0)],
    expectations: [NoCollisions, AllArrived(by: 120.0)],
)"#;
    let spec: Spec = ron::from_str(src).unwrap();
    let out = run(spec, "probe", &RunOptions::default());
    eprintln!("{}", serde_json::to_string_pretty(&out.report.summary).unwrap());
    eprintln!("{:?}", out.report.expectations);
    eprintln!("{:?}", out.report.collisions);
    eprintln!("{:?}", out.timing);
}

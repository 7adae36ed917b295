//! Unit tests of the span scanner (a child module of `locate`).

use super::*;

const DOC: &str = r##"// header comment with (unbalanced [ brackets
Scenario(
    name: "a /* not a comment */ \"quoted\"",
    /* block /* nested */ comment ) ] */
    description: r#"raw "string" with ) and ]"#,
    network: (
        links: [
            (id: "l0", from: "a", to: "b"),
            (id: "l1", from: "b", to: "c", shape: [(1.0, 2.0), (3.0, -4.5e1)]),
        ],
    ),
    vehicles: [
        (id: "v0", kind: Car, route: Links(["l0", "l1"])),
        (id: "v1", kind: Bus, route: Trip(from: "a", to: "c"), radios: Some([Wave, Pc5])),
        (id: "v2", kind: Car, route: Loop(links: ["l0"], laps: 2)),
    ],
    v2x: (rsus: [(id: "r", pos: (0.0, 0.0), junction: Some("j"))]),
)
"##;

fn text(path: &str) -> &'static str {
    let f = locate(DOC, path).expect("found");
    assert!(f.exact, "{path} not exact");
    &DOC[f.span]
}

#[test]
fn fields_and_indices() {
    assert_eq!(text("name"), r#""a /* not a comment */ \"quoted\"""#);
    assert_eq!(text("description"), r##"r#"raw "string" with ) and ]"#"##);
    assert_eq!(text("network.links[1].to"), r#""c""#);
    assert_eq!(text("network.links[1].shape[1][1]"), "-4.5e1");
    assert_eq!(
        text("network.links[0]"),
        r#"(id: "l0", from: "a", to: "b")"#
    );
}

#[test]
fn transparent_wrappers() {
    assert_eq!(text("vehicles[0].route[1]"), r#""l1""#);
    assert_eq!(text("vehicles[0].route"), r#"Links(["l0", "l1"])"#);
    assert_eq!(text("vehicles[1].route.to"), r#""c""#);
    assert_eq!(text("vehicles[1].radios[1]"), "Pc5");
    assert_eq!(text("vehicles[2].route.links[0]"), r#""l0""#);
    assert_eq!(text("v2x.rsus[0].junction"), r#""j""#);
}

#[test]
fn missing_parts_fall_back_to_the_deepest_ancestor() {
    let f = locate(DOC, "vehicles[0].lane").expect("found");
    assert!(!f.exact);
    assert!(DOC[f.span].starts_with(r#"(id: "v0""#));
    let f = locate(DOC, "vehicles[9]").expect("found");
    assert!(!f.exact);
    assert!(DOC[f.span].starts_with('['));
}

#[test]
fn line_and_column() {
    let f = locate(DOC, "vehicles[1].route.from").expect("found");
    assert_eq!(crate::scenario::diag::line_col(DOC, f.span.start), (14, 49));
}

#[test]
fn unnamed_top_level_and_attributes() {
    let src = "#![enable(implicit_some)]\n(duration: 5.0, step: 0.01)";
    assert_eq!(&src[locate(src, "step").expect("found").span], "0.01");
}

#[test]
fn keys_and_path_at() {
    let tree = SpanTree::parse(DOC);
    let key = tree.find_key(DOC, "vehicles[1].kind").expect("key");
    assert_eq!(&DOC[key], "kind");
    let at = DOC.find("\"l1\"]").expect("l1");
    assert_eq!(tree.path_at(DOC, at), "vehicles[0].route[1]");
    let at = DOC.find("Pc5").expect("Pc5");
    assert_eq!(tree.path_at(DOC, at), "vehicles[1].radios[1]");
    assert_eq!(tree.path_at(DOC, 0), "");
}

#[test]
fn paths_round_trip() {
    let segs = parse_path("a.b[2][0].c").expect("valid");
    assert_eq!(segs.len(), 5);
    assert_eq!(render_path(&segs), "a.b[2][0].c");
    assert!(parse_path("a..b").is_none());
    assert!(parse_path("a[x]").is_none());
}

#[test]
fn never_panics_on_junk() {
    for src in [
        "",
        "(",
        ")",
        "[[[",
        "r#",
        "r#\"",
        "\"",
        "'",
        "/*",
        "a(b:",
        "(x: [1, (2",
        "é(ü: ß)",
        "#![",
    ] {
        let tree = SpanTree::parse(src);
        let _ = tree.find(src, "x[0].y");
        for i in 0..=src.len() {
            let _ = tree.path_at(src, i);
        }
    }
    let deep = "[".repeat(10_000);
    assert!(locate(&deep, "[0]").is_some());
}

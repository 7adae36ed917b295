//! `sangam-sim test`: exit codes, messages, JUnit that CI systems read, and results that do
//! not depend on the number of workers. Runs the built binary on tests/fixtures/runner/.
use std::path::Path;
use std::process::{Command, Output};

use quick_xml::Reader;
use quick_xml::events::Event;

mod support;
use support::junit_without_times;

const SUITE: &str = "tests/fixtures/runner/suite";

fn sim(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sangam-sim"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .env_remove("SANGAM_SIM_TEST_FAULT");
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().expect("the binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The line of the results table for a file.
fn row<'a>(stdout: &'a str, file: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.contains(file))
        .unwrap_or_else(|| panic!("no row for {file} in\n{stdout}"))
}

/// What a JUnit consumer reads: (testsuites attrs, testsuite attrs, per testcase: name,
/// classname, child element kind).
#[derive(Debug, Default)]
struct Junit {
    suites_attrs: Vec<(String, String)>,
    suite_attrs: Vec<(String, String)>,
    suites: usize,
    cases: Vec<(String, String, Option<String>)>,
}

fn attrs(e: &quick_xml::events::BytesStart) -> Vec<(String, String)> {
    e.attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            (
                text(a.key.as_ref()),
                a.unescape_value().expect("valid escape").into_owned(),
            )
        })
        .collect()
}

fn attr(v: &[(String, String)], k: &str) -> String {
    v.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("attribute {k} missing in {v:?}"))
}

/// The attributes Jenkins' JUnit schema declares for each element (xunit-plugin,
/// `junit-10.xsd`: https://github.com/jenkinsci/xunit-plugin, types/model/xsd): (element,
/// required, optional). A reader that validates rejects any other attribute.
const JUNIT_10: &[(&str, &[&str], &[&str])] = &[
    (
        "testsuites",
        &[],
        &["name", "time", "tests", "failures", "errors"],
    ),
    (
        "testsuite",
        &["name", "tests", "failures", "errors"],
        &[
            "group",
            "time",
            "skipped",
            "timestamp",
            "hostname",
            "id",
            "package",
            "file",
            "log",
            "url",
        ],
    ),
    ("testcase", &["name"], &["time", "classname", "group"]),
    ("failure", &[], &["type", "message"]),
    ("error", &[], &["type", "message"]),
    ("skipped", &[], &["type", "message"]),
    ("system-out", &[], &[]),
];

/// junit-10.xsd's SUREFIRE_TIME, for `time` on suites (and what readers parse on cases):
/// digits (optionally grouped by commas), then an optional fraction.
fn surefire_time(t: &str) -> bool {
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    !t.is_empty()
        && int.chars().all(|c| c.is_ascii_digit() || c == ',')
        && frac.chars().all(|c| c.is_ascii_digit())
}

/// Every attribute of `<name>` is declared by junit-10.xsd, the required ones are there, and
/// times parse.
fn check_schema(name: &str, a: &[(String, String)]) {
    let (_, required, optional) = JUNIT_10
        .iter()
        .find(|(n, ..)| *n == name)
        .unwrap_or_else(|| panic!("<{name}> is not in junit-10.xsd"));
    for (k, v) in a {
        assert!(
            required.contains(&k.as_str()) || optional.contains(&k.as_str()),
            "<{name}> has attribute `{k}`, which junit-10.xsd does not declare"
        );
        if k == "time" {
            assert!(surefire_time(v), "<{name} time=\"{v}\">");
        }
    }
    for r in *required {
        attr(a, r);
    }
}

/// Parse JUnit XML, checking the structure CI systems rely on: `<testsuites>` root holding
/// `<testsuite>` elements holding `<testcase name classname time>` with at most one of
/// `<failure>`, `<error>`, `<skipped>`, and only the attributes junit-10.xsd declares.
fn parse_junit(xml: &str) -> Junit {
    let mut r = Reader::from_str(xml);
    let mut j = Junit::default();
    let mut stack: Vec<String> = Vec::new();
    loop {
        let (e, empty) = match r.read_event().expect("well-formed XML") {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                stack.pop();
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = text(e.name().as_ref());
        let parent = stack.last().cloned().unwrap_or_default();
        let a = attrs(&e);
        check_schema(&name, &a);
        match (parent.as_str(), name.as_str()) {
            ("", "testsuites") => j.suites_attrs = a,
            ("testsuites", "testsuite") => {
                j.suites += 1;
                j.suite_attrs = a;
            }
            ("testsuite", "testcase") => {
                attr(&a, "time");
                j.cases
                    .push((attr(&a, "name"), attr(&a, "classname"), None));
            }
            ("testcase", "system-out") => {}
            ("testcase", "failure" | "error" | "skipped") => {
                let case = j.cases.last_mut().expect("inside a testcase");
                assert!(case.2.is_none(), "one outcome element per testcase");
                assert!(name == "skipped" || !attr(&a, "message").is_empty());
                case.2 = Some(name.clone());
            }
            (p, n) => panic!("unexpected <{n}> inside <{p}>"),
        }
        if !empty {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    j
}

#[test]
fn junit_matches_the_schema_ci_systems_read() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("junit.xml");
    let out = sim(
        &["test", SUITE, "-j", "2", "--junit", xml.to_str().unwrap()],
        &[("SANGAM_SIM_TEST_FAULT", "runner-panic:panic")],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let j = parse_junit(&std::fs::read_to_string(&xml).unwrap());
    assert_eq!(j.suites, 1);
    assert_eq!(j.cases.len(), 5, "{:?}", j.cases);
    let count = |k: &str| j.cases.iter().filter(|c| c.2.as_deref() == Some(k)).count();
    for attrs in [&j.suites_attrs, &j.suite_attrs] {
        assert!(attr(attrs, "time").parse::<f64>().unwrap() > 0.0);
        assert_eq!(attr(attrs, "tests"), "5");
        assert_eq!(attr(attrs, "failures"), count("failure").to_string());
        assert_eq!(attr(attrs, "errors"), count("error").to_string());
    }
    assert_eq!(count("failure"), 1);
    assert_eq!(count("error"), 2); // malformed + panic
    let outcome = |n: &str| {
        j.cases
            .iter()
            .find(|c| c.0 == n)
            .unwrap_or_else(|| panic!("{n}"))
            .2
            .clone()
    };
    assert_eq!(outcome("runner-fail").as_deref(), Some("failure"));
    assert_eq!(outcome("runner-panic").as_deref(), Some("error"));
    assert_eq!(outcome("runner-pass-a"), None);
    assert!(
        j.cases
            .iter()
            .any(|c| c.1.ends_with("malformed.ron") && c.2.as_deref() == Some("error"))
    );
}

#[test]
fn fail_panic_and_malformed_each_get_their_code_and_message_while_the_rest_run() {
    let pass = sim(
        &[
            "test",
            "tests/fixtures/runner/suite/pass-a.ron",
            "tests/fixtures/runner/suite/pass-b.ron",
        ],
        &[],
    );
    assert_eq!(pass.status.code(), Some(0), "{}", text(&pass.stdout));

    let usage = sim(&["test", SUITE, "--no-such-flag"], &[]);
    assert_eq!(
        usage.status.code(),
        Some(2),
        "unknown flags are usage errors"
    );

    let fail = sim(
        &[
            "test",
            "tests/fixtures/runner/suite/pass-a.ron",
            "tests/fixtures/runner/suite/fail.ron",
        ],
        &[],
    );
    assert_eq!(fail.status.code(), Some(1));
    let out = text(&fail.stdout);
    assert!(row(&out, "fail.ron").starts_with("FAIL"));
    assert!(
        out.contains("not arrived by 5 s") && out.contains("wanted all arrived by 5 s"),
        "{out}"
    );
    assert!(row(&out, "pass-a.ron").starts_with("PASS"));

    let panic = sim(
        &[
            "test",
            "tests/fixtures/runner/suite/pass-a.ron",
            "tests/fixtures/runner/suite/panic.ron",
        ],
        &[("SANGAM_SIM_TEST_FAULT", "runner-panic:panic")],
    );
    assert_eq!(panic.status.code(), Some(1));
    let out = text(&panic.stdout);
    assert!(row(&out, "panic.ron").starts_with("ERROR"));
    assert!(
        out.contains("panicked: SANGAM_SIM_TEST_FAULT test hook fired"),
        "{out}"
    );
    assert!(row(&out, "pass-a.ron").starts_with("PASS"));

    let bad = sim(&["test", SUITE], &[]);
    assert_eq!(bad.status.code(), Some(2));
    let (out, err) = (text(&bad.stdout), text(&bad.stderr));
    assert!(row(&out, "malformed.ron").starts_with("ERROR"));
    assert!(out.contains("malformed.ron:5:5: expected `,`"), "{out}");
    assert!(err.contains("expected `,`"), "diagnostics on stderr: {err}");
    assert!(row(&out, "fail.ron").starts_with("FAIL"));
    assert!(row(&out, "pass-b.ron").starts_with("PASS"));
    assert!(
        !out.contains("fragment.ron"),
        "files under common/ are not scenarios"
    );
}

#[test]
fn timeouts_are_errors() {
    let out = sim(
        &[
            "test",
            "tests/fixtures/runner/slow.ron",
            "--timeout",
            "0.05",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("timed out: wall-time limit of 0.05 s"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn results_are_the_same_for_any_number_of_workers() {
    let dir = tempfile::tempdir().unwrap();
    let run = |j: &str| {
        let (xml, json) = (
            dir.path().join(format!("j{j}.xml")),
            dir.path().join(format!("j{j}.json")),
        );
        let out = sim(
            &[
                "test",
                SUITE,
                "-j",
                j,
                "--junit",
                xml.to_str().unwrap(),
                "--json",
                json.to_str().unwrap(),
            ],
            &[("SANGAM_SIM_TEST_FAULT", "runner-panic:panic")],
        );
        let mut summary: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
        for c in summary["cases"].as_array_mut().unwrap() {
            c.as_object_mut().unwrap().remove("wall_s");
        }
        // The table without its last column (wall time).
        let table: Vec<String> = text(&out.stdout)
            .lines()
            .map(|l| {
                if l.starts_with("PASS") || l.starts_with("FAIL") || l.starts_with("ERROR") {
                    l.rsplit_once(' ').unwrap().0.to_string()
                } else {
                    l.to_string()
                }
            })
            .collect();
        (
            out.status.code(),
            junit_without_times(&std::fs::read_to_string(&xml).unwrap()),
            summary,
            table,
        )
    };
    let one = run("1");
    let two = run("2");
    assert_eq!(one.0, two.0);
    assert_eq!(one.1, two.1, "JUnit differs");
    assert_eq!(one.2, two.2, "JSON summary differs");
    assert_eq!(one.3, two.3, "table differs");
    assert!(Path::new(&dir.path().join("j1.xml")).exists());
}

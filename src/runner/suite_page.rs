//! The index of a suite's browser reports (`test --html DIR`): every case, errors and failures
//! first, each linking to its run's page (`crate::html`); self-contained like the pages.
use std::fmt::Write;

use super::suite::{Case, Counts, Status};
use crate::output::xml_escape as esc;

/// A page file name for a case's path: its characters kept where safe in a file name and a
/// URL, others as `_`, `.ron` dropped; `taken` names already given (a clash gets `-2`, ...).
pub fn page_name(path: &str, taken: &[String]) -> String {
    let stem = path.strip_suffix(".ron").unwrap_or(path);
    let safe: String = stem
        .trim_start_matches(['.', '/'])
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let base = if safe.is_empty() {
        "scenario".to_string()
    } else {
        safe
    };
    let mut name = format!("{base}.html");
    let mut k = 2;
    while taken.contains(&name) {
        name = format!("{base}-{k}.html");
        k += 1;
    }
    name
}

/// Order on the index: errors, failures, skipped, passes; by path within each.
fn rank(s: Status) -> u8 {
    match s {
        Status::Error => 0,
        Status::Fail => 1,
        Status::Skipped => 2,
        Status::Pass => 3,
    }
}

/// What went wrong, in one line.
fn why(c: &Case) -> String {
    if let Some(e) = &c.error {
        return e.lines().next().unwrap_or("").to_string();
    }
    c.failures
        .iter()
        .map(|v| format!("{}: {} (wanted {})", v.expectation, v.measured, v.wanted))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The index of `cases`, each with its page's file name when it has one.
pub fn index(cases: &[(Case, Option<String>)]) -> Vec<u8> {
    let counts = Counts::of(&cases.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>());
    let mut order: Vec<&(Case, Option<String>)> = cases.iter().collect();
    order.sort_by(|a, b| {
        rank(a.0.status)
            .cmp(&rank(b.0.status))
            .then(a.0.path.cmp(&b.0.path))
    });
    let mut rows = String::new();
    for (c, page) in order {
        let name = c.scenario.clone().unwrap_or_default();
        let link = page.as_ref().map_or(esc(&name), |p| {
            format!(
                "<a href=\"{}\">{}</a>",
                esc(p),
                esc(if name.is_empty() { p } else { &name })
            )
        });
        let _ = writeln!(
            rows,
            "<tr class=\"{}\"><td>{}</td><td>{link}</td><td>{}</td><td>{}</td></tr>",
            c.status.label().to_lowercase(),
            c.status.label(),
            esc(&c.path),
            esc(&why(c))
        );
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>sangam-sim suite: {passed} of {total} passed</title>\n<style>{STYLE}</style>\n\
         </head>\n<body>\n<h1>sangam-sim suite</h1>\n<p id=\"counts\">{passed} passed, {failed} \
         failed, {errors} errors, {skipped} skipped, of {total}</p>\n<table>\n<tr><th>status</th>\
         <th>scenario</th><th>file</th><th>what failed</th></tr>\n{rows}</table>\n</body>\n</html>\n",
        passed = counts.passed,
        total = counts.total,
        failed = counts.failed,
        errors = counts.errors,
        skipped = counts.skipped,
    )
    .into_bytes()
}

const STYLE: &str = "body{background:#0e1117;color:#dbe2ec;font:14px/1.4 system-ui,sans-serif;\
margin:16px}a{color:#40d9ff}table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:\
1px solid #2a3648;text-align:left;vertical-align:top}th{color:#8594a8}tr.fail td:first-child,\
tr.error td:first-child{color:#ff544d;font-weight:700}tr.pass td:first-child{color:#4de673;\
font-weight:700}tr.skip td:first-child{color:#8594a8}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_names_are_safe_and_distinct() {
        let a = page_name("scenarios/a b.ron", &[]);
        assert_eq!(a, "scenarios_a_b.html");
        assert_eq!(page_name("scenarios/a_b.ron", &[a]), "scenarios_a_b-2.html");
        assert_eq!(page_name("../../etc/passwd", &[]), "etc_passwd.html");
        assert_eq!(page_name("./x.ron", &[]), "x.html");
    }
}

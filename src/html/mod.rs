//! The browser report: one self-contained HTML file per run (`run --html`, `test --html DIR`
//! with its index in `runner::suite_page`) that opens from disk with no network and no server.
//! The page's markup, style and script live in `assets/report/` and are built in; the run's
//! data goes inside it as JSON (`data::PageData`). Same run, same bytes.
//! docs/browser-report.md describes the page.
pub mod data;
pub mod read;

use crate::metrics::report::Report;
use crate::output::xml_escape;
use crate::replay::Replay;

const TEMPLATE: &str = include_str!("../../assets/report/page.html");
const STYLE: &str = include_str!("../../assets/report/report.css");
const SCRIPT: &str = include_str!("../../assets/report/report.js");

/// The page of one run.
pub fn page(report: &Report, replay: &Replay) -> Vec<u8> {
    let data = serde_json::to_string(&data::PageData::new(report, replay)).unwrap_or_default();
    fill(
        TEMPLATE,
        &[
            (
                "{{TITLE}}",
                &xml_escape(&format!("{}: sangam-sim report", report.scenario)),
            ),
            ("{{VERSION}}", &xml_escape(&report.version)),
            ("{{STYLE}}", STYLE),
            ("{{SCRIPT}}", SCRIPT),
            ("{{DATA}}", &script_safe(&data)),
        ],
    )
    .into_bytes()
}

/// JSON made safe inside a `<script>` element: `<` only occurs inside strings there, where
/// `\u003c` means the same and cannot close the element or open a comment.
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
}

/// The template with each placeholder replaced once, in one pass (so that no value is
/// searched for placeholders).
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out =
        String::with_capacity(template.len() + values.iter().map(|v| v.1.len()).sum::<usize>());
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        match values.iter().find(|(k, _)| tail.starts_with(k)) {
            Some((k, v)) => {
                out.push_str(v);
                rest = &tail[k.len()..];
            }
            None => {
                out.push_str("{{");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once_and_values_are_not_searched() {
        let out = fill(
            "<a>{{X}}</a>{{Y}}{{Z}}",
            &[("{{X}}", "{{Y}}"), ("{{Y}}", "y")],
        );
        assert_eq!(out, "<a>{{Y}}</a>y{{Z}}");
    }

    #[test]
    fn data_cannot_close_its_script_element() {
        let json = serde_json::to_string("</script><!--").unwrap_or_default();
        let safe = script_safe(&json);
        assert!(!safe.contains('<'));
        assert_eq!(
            serde_json::from_str::<String>(&safe).ok().as_deref(),
            Some("</script><!--")
        );
    }
}

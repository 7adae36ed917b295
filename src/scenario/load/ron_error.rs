//! Rewrites ron's syntax and type errors into messages written for scenario authors.
//!
//! ron reports Rust names (`Unexpected variant named `Bsu` in enum `Kind``); authors think in
//! terms of the file (`unknown vehicle kind `Bsu``). The position comes straight from ron's
//! span; the value path around it (from [`SpanTree::path_at`]) says which field was being read.

use std::sync::Arc;

use ron::error::{Error, SpannedError};

use crate::scenario::diag::{Diag, did_you_mean, line_col, offset_of};
use crate::scenario::locate::SpanTree;

/// What a Rust enum is called in the file.
fn enum_desc(name: &str) -> &str {
    match name {
        "Kind" => "vehicle kind",
        "Route" => "route type",
        "Tech" | "Radio" => "radio technology",
        "MsgType" => "message type",
        "Action" => "event action",
        "Expectation" => "expectation",
        "Control" => "junction control",
        "Latency" => "latency distribution",
        "Footprint" => "building footprint",
        _ => "variant",
    }
}

/// What a Rust struct (or struct-like variant) is called in the file.
fn struct_desc(name: &str) -> String {
    let s = match name {
        "Scenario" | "Spec" => "the scenario",
        "Fragment" => "an included fragment",
        "Network" => "the network",
        "Node" => "a node",
        "Link" => "a link",
        "Junction" => "a junction",
        "SignalProgram" => "a signal program",
        "Phase" => "a signal phase",
        "Building" => "a building",
        "VehicleSpawn" => "a vehicle",
        "DriverSpec" => "a driver",
        "BusStop" => "a bus stop",
        "KindMix" => "a kind mix",
        "Flow" => "a flow",
        "PedestrianSpawn" => "a pedestrian",
        "TimedEvent" => "an event",
        "V2xSpec" => "the v2x section",
        "RsuSpec" => "an RSU",
        "CctvSpec" => "a CCTV camera",
        "GnbSpec" => "a gNB",
        "ObuSpec" => "the obu section",
        "LinkModels" => "the link models",
        "SidelinkSpec" => "a sidelink model",
        "UuSpec" => "the Uu model",
        "BackhaulSpec" => "the backhaul model",
        "MessageSpec" => "the messages section",
        "Sweep" | "SweepFile" => "the sweep file",
        other => return format!("`{other}`"),
    };
    s.to_string()
}

/// `A, B, C` or `A`.
fn list(items: &[&str]) -> String {
    items.join(", ")
}

fn expected_one_of(items: &[&str]) -> String {
    match items {
        [] => "there are none".into(),
        [one] => format!("expected {one}"),
        [a, b] => format!("expected {a} or {b}"),
        _ => format!("expected one of {}", list(items)),
    }
}

fn dym(found: &str, expected: &[&str]) -> String {
    did_you_mean(found, expected.iter().copied())
        .map_or_else(String::new, |s| format!(" (did you mean `{s}`?)"))
}

/// Turns ron's error into a diagnostic against `file`, unless the file does not even begin
/// like RON (an empty file, or e.g. `/etc/passwd` or `/proc/self/environ` given as include):
/// then the diagnostic has only the position of its first token, no snippet and no text from
/// the file, so that a mistaken or malicious path never prints what is in it.
pub fn diagnose(file: &str, source: &Arc<str>, err: &SpannedError) -> Diag {
    match first_token(source) {
        None => {
            let mut d = Diag::whole_file(file, "expected `(`", None);
            d.help = Some("the file is empty; a scenario is one `( ... )`".into());
            d
        }
        Some(at) if !begins_like_ron(&source[at..]) => {
            let mut d = Diag::whole_file(
                file,
                "expected `(`: this is not a scenario file, so its text is not shown",
                Some("a scenario or fragment is one `( ... )`; check the path".into()),
            );
            (d.line, d.col) = line_col(source, at);
            d
        }
        Some(_) => convert(file, source, err),
    }
}

/// Byte offset of the first token after whitespace and comments (an unclosed block comment
/// counts as a token: it is RON's own error), or `None` if there is no token.
fn first_token(src: &str) -> Option<usize> {
    let mut at = 0;
    loop {
        let rest = &src[at..];
        let trimmed = rest.trim_start();
        at += rest.len() - trimmed.len();
        if trimmed.starts_with("//") {
            at += trimmed.find('\n').unwrap_or(trimmed.len());
        } else if let Some(body) = trimmed.strip_prefix("/*") {
            match body.find("*/") {
                Some(i) => at += i + 4,
                None => return Some(at),
            }
        } else if trimmed.is_empty() {
            return None;
        } else {
            return Some(at);
        }
    }
}

/// Whether `text` starts with `(`, a struct name followed by `(`, or a comment.
fn begins_like_ron(text: &str) -> bool {
    if text.starts_with("/*") {
        return true;
    }
    let ident = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    text[ident..].trim_start().starts_with('(')
}

/// Turns ron's error into a diagnostic against `file`.
pub fn convert(file: &str, source: &Arc<str>, err: &SpannedError) -> Diag {
    let mut start = offset_of(source, err.span.start.line, err.span.start.col);
    if matches!(err.code, Error::UnclosedBlockComment) {
        // ron reports the position after `/*`; point at the comment itself.
        start = source[..start].rfind("/*").unwrap_or(start);
    }
    let end = offset_of(source, err.span.end.line, err.span.end.col).max(start);
    let path = SpanTree::parse(source).path_at(source, start);
    let at = if path.is_empty() {
        String::new()
    } else {
        format!(" for `{path}`")
    };
    let (message, help) = names(&err.code)
        .or_else(|| fields(&err.code, &path))
        .or_else(|| values(&err.code, &at))
        .or_else(|| shapes(&err.code, &at, &path))
        .unwrap_or_else(|| syntax(&err.code));
    Diag::new(file, source, start..end, message, help)
}

/// A message and an optional hint.
type Msg = (String, Option<String>);

/// Errors about unknown names in the file: variants and fields.
fn names(code: &Error) -> Option<Msg> {
    Some(match code {
        Error::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => (
            format!(
                "unknown {} `{found}`, {}{}",
                enum_desc(outer.as_deref().unwrap_or("")),
                expected_one_of(expected),
                dym(found, expected)
            ),
            None,
        ),
        Error::NoSuchStructField { found, outer, .. }
            if found == "include" && outer.as_deref() == Some("Fragment") =>
        {
            (
                "an included fragment cannot itself include other files".into(),
                Some(
                    "includes are one level deep: include every fragment from the scenario".into(),
                ),
            )
        }
        Error::NoSuchStructField {
            expected,
            found,
            outer,
        } => (
            format!(
                "unknown field `{found}` in {}, {}{}",
                struct_desc(outer.as_deref().unwrap_or("")),
                expected_one_of(expected),
                dym(found, expected)
            ),
            None,
        ),
        _ => return None,
    })
}

/// Errors about the fields of a struct and its name.
fn fields(code: &Error, path: &str) -> Option<Msg> {
    Some(match code {
        Error::MissingStructField { field, outer } => (
            format!(
                "missing field `{field}` in {}{}",
                struct_desc(outer.as_deref().unwrap_or("")),
                if path.is_empty() {
                    String::new()
                } else {
                    format!(" (`{path}`)")
                }
            ),
            Some(format!("add `{field}: ...`; it has no default")),
        ),
        Error::DuplicateStructField { field, outer } => (
            format!(
                "field `{field}` is given twice in {}",
                struct_desc(outer.as_deref().unwrap_or(""))
            ),
            None,
        ),
        Error::ExpectedDifferentStructName { expected, found } => {
            let want = if *expected == "Spec" {
                "Scenario"
            } else {
                expected
            };
            (
                format!("expected `{want}(...)` or just `(...)`, found `{found}(...)`"),
                Some("the name before `(` is optional; if given it must match".into()),
            )
        }
        _ => return None,
    })
}

/// Errors about the type of a value.
fn values(code: &Error, at: &str) -> Option<Msg> {
    Some(match code {
        Error::ExpectedFloat => (format!("expected a number{at}"), None),
        Error::ExpectedInteger => (
            format!("expected a whole number{at}"),
            Some("this field takes an unsigned integer such as `2`".into()),
        ),
        Error::IntegerOutOfBounds => (
            format!("whole number out of range{at}"),
            Some("this field takes a non-negative whole number (`lane` and `lanes`: 0-255)".into()),
        ),
        Error::ExpectedBoolean => (format!("expected `true` or `false`{at}"), None),
        Error::ExpectedString => (
            format!("expected a string in double quotes{at}"),
            Some("ids and names are strings: `\"w_in\"`, not `w_in`".into()),
        ),
        Error::ExpectedStringEnd => ("string is not closed".into(), None),
        Error::ExpectedOption => (
            format!("expected `Some(...)` or `None`{at}"),
            Some("optional values are written `Some(value)`, e.g. `Some(90.0)`".into()),
        ),
        Error::ExpectedArray => (
            format!("expected a list `[...]`{at}"),
            Some("lists are written in square brackets: `[\"a\", \"b\"]`".into()),
        ),
        Error::ExpectedArrayEnd => (format!("expected `]` to close the list{at}"), None),
        _ => return None,
    })
}

/// Errors about brackets, separators and lengths.
fn shapes(code: &Error, at: &str, path: &str) -> Option<Msg> {
    Some(match code {
        Error::ExpectedStructLike | Error::ExpectedNamedStructLike(_) => (
            format!("expected `(`{at}"),
            Some("structs and tuples are written in parentheses: `(x: 1.0)`, `(1.0, 2.0)`".into()),
        ),
        Error::ExpectedStructLikeEnd | Error::ExpectedOptionEnd => match path.rsplit_once('[') {
            // Inside a tuple: it has more elements than the type takes.
            Some((tuple, _)) if path.ends_with(']') => (
                format!("expected `)`: too many elements in `{tuple}`"),
                Some("points and sizes are `(x, y)` pairs".into()),
            ),
            _ => (format!("expected `)`{at}"), None),
        },
        Error::ExpectedComma => (
            "expected `,` before this".into(),
            Some("a comma is probably missing at the end of the previous item, or a string is not closed".into()),
        ),
        Error::ExpectedMapColon => (format!("expected `:`{at}"), None),
        Error::ExpectedIdentifier => (format!("expected a field name or variant{at}"), None),
        Error::ExpectedUnit => (format!("expected `()`{at}"), None),
        Error::ExpectedDifferentLength { expected, found } => (
            format!("expected {expected}, found {found} element(s){at}"),
            Some("points are written `(x, y)` in metres".into()),
        ),
        Error::InvalidValueForType { expected, found } => {
            (format!("expected {expected}, found {found}{at}"), None)
        }
        _ => return None,
    })
}

/// Errors of the text itself: where it ends, comments, stray characters.
fn syntax(code: &Error) -> Msg {
    match code {
        Error::Eof => (
            "unexpected end of file".into(),
            Some("a `(`, `[` or string is probably not closed".into()),
        ),
        Error::TrailingCharacters => (
            "unexpected text after the end of the scenario".into(),
            Some("the file holds one `(...)`; check for an extra `)`".into()),
        ),
        Error::UnexpectedChar(c) => (format!("unexpected character {c:?}"), None),
        Error::UnclosedBlockComment => (
            "block comment is not closed".into(),
            Some("close it with `*/`".into()),
        ),
        Error::ExceededRecursionLimit => ("the document is nested too deeply".into(), None),
        other => {
            let text = other.to_string();
            let mut chars = text.chars();
            let first = chars.next().map(|c| c.to_lowercase().collect::<String>());
            (first.unwrap_or_default() + chars.as_str(), None)
        }
    }
}

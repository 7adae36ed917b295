//! The primitives of validation: an issue sink with number and reference checks, and id sets.
//!
//! Checks never stop at the first problem; each records an [`Issue`] and returns whether the
//! value was usable, so callers can skip checks that depend on it (no cascades of errors from
//! one typo).

use std::collections::HashMap;

use crate::scenario::diag::{did_you_mean, suggestion};
use crate::scenario::spec::Point;

/// One semantic problem, at a value path of the merged scenario (see `locate`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub path: String,
    pub message: String,
    pub help: Option<String>,
    /// Another place worth showing: (label, path), e.g. ("first defined", "vehicles[0].id").
    pub see: Option<(String, String)>,
}

/// Most issues recorded; past this, checking goes on but nothing more is kept (bounds the work
/// of locating and sorting them; only the first `diag::MAX_DIAGS` are shown anyway).
pub const MAX_ISSUES: usize = 10_000;
/// Did-you-mean suggestions are computed for this many issues only (each scans an id list).
const MAX_SUGGESTIONS: usize = 1_000;

/// Largest coordinate magnitude, m: positions are local metres around the map's origin, and
/// the whole Sangam testbed fits in a few km. This bounds every grid sized from the map's
/// bounding box (a node in UTM metres, or at 1e15, would otherwise allocate terabytes).
pub const MAX_COORD_M: f64 = 20_000.0;
/// Largest height magnitude, m: the world's roads lie between the Dead Sea's −430 m and
/// 5,800 m passes; 10 km keeps hand-typed millimetres from passing as metres.
pub const MAX_HEIGHT_M: f64 = 10_000.0;

/// Collects issues.
#[derive(Debug, Default)]
pub struct Sink {
    pub issues: Vec<Issue>,
    /// Issues not kept because of [`MAX_ISSUES`].
    pub dropped: usize,
}

/// A number as written by people: plain, or in scientific notation when huge (1e300 would
/// otherwise print 301 digits).
fn num(x: f64) -> String {
    if x.abs() < 1e15 {
        x.to_string()
    } else {
        format!("{x:e}")
    }
}

fn unit(u: &str) -> String {
    if u.is_empty() {
        String::new()
    } else {
        format!(" {u}")
    }
}

impl Sink {
    pub fn err(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        if self.issues.len() >= MAX_ISSUES {
            self.dropped += 1;
            return;
        }
        self.issues.push(Issue {
            path: path.into(),
            message: message.into(),
            help,
            see: None,
        });
    }

    pub fn err_see(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
        help: Option<String>,
        label: &str,
        see: impl Into<String>,
    ) {
        if self.issues.len() >= MAX_ISSUES {
            self.dropped += 1;
            return;
        }
        self.issues.push(Issue {
            path: path.into(),
            message: message.into(),
            help,
            see: Some((label.to_string(), see.into())),
        });
    }

    /// NaN and infinities are never meaningful in a scenario.
    pub fn finite(&mut self, path: &str, x: f64) -> bool {
        if x.is_finite() {
            return true;
        }
        self.err(
            path,
            format!("must be a finite number, found {x}"),
            Some("NaN and infinite values are not allowed".into()),
        );
        false
    }

    /// `x > 0`.
    pub fn positive(&mut self, path: &str, x: f64, u: &str) -> bool {
        if !self.finite(path, x) {
            return false;
        }
        if x > 0.0 {
            return true;
        }
        self.err(
            path,
            format!("must be greater than 0{}, found {x}", unit(u)),
            None,
        );
        false
    }

    /// `x >= 0`.
    pub fn non_negative(&mut self, path: &str, x: f64, u: &str) -> bool {
        if !self.finite(path, x) {
            return false;
        }
        if x >= 0.0 {
            return true;
        }
        self.err(
            path,
            format!("must be 0{} or more, found {x}", unit(u)),
            None,
        );
        false
    }

    /// `lo <= x <= hi`.
    pub fn within(&mut self, path: &str, x: f64, lo: f64, hi: f64, u: &str) -> bool {
        if !self.finite(path, x) {
            return false;
        }
        if (lo..=hi).contains(&x) {
            return true;
        }
        self.err(
            path,
            format!("must be between {lo} and {hi}{}, found {x}", unit(u)),
            None,
        );
        false
    }

    /// `0 < x <= hi`.
    pub fn positive_upto(&mut self, path: &str, x: f64, hi: f64, u: &str) -> bool {
        self.positive(path, x, u) && self.upto(path, x, hi, u)
    }

    /// `0 <= x <= hi`.
    pub fn non_negative_upto(&mut self, path: &str, x: f64, hi: f64, u: &str) -> bool {
        self.non_negative(path, x, u) && self.upto(path, x, hi, u)
    }

    /// `x <= hi`, for an `x` already known to be finite.
    fn upto(&mut self, path: &str, x: f64, hi: f64, u: &str) -> bool {
        if x <= hi {
            return true;
        }
        self.err(
            path,
            format!("must be at most {hi}{}, found {}", unit(u), num(x)),
            None,
        );
        false
    }

    /// A share or probability, 0-1.
    pub fn ratio(&mut self, path: &str, x: f64) -> bool {
        self.within(path, x, 0.0, 1.0, "")
    }

    pub fn point(&mut self, path: &str, p: Point) -> bool {
        if !(p.0.is_finite() && p.1.is_finite()) {
            self.err(
                path,
                format!("must have finite coordinates, found ({}, {})", p.0, p.1),
                Some("NaN and infinite values are not allowed".into()),
            );
            return false;
        }
        if p.0.abs() <= MAX_COORD_M && p.1.abs() <= MAX_COORD_M {
            return true;
        }
        self.err(
            path,
            format!(
                "coordinates must be within ±{MAX_COORD_M} m of the origin, found ({}, {})",
                num(p.0),
                num(p.1)
            ),
            Some("positions are local metres (x east, y north), not UTM or degrees".into()),
        );
        false
    }

    /// A height above the map's datum: finite and within ±[`MAX_HEIGHT_M`].
    pub fn height(&mut self, path: &str, z: f64) -> bool {
        if !self.finite(path, z) {
            return false;
        }
        if z.abs() <= MAX_HEIGHT_M {
            return true;
        }
        self.err(
            path,
            format!(
                "must be a height within ±{MAX_HEIGHT_M} m, found {}",
                num(z)
            ),
            Some("heights are metres above the map's datum (SUMO's z), not feet or mm".into()),
        );
        false
    }

    /// `` (did you mean `x`?)`` while few issues have been found, else nothing.
    pub fn suggest<'a>(&self, word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
        if self.issues.len() < MAX_SUGGESTIONS {
            suggestion(word, candidates)
        } else {
            String::new()
        }
    }

    /// Looks `id` up in `set`; records "unknown ..." with a did-you-mean otherwise.
    pub fn reference(&mut self, path: &str, id: &str, set: &IdSet<'_>) -> Option<usize> {
        if let Some(&i) = set.map.get(id) {
            return Some(i);
        }
        let hint = self.suggest(id, set.order.iter().copied());
        let message = format!("unknown {} `{id}`{hint}", set.kind);
        self.err(path, message, Some(set.known()));
        None
    }
}

/// The ids of one kind of thing, in declaration order (for stable suggestions).
#[derive(Debug, Default)]
pub struct IdSet<'a> {
    pub kind: &'static str,
    /// Where they are declared, e.g. `network.links`.
    pub list: &'static str,
    pub map: HashMap<&'a str, usize>,
    pub order: Vec<&'a str>,
}

impl<'a> IdSet<'a> {
    /// [`IdSet::build`] of a list whose every item needs an id.
    pub fn required(
        sink: &mut Sink,
        kind: &'static str,
        list: &'static str,
        ids: impl Iterator<Item = &'a str>,
    ) -> IdSet<'a> {
        IdSet::build(sink, kind, list, ids, false)
    }

    /// Indexes `ids` (declared at `{list}[i].id`), reporting empty and duplicate ids.
    /// `optional`: empty ids are allowed and not indexed (buildings).
    pub fn build(
        sink: &mut Sink,
        kind: &'static str,
        list: &'static str,
        ids: impl Iterator<Item = &'a str>,
        optional: bool,
    ) -> IdSet<'a> {
        let mut set = IdSet {
            kind,
            list,
            ..IdSet::default()
        };
        for (i, id) in ids.enumerate() {
            let path = format!("{list}[{i}].id");
            if id.is_empty() {
                if !optional {
                    sink.err(path, format!("{kind} id must not be empty"), None);
                }
                continue;
            }
            if let Some(&first) = set.map.get(id) {
                sink.err_see(
                    path,
                    format!("duplicate {kind} id `{id}`"),
                    Some(format!("each {kind} needs its own id")),
                    "first defined",
                    format!("{list}[{first}].id"),
                );
                continue;
            }
            set.map.insert(id, i);
            set.order.push(id);
        }
        set
    }

    pub fn contains(&self, id: &str) -> bool {
        self.map.contains_key(id)
    }

    /// A hint listing (a few of) the known ids.
    pub fn known(&self) -> String {
        if self.order.is_empty() {
            return format!("no {}s are defined in `{}`", self.kind, self.list);
        }
        let shown: Vec<String> = self
            .order
            .iter()
            .take(8)
            .map(|s| format!("`{s}`"))
            .collect();
        let more = if self.order.len() > 8 { ", ..." } else { "" };
        format!(
            "{}s defined in `{}`: {}{more}",
            self.kind,
            self.list,
            shown.join(", ")
        )
    }

    /// Closest id to `word`, for did-you-mean across several sets.
    pub fn closest(&self, word: &str) -> Option<&'a str> {
        did_you_mean(word, self.order.iter().copied())
    }
}

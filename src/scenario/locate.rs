//! Maps a value path such as `vehicles[3].route[1]` to the bytes of RON source it came from.
//!
//! serde throws positions away once a document has been deserialised, so semantic checks only
//! know *which* value is wrong, not *where* it is. This module re-reads the text with a small,
//! tolerant scanner that builds a tree of spans (no values), and walks it along a path.
//!
//! Path syntax: fields joined by `.`, sequence/tuple indices as `[i]`. A named wrapper with a
//! single positional value (`Some(x)`, `Links([...])`, `Signal((...))`) is transparent, so
//! `vehicles[0].route[1]` is the second link of `Links([...])`; struct-like variants expose their
//! fields (`vehicles[2].route.from`). The scanner never fails: malformed input just yields a
//! shallower tree, which is also what lets [`SpanTree::path_at`] describe where a syntax error
//! sits.

#[path = "locate/scan.rs"]
mod scan;

use std::ops::Range;

use scan::{Node, Parser, Shape};

/// One step of a value path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Field(String),
    Index(usize),
}

/// Parses `a.b[2].c` into segments; `None` if the syntax is wrong.
pub fn parse_path(path: &str) -> Option<Vec<Seg>> {
    let mut segs = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            segs.push(Seg::Index(r[..end].trim().parse().ok()?));
            rest = &r[end + 1..];
        } else {
            let r = rest.strip_prefix('.').unwrap_or(rest);
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if end == 0 {
                return None;
            }
            segs.push(Seg::Field(r[..end].to_string()));
            rest = &r[end..];
        }
    }
    Some(segs)
}

/// Renders segments back into path syntax.
pub fn render_path(segs: &[Seg]) -> String {
    let mut s = String::new();
    for seg in segs {
        match seg {
            Seg::Field(f) if s.is_empty() => s.push_str(f),
            Seg::Field(f) => {
                s.push('.');
                s.push_str(f);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

#[derive(Debug, Clone)]
pub struct SpanTree {
    nodes: Vec<Node>,
    root: Option<usize>,
}

/// Result of [`SpanTree::find`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Bytes of the value (or of the deepest ancestor found).
    pub span: Range<usize>,
    /// `false` when only a prefix of the path exists (e.g. a defaulted field left out).
    pub exact: bool,
}

impl SpanTree {
    /// Scans `src`; never fails.
    pub fn parse(src: &str) -> SpanTree {
        let (nodes, root) = Parser::run(src);
        SpanTree { nodes, root }
    }

    /// The span of the value at `path` (`""` is the whole document), or of its deepest existing
    /// ancestor. `None` only for an empty document or a malformed path.
    pub fn find(&self, src: &str, path: &str) -> Option<Found> {
        let (id, exact) = self.find_id(src, &parse_path(path)?)?;
        Some(Found {
            span: self.nodes[id].span.clone(),
            exact,
        })
    }

    fn find_id(&self, src: &str, segs: &[Seg]) -> Option<(usize, bool)> {
        let mut cur = self.root?;
        for seg in segs {
            match self.step(src, cur, seg) {
                Some(next) => cur = next,
                None => return Some((cur, false)),
            }
        }
        // `Some(x)` points at `x`: the option is never what a message is about.
        while self.transparent(cur)
            && src
                .get(self.nodes[cur].span.clone())
                .is_some_and(|t| t.starts_with("Some"))
        {
            cur = self.nodes[cur].children[0].1;
        }
        Some((cur, true))
    }

    /// The span of a struct field's *name* at `path` (for "unknown field" style messages).
    pub fn find_key(&self, src: &str, path: &str) -> Option<Range<usize>> {
        let mut segs = parse_path(path)?;
        let Some(Seg::Field(last)) = segs.pop() else {
            return None;
        };
        let (id, true) = self.find_id(src, &segs)? else {
            return None;
        };
        let id = self.unwrap(id);
        self.nodes[id].children.iter().find_map(|(k, _)| {
            k.clone()
                .filter(|k| src.get(k.clone()) == Some(last.as_str()))
        })
    }

    fn unwrap(&self, mut id: usize) -> usize {
        while self.transparent(id) {
            id = self.nodes[id].children[0].1;
        }
        id
    }

    /// A named single-value wrapper (`Some(x)`) or a one-element tuple `(x)`.
    fn transparent(&self, id: usize) -> bool {
        let n = &self.nodes[id];
        n.shape == Shape::Tuple && n.children.len() == 1 && n.children[0].0.is_none()
    }

    fn step(&self, src: &str, mut cur: usize, seg: &Seg) -> Option<usize> {
        loop {
            let n = &self.nodes[cur];
            let hit = match seg {
                Seg::Field(f) if n.shape == Shape::Struct => n
                    .children
                    .iter()
                    .find(|(k, _)| k.as_ref().and_then(|k| src.get(k.clone())) == Some(f))
                    .map(|c| c.1),
                Seg::Index(i) if matches!(n.shape, Shape::Seq | Shape::Map) => {
                    n.children.get(*i).map(|c| c.1)
                }
                Seg::Index(i) if n.shape == Shape::Tuple && !self.transparent(cur) => {
                    n.children.get(*i).map(|c| c.1)
                }
                _ => None,
            };
            if hit.is_some() {
                return hit;
            }
            if !self.transparent(cur) {
                return None;
            }
            cur = self.nodes[cur].children[0].1;
        }
    }

    /// The path of the innermost value containing byte `offset` (transparent wrappers are
    /// skipped), e.g. `vehicles[0].speed`. Empty at the top level.
    pub fn path_at(&self, src: &str, offset: usize) -> String {
        let Some(root) = self.root else {
            return String::new();
        };
        let mut cur = root;
        let mut segs = Vec::new();
        'down: loop {
            let transparent = self.transparent(cur);
            for (idx, (key, child)) in self.nodes[cur].children.iter().enumerate() {
                let span = &self.nodes[*child].span;
                let key_start = key.as_ref().map_or(span.start, |k| k.start);
                if key_start <= offset && offset < span.end.max(span.start + 1) {
                    match key {
                        Some(k) => segs.push(Seg::Field(src.get(k.clone()).unwrap_or("?").into())),
                        None if transparent => {}
                        None => segs.push(Seg::Index(idx)),
                    }
                    cur = *child;
                    continue 'down;
                }
            }
            return render_path(&segs);
        }
    }
}

/// Convenience: scan `src` and find `path` in one go.
pub fn locate(src: &str, path: &str) -> Option<Found> {
    SpanTree::parse(src).find(src, path)
}

#[cfg(test)]
#[path = "locate_tests.rs"]
mod tests;

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

use std::ops::Range;

/// Deeper nesting than this is skipped as one opaque value (bounds recursion).
const MAX_DEPTH: usize = 128;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// `(a: 1)` or `Name(a: 1)`.
    Struct,
    /// `(1, 2)` or `Name(x)`.
    Tuple,
    /// `[1, 2]`.
    Seq,
    /// `{k: v}`; entries are kept positionally (values only).
    Map,
    /// Anything else: numbers, strings, identifiers, junk.
    Atom,
}

#[derive(Debug, Clone)]
struct Node {
    span: Range<usize>,
    shape: Shape,
    /// (field name, child node); the name is `None` for positional children.
    children: Vec<(Option<Range<usize>>, usize)>,
}

/// A tree of source spans of one RON document; cheap to query many times.
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
        let mut p = Parser {
            b: src.as_bytes(),
            i: 0,
            nodes: Vec::new(),
        };
        p.skip_ws();
        // `#![enable(...)]` attributes come before the value.
        while p.peek() == Some(b'#') {
            p.skip_attribute();
            p.skip_ws();
        }
        let root = (p.i < p.b.len()).then(|| p.value(0));
        SpanTree {
            nodes: p.nodes,
            root,
        }
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
        self.nodes[id]
            .children
            .iter()
            .find_map(|(k, _)| k.clone().filter(|k| src.get(k.clone()) == Some(last.as_str())))
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

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
    nodes: Vec<Node>,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn at(&self, k: usize) -> Option<u8> {
        self.b.get(self.i + k).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_ascii_whitespace() {
                self.i += 1;
            } else if c == b'/' && self.at(1) == Some(b'/') {
                while self.peek().is_some_and(|c| c != b'\n') {
                    self.i += 1;
                }
            } else if c == b'/' && self.at(1) == Some(b'*') {
                self.i += 2;
                let mut depth = 1usize;
                while depth > 0 && self.i < self.b.len() {
                    if self.peek() == Some(b'/') && self.at(1) == Some(b'*') {
                        depth += 1;
                        self.i += 2;
                    } else if self.peek() == Some(b'*') && self.at(1) == Some(b'/') {
                        depth -= 1;
                        self.i += 2;
                    } else {
                        self.i += 1;
                    }
                }
            } else {
                break;
            }
        }
    }

    fn skip_attribute(&mut self) {
        // `#![ ... ]`: skip to the matching `]`.
        self.i += 1;
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                b'[' => depth += 1,
                b']' if depth <= 1 => return,
                b']' => depth -= 1,
                _ => {}
            }
        }
    }

    fn push(&mut self, start: usize, shape: Shape) -> usize {
        self.nodes.push(Node {
            span: start..start,
            shape,
            children: Vec::new(),
        });
        self.nodes.len() - 1
    }

    fn atom(&mut self, start: usize) -> usize {
        let id = self.push(start, Shape::Atom);
        self.nodes[id].span = start..self.i.max(start);
        id
    }

    /// Parses one value starting at a non-whitespace byte; always consumes at least one byte.
    fn value(&mut self, depth: usize) -> usize {
        let start = self.i;
        let Some(c) = self.peek() else {
            return self.atom(start);
        };
        if depth > MAX_DEPTH {
            self.skip_balanced();
            return self.atom(start);
        }
        match c {
            b'(' => self.group(start, depth),
            b'[' | b'{' => self.seq(start, depth),
            b'"' => {
                self.string();
                self.atom(start)
            }
            b'\'' => {
                self.char_lit();
                self.atom(start)
            }
            b'r' if matches!(self.at(1), Some(b'"' | b'#')) && self.raw_string() => {
                self.atom(start)
            }
            b'b' if self.at(1) == Some(b'"') => {
                self.i += 1;
                self.string();
                self.atom(start)
            }
            c if is_ident_start(c) => {
                self.ident();
                let after = self.i;
                self.skip_ws();
                if self.peek() == Some(b'(') {
                    self.group(start, depth)
                } else {
                    self.i = after;
                    self.atom(start)
                }
            }
            c if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.') => {
                self.i += 1;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'+' | b'-'))
                {
                    // Stop before a sign that is not an exponent sign.
                    if matches!(self.peek(), Some(b'+' | b'-'))
                        && !matches!(self.b.get(self.i - 1), Some(b'e' | b'E'))
                    {
                        break;
                    }
                    self.i += 1;
                }
                self.atom(start)
            }
            _ => {
                self.i += 1;
                while self.i < self.b.len() && (self.b[self.i] & 0xC0) == 0x80 {
                    self.i += 1;
                }
                self.atom(start)
            }
        }
    }

    fn ident(&mut self) {
        if self.peek() == Some(b'r') && self.at(1) == Some(b'#') {
            self.i += 2;
        }
        while self.peek().is_some_and(is_ident) {
            self.i += 1;
        }
    }

    fn string(&mut self) {
        self.i += 1;
        while let Some(c) = self.peek() {
            self.i += 1;
            match c {
                b'\\' => self.i = (self.i + 1).min(self.b.len()),
                b'"' => return,
                _ => {}
            }
        }
    }

    fn char_lit(&mut self) {
        self.i += 1;
        let mut n = 0;
        while let Some(c) = self.peek() {
            self.i += 1;
            n += 1;
            match c {
                b'\\' => self.i = (self.i + 1).min(self.b.len()),
                b'\'' => return,
                b'\n' => return,
                _ if n > 12 => return,
                _ => {}
            }
        }
    }

    /// `r"..."` / `r#"..."#`; returns false (consuming nothing) if it is a raw identifier.
    fn raw_string(&mut self) -> bool {
        let mut j = self.i + 1;
        let mut hashes = 0;
        while self.b.get(j) == Some(&b'#') {
            hashes += 1;
            j += 1;
        }
        if self.b.get(j) != Some(&b'"') {
            return false;
        }
        j += 1;
        while j < self.b.len() {
            if self.b[j] == b'"' && self.b[j + 1..].iter().take(hashes).filter(|&&c| c == b'#').count() == hashes {
                self.i = j + 1 + hashes;
                return true;
            }
            j += 1;
        }
        self.i = self.b.len();
        true
    }

    fn skip_balanced(&mut self) {
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            match c {
                b'"' => {
                    self.string();
                    continue;
                }
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    if depth <= 1 {
                        self.i += 1;
                        return;
                    }
                    depth -= 1;
                }
                _ if depth == 0 => {
                    self.i += 1;
                    return;
                }
                _ => {}
            }
            self.i += 1;
        }
    }

    /// Is the next thing `ident :` (a struct field), not `ident ::` or a value?
    fn field_key(&mut self) -> Option<Range<usize>> {
        let save = self.i;
        if !self.peek().is_some_and(is_ident_start) {
            return None;
        }
        let ks = self.i;
        self.ident();
        let ke = self.i;
        self.skip_ws();
        if self.peek() == Some(b':') && self.at(1) != Some(b':') {
            self.i += 1;
            return Some(ks..ke);
        }
        self.i = save;
        None
    }

    fn group(&mut self, start: usize, depth: usize) -> usize {
        self.i += 1; // `(`
        let id = self.push(start, Shape::Tuple);
        self.skip_ws();
        let save = self.i;
        if self.field_key().is_some() {
            self.nodes[id].shape = Shape::Struct;
        }
        self.i = save;
        self.items(id, b')', depth, true);
        self.nodes[id].span = start..self.i;
        id
    }

    fn seq(&mut self, start: usize, depth: usize) -> usize {
        let close = if self.peek() == Some(b'[') { b']' } else { b'}' };
        let shape = if close == b']' { Shape::Seq } else { Shape::Map };
        self.i += 1;
        let id = self.push(start, shape);
        self.items(id, close, depth, false);
        self.nodes[id].span = start..self.i;
        id
    }

    fn items(&mut self, id: usize, close: u8, depth: usize, keyed: bool) {
        loop {
            self.skip_ws();
            match self.peek() {
                None => return,
                Some(c) if c == close => {
                    self.i += 1;
                    return;
                }
                Some(b')' | b']' | b'}') => return, // mismatched: let the parent close
                Some(b',') => {
                    self.i += 1;
                    continue;
                }
                Some(_) => {}
            }
            let key = if keyed { self.field_key() } else { None };
            self.skip_ws();
            if matches!(self.peek(), None | Some(b')' | b']' | b'}' | b',')) {
                // `key:` with no value; remember the key with an empty span.
                if let Some(k) = key {
                    let at = self.i;
                    let child = self.push(at, Shape::Atom);
                    self.nodes[id].children.push((Some(k), child));
                }
                continue;
            }
            let child = self.value(depth + 1);
            if close == b'}' {
                // Map: `key: value` - keep the value, drop the key.
                self.skip_ws();
                if self.peek() == Some(b':') {
                    self.i += 1;
                    self.skip_ws();
                    if !matches!(self.peek(), None | Some(b')' | b']' | b'}' | b',')) {
                        let v = self.value(depth + 1);
                        self.nodes[id].children.push((None, v));
                    }
                    continue;
                }
            }
            self.nodes[id].children.push((key, child));
        }
    }
}

#[cfg(test)]
#[path = "locate_tests.rs"]
mod tests;

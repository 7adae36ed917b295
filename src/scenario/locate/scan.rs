//! The tolerant RON scanner behind [`super::SpanTree`]: bytes in, a flat tree of spans out.
//!
//! It knows just enough RON to find where values start and end: comments (nested block
//! comments too), strings, raw strings, byte strings, chars, numbers, identifiers, and the
//! three bracket kinds. Anything it does not understand becomes a one-byte atom, every step
//! consumes input, and nesting beyond [`MAX_DEPTH`] is skipped flat, so it terminates on any
//! input without deep recursion.

use std::ops::Range;

/// Deeper nesting than this is skipped as one opaque value (bounds recursion).
const MAX_DEPTH: usize = 128;

/// The curly brackets of a map, by code so that brace-counting tools (and editors) are not
/// misled by a bracket inside a byte literal.
const LBRACE: u8 = 0x7B;
const RBRACE: u8 = 0x7D;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
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
pub(super) struct Node {
    pub span: Range<usize>,
    pub shape: Shape,
    /// (field name, child node); the name is `None` for positional children.
    pub children: Vec<(Option<Range<usize>>, usize)>,
}

/// A tree of source spans of one RON document; cheap to query many times.
pub(super) struct Parser<'a> {
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
    /// Scans a whole document: (nodes, root).
    pub(super) fn run(src: &str) -> (Vec<Node>, Option<usize>) {
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
        (p.nodes, root)
    }

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
            b'[' | LBRACE => self.seq(start, depth),
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
            c if is_ident_start(c) => self.ident_or_named(start, depth),
            c if c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.') => {
                self.number();
                self.atom(start)
            }
            _ => {
                // One unknown character (all its UTF-8 bytes).
                self.i += 1;
                while self.i < self.b.len() && (self.b[self.i] & 0xC0) == 0x80 {
                    self.i += 1;
                }
                self.atom(start)
            }
        }
    }

    /// `name` alone, or `Name(...)`, a named struct or tuple.
    fn ident_or_named(&mut self, start: usize, depth: usize) -> usize {
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

    /// A number such as `-1.5e-3` or `0x1F` (junk such as `1.2.3` stays one atom).
    fn number(&mut self) {
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
            if self.b[j] == b'"'
                && self.b[j + 1..]
                    .iter()
                    .take(hashes)
                    .filter(|&&c| c == b'#')
                    .count()
                    == hashes
            {
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
                b'(' | b'[' | LBRACE => depth += 1,
                b')' | b']' | RBRACE => {
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
        let close = if self.peek() == Some(b'[') {
            b']'
        } else {
            RBRACE
        };
        let shape = if close == b']' {
            Shape::Seq
        } else {
            Shape::Map
        };
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
                Some(b')' | b']' | RBRACE) => return, // mismatched: let the parent close
                Some(b',') => {
                    self.i += 1;
                    continue;
                }
                Some(_) => {}
            }
            let key = if keyed { self.field_key() } else { None };
            self.skip_ws();
            if matches!(self.peek(), None | Some(b')' | b']' | RBRACE | b',')) {
                // `key:` with no value; remember the key with an empty span.
                if let Some(k) = key {
                    let at = self.i;
                    let child = self.push(at, Shape::Atom);
                    self.nodes[id].children.push((Some(k), child));
                }
                continue;
            }
            let child = self.value(depth + 1);
            if close == RBRACE {
                // Map: `key: value` - keep the value, drop the key.
                self.skip_ws();
                if self.peek() == Some(b':') {
                    self.i += 1;
                    self.skip_ws();
                    if !matches!(self.peek(), None | Some(b')' | b']' | RBRACE | b',')) {
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

//! The XML reading shared by SUMO's network and demand files: one pass over the text with
//! every error located (1-based line and column), elements handed over with their attributes
//! unescaped, and the children of elements a reader does not take in skipped unread.
use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// A problem in the file, at a line and column (1-based).
#[derive(Debug, Clone, PartialEq)]
pub struct NetError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

/// Line and column (1-based) of byte offset `pos` in `text`.
pub fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let before = &text.as_bytes()[..pos.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let col = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, col)
}

/// The attributes of an element, unescaped, in file order (a handful per element: a list is
/// cheaper to build and search than a map). Keys and values without entities borrow from the
/// file's text: a network has hundreds of thousands of attributes, and copying each was a
/// tenth of the reading time.
#[derive(Debug, Default)]
pub struct Attrs<'e>(Vec<(&'e [u8], Cow<'e, str>)>);

impl Attrs<'_> {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| *k == key.as_bytes())
            .map(|(_, v)| &**v)
    }
}

fn attributes<'e>(e: &'e BytesStart) -> Result<Attrs<'e>, String> {
    let mut out = Attrs::default();
    for a in e.attributes() {
        let a = a.map_err(|err| format!("malformed attribute: {err}"))?;
        let value = a.unescape_value().map_err(|err| {
            let key = String::from_utf8_lossy(a.key.as_ref());
            format!("attribute `{key}`: {err}")
        })?;
        out.0.push((a.key.into_inner(), value));
    }
    Ok(out)
}

/// An element being read: its attributes, where it starts, and the errors found in it.
pub struct Element<'a, 'e> {
    pub name: String,
    pub attrs: Attrs<'e>,
    pub at: (usize, usize),
    pub errors: &'a mut Vec<NetError>,
}

impl Element<'_, '_> {
    pub fn fail(&mut self, message: String) {
        self.errors.push(NetError {
            line: self.at.0,
            col: self.at.1,
            message: format!("<{}>: {message}", self.name),
        });
    }

    /// A required attribute.
    pub fn get(&mut self, key: &str) -> Option<String> {
        let v = self.attrs.get(key).map(str::to_string);
        if v.is_none() {
            self.fail(format!("missing attribute `{key}`"));
        }
        v
    }

    pub fn opt(&self, key: &str) -> Option<&str> {
        self.attrs.get(key)
    }

    /// A number, required or with a default.
    pub fn num<T: std::str::FromStr>(&mut self, key: &str, default: Option<T>) -> Option<T> {
        let parsed = self
            .attrs
            .get(key)
            .map(|s| s.trim().parse::<T>().map_err(|_| s.to_string()));
        match (parsed, default) {
            (None, Some(d)) => Some(d),
            (None, None) => self.get(key).and(None),
            (Some(Ok(v)), _) => Some(v),
            (Some(Err(s)), _) => {
                self.fail(format!("`{key}` is `{s}`, expected a number"));
                None
            }
        }
    }

    /// A shape: space-separated `x,y[,z]` points, at least two.
    pub fn shape(&mut self, key: &str) -> Option<Vec<[f64; 2]>> {
        self.shape_z(key).map(|(pts, _)| pts)
    }

    /// A shape and the height of each point (SUMO's `x,y,z`; 0 where a point has none).
    pub fn shape_z(&mut self, key: &str) -> Option<(Vec<[f64; 2]>, Vec<f64>)> {
        let Some(s) = self.attrs.get(key) else {
            return self.get(key).and(None);
        };
        match points(s) {
            Ok(pts) if pts.len() >= 2 => Some(pts.into_iter().unzip()),
            Ok(_) => {
                self.fail(format!("`{key}` needs at least two points"));
                None
            }
            Err(p) => {
                self.fail(format!(
                    "`{key}` has the point `{p}`, expected x,y or x,y,z"
                ));
                None
            }
        }
    }
}

/// The points of a shape with their heights, or the first that is not `x,y[,z]` with finite
/// numbers.
fn points(s: &str) -> Result<Vec<([f64; 2], f64)>, String> {
    let mut pts = Vec::new();
    for p in s.split_whitespace() {
        let mut c = p.split(',').map(|c| c.parse::<f64>().ok());
        match (c.next(), c.next(), c.next(), c.next()) {
            (Some(Some(x)), Some(Some(y)), z @ (None | Some(Some(_))), None)
                if x.is_finite() && y.is_finite() && z.flatten().is_none_or(f64::is_finite) =>
            {
                pts.push(([x, y], z.flatten().unwrap_or(0.0)));
            }
            _ => return Err(p.to_string()),
        }
    }
    Ok(pts)
}

/// Line and column of positions met in increasing order, counted from the last one, so that
/// locating every element of a file is linear in its size (not quadratic).
struct Lines<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    line_start: usize,
}

impl Lines<'_> {
    fn at(&mut self, pos: usize) -> (usize, usize) {
        let pos = pos.min(self.text.len());
        if pos < self.pos {
            return line_col(self.text, pos);
        }
        for (i, &b) in self.text.as_bytes()[self.pos..pos].iter().enumerate() {
            if b == b'\n' {
                self.line += 1;
                self.line_start = self.pos + i + 1;
            }
        }
        self.pos = pos;
        (self.line, pos - self.line_start + 1)
    }
}

/// What a file reader does with the elements [`walk`] hands it.
pub trait Visit {
    /// An element opens (`opens`: it has children, a matching close follows). Returns whether
    /// its children are read (`false`: they are skipped unseen).
    fn open(&mut self, el: &mut Element, opens: bool) -> bool;
    /// A read element closes (an empty element `<x/>` closes right after it opens).
    fn close(&mut self, name: &[u8]);
}

/// Reads `text` from start to end, handing elements to `v`; every error in one pass (a
/// malformed-XML error ends the pass, since nothing after it can be trusted).
pub fn walk(text: &str, v: &mut dyn Visit) -> Vec<NetError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut errors = Vec::new();
    let mut lines = Lines {
        text,
        pos: 0,
        line: 1,
        line_start: 0,
    };
    // Depth inside an element whose children are skipped.
    let mut skipping = 0usize;
    loop {
        let pos = reader.buffer_position() as usize;
        let (e, opens) = match reader.read_event() {
            Err(e) => {
                let (line, col) = line_col(text, reader.error_position() as usize);
                errors.push(NetError {
                    line,
                    col,
                    message: format!("malformed XML: {e}"),
                });
                break;
            }
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => (e, true),
            Ok(Event::Empty(e)) => (e, false),
            Ok(Event::End(e)) => {
                if skipping > 0 {
                    skipping -= 1;
                } else {
                    v.close(e.name().as_ref());
                }
                continue;
            }
            Ok(_) => continue,
        };
        if skipping > 0 {
            skipping += usize::from(opens);
            continue;
        }
        let at = lines.at(pos);
        let attrs = match attributes(&e) {
            Ok(a) => a,
            Err(message) => {
                errors.push(NetError {
                    line: at.0,
                    col: at.1,
                    message,
                });
                skipping = usize::from(opens);
                continue;
            }
        };
        let mut el = Element {
            name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
            attrs,
            at,
            errors: &mut errors,
        };
        let name = el.name.clone();
        let read = v.open(&mut el, opens);
        if !opens {
            // `<x/>` closes where it opens.
            v.close(name.as_bytes());
        } else if !read {
            skipping = 1;
        }
    }
    errors
}

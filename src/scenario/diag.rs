//! Scenario diagnostics: every problem found while loading, with its file, line, column and
//! byte span, in two renderings.
//!
//! The plain `Display` (`file.ron:LINE:COL: message`, one line each, `  help:` under it) is what
//! tests and scripts match on; [`Diagnostics::render_fancy`] is the miette rendering with the
//! source snippet and the span underlined, for people.

use std::fmt;
use std::io::IsTerminal;
use std::ops::Range;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, SourceCode,
    SourceSpan, SpanContents,
};

/// Most diagnostics kept for one load; the rest are summarised (bounds output and work).
pub const MAX_DIAGS: usize = 200;

/// One problem at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diag {
    /// Display path of the file the problem is in.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// Byte range in `source` that the problem is about.
    pub span: Range<usize>,
    pub message: String,
    pub help: Option<String>,
    /// The whole text of `file` (shared between the diagnostics of one file).
    pub source: Arc<str>,
}

impl Diag {
    /// A diagnostic at `span` of `source`; line and column are derived from the span start.
    pub fn new(
        file: &str,
        source: &Arc<str>,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Diag {
        let start = floor_char_boundary(source, span.start);
        let end = floor_char_boundary(source, span.end.max(start));
        let (line, col) = line_col(source, start);
        Diag {
            file: file.to_string(),
            line,
            col,
            span: start..end,
            message: message.into(),
            help,
            source: source.clone(),
        }
    }

    /// Like [`Diag::new`], with line and column from a prebuilt index of `source`.
    pub fn new_indexed(
        file: &str,
        source: &Arc<str>,
        index: &LineIndex,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Diag {
        let start = floor_char_boundary(source, span.start);
        let end = floor_char_boundary(source, span.end.max(start));
        let (line, col) = index.line_col(source, start);
        Diag {
            file: file.to_string(),
            line,
            col,
            span: start..end,
            message: message.into(),
            help,
            source: source.clone(),
        }
    }

    /// A diagnostic about a whole file that could not be read (no source to show).
    pub fn whole_file(file: &str, message: impl Into<String>, help: Option<String>) -> Diag {
        Diag::new(file, &Arc::from(""), 0..0, message, help)
    }
}

/// Byte offsets of line starts, so that many positions in one big file are cheap to compute.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(src: &str) -> LineIndex {
        let starts = std::iter::once(0)
            .chain(src.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// Same result as [`line_col`], in O(log lines + line length).
    pub fn line_col(&self, src: &str, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(src, offset);
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1].min(offset);
        (line, 1 + src[start..offset].chars().count())
    }
}

/// 1-based (line, column in chars) of byte `offset`, clamped to the text.
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(src, offset);
    let before = &src[..offset];
    let line = 1 + before.bytes().filter(|&b| b == b'\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, 1 + before[line_start..].chars().count())
}

/// Byte offset of a 1-based (line, column in chars) position, clamped to the text. This is
/// how ron counts positions, so its errors map back to exact bytes.
pub fn offset_of(src: &str, line: usize, col: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match src[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return src.len(),
        }
    }
    let rest = &src[start..];
    let end = rest.find('\n').unwrap_or(rest.len());
    start
        + rest[..end]
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(end, |(i, _)| i)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    // Up to a third of the word may be wrong, but never all of it (`e` is no typo of `w`).
    let len = word.chars().count();
    let limit = (len / 3).max(1);
    candidates
        .into_iter()
        .take(5000)
        .filter(|c| *c != word)
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| (*d <= limit && *d < len) || c.eq_ignore_ascii_case(word))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `` (did you mean `x`?)`` or nothing.
pub fn suggestion<'a, I>(word: &str, candidates: I) -> String
where
    I: IntoIterator<Item = &'a str>,
{
    did_you_mean(word, candidates).map_or_else(String::new, |s| format!(" (did you mean `{s}`?)"))
}

/// `file:LINE:COL: message` (the help is printed by [`Diagnostics`]' `Display` and by miette).
impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.col, self.message
        )
    }
}

/// A diagnostic as rendered by [`Diagnostics::render_fancy`]: the header is just the message,
/// since miette already shows `file:line:col` above the snippet.
struct Fancy<'a>(&'a Diag);

impl fmt::Debug for Fancy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl Fancy<'_> {
    /// Whether miette can show the snippet: both ends of the span sit on lines of at most
    /// [`MAX_SNIPPET_LINE`] bytes. miette pads to the column with a `{:width$}` format,
    /// which panics past column 65,535, and a snippet of such a line is unreadable anyway.
    fn snippet(&self) -> bool {
        let src: &str = &self.0.source;
        let line_len = |at: usize| {
            let start = src[..at].rfind('\n').map_or(0, |i| i + 1);
            let end = src[at..].find('\n').map_or(src.len(), |i| at + i);
            end - start
        };
        !src.is_empty()
            && line_len(self.0.span.start) <= MAX_SNIPPET_LINE
            && line_len(self.0.span.end) <= MAX_SNIPPET_LINE
    }
}

/// Longest line shown in a source snippet, bytes; longer ones get the plain `file:line:col`.
pub const MAX_SNIPPET_LINE: usize = 4096;

impl fmt::Display for Fancy<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.snippet() {
            write!(f, "{}", self.0)
        } else {
            f.write_str(&self.0.message)
        }
    }
}

impl std::error::Error for Fancy<'_> {}

impl Diagnostic for Fancy<'_> {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.help()
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.snippet().then(|| self.0.source_code()).flatten()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.snippet().then(|| self.0.labels()).flatten()
    }
}

impl std::error::Error for Diag {}

impl Diagnostic for Diag {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        (!self.source.is_empty()).then_some(self as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.is_empty() {
            return None;
        }
        let span = SourceSpan::from(self.span.start..self.span.end.max(self.span.start));
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(Some("here".into()), span),
        )))
    }
}

/// A diagnostic is its own source code: its text, named after its file. This is what
/// `miette::NamedSource` does, but `NamedSource` must own its text and `source_code` can only
/// lend a reference, so the naming is done here on the shared `Arc<str>` instead.
impl SourceCode for Diag {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.source.read_span(span, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.file.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// Everything wrong with a scenario, sorted by (file, line, column). `Display` is the plain
/// form, one `file:LINE:COL: message` line per problem, each followed by `  help: ...` if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    pub diags: Vec<Diag>,
}

impl Diagnostics {
    /// Sorts (stable) and caps at [`MAX_DIAGS`], adding a summary line when some were dropped.
    pub fn new(mut diags: Vec<Diag>) -> Diagnostics {
        diags.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
        if diags.len() > MAX_DIAGS {
            let dropped = diags.len() - MAX_DIAGS;
            diags.truncate(MAX_DIAGS);
            let last = &diags[MAX_DIAGS - 1];
            let more = Diag::new(
                &last.file.clone(),
                &last.source.clone(),
                last.span.clone(),
                format!("... and {dropped} more errors not shown"),
                Some("fix the errors above and load again".into()),
            );
            diags.push(more);
        }
        Diagnostics { diags }
    }

    pub fn single(diag: Diag) -> Diagnostics {
        Diagnostics { diags: vec![diag] }
    }

    pub fn len(&self) -> usize {
        self.diags.len()
    }

    pub fn is_empty(&self) -> bool {
        self.diags.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diag> {
        self.diags.iter()
    }

    /// Each diagnostic with its source snippet and the span underlined (miette's graphical
    /// report), separated by blank lines; plain Unicode without colour unless stderr is a
    /// terminal.
    pub fn render_fancy(&self) -> String {
        let theme = if std::io::stderr().is_terminal() {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
        let mut out = String::new();
        for d in &self.diags {
            if handler.render_report(&mut out, &Fancy(d)).is_err() {
                out.push_str(&d.to_string());
                out.push('\n');
            }
        }
        out
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diags.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
            if let Some(help) = &d.help {
                write!(f, "\n  help: {help}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// As a miette diagnostic the list is a header plus one related diagnostic per problem; the
/// CLI should prefer [`Diagnostics::render_fancy`], which avoids repeating the header.
impl Diagnostic for Diagnostics {
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.diags.iter().map(|d| d as &dyn Diagnostic)))
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diag;
    type IntoIter = std::vec::IntoIter<Diag>;
    fn into_iter(self) -> Self::IntoIter {
        self.diags.into_iter()
    }
}

//! Loading a scenario: read (bounded), parse, merge includes, validate.
//!
//! Every failure comes back as [`Diagnostics`] pointing at a file, line and column; nothing
//! here panics on any input. Input is bounded before it can cost memory: files over
//! [`MAX_FILE_BYTES`] are refused unread, and the counts that drive allocation later
//! (vehicles, flow demand, duration) are capped by validation.

#[path = "load/include.rs"]
pub mod include;
#[path = "load/ron_error.rs"]
mod ron_error;
#[path = "load/sumo.rs"]
mod sumo;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::de::DeserializeOwned;

use super::diag::{Diag, Diagnostics};
use super::spec::Spec;
use super::validate::validate;
use include::{Fragment, Origins, SourceFile, merge};

/// Largest scenario or fragment file accepted, bytes (8 MiB).
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Most include entries in one scenario.
pub const MAX_INCLUDES: usize = 16;
/// Largest SUMO file a scenario reads, bytes (256 MiB: a 10,000-edge network from `netconvert`
/// is about 20 MiB).
pub const MAX_SUMO_BYTES: usize = 256 * 1024 * 1024;
// The caps on counts live with the other limits in validation, which enforces them.
pub use super::validate::{MAX_DURATION, MAX_FLOW_VEHICLES, MAX_VEHICLES};

/// A scenario that parsed and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The merged, validated scenario.
    pub spec: Spec,
    /// Display path of the scenario file.
    pub name: String,
    /// Display paths of the included fragments, in include order.
    pub includes: Vec<String>,
    /// Values that are valid but probably not meant (`validate::lint`), located.
    pub warnings: Diagnostics,
}

/// Whether includes may leave the scenario's directory tree (`--allow-include-outside`). Off
/// unless the command line turns it on: a scenario from elsewhere must not be able to make
/// the simulator read (and print) arbitrary files such as `/proc/self/environ`.
static ALLOW_INCLUDE_OUTSIDE: AtomicBool = AtomicBool::new(false);

/// Sets the process-wide include policy (the CLI's `--allow-include-outside`).
pub fn set_allow_include_outside(allow: bool) {
    ALLOW_INCLUDE_OUTSIDE.store(allow, Ordering::Relaxed);
}

fn allow_outside() -> bool {
    ALLOW_INCLUDE_OUTSIDE.load(Ordering::Relaxed)
}

/// Why an include could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncludeError {
    /// The file could not be read (the reason).
    Unreadable(String),
    /// The file is outside the scenario's directory tree: where it really is, and that tree.
    Outside { resolved: String, root: String },
}

/// Loads a scenario file; includes are read from disk relative to it.
pub fn load_file(path: &Path) -> Result<Loaded, Diagnostics> {
    let name = path.display().to_string();
    let src = read_text(path).map_err(|e| {
        let mut d = Diag::whole_file(&name, e.message, None);
        (d.line, d.col) = e.at;
        Diagnostics::single(d)
    })?;
    load_str(&name, &src)
}

/// Loads a scenario from text; `name` is its display path and the base for includes, which
/// are read from disk and must stay inside the directory of `name` (symlinks resolved)
/// unless [`set_allow_include_outside`] allows more.
pub fn load_str(name: &str, src: &str) -> Result<Loaded, Diagnostics> {
    let allow = allow_outside();
    let dir = scenario_dir(name);
    let root = std::fs::canonicalize(&dir).ok();
    let mut resolve =
        |p: &str, limit: usize| read_include(Path::new(p), root.as_deref(), &dir, allow, limit);
    load_inner(name, src, &mut resolve, allow)
}

/// Loads a scenario from text, reading includes through `resolve`, which gets the include's
/// display path (already joined onto the scenario's directory) and returns its text or a
/// reason it cannot. Includes that climb out of the scenario's directory (`..`, absolute
/// paths) are refused before `resolve` is asked, unless [`set_allow_include_outside`] allows.
pub fn load_with(
    name: &str,
    src: &str,
    resolve: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<Loaded, Diagnostics> {
    let mut resolve = |p: &str, limit: usize| match resolve(p) {
        Ok(t) if t.len() > limit => Err(IncludeError::Unreadable(too_big(t.len(), limit))),
        other => other.map_err(IncludeError::Unreadable),
    };
    load_inner(name, src, &mut resolve, allow_outside())
}

/// Reads a file named in a scenario: its display path and the most bytes it may have.
type Resolver<'a> = dyn FnMut(&str, usize) -> Result<String, IncludeError> + 'a;

/// The included fragments, parsed, each with its file.
type Fragments = Vec<(SourceFile, Fragment)>;

fn load_inner(
    name: &str,
    src: &str,
    resolve: &mut Resolver<'_>,
    allow_outside: bool,
) -> Result<Loaded, Diagnostics> {
    // A UTF-8 byte order mark (some Windows editors write one) is not part of the text.
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let source: Arc<str> = Arc::from(src);
    if src.len() > MAX_FILE_BYTES {
        return Err(Diagnostics::single(Diag::whole_file(
            name,
            too_big(src.len(), MAX_FILE_BYTES),
            None,
        )));
    }
    let spec: Spec = parse(name, &source).map_err(Diagnostics::single)?;
    let main = SourceFile::new(name, source.clone());
    if spec.include.len() > MAX_INCLUDES {
        return Err(Diagnostics::single(Diag::new(
            name,
            &source,
            main.span(&format!("include[{MAX_INCLUDES}]")),
            format!(
                "include: {} files included, the limit is {MAX_INCLUDES}",
                spec.include.len()
            ),
            None,
        )));
    }
    let (mut frags, includes) = read_includes(&spec, &main, resolve, allow_outside)?;
    let (sumo, notes) = sumo::read(&spec, &main, &frags, resolve, allow_outside)?;
    frags.splice(0..0, sumo);
    let (spec, origins) = if frags.is_empty() {
        (spec, Origins::single(main))
    } else {
        merge(spec, main, frags)
    };
    let issues = validate(&spec);
    if !issues.is_empty() {
        return Err(Diagnostics::new(
            issues.iter().map(|i| origins.diag(i)).collect(),
        ));
    }
    let mut warnings = notes;
    warnings.extend(
        crate::scenario::validate::lint::warnings(&spec)
            .iter()
            .map(|i| origins.diag(i)),
    );
    let warnings = Diagnostics::new(warnings);
    Ok(Loaded {
        spec,
        name: name.to_string(),
        includes,
        warnings,
    })
}

/// Every included fragment, parsed, and the display paths read; or every problem with them.
fn read_includes(
    spec: &Spec,
    main: &SourceFile,
    resolve: &mut Resolver<'_>,
    allow_outside: bool,
) -> Result<(Fragments, Vec<String>), Diagnostics> {
    let mut errors = Vec::new();
    let mut frags = Vec::new();
    let mut includes = Vec::new();
    for (i, rel) in spec.include.iter().enumerate() {
        let (path, text) = fetch(main, rel, resolve, allow_outside, MAX_FILE_BYTES);
        match text {
            Err(e) => errors.push(include_error(main, i, rel, &path, e)),
            Ok(text) => {
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                let fsrc: Arc<str> = Arc::from(text);
                match parse::<Fragment>(&path, &fsrc) {
                    Ok(f) => frags.push((SourceFile::new(&path, fsrc), f)),
                    Err(d) => errors.push(d),
                }
                includes.push(path);
            }
        }
    }
    if errors.is_empty() {
        Ok((frags, includes))
    } else {
        Err(Diagnostics::new(errors))
    }
}

/// A file the scenario names, `rel` to it: its display path, and its text (at most `limit`
/// bytes) unless it leaves the scenario's tree by its spelling or cannot be read.
fn fetch(
    main: &SourceFile,
    rel: &str,
    resolve: &mut Resolver<'_>,
    allow_outside: bool,
    limit: usize,
) -> (String, Result<String, IncludeError>) {
    let path = join_include(&main.name, rel);
    let text = if !allow_outside && escapes(rel) {
        Err(IncludeError::Outside {
            resolved: path.clone(),
            root: scenario_dir(&main.name).display().to_string(),
        })
    } else {
        resolve(&path, limit)
    };
    (path, text)
}

/// The diagnostic, at `include[i]` of the scenario, for an include that cannot be used.
fn include_error(main: &SourceFile, i: usize, rel: &str, path: &str, e: IncludeError) -> Diag {
    file_error(main, &format!("include[{i}]"), rel, path, e)
}

/// The diagnostic, at `field` of the scenario, for a file it names that cannot be used.
fn file_error(main: &SourceFile, field: &str, rel: &str, path: &str, e: IncludeError) -> Diag {
    let (message, help) = match e {
        IncludeError::Unreadable(e) => (
            format!("{field}: cannot read `{rel}`: {e}"),
            format!(
                "{} paths are relative to this file; resolved to `{path}`",
                kind_of(field)
            ),
        ),
        IncludeError::Outside { resolved, root } => (
            format!(
                "{field}: `{rel}` is outside the scenario's directory (resolved to `{resolved}`)"
            ),
            format!(
                "{} files must stay inside `{root}` and its subfolders (symlinks resolved); \
                 pass `--allow-include-outside` to allow it",
                kind_of(field)
            ),
        ),
    };
    let at = main.span(field);
    Diag::new(&main.name, &main.src, at, message, Some(help))
}

/// What a scenario field names files for: `include` or `sumo`.
fn kind_of(field: &str) -> &str {
    field.split(['[', '.']).next().unwrap_or(field)
}

/// Whether an include path leaves the including file's directory by its spelling alone
/// (absolute, or more `..` than folders).
fn escapes(rel: &str) -> bool {
    let folded = join_include("f", rel);
    rel.starts_with('/') || folded == ".." || folded.starts_with("../")
}

/// The directory of the scenario file `name` (`.` for a bare file name).
fn scenario_dir(name: &str) -> PathBuf {
    match Path::new(name).parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Reads an include from disk once its real path (symlinks resolved) is known to lie under
/// `root`, the scenario's real directory, or `allow` says anywhere will do.
fn read_include(
    path: &Path,
    root: Option<&Path>,
    dir: &Path,
    allow: bool,
    limit: usize,
) -> Result<String, IncludeError> {
    if !allow && let Some(root) = root {
        let real =
            std::fs::canonicalize(path).map_err(|e| IncludeError::Unreadable(e.to_string()))?;
        if !real.starts_with(root) {
            return Err(IncludeError::Outside {
                resolved: real.display().to_string(),
                root: dir.display().to_string(),
            });
        }
    }
    read_text_up_to(path, limit).map_err(|e| IncludeError::Unreadable(e.message))
}

/// Parses RON text as `T`; a syntax or type error becomes a diagnostic in the scenario style
/// (also used for sweep files).
pub fn parse<T: DeserializeOwned>(name: &str, source: &Arc<str>) -> Result<T, Diag> {
    ron::Options::default()
        .from_str::<T>(source)
        .map_err(|e| ron_error::diagnose(name, source, &e))
}

fn too_big(len: usize, limit: usize) -> String {
    let kind = if limit == MAX_FILE_BYTES {
        "scenario"
    } else {
        "SUMO"
    };
    format!(
        "file is {:.1} MiB, larger than the {} MiB limit for {kind} files",
        len as f64 / (1024.0 * 1024.0),
        limit / (1024 * 1024)
    )
}

/// Reads a file as UTF-8 text, refusing anything over [`MAX_FILE_BYTES`] before reading it
/// whole (the `take` also bounds special files whose metadata says nothing).
pub fn read_limited(path: &Path) -> Result<String, String> {
    read_text(path).map_err(|e| e.message)
}

/// Why a file could not be read as text, and where (1-based line and column; 1:1 when the
/// problem is the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub message: String,
    pub at: (usize, usize),
}

impl From<String> for ReadError {
    fn from(message: String) -> Self {
        ReadError {
            message,
            at: (1, 1),
        }
    }
}

/// [`read_limited`] with the position of a UTF-8 error. Only regular files are opened: a FIFO
/// or a device would block or never end, so the type is checked before `open`.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    read_text_up_to(path, MAX_FILE_BYTES)
}

/// [`read_text`] with a size limit of `limit` bytes.
pub fn read_text_up_to(path: &Path, limit: usize) -> Result<String, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.is_dir() {
        return Err("is a directory".to_string().into());
    }
    if !meta.is_file() {
        return Err("not a regular file (a FIFO, socket or device), refused"
            .to_string()
            .into());
    }
    if meta.len() > limit as u64 {
        return Err(too_big(usize::try_from(meta.len()).unwrap_or(usize::MAX), limit).into());
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() > limit {
        return Err(too_big(bytes.len(), limit).into());
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]);
        let (line, col) = super::diag::line_col(&prefix, valid);
        ReadError {
            message: format!("file is not valid UTF-8 at line {line}, column {col}"),
            at: (line, col),
        }
    })
}

/// `rel` joined onto the directory of `base`, with `.` and `..` folded lexically; `/`
/// separated so that embedded names and display paths look the same on every platform.
pub fn join_include(base: &str, rel: &str) -> String {
    let absolute = rel.starts_with('/') || base.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    if !rel.starts_with('/') {
        parts.extend(base.split('/').filter(|p| !p.is_empty() && *p != "."));
        parts.pop(); // the including file's own name
    }
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

#[cfg(test)]
#[path = "load/tests.rs"]
mod tests;

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

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::diag::{Diag, Diagnostics};
use super::spec::Spec;
use super::validate::validate;
use include::{Fragment, Origins, SourceFile, merge};

/// Largest scenario or fragment file accepted, bytes (8 MiB).
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Most include entries in one scenario.
pub const MAX_INCLUDES: usize = 16;
/// Most explicitly placed vehicles (after merging includes).
pub const MAX_VEHICLES: usize = 20_000;
/// Longest simulated time, s (one day).
pub const MAX_DURATION: f64 = 86_400.0;
/// Largest expected number of flow vehicles (sum over flows of `per_hour` x window).
pub const MAX_FLOW_VEHICLES: f64 = 200_000.0;

/// A scenario that parsed and validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// The merged, validated scenario.
    pub spec: Spec,
    /// Display path of the scenario file.
    pub name: String,
    /// Display paths of the included fragments, in include order.
    pub includes: Vec<String>,
}

/// Loads a scenario file; includes are read from disk relative to it.
pub fn load_file(path: &Path) -> Result<Loaded, Diagnostics> {
    let name = path.display().to_string();
    let src =
        read_limited(path).map_err(|e| Diagnostics::single(Diag::whole_file(&name, e, None)))?;
    load_str(&name, &src)
}

/// Loads a scenario from text; `name` is its display path and the base for includes, which
/// are read from disk.
pub fn load_str(name: &str, src: &str) -> Result<Loaded, Diagnostics> {
    load_with(name, src, &mut |p: &str| read_limited(Path::new(p)))
}

/// Loads a scenario from text, reading includes through `resolve`, which gets the include's
/// display path (already joined onto the scenario's directory) and returns its text or a
/// reason it cannot.
pub fn load_with(
    name: &str,
    src: &str,
    resolve: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<Loaded, Diagnostics> {
    let source: Arc<str> = Arc::from(src);
    if src.len() > MAX_FILE_BYTES {
        return Err(Diagnostics::single(Diag::whole_file(
            name,
            too_big(src.len()),
            None,
        )));
    }
    let spec: Spec = parse(name, &source).map_err(Diagnostics::single)?;
    let main = SourceFile::new(name, source.clone());
    let mut errors = Vec::new();
    if spec.include.len() > MAX_INCLUDES {
        errors.push(Diag::new(
            name,
            &source,
            main.span(&format!("include[{MAX_INCLUDES}]")),
            format!(
                "include: {} files included, the limit is {MAX_INCLUDES}",
                spec.include.len()
            ),
            None,
        ));
        return Err(Diagnostics::new(errors));
    }
    let mut frags = Vec::new();
    let mut includes = Vec::new();
    for (i, rel) in spec.include.iter().enumerate() {
        let path = join_include(name, rel);
        let at = main.span(&format!("include[{i}]"));
        let text = match resolve(&path) {
            Ok(t) if t.len() > MAX_FILE_BYTES => Err(too_big(t.len())),
            other => other,
        };
        match text {
            Err(e) => errors.push(Diag::new(
                name,
                &source,
                at,
                format!("include[{i}]: cannot read `{rel}`: {e}"),
                Some(format!(
                    "include paths are relative to this file; resolved to `{path}`"
                )),
            )),
            Ok(text) => {
                let fsrc: Arc<str> = Arc::from(text.as_str());
                match parse::<Fragment>(&path, &fsrc) {
                    Ok(f) => frags.push((SourceFile::new(&path, fsrc), f)),
                    Err(d) => errors.push(d),
                }
                includes.push(path);
            }
        }
    }
    if !errors.is_empty() {
        return Err(Diagnostics::new(errors));
    }
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
    Ok(Loaded {
        spec,
        name: name.to_string(),
        includes,
    })
}

fn parse<T: DeserializeOwned>(name: &str, source: &Arc<str>) -> Result<T, Diag> {
    ron::Options::default()
        .from_str::<T>(source)
        .map_err(|e| ron_error::convert(name, source, &e))
}

fn too_big(len: usize) -> String {
    format!(
        "file is {:.1} MiB, larger than the {} MiB limit for scenario files",
        len as f64 / (1024.0 * 1024.0),
        MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// Reads a file as UTF-8 text, refusing anything over [`MAX_FILE_BYTES`] before reading it
/// whole (the `take` also bounds special files whose metadata says nothing).
pub fn read_limited(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    if let Ok(meta) = file.metadata() {
        if meta.is_dir() {
            return Err("is a directory".into());
        }
        if meta.len() > MAX_FILE_BYTES as u64 {
            return Err(too_big(usize::try_from(meta.len()).unwrap_or(usize::MAX)));
        }
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_big(bytes.len()));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "file is not valid UTF-8 (at byte {})",
            e.utf8_error().valid_up_to()
        )
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

//! Which files `sangam-sim test` runs: paths, directories and globs expanded to scenario files.
//!
//! A directory stands for every `*.ron` file under it, recursively, except those under a
//! directory named `common` (include fragments, not scenarios) or `sweeps` (sweep files). The
//! same rule applies to glob matches. A file named explicitly is always taken. The result is
//! sorted and free of duplicates, so the run order (and every output) does not depend on how
//! the files were named on the command line.
use std::path::{Component, Path, PathBuf};

/// Directory names whose files are never scenarios.
pub const SKIPPED_DIRS: [&str; 2] = ["common", "sweeps"];

fn skipped(p: &Path) -> bool {
    p.components()
        .any(|c| matches!(c, Component::Normal(n) if SKIPPED_DIRS.iter().any(|s| n == *s)))
}

fn is_ron(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "ron")
}

/// `*.ron` files under `dir`, recursively, skipping [`SKIPPED_DIRS`] below `dir`.
fn walk(dir: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<(String, String)>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            return errors.push((
                dir.display().to_string(),
                format!("cannot read directory: {e}"),
            ));
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        let below = p.strip_prefix(dir).unwrap_or(&p);
        if skipped(below) {
            continue;
        }
        if p.is_dir() {
            walk(&p, out, errors);
        } else if is_ron(&p) {
            out.push(p);
        }
    }
}

/// Expand command-line arguments to scenario files; problems (nothing matches, unreadable
/// directory, bad pattern) come back as (argument, message).
pub fn expand(args: &[String]) -> (Vec<PathBuf>, Vec<(String, String)>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        let path = Path::new(arg);
        if path.is_dir() {
            let before = files.len();
            walk(path, &mut files, &mut errors);
            if files.len() == before {
                errors.push((
                    arg.clone(),
                    "no scenario files (*.ron) in this directory".into(),
                ));
            }
        } else if path.exists() {
            files.push(path.to_path_buf());
        } else if arg.contains(['*', '?', '[']) {
            match glob::glob(arg) {
                Err(e) => errors.push((arg.clone(), format!("bad pattern: {e}"))),
                Ok(paths) => {
                    // Only the part the wildcards matched counts for skipping.
                    let fixed: PathBuf = path
                        .components()
                        .take_while(|c| !c.as_os_str().to_string_lossy().contains(['*', '?', '[']))
                        .collect();
                    let mut matched: Vec<PathBuf> = paths
                        .filter_map(Result::ok)
                        .filter(|p| p.is_file() && !skipped(p.strip_prefix(&fixed).unwrap_or(p)))
                        .collect();
                    matched.sort();
                    if matched.is_empty() {
                        errors.push((arg.clone(), "no file matches this pattern".into()));
                    }
                    files.extend(matched);
                }
            }
        } else {
            errors.push((arg.clone(), "no such file or directory".into()));
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_and_sweeps_are_not_scenarios() {
        assert!(skipped(Path::new("scenarios/common/map.ron")));
        assert!(skipped(Path::new("sweeps/a.ron")));
        assert!(!skipped(Path::new("scenarios/commonplace.ron")));
    }
}

//! A run's outputs as one set: every file is staged under a temporary name, then the earlier
//! run's manifest is removed, the files are renamed into place, files of an earlier run that this
//! run did not write are removed, and `manifest.json` is written last, naming each file with its
//! length and FNV-1a hash. A directory holds a complete set exactly when its manifest exists and
//! the files match it; a run killed part-way leaves no manifest, never a manifest beside stale
//! files (docs/testing.md, "Outputs").
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::OutputError;
use super::hash::fnv64_read;
use super::staged::{Staged, remove_stale_temporaries, temp_path};
use super::{json, write_atomic};

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";

/// Every file a run may write into its output directory; those this run does not write are
/// removed so that nothing of an earlier run stays beside the new set.
pub const RUN_FILES: [&str; 7] = [
    "report.json",
    "timing.json",
    "fcd.csv",
    "v2x.csv",
    "fcd.xml",
    "v2x.pcap",
    "report.html",
];

/// One file of a set, as the manifest names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub name: String,
    pub bytes: u64,
    pub fnv1a64: String,
}

/// The manifest: the files of one complete run, in the order written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub files: Vec<ManifestEntry>,
}

/// A set of outputs being assembled in one directory.
#[derive(Debug)]
pub struct OutputSet {
    dir: PathBuf,
    staged: Vec<Staged>,
}

impl OutputSet {
    /// Open `dir` (created if missing) for a new set, clearing dead runs' temporaries from it.
    pub fn open(dir: &Path) -> Result<Self, OutputError> {
        fs::create_dir_all(dir).map_err(|source| OutputError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        remove_stale_temporaries(dir);
        Ok(OutputSet {
            dir: dir.to_path_buf(),
            staged: Vec::new(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stage `bytes` as `name`.
    pub fn stage_bytes(&mut self, name: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let dst = self.dir.join(name);
        let tmp = temp_path(&dst);
        let staged = Staged::new(tmp, dst);
        write_synced(staged.tmp(), bytes).map_err(|source| OutputError::Write {
            path: staged.dst().to_path_buf(),
            source,
        })?;
        self.staged.push(staged);
        Ok(())
    }

    /// Add a file staged elsewhere (the trace writer's).
    pub fn adopt(&mut self, staged: Staged) {
        self.staged.push(staged);
    }

    /// Put the set in place; returns the files, manifest last. On failure no manifest exists and
    /// every temporary is gone.
    pub fn commit(self) -> Result<Vec<PathBuf>, OutputError> {
        let manifest_path = self.dir.join(MANIFEST);
        let before = previous_files(&manifest_path);
        remove_if_present(&manifest_path)?;
        let entries = self
            .staged
            .iter()
            .map(entry)
            .collect::<Result<Vec<_>, _>>()?;
        let mut written = Vec::new();
        for staged in self.staged {
            let dst = staged.dst().to_path_buf();
            written.push(
                staged
                    .into_place()
                    .map_err(|source| OutputError::Write { path: dst, source })?,
            );
        }
        remove_others(&self.dir, &entries, &before)?;
        let manifest = Manifest {
            format: 1,
            files: entries,
        };
        write_atomic(&manifest_path, &json(&manifest)).map_err(|source| OutputError::Write {
            path: manifest_path.clone(),
            source,
        })?;
        written.push(manifest_path);
        Ok(written)
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

fn entry(staged: &Staged) -> Result<ManifestEntry, OutputError> {
    let read_err = |source| OutputError::Read {
        path: staged.tmp().to_path_buf(),
        source,
    };
    let (fnv1a64, bytes) =
        fnv64_read(fs::File::open(staged.tmp()).map_err(read_err)?).map_err(|source| {
            OutputError::Read {
                path: staged.tmp().to_path_buf(),
                source,
            }
        })?;
    let name = staged
        .dst()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(ManifestEntry {
        name,
        bytes,
        fnv1a64,
    })
}

fn remove_if_present(path: &Path) -> Result<(), OutputError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(OutputError::Remove {
            path: path.to_path_buf(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Remove the run files this set does not contain (an earlier run's traces, say).
/// Files of the set before (named in its manifest), as plain names inside the directory: a
/// manifest naming anything else is not ours to act on.
fn previous_files(manifest: &Path) -> Vec<String> {
    let Ok(text) = fs::read_to_string(manifest) else {
        return Vec::new();
    };
    let Ok(m) = serde_json::from_str::<Manifest>(&text) else {
        return Vec::new();
    };
    let plain = |n: &str| {
        let p = Path::new(n);
        p.components().count() == 1
            && matches!(p.components().next(), Some(std::path::Component::Normal(_)))
            && n != MANIFEST
    };
    m.files
        .into_iter()
        .map(|e| e.name)
        .filter(|n| plain(n))
        .collect()
}

/// Remove what an earlier set left that this one did not write: the files any run may write,
/// and those the earlier set's manifest named (a suite's pages).
fn remove_others(
    dir: &Path,
    entries: &[ManifestEntry],
    before: &[String],
) -> Result<(), OutputError> {
    let names = RUN_FILES
        .iter()
        .copied()
        .chain(before.iter().map(String::as_str));
    for name in names {
        if !entries.iter().any(|e| e.name == name) {
            remove_if_present(&dir.join(name))?;
        }
    }
    Ok(())
}

/// Read `dir`'s manifest and check every file it names against it: `Ok(None)` when there is no
/// manifest (no complete set), an error naming the first file that does not match.
pub fn verify(dir: &Path) -> Result<Option<Manifest>, String> {
    let path = dir.join(MANIFEST);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not a manifest: {e}", path.display()))?;
    for e in &manifest.files {
        let file = dir.join(&e.name);
        let found = fs::File::open(&file).and_then(fnv64_read);
        if !matches!(&found, Ok((h, n)) if *h == e.fnv1a64 && *n == e.bytes) {
            return Err(format!(
                "{} does not match {}",
                file.display(),
                path.display()
            ));
        }
    }
    Ok(Some(manifest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_set_replaces_the_old_one_whole() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = OutputSet::open(dir.path()).unwrap();
        first.stage_bytes("report.json", b"{\"a\":1}\n").unwrap();
        first.stage_bytes("fcd.csv", b"time\n").unwrap();
        first.commit().unwrap();
        assert_eq!(verify(dir.path()).unwrap().unwrap().files.len(), 2);
        let mut second = OutputSet::open(dir.path()).unwrap();
        second.stage_bytes("report.json", b"{\"a\":2}\n").unwrap();
        let files = second.commit().unwrap();
        assert_eq!(files.last(), Some(&dir.path().join(MANIFEST)));
        assert!(
            !dir.path().join("fcd.csv").exists(),
            "earlier trace left behind"
        );
        let m = verify(dir.path()).unwrap().unwrap();
        assert_eq!(m.files[0].name, "report.json");
        assert_eq!(m.files[0].bytes, 8);
    }

    #[test]
    fn an_abandoned_set_leaves_nothing_and_a_changed_file_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let mut set = OutputSet::open(dir.path()).unwrap();
        set.stage_bytes("report.json", b"{}\n").unwrap();
        drop(set);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        let mut set = OutputSet::open(dir.path()).unwrap();
        set.stage_bytes("report.json", b"{}\n").unwrap();
        set.commit().unwrap();
        fs::write(dir.path().join("report.json"), b"{ }\n").unwrap();
        assert!(
            verify(dir.path())
                .unwrap_err()
                .contains("report.json does not match")
        );
    }
}

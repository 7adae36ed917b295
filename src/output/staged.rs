//! Files written under a temporary name beside their destination, and the clean-up of
//! temporaries that earlier runs, killed before they could remove them, left behind.
//!
//! Temporary names are `.<name>.<pid>.<n>.tmp`: hidden, in the destination's directory (so the
//! final rename stays on one file system and is atomic), with the writing process's id so a later
//! run can tell a dead writer's leftovers from a live one's.
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Distinguishes temporary files of concurrent writers in one process.
static NEXT_TMP: AtomicU64 = AtomicU64::new(0);

/// Extensions of the files sangam-sim writes; a temporary is only ever recognised as ours when
/// the name inside it has one of them.
const OUR_EXTENSIONS: [&str; 7] = ["json", "csv", "xml", "svg", "txt", "html", "pcap"];

/// The temporary name for a file about to be written to `dst`.
pub fn temp_path(dst: &Path) -> PathBuf {
    let dir = dst.parent().unwrap_or(Path::new("."));
    let name = dst
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = NEXT_TMP.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()))
}

/// A file fully written under its temporary name, waiting to be renamed into place. Dropping it
/// without [`Staged::into_place`] removes the temporary: an abandoned run leaves nothing.
#[derive(Debug)]
pub struct Staged {
    tmp: PathBuf,
    dst: PathBuf,
}

impl Staged {
    /// Take over `tmp`, already written and synced, destined for `dst`.
    pub fn new(tmp: PathBuf, dst: PathBuf) -> Self {
        Staged { tmp, dst }
    }
    pub fn tmp(&self) -> &Path {
        &self.tmp
    }
    pub fn dst(&self) -> &Path {
        &self.dst
    }
    /// Rename into place; on failure the temporary is removed.
    pub fn into_place(mut self) -> std::io::Result<PathBuf> {
        let result = fs::rename(&self.tmp, &self.dst);
        let dst = std::mem::take(&mut self.dst);
        if result.is_ok() {
            self.tmp = PathBuf::new();
        }
        result.map(|_| dst)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// The process id inside one of our temporary names, if `file_name` is one.
fn writer_pid(file_name: &str) -> Option<u32> {
    let inner = file_name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let mut parts = inner.rsplit('.');
    let last = parts.next()?;
    let before = parts.next()?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (pid, name_end) = if digits(last) && digits(before) {
        (before, parts.next()?)
    } else if digits(last) {
        (last, before)
    } else {
        return None;
    };
    OUR_EXTENSIONS
        .contains(&name_end)
        .then(|| pid.parse().ok())
        .flatten()
}

/// True when process `pid` is certainly gone. Without `/proc` (not Linux) nothing is certain,
/// and nothing is removed.
fn is_dead(pid: u32) -> bool {
    pid != std::process::id()
        && Path::new("/proc/self").exists()
        && !Path::new("/proc").join(pid.to_string()).exists()
}

/// Remove, from `dir`, temporaries of ours whose writer has died (a run killed mid-write leaves
/// them: up to hundreds of MB of traces). Files not named like ours, and those of live writers,
/// are never touched. Returns the files removed.
pub fn remove_stale_temporaries(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let ours_and_dead = writer_pid(&name).is_some_and(is_dead);
        let is_file = entry.file_type().is_ok_and(|t| t.is_file());
        if ours_and_dead && is_file && fs::remove_file(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed.sort();
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_only_our_temporaries() {
        assert_eq!(writer_pid(".fcd.csv.1234.5.tmp"), Some(1234));
        assert_eq!(writer_pid(".report.json.77.tmp"), Some(77));
        assert_eq!(writer_pid(".notes.md.1234.5.tmp"), None);
        assert_eq!(writer_pid("fcd.csv.1234.tmp"), None);
        assert_eq!(writer_pid(".fcd.csv.tmp"), None);
        assert_eq!(writer_pid(".12.34.tmp"), None);
    }

    #[test]
    fn dead_writers_temporaries_go_live_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        // Pids above the kernel's pid_max (4194304 at most) never run.
        let dead = dir.path().join(".v2x.csv.4294967.0.tmp");
        let live = dir
            .path()
            .join(format!(".v2x.csv.{}.0.tmp", std::process::id()));
        let foreign = dir.path().join(".v2x.csv.bak");
        for f in [&dead, &live, &foreign] {
            fs::write(f, b"x").unwrap();
        }
        assert_eq!(remove_stale_temporaries(dir.path()), vec![dead.clone()]);
        assert!(!dead.exists() && live.exists() && foreign.exists());
    }

    #[test]
    fn dropping_a_staged_file_removes_its_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let dst = dir.path().join("a.json");
        let tmp = temp_path(&dst);
        fs::write(&tmp, b"{}").unwrap();
        drop(Staged::new(tmp.clone(), dst.clone()));
        assert!(!tmp.exists() && !dst.exists());
        let tmp = temp_path(&dst);
        fs::write(&tmp, b"{}").unwrap();
        assert_eq!(
            Staged::new(tmp.clone(), dst.clone()).into_place().unwrap(),
            dst
        );
        assert!(!tmp.exists() && dst.exists());
    }
}

//! What can go wrong with the files of a run, a sweep or a merge: always the path or the input
//! that failed, and what to do. The one error type of everything that reads and writes outputs
//! (scenario input has its own positioned diagnostics in `scenario::diag`); the command line
//! prints it the same way everywhere (`error:` then `help:`) and exits 2.
use std::path::PathBuf;

/// An output could not be written, committed or read back.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot create the output directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot remove the earlier run's {path}: {source}")]
    Remove {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file we wrote earlier (a shard's plan or result) no longer parses.
    #[error("{path} is damaged: {problem}")]
    Damaged { path: PathBuf, problem: String },
    /// Directories that are not shards of one sweep, or that together miss points.
    #[error("{0}")]
    Shards(String),
    /// An output directory holds something that is not ours.
    #[error("{path} exists and is not a sweep directory")]
    Foreign { path: PathBuf },
    /// A result could not be encoded (JUnit XML, a plot).
    #[error("cannot encode {what}: {problem}")]
    Encode { what: String, problem: String },
    /// A trace whose run never finished (it panicked or was stopped): nothing of it is kept.
    #[error("the trace was abandoned: its run did not finish")]
    Abandoned,
    /// A thread that writes outputs could not start.
    #[error("cannot start the {what}: {source}")]
    Thread {
        what: &'static str,
        source: std::io::Error,
    },
}

impl OutputError {
    /// What the user can do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            OutputError::CreateDir { .. } => {
                "choose an --out directory you can create (its parent must be a directory you can write)"
            }
            OutputError::Write { .. } | OutputError::Remove { .. } => {
                "check that the directory is writable and the disk has room; nothing of this run was left behind"
            }
            OutputError::Read { .. } => "check that the file exists and is readable",
            OutputError::Damaged { .. } => "re-run the shard or sweep that wrote it",
            OutputError::Shards(_) => {
                "merge the directories of one sweep (same sweep file, base and includes), every shard finished"
            }
            OutputError::Foreign { .. } => "choose another --out, or an empty or sweep directory",
            OutputError::Encode { .. } => {
                "this is a bug in sangam-sim; please report it with the scenario"
            }
            OutputError::Abandoned => {
                "see the run's own error; nothing of the trace was left behind"
            }
            OutputError::Thread { .. } => {
                "the system is out of threads or memory; try fewer jobs (-j)"
            }
        }
    }

    /// `Write` for `path`, as a closure for `map_err`.
    pub fn write(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
        move |source| OutputError::Write {
            path: path.to_path_buf(),
            source,
        }
    }

    /// `Read` for `path`, as a closure for `map_err`.
    pub fn read(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
        move |source| OutputError::Read {
            path: path.to_path_buf(),
            source,
        }
    }
}

//! What can go wrong writing a run's outputs: always the path that failed and what to do.
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
        }
    }
}

//! `--isolation` and `--memory-limit`, shared by `test` and `sweep`, and the hidden worker
//! subcommand they re-execute the binary with.
use clap::{Args, ValueEnum};

use crate::runner::worker::{Isolation, ProcessLimits};

/// Default address-space limit of a worker process, MiB. Every library scenario runs within
/// 96 MiB of address space (measured, docs/testing.md): this leaves room for maps and fleets
/// tens of times larger and stops a runaway allocation long before the machine swaps.
pub const DEFAULT_MEMORY_LIMIT_MIB: u64 = 4096;

/// How each run is kept apart from the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Each run in its own worker process: an abort, a hang or a runaway allocation is that
    /// run's error.
    Process,
    /// Each run on a thread of this process: panics are caught, anything worse stops everything.
    Thread,
}

#[derive(Args, Debug)]
pub struct IsolationArgs {
    /// Where each run happens.
    #[arg(long, value_enum, default_value_t = Mode::Process)]
    pub isolation: Mode,
    /// Address-space limit of each worker process, MiB (0: none; default 4096).
    #[arg(long, value_name = "MIB")]
    pub memory_limit: Option<u64>,
}

impl IsolationArgs {
    /// The isolation asked for, or why it cannot be had.
    pub fn isolation(&self) -> Result<Isolation, String> {
        match (self.isolation, self.memory_limit) {
            (Mode::Thread, Some(_)) => Err(
                "--memory-limit needs worker processes; drop it or use --isolation process".into(),
            ),
            (Mode::Thread, None) => Ok(Isolation::Thread),
            (Mode::Process, limit) => {
                let exe = std::env::current_exe()
                    .map_err(|e| format!("cannot find this program to start workers: {e}"))?;
                let mib = limit.unwrap_or(DEFAULT_MEMORY_LIMIT_MIB);
                let memory_bytes = match mib {
                    0 => None,
                    m => Some(m.checked_mul(1 << 20).ok_or_else(|| {
                        format!("--memory-limit {m} MiB is more than this machine can address")
                    })?),
                };
                Ok(Isolation::Process(ProcessLimits { exe, memory_bytes }))
            }
        }
    }
}

/// The worker subcommand's arguments (set by the parent, not by people).
#[derive(Args, Debug)]
pub struct WorkerArgs {
    #[arg(long)]
    pub memory_limit_bytes: Option<u64>,
}

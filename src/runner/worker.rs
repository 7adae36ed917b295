//! Process isolation: each run in a child process, the binary re-executing itself (as nextest
//! runs each test), so that a run which aborts, loops inside a step or eats memory ends as an
//! error of its own while the other runs finish.
//!
//! The parent writes the [`Job`] as RON to the child's stdin (RON's floats round-trip exactly,
//! so the child runs the very spec the parent loaded) and reads the child's [`JobEnd`] back
//! from its stdout after a marker line. The child limits its own address space
//! (`RLIMIT_AS`) before it reads the job. A watchdog kills the child if it has not answered
//! by the wall-time limit plus a grace: the run itself stops at the first step boundary past the
//! limit and reports how far it got, so the kill is for a step that never returns.
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crossbeam::channel::{RecvTimeoutError, bounded};

use super::job::{Job, JobEnd, JobResult, WORKER, run_job};

/// The hidden subcommand that makes the binary a worker.
pub const WORKER_COMMAND: &str = "__worker";
/// Marks the start of the result on the worker's stdout.
const RESULT_MARKER: &str = "\n--- sangam-sim worker result ---\n";
/// Most of a worker's stderr kept for the error message (its end).
const STDERR_TAIL: usize = 16 << 10;
/// What Rust's allocator prints when an allocation fails, before it aborts.
const ALLOC_FAILED: &str = "memory allocation of ";

/// How each run is isolated from the others.
#[derive(Debug, Clone)]
pub enum Isolation {
    /// On a thread of this process: panics are caught; an abort or a hang takes the process.
    Thread,
    /// In a child process with these limits.
    Process(ProcessLimits),
}

/// Limits of a worker process.
#[derive(Debug, Clone)]
pub struct ProcessLimits {
    /// The binary to re-execute (this one).
    pub exe: PathBuf,
    /// Address-space limit, bytes (`None`: unlimited).
    pub memory_bytes: Option<u64>,
}

/// Time the watchdog allows past the run's own limit before it kills: the run stops itself at
/// the first step boundary past the limit and still has to write its report back.
fn grace(limit: Duration) -> Duration {
    Duration::from_secs(1) + limit / 10
}

/// Run `job` in a child process and say how it ended; the wall time includes the process.
pub fn run_in_process(job: &Job, limits: &ProcessLimits) -> JobResult {
    let started = Instant::now();
    let (end, page) = match spawn(job, limits) {
        Ok(child) => supervise(child, job.timeout, limits, started),
        Err(e) => (
            JobEnd::Crashed(format!("cannot start a worker process: {e}")),
            None,
        ),
    };
    JobResult {
        end,
        wall_s: started.elapsed().as_secs_f64(),
        page,
    }
}

/// Start the worker and hand it the job.
fn spawn(job: &Job, limits: &ProcessLimits) -> std::io::Result<Child> {
    let mut cmd = Command::new(&limits.exe);
    cmd.arg(WORKER_COMMAND);
    if let Some(bytes) = limits.memory_bytes {
        cmd.arg("--memory-limit-bytes").arg(bytes.to_string());
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let text = ron::to_string(job).map_err(std::io::Error::other)?;
    // The worker reads all of stdin before anything else; closing it marks the end.
    if let Some(mut stdin) = child.stdin.take()
        && let Err(e) = stdin.write_all(text.as_bytes())
    {
        let _ = child.kill();
        let _ = child.wait();
        return Err(e);
    }
    Ok(child)
}

/// Wait for the worker's answer, killing it at the limit plus grace; then judge how it ended.
fn supervise(
    mut child: Child,
    limit: Option<Duration>,
    limits: &ProcessLimits,
    started: Instant,
) -> (JobEnd, Option<String>) {
    let stdout = child.stdout.take().map(drain);
    let stderr = child.stderr.take().map(drain);
    let answer = match (&stdout, limit) {
        (Some(rx), Some(limit)) => {
            let wait = (limit + grace(limit)).saturating_sub(started.elapsed());
            match rx.recv_timeout(wait) {
                Ok(out) => Some(out),
                Err(RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return (JobEnd::Killed(limit, started.elapsed()), None);
                }
                Err(RecvTimeoutError::Disconnected) => None,
            }
        }
        (Some(rx), None) => rx.recv().ok(),
        (None, _) => None,
    };
    let out = answer.unwrap_or_default();
    let err = stderr.and_then(|rx| rx.recv().ok()).unwrap_or_default();
    match child.wait() {
        Ok(status) => judge(status, &out, &err, limits.memory_bytes),
        Err(e) => (
            JobEnd::Crashed(format!("cannot wait for the worker process: {e}")),
            None,
        ),
    }
}

/// Read a pipe to its end on a thread of its own; the bytes arrive on the channel.
fn drain(mut pipe: impl Read + Send + 'static) -> crossbeam::channel::Receiver<Vec<u8>> {
    let (tx, rx) = bounded(1);
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        let _ = tx.send(buf);
    });
    rx
}

/// The run's end (and page, if any) from the worker's exit status and output.
fn judge(
    status: ExitStatus,
    out: &[u8],
    err: &[u8],
    memory_bytes: Option<u64>,
) -> (JobEnd, Option<String>) {
    let out = String::from_utf8_lossy(out);
    if status.success()
        && let Some((_, text)) = out.rsplit_once(RESULT_MARKER)
    {
        return ron::from_str(text).unwrap_or_else(|e| {
            let why = format!("the worker's answer does not parse: {e}");
            (JobEnd::Crashed(why), None)
        });
    }
    (crashed(status, err, memory_bytes), None)
}

/// How a worker that gave no answer ended.
fn crashed(status: ExitStatus, err: &[u8], memory_bytes: Option<u64>) -> JobEnd {
    let stderr_end = String::from_utf8_lossy(&err[err.len().saturating_sub(STDERR_TAIL)..]);
    let tail = last_words(&stderr_end);
    if stderr_end.contains(ALLOC_FAILED) {
        let limit =
            memory_bytes.map_or("no limit".into(), |b| format!("a limit of {} MiB", b >> 20));
        return JobEnd::OutOfMemory(format!("out of memory ({limit}): {tail}"));
    }
    let how = match (signal(status), status.code()) {
        (Some(sig), _) => format!("was killed by signal {sig}{}", signal_name(sig)),
        (None, Some(code)) => format!("exited with code {code} and no result"),
        (None, None) => format!("ended ({status}) with no result"),
    };
    JobEnd::Crashed(if tail.is_empty() {
        format!("crashed: the worker process {how}")
    } else {
        format!("crashed: the worker process {how}: {tail}")
    })
}

/// The line of the worker's stderr (its last [`STDERR_TAIL`] bytes) that says what happened:
/// the last non-empty one before a backtrace.
fn last_words(stderr_end: &str) -> String {
    let before_trace = stderr_end.split("stack backtrace:").next().unwrap_or("");
    before_trace
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("note:"))
        .unwrap_or("")
        .to_string()
}

#[cfg(unix)]
fn signal(status: ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(&status)
}

#[cfg(not(unix))]
fn signal(_: ExitStatus) -> Option<i32> {
    None
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        4 => " (SIGILL)",
        6 => " (SIGABRT)",
        7 => " (SIGBUS)",
        8 => " (SIGFPE)",
        9 => " (SIGKILL)",
        11 => " (SIGSEGV)",
        15 => " (SIGTERM)",
        _ => "",
    }
}

/// The worker's side: limit memory, read the job from stdin, run it on a worker thread (whose
/// panics are captured into the result) and write the result to stdout. Exit 0 with a result,
/// 2 if the job cannot be read.
pub fn serve(memory_bytes: Option<u64>) -> i32 {
    if let Some(bytes) = memory_bytes
        && let Err(e) = limit_address_space(bytes)
    {
        eprintln!("error: cannot set the memory limit: {e}");
        return 2;
    }
    let mut text = String::new();
    if let Err(e) = std::io::stdin().read_to_string(&mut text) {
        eprintln!("error: cannot read the job: {e}");
        return 2;
    }
    let job: Job = match ron::from_str(&text) {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: the job does not parse: {e}");
            return 2;
        }
    };
    let runner = std::thread::Builder::new()
        .name(format!("{WORKER}-process"))
        .spawn(move || {
            let r = run_job(job);
            (r.end, r.page)
        });
    let answered = match runner.map(|h| h.join()) {
        Ok(Ok(answered)) => answered,
        _ => (
            JobEnd::Crashed("the worker thread could not run".into()),
            None,
        ),
    };
    answer(&answered)
}

/// Write the result (how the run ended, and its page if asked for) after the marker.
fn answer(end: &(JobEnd, Option<String>)) -> i32 {
    let text = match ron::to_string(end) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot write the result: {e}");
            return 2;
        }
    };
    let mut out = std::io::stdout().lock();
    match write!(out, "{RESULT_MARKER}{text}").and_then(|_| out.flush()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: cannot write the result: {e}");
            2
        }
    }
}

/// Limit this process's address space: past it, allocation fails and the run aborts with
/// Rust's "memory allocation of N bytes failed", which the parent reports as out of memory.
#[cfg(unix)]
fn limit_address_space(bytes: u64) -> std::io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: setrlimit only reads the struct passed by reference and changes this process's
    // own limit; no memory is shared with it.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(unix))]
fn limit_address_space(_: u64) -> std::io::Result<()> {
    Err(std::io::Error::other(
        "memory limits need a Unix system; use --memory-limit 0",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watchdog_waits_a_grace_past_the_limit() {
        assert_eq!(grace(Duration::from_secs(10)), Duration::from_secs(2));
        assert_eq!(grace(Duration::ZERO), Duration::from_secs(1));
    }

    #[test]
    fn the_last_words_come_before_any_backtrace() {
        let err = "x\nmemory allocation of 67108864 bytes failed\n\n";
        assert_eq!(
            last_words(err),
            "memory allocation of 67108864 bytes failed"
        );
        let traced =
            "thread 'x' panicked at a.rs:1:2:\nboom\nstack backtrace:\n   0: f\nnote: Some details";
        assert_eq!(last_words(traced), "boom");
        assert_eq!(last_words(""), "");
    }
}

//! Helper threads kept for the whole run, so that handing a chunk of a step's work to another
//! core costs about a microsecond instead of a thread's start.
//!
//! Measured on the 2-core test machine (a VM): starting a scoped thread and joining it costs
//! 66-78 µs, and so does waking a parked thread (a channel round trip after a pause: 65 µs);
//! a thread that is already spinning answers in 0.11 µs. So a helper, once its chunk is done,
//! keeps watching for the next one for [`SPIN`] (long enough to span the serial part of a
//! step), and only then parks. This is the policy of OpenMP runtimes (libgomp spins before it
//! sleeps, `GOMP_SPINCOUNT`) and of rayon. A world given one thread never starts a helper.
//!
//! Every thread that steps a world has its own helpers (thread-local), so worlds run in
//! parallel by `sweep` or `test` never share or wait for each other's; they stop and are joined
//! when that thread ends.
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long an idle helper watches for its next chunk before it parks. A step of the default
/// scenario takes ~0.6 ms and a step of `bench --v2x on` a few ms, so 2 ms keeps a helper
/// awake between a step's parallel parts and lets it sleep once the world stops splitting.
pub const SPIN: Duration = Duration::from_millis(2);

/// Busy-wait iterations before an idle thread starts yielding its core between checks (a few
/// microseconds: handing over is then a cache-line transfer; yielding lets a thread that shares
/// the core, when there are more threads than cores, get on).
const SPIN_BEFORE_YIELD: u32 = 2_000;

/// One chunk's work: called with the chunk's index.
type Task = dyn Fn(usize) + Sync;

/// A task with its lifetime erased, so that a helper that outlives this call can hold it.
/// [`run`] does not return before every helper is done with it.
#[derive(Clone, Copy)]
struct TaskRef(*const Task);

// SAFETY: the pointee is `Sync`, and it is only dereferenced while `run` keeps it alive.
unsafe impl Send for TaskRef {}

type Panic = Box<dyn Any + Send>;

/// What the stepping thread and one helper share.
#[derive(Default)]
struct Slot {
    /// Bumped once for every chunk posted to this helper.
    posted: AtomicU64,
    /// Set to `posted` when the helper has finished that chunk.
    done: AtomicU64,
    /// The helper is (about to be) parked: the poster must unpark it.
    parked: AtomicBool,
    stop: AtomicBool,
    task: Mutex<Option<(TaskRef, usize)>>,
    panic: Mutex<Option<Panic>>,
}

/// A lock that a panic elsewhere cannot poison for us (the data is a plain hand-over cell).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

struct Helper {
    slot: Arc<Slot>,
    thread: Option<JoinHandle<()>>,
}

impl Helper {
    fn start() -> Option<Helper> {
        let slot = Arc::new(Slot::default());
        let theirs = Arc::clone(&slot);
        let thread = thread::Builder::new()
            .name("sangam-helper".into())
            .spawn(move || serve(&theirs))
            .ok()?;
        Some(Helper {
            slot,
            thread: Some(thread),
        })
    }

    fn post(&self, task: TaskRef, index: usize) {
        *lock(&self.slot.task) = Some((task, index));
        self.slot.posted.fetch_add(1, Ordering::SeqCst);
        self.wake();
    }

    fn wake(&self) {
        if self.slot.parked.load(Ordering::SeqCst)
            && let Some(t) = &self.thread
        {
            t.thread().unpark();
        }
    }

    /// Wait for the posted chunk; its panic, if it panicked.
    fn wait(&self) -> Option<Panic> {
        let posted = self.slot.posted.load(Ordering::Relaxed);
        let mut spins = 0u32;
        while self.slot.done.load(Ordering::Acquire) != posted {
            idle(&mut spins);
        }
        lock(&self.slot.panic).take()
    }
}

impl Drop for Helper {
    fn drop(&mut self) {
        self.slot.stop.store(true, Ordering::SeqCst);
        self.slot.posted.fetch_add(1, Ordering::SeqCst);
        self.wake();
        if let Some(t) = self.thread.take() {
            // A helper catches its tasks' panics, so it can only end by returning.
            let _ = t.join();
        }
    }
}

/// One turn of a busy wait: spin first, then yield the core.
fn idle(spins: &mut u32) {
    *spins = spins.saturating_add(1);
    if *spins < SPIN_BEFORE_YIELD {
        std::hint::spin_loop();
    } else {
        thread::yield_now();
    }
}

thread_local! {
    /// This thread's helpers (none until it first splits work).
    static HELPERS: RefCell<Vec<Helper>> = const { RefCell::new(Vec::new()) };
    /// This thread is a helper: work it is given is not split again.
    static IS_HELPER: Cell<bool> = const { Cell::new(false) };
}

/// A helper's life: wait for a chunk, do it, report, until told to stop.
fn serve(slot: &Slot) {
    IS_HELPER.set(true);
    let mut seen = 0;
    loop {
        seen = next_post(slot, seen);
        if slot.stop.load(Ordering::SeqCst) {
            return;
        }
        if let Some((task, index)) = lock(&slot.task).take() {
            // SAFETY: `run` keeps the task alive until `done` says this chunk is finished.
            let task = unsafe { &*task.0 };
            if let Err(p) = panic::catch_unwind(AssertUnwindSafe(|| task(index))) {
                *lock(&slot.panic) = Some(p);
            }
        }
        slot.done.store(seen, Ordering::Release);
    }
}

/// Wait until something new is posted after `seen`: watch for [`SPIN`], then park.
fn next_post(slot: &Slot, seen: u64) -> u64 {
    let since = Instant::now();
    let mut spins = 0u32;
    loop {
        let posted = slot.posted.load(Ordering::Acquire);
        if posted != seen {
            return posted;
        }
        idle(&mut spins);
        if (spins >= SPIN_BEFORE_YIELD || spins.is_multiple_of(64)) && since.elapsed() > SPIN {
            // Announce the nap, then look once more: a poster either sees `parked` and unparks,
            // or posted before this load (both SeqCst), so no post is slept through.
            slot.parked.store(true, Ordering::SeqCst);
            while slot.posted.load(Ordering::SeqCst) == seen {
                thread::park();
            }
            slot.parked.store(false, Ordering::SeqCst);
        }
    }
}

/// `task(i)` for every `i` in `0..n`: chunk 0 on this thread, the others on its helpers (on
/// this thread too if a helper cannot be started, or when called from a helper). Returns when
/// all are done; a panic in any chunk is resumed here after every chunk has finished.
pub fn run(n: usize, task: &(dyn Fn(usize) + Sync)) {
    if n <= 1 || IS_HELPER.get() {
        (0..n).for_each(task);
        return;
    }
    HELPERS.with(|cell| match cell.try_borrow_mut() {
        Ok(mut helpers) => run_on(&mut helpers, n, task),
        // Called again from inside one of this thread's own chunks: no helpers to spare.
        Err(_) => (0..n).for_each(task),
    });
}

fn run_on<'a>(helpers: &mut Vec<Helper>, n: usize, task: &'a (dyn Fn(usize) + Sync + 'a)) {
    while helpers.len() < n - 1 {
        match Helper::start() {
            Some(h) => helpers.push(h),
            None => break,
        }
    }
    let used = &helpers[..helpers.len().min(n - 1)];
    let erased: *const (dyn Fn(usize) + Sync + 'a) = task;
    // SAFETY: only the lifetime changes; every helper given it is waited for below, whatever
    // happens on this thread.
    let erased = TaskRef(unsafe {
        std::mem::transmute::<*const (dyn Fn(usize) + Sync + 'a), *const Task>(erased)
    });
    for (i, h) in used.iter().enumerate() {
        h.post(erased, i + 1);
    }
    let mine = panic::catch_unwind(AssertUnwindSafe(|| {
        task(0);
        (used.len() + 1..n).for_each(task);
    }));
    let mut panicked = mine.err();
    for h in used {
        let theirs = h.wait();
        panicked = panicked.or(theirs);
    }
    if let Some(p) = panicked {
        panic::resume_unwind(p);
    }
}

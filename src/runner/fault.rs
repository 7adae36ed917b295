//! Test hooks: a fault injected into one named scenario's run, so that the test suite can show
//! that a run which panics, aborts, never returns or eats memory is reported as an error while
//! the other scenarios finish. They have no other use, and do nothing unless the variable is set.
//!
//! `SANGAM_SIM_TEST_FAULT=NAME:KIND[,NAME:KIND...]` with KIND one of `panic`, `abort`, `hang`,
//! `alloc`: the run of the scenario whose `name` is NAME hits that fault before its first step.

/// The variable that arms the hooks.
pub const TEST_FAULT_ENV: &str = "SANGAM_SIM_TEST_FAULT";

/// Largest amount the `alloc` hook takes before giving up: far above any memory limit a test
/// sets, so that reaching it means the limit did not work.
const ALLOC_CAP: usize = 64 << 30;
/// Size of each block the `alloc` hook takes and touches.
const ALLOC_BLOCK: usize = 64 << 20;

/// A fault to inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Panic (unwinds; caught like any panic in a run).
    Panic,
    /// Abort the process (no unwinding, as a failed allocation or a stack overflow does).
    Abort,
    /// Never return (as a loop inside a step would): only a watchdog can stop it.
    Hang,
    /// Allocate and touch memory until allocation fails.
    Alloc,
}

/// The fault armed for scenario `name`, if any.
pub fn armed(name: &str) -> Option<Fault> {
    armed_in(&std::env::var(TEST_FAULT_ENV).ok()?, name)
}

/// The fault that the variable's value `spec` arms for scenario `name`.
fn armed_in(spec: &str, name: &str) -> Option<Fault> {
    spec.split(',').find_map(|item| {
        let (n, kind) = item.rsplit_once(':')?;
        (n == name).then_some(())?;
        match kind {
            "panic" => Some(Fault::Panic),
            "abort" => Some(Fault::Abort),
            "hang" => Some(Fault::Hang),
            "alloc" => Some(Fault::Alloc),
            _ => None,
        }
    })
}

/// Hit the fault armed for scenario `name`, if any.
pub fn inject(name: &str) {
    match armed(name) {
        None => {}
        Some(Fault::Panic) => panic!("{TEST_FAULT_ENV} test hook fired for scenario `{name}`"),
        Some(Fault::Abort) => std::process::abort(),
        Some(Fault::Hang) => loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        },
        Some(Fault::Alloc) => hog(),
    }
}

/// Take memory block by block, writing to every page so that it is really used.
fn hog() {
    let mut taken: Vec<Vec<u8>> = Vec::new();
    while taken.len() * ALLOC_BLOCK < ALLOC_CAP {
        let mut block = vec![0u8; ALLOC_BLOCK];
        block.iter_mut().step_by(4096).for_each(|b| *b = 1);
        taken.push(block);
    }
    panic!("{TEST_FAULT_ENV}: took {ALLOC_CAP} bytes without reaching a memory limit");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_named_scenario_is_armed() {
        let spec = "a:hang,b:c:abort,d:nonsense";
        assert_eq!(armed_in(spec, "a"), Some(Fault::Hang));
        assert_eq!(armed_in(spec, "b:c"), Some(Fault::Abort));
        assert_eq!(armed_in(spec, "d"), None);
        assert_eq!(armed_in(spec, "e"), None);
        assert_eq!(armed_in("", "a"), None);
    }
}

//! Waiting on a condition instead of sleeping for a guess.

use std::time::{Duration, Instant};

/// Polls `check` every 20 ms until it gives a value, and returns it; fails the test, naming
/// `what`, when `timeout` passes first. A test never sleeps a fixed time and hopes.
#[track_caller]
pub(crate) fn wait_for<T>(
    what: &str,
    timeout: Duration,
    mut check: impl FnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// [`wait_for`] a condition that has no value.
#[track_caller]
pub(crate) fn wait_until(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    wait_for(what, timeout, || check().then_some(()));
}

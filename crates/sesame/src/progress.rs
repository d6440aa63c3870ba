//! How a long call tells its caller how far it is: the library never prints, so a listing or a
//! walk reports to a [`Progress`] the caller hands in (the CLI draws a progress line from it).

use std::fmt;
use std::sync::Arc;

/// What a long call reports as it goes: units of work found and finished (accounts listed,
/// accounts walked). Both may be called from many tasks at once; by default they do nothing.
pub trait Progress: Send + Sync {
    /// `n` more units of work are known.
    fn found(&self, n: u64) {
        let _ = n;
    }

    /// `n` units of work are finished.
    fn done(&self, n: u64) {
        let _ = n;
    }
}

/// A [`Progress`] to hand into options: none (the default) or one shared by every task of a
/// call. Cheap to clone.
#[derive(Clone, Default)]
pub struct ProgressSink(Option<Arc<dyn Progress>>);

impl ProgressSink {
    /// Reports to `progress`.
    pub fn new(progress: Arc<dyn Progress>) -> Self {
        Self(Some(progress))
    }

    /// See [`Progress::found`].
    pub fn found(&self, n: u64) {
        if let Some(p) = &self.0 {
            p.found(n);
        }
    }

    /// See [`Progress::done`].
    pub fn done(&self, n: u64) {
        if let Some(p) = &self.0 {
            p.done(n);
        }
    }
}

impl fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "ProgressSink(..)"
        } else {
            "ProgressSink(none)"
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    #[derive(Default)]
    struct Count(AtomicU64, AtomicU64);

    impl Progress for Count {
        fn found(&self, n: u64) {
            self.0.fetch_add(n, Ordering::Relaxed);
        }
        fn done(&self, n: u64) {
            self.1.fetch_add(n, Ordering::Relaxed);
        }
    }

    #[test]
    fn a_sink_reports_to_its_progress_and_an_empty_one_to_nobody() {
        let count = Arc::new(Count::default());
        let sink = ProgressSink::new(count.clone());
        sink.clone().found(3);
        sink.done(2);
        assert_eq!(count.0.load(Ordering::Relaxed), 3);
        assert_eq!(count.1.load(Ordering::Relaxed), 2);
        ProgressSink::default().found(1);
    }
}

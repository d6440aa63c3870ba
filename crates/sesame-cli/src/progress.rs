//! The CLI's one progress display (indicatif), on stderr: a line for every long call (listing,
//! populate, admin walks) with what is done of what is known, the calls made, their retries and
//! the current rate, and `run`'s bar. Drawn only when stderr is a terminal and `-q` is not
//! given; erased when the call ends, however it ends. The library reports through
//! [`sesame::progress::Progress`] and never prints.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use sesame::listing::ListingOptions;
use sesame::pace::{CallStats, Pacing};
use sesame::progress::ProgressSink;

use crate::context::Context;

/// How often a shown progress line is redrawn.
const TICK: Duration = Duration::from_millis(200);

/// The calls behind a progress line: the counters of the pacing(s) they go through.
pub(crate) type Calls = Arc<dyn Fn() -> CallStats + Send + Sync>;

/// A progress line for one long call: drawn from the first unit of work found (a call served
/// from a cache finds none and shows nothing), erased by [`Progress::clear`] or when dropped.
pub(crate) struct Progress {
    bar: ProgressBar,
    show: bool,
    started: AtomicBool,
    calls: Arc<OnceLock<Calls>>,
}

impl Progress {
    /// `what` (e.g. `listing`) with `unit`s done of those found; shown only if `ctx` shows
    /// progress.
    pub(crate) fn new(ctx: &Context, what: &str, unit: &str) -> Arc<Progress> {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
        let calls: Arc<OnceLock<Calls>> = Arc::default();
        let rate = Arc::new(Mutex::new(Rate::default()));
        let template = format!("{{spinner}} {what}: {{pos}}/{{len}} {unit}{{calls}} [{{elapsed}}]");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            let source = calls.clone();
            bar.set_style(style.with_key(
                "calls",
                move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let Some(calls) = source.get() else { return };
                    let stats = calls();
                    let per_second = rate.lock().map(|mut r| r.update(stats.requests));
                    let _ = write!(
                        w,
                        ", {} calls, {} retries, {:.1}/s",
                        stats.requests,
                        stats.retries,
                        per_second.unwrap_or_default()
                    );
                },
            ));
        }
        Arc::new(Progress {
            bar,
            show: ctx.progress,
            started: AtomicBool::new(false),
            calls,
        })
    }

    /// The progress of a listing of accounts, reported to through `options`; count its calls
    /// with [`Progress::count_pacing`] once the listing exists.
    pub(crate) fn listing(ctx: &Context, options: &mut ListingOptions) -> Arc<Progress> {
        let progress = Progress::new(ctx, "listing", "accounts");
        options.progress = progress.sink();
        progress
    }

    /// Counts the calls `calls` reports on the line.
    pub(crate) fn count_calls(&self, calls: Calls) {
        let _ = self.calls.set(calls);
    }

    /// Counts the calls made through `pacing` on the line.
    pub(crate) fn count_pacing(&self, pacing: &Pacing) {
        let pacing = pacing.clone();
        self.count_calls(Arc::new(move || pacing.stats()));
    }

    /// What the library reports to, for its options.
    pub(crate) fn sink(self: &Arc<Self>) -> ProgressSink {
        ProgressSink::new(self.clone())
    }

    /// Runs `f` (which prints) with the line out of the way.
    pub(crate) fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    /// Erases the line: the call is over.
    pub(crate) fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

impl sesame::progress::Progress for Progress {
    fn found(&self, n: u64) {
        self.bar.inc_length(n);
        if self.show && !self.started.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(TICK);
        }
    }

    fn done(&self, n: u64) {
        self.bar.inc(n);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// `run`'s bar over `total` targets, with `template`; hidden unless `show`.
pub(crate) fn bar(show: bool, total: usize, template: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
    if show {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(TICK);
    }
    bar
}

/// Shows a hidden bar again (after a question), when `show`.
pub(crate) fn show(bar: &ProgressBar, show: bool) {
    if show {
        bar.set_draw_target(ProgressDrawTarget::stderr());
        bar.enable_steady_tick(TICK);
    }
}

/// The request rate over the last second or so.
#[derive(Default)]
struct Rate {
    /// The sample the rate is measured from, and the last rate.
    since: Option<(Instant, u64)>,
    last: f64,
}

impl Rate {
    fn update(&mut self, requests: u64) -> f64 {
        let now = Instant::now();
        match self.since {
            None => self.since = Some((now, requests)),
            Some((at, then)) => {
                let elapsed = now.duration_since(at).as_secs_f64();
                if elapsed >= 1.0 {
                    self.last = requests.saturating_sub(then) as f64 / elapsed;
                    self.since = Some((now, requests));
                } else if self.last == 0.0 && elapsed >= 0.25 {
                    // The first second: the rate so far, rather than 0.0/s for a listing that
                    // ends before a whole second was measured.
                    return requests.saturating_sub(then) as f64 / elapsed;
                }
            }
        }
        self.last
    }
}

//! Pacing for the administration APIs: a bound on requests in flight, an adaptive request rate
//! shared by every task of a walk, and jittered exponential backoff for retries.
//!
//! The rate starts at [`Pacing::rate`] and moves like TCP's congestion window (and the SDKs'
//! adaptive retry mode): halved on each throttle answer, grown by a tenth of the start rate on
//! each success, never above [`Pacing::max_rate`] nor below one request a second.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// How hard a walk may drive the APIs.
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    /// Requests in flight at most.
    pub concurrency: usize,
    /// Requests per second to start with.
    pub rate: f64,
    /// Requests per second at most, however well the service answers.
    pub max_rate: f64,
    /// Attempts per request (the first included) for throttles, 5xx and connection failures.
    pub attempts: u32,
    /// The first backoff; doubled per retry, capped at 20 s, fully jittered.
    pub base_backoff: Duration,
}

impl Default for Pacing {
    /// 8 in flight, 20 requests/s rising to 40 while the service answers well, halving on each
    /// throttle: modest next to the read APIs' throttles, and it adapts when they bite.
    fn default() -> Self {
        Self {
            concurrency: 8,
            rate: 20.0,
            max_rate: 40.0,
            attempts: 8,
            base_backoff: Duration::from_millis(200),
        }
    }
}

const MIN_RATE: f64 = 1.0;
const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// A token bucket with an adaptive rate, plus the in-flight bound.
#[derive(Debug)]
pub(crate) struct Pacer {
    pacing: Pacing,
    in_flight: Semaphore,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    rate: f64,
    /// When the next request may start.
    next: Instant,
}

impl Pacer {
    pub(crate) fn new(pacing: Pacing) -> Self {
        let pacing = Pacing {
            concurrency: pacing.concurrency.max(1),
            rate: pacing.rate.max(MIN_RATE),
            max_rate: pacing.max_rate.max(pacing.rate).max(MIN_RATE),
            attempts: pacing.attempts.max(1),
            base_backoff: pacing.base_backoff,
        };
        Self {
            in_flight: Semaphore::new(pacing.concurrency),
            bucket: Mutex::new(Bucket {
                rate: pacing.rate,
                next: Instant::now(),
            }),
            pacing,
        }
    }

    pub(crate) fn pacing(&self) -> &Pacing {
        &self.pacing
    }

    /// Waits for a slot in flight and for the rate; the permit ends the request's slot.
    pub(crate) async fn acquire(&self) -> SemaphorePermit<'_> {
        let permit = self
            .in_flight
            .acquire()
            .await
            .expect("the pacer's semaphore is never closed");
        let start = {
            let mut b = self.bucket.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let start = b.next.max(now);
            b.next = start + Duration::from_secs_f64(1.0 / b.rate);
            start
        };
        tokio::time::sleep_until(start).await;
        permit
    }

    /// The service throttled a request: halve the rate.
    pub(crate) fn throttled(&self) {
        let mut b = self.bucket.lock().unwrap_or_else(|p| p.into_inner());
        b.rate = (b.rate / 2.0).max(MIN_RATE);
        tracing::debug!(rate = b.rate, "throttled: slowing down");
    }

    /// A request succeeded: speed up a little.
    pub(crate) fn succeeded(&self) {
        let mut b = self.bucket.lock().unwrap_or_else(|p| p.into_inner());
        b.rate = (b.rate + self.pacing.rate / 10.0).min(self.pacing.max_rate);
    }

    /// The current rate, requests per second.
    #[cfg(test)]
    pub(crate) fn rate(&self) -> f64 {
        self.bucket.lock().unwrap().rate
    }

    /// How long to wait before retry number `retry` (1 for the first retry): full jitter over
    /// an exponential ceiling.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .pacing
            .base_backoff
            .saturating_mul(1u32 << retry.min(16))
            .min(MAX_BACKOFF);
        ceiling.mul_f64(fastrand::f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_halves_on_throttles_and_recovers_up_to_the_cap() {
        let p = Pacer::new(Pacing {
            rate: 10.0,
            max_rate: 12.0,
            ..Pacing::default()
        });
        p.throttled();
        p.throttled();
        assert_eq!(p.rate(), 2.5);
        for _ in 0..100 {
            p.succeeded();
        }
        assert_eq!(p.rate(), 12.0);
        for _ in 0..100 {
            p.throttled();
        }
        assert_eq!(p.rate(), MIN_RATE);
    }

    #[test]
    fn backoff_is_jittered_under_a_growing_capped_ceiling() {
        let p = Pacer::new(Pacing::default());
        for retry in 1..30 {
            let d = p.backoff(retry);
            let ceiling = Duration::from_millis(200)
                .saturating_mul(1 << retry.min(16))
                .min(MAX_BACKOFF);
            assert!(d <= ceiling, "{d:?} > {ceiling:?}");
        }
    }

    #[tokio::test]
    async fn requests_are_spaced_by_the_rate() {
        // A lower bound only: sleeps never end early, so this cannot flake.
        let p = Pacer::new(Pacing {
            rate: 50.0,
            max_rate: 50.0,
            ..Pacing::default()
        });
        let t0 = Instant::now();
        for _ in 0..6 {
            drop(p.acquire().await);
        }
        assert!(
            t0.elapsed() >= Duration::from_millis(100),
            "{:?}",
            t0.elapsed()
        );
    }
}

//! Paced, retried calls: every call through [`Pacing::call`].
//!
//! A call waits for the shared [`Pacer`], is sent, and tells the pacer how it went. A failure
//! the error type [classifies](Classify) as a throttle or as transient (a server fault, a dropped
//! connection) is retried after a jittered exponential backoff (`backon`), up to
//! [`RetryPolicy::max_attempts`] and while the shared [`RetryBudget`] lasts, as the SDKs'
//! standard retry quota does: a retry costs tokens, a success pays one back, so a service that
//! keeps failing stops being hammered. A [`Pacing`] may also bound the requests in flight
//! ([`Pacing::with_in_flight`]).

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use tokio::sync::Semaphore;
use url::Url;

use super::pacer::{Pacer, PacerConfig, PacerStats};
use crate::sso::SsoError;

/// How a failed call is retried.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts per call, the first one included (botocore's `max_attempts` meaning).
    pub max_attempts: u32,
    /// The first backoff (before jitter).
    pub min_delay: Duration,
    /// The longest backoff (before jitter).
    pub max_delay: Duration,
    /// The tokens of the shared retry budget.
    pub budget: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 10,
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            budget: RetryBudget::DEFAULT_CAPACITY,
        }
    }
}

/// What kind of failure a call had, for the retry decision and the pacer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The service asked the client to slow down.
    Throttle,
    /// A server fault or a connection that broke: worth another try.
    Transient,
    /// Anything else (no access, login required, bad request): final.
    Final,
}

impl Failure {
    /// Classifies an error of a paced call.
    pub fn of<E: Classify>(error: &E) -> Failure {
        error.failure()
    }
}

/// An error type that says how [`Pacing::call`] treats it: slow down and retry, retry, or stop.
pub trait Classify {
    /// What kind of failure this is.
    fn failure(&self) -> Failure;
}

impl Classify for SsoError {
    /// Identity Center's throttles (429, `TooManyRequestsException`, `ThrottlingException`,
    /// `SlowDownException`), server faults (5xx) and unreachable endpoints are retried; an
    /// untrusted certificate ([`SsoError::Certificate`]) is final, like every other error.
    fn failure(&self) -> Failure {
        match self {
            SsoError::Api(a)
                if a.status == 429
                    || a.code == "TooManyRequestsException"
                    || a.code == "ThrottlingException"
                    || a.code == "SlowDownException" =>
            {
                Failure::Throttle
            }
            SsoError::Api(a) if a.status >= 500 => Failure::Transient,
            SsoError::Unreachable { .. } => Failure::Transient,
            _ => Failure::Final,
        }
    }
}

/// Why a [`Pacing::call`] failed, with the call's own error.
#[derive(Debug, thiserror::Error)]
pub enum CallError<E: std::error::Error + 'static> {
    /// A failure the error type calls final: not retried.
    #[error(transparent)]
    Final(E),
    /// A call kept failing with throttles or transient failures.
    #[error(
        "{source}; gave up after {attempts} attempts{}",
        if *budget_spent { " (the retry budget is spent)" } else { "" }
    )]
    GaveUp {
        /// The operation.
        operation: &'static str,
        /// How many times it was tried.
        attempts: u32,
        /// Whether it stopped because the shared retry budget ran out (else: max attempts).
        budget_spent: bool,
        /// The last failure.
        #[source]
        source: E,
    },
}

impl<E: std::error::Error + 'static> CallError<E> {
    /// The call's last error, whichever way it ended.
    pub fn into_source(self) -> E {
        match self {
            CallError::Final(e) | CallError::GaveUp { source: e, .. } => e,
        }
    }
}

/// A retry quota shared by every call to one endpoint (the SDKs' `RetryQuota`): retries spend it,
/// successes refill it, and once it is empty failures are final.
#[derive(Debug)]
pub struct RetryBudget {
    capacity: u64,
    available: Mutex<u64>,
}

impl RetryBudget {
    /// The SDKs' initial retry quota.
    pub const DEFAULT_CAPACITY: u32 = 500;
    /// What retrying a throttle costs: cheap, since the pacer slows down anyway.
    pub const THROTTLE_COST: u64 = 1;
    /// What retrying a server fault or a broken connection costs (the SDKs' `RETRY_COST`).
    pub const TRANSIENT_COST: u64 = 5;

    /// A full budget of `capacity` tokens.
    pub fn new(capacity: u32) -> Self {
        Self {
            capacity: u64::from(capacity),
            available: Mutex::new(u64::from(capacity)),
        }
    }

    /// Takes the cost of retrying this failure; false when the budget cannot pay it.
    pub fn withdraw(&self, failure: Failure) -> bool {
        let cost = match failure {
            Failure::Throttle => Self::THROTTLE_COST,
            Failure::Transient => Self::TRANSIENT_COST,
            Failure::Final => return false,
        };
        let mut available = self.available.lock().unwrap_or_else(|e| e.into_inner());
        if *available < cost {
            return false;
        }
        *available -= cost;
        true
    }

    /// A success pays one token back.
    pub fn refund(&self) {
        let mut available = self.available.lock().unwrap_or_else(|e| e.into_inner());
        *available = (*available + 1).min(self.capacity);
    }

    /// Tokens left.
    pub fn available(&self) -> u64 {
        *self.available.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Counters of the calls made through one [`Pacing`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CallStats {
    /// Requests sent (attempts, retries included).
    pub requests: u64,
    /// Retries (requests beyond each call's first).
    pub retries: u64,
    /// The pacer's view: throttles seen, rate cuts, the current rate.
    pub pacer: PacerStats,
}

/// The pacer, the retry budget and the retry policy that calls to one endpoint share.
#[derive(Debug, Clone)]
pub struct Pacing {
    pacer: Arc<Pacer>,
    budget: Arc<RetryBudget>,
    policy: RetryPolicy,
    requests: Arc<AtomicU64>,
    retries: Arc<AtomicU64>,
    /// Requests in flight at most, if bounded here (else by the caller).
    in_flight: Option<Arc<Semaphore>>,
}

impl Pacing {
    /// A pacing of its own (not shared with anything else in the process).
    pub fn new(pacer: PacerConfig, policy: RetryPolicy) -> Self {
        Self {
            pacer: Arc::new(Pacer::new(pacer)),
            budget: Arc::new(RetryBudget::new(policy.budget)),
            policy,
            requests: Arc::default(),
            retries: Arc::default(),
            in_flight: None,
        }
    }

    /// The same pacing with its requests in flight bounded by `slots` (shared with any other
    /// pacing given the same semaphore, and with every clone). A request holds a slot from
    /// before the pacer admits it until its answer; a retry waits out its backoff without one.
    pub fn with_in_flight(mut self, slots: Arc<Semaphore>) -> Self {
        self.in_flight = Some(slots);
        self
    }

    /// The pacing every caller in this process shares for `endpoint` (its scheme, host and port):
    /// the first caller's configuration creates it, later callers get the same one. Share it:
    /// the service's throttle is one rate for all calls.
    pub fn shared(endpoint: &Url, pacer: PacerConfig, policy: RetryPolicy) -> Self {
        static SHARED: OnceLock<Mutex<HashMap<String, Pacing>>> = OnceLock::new();
        let key = format!(
            "{}://{}:{}",
            endpoint.scheme(),
            endpoint.host_str().unwrap_or(""),
            endpoint.port_or_known_default().unwrap_or(0)
        );
        let map = SHARED.get_or_init(Mutex::default);
        let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(key)
            .or_insert_with(|| Pacing::new(pacer, policy))
            .clone()
    }

    /// The retry policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// What the calls made so far did.
    pub fn stats(&self) -> CallStats {
        CallStats {
            requests: self.requests.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
            pacer: self.pacer.stats(),
        }
    }

    /// Runs one call: paced, retried on throttles and transient failures ([`Classify`]).
    ///
    /// `attempt` builds the request afresh for each attempt; it must be lazy (an `async` block
    /// or a reqwest future), since it is created before the pacer admits it.
    pub async fn call<T, E, F, Fut>(
        &self,
        operation: &'static str,
        mut attempt: F,
    ) -> Result<T, CallError<E>>
    where
        E: Classify + std::error::Error + 'static,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut backoff = ExponentialBuilder::default()
            .with_jitter()
            .with_min_delay(self.policy.min_delay)
            .with_max_delay(self.policy.max_delay)
            .with_max_times(self.policy.max_attempts.saturating_sub(1) as usize)
            .build();
        let mut attempts = 0u32;
        loop {
            let request = attempt();
            let slot = match &self.in_flight {
                Some(s) => Some(s.acquire().await.expect("the slots are never closed")),
                None => None,
            };
            let ticket = self.pacer.acquire().await;
            attempts += 1;
            self.requests.fetch_add(1, Ordering::Relaxed);
            if attempts > 1 {
                self.retries.fetch_add(1, Ordering::Relaxed);
            }
            let result = request.await;
            drop(slot);
            let error = match result {
                Ok(value) => {
                    self.pacer.on_success(ticket);
                    self.budget.refund();
                    return Ok(value);
                }
                Err(e) => e,
            };
            let failure = error.failure();
            match failure {
                Failure::Throttle => self.pacer.on_throttle(ticket),
                // Not the service pushing back: the rate is not what failed.
                Failure::Transient | Failure::Final => self.pacer.on_success(ticket),
            }
            if failure == Failure::Final {
                return Err(CallError::Final(error));
            }
            let Some(delay) = backoff.next() else {
                return Err(CallError::GaveUp {
                    operation,
                    attempts,
                    budget_spent: false,
                    source: error,
                });
            };
            if !self.budget.withdraw(failure) {
                return Err(CallError::GaveUp {
                    operation,
                    attempts,
                    budget_spent: true,
                    source: error,
                });
            }
            tracing::debug!("{operation}: {error}; retry {attempts} in {delay:?}");
            tokio::time::sleep(delay).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU32;

    use futures_util::stream::{self, StreamExt as _, TryStreamExt as _};
    use tokio::time::Instant;

    use super::*;
    use crate::sso::ApiError;

    /// The emulator's throttle: a bucket of `rate` tokens a second holding one second's worth.
    struct Throttle {
        rate: f64,
        tokens: f64,
        last: Instant,
    }

    impl Throttle {
        fn admit(&mut self) -> bool {
            let now = Instant::now();
            self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate)
                .min(self.rate);
            self.last = now;
            if self.tokens >= 1.0 {
                self.tokens -= 1.0;
                true
            } else {
                false
            }
        }
    }

    fn api(status: u16, code: &str) -> SsoError {
        SsoError::Api(ApiError {
            operation: "ListAccountRoles",
            status,
            code: code.into(),
            message: None,
        })
    }

    /// `calls` calls, `concurrency` at a time, against a `rate`/s throttle with 50 ms latency, in
    /// tokio's paused (virtual, deterministic) time. Returns the virtual seconds and the stats.
    async fn simulate(calls: usize, concurrency: usize, rate: f64) -> (f64, CallStats, u64) {
        let throttle = Arc::new(Mutex::new(Throttle {
            rate,
            tokens: rate,
            last: Instant::now(),
        }));
        let throttled = Arc::new(AtomicU64::new(0));
        let pacing = Pacing::new(PacerConfig::default(), RetryPolicy::default());
        let start = Instant::now();
        stream::iter(0..calls)
            .map(|_| {
                let (throttle, throttled, pacing) =
                    (throttle.clone(), throttled.clone(), pacing.clone());
                async move {
                    pacing
                        .call("ListAccountRoles", || {
                            let (throttle, throttled) = (throttle.clone(), throttled.clone());
                            async move {
                                tokio::time::sleep(Duration::from_millis(50)).await;
                                if throttle.lock().unwrap().admit() {
                                    Ok(())
                                } else {
                                    throttled.fetch_add(1, Ordering::Relaxed);
                                    Err(api(429, "TooManyRequestsException"))
                                }
                            }
                        })
                        .await
                }
            })
            .buffer_unordered(concurrency)
            .try_collect::<Vec<()>>()
            .await
            .expect("every call succeeds");
        (
            start.elapsed().as_secs_f64(),
            pacing.stats(),
            throttled.load(Ordering::Relaxed),
        )
    }

    #[tokio::test(start_paused = true)]
    async fn two_thousand_calls_against_a_20_per_second_throttle_finish_near_its_limit() {
        let (secs, stats, throttled) = simulate(2020, 16, 20.0).await;
        let ideal = 2020.0 / 20.0;
        eprintln!("{secs:.1}s (ideal {ideal}s), {throttled} throttled, {stats:?}");
        assert!(
            secs <= ideal * 1.15,
            "{secs:.1}s is more than 1.15x the ideal {ideal}s"
        );
        assert!(
            throttled < 2020 / 10,
            "at most one call in ten throttled: {throttled}"
        );
        assert_eq!(stats.requests, 2020 + throttled);
    }

    #[tokio::test(start_paused = true)]
    async fn a_service_that_does_not_throttle_is_listed_at_the_concurrency_limit() {
        // 304 calls, 16 at a time, 50 ms each, against a throttle of 1000/s that is never
        // reached: 19 round trips, nothing waits for the pacer.
        let (secs, stats, throttled) = simulate(304, 16, 1000.0).await;
        assert_eq!(throttled, 0);
        let bound = (304.0_f64 / 16.0).ceil() * 0.05;
        assert!(
            secs < bound + 0.01,
            "{secs:.3}s: the concurrency bound is {bound:.2}s"
        );
        assert_eq!(stats.pacer.rate, None, "never paced: {stats:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_unpaced_start_costs_at_most_one_round_trip_of_throttles() {
        // The emulator's 20/s bucket holds 20 calls: 16 in flight use it up in the second
        // round trip. Every call in flight then may be refused once; the pacer cuts once, to
        // about the rate the service let through, and the retry budget barely notices.
        let (_, stats, throttled) = simulate(200, 16, 20.0).await;
        eprintln!("{throttled} throttled, {stats:?}");
        let s = stats.pacer;
        assert!(s.decreases >= 1, "{s:?}");
        assert!(
            throttled <= 32,
            "{throttled} throttled: more than two round trips' worth"
        );
        let rate = s.rate.expect("paced after the throttle");
        assert!(
            (10.0..=30.0).contains(&rate),
            "near the service's 20/s: {rate}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttle_storm_ends_after_max_attempts_and_final_errors_are_not_retried() {
        let policy = RetryPolicy {
            max_attempts: 4,
            ..RetryPolicy::default()
        };
        let pacing = Pacing::new(PacerConfig::default(), policy);
        let tries = AtomicU32::new(0);
        let err = pacing
            .call("ListAccounts", || {
                tries.fetch_add(1, Ordering::Relaxed);
                async { Err::<(), _>(api(429, "TooManyRequestsException")) }
            })
            .await
            .unwrap_err();
        assert_eq!(tries.load(Ordering::Relaxed), 4);
        assert!(
            matches!(
                err,
                CallError::GaveUp {
                    attempts: 4,
                    budget_spent: false,
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            matches!(&err, CallError::GaveUp { source, .. } if Failure::of(source) == Failure::Throttle)
        );
        assert!(
            err.to_string().contains("gave up after 4 attempts"),
            "{err}"
        );

        let tries = AtomicU32::new(0);
        let err = pacing
            .call("ListAccountRoles", || {
                tries.fetch_add(1, Ordering::Relaxed);
                async { Err::<(), _>(api(403, "ForbiddenException")) }
            })
            .await
            .unwrap_err();
        assert_eq!(tries.load(Ordering::Relaxed), 1);
        assert!(matches!(err, CallError::Final(_)));
    }

    #[tokio::test(start_paused = true)]
    async fn faults_are_retried_until_the_shared_budget_is_spent() {
        // A budget of 12 pays for two retries of a server fault (5 each), not a third.
        let policy = RetryPolicy {
            budget: 12,
            ..RetryPolicy::default()
        };
        let pacing = Pacing::new(PacerConfig::default(), policy);
        let tries = AtomicU32::new(0);
        let err = pacing
            .call("ListAccounts", || {
                tries.fetch_add(1, Ordering::Relaxed);
                async { Err::<(), _>(api(500, "InternalServerException")) }
            })
            .await
            .unwrap_err();
        assert_eq!(tries.load(Ordering::Relaxed), 3);
        assert!(
            matches!(
                err,
                CallError::GaveUp {
                    budget_spent: true,
                    ..
                }
            ),
            "{err}"
        );
        // Successes pay back: ten of them make room for two more retries.
        for _ in 0..10 {
            pacing
                .call("ListAccounts", || async { Ok::<_, SsoError>(()) })
                .await
                .unwrap();
        }
        assert_eq!(pacing.budget.available(), 12);
        // A fault then a success: one retry, and the call succeeds.
        let tries = AtomicU32::new(0);
        pacing
            .call("ListAccounts", || {
                let n = tries.fetch_add(1, Ordering::Relaxed);
                async move {
                    if n == 0 {
                        Err(SsoError::Unreachable {
                            endpoint: "x".into(),
                            reason: "connection closed".into(),
                        })
                    } else {
                        Ok(())
                    }
                }
            })
            .await
            .unwrap();
        assert_eq!(pacing.stats().retries, 3);
    }
}

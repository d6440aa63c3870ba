//! Paced, retried calls: every call through [`Pacing::call`].
//!
//! A call waits for the shared [`Pacer`], is sent, and tells the pacer how it went. A failure
//! the error type [classifies](Classify) as a throttle or as transient (a server fault, a dropped
//! connection, a timeout) is retried after a jittered exponential backoff (`backon`) for as long
//! as the call's time budget ([`RetryPolicy::retry_for`]) lasts, not a count of attempts: a
//! service that refuses half the calls at random still answers each call within a few tries,
//! and one that is down is given up on after the same time however fast it refuses.
//! [`RetryPolicy::max_attempts`] may bound the attempts too. The shared [`RetryBudget`] stops a
//! service that keeps failing from being hammered, as the SDKs' standard retry quota does: a
//! retry costs tokens, a success pays one back. [`RetryPolicy::deadline`] ends every call of a
//! command at one instant ([`CallError::Deadline`]). A [`Pacing`] may also bound the requests in
//! flight ([`Pacing::with_in_flight`]).

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use url::Url;

use super::pacer::{Pacer, PacerConfig, PacerStats};

/// How a failed call is retried.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Attempts per call at most, the first one included (botocore's `max_attempts` meaning);
    /// `None`: as many as [`Self::retry_for`] allows.
    pub max_attempts: Option<u32>,
    /// How long after its first attempt a call may still be retried: a retry whose backoff
    /// would end later is not made.
    pub retry_for: Duration,
    /// The first backoff (before jitter).
    pub min_delay: Duration,
    /// The longest backoff (before jitter).
    pub max_delay: Duration,
    /// The tokens of the shared retry budget.
    pub budget: u32,
    /// When every call ends, retried or not ([`CallError::Deadline`]): a command's overall
    /// deadline. `None`: none.
    pub deadline: Option<Deadline>,
}

/// A command's overall deadline: the instant, and how long it was when set (for the message).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deadline {
    /// When calls stop.
    pub at: Instant,
    /// The length it was given.
    pub after: Duration,
}

impl Deadline {
    /// A deadline `after` from now.
    pub fn after(after: Duration) -> Self {
        Self {
            at: Instant::now() + after,
            after,
        }
    }
}

impl Default for RetryPolicy {
    /// The sweeps' policy (listing, `run`, `admin`): a minute of retries per call, backoff from
    /// 100 ms doubling to 2 s, no bound on attempts but the time.
    fn default() -> Self {
        Self {
            max_attempts: None,
            retry_for: Self::DEFAULT_RETRY_FOR,
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            budget: RetryBudget::DEFAULT_CAPACITY,
            deadline: None,
        }
    }
}

impl RetryPolicy {
    /// How long one call of a sweep keeps retrying.
    pub const DEFAULT_RETRY_FOR: Duration = Duration::from_secs(60);

    /// For a command waiting on one credential fetch (`creds`, `exec`, `credential-process`,
    /// `console`, and SSO or STS at the end of a profile chain): a few quick retries, so a
    /// throttle or a blip is absorbed and a caller knows within about two seconds when the
    /// service keeps failing (backoff 100 ms doubling to at most 800 ms, five attempts).
    pub fn credential_fetch() -> Self {
        Self {
            max_attempts: Some(5),
            retry_for: Duration::from_secs(3),
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(800),
            budget: RetryBudget::DEFAULT_CAPACITY,
            deadline: None,
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
        /// How long from the first attempt to giving up.
        elapsed: Duration,
        /// Whether it stopped because the shared retry budget ran out (else: the time budget or
        /// the most attempts).
        budget_spent: bool,
        /// The last failure.
        #[source]
        source: E,
    },
    /// The command's overall deadline ([`RetryPolicy::deadline`]) passed during the call.
    #[error(
        "{passed}{}",
        last.as_ref().map(|e| format!(" (the last failure: {e})")).unwrap_or_default()
    )]
    Deadline {
        /// How far the command got.
        passed: DeadlinePassed,
        /// The call's last failure, if it had one.
        last: Option<E>,
    },
}

/// A command's overall deadline passed: how long it was and how far the calls got.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "{operation}: the deadline of {}s passed with {succeeded} calls done",
    after.as_secs()
)]
pub struct DeadlinePassed {
    /// The operation that was cut.
    pub operation: &'static str,
    /// The deadline's length.
    pub after: Duration,
    /// Calls through this pacing that had succeeded.
    pub succeeded: u64,
}

impl<E: std::error::Error + 'static> CallError<E> {
    /// The call's last error, whichever way it ended; a call cut by the deadline is
    /// [`DeadlinePassed`] in the error's own type.
    pub fn into_source(self) -> E
    where
        E: From<DeadlinePassed>,
    {
        self.into_source_or(E::from)
    }

    /// The message of the call's last error, or the deadline's.
    pub fn into_message(self) -> String {
        match self {
            CallError::Final(e) | CallError::GaveUp { source: e, .. } => e.to_string(),
            CallError::Deadline { passed, .. } => passed.to_string(),
        }
    }

    /// The call's last error, or `deadline`'s error for a call the deadline cut.
    pub fn into_source_or(self, deadline: impl FnOnce(DeadlinePassed) -> E) -> E {
        match self {
            CallError::Final(e) | CallError::GaveUp { source: e, .. } => e,
            CallError::Deadline { passed, .. } => deadline(passed),
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
    successes: Arc<AtomicU64>,
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
            successes: Arc::default(),
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

    /// Runs one call: paced, retried on throttles and transient failures ([`Classify`]) while
    /// its time budget, the attempts and the shared retry budget last, and never past the
    /// deadline.
    ///
    /// `attempt` builds the request afresh for each attempt; it must be lazy (an `async` block
    /// or a reqwest future), since it is created before the pacer admits it.
    pub async fn call<T, E, F, Fut>(
        &self,
        operation: &'static str,
        attempt: F,
    ) -> Result<T, CallError<E>>
    where
        E: Classify + std::error::Error + 'static,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let Some(deadline) = self.policy.deadline else {
            return self.retried(operation, attempt, None).await;
        };
        let mut last = None;
        let outcome = tokio::time::timeout_at(
            deadline.at,
            self.retried(operation, attempt, Some(&mut last)),
        )
        .await;
        match outcome {
            Ok(result) => result,
            Err(_) => Err(CallError::Deadline {
                passed: DeadlinePassed {
                    operation,
                    after: deadline.after,
                    succeeded: self.successes.load(Ordering::Relaxed),
                },
                last,
            }),
        }
    }

    /// [`Self::call`] without the deadline; each failure is left in `last` for the deadline's
    /// message.
    async fn retried<T, E, F, Fut>(
        &self,
        operation: &'static str,
        mut attempt: F,
        mut last: Option<&mut Option<E>>,
    ) -> Result<T, CallError<E>>
    where
        E: Classify + std::error::Error + 'static,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let policy = &self.policy;
        let mut backoff = ExponentialBuilder::default()
            .with_jitter()
            .with_min_delay(policy.min_delay)
            .with_max_delay(policy.max_delay)
            .without_max_times()
            .build();
        let started = Instant::now();
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
                    self.successes.fetch_add(1, Ordering::Relaxed);
                    return Ok(value);
                }
                Err(e) => e,
            };
            let failure = error.failure();
            let refusing_rate = match failure {
                Failure::Throttle => self.pacer.on_throttle(ticket),
                // Not the service pushing back: the rate is not what failed.
                Failure::Transient | Failure::Final => {
                    self.pacer.on_success(ticket);
                    false
                }
            };
            if failure == Failure::Final {
                return Err(CallError::Final(error));
            }
            let delay = match failure {
                // The pacer is what slows down for throttles (when their share rises): a
                // throttle is retried after a short jittered pause, so that a service refusing
                // calls at random costs each call a few round trips, not a growing backoff.
                // A refusal the pacer puts down to chance (the rate was not cut) waits only a
                // jitter of up to a quarter of that, so that the calls refused together are
                // not retried together: the time a sweep takes then follows the calls the
                // service accepts, not the pauses.
                Failure::Throttle if refusing_rate => {
                    policy.min_delay.mul_f64(1.0 + fastrand::f64())
                }
                Failure::Throttle => policy.min_delay.mul_f64(0.25 * fastrand::f64()),
                _ => backoff.next().unwrap_or(policy.max_delay),
            };
            let out_of_time = started.elapsed() + delay > policy.retry_for;
            let out_of_attempts = policy.max_attempts.is_some_and(|n| attempts >= n);
            let spent_time_or_attempts = out_of_time || out_of_attempts;
            // The budget is only paid for a retry that will be made.
            let budget_spent = !spent_time_or_attempts && !self.budget.withdraw(failure);
            if spent_time_or_attempts || budget_spent {
                return Err(CallError::GaveUp {
                    operation,
                    attempts,
                    elapsed: started.elapsed(),
                    budget_spent,
                    source: error,
                });
            }
            tracing::debug!("{operation}: {error}; retry {attempts} in {delay:?}");
            if let Some(last) = last.as_deref_mut() {
                *last = Some(error);
            }
            tokio::time::sleep(delay).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU32;

    use futures_util::stream::{self, StreamExt as _};
    use tokio::time::Instant;

    use super::*;

    /// A client's error for these tests: pace knows no client. Classified as Identity Center's
    /// errors are (`sso/error.rs`, whose own tests pin that rule).
    #[derive(Debug, thiserror::Error)]
    enum TestError {
        #[error("{code} (HTTP {status})")]
        Api { status: u16, code: String },
        #[error("cannot reach {endpoint}: {reason}")]
        Unreachable { endpoint: String, reason: String },
    }

    impl Classify for TestError {
        fn failure(&self) -> Failure {
            match self {
                TestError::Api { status: 429, .. } => Failure::Throttle,
                TestError::Api { code, .. } if code == "TooManyRequestsException" => {
                    Failure::Throttle
                }
                TestError::Api { status, .. } if *status >= 500 => Failure::Transient,
                TestError::Unreachable { .. } => Failure::Transient,
                TestError::Api { .. } => Failure::Final,
            }
        }
    }

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

    fn api(status: u16, code: &str) -> TestError {
        TestError::Api {
            status,
            code: code.into(),
        }
    }

    /// `calls` calls, `concurrency` at a time, against a `rate`/s throttle with 50 ms latency, in
    /// tokio's paused (virtual, deterministic) time. Returns the virtual seconds and the stats.
    async fn simulate(calls: usize, concurrency: usize, rate: f64) -> (f64, CallStats, u64) {
        let (secs, stats, throttled, _) =
            simulate_faults(calls, concurrency, rate, |_| None, RetryPolicy::default()).await;
        (secs, stats, throttled)
    }

    /// As [`simulate`], with `fault` rolled for each attempt (from a seeded generator) after the
    /// throttle admitted it: a 429 or a 500 at random, as a service shared with other clients.
    /// Returns the seconds, the stats, the throttles, and each call's outcome.
    async fn simulate_faults(
        calls: usize,
        concurrency: usize,
        rate: f64,
        fault: impl Fn(f64) -> Option<TestError> + Clone,
        policy: RetryPolicy,
    ) -> (f64, CallStats, u64, Vec<Result<(), CallError<TestError>>>) {
        let throttle = Arc::new(Mutex::new(Throttle {
            rate,
            tokens: rate,
            last: Instant::now(),
        }));
        let rng = Arc::new(Mutex::new(fastrand::Rng::with_seed(7)));
        let throttled = Arc::new(AtomicU64::new(0));
        let pacing = Pacing::new(PacerConfig::default(), policy);
        let start = Instant::now();
        let outcomes = stream::iter(0..calls)
            .map(|_| {
                let (throttle, throttled, pacing, rng, fault) = (
                    throttle.clone(),
                    throttled.clone(),
                    pacing.clone(),
                    rng.clone(),
                    fault.clone(),
                );
                async move {
                    pacing
                        .call("ListAccountRoles", || {
                            let (throttle, throttled, rng, fault) = (
                                throttle.clone(),
                                throttled.clone(),
                                rng.clone(),
                                fault.clone(),
                            );
                            async move {
                                tokio::time::sleep(Duration::from_millis(50)).await;
                                let roll = rng.lock().unwrap().f64();
                                let error = if !throttle.lock().unwrap().admit() {
                                    Some(api(429, "TooManyRequestsException"))
                                } else {
                                    fault(roll)
                                };
                                match error {
                                    None => Ok(()),
                                    Some(e) => {
                                        if Failure::of(&e) == Failure::Throttle {
                                            throttled.fetch_add(1, Ordering::Relaxed);
                                        }
                                        Err(e)
                                    }
                                }
                            }
                        })
                        .await
                }
            })
            .buffer_unordered(concurrency)
            .collect::<Vec<_>>()
            .await;
        (
            start.elapsed().as_secs_f64(),
            pacing.stats(),
            throttled.load(Ordering::Relaxed),
            outcomes,
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
        // The pacer tolerates throttles until their share rises past what chance explains (so
        // that random refusals do not collapse it): more throttles than a pacer that cuts on
        // each, each a cheap retry, and the service's limit is still met.
        assert!(
            throttled < 2020 / 2,
            "at most one call in two throttled: {throttled}"
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
            max_attempts: Some(4),
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
                .call("ListAccounts", || async { Ok::<_, TestError>(()) })
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
                        Err(TestError::Unreachable {
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

    /// 320 calls 16 at a time against a service that refuses each call with `p` at random
    /// (`code`): every call succeeds, the requests stay within a small factor of the calls, and
    /// the time within a small factor of the fault-free 1 s (20 round trips of 50 ms).
    async fn random_faults_do_not_starve(
        p: f64,
        status: u16,
        code: &'static str,
    ) -> (f64, CallStats) {
        let fault = move |roll: f64| (roll < p).then(|| api(status, code));
        let (secs, stats, _, outcomes) =
            simulate_faults(320, 16, 1e6, fault, RetryPolicy::default()).await;
        let failed: Vec<String> = outcomes
            .iter()
            .filter_map(|o| o.as_ref().err().map(ToString::to_string))
            .collect();
        assert!(failed.is_empty(), "{failed:?}");
        eprintln!("{p} {code}: {secs:.1}s, {stats:?}");
        // Each call needs 1/(1-p) attempts on average.
        let expected = 320.0 / (1.0 - p);
        assert!(
            (stats.requests as f64) < expected * 1.3,
            "{} requests for {expected:.0} expected",
            stats.requests
        );
        (secs, stats)
    }

    #[tokio::test(start_paused = true)]
    async fn half_the_calls_throttled_at_random_do_not_collapse_the_rate() {
        let (secs, stats) = random_faults_do_not_starve(0.5, 429, "TooManyRequestsException").await;
        // The share of throttles is flat, so the pacer tolerates them (a cut by chance is
        // possible, not two).
        assert!(stats.pacer.decreases <= 1, "{stats:?}");
        assert!(stats.pacer.tolerated > 0, "{stats:?}");
        // Fault-free: 1 s. Half refused: each call two attempts on average, so 2 s of round
        // trips, and a jitter of up to 25 ms per refusal; a rate cut each time would take
        // minutes (the floor is 0.5/s).
        assert!(secs < 4.0, "{secs:.1}s");
    }

    #[tokio::test(start_paused = true)]
    async fn a_tenth_of_the_calls_failing_at_random_costs_little() {
        let (secs, stats) = random_faults_do_not_starve(0.1, 500, "InternalServerException").await;
        assert_eq!(
            stats.pacer.decreases, 0,
            "server faults never cut: {stats:?}"
        );
        assert!(secs < 5.0, "{secs:.1}s");
    }

    #[tokio::test(start_paused = true)]
    async fn a_service_that_is_down_is_given_up_on_after_the_time_budget() {
        let policy = RetryPolicy {
            retry_for: Duration::from_secs(10),
            ..RetryPolicy::default()
        };
        let pacing = Pacing::new(PacerConfig::default(), policy);
        let start = Instant::now();
        let err = pacing
            .call("ListAccounts", || async {
                Err::<(), _>(api(500, "InternalServerException"))
            })
            .await
            .unwrap_err();
        let secs = start.elapsed().as_secs_f64();
        assert!(secs <= 10.0, "within the budget: {secs}");
        // Backoff 0.1 s doubling to 2 s (with jitter, up to twice that): the last retry ends
        // within one backoff of the budget.
        assert!(secs > 10.0 - 4.0, "not long before it: {secs}");
        let CallError::GaveUp {
            attempts, elapsed, ..
        } = &err
        else {
            panic!("{err}");
        };
        assert!((4..=12).contains(attempts), "{attempts} attempts");
        assert_eq!(elapsed.as_secs_f64(), secs);
        assert!(err.to_string().contains("gave up after"), "{err}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_ends_every_call_and_says_how_far_they_got() {
        let policy = RetryPolicy {
            deadline: Some(Deadline::after(Duration::from_secs(3))),
            ..RetryPolicy::default()
        };
        let pacing = Pacing::new(PacerConfig::default(), policy);
        // One call a second succeeds, then the service hangs.
        for _ in 0..2 {
            pacing
                .call("ListAccounts", || async {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    Ok::<_, TestError>(())
                })
                .await
                .unwrap();
        }
        let start = Instant::now();
        let err = pacing
            .call("ListAccountRoles", || async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Err::<(), _>(api(500, "InternalServerException"))
            })
            .await
            .unwrap_err();
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(1),
            "cut at the deadline"
        );
        let CallError::Deadline { passed, last } = &err else {
            panic!("{err}");
        };
        assert_eq!(passed.succeeded, 2);
        assert!(last.is_some(), "the last failure is kept");
        assert_eq!(
            err.to_string().split(" (").next().unwrap(),
            "ListAccountRoles: the deadline of 3s passed with 2 calls done"
        );
    }
}

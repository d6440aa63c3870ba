//! The credentials a server hands out: fetched from an [`Upstream`] once, kept in memory, fetched
//! again ahead of expiry, one fetch at a time however many clients ask at once.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};

use super::ServeError;
use crate::credentials::chain::{self, AwsCredentials, CredentialSource};
use crate::env::Env;

/// Where a server's credentials come from. Called only by [`CredentialCache`], which makes sure
/// one call runs at a time.
pub trait Upstream: Send + Sync + 'static {
    /// Why the credentials could not be had (its `Display` goes into logs and error answers, so
    /// it must carry no secret).
    type Error: std::error::Error + Send + Sync + 'static;

    /// Fresh credentials.
    fn fetch(&self) -> impl Future<Output = Result<AwsCredentials, Self::Error>> + Send;
}

/// The credential chain ([`chain::resolve`]): any profile kind sesame resolves (SSO through the
/// AWS CLI v2's role cache, assume-role, web identity, `credential_process`, keys with a session
/// token), never asking for an MFA code (a server has no terminal to ask on).
#[derive(Debug, Clone)]
pub struct ChainUpstream {
    env: Env,
    source: CredentialSource,
}

impl ChainUpstream {
    /// Credentials of `source` in the environment `env`.
    pub fn new(env: Env, source: CredentialSource) -> ChainUpstream {
        ChainUpstream { env, source }
    }
}

impl Upstream for ChainUpstream {
    type Error = chain::ChainError;

    async fn fetch(&self) -> Result<AwsCredentials, chain::ChainError> {
        chain::resolve(&self.env, &self.source).await
    }
}

/// Credentials as served, and when they were had.
#[derive(Debug, Clone)]
pub struct Served {
    /// The keys (with a session token: the container and IMDS answers require one).
    pub credentials: AwsCredentials,
    /// When the server got them (IMDS's `LastUpdated`).
    pub fetched_at: Timestamp,
    /// When they expire: the source's own time, else [`ASSUMED_LIFETIME`] after `fetched_at`.
    pub expiration: Timestamp,
    /// From when a request fetches new ones.
    refresh_at: Timestamp,
}

/// The lifetime given to temporary credentials whose source tells no expiry (keys with a session
/// token in the credentials file): they are read again after half of it.
pub const ASSUMED_LIFETIME: SignedDuration = SignedDuration::from_hours(1);

/// After a failed fetch, requests in the next few seconds get the same error without another
/// fetch (a client retrying in a loop must not hammer the portal).
const FAILURE_HOLD: Duration = Duration::from_secs(5);

/// While a failed refresh leaves the current credentials valid, they are served and the fetch is
/// tried again after this long.
const RETRY_AFTER: SignedDuration = SignedDuration::from_secs(30);

impl Served {
    fn new(
        credentials: AwsCredentials,
        now: Timestamp,
        margin: SignedDuration,
    ) -> Result<Served, ServeError> {
        if credentials
            .session_token
            .as_ref()
            .is_none_or(|t| t.is_empty())
        {
            return Err(ServeError::NotTemporary {
                from: credentials.source,
            });
        }
        let expiration = credentials.expiration.unwrap_or(now + ASSUMED_LIFETIME);
        let lifetime = expiration.duration_since(now).max(SignedDuration::ZERO);
        // Short-lived credentials (an emulator's, a 15-minute role) are fetched again half-way,
        // not on every request.
        let ahead = margin.min(lifetime / 2);
        Ok(Served {
            credentials,
            fetched_at: now,
            expiration,
            refresh_at: expiration - ahead,
        })
    }

    /// Whether a request at `now` takes these without a fetch.
    fn fresh_at(&self, now: Timestamp) -> bool {
        now < self.refresh_at
    }
}

/// What a failed fetch said, held for [`FAILURE_HOLD`].
#[derive(Debug, Clone)]
struct Failure {
    at: Instant,
    message: Arc<str>,
}

/// The server's credentials: in memory, fetched again when inside `margin` of expiry (or half of
/// their lifetime, when that is shorter), single-flight.
#[derive(Debug)]
pub struct CredentialCache<U> {
    upstream: U,
    margin: SignedDuration,
    current: Mutex<Option<Arc<Served>>>,
    failure: Mutex<Option<Failure>>,
    flight: tokio::sync::Mutex<()>,
    fetches: AtomicU64,
    clock: fn() -> Timestamp,
}

impl<U: Upstream> CredentialCache<U> {
    /// A cache over `upstream` that refreshes 15 minutes before expiry, as the AWS CLI's role
    /// cache and botocore's advisory refresh do (so SDK clients asking at their refresh time
    /// get new credentials, not the ones they are about to drop).
    pub fn new(upstream: U) -> CredentialCache<U> {
        CredentialCache {
            upstream,
            margin: crate::cache::ROLE_CACHE_EXPIRY_WINDOW,
            current: Mutex::new(None),
            failure: Mutex::new(None),
            flight: tokio::sync::Mutex::new(()),
            fetches: AtomicU64::new(0),
            clock: crate::time::now,
        }
    }

    /// The same cache refreshing `margin` before expiry.
    pub fn with_margin(mut self, margin: SignedDuration) -> CredentialCache<U> {
        self.margin = margin;
        self
    }

    /// The same cache reading the time from `clock` (tests move time forward).
    #[cfg(test)]
    fn with_clock(mut self, clock: fn() -> Timestamp) -> CredentialCache<U> {
        self.clock = clock;
        self
    }

    /// Starts with credentials the caller already has (the first fetch, done by a command that
    /// could prompt for an MFA code).
    pub fn seed(&self, credentials: AwsCredentials) -> Result<Arc<Served>, ServeError> {
        let served = Arc::new(Served::new(credentials, (self.clock)(), self.margin)?);
        *lock(&self.current) = Some(served.clone());
        Ok(served)
    }

    /// How many times the upstream was called.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// The credentials to serve now: the ones in memory while fresh, else new ones from the
    /// upstream; concurrent callers share one fetch.
    pub async fn get(&self) -> Result<Arc<Served>, ServeError> {
        if let Some(c) = self.fresh() {
            return Ok(c);
        }
        let _flight = self.flight.lock().await;
        // Another caller may have fetched while this one waited.
        if let Some(c) = self.fresh() {
            return Ok(c);
        }
        if let Some(f) = lock(&self.failure).as_ref()
            && f.at.elapsed() < FAILURE_HOLD
        {
            return self.stale_or(ServeError::Upstream(f.message.to_string()));
        }
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let fetched = self.upstream.fetch().await;
        let now = (self.clock)();
        let result = match fetched {
            Ok(c) => Served::new(c, now, self.margin),
            Err(e) => Err(ServeError::Upstream(e.to_string())),
        };
        match result {
            Ok(served) => {
                tracing::info!(
                    source = %served.credentials.source,
                    expiration = %crate::time::format_aws(served.expiration),
                    "fetched credentials to serve"
                );
                let served = Arc::new(served);
                *lock(&self.current) = Some(served.clone());
                *lock(&self.failure) = None;
                Ok(served)
            }
            Err(e) => {
                tracing::warn!("cannot refresh the served credentials: {e}");
                *lock(&self.failure) = Some(Failure {
                    at: Instant::now(),
                    message: e.to_string().into(),
                });
                self.stale_or(e)
            }
        }
    }

    /// When the next fetch is due (for a task that refreshes before any client asks).
    pub fn refresh_at(&self) -> Option<Timestamp> {
        lock(&self.current).as_ref().map(|c| c.refresh_at)
    }

    fn fresh(&self) -> Option<Arc<Served>> {
        let now = (self.clock)();
        lock(&self.current)
            .as_ref()
            .filter(|c| c.fresh_at(now))
            .cloned()
    }

    /// After a failed fetch: the current credentials while they stay valid for a while (the
    /// fetch is tried again after [`RETRY_AFTER`]), else the error.
    fn stale_or(&self, error: ServeError) -> Result<Arc<Served>, ServeError> {
        let now = (self.clock)();
        let mut current = lock(&self.current);
        match current.as_ref() {
            Some(c) if c.expiration > now + RETRY_AFTER => {
                let mut retry = Served::clone(c);
                retry.refresh_at = (now + RETRY_AFTER).min(c.expiration);
                let retry = Arc::new(retry);
                *current = Some(retry.clone());
                Ok(retry)
            }
            _ => Err(error),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    /// Counts fetches; each gives credentials living `lifetime` (or fails).
    struct Counting {
        calls: AtomicU64,
        lifetime: SignedDuration,
        fail: bool,
    }

    #[derive(Debug, thiserror::Error)]
    #[error("upstream down")]
    struct Down;

    impl Upstream for Arc<Counting> {
        type Error = Down;
        async fn fetch(&self) -> Result<AwsCredentials, Down> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
            if self.fail {
                return Err(Down);
            }
            Ok(AwsCredentials {
                access_key_id: format!("ASIAKEY{n}"),
                secret_access_key: Secret::new("secret"),
                session_token: Some(Secret::new("token")),
                expiration: Some(crate::time::now() + self.lifetime),
                source: "test".to_owned(),
            })
        }
    }

    fn counting(lifetime: SignedDuration, fail: bool) -> Arc<Counting> {
        Arc::new(Counting {
            calls: AtomicU64::new(0),
            lifetime,
            fail,
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_callers_share_one_fetch() {
        let up = counting(SignedDuration::from_hours(1), false);
        let cache = Arc::new(CredentialCache::new(up.clone()));
        let tasks: Vec<_> = (0..50)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(
                    async move { cache.get().await.unwrap().credentials.access_key_id.clone() },
                )
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), "ASIAKEY1");
        }
        assert_eq!(up.calls.load(Ordering::SeqCst), 1);
        assert_eq!(cache.fetches(), 1);
    }

    #[tokio::test]
    async fn short_lived_credentials_are_fetched_again_half_way_not_every_time() {
        let up = counting(SignedDuration::from_millis(1200), false);
        let cache = CredentialCache::new(up.clone());
        let first = cache.get().await.unwrap();
        assert_eq!(
            cache.get().await.unwrap().credentials.access_key_id,
            "ASIAKEY1"
        );
        assert_eq!(up.calls.load(Ordering::SeqCst), 1);
        // Past half of the lifetime, before expiry: a new fetch.
        tokio::time::sleep(Duration::from_millis(700)).await;
        let second = cache.get().await.unwrap();
        assert_eq!(second.credentials.access_key_id, "ASIAKEY2");
        assert!(second.expiration > first.expiration);
        assert_eq!(up.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn failures_are_not_hammered() {
        let up = counting(SignedDuration::from_hours(1), true);
        let cache = CredentialCache::new(up.clone());
        let e = cache.get().await.unwrap_err();
        assert!(e.to_string().contains("upstream down"), "{e}");
        // Within the hold, the same error without a fetch.
        assert!(cache.get().await.is_err());
        assert_eq!(up.calls.load(Ordering::SeqCst), 1);
    }

    /// A clock 50 minutes ahead once `LATE` is set.
    static LATE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    fn late_clock() -> Timestamp {
        let ahead = if LATE.load(Ordering::SeqCst) { 50 } else { 0 };
        crate::time::now() + SignedDuration::from_mins(ahead)
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_serving_credentials_that_are_still_valid() {
        // An hour-long credential; 50 minutes later (inside the 15-minute margin, 10 minutes
        // left) the upstream is down.
        let cache = CredentialCache::new(counting(SignedDuration::from_hours(1), true))
            .with_clock(late_clock);
        cache.seed(good("ASIASEED")).unwrap();
        assert_eq!(
            cache.get().await.unwrap().credentials.access_key_id,
            "ASIASEED"
        );
        assert_eq!(cache.fetches(), 0, "fresh: no fetch");
        LATE.store(true, Ordering::SeqCst);
        assert_eq!(
            cache.get().await.unwrap().credentials.access_key_id,
            "ASIASEED"
        );
        assert_eq!(cache.fetches(), 1, "due: one fetch, which failed");
        assert_eq!(
            cache.get().await.unwrap().credentials.access_key_id,
            "ASIASEED"
        );
        assert_eq!(cache.fetches(), 1, "retried only after RETRY_AFTER");
    }

    #[test]
    fn long_term_keys_are_refused() {
        let cache = CredentialCache::new(counting(SignedDuration::from_hours(1), false));
        let mut c = good("AKIALONG");
        c.session_token = None;
        let e = cache.seed(c).unwrap_err();
        assert!(matches!(e, ServeError::NotTemporary { .. }), "{e}");
    }

    #[test]
    fn unknown_expiry_is_assumed() {
        let cache = CredentialCache::new(counting(SignedDuration::from_hours(1), false));
        let mut c = good("ASIANOEXP");
        c.expiration = None;
        let s = cache.seed(c).unwrap();
        assert_eq!(s.expiration, s.fetched_at + ASSUMED_LIFETIME);
        assert_eq!(
            cache.refresh_at().unwrap(),
            s.expiration - SignedDuration::from_mins(15)
        );
    }

    fn good(key: &str) -> AwsCredentials {
        AwsCredentials {
            access_key_id: key.to_owned(),
            secret_access_key: Secret::new("s"),
            session_token: Some(Secret::new("t")),
            expiration: Some(crate::time::now() + SignedDuration::from_hours(1)),
            source: "seed".to_owned(),
        }
    }
}

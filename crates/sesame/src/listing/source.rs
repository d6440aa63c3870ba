//! [`Listing`]: a session's accounts and roles, from the [`Source`] that serves them: the cache
//! when it is fresh, else the portal (then cached).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures_util::stream::{self, BoxStream, StreamExt as _, TryStreamExt as _};
use jiff::Timestamp;
use tokio::sync::mpsc;

use super::cache::{CachedAccount, CachedListing, CachedRoles, ListingCache};
use super::lister::PortalLister;
use super::{AccountRoles, Filter, Listed, ListingError, ListingOptions};
use crate::env::Env;
use crate::pace::Pacing;
use crate::progress::ProgressSink;
use crate::sso::portal::AccountInfo;
use crate::sso::{Sso, SsoError, SsoSession};
use crate::time;

/// Where a [`Listed`] stream's items come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The cache alone, no network; the account list was fetched at this time.
    Cache {
        /// When the account list was fetched.
        fetched_at: Timestamp,
    },
    /// The portal (perhaps with part from the cache).
    Portal,
}

/// How many results wait in a [`Listed`] channel for a slow reader.
const CHANNEL: usize = 256;

/// The accounts and roles of one session, paced, retried, cached. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Listing {
    sso: Sso,
    session: SsoSession,
    cache: ListingCache,
    options: ListingOptions,
    pacing: Pacing,
}

/// An account on its way through the pipeline, with its roles if they were needed.
type Step = (AccountInfo, Option<Vec<String>>);

impl Listing {
    /// A listing of `session` with the process-wide pacing of its portal endpoint.
    pub fn new(sso: &Sso, env: &Env, session: &SsoSession, options: ListingOptions) -> Self {
        let pacing = Pacing::shared(
            &session.portal_endpoint,
            options.pacer.clone(),
            options.retry.clone(),
        );
        Self {
            sso: sso.clone(),
            session: session.clone(),
            cache: ListingCache::from_env(env),
            options,
            pacing,
        }
    }

    /// The same listing with [`ListingOptions::refresh`] set: it asks the portal whatever the
    /// cache holds.
    pub fn refreshing(&self) -> Self {
        let mut me = self.clone();
        me.options.refresh = true;
        me
    }

    /// The pacing the portal calls go through; its counters say what they did.
    pub fn pacing(&self) -> &Pacing {
        &self.pacing
    }

    /// The cache this listing reads and writes.
    pub fn cache(&self) -> &ListingCache {
        &self.cache
    }

    /// The accounts the filter keeps (with a `--role` filter: those with a matching role), in
    /// arrival order.
    pub async fn accounts(&self, filter: &Filter) -> Result<Listed<AccountInfo>, ListingError> {
        let role_filter = filter.needs_roles();
        let (source, steps) = self.steps(filter, role_filter).await?;
        Ok(spawn(source, steps, move |(account, roles)| {
            let has_role = roles.is_some_and(|r| !r.is_empty());
            (!role_filter || has_role).then_some(account)
        }))
    }

    /// Each account the filter keeps, with its roles that the filter keeps, as each account
    /// completes. With a `--role` filter an account may come with no roles (none matched): it
    /// is still yielded, so a caller can tell a wrong `--account` from a wrong `--role`.
    pub async fn roles(&self, filter: &Filter) -> Result<Listed<AccountRoles>, ListingError> {
        let (source, steps) = self.steps(filter, true).await?;
        Ok(spawn(source, steps, |(account, roles)| {
            Some(AccountRoles {
                account,
                roles: roles.unwrap_or_default(),
            })
        }))
    }

    /// Decides between cache and portal, checks the login, and builds the pipeline: accounts →
    /// filter → roles (cache or portal, concurrently) → role filter, writing the cache at its end.
    async fn steps(
        &self,
        filter: &Filter,
        with_roles: bool,
    ) -> Result<(Source, Steps), ListingError> {
        let now = time::now();
        let options = &self.options;
        let cached = (options.cache && !options.refresh)
            .then(|| self.cache.load(&self.session))
            .flatten()
            .filter(|c| c.accounts_fresh(now, options.max_age));
        let network = match &cached {
            None => true,
            Some(c) => {
                with_roles
                    && c.accounts.iter().any(|a| {
                        filter.keeps_account(&a.account)
                            && c.fresh_roles(&a.account.account_id, now, options.max_age)
                                .is_none()
                    })
            }
        };
        let lister = if network {
            let token = self.sso.access_token(&self.session).await?;
            let portal = self.sso.portal(&self.session)?;
            Some(PortalLister::new(
                portal,
                token,
                self.pacing.clone(),
                options.concurrency,
            ))
        } else {
            self.check_login()?;
            None
        };
        let source = match (&cached, network) {
            (Some(c), false) => Source::Cache {
                fetched_at: c.accounts_fetched_at,
            },
            _ => Source::Portal,
        };
        let pipeline = Pipeline {
            filter: filter.clone(),
            with_roles,
            lister,
            cached,
            now,
            max_age: options.max_age,
            concurrency: options.concurrency.max(1),
            store: options
                .cache
                .then(|| (self.cache.clone(), self.session.clone())),
            // Only a listing that asks the portal takes long enough to show.
            progress: if network {
                options.progress.clone()
            } else {
                ProgressSink::default()
            },
        };
        Ok((source, pipeline.run()))
    }

    /// With no network call to make, the login is still checked (locally): a listing is for
    /// someone logged in. An expired token that can be refreshed counts as logged in.
    fn check_login(&self) -> Result<(), SsoError> {
        let now = time::now();
        let required = |reason: &str| SsoError::LoginRequired {
            session: self.session.display_name(),
            reason: reason.to_owned(),
        };
        let token = self
            .sso
            .tokens()
            .load(&self.session.token_key())?
            .ok_or_else(|| required("not logged in"))?;
        if token.is_expired(now) && !token.can_refresh(now) {
            return Err(required("the token expired"));
        }
        Ok(())
    }
}

/// Runs the pipeline on a task feeding a [`Listed`] channel. The cache is written (when `steps`
/// is dropped) before the channel closes, so a reader that saw the end can exit at once.
fn spawn<T: Send + 'static>(
    source: Source,
    steps: Steps,
    item: impl Fn(Step) -> Option<T> + Send + 'static,
) -> Listed<T> {
    let (tx, rx) = mpsc::channel(CHANNEL);
    let task = tokio::spawn(async move {
        let mut steps = steps;
        while let Some(step) = steps.stream.next().await {
            let step = match step.map(&item) {
                Ok(None) => continue,
                Ok(Some(item)) => Ok(item),
                Err(e) => Err(e),
            };
            let failed = step.is_err();
            if tx.send(step).await.is_err() || failed {
                break;
            }
        }
        drop(steps);
        drop(tx);
    });
    Listed { source, rx, task }
}

/// One listing's plan, consumed by [`Pipeline::run`].
struct Pipeline {
    filter: Filter,
    with_roles: bool,
    lister: Option<PortalLister>,
    cached: Option<CachedListing>,
    now: Timestamp,
    max_age: std::time::Duration,
    concurrency: usize,
    store: Option<(ListingCache, SsoSession)>,
    progress: ProgressSink,
}

/// What a listing fetched from the portal, for the cache.
#[derive(Default)]
struct Fetched {
    /// Every account, when the account list came from the portal (complete once it ended).
    accounts: Vec<AccountInfo>,
    accounts_done: bool,
    accounts_failed: bool,
    roles: HashMap<String, Vec<String>>,
}

/// The pipeline's stream, and the guard that writes the cache once the stream is dropped.
struct Steps {
    stream: BoxStream<'static, Result<Step, ListingError>>,
    _store: StoreOnDrop,
}

impl Pipeline {
    fn run(self) -> Steps {
        let fetched = Arc::new(Mutex::new(Fetched::default()));
        let accounts: BoxStream<'static, Result<AccountInfo, ListingError>> =
            match (&self.cached, &self.lister) {
                (Some(c), _) => {
                    let list: Vec<_> = c.accounts.iter().map(|a| Ok(a.account.clone())).collect();
                    stream::iter(list).boxed()
                }
                (None, Some(lister)) => {
                    let (tap, tap_err, tap_end) =
                        (fetched.clone(), fetched.clone(), fetched.clone());
                    // Marks the account list complete when the portal stream ends without an error.
                    let end = stream::once(async move {
                        let mut f = lock(&tap_end);
                        f.accounts_done = !f.accounts_failed;
                    })
                    .filter_map(|()| std::future::ready(None));
                    lister
                        .accounts()
                        .inspect_ok(move |a| lock(&tap).accounts.push(a.clone()))
                        .inspect_err(move |_| lock(&tap_err).accounts_failed = true)
                        .chain(end)
                        .boxed()
                }
                (None, None) => unreachable!("no cache means a portal lister"),
            };
        let filter = self.filter.clone();
        let found = self.progress.clone();
        let kept = accounts
            .try_filter(move |a| std::future::ready(filter.keeps_account(a)))
            .inspect_ok(move |_| found.found(1));
        let stream: BoxStream<'static, Result<Step, ListingError>> = if self.with_roles {
            // The cached role lists still fresh, by account id.
            let hits: HashMap<String, Vec<String>> = self
                .cached
                .iter()
                .flat_map(|c| c.accounts.iter())
                .filter_map(|a| {
                    let fresh = self.cached.as_ref()?.fresh_roles(
                        &a.account.account_id,
                        self.now,
                        self.max_age,
                    )?;
                    Some((a.account.account_id.clone(), fresh.to_vec()))
                })
                .collect();
            let hits = Arc::new(hits);
            let lister = self.lister.clone();
            let tap = fetched.clone();
            let filter = self.filter.clone();
            let progress = self.progress.clone();
            kept.map(move |account| {
                let (hits, lister, tap) = (hits.clone(), lister.clone(), tap.clone());
                let progress = progress.clone();
                async move {
                    let account = account?;
                    let id = account.account_id.clone();
                    let names = match (hits.get(&id), &lister) {
                        (Some(names), _) => names.clone(),
                        (None, Some(l)) => {
                            let names = l.role_names(&id).await?;
                            lock(&tap).roles.insert(id, names.clone());
                            names
                        }
                        (None, None) => {
                            unreachable!("roles missing from the cache mean a portal lister")
                        }
                    };
                    progress.done(1);
                    Ok((account, Some(names)))
                }
            })
            .buffer_unordered(self.concurrency)
            .map_ok(move |(account, roles)| {
                let roles =
                    roles.map(|names| names.into_iter().filter(|r| filter.keeps_role(r)).collect());
                (account, roles)
            })
            .boxed()
        } else {
            let progress = self.progress.clone();
            kept.inspect_ok(move |_| progress.done(1))
                .map_ok(|a| (a, None))
                .boxed()
        };
        let store = StoreOnDrop {
            store: self.store,
            cached: self.cached,
            started: self.now,
            fetched,
        };
        Steps {
            stream,
            _store: store,
        }
    }
}

fn lock(m: &Mutex<Fetched>) -> std::sync::MutexGuard<'_, Fetched> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Writes the cache when the pipeline is done with, whichever way it ended.
struct StoreOnDrop {
    store: Option<(ListingCache, SsoSession)>,
    cached: Option<CachedListing>,
    started: Timestamp,
    fetched: Arc<Mutex<Fetched>>,
}

impl Drop for StoreOnDrop {
    fn drop(&mut self) {
        let Some((cache, session)) = self.store.take() else {
            return;
        };
        let fetched = std::mem::take(&mut *lock(&self.fetched));
        let base = if fetched.accounts_done {
            CachedListing {
                accounts_fetched_at: self.started,
                accounts: fetched
                    .accounts
                    .into_iter()
                    .map(|account| CachedAccount {
                        account,
                        roles: None,
                    })
                    .collect(),
            }
        } else if let Some(c) = self.cached.take() {
            if fetched.roles.is_empty() {
                return; // nothing new
            }
            c
        } else {
            return; // the account list is incomplete: nothing worth keeping
        };
        let mut listing = base;
        // Roles already cached for accounts still listed are kept by the merge in `store`.
        for account in &mut listing.accounts {
            if let Some(names) = fetched.roles.get(&account.account.account_id) {
                account.roles = Some(CachedRoles {
                    fetched_at: self.started,
                    names: names.clone(),
                });
            }
        }
        if let Err(e) = cache.store(&session, listing) {
            tracing::warn!("the listing was not cached: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;
    use crate::config::AwsConfig;
    use crate::progress::{Progress, ProgressSink};
    use crate::sso::{LoginFlow, LoginOptions, LoginPrompt, SessionSelector};

    struct Approved;
    impl LoginPrompt for Approved {
        fn device_code(&self, _: &str, _: Option<&str>, _: &str) {}
        fn authorize(&self, _: &str) {}
    }

    #[derive(Default)]
    struct Count {
        found: AtomicU64,
        done: AtomicU64,
    }

    impl Progress for Count {
        fn found(&self, n: u64) {
            self.found.fetch_add(n, Ordering::Relaxed);
        }
        fn done(&self, n: u64) {
            self.done.fetch_add(n, Ordering::Relaxed);
        }
    }

    #[tokio::test]
    async fn a_listing_from_the_portal_reports_each_account_found_and_done_and_a_cached_one_nothing()
     {
        let emulator = sesame_emulator::start(sesame_emulator::EmulatorConfig {
            accounts: 30,
            ..sesame_emulator::EmulatorConfig::auto_approving()
        })
        .await
        .unwrap();
        let home = tempfile::tempdir().unwrap();
        let url = emulator.url();
        let env = Env::from_vars([
            ("HOME", home.path().to_string_lossy().into_owned()),
            ("AWS_ENDPOINT_URL_SSO", url.clone()),
            ("AWS_ENDPOINT_URL_SSO_OIDC", url.clone()),
        ]);
        let text =
            format!("[sso-session acme]\nsso_start_url = {url}/start\nsso_region = us-east-1\n");
        crate::fsutil::write_atomic(&env.config_file(), text.as_bytes(), 0o600).unwrap();
        let config = AwsConfig::load(env.config_file()).unwrap();
        let session = SessionSelector {
            sso_session: Some("acme".into()),
            ..Default::default()
        }
        .resolve(&env, &config)
        .unwrap();
        let sso = Sso::new(&env).unwrap();
        let login = LoginOptions {
            flow: LoginFlow::DeviceCode,
            ..LoginOptions::default()
        };
        sso.login(&session, &login, &Approved).await.unwrap();

        let count = Arc::new(Count::default());
        let options = ListingOptions {
            progress: ProgressSink::new(count.clone()),
            ..ListingOptions::default()
        };
        let listing = Listing::new(&sso, &env, &session, options);
        let items = listing.roles(&Filter::all()).await.unwrap();
        assert_eq!(items.collect().await.unwrap().len(), 30);
        assert_eq!(count.found.load(Ordering::Relaxed), 30);
        assert_eq!(count.done.load(Ordering::Relaxed), 30);

        let again = listing.roles(&Filter::all()).await.unwrap();
        assert!(matches!(again.source(), Source::Cache { .. }));
        assert_eq!(again.collect().await.unwrap().len(), 30);
        assert_eq!(
            count.found.load(Ordering::Relaxed),
            30,
            "the cache reports nothing"
        );
    }
}

//! Every account and role a login reaches, listed at scale: paced, retried, streamed, cached.
//!
//! Identity Center throttles its portal API (about 20 requests a second), and listing roles
//! takes one ListAccountRoles call per account, so 2,000 accounts are 2,000+ calls. This module
//! makes them concurrently (at most [`ListingOptions::concurrency`] in flight) through one
//! adaptive [`Pacer`] per endpoint shared by the whole process, retries throttles, server faults
//! and broken connections with jittered backoff within a [`RetryBudget`], and yields results as
//! they arrive. A per-session [`ListingCache`] makes a repeated listing instant and offline.
//!
//! # The API
//!
//! - [`Listing`]: the front door, for a session (what `sesame accounts`, `sesame roles`,
//!   `sesame populate` and `sesame run` use). [`Listing::accounts`] and [`Listing::roles`]
//!   return a [`Listed`] stream, served from the cache when it is fresh, else from the portal
//!   (and then written to the cache), filtered by a [`Filter`].
//! - [`PortalLister`]: the same streams straight from the portal, no cache, for callers that
//!   hold a token and a [`PortalClient`](crate::sso::portal::PortalClient).
//! - [`Pacing`] (from [`crate::pace`]): the pacer and retry budget; [`Pacing::call`] runs any
//!   Identity Center call paced and retried (GetRoleCredentials fan-outs go through it too).
//!
//! # Example
//!
//! Runnable as is: the hidden lines start an emulated Identity Center and log in to it; in real
//! use the session comes from your config and `sesame login`.
//!
//! ```
//! use futures_util::TryStreamExt as _;
//! use sesame::config::AwsConfig;
//! use sesame::env::Env;
//! use sesame::listing::{sort_account_roles, Filter, Listing, ListingOptions, Source};
//! use sesame::sso::{SessionSelector, Sso};
//! # use sesame::sso::{LoginFlow, LoginOptions, LoginPrompt};
//! # struct Approved;
//! # impl LoginPrompt for Approved {
//! #     fn device_code(&self, _: &str, _: Option<&str>, _: &str) {}
//! #     fn authorize(&self, _: &str) {}
//! # }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = sesame_emulator::start(sesame_emulator::EmulatorConfig {
//! #     accounts: 30,
//! #     ..sesame_emulator::EmulatorConfig::auto_approving()
//! # })
//! # .await?;
//! # let home = tempfile::tempdir()?;
//! # let url = emulator.url();
//! # let env = Env::from_vars([
//! #     ("HOME", home.path().to_string_lossy().into_owned()),
//! #     ("AWS_ENDPOINT_URL_SSO", url.clone()),
//! #     ("AWS_ENDPOINT_URL_SSO_OIDC", url.clone()),
//! # ]);
//! # let text = format!("[sso-session acme]\nsso_start_url = {url}/start\nsso_region = us-east-1\n");
//! # sesame::fsutil::write_atomic(&env.config_file(), text.as_bytes(), 0o600)?;
//! let config = AwsConfig::load(&env.config_file())?;
//! let session = SessionSelector { sso_session: Some("acme".into()), ..Default::default() }
//!     .resolve(&env, &config)?;
//! let sso = Sso::new(&env)?;
//! # let login = LoginOptions { flow: LoginFlow::DeviceCode, ..LoginOptions::default() };
//! # sso.login(&session, &login, &Approved).await?;
//! let listing = Listing::new(&sso, &env, &session, ListingOptions::default());
//!
//! // Every account whose name matches `*prod*`, with its roles, as each account completes.
//! let mut stream = listing.roles(&Filter::all().account("*prod*")).await?;
//! let mut found = Vec::new();
//! while let Some(item) = stream.try_next().await? {
//!     assert!(item.account.account_name.to_lowercase().contains("prod"));
//!     found.push(item);
//! }
//! sort_account_roles(&mut found);
//! for item in &found {
//!     for role in &item.roles {
//!         println!("{} {} {role}", item.account.account_id, item.account.account_name);
//!     }
//! }
//!
//! // The listing is cached per session: the same request again makes no call.
//! let again = listing.roles(&Filter::all().account("*prod*")).await?;
//! assert!(matches!(again.source(), Source::Cache { .. }));
//! assert_eq!(again.collect().await?.len(), found.len());
//! # Ok(())
//! # }
//! ```

mod cache;
mod filter;
mod lister;
mod source;

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use serde::Serialize;
use tokio::sync::mpsc;

pub use crate::pace::{
    CallStats, Failure, Pacer, PacerConfig, PacerStats, Pacing, RetryBudget, RetryPolicy,
};
pub use cache::{CachedAccount, CachedListing, CachedRoles, ListingCache};
pub use filter::{AccountPattern, Filter, RolePattern};
pub use lister::{DEFAULT_CONCURRENCY, PortalLister};
pub use source::{Listing, Source};

use crate::pace::CallError;
use crate::progress::ProgressSink;
use crate::sso::SsoError;
use crate::sso::portal::AccountInfo;

/// How long a cached listing is used before it is fetched again, unless told otherwise.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(3600);

/// An account and the names of the roles the user has in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountRoles {
    /// The account.
    pub account: AccountInfo,
    /// Its role names (after any `--role` filter), in the portal's order.
    pub roles: Vec<String>,
}

/// How a [`Listing`] works.
#[derive(Debug, Clone)]
pub struct ListingOptions {
    /// Use the cache (read it when fresh, write it after a fetch). Off: neither.
    pub cache: bool,
    /// How old a cached listing may be and still be used.
    pub max_age: Duration,
    /// Fetch from the portal even if the cache is fresh (and then refresh the cache).
    pub refresh: bool,
    /// Calls in flight at most.
    pub concurrency: usize,
    /// The pacer's knobs (used by the first listing of the process for this endpoint).
    pub pacer: PacerConfig,
    /// The retry policy (likewise).
    pub retry: RetryPolicy,
    /// Told of each account found and each account whose roles are listed (when the portal is
    /// asked; a listing served from the cache reports nothing).
    pub progress: ProgressSink,
}

impl Default for ListingOptions {
    fn default() -> Self {
        Self {
            cache: true,
            max_age: DEFAULT_MAX_AGE,
            refresh: false,
            concurrency: DEFAULT_CONCURRENCY,
            pacer: PacerConfig::default(),
            retry: RetryPolicy::default(),
            progress: ProgressSink::default(),
        }
    }
}

/// Why a listing failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ListingError {
    /// A call failed for good (no access, login required, bad answer), or the token or config
    /// could not be read.
    #[error(transparent)]
    Sso(#[from] SsoError),
    /// A call kept failing with throttles, server faults or broken connections.
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
        source: SsoError,
    },
}

impl From<CallError<SsoError>> for ListingError {
    fn from(e: CallError<SsoError>) -> Self {
        match e {
            CallError::Final(e) => ListingError::Sso(e),
            CallError::GaveUp {
                operation,
                attempts,
                budget_spent,
                source,
                ..
            } => ListingError::GaveUp {
                operation,
                attempts,
                budget_spent,
                source,
            },
            CallError::Deadline { passed, .. } => ListingError::Sso(SsoError::Deadline(passed)),
        }
    }
}

impl ListingError {
    /// Whether the user has to log in again.
    pub fn is_login_required(&self) -> bool {
        matches!(self, ListingError::Sso(e) if e.is_login_required())
    }

    /// Whether the service kept throttling until sesame gave up.
    pub fn is_throttled(&self) -> bool {
        matches!(self, ListingError::GaveUp { source, .. } if Failure::of(source) == Failure::Throttle)
    }
}

/// A stream of listing results, produced by a background task as pages arrive. The first
/// error ends it. Dropping it stops the listing.
///
/// It is a [`futures_util::Stream`]; without that trait in scope, [`Listed::next`] and
/// [`Listed::collect`] do the common things.
#[derive(Debug)]
pub struct Listed<T> {
    source: Source,
    rx: mpsc::Receiver<Result<T, ListingError>>,
    task: tokio::task::JoinHandle<()>,
}

impl<T> Listed<T> {
    /// Where the items come from.
    pub fn source(&self) -> Source {
        self.source
    }

    /// The next item, or `None` at the end.
    pub async fn next(&mut self) -> Option<Result<T, ListingError>> {
        self.rx.recv().await
    }

    /// Every item, in arrival order (see [`sort_accounts`] and [`sort_account_roles`]).
    pub async fn collect(mut self) -> Result<Vec<T>, ListingError> {
        let mut out = Vec::new();
        while let Some(item) = self.rx.recv().await {
            out.push(item?);
        }
        Ok(out)
    }
}

impl<T> futures_util::Stream for Listed<T> {
    type Item = Result<T, ListingError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx)
    }
}

impl<T> Drop for Listed<T> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The order sesame shows accounts in: by name ignoring case, then by id.
pub fn sort_accounts(accounts: &mut [AccountInfo]) {
    accounts.sort_by_cached_key(account_order);
}

/// The sort key behind [`sort_accounts`], for lists that carry more than the account.
pub fn account_order(a: &AccountInfo) -> (String, String, String) {
    (
        a.account_name.to_lowercase(),
        a.account_name.clone(),
        a.account_id.clone(),
    )
}

/// The order sesame shows roles in: accounts as [`sort_accounts`], role names ignoring case.
pub fn sort_account_roles(items: &mut [AccountRoles]) {
    items.sort_by_cached_key(|a| account_order(&a.account));
    for item in items {
        item.roles
            .sort_by_cached_key(|r| (r.to_lowercase(), r.clone()));
    }
}

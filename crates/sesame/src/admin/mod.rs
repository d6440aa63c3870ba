//! IAM Identity Center administration: every assignment (principal × permission set × account)
//! of an instance, with names, filters and OU targets, as aws-sso-lib's `list_assignments`
//! but concurrent and streaming; and name ↔ id lookups.
//!
//! The Identity Center API lists assignments only per account and permission set, so the walk
//! is: the accounts (organizations ListAccounts, or ListAccountsForParent for OU targets) → the
//! permission sets provisioned to each (sso-admin ListPermissionSetsProvisionedToAccount) → the
//! assignments of each pair (ListAccountAssignments), all pages, paced and retried.
//!
//! ```no_run
//! # async fn demo() -> Result<(), sesame::admin::AdminError> {
//! use sesame::admin::{self, AdminOptions, AssignmentQuery, Directory};
//! let env = sesame::env::Env::from_process();
//! let client = admin::client_from_env(&env, &AdminOptions::default()).await?;
//! let dir = Directory::open(client, None, None).await?;
//! let query = AssignmentQuery { principals: vec!["GROUP:eng-*".into()], names: true, ..Default::default() };
//! let mut stream = admin::list_assignments(&dir, &query).await?;
//! while let Some(a) = stream.next().await {
//!     let a = a?;
//!     println!("{} {:?} {}", a.principal_id, a.permission_set_name, a.target_id);
//! }
//! # Ok(()) }
//! ```
//!
//! - [`client`]'s [`AdminClient`]: the signed JSON 1.1 calls (the one wire module here).
//! - [`credentials`]: which region the calls use (their keys: [`crate::credentials::chain`]).
//! - [`Directory`]: the instance, and cached names; [`filter`]: what filter values mean.
//! - [`list_assignments`] → [`AssignmentStream`] of [`Assignment`]; [`lookup()`].

pub mod client;
pub mod credentials;
mod directory;
mod error;
pub mod filter;
mod lookup;
mod operations;
#[cfg(test)]
mod tests;
mod walk;

pub use client::AdminClient;
pub use credentials::resolve_region;
pub use directory::{Directory, Principal, TargetAccount};
pub use error::AdminError;
pub use filter::PrincipalType;
pub use lookup::{Entry, LookupKind, instances, lookup};
pub use operations::{
    Account, Group, Instance, InstanceRegion, OrganizationalUnit, PermissionSet, User,
};
pub use walk::{Assignment, AssignmentQuery, AssignmentStream, list_assignments};

use crate::config::AwsConfig;
use crate::credentials::chain::{self, CredentialSource};
use crate::env::Env;
use crate::pace::{PacerConfig, RetryPolicy};

/// Where the admin calls' credentials, region and endpoints come from.
#[derive(Debug, Clone, Default)]
pub struct AdminOptions {
    /// `--profile`: its credentials (any kind [`chain`] resolves), region and endpoint settings
    /// (else the environment's).
    pub profile: Option<String>,
    /// `--region`: the Identity Center region (else `AWS_REGION`, ..., the profile's).
    pub region: Option<String>,
    /// How hard to drive the APIs.
    pub pacing: AdminPacing,
}

/// How hard the admin calls drive the APIs (`--concurrency`, `--rate`): a bound on requests in
/// flight across the three services, and for each service its own adaptive pacer and retry
/// budget ([`crate::pace`], as the Identity Center listing's).
#[derive(Debug, Clone, PartialEq)]
pub struct AdminPacing {
    /// Requests in flight at most, all services together.
    pub concurrency: usize,
    /// Each service's pacer.
    pub pacer: PacerConfig,
    /// Each service's retries (attempts, backoff) and retry budget.
    pub retry: RetryPolicy,
}

impl AdminPacing {
    /// Requests in flight unless told otherwise.
    pub const DEFAULT_CONCURRENCY: usize = 8;
    /// Requests a second to each service unless told otherwise.
    pub const DEFAULT_RATE: f64 = 40.0;
    /// The slowest the pacer goes, however hard the service throttles.
    pub const MIN_RATE: f64 = 1.0;

    /// At most `concurrency` requests in flight and `rate` requests a second to each service
    /// (at least [`Self::MIN_RATE`]): paced at `rate` from the first call; on a throttle, 0.7 ×
    /// the rate actually sent, then back up to `rate` along the pacer's CUBIC curve. Retries are
    /// [`RetryPolicy::default`]'s.
    pub fn new(concurrency: usize, rate: f64) -> Self {
        // `max` also turns NaN into the floor.
        let rate = rate.max(Self::MIN_RATE);
        Self {
            concurrency: concurrency.max(1),
            pacer: PacerConfig {
                initial_rate: Some(rate),
                min_rate: Self::MIN_RATE,
                max_rate: rate,
                ..PacerConfig::default()
            },
            retry: RetryPolicy::default(),
        }
    }
}

impl Default for AdminPacing {
    /// 8 in flight, at most 40 requests a second to each service.
    fn default() -> Self {
        Self::new(Self::DEFAULT_CONCURRENCY, Self::DEFAULT_RATE)
    }
}

/// A client from the environment and the shared config and credentials files: credentials by
/// [`chain::resolve`], region by [`resolve_region`], endpoints with botocore's overrides.
pub async fn client_from_env(env: &Env, options: &AdminOptions) -> Result<AdminClient, AdminError> {
    client_from_env_with(env, options, None).await
}

/// [`client_from_env`], asking `mfa` for the code of an assume-role profile with `mfa_serial`.
pub async fn client_from_env_with(
    env: &Env,
    options: &AdminOptions,
    mfa: Option<&chain::MfaPrompt>,
) -> Result<AdminClient, AdminError> {
    let config = AwsConfig::from_env(env)?;
    let profile = options.profile.as_deref();
    let source = match profile {
        Some(p) => CredentialSource::Profile(p.to_owned()),
        None => CredentialSource::Auto,
    };
    let credentials = chain::resolve_with(env, &source, mfa).await?;
    let region = resolve_region(env, &config, profile, options.region.as_deref())?;
    let http =
        crate::http::api_client(crate::http::CaBundle::resolve(env, &config, profile).as_ref())?;
    AdminClient::new(
        http,
        credentials,
        &region,
        env,
        &config,
        profile,
        options.pacing.clone(),
    )
}

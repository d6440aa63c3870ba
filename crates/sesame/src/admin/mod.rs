//! IAM Identity Center administration: every assignment (principal × permission set × account)
//! of an instance, with names, filters and OU targets, as aws-sso-lib's `list_assignments`
//! (seed 002) but concurrent and streaming; and name ↔ id lookups.
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
//! let client = admin::client_from_env(&env, &AdminOptions::default())?;
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
//! - [`credentials`]: which AWS credentials and region the calls use.
//! - [`Directory`]: the instance, and cached names; [`filter`]: what filter values mean.
//! - [`list_assignments`] → [`AssignmentStream`] of [`Assignment`]; [`lookup()`].

mod api;
pub mod client;
pub mod credentials;
mod directory;
mod error;
pub mod filter;
mod lookup;
mod pace;
#[cfg(test)]
mod tests;
mod walk;

pub use api::{Account, Group, Instance, OrganizationalUnit, PermissionSet, User};
pub use client::AdminClient;
pub use credentials::{resolve_credentials, resolve_region};
pub use directory::{Directory, Principal, TargetAccount};
pub use error::AdminError;
pub use filter::PrincipalType;
pub use lookup::{Entry, LookupKind, instances, lookup};
pub use pace::Pacing;
pub use walk::{Assignment, AssignmentQuery, AssignmentStream, list_assignments};

use crate::config::{AwsConfig, AwsCredentialsFile};
use crate::env::Env;

/// Where the admin calls' credentials, region and endpoints come from.
#[derive(Debug, Clone, Default)]
pub struct AdminOptions {
    /// `--profile`: its keys, region and endpoint settings (else the environment's).
    pub profile: Option<String>,
    /// `--region`: the Identity Center region (else `AWS_REGION`, ..., the profile's).
    pub region: Option<String>,
    /// How hard to drive the APIs.
    pub pacing: Pacing,
}

/// A client from the environment and the shared config and credentials files: credentials by
/// [`resolve_credentials`], region by [`resolve_region`], endpoints with botocore's overrides.
pub fn client_from_env(env: &Env, options: &AdminOptions) -> Result<AdminClient, AdminError> {
    let config = AwsConfig::from_env(env)?;
    let credentials_file = AwsCredentialsFile::from_env(env)?;
    let profile = options.profile.as_deref();
    let credentials = resolve_credentials(env, &config, &credentials_file, profile)?;
    let region = resolve_region(env, &config, profile, options.region.as_deref())?;
    let http = crate::http::api_client()
        .map_err(|e| AdminError::Internal(format!("cannot build the HTTP client: {e}")))?;
    AdminClient::new(
        http,
        credentials,
        &region,
        env,
        &config,
        profile,
        options.pacing,
    )
}

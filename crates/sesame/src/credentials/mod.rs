//! Role credentials for (session, account, role): cached, shared with the AWS CLI v2, and handed
//! to aws-sdk-rust.
//!
//! - [`RoleSpec`] / [`RoleTarget`]: which role a caller means, a profile read as botocore's
//!   `SSOProvider` reads it (`sso_session` + `sso_account_id` + `sso_role_name`, or the legacy
//!   `sso_start_url`/`sso_region` in the profile) or an ad hoc account (id or name) and role.
//! - [`warm`]: the warm path, a valid cached entry with no network, no HTTP client, no async
//!   runtime: what `sesame credential-process` runs first.
//! - [`CredentialResolver`]: the cold path. The AWS CLI v2's `~/.aws/cli/cache` entry (same key,
//!   same bytes, so `aws` reuses what sesame fetched and the other way round) while it has more
//!   than the margin (15 minutes) left; else [`Sso::access_token`](crate::sso::Sso::access_token)
//!   (refreshing the SSO token when it can) and GetRoleCredentials, stored atomically with mode
//!   0600. Single-flight across processes: 200 callers on an expired entry make one call.
//! - [`SsoCredentialsProvider`]: `aws_credential_types::provider::ProvideCredentials`, so
//!   `aws_config::defaults(..).credentials_provider(provider)` gives every SDK client the role.
//! - [`chain`]: AWS credentials for a profile or the environment, in botocore's order (environment
//!   keys, SSO profile through [`CredentialResolver`], static keys, `credential_process`): what
//!   `sesame api` and `sesame admin` sign with.
//! - [`write_to_credentials_file`]: static keys into `~/.aws/credentials`, other bytes kept.
//! - [`console`]: a federated console sign-in URL (getSigninToken).
//!
//! # Example: an SDK client on a role, the `get_boto3_session` of Rust
//!
//! ```no_run
//! use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
//! use sesame::credentials::SsoCredentialsProvider;
//! use sesame::env::Env;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! // `[profile dev]` with sso_session, sso_account_id and sso_role_name, after `sesame login`.
//! let provider = SsoCredentialsProvider::from_profile(&Env::from_process(), "dev")?;
//! // With aws-config: `aws_config::defaults(BehaviorVersion::latest())
//! //     .credentials_provider(provider.clone()).load().await`; any SDK config takes it as
//! // a `SharedCredentialsProvider`:
//! let shared = SharedCredentialsProvider::new(provider.clone());
//! let creds = shared.provide_credentials().await?;
//! println!("{} until {:?}", creds.access_key_id(), creds.expiry());
//! # Ok(())
//! # }
//! ```
//!
//! For an account and role that no profile names:
//!
//! ```no_run
//! use sesame::credentials::{RoleTarget, SsoCredentialsProvider};
//! use sesame::config::AwsConfig;
//! use sesame::env::Env;
//! use sesame::sso::SessionSelector;
//!
//! # fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let env = Env::from_process();
//! let config = AwsConfig::from_env(&env)?;
//! let session = SessionSelector { sso_session: Some("corp".into()), ..Default::default() }
//!     .resolve(&env, &config)?;
//! let provider = SsoCredentialsProvider::new(
//!     &env,
//!     RoleTarget::new(session, "111122223333", "ReadOnlyAccess"),
//! )?;
//! # let _ = provider;
//! # Ok(())
//! # }
//! ```

pub mod chain;
mod child_env;
pub mod console;
mod file;
mod provider;
mod resolver;
mod role_target;
#[cfg(test)]
mod tests;
pub mod warm;

use std::path::PathBuf;

pub use chain::{AwsCredentials, ChainError, CredentialSource};
pub use child_env::{CLEARED, CLEARED_FOR_SERVER, ChildEnv, SET_BY_KEYS};
pub use file::write_to_credentials_file;
pub use provider::{SsoCredentialsProvider, to_sdk};
pub use resolver::CredentialResolver;
pub use role_target::{AccountRef, RoleSpec, RoleTarget};

pub use file::CredentialsFileWrite;

use crate::cache::CacheError;
use crate::config::ConfigError;
use crate::sso::SsoError;

/// Why role credentials could not be had. No variant carries a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// The config or credentials file cannot be read or parsed.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A cache file cannot be read or written.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// Logging in, refreshing the token, or calling the portal failed.
    #[error(transparent)]
    Sso(#[from] SsoError),
    /// No such profile in the config file.
    #[error("profile `{profile}` is not in {}", path.display())]
    UnknownProfile {
        /// The profile asked for.
        profile: String,
        /// The config file.
        path: PathBuf,
        /// The profiles it has.
        available: Vec<String>,
    },
    /// The profile has neither `sso_account_id` nor `sso_role_name`.
    #[error(
        "profile `{profile}` in {} is not an SSO profile (it has no `sso_account_id` or \
         `sso_role_name`)",
        path.display()
    )]
    NotSsoProfile {
        /// The profile.
        profile: String,
        /// The config file.
        path: PathBuf,
    },
    /// botocore would refuse the SSO profile; the message is botocore's.
    #[error("profile `{profile}` in {}: {message}", path.display())]
    InvalidSsoProfile {
        /// The profile.
        profile: String,
        /// The config file.
        path: PathBuf,
        /// botocore's `InvalidConfigError` message.
        message: String,
    },
    /// No account of the login has this name.
    #[error("no account named `{name}` is reachable through {session}")]
    UnknownAccount {
        /// The name asked for.
        name: String,
        /// The session.
        session: String,
    },
    /// Several accounts have this name.
    #[error("several accounts are named `{name}` ({}); give the account id", ids.join(", "))]
    AmbiguousAccount {
        /// The name asked for.
        name: String,
        /// Their ids.
        ids: Vec<String>,
    },
    /// The portal refused GetRoleCredentials (ForbiddenException): the login has no such role in
    /// that account.
    #[error("no access to role `{role_name}` in account {account_id} through {session}")]
    NoAccess {
        /// The account id.
        account_id: String,
        /// The role.
        role_name: String,
        /// The session.
        session: String,
    },
    /// A credentials file section name the file cannot hold.
    #[error("cannot write a [{name}] section: {reason}")]
    BadSectionName {
        /// The section name.
        name: String,
        /// Why.
        reason: String,
    },
    /// The console federation endpoint failed.
    #[error("console sign-in through {endpoint} failed: {reason}")]
    Federation {
        /// The federation endpoint.
        endpoint: String,
        /// What went wrong (never the credentials).
        reason: String,
    },
    /// The console takes temporary credentials only; these are long-term keys.
    #[error(
        "the console needs temporary credentials, and {origin} are long-term keys (no session token)"
    )]
    LongTermKeys {
        /// Where the keys came from.
        origin: String,
    },
    /// A local I/O failure (a lock).
    #[error("{what}: {source}")]
    Io {
        /// What sesame was doing.
        what: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl CredentialsError {
    /// Whether the user has to log in (again) first: the CLI's exit code 3.
    pub fn is_login_required(&self) -> bool {
        matches!(self, CredentialsError::Sso(e) if e.is_login_required())
    }
}

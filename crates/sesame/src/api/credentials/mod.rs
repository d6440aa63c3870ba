//! The credentials a signed call uses, from any source a user has, chosen in botocore's order.
//!
//! - `--account/--role`: role credentials straight from the Identity Center login.
//! - An explicit `--profile NAME`: that profile only; the environment's keys are ignored, as
//!   botocore ignores its `EnvProvider` when a session gets an explicit profile.
//! - Otherwise `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`, or the older
//!   `AWS_SECURITY_TOKEN` first, as botocore reads them), then the profile named by
//!   `AWS_DEFAULT_PROFILE` / `AWS_PROFILE`, else `default`.
//!
//! Within a profile, botocore's provider order: an SSO profile (`sso_session` or
//! `sso_start_url`, with `sso_account_id` and `sso_role_name`), static keys in the credentials
//! file, `credential_process`, static keys in the config file. A SAML login writes static keys
//! with a session token: the same as any other static keys here. `role_arn` (assume-role) and
//! web-identity profiles are refused with a hint rather than half-supported.

mod process;
pub mod sso;

use std::time::SystemTime;

use jiff::Timestamp;

use crate::config::{AwsConfig, AwsCredentialsFile, ConfigError, Profile};
use crate::env::Env;
use crate::secret::Secret;
use crate::sso::{SessionSelector, SsoError};

pub use process::run_credential_process;

/// Keys that sign requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsCredentials {
    /// The access key id (not a secret: it names the key).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Secret,
    /// The session token of temporary credentials.
    pub session_token: Option<Secret>,
    /// When temporary credentials expire, if known.
    pub expiration: Option<Timestamp>,
    /// Where they came from, for messages (`environment`, `profile dev (credential_process)`).
    pub source: String,
}

impl AwsCredentials {
    /// The identity `aws-sigv4` signs with.
    pub fn to_identity(&self) -> aws_smithy_runtime_api::client::identity::Identity {
        let expiry = self.expiration.map(|t| {
            SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(t.as_second().max(0) as u64)
        });
        aws_credential_types::Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.expose().to_owned(),
            self.session_token.as_ref().map(|t| t.expose().to_owned()),
            expiry,
            "sesame",
        )
        .into()
    }
}

/// Which credentials the user asked for.
#[derive(Debug, Clone, Default)]
pub enum CredentialSource {
    /// Environment keys, else the environment's profile, else `default` (botocore's chain).
    #[default]
    Auto,
    /// An explicit `--profile NAME`.
    Profile(String),
    /// An account and role of the Identity Center login.
    SsoRole {
        /// Which session (its `--sso-session` / `--profile` / the only one in the config).
        session: SessionSelector,
        /// The account id.
        account_id: String,
        /// The role (permission set) name.
        role_name: String,
    },
}

/// Why no credentials could be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// The config or credentials file is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The Identity Center login or call failed.
    #[error(transparent)]
    Sso(#[from] SsoError),
    /// Nothing in the chain had credentials.
    #[error(
        "no AWS credentials: no AWS_ACCESS_KEY_ID in the environment and no profile `{profile}` with credentials"
    )]
    NotFound {
        /// The profile looked at (`default` when none was named).
        profile: String,
    },
    /// An explicitly named profile is in neither file.
    #[error("profile `{profile}` is not in {config} nor in {credentials}")]
    NoSuchProfile {
        /// The profile.
        profile: String,
        /// The config file's path.
        config: String,
        /// The credentials file's path.
        credentials: String,
    },
    /// The profile exists but has nothing sesame can sign with.
    #[error(
        "profile `{profile}` has no credentials (no SSO keys, aws_access_key_id or credential_process)"
    )]
    ProfileWithoutCredentials {
        /// The profile.
        profile: String,
    },
    /// One of a pair is missing (an access key without its secret).
    #[error("{what}")]
    Partial {
        /// Which one, where.
        what: String,
    },
    /// A kind of profile sesame does not resolve.
    #[error("profile `{profile}` uses {what}, which `sesame api` does not resolve")]
    Unsupported {
        /// The profile.
        profile: String,
        /// What it uses.
        what: &'static str,
    },
    /// A `credential_process` failed or printed something unusable.
    #[error("credential_process of profile `{profile}`: {reason}")]
    Process {
        /// The profile.
        profile: String,
        /// What went wrong.
        reason: String,
    },
}

/// Resolves `source` against the environment and the two files.
pub async fn resolve(
    env: &Env,
    source: &CredentialSource,
) -> Result<AwsCredentials, CredentialsError> {
    let config = AwsConfig::from_env(env)?;
    match source {
        CredentialSource::SsoRole {
            session,
            account_id,
            role_name,
        } => {
            let session = session.resolve(env, &config)?;
            sso::role_credentials(env, &session, account_id, role_name).await
        }
        CredentialSource::Profile(name) => {
            let creds_file = AwsCredentialsFile::from_env(env)?;
            from_profile(env, &config, &creds_file, name, true).await
        }
        CredentialSource::Auto => {
            if let Some(c) = from_env(env)? {
                return Ok(c);
            }
            let creds_file = AwsCredentialsFile::from_env(env)?;
            let name = env.profile().unwrap_or("default").to_owned();
            from_profile(env, &config, &creds_file, &name, env.profile().is_some()).await
        }
    }
}

/// The region the credentials' profile (or the environment) names: `AWS_REGION`,
/// `AWS_DEFAULT_REGION`, then the profile's `region`.
pub fn default_region(env: &Env, source: &CredentialSource) -> Option<String> {
    if let Some(r) = env
        .var("AWS_REGION")
        .or_else(|| env.var("AWS_DEFAULT_REGION"))
    {
        return Some(r.to_owned());
    }
    let name = match source {
        CredentialSource::Profile(p) => Some(p.as_str()),
        CredentialSource::SsoRole { session, .. } => {
            session.profile.as_deref().or_else(|| env.profile())
        }
        CredentialSource::Auto => Some(env.profile().unwrap_or("default")),
    }?;
    let config = AwsConfig::from_env(env).ok()?;
    config
        .profile(name)?
        .region()
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
}

/// botocore's `EnvProvider`.
fn from_env(env: &Env) -> Result<Option<AwsCredentials>, CredentialsError> {
    let (key, secret) = (
        env.var("AWS_ACCESS_KEY_ID"),
        env.var("AWS_SECRET_ACCESS_KEY"),
    );
    match (key, secret) {
        (None, _) => Ok(None),
        (Some(_), None) => Err(CredentialsError::Partial {
            what: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not".to_owned(),
        }),
        (Some(k), Some(s)) => Ok(Some(AwsCredentials {
            access_key_id: k.to_owned(),
            secret_access_key: Secret::new(s),
            session_token: env
                .var("AWS_SECURITY_TOKEN")
                .or_else(|| env.var("AWS_SESSION_TOKEN"))
                .map(Secret::new),
            expiration: env
                .var("AWS_CREDENTIAL_EXPIRATION")
                .and_then(crate::time::parse_lenient),
            source: "environment".to_owned(),
        })),
    }
}

async fn from_profile(
    env: &Env,
    config: &AwsConfig,
    creds_file: &AwsCredentialsFile,
    name: &str,
    named: bool,
) -> Result<AwsCredentials, CredentialsError> {
    let in_config = config.profile(name);
    let in_creds = creds_file.profile(name);
    let merged = match config.profile_with_credentials(creds_file, name) {
        Some(p) => p,
        None if named => {
            return Err(CredentialsError::NoSuchProfile {
                profile: name.to_owned(),
                config: config.path().display().to_string(),
                credentials: creds_file.path().display().to_string(),
            });
        }
        None => {
            return Err(CredentialsError::NotFound {
                profile: name.to_owned(),
            });
        }
    };
    if merged.get("role_arn").is_some() {
        return Err(CredentialsError::Unsupported {
            profile: name.to_owned(),
            what: "role_arn (assume-role)",
        });
    }
    if merged.get("web_identity_token_file").is_some() {
        return Err(CredentialsError::Unsupported {
            profile: name.to_owned(),
            what: "web_identity_token_file",
        });
    }
    if let Some(p) = &in_config
        && let Some(target) = sso::profile_target(env, config, p)?
    {
        return sso::role_credentials(env, &target.session, &target.account_id, &target.role_name)
            .await;
    }
    if let Some(c) = static_keys(in_creds.as_ref(), name, "the credentials file")? {
        return Ok(c);
    }
    if let Some(command) = merged.credential_process().filter(|c| !c.trim().is_empty()) {
        return process::run_credential_process(name, command).await;
    }
    if let Some(c) = static_keys(in_config.as_ref(), name, "the config file")? {
        return Ok(c);
    }
    if named {
        Err(CredentialsError::ProfileWithoutCredentials {
            profile: name.to_owned(),
        })
    } else {
        Err(CredentialsError::NotFound {
            profile: name.to_owned(),
        })
    }
}

/// `aws_access_key_id` + `aws_secret_access_key` (+ `aws_session_token`, or the older
/// `aws_security_token`) of one file's profile.
fn static_keys(
    profile: Option<&Profile>,
    name: &str,
    file: &str,
) -> Result<Option<AwsCredentials>, CredentialsError> {
    let Some(p) = profile else { return Ok(None) };
    let key = p.get("aws_access_key_id").filter(|v| !v.is_empty());
    let secret = p.get("aws_secret_access_key").filter(|v| !v.is_empty());
    match (key, secret) {
        (None, _) => Ok(None),
        (Some(_), None) => Err(CredentialsError::Partial {
            what: format!(
                "profile `{name}` in {file} has aws_access_key_id but no aws_secret_access_key"
            ),
        }),
        (Some(k), Some(s)) => Ok(Some(AwsCredentials {
            access_key_id: k.to_owned(),
            secret_access_key: Secret::new(s),
            session_token: p
                .get("aws_session_token")
                .or_else(|| p.get("aws_security_token"))
                .filter(|v| !v.is_empty())
                .map(Secret::new),
            expiration: p
                .get("aws_credential_expiration")
                .or_else(|| p.get("x_security_token_expires"))
                .and_then(crate::time::parse_lenient),
            source: format!("profile `{name}` ({file})"),
        })),
    }
}

//! AWS credentials for "this profile / this environment", from any source a user has, chosen in
//! botocore's order: the one place `sesame api` and `sesame admin` get their signing keys.
//!
//! - `--account/--role`: role credentials straight from the Identity Center login.
//! - An explicit `--profile NAME`: that profile only; the environment's keys are ignored, as
//!   botocore ignores its `EnvProvider` when a session gets an explicit profile.
//! - Otherwise `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`, or the older
//!   `AWS_SECURITY_TOKEN` first, as botocore reads them), then the profile named by
//!   `AWS_DEFAULT_PROFILE` / `AWS_PROFILE`, else `default`.
//!
//! Within a profile, botocore's provider order: an SSO profile (one with `sso_account_id` or
//! `sso_role_name`, read by [`RoleTarget::from_profile`] as botocore's `SSOProvider` reads it, its
//! credentials from [`CredentialResolver`]: the AWS CLI v2 cache, single-flight), static keys in the credentials
//! file, `credential_process`, static keys in the config file. A SAML login writes static keys
//! with a session token: the same as any other static keys here. Before all of them, as in
//! botocore, `role_arn` (assume-role) and `web_identity_token_file` profiles (`assume.rs`, STS
//! through [`crate::sts`]), and without an explicit profile, `AWS_WEB_IDENTITY_TOKEN_FILE` +
//! `AWS_ROLE_ARN`.

mod assume;
mod instance;
mod kind;
mod process;
pub mod warm;

use jiff::SignedDuration;

use super::{AccountRef, CredentialResolver, CredentialsError, RoleTarget};
use crate::cache::{CacheError, ROLE_CACHE_EXPIRY_WINDOW};
use crate::config::{AwsConfig, AwsCredentialsFile, ConfigError, Profile};
use crate::env::Env;
pub use crate::keys::AwsCredentials;
use crate::secret::Secret;
use crate::sso::{LoginOptions, LoginPrompt, SessionSelector, SsoError};

pub use assume::MfaPrompt;
pub use kind::ProfileKind;
use kind::{has_static_keys, is_assume_role};
pub use process::run_credential_process;

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
        /// The account: a 12-digit id, or a name looked up through ListAccounts (as
        /// [`AccountRef::parse`](crate::credentials::AccountRef::parse) reads it).
        account_id: String,
        /// The role (permission set) name.
        role_name: String,
    },
}

/// Why no credentials could be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// The config or credentials file is wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The Identity Center session could not be resolved.
    #[error(transparent)]
    Sso(#[from] SsoError),
    /// The role credentials of an SSO profile or `--account/--role` could not be had.
    #[error(transparent)]
    Role(#[from] CredentialsError),
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
        /// The profiles the two files have (config first), for a "did you mean".
        available: Vec<String>,
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
    #[error("profile `{profile}` uses {what}, which sesame does not resolve")]
    Unsupported {
        /// The profile.
        profile: String,
        /// What it uses.
        what: &'static str,
    },
    /// An assume-role or web-identity profile is configured wrongly.
    #[error("profile `{profile}`: {what}")]
    RoleConfig {
        /// The profile.
        profile: String,
        /// What is wrong.
        what: String,
    },
    /// `source_profile` leads back to a profile already on the way.
    #[error("source_profile loops: {chain}")]
    SourceLoop {
        /// The profiles visited, `a -> b -> a`.
        chain: String,
    },
    /// `mfa_serial` needs a code and there is no terminal to ask for it.
    #[error(
        "profile `{profile}` needs an MFA code for {serial} and there is no terminal to ask for it"
    )]
    MfaNeedsTerminal {
        /// The profile.
        profile: String,
        /// Its `mfa_serial`.
        serial: String,
    },
    /// STS would not give the role's credentials (or the token file was unreadable).
    #[error("cannot assume the role of profile `{profile}`: {reason}")]
    Assume {
        /// The profile.
        profile: String,
        /// Why.
        reason: String,
    },
    /// A profile with two kinds of credentials (botocore would silently take the first).
    #[error("profile `{profile}` has two kinds of credentials ({kinds}); keep one")]
    MixedKinds {
        /// The profile.
        profile: String,
        /// The keys of each kind, `sso_account_id/sso_role_name and credential_process`.
        kinds: String,
    },
    /// The instance metadata service or the container endpoint gave no credentials.
    #[error("profile `{profile}`: credential_source = {source_name}: {reason}")]
    Instance {
        /// The profile.
        profile: String,
        /// `Ec2InstanceMetadata` or `EcsContainer`.
        source_name: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// An `aws login` session gave no credentials.
    #[error(transparent)]
    Login(#[from] crate::signin::SigninError),
    /// The AWS CLI's credential cache could not be written.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// A `credential_process` failed or printed something unusable.
    #[error("credential_process of profile `{profile}`: {reason}")]
    Process {
        /// The profile.
        profile: String,
        /// What went wrong.
        reason: String,
    },
}

/// How far resolving may go beyond reading caches and calling STS.
#[derive(Clone, Copy)]
pub struct ResolveOptions<'a> {
    /// Asks for the code of a profile with `mfa_serial`; without it such a profile fails
    /// ([`ChainError::MfaNeedsTerminal`]) unless its credentials are cached.
    pub mfa: Option<&'a MfaPrompt>,
    /// Cached role credentials (SSO and assumed roles) are fetched again when they have less
    /// than this left (15 minutes by default, as the AWS CLI).
    pub margin: SignedDuration,
    /// For SSO profiles (at any depth of a role chain): log in when the login is missing or
    /// expired, showing the user what to do through the prompt. Without it such a profile
    /// fails with an error whose `is_login_required` holds.
    pub login: Option<(&'a LoginOptions, &'a dyn LoginPrompt)>,
}

impl Default for ResolveOptions<'_> {
    fn default() -> Self {
        ResolveOptions {
            mfa: None,
            margin: ROLE_CACHE_EXPIRY_WINDOW,
            login: None,
        }
    }
}

/// Resolves `source` against the environment and the two files; a profile with `mfa_serial`
/// fails ([`ChainError::MfaNeedsTerminal`]) unless its credentials are cached.
pub async fn resolve(env: &Env, source: &CredentialSource) -> Result<AwsCredentials, ChainError> {
    resolve_with(env, source, None).await
}

/// [`resolve`], asking `mfa` for the code of an assume-role profile with `mfa_serial`.
pub async fn resolve_with(
    env: &Env,
    source: &CredentialSource,
    mfa: Option<&MfaPrompt>,
) -> Result<AwsCredentials, ChainError> {
    let options = ResolveOptions {
        mfa,
        ..ResolveOptions::default()
    };
    resolve_options(env, source, &options).await
}

/// [`resolve`] with every option: MFA prompt, cache margin, login.
pub async fn resolve_options(
    env: &Env,
    source: &CredentialSource,
    options: &ResolveOptions<'_>,
) -> Result<AwsCredentials, ChainError> {
    let config = AwsConfig::from_env(env)?;
    match source {
        CredentialSource::SsoRole {
            session,
            account_id,
            role_name,
        } => {
            let target = RoleTarget {
                account: AccountRef::parse(account_id),
                ..RoleTarget::new(session.resolve(env, &config)?, account_id, role_name)
            };
            role_credentials(env, &target, options).await
        }
        CredentialSource::Profile(name) => {
            let creds_file = AwsCredentialsFile::from_env(env)?;
            let files = Files::new(env, &config, &creds_file, options, name);
            files.top(name, true).await
        }
        CredentialSource::Auto => {
            if let Some(c) = from_env(env)? {
                return Ok(c);
            }
            let creds_file = AwsCredentialsFile::from_env(env)?;
            let name = env.profile().unwrap_or("default").to_owned();
            let files = Files::new(env, &config, &creds_file, options, &name);
            files.top(&name, env.profile().is_some()).await
        }
    }
}

/// The kind of profile `name` after the checks that need no network (`kind.rs`): a mixed
/// profile, a role chain that loops or names a missing profile, is an error; `None` when the
/// profile is in neither file or has no credentials.
pub fn profile_kind(
    config: &AwsConfig,
    creds_file: &AwsCredentialsFile,
    name: &str,
) -> Result<Option<ProfileKind>, ChainError> {
    kind::check(config, creds_file, name)
}

/// Every profile of the config file, then those only the credentials file has: what a
/// command could have meant by a name that is in neither.
pub fn profile_names(config: &AwsConfig, creds_file: &AwsCredentialsFile) -> Vec<String> {
    let mut names = config.profile_names();
    for name in creds_file.profile_names() {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
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
    region_in(env, &AwsConfig::from_env(env).ok()?, name)
}

/// [`default_region`] for profile `name` of a config already read.
fn region_in(env: &Env, config: &AwsConfig, name: &str) -> Option<String> {
    if let Some(r) = env
        .var("AWS_REGION")
        .or_else(|| env.var("AWS_DEFAULT_REGION"))
    {
        return Some(r.to_owned());
    }
    config
        .profile(name)?
        .region()
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
}

/// botocore's `EnvProvider`.
fn from_env(env: &Env) -> Result<Option<AwsCredentials>, ChainError> {
    let (key, secret) = (
        env.var("AWS_ACCESS_KEY_ID"),
        env.var("AWS_SECRET_ACCESS_KEY"),
    );
    match (key, secret) {
        (None, _) => Ok(None),
        (Some(_), None) => Err(ChainError::Partial {
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

/// The two files, the environment and the MFA prompt: what resolving a profile needs.
struct Files<'a> {
    env: &'a Env,
    config: &'a AwsConfig,
    creds_file: &'a AwsCredentialsFile,
    options: &'a ResolveOptions<'a>,
    /// The profile the command uses: its region and endpoints are the STS calls' (botocore
    /// creates the STS client from the session, whichever profile in the chain is assumed).
    session: &'a str,
}

/// A boxed future: resolving a role's source recurses.
type Resolving<'a> = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<AwsCredentials, ChainError>> + Send + 'a>,
>;

impl<'a> Files<'a> {
    fn new(
        env: &'a Env,
        config: &'a AwsConfig,
        creds_file: &'a AwsCredentialsFile,
        options: &'a ResolveOptions<'a>,
        session: &'a str,
    ) -> Self {
        Files {
            env,
            config,
            creds_file,
            options,
            session,
        }
    }

    /// The profile a command names (or `default`): botocore's whole chain minus `EnvProvider`.
    async fn top(&self, name: &str, named: bool) -> Result<AwsCredentials, ChainError> {
        let Some(merged) = self.config.profile_with_credentials(self.creds_file, name) else {
            // botocore's env web identity works without any profile.
            if !named && let Some(c) = self.env_web_identity(name).await? {
                return Ok(c);
            }
            return Err(if named {
                ChainError::NoSuchProfile {
                    profile: name.to_owned(),
                    config: self.config.path().display().to_string(),
                    credentials: self.creds_file.path().display().to_string(),
                    available: profile_names(self.config, self.creds_file),
                }
            } else {
                ChainError::NotFound {
                    profile: name.to_owned(),
                }
            });
        };
        kind::check(self.config, self.creds_file, name)?;
        if is_assume_role(&merged) {
            let mut visited = vec![name.to_owned()];
            return self.assume_role(name, &mut visited).await;
        }
        if !named && let Some(c) = self.env_web_identity(name).await? {
            return Ok(c);
        }
        self.profile_chain(name, named).await
    }

    /// botocore's `AssumeRoleWithWebIdentityProvider` reading `AWS_WEB_IDENTITY_TOKEN_FILE`,
    /// `AWS_ROLE_ARN` and `AWS_ROLE_SESSION_NAME` (only when no profile was named).
    async fn env_web_identity(&self, name: &str) -> Result<Option<AwsCredentials>, ChainError> {
        let Some(file) = self.env.var("AWS_WEB_IDENTITY_TOKEN_FILE") else {
            return Ok(None);
        };
        let Some(role_arn) = self.env.var("AWS_ROLE_ARN") else {
            return Err(ChainError::RoleConfig {
                profile: name.to_owned(),
                what: "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not".to_owned(),
            });
        };
        let session = self.env.var("AWS_ROLE_SESSION_NAME").map(str::to_owned);
        let args = assume::RoleArgs::new(role_arn, |_| session.clone(), false);
        let how = assume::Assume::WebIdentity { token_file: file };
        assume::credentials(self.cx(), name, &args, how)
            .await
            .map(Some)
    }

    /// botocore's profile providers (web identity, SSO, shared credentials file,
    /// credential_process, config file): no assume-role, no environment keys.
    async fn profile_chain(&self, name: &str, named: bool) -> Result<AwsCredentials, ChainError> {
        let (env, config) = (self.env, self.config);
        let in_config = config.profile(name);
        let in_creds = self.creds_file.profile(name);
        let merged = config
            .profile_with_credentials(self.creds_file, name)
            .ok_or_else(|| ChainError::NotFound {
                profile: name.to_owned(),
            })?;
        if let Some(file) = merged
            .get("web_identity_token_file")
            .filter(|f| !f.is_empty())
        {
            let role_arn = merged
                .get("role_arn")
                .ok_or_else(|| ChainError::RoleConfig {
                    profile: name.to_owned(),
                    what: "web_identity_token_file is set but role_arn is not".to_owned(),
                })?;
            let args = assume::RoleArgs::new(role_arn, |k| merged.get(k).map(str::to_owned), false);
            let how = assume::Assume::WebIdentity { token_file: file };
            return assume::credentials(self.cx(), name, &args, how).await;
        }
        // botocore's `SSOProvider` takes a profile with `sso_account_id` or `sso_role_name`.
        if in_config
            .as_ref()
            .is_some_and(|p| p.sso_account_id().is_some() || p.sso_role_name().is_some())
        {
            let target = RoleTarget::from_profile(env, config, name)?;
            return role_credentials(env, &target, self.options).await;
        }
        if let Some(session) = merged.get("login_session").filter(|s| !s.trim().is_empty()) {
            let region = region_in(env, config, self.session);
            return Ok(
                crate::signin::credentials(env, name, session.trim(), region.as_deref()).await?,
            );
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
            Err(ChainError::ProfileWithoutCredentials {
                profile: name.to_owned(),
            })
        } else {
            Err(ChainError::NotFound {
                profile: name.to_owned(),
            })
        }
    }

    /// botocore's `AssumeRoleProvider` for profile `name`; `visited` holds the profiles on the
    /// way here (`name` last).
    fn assume_role<'s>(&'s self, name: &'s str, visited: &'s mut Vec<String>) -> Resolving<'s> {
        Box::pin(async move {
            let merged = self
                .config
                .profile_with_credentials(self.creds_file, name)
                .ok_or_else(|| ChainError::NotFound {
                    profile: name.to_owned(),
                })?;
            let bad = |what: String| ChainError::RoleConfig {
                profile: name.to_owned(),
                what,
            };
            let role_arn = merged.get("role_arn").unwrap_or_default().to_owned();
            let source = match (
                merged.get("source_profile"),
                merged.get("credential_source"),
            ) {
                (Some(_), Some(_)) => {
                    return Err(bad(
                        "it has both source_profile and credential_source".to_owned()
                    ));
                }
                (None, None) => {
                    return Err(bad(
                        "it has role_arn but neither source_profile nor credential_source"
                            .to_owned(),
                    ));
                }
                (None, Some(cs)) => self.credential_source(name, cs).await?,
                (Some(sp), None) => {
                    let Some(src) = self.config.profile_with_credentials(self.creds_file, sp)
                    else {
                        return Err(bad(format!("its source_profile `{sp}` does not exist")));
                    };
                    // A profile may name itself to use its own static keys (botocore's rule).
                    let self_ref = sp == name && has_static_keys(&src);
                    if visited.iter().any(|v| v == sp) && !self_ref {
                        visited.push(sp.to_owned());
                        return Err(ChainError::SourceLoop {
                            chain: visited.join(" -> "),
                        });
                    }
                    visited.push(sp.to_owned());
                    if has_static_keys(&src) || !is_assume_role(&src) {
                        self.profile_chain(sp, true).await?
                    } else {
                        let sp = sp.to_owned();
                        self.assume_role(&sp, visited).await?
                    }
                }
            };
            let args = assume::RoleArgs::new(&role_arn, |k| merged.get(k).map(str::to_owned), true);
            let how = assume::Assume::Role {
                source: &source,
                mfa: self.options.mfa,
            };
            assume::credentials(self.cx(), name, &args, how).await
        })
    }

    /// `credential_source`: `Environment` is botocore's `EnvProvider`; `Ec2InstanceMetadata`
    /// and `EcsContainer` its `InstanceMetadataProvider` and `ContainerProvider`.
    async fn credential_source(
        &self,
        name: &str,
        source: &str,
    ) -> Result<AwsCredentials, ChainError> {
        let kind = CredentialSourceKind::parse(source).map_err(|what| ChainError::RoleConfig {
            profile: name.to_owned(),
            what,
        })?;
        match kind {
            CredentialSourceKind::Environment => {
                from_env(self.env)?.ok_or_else(|| ChainError::RoleConfig {
                    profile: name.to_owned(),
                    what: "credential_source = Environment but AWS_ACCESS_KEY_ID is not set"
                        .to_owned(),
                })
            }
            CredentialSourceKind::Ec2InstanceMetadata => {
                instance::imds(self.env, self.config, self.session, name).await
            }
            CredentialSourceKind::EcsContainer => instance::container(self.env, name).await,
        }
    }

    /// What the STS calls of this resolution share.
    fn cx(&self) -> assume::Context<'_> {
        assume::Context {
            env: self.env,
            config: self.config,
            session: self.session,
            margin: self.options.margin,
        }
    }
}

/// The values botocore accepts for `credential_source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CredentialSourceKind {
    /// The environment's keys.
    Environment,
    /// The EC2 instance metadata service (IMDSv2).
    Ec2InstanceMetadata,
    /// The ECS / EKS container credentials endpoint.
    EcsContainer,
}

impl CredentialSourceKind {
    /// The kind, or why the value is not one.
    pub(crate) fn parse(value: &str) -> Result<Self, String> {
        match value {
            "Environment" => Ok(Self::Environment),
            "Ec2InstanceMetadata" => Ok(Self::Ec2InstanceMetadata),
            "EcsContainer" => Ok(Self::EcsContainer),
            other => Err(format!(
                "credential_source `{other}` is not valid (Environment, Ec2InstanceMetadata or EcsContainer)"
            )),
        }
    }
}

/// The role credentials of `target` through [`CredentialResolver`]: the AWS CLI v2's cache while
/// it has 15 minutes left, else one GetRoleCredentials (single-flight) stored for the next caller.
async fn role_credentials(
    env: &Env,
    target: &RoleTarget,
    options: &ResolveOptions<'_>,
) -> Result<AwsCredentials, ChainError> {
    let resolver = CredentialResolver::new(env)?
        .with_margin(options.margin)
        .with_retries();
    let creds = match options.login {
        Some((login, prompt)) => resolver.credentials_or_login(target, login, prompt).await?,
        None => resolver.credentials(target).await?,
    };
    Ok(AwsCredentials::from_role(creds, target.describe()))
}

/// `aws_access_key_id` + `aws_secret_access_key` (+ `aws_session_token`, or the older
/// `aws_security_token`) of one file's profile.
fn static_keys(
    profile: Option<&Profile>,
    name: &str,
    file: &str,
) -> Result<Option<AwsCredentials>, ChainError> {
    let Some(p) = profile else { return Ok(None) };
    let key = p.get("aws_access_key_id").filter(|v| !v.is_empty());
    let secret = p.get("aws_secret_access_key").filter(|v| !v.is_empty());
    match (key, secret) {
        (None, _) => Ok(None),
        (Some(_), None) => Err(ChainError::Partial {
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

/// Whether profile `profile` may become a `login_session` profile: absent, or with no other
/// kind of credentials (the AWS CLI's `ensure_profile_does_not_have_existing_credentials`).
pub fn check_login_profile(env: &Env, profile: &str) -> Result<(), String> {
    let config = AwsConfig::from_env(env).map_err(|e| e.to_string())?;
    let creds = AwsCredentialsFile::from_env(env).map_err(|e| e.to_string())?;
    match profile_kind(&config, &creds, profile) {
        Ok(None) | Ok(Some(ProfileKind::LoginSession)) => Ok(()),
        Ok(Some(kind)) => Err(format!(
            "profile `{profile}` already has credentials of another kind ({}); choose another profile name",
            kind.keys()
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// The fuzzer's door to the `credential_process` output reader.
#[doc(hidden)]
pub(crate) fn fuzz_process_output(stdout: &[u8]) -> Result<AwsCredentials, ChainError> {
    process::read_output("fuzz", stdout)
}

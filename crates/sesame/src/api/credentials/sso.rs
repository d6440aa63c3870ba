//! Role credentials from the Identity Center login: a minimal resolver, kept apart so it can be
//! swapped for `sesame::credentials::CredentialResolver` (the `creds` branch) in one place.
//!
//! It does what botocore's `SSOProvider` does with the AWS CLI v2's cache: reuse the
//! `~/.aws/cli/cache` entry while it has more than 15 minutes left, else take the session's token
//! ([`Sso::access_token`], refreshing it when it can), call GetRoleCredentials and store the
//! entry for the next caller (sesame or `aws`).

use crate::api::credentials::{AwsCredentials, CredentialsError};
use crate::cache::{ROLE_CACHE_EXPIRY_WINDOW, RoleCacheKey, RoleCredentialCache};
use crate::config::{AwsConfig, Profile};
use crate::env::Env;
use crate::sso::{SessionSelector, Sso, SsoError, SsoSession};

/// An SSO profile's session, account and role.
#[derive(Debug, Clone)]
pub struct SsoTarget {
    /// The session it logs in with.
    pub session: SsoSession,
    /// `sso_account_id`.
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
}

/// The SSO target of `profile`, `None` if it is not an SSO profile (no `sso_session` and no
/// `sso_start_url`). An SSO profile missing its account or role is an error, as in botocore.
pub fn profile_target(
    env: &Env,
    config: &AwsConfig,
    profile: &Profile,
) -> Result<Option<SsoTarget>, CredentialsError> {
    if profile.sso_session().is_none() && profile.sso_start_url().is_none() {
        return Ok(None);
    }
    let missing = |key: &str| CredentialsError::Partial {
        what: format!(
            "profile `{}` in {} is an SSO profile without `{key}`",
            profile.name(),
            config.path().display()
        ),
    };
    let account_id = profile
        .sso_account_id()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| missing("sso_account_id"))?;
    let role_name = profile
        .sso_role_name()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| missing("sso_role_name"))?;
    let selector = SessionSelector {
        profile: Some(profile.name().to_owned()),
        ..SessionSelector::default()
    };
    let session = selector.resolve(env, config)?;
    Ok(Some(SsoTarget {
        session,
        account_id: account_id.to_owned(),
        role_name: role_name.to_owned(),
    }))
}

/// The role credentials of `account_id`/`role_name` through `session`'s login.
pub async fn role_credentials(
    env: &Env,
    session: &SsoSession,
    account_id: &str,
    role_name: &str,
) -> Result<AwsCredentials, CredentialsError> {
    let cache = RoleCredentialCache::new(env.cli_cache_dir());
    let key = RoleCacheKey::for_profile(
        account_id,
        role_name,
        session.name.as_deref(),
        &session.start_url,
    );
    let source = format!(
        "account {account_id}, role {role_name} ({})",
        session.display_name()
    );
    // A corrupt entry is no reason to fail: it is replaced below.
    if let Ok(Some(c)) = cache.load(&key)
        && c.valid_for(crate::time::now(), ROLE_CACHE_EXPIRY_WINDOW)
    {
        return Ok(to_aws(c, source));
    }
    let sso = Sso::new(env)?;
    let token = sso.access_token(session).await?;
    let fresh = sso
        .portal(session)
        .get_role_credentials(&token, account_id, role_name)
        .await?;
    cache.store(&key, &fresh).map_err(SsoError::from)?;
    Ok(to_aws(fresh, source))
}

fn to_aws(c: crate::cache::RoleCredentials, source: String) -> AwsCredentials {
    AwsCredentials {
        access_key_id: c.access_key_id,
        secret_access_key: c.secret_access_key,
        session_token: Some(c.session_token),
        expiration: Some(c.expiration),
        source,
    }
}

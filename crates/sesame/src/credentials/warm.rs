//! The warm path: role credentials straight from the cache, or nothing.
//!
//! This is what `sesame credential-process` and `sesame exec` run first, before any async
//! runtime exists: it reads the config, computes the cache key, reads ONE cache file and returns.
//! It opens no socket, builds no HTTP client and initialises no TLS; it depends on nothing of
//! [`crate::sso::login`] or [`crate::http`], so a look at this file shows the whole path.

use jiff::{SignedDuration, Timestamp};

use super::{CredentialsError, RoleSpec, RoleTarget};
use crate::cache::{RoleCredentialCache, RoleCredentials};
use crate::config::AwsConfig;
use crate::env::Env;

/// Looks `spec` up in the role-credential cache of `env`: the target and a cached entry valid
/// for `margin`, or `None` when the cold path has to run (no entry, one expiring within the
/// margin, an unreadable one, or an account given by name, which needs ListAccounts).
///
/// Errors are the ones no network call could fix (an unknown profile, a config that does not
/// parse), so a caller can report them at once. A corrupt cache entry counts as none, as
/// botocore's `JSONFileCache` treats it: the cold path replaces it.
pub fn lookup(
    env: &Env,
    spec: &RoleSpec,
    margin: SignedDuration,
    now: Timestamp,
) -> Result<Option<(RoleTarget, RoleCredentials)>, CredentialsError> {
    lookup_in(env, &AwsConfig::from_env(env)?, spec, margin, now)
}

/// [`lookup`] with the config already read.
pub fn lookup_in(
    env: &Env,
    config: &AwsConfig,
    spec: &RoleSpec,
    margin: SignedDuration,
    now: Timestamp,
) -> Result<Option<(RoleTarget, RoleCredentials)>, CredentialsError> {
    let target = spec.resolve(env, config)?;
    let Some(account_id) = target.account.id() else {
        return Ok(None);
    };
    let key = target.cache_key(account_id);
    let cache = RoleCredentialCache::from_env(env);
    match cache.load(&key) {
        Ok(Some(creds)) if creds.valid_for(now, margin) => Ok(Some((target, creds))),
        Ok(_) => Ok(None),
        Err(e) => {
            tracing::debug!("warm path: {e}");
            Ok(None)
        }
    }
}

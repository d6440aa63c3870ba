//! The warm path: role credentials straight from the cache, or nothing.
//!
//! This is what `sesame credential-process` and `sesame exec` run first, before any async
//! runtime exists: it reads the config, computes the cache key, reads ONE cache file and returns.
//! It opens no socket, builds no HTTP client and initialises no TLS; it depends on nothing of
//! [`crate::sso::login`] or [`crate::http`], so a look at this file shows the whole path.

use jiff::{SignedDuration, Timestamp};

use super::{CredentialsError, RoleTarget, TargetSpec};
use crate::cache::{RoleCredentialCache, RoleCredentials};
use crate::config::AwsConfig;
use crate::env::Env;

/// What the warm path found.
#[derive(Debug)]
pub enum Warm {
    /// A cached entry valid for the margin.
    Hit(RoleTarget, RoleCredentials),
    /// No usable entry (none, expiring, unreadable, or the account is a name to look up): the
    /// cold path has to run.
    Miss,
}

/// Looks `spec` up in the role-credential cache of `env`.
///
/// Errors are the ones no network call could fix (an unknown profile, a config that does not
/// parse), so a caller can report them at once. A corrupt cache entry is a [`Warm::Miss`], as
/// botocore's `JSONFileCache` treats it: the cold path replaces it.
pub fn lookup(
    env: &Env,
    spec: &TargetSpec,
    margin: SignedDuration,
    now: Timestamp,
) -> Result<Warm, CredentialsError> {
    let config = AwsConfig::from_env(env)?;
    let target = spec.resolve(env, &config)?;
    let Some(account_id) = target.account.id() else {
        return Ok(Warm::Miss);
    };
    let key = target.cache_key(account_id);
    let cache = RoleCredentialCache::from_env(env);
    match cache.load(&key) {
        Ok(Some(creds)) if creds.valid_for(now, margin) => Ok(Warm::Hit(target, creds)),
        Ok(_) => Ok(Warm::Miss),
        Err(e) => {
            tracing::debug!("warm path: {e}");
            Ok(Warm::Miss)
        }
    }
}

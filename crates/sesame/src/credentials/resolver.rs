//! The cold path: role credentials from the cache when it has them, else from the portal, with
//! one GetRoleCredentials call per entry however many processes ask at once.

use std::time::Duration;

use jiff::SignedDuration;

use super::{AccountRef, CredentialsError, RoleTarget};
use crate::cache::{ROLE_CACHE_EXPIRY_WINDOW, RoleCacheKey, RoleCredentialCache, RoleCredentials};
use crate::env::Env;
use crate::pace::{CallError, PacerConfig, Pacing, RetryPolicy};
use crate::sso::{LoginOptions, LoginPrompt, Sso, SsoError};
use crate::time;

/// How long a caller waits for another process fetching the same credentials.
const LOCK_WAIT: Duration = Duration::from_secs(120);

/// An entry another process wrote while this one waited for the lock is taken if it has at
/// least this long left, even when that is less than the margin (short-lived credentials would
/// otherwise be fetched again by every waiter).
const FRESH_ENOUGH: SignedDuration = SignedDuration::from_mins(1);

/// Resolves role credentials through the AWS CLI v2's role-credential cache.
#[derive(Debug, Clone)]
pub struct CredentialResolver {
    sso: Sso,
    cache: RoleCredentialCache,
    margin: SignedDuration,
    /// Whether GetRoleCredentials is retried here (a caller with a pacing of its own, as
    /// `sesame run`, retries around the whole call instead).
    retry: bool,
}

impl CredentialResolver {
    /// A resolver for this environment: the user's caches and the default margin
    /// ([`ROLE_CACHE_EXPIRY_WINDOW`], 15 minutes, as the AWS CLI).
    pub fn new(env: &Env) -> Result<CredentialResolver, CredentialsError> {
        Ok(CredentialResolver {
            sso: Sso::new(env)?,
            cache: RoleCredentialCache::from_env(env),
            margin: ROLE_CACHE_EXPIRY_WINDOW,
            retry: false,
        })
    }

    /// The same resolver retrying GetRoleCredentials on throttles, server faults and dropped
    /// connections ([`RetryPolicy::credential_fetch`]: bounded to about two seconds).
    pub fn with_retries(mut self) -> CredentialResolver {
        self.retry = true;
        self
    }

    /// The same resolver reusing cached credentials only while they have `margin` left.
    pub fn with_margin(mut self, margin: SignedDuration) -> CredentialResolver {
        self.margin = margin;
        self
    }

    /// The margin before expiry inside which cached credentials are fetched again.
    pub fn margin(&self) -> SignedDuration {
        self.margin
    }

    /// The Identity Center side (tokens, clients).
    pub fn sso(&self) -> &Sso {
        &self.sso
    }

    /// The role-credential cache.
    pub fn cache(&self) -> &RoleCredentialCache {
        &self.cache
    }

    /// The account id of `target`: as given, or looked up by name through ListAccounts (an
    /// exact match first, then a case-insensitive one; two matches are an error).
    pub async fn account_id(&self, target: &RoleTarget) -> Result<String, CredentialsError> {
        let name = match &target.account {
            AccountRef::Id(id) => return Ok(id.clone()),
            AccountRef::Name(name) => name,
        };
        let token = self.sso.access_token(&target.session).await?;
        let accounts = self
            .sso
            .portal(&target.session)?
            .all_accounts(&token)
            .await?;
        let exact: Vec<_> = accounts
            .iter()
            .filter(|a| &a.account_name == name)
            .collect();
        let matches = if exact.is_empty() {
            accounts
                .iter()
                .filter(|a| a.account_name.eq_ignore_ascii_case(name))
                .collect()
        } else {
            exact
        };
        match matches.as_slice() {
            [one] => Ok(one.account_id.clone()),
            [] => Err(CredentialsError::UnknownAccount {
                name: name.clone(),
                session: target.session.display_name(),
            }),
            many => Err(CredentialsError::AmbiguousAccount {
                name: name.clone(),
                ids: many.iter().map(|a| a.account_id.clone()).collect(),
            }),
        }
    }

    /// Credentials for `target`: a cached entry valid for the margin, else fresh ones from
    /// GetRoleCredentials (refreshing the SSO token first when it can), stored in the cache.
    ///
    /// Single-flight across processes: a caller that misses takes the entry's lock, reads the
    /// cache again, and only then calls the portal, so any number of callers on an expired entry
    /// make one call. Never prompts: with no usable login it fails with an error whose
    /// [`CredentialsError::is_login_required`] holds.
    pub async fn credentials(
        &self,
        target: &RoleTarget,
    ) -> Result<RoleCredentials, CredentialsError> {
        let account_id = self.account_id(target).await?;
        let key = target.cache_key(&account_id);
        let seen = self.load(&key);
        if let Some(c) = &seen
            && c.valid_for(time::now(), self.margin)
        {
            return Ok(c.clone());
        }
        let _lock = self.lock(&key).await?;
        let now = time::now();
        if let Some(c) = self.load(&key) {
            let written_meanwhile = seen.as_ref() != Some(&c) && c.valid_for(now, FRESH_ENOUGH);
            if c.valid_for(now, self.margin) || written_meanwhile {
                return Ok(c);
            }
        }
        let token = self.sso.access_token(&target.session).await?;
        let portal = self.sso.portal(&target.session)?;
        let fetch = || portal.get_role_credentials(&token, &account_id, &target.role_name);
        let fetched = if self.retry {
            Pacing::new(PacerConfig::default(), RetryPolicy::credential_fetch())
                .call("GetRoleCredentials", fetch)
                .await
                .map_err(CallError::into_source)
        } else {
            fetch().await
        };
        let creds = match fetched {
            Ok(c) => c,
            Err(SsoError::Api(e)) if e.code == "ForbiddenException" => {
                return Err(CredentialsError::NoAccess {
                    account_id,
                    role_name: target.role_name.clone(),
                    session: target.session.display_name(),
                });
            }
            Err(e) => return Err(e.into()),
        };
        self.cache.store(&key, &creds)?;
        Ok(creds)
    }

    /// [`credentials`](Self::credentials), and when the login is missing or expired, one login
    /// (single-flight: concurrent callers wait on the login lock and reuse its token) and a
    /// second try. `prompt` shows the user what to do.
    pub async fn credentials_or_login(
        &self,
        target: &RoleTarget,
        options: &LoginOptions,
        prompt: &dyn LoginPrompt,
    ) -> Result<RoleCredentials, CredentialsError> {
        match self.credentials(target).await {
            Err(e) if e.is_login_required() => {
                // A token the portal refused is not expired locally: only a forced login helps.
                let force = matches!(&e, CredentialsError::Sso(SsoError::Api(_)));
                let options = LoginOptions {
                    force: options.force || force,
                    ..options.clone()
                };
                self.sso.login(&target.session, &options, prompt).await?;
                self.credentials(target).await
            }
            other => other,
        }
    }

    /// The cached entry, or `None`; a corrupt entry counts as none (botocore's
    /// `JSONFileCache` does the same), and is replaced by the next fetch.
    fn load(&self, key: &RoleCacheKey) -> Option<RoleCredentials> {
        match self.cache.load(key) {
            Ok(found) => found,
            Err(e) => {
                tracing::warn!("ignoring the role-credential cache entry: {e}");
                None
            }
        }
    }

    async fn lock(&self, key: &RoleCacheKey) -> Result<crate::fsutil::FileLock, CredentialsError> {
        let cache = self.cache.clone();
        let key = key.clone();
        let joined = tokio::task::spawn_blocking(move || cache.lock_timeout(&key, LOCK_WAIT)).await;
        match joined {
            Ok(result) => Ok(result?),
            Err(e) => Err(CredentialsError::Sso(SsoError::Io {
                what: "waiting for the role-credential lock".into(),
                source: std::io::Error::other(e),
            })),
        }
    }
}

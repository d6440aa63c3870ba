//! sesame's own cache of what a session can reach: accounts and their role names.
//!
//! One JSON file per session in `~/.aws/sesame/listing/<sha1>.json`, where the hash is of the
//! session's name, start URL and region (and the file repeats them, checked on every read, so a
//! file never answers for another session). Written atomically with mode 0600 under a lock, and
//! merged with what another sesame process may have written meanwhile. It holds names and ids
//! only, never a token. `sesame logout` deletes it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::cache::CacheError;
use crate::env::Env;
use crate::sso::SsoSession;
use crate::sso::portal::AccountInfo;

/// The format version written in every file; another version is ignored and rewritten.
const VERSION: u32 = 1;

/// The cached listing of one session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedListing {
    /// When the account list was fetched.
    pub accounts_fetched_at: Timestamp,
    /// Every account the session reached then, with its roles if they were listed.
    pub accounts: Vec<CachedAccount>,
}

/// One account in the cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedAccount {
    /// The account, as ListAccounts gave it.
    #[serde(flatten)]
    pub account: AccountInfo,
    /// Its role names and when they were listed; absent if they never were.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<CachedRoles>,
}

/// The role names of one account, as listed at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedRoles {
    /// When they were listed.
    pub fetched_at: Timestamp,
    /// The role names, in the portal's order.
    pub names: Vec<String>,
}

impl CachedListing {
    /// Whether the account list is younger than `max_age` at `now`.
    pub fn accounts_fresh(&self, now: Timestamp, max_age: Duration) -> bool {
        is_fresh(self.accounts_fetched_at, now, max_age)
    }

    /// The account's role names if they were listed less than `max_age` before `now`.
    pub fn fresh_roles(
        &self,
        account_id: &str,
        now: Timestamp,
        max_age: Duration,
    ) -> Option<&[String]> {
        self.accounts
            .iter()
            .find(|a| a.account.account_id == account_id)
            .and_then(|a| a.roles.as_ref())
            .filter(|r| is_fresh(r.fetched_at, now, max_age))
            .map(|r| r.names.as_slice())
    }

    /// Combines two listings of the same session: the newer account list, and for each of its
    /// accounts the newer role list of the two.
    pub fn merge(self, other: CachedListing) -> CachedListing {
        let (mut newer, older) = if self.accounts_fetched_at >= other.accounts_fetched_at {
            (self, other)
        } else {
            (other, self)
        };
        for account in &mut newer.accounts {
            let theirs = older
                .accounts
                .iter()
                .find(|a| a.account.account_id == account.account.account_id)
                .and_then(|a| a.roles.as_ref());
            if let Some(theirs) = theirs {
                let take = match &account.roles {
                    None => true,
                    Some(mine) => theirs.fetched_at > mine.fetched_at,
                };
                if take {
                    account.roles = Some(theirs.clone());
                }
            }
        }
        newer
    }
}

fn is_fresh(fetched_at: Timestamp, now: Timestamp, max_age: Duration) -> bool {
    let age = now.duration_since(fetched_at);
    // A time in the future (a clock that jumped back) is not trusted.
    !age.is_negative() && age.unsigned_abs() < max_age
}

/// What the file holds: the listing and the session it belongs to.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CacheFile {
    version: u32,
    sso_session: Option<String>,
    start_url: String,
    region: String,
    #[serde(flatten)]
    listing: CachedListing,
}

/// The directory of listing caches, `~/.aws/sesame/listing`.
#[derive(Debug, Clone)]
pub struct ListingCache {
    dir: PathBuf,
    lock_dir: PathBuf,
}

impl ListingCache {
    /// The listing caches in `dir`, with their lock files in `lock_dir`.
    pub fn new(dir: impl Into<PathBuf>, lock_dir: impl Into<PathBuf>) -> Self {
        Self {
            dir: dir.into(),
            lock_dir: lock_dir.into(),
        }
    }

    /// The user's listing caches: `~/.aws/sesame/listing`, locks in `~/.aws/sesame/locks`.
    pub fn from_env(env: &Env) -> Self {
        Self::new(
            env.sesame_dir().join("listing"),
            crate::fsutil::lock_dir(env),
        )
    }

    fn key(session: &SsoSession) -> String {
        let identity = format!(
            "{}\n{}\n{}",
            session.name.as_deref().unwrap_or(""),
            session.start_url,
            session.region
        );
        crate::cache::sha1_hex(&identity)
    }

    /// The file of `session`'s listing.
    pub fn path(&self, session: &SsoSession) -> PathBuf {
        self.dir.join(format!("{}.json", Self::key(session)))
    }

    /// The cached listing of `session`, if there is a usable one. A missing, unreadable or
    /// corrupt file, another format version, or a file written for another session all count as
    /// no cache (it is only a cache: the next listing rewrites it).
    pub fn load(&self, session: &SsoSession) -> Option<CachedListing> {
        let path = self.path(session);
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!("ignoring the listing cache {}: {e}", path.display());
                return None;
            }
        };
        match serde_json::from_slice::<CacheFile>(&bytes) {
            Ok(file)
                if file.version == VERSION
                    && file.sso_session == session.name
                    && file.start_url == session.start_url
                    && file.region == session.region =>
            {
                Some(file.listing)
            }
            Ok(_) => {
                tracing::info!(
                    "ignoring the listing cache {}: another session or version",
                    path.display()
                );
                None
            }
            Err(e) => {
                tracing::warn!(
                    "ignoring the listing cache {}: {}",
                    path.display(),
                    crate::cache::json_syntax_reason(&e)
                );
                None
            }
        }
    }

    /// Writes `listing` for `session`, merged with what the file holds now (another process may
    /// have written it since it was read), atomically, mode 0600, under the session's lock.
    pub fn store(&self, session: &SsoSession, listing: CachedListing) -> Result<(), CacheError> {
        let name = format!("listing-{}.lock", Self::key(session));
        let lock_path = self.lock_dir.join(&name);
        let _lock = crate::fsutil::FileLock::acquire_timeout(&lock_path, Duration::from_secs(10))
            .map_err(|source| CacheError::Lock {
            path: lock_path,
            source,
        })?;
        let listing = match self.load(session) {
            Some(current) => listing.merge(current),
            None => listing,
        };
        let file = CacheFile {
            version: VERSION,
            sso_session: session.name.clone(),
            start_url: session.start_url.clone(),
            region: session.region.clone(),
            listing,
        };
        let path = self.path(session);
        let text = serde_json::to_string(&file).map_err(|e| CacheError::Write {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        crate::fsutil::write_atomic(&path, text.as_bytes(), crate::fsutil::SECRET_FILE_MODE)
            .map_err(|source| CacheError::Write { path, source })
    }

    /// Deletes `session`'s listing; `false` if there was none.
    pub fn remove(&self, session: &SsoSession) -> Result<bool, CacheError> {
        crate::cache::remove_optional(&self.path(session))
    }

    /// Deletes every session's listing; returns how many there were.
    pub fn remove_all(&self) -> Result<usize, CacheError> {
        let mut n = 0;
        for path in crate::cache::json_files(&self.dir)? {
            if crate::cache::remove_optional(&path)? {
                n += 1;
            }
        }
        Ok(n)
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(name: Option<&str>, start_url: &str) -> SsoSession {
        SsoSession {
            name: name.map(str::to_owned),
            start_url: start_url.into(),
            region: "us-east-1".into(),
            registration_scopes: None,
            oidc_endpoint: "http://127.0.0.1:1".parse().unwrap(),
            portal_endpoint: "http://127.0.0.1:1".parse().unwrap(),
            ca_bundle: None,
            resolved_start_url: None,
            use_device_code: false,
        }
    }

    fn account(id: &str, roles: Option<(i64, &[&str])>) -> CachedAccount {
        CachedAccount {
            account: AccountInfo {
                account_id: id.into(),
                account_name: format!("name {id}"),
                email_address: format!("{id}@example.com"),
            },
            roles: roles.map(|(t, names)| CachedRoles {
                fetched_at: Timestamp::from_second(t).unwrap(),
                names: names.iter().map(|n| (*n).to_owned()).collect(),
            }),
        }
    }

    fn listing(t: i64, accounts: Vec<CachedAccount>) -> CachedListing {
        CachedListing {
            accounts_fetched_at: Timestamp::from_second(t).unwrap(),
            accounts,
        }
    }

    #[test]
    fn round_trip_private_and_keyed_by_session() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ListingCache::new(dir.path().join("listing"), dir.path().join("locks"));
        let a = session(Some("a"), "https://a.awsapps.com/start");
        let l = listing(
            1_000,
            vec![account("1", Some((1_000, &["Admin"]))), account("2", None)],
        );
        cache.store(&a, l.clone()).unwrap();
        assert_eq!(cache.load(&a), Some(l));
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(cache.path(&a))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        // Another name, start URL or region is another file, and a file copied across is refused.
        let b = session(Some("b"), "https://a.awsapps.com/start");
        let c = session(Some("a"), "https://c.awsapps.com/start");
        assert_ne!(cache.path(&a), cache.path(&b));
        assert_ne!(cache.path(&a), cache.path(&c));
        assert_eq!(cache.load(&b), None);
        std::fs::copy(cache.path(&a), cache.path(&b)).unwrap();
        assert_eq!(
            cache.load(&b),
            None,
            "a file written for another session is not used"
        );
        // A corrupt file is no cache.
        std::fs::write(cache.path(&a), "{\"version\": 1, ").unwrap();
        assert_eq!(cache.load(&a), None);
        assert!(cache.remove(&b).unwrap());
        assert_eq!(cache.remove_all().unwrap(), 1);
    }

    #[test]
    fn freshness_and_merging() {
        let now = Timestamp::from_second(10_000).unwrap();
        let hour = Duration::from_secs(3600);
        let l = listing(
            10_000 - 100,
            vec![account("1", Some((10_000 - 4000, &["Old"])))],
        );
        assert!(l.accounts_fresh(now, hour));
        assert!(!l.accounts_fresh(now, Duration::from_secs(99)));
        assert_eq!(
            l.fresh_roles("1", now, hour),
            None,
            "roles older than the window"
        );
        assert!(l.fresh_roles("1", now, Duration::from_secs(5000)).is_some());
        let future = listing(20_000, vec![]);
        assert!(
            !future.accounts_fresh(now, hour),
            "a time in the future is not trusted"
        );

        // The newer account list wins; each account keeps the newer roles of the two.
        let older = listing(
            100,
            vec![
                account("1", Some((150, &["A"]))),
                account("2", Some((90, &["B"]))),
            ],
        );
        let newer = listing(
            200,
            vec![account("1", Some((120, &["A0"]))), account("3", None)],
        );
        let merged = newer.clone().merge(older.clone());
        assert_eq!(merged, older.merge(newer));
        let ids: Vec<&str> = merged
            .accounts
            .iter()
            .map(|a| a.account.account_id.as_str())
            .collect();
        assert_eq!(ids, ["1", "3"]);
        assert_eq!(merged.accounts[0].roles.as_ref().unwrap().names, ["A"]);
        assert_eq!(merged.accounts[1].roles, None);
    }
}

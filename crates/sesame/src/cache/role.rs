//! Role credentials in the AWS CLI v2's `~/.aws/cli/cache` format.
//!
//! The AWS CLI v2 (not v1, not plain boto3) keeps the credentials GetRoleCredentials returns in
//! `~/.aws/cli/cache/<key>.json` (botocore `SSOCredentialFetcher`): key = SHA-1 of
//! `json.dumps(args, sort_keys=True, separators=(',', ':'))` with args
//! `{"accountId", "roleName", "sessionName"}` (or `"startUrl"` for legacy profiles), then `:` and
//! `/` replaced by `_`. Content:
//!
//! ```json
//! {"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIA...", "SecretAccessKey": "...", "SessionToken": "...", "Expiration": "2026-11-22T08:37:06Z", "AccountId": "111122223333"}}
//! ```
//!
//! Reading an entry is the hot path of `credential_process`: one `std::fs::read` and one typed
//! parse, no async runtime, no JSON tree.

use std::path::PathBuf;

use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::dir::{CacheDir, sealed::Entry};
use super::{CacheError, pyjson};
use crate::env::Env;

use crate::secret::Secret;
use crate::time::format_aws;

/// The AWS CLI reuses a cached entry unless it expires within this window
/// (`CachedCredentialFetcher.DEFAULT_EXPIRY_WINDOW_SECONDS = 900`).
pub const ROLE_CACHE_EXPIRY_WINDOW: SignedDuration = SignedDuration::from_mins(15);

/// The `ProviderType` the AWS CLI v2 writes for SSO entries; `aws sso logout` deletes these.
const PROVIDER_TYPE_SSO: &str = "sso";

/// Which role credentials an entry holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RoleCacheKey {
    /// A profile with `sso_session`.
    Session {
        /// `sso_account_id`.
        account_id: String,
        /// `sso_role_name`.
        role_name: String,
        /// The sso-session's name.
        session_name: String,
    },
    /// A legacy profile with `sso_start_url` and no `sso_session`.
    StartUrl {
        /// `sso_account_id`.
        account_id: String,
        /// `sso_role_name`.
        role_name: String,
        /// `sso_start_url`.
        start_url: String,
    },
}

impl RoleCacheKey {
    /// The key for a profile: by sso-session if it has one, else by start URL (botocore's rule).
    pub fn for_profile(
        account_id: &str,
        role_name: &str,
        session_name: Option<&str>,
        start_url: &str,
    ) -> RoleCacheKey {
        let (account_id, role_name) = (account_id.to_owned(), role_name.to_owned());
        match session_name {
            Some(name) => RoleCacheKey::Session {
                account_id,
                role_name,
                session_name: name.to_owned(),
            },
            None => RoleCacheKey::StartUrl {
                account_id,
                role_name,
                start_url: start_url.to_owned(),
            },
        }
    }

    /// The text botocore hashes: `json.dumps(args, sort_keys=True, separators=(',', ':'))`.
    pub fn cache_args(&self) -> String {
        let args = match self {
            RoleCacheKey::Session {
                account_id,
                role_name,
                session_name,
            } => {
                json!({"roleName": role_name, "accountId": account_id, "sessionName": session_name})
            }
            RoleCacheKey::StartUrl {
                account_id,
                role_name,
                start_url,
            } => json!({"roleName": role_name, "accountId": account_id, "startUrl": start_url}),
        };
        pyjson::dumps_with(&args, pyjson::Options::SORTED_COMPACT)
    }

    /// The cache key: hex SHA-1 of [`RoleCacheKey::cache_args`], made file-safe as botocore's
    /// `_make_file_safe` does (a no-op on hex, kept for fidelity).
    pub fn hash(&self) -> String {
        super::sha1_hex(&self.cache_args()).replace([':', '/'], "_")
    }

    /// The cache file's name: `<key>.json`.
    pub fn file_name(&self) -> String {
        format!("{}.json", self.hash())
    }
}

/// Temporary credentials for one account and role, as GetRoleCredentials returns them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleCredentials {
    /// `AccessKeyId` (`ASIA...`).
    pub access_key_id: String,
    /// `SecretAccessKey`.
    pub secret_access_key: Secret,
    /// `SessionToken`.
    pub session_token: Secret,
    /// `Expiration`: when the credentials stop working.
    pub expiration: Timestamp,
    /// `AccountId`: the account the credentials are for (the CLI v2 always writes it).
    pub account_id: Option<String>,
}

impl RoleCredentials {
    /// Whether the credentials are still good for at least `margin` after `now`; the AWS CLI
    /// reuses an entry when this holds for [`ROLE_CACHE_EXPIRY_WINDOW`].
    pub fn valid_for(&self, now: Timestamp, margin: SignedDuration) -> bool {
        self.expiration.duration_since(now) >= margin
    }

    /// The file content the AWS CLI v2 would write (Python `json.dumps`).
    pub fn to_json(&self) -> String {
        let mut creds = Map::new();
        creds.insert(
            "AccessKeyId".into(),
            Value::String(self.access_key_id.clone()),
        );
        creds.insert(
            "SecretAccessKey".into(),
            Value::String(self.secret_access_key.expose().to_owned()),
        );
        creds.insert(
            "SessionToken".into(),
            Value::String(self.session_token.expose().to_owned()),
        );
        creds.insert(
            "Expiration".into(),
            Value::String(format_aws(self.expiration)),
        );
        if let Some(account_id) = &self.account_id {
            creds.insert("AccountId".into(), Value::String(account_id.clone()));
        }
        let mut file = Map::new();
        file.insert(
            "ProviderType".into(),
            Value::String(PROVIDER_TYPE_SSO.into()),
        );
        file.insert("Credentials".into(), Value::Object(creds));
        pyjson::dumps(&Value::Object(file))
    }

    /// Reads an entry's content; the error never quotes the file.
    pub(crate) fn from_json(bytes: &[u8]) -> Result<RoleCredentials, String> {
        let file: RoleFile = serde_json::from_slice(bytes).map_err(|e| data_reason(&e))?;
        let c = file.credentials;
        let expiration = crate::time::parse_lenient(&c.expiration)
            .ok_or_else(|| "its `Expiration` is not a timestamp".to_owned())?;
        Ok(RoleCredentials {
            access_key_id: c.access_key_id,
            secret_access_key: Secret::new(c.secret_access_key),
            session_token: Secret::new(c.session_token),
            expiration,
            account_id: c.account_id,
        })
    }
}

/// The on-disk shape, for a single typed parse on the hot path.
#[derive(Deserialize)]
struct RoleFile {
    #[serde(rename = "Credentials")]
    credentials: RawCredentials,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawCredentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
    #[serde(default)]
    account_id: Option<String>,
}

/// Why an entry did not parse, without serde_json's quotes of the offending value.
fn data_reason(e: &serde_json::Error) -> String {
    if e.classify() == serde_json::error::Category::Data {
        let msg = e.to_string();
        // "missing field `SessionToken` at line 1 column 80" names a field, never a value.
        if let Some(rest) = msg.strip_prefix("missing field ") {
            let field = rest.split(" at line").next().unwrap_or(rest);
            return format!("it has no {field}");
        }
        return "it is not in the AWS CLI's credential cache format".to_owned();
    }
    super::json_syntax_reason(e)
}

/// Role credentials in the AWS CLI v2's `~/.aws/cli/cache`; its lock files are
/// `role-<key>.lock`.
pub type RoleCredentialCache = CacheDir<RoleCredentials>;

impl Entry for RoleCredentials {
    type Key = RoleCacheKey;

    fn user_dir(env: &Env) -> PathBuf {
        env.cli_cache_dir()
    }

    fn file_name(key: &RoleCacheKey) -> String {
        key.file_name()
    }

    fn lock_name(key: &RoleCacheKey) -> String {
        format!("role-{}.lock", key.hash())
    }

    fn from_json(bytes: &[u8]) -> Result<Self, String> {
        RoleCredentials::from_json(bytes)
    }

    fn to_json(&self) -> String {
        RoleCredentials::to_json(self)
    }
}

impl CacheDir<RoleCredentials> {
    /// Deletes every `*.json` entry whose `ProviderType` is `"sso"`, as `aws sso logout` does,
    /// and returns how many. Other entries (assume-role caches) and files that are not JSON are
    /// left alone.
    pub fn remove_all_sso(&self) -> Result<usize, CacheError> {
        let mut removed = 0;
        for path in super::json_files(&self.dir)? {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let Ok(map) = super::parse_object(&bytes) else {
                continue;
            };
            if map.get("ProviderType").and_then(Value::as_str) == Some(PROVIDER_TYPE_SSO)
                && super::remove_optional(&path)?
            {
                removed += 1;
            }
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const START_URL: &str = "https://d-1234567890.awsapps.com/start";

    fn session_key() -> RoleCacheKey {
        RoleCacheKey::Session {
            account_id: "111122223333".into(),
            role_name: "ReadOnly".into(),
            session_name: "my-sso".into(),
        }
    }

    fn legacy_key() -> RoleCacheKey {
        RoleCacheKey::StartUrl {
            account_id: "111122223333".into(),
            role_name: "ReadOnly".into(),
            start_url: START_URL.into(),
        }
    }

    fn creds() -> RoleCredentials {
        RoleCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("sk/+secret"),
            session_token: Secret::new("st=="),
            expiration: "2026-11-22T08:37:06Z".parse().unwrap(),
            account_id: Some("111122223333".into()),
        }
    }

    const CLI_V2_FILE: &str = r#"{"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "sk/+secret", "SessionToken": "st==", "Expiration": "2026-11-22T08:37:06Z", "AccountId": "111122223333"}}"#;

    #[test]
    fn keys_are_botocores() {
        assert_eq!(
            session_key().cache_args(),
            r#"{"accountId":"111122223333","roleName":"ReadOnly","sessionName":"my-sso"}"#
        );
        assert_eq!(
            session_key().hash(),
            "0521d1f6a6c4e68f9e18540309367cc3cccb6305"
        );
        assert_eq!(
            legacy_key().cache_args(),
            r#"{"accountId":"111122223333","roleName":"ReadOnly","startUrl":"https://d-1234567890.awsapps.com/start"}"#
        );
        assert_eq!(
            legacy_key().hash(),
            "417c90ed1b57b636208f01348e75fbf5c9a91a50"
        );
        assert_eq!(
            RoleCacheKey::for_profile("111122223333", "ReadOnly", Some("my-sso"), START_URL),
            session_key()
        );
        assert_eq!(
            RoleCacheKey::for_profile("111122223333", "ReadOnly", None, START_URL),
            legacy_key()
        );
    }

    #[test]
    fn writes_what_the_cli_v2_writes() {
        assert_eq!(creds().to_json(), CLI_V2_FILE);
    }

    #[test]
    fn store_load_remove_with_mode_0600() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = RoleCredentialCache::new(tmp.path().join("cli/cache"));
        assert!(cache.load(&session_key()).unwrap().is_none());
        cache.store(&session_key(), &creds()).unwrap();
        let path = tmp
            .path()
            .join("cli/cache/0521d1f6a6c4e68f9e18540309367cc3cccb6305.json");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), CLI_V2_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(cache.load(&session_key()).unwrap().unwrap(), creds());
        assert!(cache.remove(&session_key()).unwrap());
        assert!(!cache.remove(&session_key()).unwrap());
    }

    #[test]
    fn reads_lenient_times_and_missing_account_id() {
        let text = r#"{"ProviderType": "sso", "Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": "T", "Expiration": "2026-11-22T08:37:06.123+00:00"}}"#;
        let c = RoleCredentials::from_json(text.as_bytes()).unwrap();
        assert_eq!(c.account_id, None);
        assert_eq!(format_aws(c.expiration), "2026-11-22T08:37:06Z");
    }

    #[test]
    fn corrupt_entries_never_quote_the_file() {
        for (content, want) in [
            (r#"{"ProviderType": "sso"}"#, "no `Credentials`"),
            (
                r#"{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "s3cr3t", "Expiration": "2026-11-22T08:37:06Z"}}"#,
                "no `SessionToken`",
            ),
            (
                r#"{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": 5, "SessionToken": "s3cr3t", "Expiration": "2026-11-22T08:37:06Z"}}"#,
                "not in the AWS CLI's credential cache format",
            ),
            (
                r#"{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "s", "SessionToken": "s3cr3t", "Expiration": "s3cr3t"}}"#,
                "`Expiration` is not a timestamp",
            ),
            (r#"{"Credentials": "s3cr3t"}"#, "not in the AWS CLI"),
            ("s3cr3t", "not valid JSON"),
        ] {
            let reason = RoleCredentials::from_json(content.as_bytes()).unwrap_err();
            assert!(reason.contains(want), "{content}: {reason}");
            assert!(!reason.contains("s3cr3t"), "{reason}");
        }
    }

    #[test]
    fn validity_window() {
        let c = creds();
        let mins = |m| SignedDuration::from_mins(m);
        assert!(c.valid_for(c.expiration - mins(15), ROLE_CACHE_EXPIRY_WINDOW));
        assert!(!c.valid_for(c.expiration - mins(14), ROLE_CACHE_EXPIRY_WINDOW));
        assert!(c.valid_for(c.expiration - mins(1), SignedDuration::ZERO));
        assert!(!c.valid_for(c.expiration + mins(1), SignedDuration::ZERO));
    }

    #[test]
    fn remove_all_sso_spares_other_entries() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = RoleCredentialCache::new(tmp.path());
        cache.store(&session_key(), &creds()).unwrap();
        cache.store(&legacy_key(), &creds()).unwrap();
        let assume_role = tmp.path().join("assume.json");
        std::fs::write(
            &assume_role,
            r#"{"Credentials": {"AccessKeyId": "A"}, "AssumedRoleUser": {}}"#,
        )
        .unwrap();
        let garbage = tmp.path().join("garbage.json");
        std::fs::write(&garbage, "{").unwrap();
        let other = tmp.path().join("other.txt");
        std::fs::write(&other, r#"{"ProviderType": "sso"}"#).unwrap();

        assert_eq!(cache.remove_all_sso().unwrap(), 2);
        assert!(cache.load(&session_key()).unwrap().is_none());
        assert!(assume_role.exists() && garbage.exists() && other.exists());
        assert_eq!(cache.remove_all_sso().unwrap(), 0);
        assert_eq!(
            RoleCredentialCache::new(tmp.path().join("missing"))
                .remove_all_sso()
                .unwrap(),
            0
        );
    }

    #[test]
    fn locks_live_in_sesame_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let env = Env::from_vars([("HOME", tmp.path().to_str().unwrap())]);
        let cache = RoleCredentialCache::from_env(&env);
        assert_eq!(cache.dir(), tmp.path().join(".aws/cli/cache"));
        let lock = cache.lock(&session_key()).unwrap();
        assert_eq!(
            lock.path(),
            tmp.path()
                .join(".aws/sesame/locks/role-0521d1f6a6c4e68f9e18540309367cc3cccb6305.lock")
        );
        assert!(
            cache
                .lock_timeout(&session_key(), Duration::from_millis(20))
                .is_err()
        );
    }

    #[test]
    fn debug_redacts_secrets() {
        let shown = format!("{:?}", creds());
        assert!(
            !shown.contains("sk/+secret") && !shown.contains("st=="),
            "{shown}"
        );
    }
}

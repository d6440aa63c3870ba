//! The SSO token cache, `~/.aws/sso/cache/<sha1>.json`, as the AWS CLI v2 and botocore keep it.
//!
//! File name: lowercase hex SHA-1 of the sso-session name, or of the start URL for legacy
//! profiles without `sso_session` (botocore `SSOTokenLoader._generate_cache_key`). Content: one
//! line of Python `json.dumps`, fields in the order botocore's token fetcher and refresher build
//! them:
//!
//! ```json
//! {"startUrl": "https://d-1234567890.awsapps.com/start", "region": "us-east-1", "accessToken": "...", "expiresAt": "2026-11-22T15:34:04Z", "clientId": "...", "clientSecret": "...", "registrationExpiresAt": "2027-02-10T07:34:04Z", "refreshToken": "..."}
//! ```
//!
//! botocore rewrites the whole file with only these fields when it refreshes; sesame keeps any
//! other field it finds (older writers' `receivedAt`, say) after them, in their order.

use std::fmt;
use std::path::PathBuf;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value};

use super::dir::{CacheDir, sealed::Entry};
use super::{CacheError, ClientRegistration, RegistrationCache, RegistrationKey, field, pyjson};
use crate::env::Env;

use crate::secret::Secret;
use crate::time::format_aws;

/// Which token a profile uses: the cache file is named after this.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TokenKey {
    /// A profile with `sso_session = NAME`: the token belongs to the `[sso-session NAME]`.
    Session(String),
    /// A legacy profile with `sso_start_url` and no `sso_session`: the token belongs to the URL.
    StartUrl(String),
}

impl TokenKey {
    /// The key for a profile: its sso-session if it has one, else its start URL (botocore's rule).
    pub fn for_profile(session_name: Option<&str>, start_url: &str) -> TokenKey {
        match session_name {
            Some(name) => TokenKey::Session(name.to_owned()),
            None => TokenKey::StartUrl(start_url.to_owned()),
        }
    }

    /// Lowercase hex SHA-1 of the session name or start URL.
    pub fn hash(&self) -> String {
        match self {
            TokenKey::Session(s) | TokenKey::StartUrl(s) => super::sha1_hex(s),
        }
    }

    /// The cache file's name: `<sha1>.json`.
    pub fn file_name(&self) -> String {
        format!("{}.json", self.hash())
    }
}

impl fmt::Display for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenKey::Session(name) => write!(f, "sso-session {name}"),
            TokenKey::StartUrl(url) => write!(f, "start URL {url}"),
        }
    }
}

/// A cached SSO access token, with what is needed to refresh it.
#[derive(Debug, Clone, PartialEq)]
pub struct SsoToken {
    /// `startUrl`: the IAM Identity Center start URL the token was issued for.
    pub start_url: Option<String>,
    /// `region`: the region of the Identity Center instance (for OIDC refresh and portal calls).
    pub region: Option<String>,
    /// `accessToken`: the bearer token for the portal API.
    pub access_token: Secret,
    /// `expiresAt`: when the access token stops working.
    pub expires_at: Timestamp,
    /// `clientId`: the OIDC client registration the token was issued to (needed to refresh).
    pub client_id: Option<String>,
    /// `clientSecret`: that registration's secret.
    pub client_secret: Option<Secret>,
    /// `registrationExpiresAt`: when that registration expires; no refresh after it.
    pub registration_expires_at: Option<Timestamp>,
    /// `refreshToken`: present when CreateToken returned one.
    pub refresh_token: Option<Secret>,
    /// Fields sesame does not know, kept in their order and written back after the known ones.
    pub extra: Map<String, Value>,
}

impl SsoToken {
    /// A token with only an access token and its expiry (what a legacy login caches).
    pub fn new(access_token: Secret, expires_at: Timestamp) -> SsoToken {
        SsoToken {
            start_url: None,
            region: None,
            access_token,
            expires_at,
            client_id: None,
            client_secret: None,
            registration_expires_at: None,
            refresh_token: None,
            extra: Map::new(),
        }
    }

    /// Whether the access token has expired at `now`.
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at <= now
    }

    /// Whether the access token expires less than `window` after `now` (botocore refreshes
    /// within 15 minutes of expiry, and blocks on it within 10).
    pub fn expires_within(&self, now: Timestamp, window: SignedDuration) -> bool {
        self.expires_at.duration_since(now) < window
    }

    /// Whether the token can be refreshed at `now`: it has a refresh token, the client id and
    /// secret, and a registration expiry that has not passed (botocore's
    /// `SSOTokenProvider._refresh_access_token` conditions).
    pub fn can_refresh(&self, now: Timestamp) -> bool {
        self.refresh_token.is_some()
            && self.client_id.is_some()
            && self.client_secret.is_some()
            && self.registration_expires_at.is_some_and(|t| t > now)
    }

    /// The file content botocore would write for this token (Python `json.dumps`).
    pub fn to_json(&self) -> String {
        let mut map = Map::new();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(v) = value {
                map.insert(key.to_owned(), Value::String(v));
            }
        };
        put("startUrl", self.start_url.clone());
        put("region", self.region.clone());
        put("accessToken", Some(self.access_token.expose().to_owned()));
        put("expiresAt", Some(format_aws(self.expires_at)));
        put("clientId", self.client_id.clone());
        put(
            "clientSecret",
            self.client_secret.as_ref().map(|s| s.expose().to_owned()),
        );
        put(
            "registrationExpiresAt",
            self.registration_expires_at.map(format_aws),
        );
        put(
            "refreshToken",
            self.refresh_token.as_ref().map(|s| s.expose().to_owned()),
        );
        for (key, value) in &self.extra {
            if !map.contains_key(key) {
                map.insert(key.clone(), value.clone());
            }
        }
        pyjson::dumps(&Value::Object(map))
    }

    /// Reads a token file's content; the error says what is wrong without quoting the file.
    pub(crate) fn from_json(bytes: &[u8]) -> Result<SsoToken, String> {
        Self::from_map(super::parse_object(bytes)?)
    }

    fn from_map(mut map: Map<String, Value>) -> Result<SsoToken, String> {
        let access_token = field::string(&mut map, "accessToken")?;
        // The token travels in an HTTP header: one with a control character (a NUL, a
        // newline) can never be sent, and no retry changes that.
        if http::HeaderValue::from_str(&access_token).is_err() {
            return Err("its `accessToken` holds a control character, so it cannot be sent".into());
        }
        let access_token = Secret::new(access_token);
        let expires_at = field::timestamp(&mut map, "expiresAt")?;
        Ok(SsoToken {
            start_url: field::opt_string(&mut map, "startUrl")?,
            region: field::opt_string(&mut map, "region")?,
            access_token,
            expires_at,
            client_id: field::opt_string(&mut map, "clientId")?,
            client_secret: field::opt_string(&mut map, "clientSecret")?.map(Secret::new),
            registration_expires_at: field::opt_timestamp(&mut map, "registrationExpiresAt")?,
            refresh_token: field::opt_string(&mut map, "refreshToken")?.map(Secret::new),
            extra: map,
        })
    }
}

/// The SSO token cache directory (`~/.aws/sso/cache`), shared with the AWS CLI v2; its lock
/// files are `token-<sha1>.lock`.
pub type TokenCache = CacheDir<SsoToken>;

impl Entry for SsoToken {
    type Key = TokenKey;

    fn user_dir(env: &Env) -> PathBuf {
        env.sso_cache_dir()
    }

    fn file_name(key: &TokenKey) -> String {
        key.file_name()
    }

    fn lock_name(key: &TokenKey) -> String {
        format!("token-{}.lock", key.hash())
    }

    fn from_json(bytes: &[u8]) -> Result<Self, String> {
        SsoToken::from_json(bytes)
    }

    fn to_json(&self) -> String {
        SsoToken::to_json(self)
    }
}

impl CacheDir<SsoToken> {
    /// Every token in the directory: each `*.json` file whose JSON object has an `accessToken`
    /// (the rule `aws sso logout` uses), sorted by path. Registration files and files that are
    /// not JSON are skipped; a token file that cannot be read or parsed comes with its error. A
    /// missing directory has no tokens; one that cannot be listed gives a single entry, the
    /// directory itself with [`CacheError::List`].
    pub fn entries(&self) -> Vec<(PathBuf, Result<SsoToken, CacheError>)> {
        let files = match super::json_files(&self.dir) {
            Ok(files) => files,
            Err(e) => return vec![(self.dir.clone(), Err(e))],
        };
        let mut tokens = Vec::new();
        for path in files {
            let bytes = match std::fs::read(&path) {
                Ok(bytes) => bytes,
                Err(source) => {
                    let error = CacheError::Read {
                        path: path.clone(),
                        source,
                    };
                    tokens.push((path, Err(error)));
                    continue;
                }
            };
            let Ok(map) = super::parse_object(&bytes) else {
                continue;
            };
            if !map.contains_key("accessToken") {
                continue;
            }
            let token = SsoToken::from_map(map).map_err(|reason| CacheError::Corrupt {
                path: path.clone(),
                reason,
            });
            tokens.push((path, token));
        }
        tokens
    }

    /// The registration cache in the same directory, with the same lock directory: the AWS
    /// CLI v2 keeps client registrations beside its tokens.
    pub fn registrations(&self) -> RegistrationCache {
        RegistrationCache::new(&self.dir).with_lock_dir(&self.lock_dir)
    }

    /// Shorthand for [`RegistrationCache::load`] on [`TokenCache::registrations`].
    pub fn load_registration(
        &self,
        key: &RegistrationKey,
    ) -> Result<Option<ClientRegistration>, CacheError> {
        self.registrations().load(key)
    }

    /// Shorthand for [`RegistrationCache::store`] on [`TokenCache::registrations`].
    pub fn store_registration(
        &self,
        key: &RegistrationKey,
        registration: &ClientRegistration,
    ) -> Result<(), CacheError> {
        self.registrations().store(key, registration)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const START_URL: &str = "https://d-1234567890.awsapps.com/start";

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn full_token() -> SsoToken {
        SsoToken {
            start_url: Some(START_URL.into()),
            region: Some("us-east-1".into()),
            access_token: Secret::new("at-1"),
            expires_at: ts("2026-11-22T15:34:04Z"),
            client_id: Some("cid".into()),
            client_secret: Some(Secret::new("csecret")),
            registration_expires_at: Some(ts("2027-02-10T07:34:04Z")),
            refresh_token: Some(Secret::new("rt-1")),
            extra: Map::new(),
        }
    }

    /// What botocore's `JSONFileCache` with `_sso_json_dumps` writes for the token dict that
    /// `SSOTokenProvider._attempt_create_token` builds.
    const BOTOCORE_FULL: &str = r#"{"startUrl": "https://d-1234567890.awsapps.com/start", "region": "us-east-1", "accessToken": "at-1", "expiresAt": "2026-11-22T15:34:04Z", "clientId": "cid", "clientSecret": "csecret", "registrationExpiresAt": "2027-02-10T07:34:04Z", "refreshToken": "rt-1"}"#;

    #[test]
    fn file_names_are_the_aws_cli_ones() {
        assert_eq!(
            TokenKey::Session("my-sso".into()).file_name(),
            "0ad374308c5a4e22f723adf10145eafad7c4031c.json"
        );
        assert_eq!(
            TokenKey::StartUrl(START_URL.into()).file_name(),
            "7487b5b67d5fa1132cf33fa93ae51ef38cc37752.json"
        );
        assert_eq!(
            TokenKey::for_profile(Some("my-sso"), START_URL),
            TokenKey::Session("my-sso".into())
        );
        assert_eq!(
            TokenKey::for_profile(None, START_URL),
            TokenKey::StartUrl(START_URL.into())
        );
        assert_eq!(TokenKey::Session("s".into()).to_string(), "sso-session s");
    }

    #[test]
    fn writes_what_botocore_writes() {
        assert_eq!(full_token().to_json(), BOTOCORE_FULL);
        let minimal = SsoToken::new(Secret::new("at"), ts("2026-11-22T15:34:04.9Z"));
        assert_eq!(
            minimal.to_json(),
            r#"{"accessToken": "at", "expiresAt": "2026-11-22T15:34:04Z"}"#
        );
    }

    #[test]
    fn store_load_round_trip_with_mode_0600() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = TokenCache::new(tmp.path().join("sso/cache"));
        let key = TokenKey::Session("my-sso".into());
        assert!(cache.load(&key).unwrap().is_none());
        cache.store(&key, &full_token()).unwrap();
        let path = tmp
            .path()
            .join("sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json");
        assert_eq!(cache.path(&key), path);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), BOTOCORE_FULL);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(cache.load(&key).unwrap().unwrap(), full_token());
        assert!(cache.remove(&key).unwrap());
        assert!(!cache.remove(&key).unwrap());
        assert!(cache.load(&key).unwrap().is_none());
    }

    #[test]
    fn unknown_fields_survive_in_order() {
        let legacy = r#"{"startUrl": "https://x.awsapps.com/start", "region": "eu-west-1", "accessToken": "at", "expiresAt": "2026-01-02T03:04:05UTC", "receivedAt": "2026-01-01T19:04:05UTC", "zeta": {"nested": [1, 2.5, null]}, "alpha": "\u00e9"}"#;
        let token = SsoToken::from_json(legacy.as_bytes()).unwrap();
        assert_eq!(token.expires_at, ts("2026-01-02T03:04:05Z"));
        let keys: Vec<&str> = token.extra.keys().map(String::as_str).collect();
        assert_eq!(keys, ["receivedAt", "zeta", "alpha"]);
        assert_eq!(
            token.to_json(),
            r#"{"startUrl": "https://x.awsapps.com/start", "region": "eu-west-1", "accessToken": "at", "expiresAt": "2026-01-02T03:04:05Z", "receivedAt": "2026-01-01T19:04:05UTC", "zeta": {"nested": [1, 2.5, null]}, "alpha": "\u00e9"}"#
        );
    }

    #[test]
    fn known_fields_are_written_in_botocore_order_whatever_the_input_order() {
        let shuffled = r#"{"refreshToken": "rt-1", "x": 1, "registrationExpiresAt": "2027-02-10T07:34:04+00:00", "clientSecret": "csecret", "clientId": "cid", "expiresAt": "2026-11-22T15:34:04.000Z", "accessToken": "at-1", "region": "us-east-1", "startUrl": "https://d-1234567890.awsapps.com/start"}"#;
        let token = SsoToken::from_json(shuffled.as_bytes()).unwrap();
        assert_eq!(token.to_json(), BOTOCORE_FULL.replace("}", ", \"x\": 1}"));
    }

    #[test]
    fn parses_every_time_format_aws_tools_write() {
        for expires in [
            "2026-11-22T15:34:04Z",
            "2026-11-22T15:34:04+00:00",
            "2026-11-22T15:34:04.827655Z",
            "2026-11-22T15:34:04UTC",
            "2026-11-22T17:34:04+02:00",
        ] {
            let text = format!(r#"{{"accessToken": "a", "expiresAt": "{expires}"}}"#);
            let token = SsoToken::from_json(text.as_bytes()).unwrap();
            assert_eq!(
                format_aws(token.expires_at),
                "2026-11-22T15:34:04Z",
                "{expires}"
            );
        }
    }

    #[test]
    fn corrupt_files_are_errors_that_never_quote_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = TokenCache::new(tmp.path());
        let key = TokenKey::Session("s".into());
        let cases = [
            ("{\"accessToken\": \"s3cr3t\"", "not valid JSON"),
            ("s3cr3t", "not valid JSON"),
            ("[\"s3cr3t\"]", "not a JSON object"),
            (
                r#"{"accessToken": "s3cr3t", "refreshToken": "s3cr3t"}"#,
                "no `expiresAt`",
            ),
            (
                r#"{"expiresAt": "2026-11-22T15:34:04Z"}"#,
                "no `accessToken`",
            ),
            (
                r#"{"accessToken": 7, "expiresAt": "2026-11-22T15:34:04Z"}"#,
                "`accessToken` is not a string",
            ),
            (
                r#"{"accessToken": "s3cr3t", "expiresAt": "s3cr3t"}"#,
                "`expiresAt` is not a timestamp",
            ),
            (
                r#"{"accessToken": "a", "expiresAt": "2026-11-22T15:34:04Z", "clientSecret": ["s3cr3t"]}"#,
                "`clientSecret` is not a string",
            ),
            (
                "{\"accessToken\": \"s3cr3t\\u0000\", \"expiresAt\": \"2026-11-22T15:34:04Z\"}",
                "`accessToken` holds a control character",
            ),
            (
                "{\"accessToken\": \"s3cr3t\\n\", \"expiresAt\": \"2026-11-22T15:34:04Z\"}",
                "`accessToken` holds a control character",
            ),
        ];
        for (content, want) in cases {
            std::fs::write(cache.path(&key), content).unwrap();
            let err = cache.load(&key).unwrap_err();
            let msg = err.to_string();
            assert!(matches!(err, CacheError::Corrupt { .. }), "{content}");
            assert!(msg.contains(want), "{content}: {msg}");
            assert!(!msg.contains("s3cr3t"), "{msg}");
            assert!(msg.contains(&cache.path(&key).display().to_string()));
        }
    }

    #[test]
    fn null_optional_fields_count_as_absent() {
        let text = r#"{"accessToken": "a", "expiresAt": "2026-11-22T15:34:04Z", "refreshToken": null, "region": null}"#;
        let token = SsoToken::from_json(text.as_bytes()).unwrap();
        assert_eq!(token.refresh_token, None);
        assert_eq!(token.region, None);
    }

    #[test]
    fn debug_redacts_secrets() {
        let shown = format!("{:?}", full_token());
        assert!(!shown.contains("at-1") && !shown.contains("rt-1") && !shown.contains("csecret"));
    }

    #[test]
    fn expiry_and_refresh_rules() {
        let token = full_token();
        let exp = token.expires_at;
        let mins = |m| SignedDuration::from_mins(m);
        assert!(!token.is_expired(exp - mins(1)));
        assert!(token.is_expired(exp));
        assert!(token.expires_within(exp - mins(14), mins(15)));
        assert!(!token.expires_within(exp - mins(15), mins(15)));

        assert!(token.can_refresh(exp));
        let reg_exp = token.registration_expires_at.unwrap();
        assert!(!token.can_refresh(reg_exp));
        for strip in 0..4 {
            let mut t = full_token();
            match strip {
                0 => t.refresh_token = None,
                1 => t.client_id = None,
                2 => t.client_secret = None,
                _ => t.registration_expires_at = None,
            }
            assert!(!t.can_refresh(exp), "{strip}");
        }
    }

    #[test]
    fn entries_lists_tokens_only() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = TokenCache::new(tmp.path());
        cache
            .store(&TokenKey::Session("a".into()), &full_token())
            .unwrap();
        cache
            .store(
                &TokenKey::StartUrl(START_URL.into()),
                &SsoToken::new(Secret::new("x"), ts("2026-01-01T00:00:00Z")),
            )
            .unwrap();
        let dir = tmp.path();
        // A registration file, a non-JSON file, a non-.json file, a corrupt token.
        std::fs::write(
            dir.join("8b2cedd020fb181ad4cf906d1d27b232fd31557e.json"),
            r#"{"clientId": "c", "clientSecret": "s", "expiresAt": "2027-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        std::fs::write(dir.join("garbage.json"), "not json").unwrap();
        std::fs::write(
            dir.join("notes.txt"),
            r#"{"accessToken": "a", "expiresAt": "2026-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        std::fs::write(dir.join("zz-broken.json"), r#"{"accessToken": "a"}"#).unwrap();
        std::fs::create_dir(dir.join("sub.json")).unwrap();

        let entries = cache.entries();
        let names: Vec<String> = entries
            .iter()
            .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        let mut want = vec![
            TokenKey::Session("a".into()).file_name(),
            TokenKey::StartUrl(START_URL.into()).file_name(),
            "zz-broken.json".to_owned(),
        ];
        want.sort();
        assert_eq!(names, want);
        let broken = entries
            .iter()
            .find(|(p, _)| p.ends_with("zz-broken.json"))
            .unwrap();
        assert!(matches!(broken.1, Err(CacheError::Corrupt { .. })));
        assert_eq!(
            entries.iter().filter(|(_, r)| r.is_ok()).count(),
            2,
            "two good tokens"
        );

        let missing = TokenCache::new(tmp.path().join("nope"));
        assert!(missing.entries().is_empty());
        let not_a_dir = TokenCache::new(tmp.path().join("garbage.json"));
        let entries = not_a_dir.entries();
        assert_eq!(entries.len(), 1);
        assert!(matches!(entries[0].1, Err(CacheError::List { .. })));
    }

    #[test]
    fn registrations_share_the_directory_but_are_not_tokens() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = TokenCache::new(tmp.path()).with_lock_dir(tmp.path().join("locks"));
        let key = RegistrationKey {
            start_url: START_URL.into(),
            region: "us-east-1".into(),
            scopes: None,
            session_name: Some("my-sso".into()),
            scheme: crate::cache::KeyScheme::Botocore,
        };
        let reg = ClientRegistration {
            client_id: "cid".into(),
            client_secret: Secret::new("cs"),
            expires_at: ts("2027-02-10T07:34:04Z"),
            scopes: None,
            grant_types: None,
            extra: Map::new(),
        };
        assert!(cache.load_registration(&key).unwrap().is_none());
        cache.store_registration(&key, &reg).unwrap();
        assert!(
            tmp.path()
                .join("8b2cedd020fb181ad4cf906d1d27b232fd31557e.json")
                .is_file()
        );
        assert_eq!(cache.load_registration(&key).unwrap().unwrap(), reg);
        assert!(cache.entries().is_empty());
        let lock = cache.registrations().lock(&key).unwrap();
        assert!(lock.path().starts_with(tmp.path().join("locks")));
    }

    #[test]
    fn lock_lives_in_lock_dir_and_excludes() {
        let tmp = tempfile::tempdir().unwrap();
        let env = Env::from_vars([("HOME", tmp.path().to_str().unwrap())]);
        let cache = TokenCache::from_env(&env);
        assert_eq!(cache.dir(), tmp.path().join(".aws/sso/cache"));
        let key = TokenKey::Session("my-sso".into());
        let lock = cache.lock(&key).unwrap();
        assert_eq!(
            lock.path(),
            tmp.path()
                .join(".aws/sesame/locks/token-0ad374308c5a4e22f723adf10145eafad7c4031c.lock")
        );
        let err = cache
            .lock_timeout(&key, Duration::from_millis(30))
            .unwrap_err();
        assert!(matches!(err, CacheError::Lock { .. }));
        drop(lock);
        cache.lock_timeout(&key, Duration::from_secs(5)).unwrap();
        assert!(
            !cache.dir().exists(),
            "locking must not touch the AWS CLI's dir"
        );
    }
}

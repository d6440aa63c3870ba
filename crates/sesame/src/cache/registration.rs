//! The OIDC client-registration cache the AWS CLI v2 keeps beside its tokens in
//! `~/.aws/sso/cache`.
//!
//! File name (CLI v2 `BaseSSOTokenFetcher._registration_cache_key`): SHA-1 of
//! `json.dumps({"tool": "botocore", "startUrl": .., "region": .., "scopes": <list|null>,
//! "session_name": <str|null>}, sort_keys=True)`. Content, as `SSOTokenFetcher` (device code) and
//! `SSOTokenFetcherAuth` (PKCE) build it:
//!
//! ```json
//! {"clientId": "...", "clientSecret": "...", "expiresAt": "2027-02-10T07:34:04Z", "scopes": ["sso:account:access"], "grantTypes": ["authorization_code", "refresh_token"]}
//! ```
//!
//! `scopes` only when scopes were configured (always for PKCE), `grantTypes` only for PKCE.

use std::path::PathBuf;

use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};

use super::dir::{CacheDir, sealed::Entry};
use super::{field, pyjson};
use crate::env::Env;

use crate::secret::Secret;
use crate::time::format_aws;

/// The CLI v2 registers a new client when the cached one expires within this window
/// (`BaseSSOTokenFetcher._EXPIRY_WINDOW`).
pub const REGISTRATION_EXPIRY_WINDOW: SignedDuration = SignedDuration::from_mins(15);

/// The grant type that marks a registration made for the authorization-code (PKCE) flow.
const AUTHORIZATION_CODE: &str = "authorization_code";

/// Which key a registration is cached under.
///
/// Every AWS CLI generation's device flow reads the botocore key, but CLIs before 2.22 reuse
/// whatever it holds without looking at `grantTypes`: a PKCE registration there (one that cannot
/// do the device grant) makes their `aws sso login` fail with `UnauthorizedClientException` until
/// it expires (90 days). So sesame keeps its own PKCE registrations under a key of its own and
/// leaves the botocore key to device-flow registrations (it reads, but never writes, a PKCE one
/// a newer CLI put there).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum KeyScheme {
    /// The AWS CLI's key (`"tool": "botocore"`).
    #[default]
    Botocore,
    /// sesame's key for its authorization-code (PKCE) registrations (`"tool": "sesame-pkce"`).
    SesamePkce,
}

/// What a client registration is cached under.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegistrationKey {
    /// The sso-session's `sso_start_url`.
    pub start_url: String,
    /// The sso-session's `sso_region`.
    pub region: String,
    /// The sso-session's `sso_registration_scopes` as the CLI parses them (split on `,`,
    /// stripped); `None` when the key is absent, which is not the same file as `Some(vec![])`.
    pub scopes: Option<Vec<String>>,
    /// The sso-session's name; `None` for legacy profiles.
    pub session_name: Option<String>,
    /// Whose key: the CLI's, or sesame's own for PKCE registrations.
    pub scheme: KeyScheme,
}

impl RegistrationKey {
    /// The text the CLI v2 hashes: `json.dumps(args, sort_keys=True)` (with sesame's own `tool`
    /// for [`KeyScheme::SesamePkce`]).
    pub fn cache_args(&self) -> String {
        let tool = match self.scheme {
            KeyScheme::Botocore => "botocore",
            KeyScheme::SesamePkce => "sesame-pkce",
        };
        let args = json!({
            "tool": tool,
            "startUrl": self.start_url,
            "region": self.region,
            "scopes": self.scopes,
            "session_name": self.session_name,
        });
        pyjson::dumps_with(&args, pyjson::Options::SORTED)
    }

    /// Lowercase hex SHA-1 of [`RegistrationKey::cache_args`].
    pub fn hash(&self) -> String {
        super::sha1_hex(&self.cache_args())
    }

    /// The cache file's name: `<sha1>.json`.
    pub fn file_name(&self) -> String {
        format!("{}.json", self.hash())
    }
}

/// Which login flow a registration is for: the CLI v2 keeps the two apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistrationKind {
    /// The device-code flow (`--use-device-code`).
    DeviceCode,
    /// The authorization-code flow with PKCE (the CLI v2's default for sso-sessions).
    AuthorizationCode,
}

/// A cached OIDC client registration (RegisterClient's answer).
#[derive(Debug, Clone, PartialEq)]
pub struct ClientRegistration {
    /// `clientId`.
    pub client_id: String,
    /// `clientSecret`.
    pub client_secret: Secret,
    /// `expiresAt`: RegisterClient's `clientSecretExpiresAt`.
    pub expires_at: Timestamp,
    /// `scopes`: the scopes registered, when any were asked for.
    pub scopes: Option<Vec<String>>,
    /// `grantTypes`: the grant types registered (written for PKCE registrations).
    pub grant_types: Option<Vec<String>>,
    /// Fields sesame does not know (aws-sso-lib's `receivedAt`), kept in order after the others.
    pub extra: Map<String, Value>,
}

impl ClientRegistration {
    /// Whether this registration was made for the authorization-code flow: its `grantTypes`
    /// contain `authorization_code` (CLI v2 `_is_registration_for_auth_code`; registrations
    /// without `grantTypes` predate PKCE and are device-code ones).
    pub fn is_for_authorization_code(&self) -> bool {
        self.grant_types
            .as_ref()
            .is_some_and(|g| g.iter().any(|t| t == AUTHORIZATION_CODE))
    }

    /// Whether the CLI v2 would reuse this registration for a `kind` login at `now`: it does
    /// not expire within [`REGISTRATION_EXPIRY_WINDOW`], and it was made for that flow.
    pub fn usable_for(&self, kind: RegistrationKind, now: Timestamp) -> bool {
        let fresh = self.expires_at.duration_since(now) >= REGISTRATION_EXPIRY_WINDOW;
        let right_flow = match kind {
            RegistrationKind::DeviceCode => !self.is_for_authorization_code(),
            RegistrationKind::AuthorizationCode => self.is_for_authorization_code(),
        };
        fresh && right_flow
    }

    /// The file content the CLI v2 would write (Python `json.dumps`).
    pub fn to_json(&self) -> String {
        let mut map = Map::new();
        map.insert("clientId".into(), Value::String(self.client_id.clone()));
        map.insert(
            "clientSecret".into(),
            Value::String(self.client_secret.expose().to_owned()),
        );
        map.insert(
            "expiresAt".into(),
            Value::String(format_aws(self.expires_at)),
        );
        if let Some(scopes) = &self.scopes {
            map.insert("scopes".into(), json!(scopes));
        }
        if let Some(grant_types) = &self.grant_types {
            map.insert("grantTypes".into(), json!(grant_types));
        }
        for (key, value) in &self.extra {
            if !map.contains_key(key) {
                map.insert(key.clone(), value.clone());
            }
        }
        pyjson::dumps(&Value::Object(map))
    }

    /// Reads a registration file's content; the error never quotes the file.
    pub(crate) fn from_json(bytes: &[u8]) -> Result<ClientRegistration, String> {
        let mut map = super::parse_object(bytes)?;
        Ok(ClientRegistration {
            client_id: field::string(&mut map, "clientId")?,
            client_secret: Secret::new(field::string(&mut map, "clientSecret")?),
            expires_at: field::timestamp(&mut map, "expiresAt")?,
            scopes: field::opt_strings(&mut map, "scopes")?,
            grant_types: field::opt_strings(&mut map, "grantTypes")?,
            extra: map,
        })
    }
}

/// The client registrations the AWS CLI v2 keeps beside its tokens (`~/.aws/sso/cache`); its
/// lock files are `registration-<sha1>.lock`.
pub type RegistrationCache = CacheDir<ClientRegistration>;

impl Entry for ClientRegistration {
    type Key = RegistrationKey;

    fn user_dir(env: &Env) -> PathBuf {
        env.sso_cache_dir()
    }

    fn file_name(key: &RegistrationKey) -> String {
        key.file_name()
    }

    fn lock_name(key: &RegistrationKey) -> String {
        format!("registration-{}.lock", key.hash())
    }

    fn from_json(bytes: &[u8]) -> Result<Self, String> {
        ClientRegistration::from_json(bytes)
    }

    fn to_json(&self) -> String {
        ClientRegistration::to_json(self)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn key() -> RegistrationKey {
        RegistrationKey {
            start_url: "https://d-1234567890.awsapps.com/start".into(),
            region: "us-east-1".into(),
            scopes: None,
            session_name: Some("my-sso".into()),
            scheme: KeyScheme::Botocore,
        }
    }

    fn device() -> ClientRegistration {
        ClientRegistration {
            client_id: "cid".into(),
            client_secret: Secret::new("csecret"),
            expires_at: ts("2027-02-10T07:34:04Z"),
            scopes: None,
            grant_types: None,
            extra: Map::new(),
        }
    }

    fn pkce() -> ClientRegistration {
        ClientRegistration {
            scopes: Some(vec!["sso:account:access".into()]),
            grant_types: Some(vec!["authorization_code".into(), "refresh_token".into()]),
            ..device()
        }
    }

    #[test]
    fn file_name_is_the_cli_v2_one() {
        assert_eq!(
            key().cache_args(),
            r#"{"region": "us-east-1", "scopes": null, "session_name": "my-sso", "startUrl": "https://d-1234567890.awsapps.com/start", "tool": "botocore"}"#
        );
        assert_eq!(
            key().file_name(),
            "8b2cedd020fb181ad4cf906d1d27b232fd31557e.json"
        );
    }

    #[test]
    fn scopes_and_legacy_keys_hash_as_python_does() {
        // Hashes printed by CPython 3.11 for the same arguments.
        let scoped = RegistrationKey {
            scopes: Some(vec!["sso:account:access".into(), "codewhisperer:x".into()]),
            ..key()
        };
        assert_eq!(
            scoped.cache_args(),
            r#"{"region": "us-east-1", "scopes": ["sso:account:access", "codewhisperer:x"], "session_name": "my-sso", "startUrl": "https://d-1234567890.awsapps.com/start", "tool": "botocore"}"#
        );
        let legacy = RegistrationKey {
            session_name: None,
            ..key()
        };
        assert_eq!(
            legacy.cache_args(),
            r#"{"region": "us-east-1", "scopes": null, "session_name": null, "startUrl": "https://d-1234567890.awsapps.com/start", "tool": "botocore"}"#
        );
        let empty = RegistrationKey {
            scopes: Some(vec![]),
            ..key()
        };
        assert_ne!(empty.hash(), key().hash());
        // sesame's PKCE key: the same arguments, its own tool, so never a file a CLI reads.
        let own = RegistrationKey {
            scheme: KeyScheme::SesamePkce,
            ..key()
        };
        assert_eq!(
            own.cache_args(),
            r#"{"region": "us-east-1", "scopes": null, "session_name": "my-sso", "startUrl": "https://d-1234567890.awsapps.com/start", "tool": "sesame-pkce"}"#
        );
        assert_ne!(own.hash(), key().hash());
    }

    #[test]
    fn writes_what_the_cli_v2_writes() {
        assert_eq!(
            device().to_json(),
            r#"{"clientId": "cid", "clientSecret": "csecret", "expiresAt": "2027-02-10T07:34:04Z"}"#
        );
        assert_eq!(
            pkce().to_json(),
            r#"{"clientId": "cid", "clientSecret": "csecret", "expiresAt": "2027-02-10T07:34:04Z", "scopes": ["sso:account:access"], "grantTypes": ["authorization_code", "refresh_token"]}"#
        );
    }

    #[test]
    fn round_trip_keeps_unknown_fields() {
        let text = r#"{"clientId": "cid", "clientSecret": "csecret", "expiresAt": "2027-02-10T07:34:04UTC", "receivedAt": "2026-11-12T07:34:04UTC", "scopes": ["a"]}"#;
        let reg = ClientRegistration::from_json(text.as_bytes()).unwrap();
        assert_eq!(reg.scopes, Some(vec!["a".to_owned()]));
        assert_eq!(
            reg.to_json(),
            r#"{"clientId": "cid", "clientSecret": "csecret", "expiresAt": "2027-02-10T07:34:04Z", "scopes": ["a"], "receivedAt": "2026-11-12T07:34:04UTC"}"#
        );
    }

    #[test]
    fn store_load_remove() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = RegistrationCache::new(tmp.path());
        assert!(cache.load(&key()).unwrap().is_none());
        cache.store(&key(), &pkce()).unwrap();
        let path = tmp
            .path()
            .join("8b2cedd020fb181ad4cf906d1d27b232fd31557e.json");
        assert_eq!(cache.path(&key()), path);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(cache.load(&key()).unwrap().unwrap(), pkce());
        assert!(cache.remove(&key()).unwrap());
        assert!(!cache.remove(&key()).unwrap());
    }

    #[test]
    fn corrupt_registration_never_quotes_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = RegistrationCache::new(tmp.path());
        for (content, want) in [
            (
                r#"{"clientId": "c", "expiresAt": "2027-01-01T00:00:00Z"}"#,
                "no `clientSecret`",
            ),
            (
                r#"{"clientId": "c", "clientSecret": "s3cr3t", "expiresAt": "2027-01-01T00:00:00Z", "grantTypes": "s3cr3t"}"#,
                "`grantTypes` is not a list of strings",
            ),
            ("{", "not valid JSON"),
        ] {
            std::fs::write(cache.path(&key()), content).unwrap();
            let msg = cache.load(&key()).unwrap_err().to_string();
            assert!(msg.contains(want), "{msg}");
            assert!(!msg.contains("s3cr3t"), "{msg}");
        }
    }

    #[test]
    fn reuse_rules_are_the_cli_v2_ones() {
        use RegistrationKind::*;
        let exp = device().expires_at;
        let mins = |m| SignedDuration::from_mins(m);
        assert!(device().usable_for(DeviceCode, exp - mins(15)));
        assert!(!device().usable_for(DeviceCode, exp - mins(14)));
        assert!(!device().usable_for(AuthorizationCode, exp - mins(60)));
        assert!(pkce().usable_for(AuthorizationCode, exp - mins(60)));
        assert!(!pkce().usable_for(DeviceCode, exp - mins(60)));
        assert!(!pkce().usable_for(AuthorizationCode, exp));
        // grantTypes without authorization_code is a device registration.
        let refresh_only = ClientRegistration {
            grant_types: Some(vec!["refresh_token".into()]),
            ..device()
        };
        assert!(refresh_only.usable_for(DeviceCode, exp - mins(60)));
        assert!(!refresh_only.usable_for(AuthorizationCode, exp - mins(60)));
    }

    #[test]
    fn locks_live_in_sesame_dir() {
        let tmp = tempfile::tempdir().unwrap();
        let env = Env::from_vars([("HOME", tmp.path().to_str().unwrap())]);
        let cache = RegistrationCache::from_env(&env);
        let lock = cache.lock(&key()).unwrap();
        assert_eq!(
            lock.path(),
            tmp.path().join(
                ".aws/sesame/locks/registration-8b2cedd020fb181ad4cf906d1d27b232fd31557e.lock"
            )
        );
        assert!(
            cache
                .lock_timeout(&key(), Duration::from_millis(20))
                .is_err()
        );
    }
}

//! sesame's caches against the real botocore, byte for byte, in one round trip through
//! `tests/botocore_cache_check.py` (see its docstring for the fixture):
//!
//! 1. `write DIR`: botocore's own code paths write the fixture into `DIR/botocore/`;
//! 2. sesame writes the same logical content into `DIR/sesame/` and reads botocore's files
//!    back through its caches;
//! 3. `check DIR`: the two trees must be byte-identical, and botocore's loaders must accept
//!    sesame's files (and refresh sesame's token with sesame's registration).

use std::ffi::OsStr;
use std::path::Path;

use jiff::Timestamp;
use serde_json::Map;

use super::*;
use crate::botocore_py;
use crate::secret::Secret;

const START_URL: &str = "https://d-1234567890.awsapps.com/start";

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn session_token() -> SsoToken {
    SsoToken {
        start_url: Some(START_URL.into()),
        region: Some("us-east-1".into()),
        access_token: Secret::new("at-refreshed"),
        expires_at: ts("2026-11-22T15:34:04Z"),
        client_id: Some("cid".into()),
        client_secret: Some(Secret::new("csecret")),
        registration_expires_at: Some(ts("2027-02-10T07:34:04Z")),
        refresh_token: Some(Secret::new("rt-new")),
        extra: Map::new(),
    }
}

fn legacy_token() -> SsoToken {
    SsoToken {
        access_token: Secret::new("at-legacy"),
        expires_at: ts("2036-08-01T12:00:00Z"),
        client_id: Some("cid-legacy".into()),
        client_secret: Some(Secret::new("csecret-legacy")),
        refresh_token: None,
        ..session_token()
    }
}

fn registration_key(scopes: Option<Vec<String>>) -> RegistrationKey {
    RegistrationKey {
        start_url: START_URL.into(),
        region: "us-east-1".into(),
        scopes,
        session_name: Some("my-sso".into()),
        scheme: crate::cache::KeyScheme::Botocore,
    }
}

fn pkce_scopes() -> Option<Vec<String>> {
    Some(vec!["sso:account:access".into()])
}

fn device_registration() -> ClientRegistration {
    ClientRegistration {
        client_id: "cid".into(),
        client_secret: Secret::new("csecret"),
        expires_at: ts("2027-02-10T07:34:04Z"),
        scopes: None,
        grant_types: None,
        extra: Map::new(),
    }
}

fn pkce_registration() -> ClientRegistration {
    ClientRegistration {
        client_id: "cid-pkce".into(),
        client_secret: Secret::new("csecret-pkce"),
        scopes: pkce_scopes(),
        grant_types: Some(vec!["authorization_code".into(), "refresh_token".into()]),
        ..device_registration()
    }
}

fn role_key(legacy: bool) -> RoleCacheKey {
    RoleCacheKey::for_profile(
        "111122223333",
        "ReadOnly",
        (!legacy).then_some("my-sso"),
        START_URL,
    )
}

fn role_credentials(legacy: bool) -> RoleCredentials {
    let (akid, secret, token) = if legacy {
        ("ASIALEGACY", "sk-legacy", "st-legacy")
    } else {
        ("ASIAEXAMPLE", "sk/+secret", "st==")
    };
    RoleCredentials {
        access_key_id: akid.into(),
        secret_access_key: Secret::new(secret),
        session_token: Secret::new(token),
        expiration: ts("2036-11-22T08:37:06Z"),
        account_id: Some("111122223333".into()),
    }
}

fn caches(root: &Path) -> (TokenCache, RoleCredentialCache) {
    let locks = root.join("locks");
    (
        TokenCache::new(root.join("sso/cache")).with_lock_dir(&locks),
        RoleCredentialCache::new(root.join("cli/cache")).with_lock_dir(&locks),
    )
}

/// Writes sesame's half of the fixture under `root`.
fn write_fixture(root: &Path) {
    let (tokens, roles) = caches(root);
    let session = TokenKey::Session("my-sso".into());
    let legacy = TokenKey::StartUrl(START_URL.into());
    tokens.store(&session, &session_token()).unwrap();
    tokens.store(&legacy, &legacy_token()).unwrap();
    let registrations = tokens.registrations();
    registrations
        .store(&registration_key(None), &device_registration())
        .unwrap();
    registrations
        .store(&registration_key(pkce_scopes()), &pkce_registration())
        .unwrap();
    roles
        .store(&role_key(false), &role_credentials(false))
        .unwrap();
    roles
        .store(&role_key(true), &role_credentials(true))
        .unwrap();
}

/// Reads what botocore wrote under `root` through sesame's caches.
fn read_botocore_files(root: &Path) {
    let session = TokenKey::Session("my-sso".into());
    let legacy = TokenKey::StartUrl(START_URL.into());
    let (tokens, roles) = caches(root);
    assert_eq!(tokens.load(&session).unwrap().unwrap(), session_token());
    assert_eq!(tokens.load(&legacy).unwrap().unwrap(), legacy_token());
    let registrations = tokens.registrations();
    assert_eq!(
        registrations
            .load(&registration_key(None))
            .unwrap()
            .unwrap(),
        device_registration()
    );
    assert_eq!(
        registrations
            .load(&registration_key(pkce_scopes()))
            .unwrap()
            .unwrap(),
        pkce_registration()
    );
    assert_eq!(
        roles.load(&role_key(false)).unwrap().unwrap(),
        role_credentials(false)
    );
    assert_eq!(
        roles.load(&role_key(true)).unwrap().unwrap(),
        role_credentials(true)
    );
    let listed: Vec<_> = tokens
        .entries()
        .into_iter()
        .map(|(p, t)| (p, t.unwrap()))
        .collect();
    assert_eq!(
        listed.len(),
        2,
        "registrations must not be listed as tokens"
    );
}

#[test]
fn sesame_and_botocore_write_the_same_cache_files() {
    let dir = tempfile::tempdir().unwrap();
    let script = "botocore_cache_check.py";
    let d = dir.path().as_os_str();
    botocore_py::run(script, &[OsStr::new("write"), d], b"");
    write_fixture(&dir.path().join("sesame"));
    read_botocore_files(&dir.path().join("botocore"));
    let out = botocore_py::run(script, &[OsStr::new("check"), d], b"");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let identical = stdout
        .lines()
        .filter(|l| l.starts_with("identical: "))
        .count();
    assert!(
        identical == 6 && stdout.contains("botocore reads sesame's files"),
        "{stdout}"
    );
}

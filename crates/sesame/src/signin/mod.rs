//! `aws login` sessions (`login_session` profiles): console credentials for developer tools,
//! read from and refreshed into the AWS CLI v2's cache.
//!
//! - The cache: `~/.aws/login/cache/<sha256(login_session)>.json` (or `AWS_LOGIN_CACHE_DIRECTORY`),
//!   botocore's `JSONFileCache` bytes: `{"accessToken": {"accessKeyId", "secretAccessKey",
//!   "sessionToken", "accountId", "expiresAt"}, "tokenType", "clientId", "refreshToken",
//!   "idToken", "dpopKey"}` ([`LoginToken`]).
//! - Within 5 minutes of `expiresAt` (botocore's `_REFRESH_THRESHOLD`), CreateOAuth2Token with
//!   `grantType = refresh_token` and a DPoP proof signed with the cached key ([`dpop`]); the
//!   answer's keys, expiry and the rotated refresh token replace the old ones, every other field
//!   kept. Unlike the AWS CLI v2 (which rewrites the file in place without a lock), the refresh
//!   runs under a cross-process lock with the file read again inside it, and the file is
//!   replaced atomically (0600): any number of callers on an expiring session make one refresh,
//!   and a rotated refresh token is never lost to a concurrent writer.
//! - The endpoint: `AWS_ENDPOINT_URL_SIGNIN`, else `https://{region}.signin.aws.amazon.com` (the
//!   partition's domain for China and GovCloud), as botocore's endpoint rules give it.
//!
//! [`warm`] is the runtime-free read: a session with more than 5 minutes left.

pub mod dpop;
mod login;

use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use serde_json::Value;

use crate::cache::pyjson;
use crate::env::Env;
use crate::keys::AwsCredentials;
use crate::pace::{Classify, Failure, PacerConfig, Pacing, RetryPolicy};
use crate::secret::Secret;

pub use dpop::DpopKey;
pub use login::{ConsoleFlow, ConsoleLogin, SignedIn, parse_pasted};

/// Inside this much of `expiresAt` the credentials are refreshed (botocore's threshold).
pub const REFRESH_WINDOW: SignedDuration = SignedDuration::from_mins(5);

/// How long a caller waits for another process refreshing the same session.
const LOCK_WAIT: Duration = Duration::from_secs(60);

/// Why an `aws login` session gives no credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SigninError {
    /// No cache file for the session: nobody logged in (here).
    #[error("profile `{profile}`: no `aws login` session {session} in {}", path.display())]
    NoSession {
        /// The profile.
        profile: String,
        /// Its `login_session`.
        session: String,
        /// The cache file looked for.
        path: PathBuf,
    },
    /// The cache file is not the AWS CLI's format, or its `dpopKey` is unusable.
    #[error("profile `{profile}`: the login cache {} is unusable: {what}", path.display())]
    Corrupt {
        /// The profile.
        profile: String,
        /// The cache file.
        path: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// The sign-in service refused the refresh token (expired, revoked, password changed).
    #[error("profile `{profile}`: the `aws login` session has ended ({code}: {message})")]
    Ended {
        /// The profile.
        profile: String,
        /// The service's `error` (`TOKEN_EXPIRED`, `USER_CREDENTIALS_CHANGED`).
        code: String,
        /// Its message.
        message: String,
    },
    /// The sign-in service failed or could not be reached.
    #[error(
        "profile `{profile}`: refreshing the `aws login` session at {endpoint} failed: {reason}"
    )]
    Service {
        /// The profile.
        profile: String,
        /// The endpoint called.
        endpoint: String,
        /// What went wrong.
        reason: String,
    },
    /// The cache could not be written or locked.
    #[error("profile `{profile}`: {what}: {source}")]
    Io {
        /// The profile.
        profile: String,
        /// What sesame was doing.
        what: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

impl SigninError {
    /// Whether the user has to log in (again): no session, or one the service ended.
    pub fn is_login_required(&self) -> bool {
        matches!(
            self,
            SigninError::NoSession { .. } | SigninError::Ended { .. }
        )
    }
}

/// The login cache directory: `AWS_LOGIN_CACHE_DIRECTORY` (`~` and `$VARS` expanded), else
/// `~/.aws/login/cache`.
pub fn cache_dir(env: &Env) -> PathBuf {
    match env.var("AWS_LOGIN_CACHE_DIRECTORY") {
        Some(dir) => PathBuf::from(expand(env, dir)),
        None => env.home().join(".aws").join("login").join("cache"),
    }
}

/// `os.path.expandvars` then `expanduser`, for the forms people write.
fn expand(env: &Env, text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, tail) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => (&inner[..end], &inner[end + 1..]),
                None => ("", after),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], &after[end..])
        };
        match env.var(name).filter(|_| !name.is_empty()) {
            Some(v) => out.push_str(v),
            None => out.push_str(&rest[at..rest.len() - tail.len()]),
        }
        rest = tail;
    }
    out.push_str(rest);
    match out.strip_prefix('~') {
        Some(tail) if tail.is_empty() || tail.starts_with('/') => {
            format!("{}{tail}", env.home().display())
        }
        _ => out,
    }
}

/// The cache file of `session`: `<sha256(session)>.json`.
pub fn cache_path(env: &Env, session: &str) -> PathBuf {
    use sha2::Digest as _;
    let key: String = sha2::Sha256::digest(session.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    cache_dir(env).join(format!("{key}.json"))
}

/// A cached login, as the AWS CLI v2 writes it; `raw` keeps every field for the rewrite.
#[derive(Debug, Clone)]
pub struct LoginToken {
    raw: Value,
    /// The credentials.
    pub credentials: AwsCredentials,
    /// The account they are of.
    pub account_id: String,
    /// `clientId`.
    pub client_id: String,
    /// `refreshToken`.
    pub refresh_token: Secret,
    /// `dpopKey` (SEC1 PEM).
    pub dpop_key: Secret,
}

impl LoginToken {
    /// Reads the file's bytes; `what` explains a refusal.
    pub fn parse(bytes: &[u8], source: &str) -> Result<LoginToken, String> {
        let raw: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON ({e})"))?;
        let text = |v: &Value, k: &str| -> Result<String, String> {
            v.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| format!("no {k}"))
        };
        let access = raw.get("accessToken").ok_or("no accessToken")?;
        let expires = text(access, "expiresAt")?;
        let expiration = crate::time::parse_lenient(&expires)
            .ok_or_else(|| format!("expiresAt `{expires}` is not a time"))?;
        Ok(LoginToken {
            credentials: AwsCredentials {
                access_key_id: text(access, "accessKeyId")?,
                secret_access_key: Secret::new(text(access, "secretAccessKey")?),
                session_token: Some(Secret::new(text(access, "sessionToken")?)),
                expiration: Some(expiration),
                source: source.to_owned(),
            },
            account_id: access
                .get("accountId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            client_id: text(&raw, "clientId")?,
            refresh_token: Secret::new(text(&raw, "refreshToken")?),
            dpop_key: Secret::new(text(&raw, "dpopKey")?),
            raw,
        })
    }

    /// Whether the credentials have more than the refresh window left at `now`.
    pub fn fresh(&self, now: Timestamp) -> bool {
        self.credentials
            .expiration
            .is_some_and(|e| e.duration_since(now) > REFRESH_WINDOW)
    }
}

fn source_of(profile: &str) -> String {
    format!("profile `{profile}` (aws login)")
}

/// The warm path: the session's credentials if the cache has them with more than 5 minutes
/// left; no runtime, no network. Anything else (no file, expiring, unreadable) is `None`.
pub fn warm(env: &Env, profile: &str, session: &str) -> Option<AwsCredentials> {
    let bytes = std::fs::read(cache_path(env, session)).ok()?;
    let token = LoginToken::parse(&bytes, &source_of(profile)).ok()?;
    token.fresh(crate::time::now()).then_some(token.credentials)
}

/// The sign-in endpoint for `region`.
pub fn endpoint(env: &Env, region: Option<&str>) -> String {
    if let Some(url) = env
        .var("AWS_ENDPOINT_URL_SIGNIN")
        .or_else(|| env.var("AWS_ENDPOINT_URL"))
    {
        return url.trim_end_matches('/').to_owned();
    }
    let region = region.unwrap_or("us-east-1");
    let domain = if region.starts_with("cn-") {
        "signin.amazonaws.cn"
    } else if region.starts_with("us-gov-") {
        "signin.amazonaws-us-gov.com"
    } else {
        "signin.aws.amazon.com"
    };
    format!("https://{region}.{domain}")
}

/// Profile `profile`'s credentials from `aws login` session `session`: the cache while it has
/// more than 5 minutes left, else refreshed (single-flight across processes) and written back.
pub async fn credentials(
    env: &Env,
    profile: &str,
    session: &str,
    region: Option<&str>,
) -> Result<AwsCredentials, SigninError> {
    let path = cache_path(env, session);
    let token = read(&path, profile, session)?;
    if token.fresh(crate::time::now()) {
        return Ok(token.credentials);
    }
    let lock_path = lock_of(env, &path);
    let io = |what: String| {
        let profile = profile.to_owned();
        move |source| SigninError::Io {
            profile,
            what,
            source,
        }
    };
    let _lock = tokio::task::spawn_blocking({
        let lock_path = lock_path.clone();
        move || crate::fsutil::FileLock::acquire_timeout(&lock_path, LOCK_WAIT)
    })
    .await
    .map_err(std::io::Error::other)
    .and_then(|r| r)
    .map_err(io(format!("cannot lock {}", lock_path.display())))?;
    // Another process may have refreshed while this one waited.
    let token = read(&path, profile, session)?;
    if token.fresh(crate::time::now()) {
        return Ok(token.credentials);
    }
    let refreshed = refresh(env, &path, profile, &token, region).await?;
    let bytes = pyjson::dumps(&refreshed.raw);
    crate::fsutil::write_atomic(&path, bytes.as_bytes(), 0o600)
        .map_err(io(format!("cannot write {}", path.display())))?;
    Ok(refreshed.credentials)
}

/// The lock file of a session's cache file.
fn lock_of(env: &Env, path: &Path) -> PathBuf {
    crate::fsutil::lock_dir(env).join(format!(
        "login-{}.lock",
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    ))
}

/// `aws logout`: deletes session `session`'s cache file (under its lock); false when there was
/// none.
pub fn logout(env: &Env, session: &str) -> std::io::Result<bool> {
    let path = cache_path(env, session);
    let _lock = crate::fsutil::FileLock::acquire_timeout(&lock_of(env, &path), LOCK_WAIT)?;
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// `aws logout --all`: deletes every login cache file that holds credentials; their count.
pub fn logout_all(env: &Env) -> std::io::Result<usize> {
    let dir = cache_dir(env);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let mut deleted = 0;
    for entry in entries {
        let path = entry?.path();
        let holds_credentials = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .is_some_and(|v| v["accessToken"].get("accessKeyId").is_some());
        if holds_credentials {
            let _lock = crate::fsutil::FileLock::acquire_timeout(&lock_of(env, &path), LOCK_WAIT)?;
            std::fs::remove_file(&path)?;
            deleted += 1;
        }
    }
    Ok(deleted)
}

fn read(path: &Path, profile: &str, session: &str) -> Result<LoginToken, SigninError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(SigninError::NoSession {
                profile: profile.to_owned(),
                session: session.to_owned(),
                path: path.to_owned(),
            });
        }
        Err(source) => {
            return Err(SigninError::Io {
                profile: profile.to_owned(),
                what: format!("cannot read {}", path.display()),
                source,
            });
        }
    };
    LoginToken::parse(&bytes, &source_of(profile)).map_err(|what| SigninError::Corrupt {
        profile: profile.to_owned(),
        path: path.to_owned(),
        what,
    })
}

/// One CreateOAuth2Token call's failure.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TokenCallError {
    #[error("cannot reach it ({0})")]
    Unreachable(String),
    #[error("{kind} (HTTP {status}): {code}: {message}")]
    Api {
        status: u16,
        kind: String,
        code: String,
        message: String,
    },
    #[error("an answer that is not the token JSON ({0})")]
    BadAnswer(String),
    #[error("{0}")]
    Proof(String),
}

impl Classify for TokenCallError {
    fn failure(&self) -> Failure {
        match self {
            TokenCallError::Api { status: 429, .. } => Failure::Throttle,
            TokenCallError::Api { status, .. } if *status >= 500 => Failure::Transient,
            TokenCallError::Unreachable(_) => Failure::Transient,
            _ => Failure::Final,
        }
    }
}

/// The client for the sign-in service at `url`, trusting the CA bundle botocore would use for
/// `profile` (`AWS_CA_BUNDLE`, the profile's `ca_bundle`, `REQUESTS_CA_BUNDLE`).
fn http_client(env: &Env, profile: &str, url: &str) -> Result<reqwest::Client, TokenCallError> {
    let unreachable = |e: String| TokenCallError::Unreachable(e);
    let parsed = url::Url::parse(url).map_err(|e| unreachable(format!("{url}: {e}")))?;
    let ca_bundle = crate::config::AwsConfig::from_env(env)
        .ok()
        .and_then(|config| crate::http::CaBundle::resolve(env, &config, Some(profile)));
    crate::http::client_for(&parsed, ca_bundle.as_ref()).map_err(|e| unreachable(e.to_string()))
}

/// POSTs `body` to CreateOAuth2Token with a fresh DPoP proof per attempt (retried on throttles,
/// 5xx and dropped connections); the answer is `tokenOutput`.
pub(crate) async fn create_token(
    env: &Env,
    profile: &str,
    base: &str,
    key: &DpopKey,
    body: &Value,
) -> Result<Value, TokenCallError> {
    let url = format!("{base}/v1/token");
    let http = http_client(env, profile, &url)?;
    let attempt = || async {
        let proof = key
            .proof(&url, crate::time::now().as_second())
            .map_err(TokenCallError::Proof)?;
        let response = http
            .post(&url)
            .header("content-type", "application/json")
            .header("DPoP", proof)
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| TokenCallError::Unreachable(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        let kind = response
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(':').next().unwrap_or(v).to_owned());
        let bytes = response
            .bytes()
            .await
            .map_err(|e| TokenCallError::Unreachable(e.without_url().to_string()))?;
        let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !(200..300).contains(&status) {
            let field = |k: &str| {
                answer
                    .get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            return Err(TokenCallError::Api {
                status,
                kind: kind
                    .or_else(|| {
                        answer
                            .get("__type")
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    })
                    .unwrap_or_else(|| "error".to_owned()),
                code: field("error"),
                message: field("message"),
            });
        }
        if answer.get("accessToken").is_none() {
            return Err(TokenCallError::BadAnswer("no accessToken".to_owned()));
        }
        Ok(answer)
    };
    Pacing::new(PacerConfig::default(), RetryPolicy::credential_fetch())
        .call("CreateOAuth2Token", attempt)
        .await
        .map_err(|e| e.into_source_or(|d| TokenCallError::Unreachable(d.to_string())))
}

/// The refreshed token: new keys, expiry and refresh token, every other field kept.
async fn refresh(
    env: &Env,
    path: &Path,
    profile: &str,
    token: &LoginToken,
    region: Option<&str>,
) -> Result<LoginToken, SigninError> {
    let path_of = |what: String| SigninError::Corrupt {
        profile: profile.to_owned(),
        path: path.to_owned(),
        what,
    };
    let key = DpopKey::from_sec1_pem(token.dpop_key.expose())
        .map_err(|e| path_of(format!("its dpopKey: {e}")))?;
    let base = endpoint(env, region);
    let body = serde_json::json!({
        "clientId": token.client_id,
        "refreshToken": token.refresh_token.expose(),
        "grantType": "refresh_token",
    });
    let output = create_token(env, profile, &base, &key, &body)
        .await
        .map_err(|e| match e {
            TokenCallError::Api {
                kind,
                code,
                message,
                ..
            } if kind == "AccessDeniedException" => SigninError::Ended {
                profile: profile.to_owned(),
                code,
                message,
            },
            other => SigninError::Service {
                profile: profile.to_owned(),
                endpoint: base.clone(),
                reason: other.to_string(),
            },
        })?;
    let mut raw = token.raw.clone();
    apply_output(&mut raw, &output, &token.account_id).map_err(|what| SigninError::Service {
        profile: profile.to_owned(),
        endpoint: base.clone(),
        reason: what,
    })?;
    LoginToken::parse(pyjson::dumps(&raw).as_bytes(), &source_of(profile)).map_err(|what| {
        SigninError::Service {
            profile: profile.to_owned(),
            endpoint: base,
            reason: what,
        }
    })
}

/// botocore's `token.update(...)` after a refresh: `accessToken` rebuilt (the account kept),
/// `expiresAt` = now + `expiresIn`, `refreshToken` rotated.
pub(crate) fn apply_output(
    raw: &mut Value,
    output: &Value,
    account_id: &str,
) -> Result<(), String> {
    let access = output.get("accessToken").ok_or("no accessToken")?;
    let text = |k: &str| {
        access
            .get(k)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("no accessToken.{k}"))
    };
    let expires_in = output
        .get("expiresIn")
        .and_then(Value::as_i64)
        .ok_or("no expiresIn")?;
    let expires = crate::time::now() + SignedDuration::from_secs(expires_in);
    let new_access = serde_json::json!({
        "accessKeyId": text("accessKeyId")?,
        "secretAccessKey": text("secretAccessKey")?,
        "sessionToken": text("sessionToken")?,
        "accountId": account_id,
        "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
    });
    let obj = raw.as_object_mut().ok_or("the cache is not an object")?;
    obj.insert("accessToken".into(), new_access);
    obj.insert(
        "refreshToken".into(),
        output
            .get("refreshToken")
            .cloned()
            .ok_or("no refreshToken")?,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_path_and_directory() {
        let env = Env::from_vars([("HOME", "/h")]);
        // python3 -c "import hashlib; print(hashlib.sha256(b'arn:aws:iam::0:user/u').hexdigest())"
        assert_eq!(
            cache_path(&env, "arn:aws:iam::0:user/u"),
            PathBuf::from(
                "/h/.aws/login/cache/ec788a7ef7e36fee19b4191698e4de53aa3d4e5655343cfa06c7c7528881e69d.json"
            )
        );
        let env = Env::from_vars([
            ("HOME", "/h"),
            ("X", "/x"),
            ("AWS_LOGIN_CACHE_DIRECTORY", "$X/c"),
        ]);
        assert_eq!(cache_dir(&env), PathBuf::from("/x/c"));
        let env = Env::from_vars([("HOME", "/h"), ("AWS_LOGIN_CACHE_DIRECTORY", "~/c")]);
        assert_eq!(cache_dir(&env), PathBuf::from("/h/c"));
        assert_eq!(
            endpoint(&Env::from_vars([("HOME", "/h")]), Some("cn-north-1")),
            "https://cn-north-1.signin.amazonaws.cn"
        );
    }
}

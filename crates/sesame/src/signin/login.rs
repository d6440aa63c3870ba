//! Signing in with console credentials, as `aws login` does: an authorization code with PKCE
//! from `/v1/authorize`, redeemed at CreateOAuth2Token with a DPoP proof of a new P-256 key;
//! the session (named by the ID token's `sub`) goes into the login cache and the profile gets
//! `login_session` (and `region`), so the AWS CLI v2, botocore and sesame all use it.
//!
//! - Same device: the redirect goes to a loopback listener (the caller's
//!   [`crate::sso::pkce::RedirectListener`]), client `arn:aws:signin:::devtools/same-device`.
//! - Cross device (`--remote`): the redirect goes to the service's `/v1/sessions/confirmation`
//!   page, which shows base64(`state=..&code=..`) for the user to paste back; client
//!   `arn:aws:signin:::devtools/cross-device`.

use std::path::PathBuf;

use base64::Engine as _;
use jiff::SignedDuration;
use serde_json::{Value, json};

use super::{DpopKey, SigninError, TokenCallError, cache_path, create_token, endpoint};
use crate::config::AwsConfig;
use crate::env::Env;
use crate::fsutil::{self, FileLock};
use crate::secret::Secret;
use crate::sso::pkce;

/// Which of the two flows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsoleFlow {
    /// A browser on this machine, redirected to a loopback listener.
    SameDevice,
    /// A browser anywhere; the code pasted back.
    CrossDevice,
}

impl ConsoleFlow {
    fn client_id(self) -> &'static str {
        match self {
            ConsoleFlow::SameDevice => "arn:aws:signin:::devtools/same-device",
            ConsoleFlow::CrossDevice => "arn:aws:signin:::devtools/cross-device",
        }
    }
}

/// One sign-in in progress: the URL to open, then [`ConsoleLogin::finish`] with the code.
#[derive(Debug)]
pub struct ConsoleLogin {
    flow: ConsoleFlow,
    base: String,
    redirect_uri: String,
    verifier: Secret,
    state: String,
    key: DpopKey,
}

/// A finished sign-in: the session name and where it was written.
#[derive(Debug)]
pub struct SignedIn {
    /// The `login_session` (the signed-in principal's ARN).
    pub session: String,
    /// The account.
    pub account_id: String,
    /// The login cache file.
    pub cache: PathBuf,
    /// When the first credentials expire.
    pub expires_at: jiff::Timestamp,
}

impl ConsoleLogin {
    /// Starts a sign-in against `region`'s sign-in endpoint; `redirect_uri` is the loopback
    /// listener's for the same-device flow (ignored for cross-device).
    pub fn new(
        env: &Env,
        region: &str,
        flow: ConsoleFlow,
        redirect_uri: Option<String>,
    ) -> Result<ConsoleLogin, String> {
        let base = endpoint(env, Some(region));
        let redirect_uri = match flow {
            ConsoleFlow::SameDevice => redirect_uri.ok_or("no loopback redirect URI")?,
            ConsoleFlow::CrossDevice => format!("{base}/v1/sessions/confirmation"),
        };
        Ok(ConsoleLogin {
            flow,
            base,
            redirect_uri,
            verifier: pkce::code_verifier(),
            state: pkce::state(),
            key: DpopKey::generate()?,
        })
    }

    /// The state the redirect must carry.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The URL the browser opens (the AWS CLI v2's parameters, in its order).
    pub fn authorize_url(&self) -> String {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("response_type", "code")
            .append_pair("client_id", self.flow.client_id())
            .append_pair("state", &self.state)
            .append_pair("code_challenge_method", "SHA-256")
            .append_pair("scope", "openid")
            .append_pair("redirect_uri", &self.redirect_uri)
            .append_pair("code_challenge", &pkce::code_challenge(&self.verifier))
            .finish();
        format!("{}/v1/authorize?{query}", self.base)
    }

    /// Redeems `code` and writes the session: the login cache (atomically, 0600, under the
    /// session's lock) and `login_session` + `region` in profile `profile` of the config.
    pub async fn finish(
        &self,
        env: &Env,
        profile: &str,
        region: &str,
        code: &Secret,
    ) -> Result<SignedIn, SigninError> {
        let fail = |reason: String| SigninError::Service {
            profile: profile.to_owned(),
            endpoint: self.base.clone(),
            reason,
        };
        let body = json!({
            "clientId": self.flow.client_id(),
            "grantType": "authorization_code",
            "code": code.expose(),
            "codeVerifier": self.verifier.expose(),
            "redirectUri": self.redirect_uri,
        });
        let output = create_token(env, profile, &self.base, &self.key, &body)
            .await
            .map_err(|e| match e {
                TokenCallError::Api { code, message, .. } if code == "AUTHCODE_EXPIRED" => {
                    SigninError::Ended {
                        profile: profile.to_owned(),
                        code,
                        message,
                    }
                }
                other => fail(other.to_string()),
            })?;
        let id_token = output
            .get("idToken")
            .and_then(Value::as_str)
            .ok_or_else(|| fail("the answer has no idToken".to_owned()))?;
        let session = subject(id_token).ok_or_else(|| fail("the idToken has no sub".to_owned()))?;
        let account_id = session.split(':').nth(4).unwrap_or_default().to_owned();
        let mut token = json!({
            "accessToken": {},
            "tokenType": output.get("tokenType").cloned().unwrap_or(Value::Null),
            "clientId": self.flow.client_id(),
            "refreshToken": "",
            "idToken": id_token,
            "dpopKey": self.key.to_sec1_pem(),
        });
        super::apply_output(&mut token, &output, &account_id).map_err(fail)?;
        let cache = cache_path(env, &session);
        let io = |what: String| {
            let profile = profile.to_owned();
            move |source| SigninError::Io {
                profile,
                what,
                source,
            }
        };
        if let Some(dir) = cache.parent() {
            fsutil::create_private_dir(dir)
                .map_err(io(format!("cannot create {}", dir.display())))?;
        }
        {
            let lock = super::lock_of(env, &cache);
            let _lock = FileLock::acquire_timeout(&lock, std::time::Duration::from_secs(60))
                .map_err(io(format!("cannot lock {}", lock.display())))?;
            fsutil::write_atomic(
                &cache,
                crate::cache::pyjson::dumps(&token).as_bytes(),
                0o600,
            )
            .map_err(io(format!("cannot write {}", cache.display())))?;
        }
        write_profile(env, profile, &session, region).map_err(|what| SigninError::Corrupt {
            profile: profile.to_owned(),
            path: env.config_file(),
            what,
        })?;
        Ok(SignedIn {
            session,
            account_id,
            cache,
            expires_at: crate::time::now()
                + SignedDuration::from_secs(
                    output.get("expiresIn").and_then(Value::as_i64).unwrap_or(0),
                ),
        })
    }
}

/// The `sub` of a JWT's payload (not verified: it came over TLS from the service).
fn subject(jwt: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v.get("sub")?.as_str().map(str::to_owned)
}

/// The code the cross-device page shows: base64(`state=..&code=..`); checks the state.
pub fn parse_pasted(text: &str, expected_state: &str) -> Result<Secret, String> {
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| "the code is not the base64 text the page shows".to_owned())?;
    let (mut state, mut code) = (None, None);
    for (k, v) in url::form_urlencoded::parse(&decoded) {
        match &*k {
            "state" => state = Some(v.into_owned()),
            "code" => code = Some(v.into_owned()),
            _ => {}
        }
    }
    match (state, code) {
        (Some(s), Some(c)) if s == expected_state => Ok(Secret::new(c)),
        (Some(_), Some(_)) => {
            Err("the code is from another sign-in (its state differs)".to_owned())
        }
        _ => Err("the code has no state and code in it".to_owned()),
    }
}

/// `login_session` and `region` into the profile, under the config's lock, other bytes kept.
fn write_profile(env: &Env, profile: &str, session: &str, region: &str) -> Result<(), String> {
    let path = env.config_file();
    let _lock = FileLock::acquire_timeout(
        &fsutil::config_lock(env, &path),
        std::time::Duration::from_secs(60),
    )
    .map_err(|e| format!("cannot lock the config: {e}"))?;
    let mut config = if path.exists() {
        AwsConfig::load(&path).map_err(|e| e.to_string())?
    } else {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        AwsConfig::from_str(&path, "").map_err(|e| e.to_string())?
    };
    let section = match config.profile_header(profile) {
        Some(h) => h.to_owned(),
        None if profile == "default" => "default".to_owned(),
        None => format!("profile {profile}"),
    };
    let doc = config.document_mut();
    doc.set(&section, "login_session", session)
        .map_err(|e| e.to_string())?;
    doc.set(&section, "region", region)
        .map_err(|e| e.to_string())?;
    config.save().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pasted_code_carries_the_state() {
        let text = base64::engine::general_purpose::STANDARD.encode("state=s1&code=c1");
        assert_eq!(parse_pasted(&text, "s1").unwrap().expose(), "c1");
        assert!(
            parse_pasted(&text, "s2")
                .unwrap_err()
                .contains("another sign-in")
        );
        assert!(parse_pasted("!!", "s1").is_err());
        assert_eq!(
            subject("e30.eyJzdWIiOiJhcm46YXdzOmlhbTo6MToxIn0=").as_deref(),
            Some("arn:aws:iam::1:1")
        );
    }
}

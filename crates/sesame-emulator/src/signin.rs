//! The AWS Sign-In service behind `aws login` (console credentials for developer tools), as
//! botocore's `signin` model and the AWS CLI v2's `customizations/login` use it:
//!
//! - `GET /v1/authorize?response_type=code&client_id=arn:aws:signin:::devtools/(same|cross)-device
//!   &state=..&code_challenge_method=SHA-256&scope=openid&redirect_uri=..&code_challenge=..`: the
//!   emulator's one console user signs in at once and is redirected to `redirect_uri` with
//!   `code` and `state` (same device: the tool's loopback listener; cross device:
//!   `/v1/sessions/confirmation`, a page showing base64(`state=S&code=C`) to paste back).
//! - `POST /v1/token` (CreateOAuth2Token, rest-json, the body is `tokenInput`, the answer
//!   `tokenOutput`) with a `DPoP` header: an ES256 JWT (`typ` `dpop+jwt`, the public `jwk`,
//!   `htm` POST, `htu` this URL, `iat`, a fresh `jti`) whose signature is verified.
//!   `authorization_code` checks the PKCE verifier against the challenge (SHA-256, base64url)
//!   and the redirect URI, once per code; `refresh_token` checks that the proof's key is the one
//!   the token was issued to, and rotates it: the old token is dead from then on (stricter than
//!   the real service's idempotency window, so a client that refreshes twice is caught).
//!   Errors: `x-amzn-ErrorType: AccessDeniedException` + `{"error": "TOKEN_EXPIRED", ..}`, or
//!   `ValidationException` + `INVALID_REQUEST`.
//!
//! Credential lifetime: [`crate::EmulatorConfig::signin_credentials_lifetime`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::{
    Json,
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Redirect, Response},
};
use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::state::{RoleAssignment, Shared, random_token};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;
const CODE_LIFETIME: Duration = Duration::from_secs(300);
/// How far a DPoP proof's `iat` may be from now.
const PROOF_WINDOW: u64 = 300;
/// The emulator's console user (in the first account).
const USER: &str = "console-user";

/// What the sign-in service remembers.
#[derive(Debug, Default)]
pub(crate) struct SigninStore {
    codes: HashMap<String, Code>,
    refresh_tokens: HashMap<String, Refresh>,
    jtis: HashSet<String>,
}

#[derive(Debug)]
struct Code {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    expires: Instant,
}

#[derive(Debug)]
struct Refresh {
    client_id: String,
    /// The thumbprint of the key the token is bound to (RFC 7638).
    jkt: String,
    account_id: String,
    expires: Instant,
}

fn error(status: StatusCode, kind: &str, code: &str, message: &str) -> Response {
    let mut response = (status, Json(json!({ "error": code, "message": message }))).into_response();
    response
        .headers_mut()
        .insert("x-amzn-errortype", kind.parse().expect("a header value"));
    response
}

fn invalid(message: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "ValidationException",
        "INVALID_REQUEST",
        message,
    )
}

fn denied(code: &str, message: &str) -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "AccessDeniedException",
        code,
        message,
    )
}

fn valid_client(client_id: &str) -> bool {
    matches!(
        client_id,
        "arn:aws:signin:::devtools/same-device" | "arn:aws:signin:::devtools/cross-device"
    )
}

/// `GET /v1/authorize`: signs the console user in and redirects with a code.
pub(crate) async fn authorize(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).map(String::as_str).unwrap_or_default();
    if get("response_type") != "code" || get("code_challenge_method") != "SHA-256" {
        return invalid("response_type must be code and code_challenge_method SHA-256");
    }
    if !valid_client(get("client_id")) {
        return invalid("unknown client_id");
    }
    let (redirect, challenge) = (get("redirect_uri"), get("code_challenge"));
    if redirect.is_empty() || challenge.is_empty() || get("state").is_empty() {
        return invalid("redirect_uri, state and code_challenge are required");
    }
    let Ok(mut target) = url::Url::parse(redirect) else {
        return invalid("redirect_uri is not a URL");
    };
    let code = random_token(32);
    shared.store().signin.codes.insert(
        code.clone(),
        Code {
            client_id: get("client_id").to_owned(),
            redirect_uri: redirect.to_owned(),
            challenge: challenge.to_owned(),
            expires: Instant::now() + CODE_LIFETIME,
        },
    );
    target
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", get("state"));
    Redirect::to(target.as_str()).into_response()
}

/// `GET /v1/sessions/confirmation`: the cross-device page with the code to paste back.
pub(crate) async fn confirmation(Query(q): Query<HashMap<String, String>>) -> Response {
    let (Some(code), Some(state)) = (q.get("code"), q.get("state")) else {
        return invalid("code and state are required");
    };
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("state", state)
        .append_pair("code", code)
        .finish();
    let shown = base64::engine::general_purpose::STANDARD.encode(encoded);
    Html(format!(
        "<html><body><p>Paste this code into the terminal:</p>\
         <code id=\"verification-code\">{shown}</code></body></html>"
    ))
    .into_response()
}

/// A verified DPoP proof: the thumbprint of its key.
fn verify_proof(shared: &Shared, headers: &HeaderMap) -> Result<String, String> {
    let proof = headers
        .get("dpop")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| "a DPoP proof is required".to_owned())?;
    let parts: Vec<&str> = proof.split('.').collect();
    let [head, body, signature] = parts.as_slice() else {
        return Err("the DPoP proof is not a JWT".to_owned());
    };
    let decode = |p: &str| -> Option<Value> { serde_json::from_slice(&B64.decode(p).ok()?).ok() };
    let (Some(header), Some(payload)) = (decode(head), decode(body)) else {
        return Err("the DPoP proof's parts are not base64url JSON".to_owned());
    };
    if header["typ"] != "dpop+jwt" || header["alg"] != "ES256" {
        return Err("the DPoP proof must be typ dpop+jwt, alg ES256".to_owned());
    }
    let jwk = &header["jwk"];
    if jwk["kty"] != "EC" || jwk["crv"] != "P-256" {
        return Err("the DPoP key must be an EC P-256 jwk".to_owned());
    }
    let coordinate = |k: &str| jwk[k].as_str().and_then(|s| B64.decode(s).ok());
    let (Some(x), Some(y)) = (coordinate("x"), coordinate("y")) else {
        return Err("the DPoP jwk has no x/y".to_owned());
    };
    // awscrt (the AWS CLI v2) drops leading zero bytes of a coordinate: pad to 32, as a
    // lenient verifier must, or one proof in about 128 fails.
    if x.len() > 32 || y.len() > 32 {
        return Err("the DPoP jwk's coordinates are longer than P-256's".to_owned());
    }
    let mut point = vec![4u8];
    for c in [&x, &y] {
        point.extend(std::iter::repeat_n(0u8, 32 - c.len()));
        point.extend_from_slice(c);
    }
    let signature = B64
        .decode(signature)
        .map_err(|_| "the DPoP signature is not base64url".to_owned())?;
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, &point)
        .verify(format!("{head}.{body}").as_bytes(), &signature)
        .map_err(|_| "the DPoP proof's signature does not verify".to_owned())?;
    let htu = format!("{}/v1/token", shared.base_url.trim_end_matches('/'));
    if payload["htm"] != "POST" || payload["htu"].as_str() != Some(htu.as_str()) {
        return Err(format!("the DPoP proof must be for POST {htu}"));
    }
    let now = crate::state::epoch_seconds();
    let iat = payload["iat"].as_u64().unwrap_or(0);
    if iat.abs_diff(now) > PROOF_WINDOW {
        return Err("the DPoP proof's iat is too far from now".to_owned());
    }
    let jti = payload["jti"].as_str().unwrap_or_default();
    if jti.is_empty() || !shared.store().signin.jtis.insert(jti.to_owned()) {
        return Err("the DPoP proof's jti is missing or was used before".to_owned());
    }
    // RFC 7638: the thumbprint of the required members in lexical order.
    let canonical = format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        jwk["x"].as_str().unwrap_or_default(),
        jwk["y"].as_str().unwrap_or_default()
    );
    Ok(B64.encode(Sha256::digest(canonical.as_bytes())))
}

/// `POST /v1/token`: CreateOAuth2Token.
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Json(input): Json<Value>,
) -> Response {
    let jkt = match verify_proof(&shared, &headers) {
        Ok(jkt) => jkt,
        Err(why) => return invalid(&why),
    };
    let get = |k: &str| input[k].as_str().unwrap_or_default().to_owned();
    let client_id = get("clientId");
    if !valid_client(&client_id) {
        return invalid("unknown clientId");
    }
    let now = Instant::now();
    let (account_id, id_token) = match get("grantType").as_str() {
        "authorization_code" => {
            let Some(code) = shared.store().signin.codes.remove(&get("code")) else {
                return denied(
                    "AUTHCODE_EXPIRED",
                    "the authorization code is unknown or used",
                );
            };
            if code.expires < now {
                return denied("AUTHCODE_EXPIRED", "the authorization code expired");
            }
            if code.client_id != client_id || code.redirect_uri != get("redirectUri") {
                return invalid("clientId or redirectUri differ from the authorization's");
            }
            let verifier = get("codeVerifier");
            if B64.encode(Sha256::digest(verifier.as_bytes())) != code.challenge {
                return invalid("the PKCE code verifier does not match the challenge");
            }
            let account = shared
                .directory
                .accounts()
                .first()
                .map(|a| a.account_id.clone())
                .unwrap_or_default();
            let sub = format!("arn:aws:iam::{account}:user/{USER}");
            let id = format!(
                "{}.{}.{}",
                B64.encode(r#"{"alg":"none"}"#),
                B64.encode(json!({ "sub": sub, "iat": crate::state::epoch_seconds() }).to_string()),
                B64.encode("unsigned")
            );
            (account, Some(id))
        }
        "refresh_token" => {
            let mut store = shared.store();
            let Some(old) = store.signin.refresh_tokens.remove(&get("refreshToken")) else {
                return denied(
                    "TOKEN_EXPIRED",
                    "the refresh token is unknown, used or revoked; sign in again",
                );
            };
            if old.expires < now {
                return denied("TOKEN_EXPIRED", "the sign-in session has expired");
            }
            if old.client_id != client_id || old.jkt != jkt {
                // Not consumed by a stranger's proof.
                let token = get("refreshToken");
                store.signin.refresh_tokens.insert(token, old);
                return invalid("the DPoP key or clientId is not the refresh token's");
            }
            (old.account_id, None)
        }
        _ => return invalid("grantType must be authorization_code or refresh_token"),
    };
    let refresh = format!("ASOR{}", random_token(60));
    let access_key_id = format!("ASIA{}", random_token(16).to_uppercase());
    let lifetime = shared.config.signin_credentials_lifetime;
    {
        let mut store = shared.store();
        store.signin.refresh_tokens.insert(
            refresh.clone(),
            Refresh {
                client_id,
                jkt,
                account_id: account_id.clone(),
                expires: now + shared.config.refresh_token_lifetime,
            },
        );
        // The console federation endpoint knows these keys as the console user's.
        store.credentials.insert(
            access_key_id.clone(),
            RoleAssignment {
                account_id,
                role_name: USER.to_owned(),
            },
        );
    }
    let mut output = json!({
        "accessToken": {
            "accessKeyId": access_key_id,
            "secretAccessKey": random_token(40),
            "sessionToken": random_token(200),
        },
        "tokenType": "aws_sigv4",
        "expiresIn": lifetime.as_secs().max(1),
        "refreshToken": refresh,
    });
    if let Some(id) = id_token {
        output["idToken"] = Value::from(id);
    }
    Json(output).into_response()
}

//! The OIDC API (`sso-oidc`): RegisterClient, StartDeviceAuthorization and CreateToken.
//!
//! Wire format per docs/protocols.md, *SSO OIDC*: camelCase JSON members, epoch-second registration
//! times, errors as [`OidcError`]. What AWS checks is checked here: client id and secret, grant
//! types allowed by the registration, device-code state and polling interval, PKCE verifier and
//! redirect URI, single-use codes and rotating refresh tokens.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Json,
    body::Bytes,
    extract::{RawQuery, State},
};
use base64::Engine;
use serde::{Deserialize, de::DeserializeOwned};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::{
    errors::{OidcError, OidcErrorKind as Kind},
    state::{
        AccessToken, Client, DeviceAuthorization, DeviceStatus, RefreshToken, Shared, Store,
        epoch_seconds, random_token, random_user_code,
    },
    stats::Counter,
};

/// The grant type of the device-code flow.
pub(crate) const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Grant types a client may register.
const KNOWN_GRANTS: &[&str] = &[DEVICE_CODE_GRANT, "refresh_token", "authorization_code"];

type OidcResult = Result<Json<Value>, OidcError>;

/// Parses a JSON body leniently (unknown members ignored) into the OIDC error shape.
fn parse<T: DeserializeOwned>(body: &Bytes) -> Result<T, OidcError> {
    if body.is_empty() {
        return Err(OidcError::new(
            Kind::InvalidRequest,
            "Request body is empty",
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| OidcError::new(Kind::InvalidRequest, format!("Invalid request body: {e}")))
}

/// A required string member, present and non-empty.
fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, OidcError> {
    match value.as_deref() {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(OidcError::new(
            Kind::InvalidRequest,
            format!("{name} is required"),
        )),
    }
}

/// Whole seconds, rounded up, as the wire's `expiresIn` and `interval` want.
fn wire_seconds(d: Duration) -> u64 {
    d.as_millis().div_ceil(1000) as u64
}

/// The `code_challenge` of a PKCE `code_verifier`: base64url(sha256), no padding.
pub(crate) fn code_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Checks a scope list: every scope non-empty and free of whitespace.
fn check_scopes(scopes: &[String]) -> Result<(), OidcError> {
    match scopes
        .iter()
        .find(|s| s.is_empty() || s.contains(char::is_whitespace))
    {
        Some(bad) => Err(OidcError::new(
            Kind::InvalidScope,
            format!("Invalid scope: {bad:?}"),
        )),
        None => Ok(()),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RegisterClientRequest {
    client_name: Option<String>,
    client_type: Option<String>,
    scopes: Option<Vec<String>>,
    redirect_uris: Option<Vec<String>>,
    grant_types: Option<Vec<String>>,
    issuer_url: Option<String>,
}

/// `POST /client/register`
pub(crate) async fn register_client(State(shared): State<Arc<Shared>>, body: Bytes) -> OidcResult {
    let req: RegisterClientRequest = parse(&body)?;
    required(&req.client_name, "clientName")?;
    if required(&req.client_type, "clientType")? != "public" {
        return Err(OidcError::new(
            Kind::InvalidClientMetadata,
            "Invalid client type: only public clients are supported",
        ));
    }
    let grant_types = req.grant_types.unwrap_or_default();
    if let Some(bad) = grant_types
        .iter()
        .find(|g| !KNOWN_GRANTS.contains(&g.as_str()))
    {
        return Err(OidcError::new(
            Kind::InvalidClientMetadata,
            format!("Invalid grant type: {bad}"),
        ));
    }
    let scopes = req.scopes.unwrap_or_default();
    check_scopes(&scopes)?;
    let redirect_uris = req.redirect_uris.unwrap_or_default();
    for uri in &redirect_uris {
        let ok = url::Url::parse(uri)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !ok {
            return Err(OidcError::new(
                Kind::InvalidRedirectUri,
                format!("Invalid redirect URI: {uri}"),
            ));
        }
    }
    let pkce = grant_types.iter().any(|g| g == "authorization_code");
    if pkce && redirect_uris.is_empty() {
        return Err(OidcError::new(
            Kind::InvalidRedirectUri,
            "redirectUris is required for the authorization_code grant",
        ));
    }
    if let Some(issuer) = &req.issuer_url
        && url::Url::parse(issuer).is_err()
    {
        return Err(OidcError::new(
            Kind::InvalidRequest,
            format!("Invalid issuerUrl: {issuer}"),
        ));
    }

    let client_id = random_token(26);
    let secret = random_token(120);
    let lifetime = shared.config.registration_lifetime;
    let issued_at = epoch_seconds();
    let now = Instant::now();
    {
        let mut store = shared.store();
        store.clients.insert(
            client_id.clone(),
            Client {
                secret: secret.clone(),
                expires: now + lifetime,
                grant_types,
                redirect_uris,
                scopes,
            },
        );
        store.note_write(now);
    }
    shared.stats.bump(Counter::Registrations);
    tracing::debug!(pkce, "registered a client");

    let mut body = Map::new();
    body.insert("clientId".into(), json!(client_id));
    body.insert("clientSecret".into(), json!(secret));
    body.insert("clientIdIssuedAt".into(), json!(issued_at));
    body.insert(
        "clientSecretExpiresAt".into(),
        json!(issued_at + lifetime.as_secs()),
    );
    if pkce {
        body.insert(
            "authorizationEndpoint".into(),
            json!(format!("{}/authorize", shared.base_url)),
        );
        body.insert(
            "tokenEndpoint".into(),
            json!(format!("{}/token", shared.base_url)),
        );
    }
    Ok(Json(Value::Object(body)))
}

/// Checks a client id and secret against the registrations.
fn authenticate(
    store: &Store,
    client_id: &Option<String>,
    client_secret: &Option<String>,
    now: Instant,
) -> Result<Client, OidcError> {
    let id = required(client_id, "clientId")?;
    let secret = required(client_secret, "clientSecret")?;
    match store.clients.get(id) {
        Some(c) if c.secret == secret && c.expires > now => Ok(c.clone()),
        Some(c) if c.secret == secret => Err(OidcError::new(
            Kind::InvalidClient,
            "Client registration has expired",
        )),
        _ => Err(OidcError::new(
            Kind::InvalidClient,
            "Invalid client id or client secret",
        )),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartDeviceAuthorizationRequest {
    client_id: Option<String>,
    client_secret: Option<String>,
    start_url: Option<String>,
}

/// `POST /device_authorization`
pub(crate) async fn start_device_authorization(
    State(shared): State<Arc<Shared>>,
    body: Bytes,
) -> OidcResult {
    let req: StartDeviceAuthorizationRequest = parse(&body)?;
    let start_url = required(&req.start_url, "startUrl")?;
    if !url::Url::parse(start_url).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
        return Err(OidcError::new(
            Kind::InvalidRequest,
            format!("Invalid startUrl: {start_url}"),
        ));
    }
    let config = &shared.config;
    let now = Instant::now();
    let device_code = random_token(64);
    let user_code = {
        let mut store = shared.store();
        let client = authenticate(&store, &req.client_id, &req.client_secret, now)?;
        if !client.allows(DEVICE_CODE_GRANT) {
            return Err(OidcError::new(
                Kind::UnauthorizedClient,
                "The client is not registered for the device code grant",
            ));
        }
        let user_code = loop {
            let code = random_user_code();
            if !store.user_codes.contains_key(&code) {
                break code;
            }
        };
        let status = if config.auto_approve {
            DeviceStatus::Approved
        } else {
            DeviceStatus::Pending
        };
        store.device_codes.insert(
            device_code.clone(),
            DeviceAuthorization {
                client_id: req.client_id.clone().unwrap_or_default(),
                user_code: user_code.clone(),
                expires: now + config.device_code_lifetime,
                last_poll: None,
                status,
            },
        );
        store
            .user_codes
            .insert(user_code.clone(), device_code.clone());
        store.note_write(now);
        user_code
    };
    shared.stats.bump(Counter::DeviceAuthorizations);
    if config.auto_approve {
        shared.stats.bump(Counter::Authorizations);
    }
    let verification_uri = format!("{}/device", shared.base_url);
    Ok(Json(json!({
        "deviceCode": device_code,
        "userCode": user_code,
        "verificationUri": verification_uri,
        "verificationUriComplete": format!("{verification_uri}?user_code={user_code}"),
        "expiresIn": wire_seconds(config.device_code_lifetime),
        "interval": wire_seconds(config.interval),
    })))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateTokenRequest {
    client_id: Option<String>,
    client_secret: Option<String>,
    grant_type: Option<String>,
    device_code: Option<String>,
    code: Option<String>,
    refresh_token: Option<String>,
    scope: Option<Vec<String>>,
    redirect_uri: Option<String>,
    code_verifier: Option<String>,
}

/// What a successful grant issues.
struct Grant {
    session: u64,
    session_expires: Instant,
    scopes: Vec<String>,
    refresh: bool,
}

/// `POST /token`
pub(crate) async fn create_token(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> OidcResult {
    if query.is_some_and(|q| q.contains("aws_iam")) {
        return Err(OidcError::new(
            Kind::InvalidRequest,
            "CreateTokenWithIAM is not emulated",
        ));
    }
    let req: CreateTokenRequest = parse(&body)?;
    let grant_type = required(&req.grant_type, "grantType")?.to_string();
    let now = Instant::now();
    let mut store = shared.store();
    let client = authenticate(&store, &req.client_id, &req.client_secret, now)?;
    let client_id = req.client_id.clone().unwrap_or_default();
    if !KNOWN_GRANTS.contains(&grant_type.as_str()) {
        return Err(OidcError::new(
            Kind::UnsupportedGrantType,
            format!("Unsupported grant type: {grant_type}"),
        ));
    }
    if !client.allows(&grant_type) {
        return Err(OidcError::new(
            Kind::UnauthorizedClient,
            format!("The client is not registered for the {grant_type} grant"),
        ));
    }
    if let Some(requested) = &req.scope {
        check_scopes(requested)?;
        if let Some(bad) = requested.iter().find(|s| !client.scopes.contains(s)) {
            return Err(OidcError::new(
                Kind::InvalidScope,
                format!("Scope not registered for this client: {bad}"),
            ));
        }
    }
    let grant = match grant_type.as_str() {
        DEVICE_CODE_GRANT => {
            device_code_grant(&shared, &mut store, &req, &client, &client_id, now)?
        }
        "authorization_code" => {
            let lifetime = shared.config.refresh_token_lifetime;
            authorization_code_grant(&mut store, &req, &client, &client_id, lifetime, now)?
        }
        _ => refresh_token_grant(&mut store, &req, &client_id, now)?,
    };
    let refreshed = grant_type == "refresh_token";
    let scopes = req.scope.clone().unwrap_or(grant.scopes);
    let access_token = format!("aoa{}", random_token(180));
    let expires_in = shared.config.token_lifetime;
    store.access_tokens.insert(
        access_token.clone(),
        AccessToken {
            session: grant.session,
            expires: now + expires_in,
        },
    );
    let mut body = Map::new();
    body.insert("accessToken".into(), json!(access_token));
    body.insert("tokenType".into(), json!("Bearer"));
    body.insert("expiresIn".into(), json!(wire_seconds(expires_in)));
    if grant.refresh {
        let refresh_token = format!("aor{}", random_token(180));
        store.refresh_tokens.insert(
            refresh_token.clone(),
            RefreshToken {
                client_id,
                session: grant.session,
                scopes,
                expires: grant.session_expires,
            },
        );
        body.insert("refreshToken".into(), json!(refresh_token));
    }
    store.note_write(now);
    drop(store);
    shared.stats.bump(Counter::TokensIssued);
    if refreshed {
        shared.stats.bump(Counter::Refreshes);
    }
    Ok(Json(Value::Object(body)))
}

/// The device-code grant: pending, slow down, expired, denied, redeemed, or tokens.
fn device_code_grant(
    shared: &Shared,
    store: &mut Store,
    req: &CreateTokenRequest,
    client: &Client,
    client_id: &str,
    now: Instant,
) -> Result<Grant, OidcError> {
    let code = required(&req.device_code, "deviceCode")?;
    let invalid = || OidcError::new(Kind::InvalidGrant, "Invalid device code provided");
    let device = store.device_codes.get_mut(code).ok_or_else(invalid)?;
    if device.client_id != client_id {
        return Err(invalid());
    }
    if device.status == DeviceStatus::Redeemed {
        return Err(OidcError::new(
            Kind::InvalidGrant,
            "Device code has already been used",
        ));
    }
    if device.expires <= now {
        return Err(OidcError::new(
            Kind::ExpiredToken,
            "Device code has expired",
        ));
    }
    match device.status {
        DeviceStatus::Denied => Err(OidcError::new(
            Kind::AccessDenied,
            "The user denied the authorization request",
        )),
        DeviceStatus::Pending => {
            // A tenth of the interval of slack: a client sleeping exactly `interval` between
            // polls must not be told to slow down because of scheduling jitter.
            let interval = shared.config.interval;
            let too_soon = device
                .last_poll
                .is_some_and(|last| now.duration_since(last) + interval / 10 < interval);
            device.last_poll = Some(now);
            if too_soon {
                Err(OidcError::new(Kind::SlowDown, "Client is polling too fast"))
            } else {
                Err(OidcError::new(
                    Kind::AuthorizationPending,
                    "Authorization is still pending",
                ))
            }
        }
        DeviceStatus::Approved | DeviceStatus::Redeemed => {
            device.status = DeviceStatus::Redeemed;
            Ok(Grant {
                session: store.new_session(),
                session_expires: now + shared.config.refresh_token_lifetime,
                scopes: client.scopes.clone(),
                refresh: client.gets_refresh_tokens(),
            })
        }
    }
}

/// The PKCE authorization-code grant: single-use, short-lived code, same redirect URI, verifier
/// matching the challenge.
fn authorization_code_grant(
    store: &mut Store,
    req: &CreateTokenRequest,
    client: &Client,
    client_id: &str,
    session_lifetime: Duration,
    now: Instant,
) -> Result<Grant, OidcError> {
    let code = required(&req.code, "code")?;
    let invalid = |why: &str| OidcError::new(Kind::InvalidGrant, why);
    // Any attempt uses the code up, successful or not (RFC 6749 §4.1.2).
    let issued = store
        .auth_codes
        .remove(code)
        .ok_or_else(|| invalid("Invalid authorization code"))?;
    if issued.client_id != client_id {
        return Err(invalid("Invalid authorization code"));
    }
    if issued.expires <= now {
        return Err(invalid("Authorization code has expired"));
    }
    if req.redirect_uri.as_deref() != Some(issued.redirect_uri.as_str()) {
        return Err(invalid(
            "redirectUri does not match the one used to authorize",
        ));
    }
    let verifier = req
        .code_verifier
        .as_deref()
        .ok_or_else(|| invalid("codeVerifier is required"))?;
    if code_challenge(verifier) != issued.code_challenge {
        return Err(invalid("codeVerifier does not match the code challenge"));
    }
    Ok(Grant {
        session: store.new_session(),
        session_expires: now + session_lifetime,
        scopes: issued.scopes,
        refresh: client.gets_refresh_tokens(),
    })
}

/// The refresh-token grant: the token rotates, the session does not get longer.
fn refresh_token_grant(
    store: &mut Store,
    req: &CreateTokenRequest,
    client_id: &str,
    now: Instant,
) -> Result<Grant, OidcError> {
    let token = required(&req.refresh_token, "refreshToken")?;
    let invalid = || OidcError::new(Kind::InvalidGrant, "Invalid refresh token provided");
    let old = store.refresh_tokens.get(token).ok_or_else(invalid)?;
    if old.client_id != client_id {
        return Err(invalid());
    }
    if old.expires <= now {
        store.refresh_tokens.remove(token);
        return Err(invalid());
    }
    let old = store.refresh_tokens.remove(token).ok_or_else(invalid)?;
    Ok(Grant {
        session: old.session,
        session_expires: old.expires,
        scopes: old.scopes,
        refresh: true,
    })
}

//! An AD FS-like SAML identity provider (and a Keycloak-like one), for sesame's SAML tests and
//! demos.
//!
//! | Route | What |
//! |---|---|
//! | `GET`/`POST /adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices` | AD FS 3.0+ forms sign-in: the `#loginForm` page; a wrong password or a locked account comes back as the page with `#errorText`; success sets the `MSISAuth` cookie and redirects (302) to the same URL, which then answers the additional-authentication (MFA) page for users with a one-time code, and finally the page whose form posts `SAMLResponse` to AWS |
//! | `GET /adfs/ls/auth/integrated/?loginToRp=urn:amazon:webservices` | Windows integrated authentication: `401` with `WWW-Authenticate: Negotiate` and `NTLM`; with the `kerberos` feature a Kerberos SPNEGO token is accepted with the keytab in `KRB5_KTNAME` (principal `alice@ACME.TEST` → the user `alice@acme.test`) and answered with the `SAMLResponse` page and a mutual-authentication token; an NTLM Negotiate message gets a Challenge, an NTLMv2 Authenticate message on the same connection is verified against the user's password (NT hash, HMAC-MD5 proof) and answered with the `SAMLResponse` page |
//! | `GET /realms/acme/protocol/saml/clients/amazon-aws`, `POST /realms/acme/login-actions/authenticate` | a Keycloak-like login form and its SAML POST-binding page, for the generic form driver |
//! | `GET /idp/closed` | a page with no form |
//! | `GET /FederationMetadata/2007-06/FederationMetadata.xml` | the AD FS IdP's SAML metadata (entity ID `{base}/adfs/services/trust`) with its signing certificate ([`metadata`]); `GET /realms/acme/protocol/saml/descriptor` the Keycloak-like one's |
//! | `POST /sts` | STS `AssumeRoleWithSAML` for these assertions, validated as AWS does, signature included ([`sts`]) |
//!
//! Users and assertion settings: [`AdfsConfig`] (default users in its docs). Every Assertion is
//! signed (enveloped XML signature, exclusive c14n, RSA-SHA256; see [`signing`]) with
//! [`AdfsConfig::signing_key`].

mod c14n;
mod config;
#[cfg(feature = "kerberos")]
mod kerberos;
mod metadata;
mod ntlm;
mod pages;
mod saml;
mod signing;
pub(crate) mod sts;
mod verify;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{ConnectInfo, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

pub use config::{AdfsConfig, AdfsUser, DEFAULT_MFA_CODE, DEFAULT_PASSWORD, KerberosAnswer};
pub use signing::{IdpSigningKey, SigningKeyError};
pub(crate) use verify::verify_assertion;

use crate::server::Connection;
use crate::state::random_token;

const ENTRY: &str = "/adfs/ls/IdpInitiatedSignOn.aspx";
const COOKIE: &str = "MSISAuth";
const AWS_RP: &str = "urn:amazon:webservices";

/// How far a browser session has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// The password was right; the MFA step is pending.
    Primary,
    /// Fully signed in.
    Done,
}

#[derive(Debug, Clone)]
struct Session {
    user: usize,
    stage: Stage,
}

/// The IdP's state: its users, browser sessions and NTLM handshakes in progress.
#[derive(Debug)]
pub(crate) struct Idp {
    config: AdfsConfig,
    base_url: String,
    sessions: Mutex<HashMap<String, Session>>,
    /// Server challenges by connection (NTLM authenticates a connection).
    challenges: Mutex<HashMap<usize, [u8; 8]>>,
}

impl Idp {
    fn issuer(&self) -> String {
        format!("{}/adfs/services/trust", self.base_url)
    }

    fn keycloak_issuer(&self) -> String {
        format!("{}/realms/acme", self.base_url)
    }

    fn user(&self, index: usize) -> &AdfsUser {
        &self.config.users[index]
    }

    fn index_of(&self, name: &str) -> Option<usize> {
        let user = self.config.user(name)?;
        self.config.users.iter().position(|u| u == user)
    }

    fn session(&self, headers: &HeaderMap) -> Option<(String, Session)> {
        let token = cookie(headers, COOKIE)?;
        let sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.get(&token).map(|s| (token, s.clone()))
    }

    fn start_session(&self, user: usize, stage: Stage) -> String {
        let token = random_token(40);
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(token.clone(), Session { user, stage });
        token
    }

    fn set_stage(&self, token: &str, stage: Stage) {
        if let Some(s) = self
            .sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_mut(token)
        {
            s.stage = stage;
        }
    }

    fn saml_page(&self, user: usize) -> Response {
        match saml::response(&self.config, self.user(user), &self.issuer()) {
            Ok(response) => html(StatusCode::OK, saml::post_page(&response)),
            Err(e) => signing_failed(&e),
        }
    }
}

/// The IdP's routes, with their own state, ready to merge into the emulator's router.
pub(crate) fn router<S>(config: AdfsConfig, base_url: String) -> Router<S> {
    let idp = Arc::new(Idp {
        config,
        base_url,
        sessions: Mutex::new(HashMap::new()),
        challenges: Mutex::new(HashMap::new()),
    });
    Router::new()
        .route(ENTRY, get(entry_page).post(entry_submit))
        .route("/adfs/ls/auth/integrated/", get(ntlm::integrated))
        .route(
            "/realms/acme/protocol/saml/clients/amazon-aws",
            get(keycloak_page),
        )
        .route(
            "/realms/acme/login-actions/authenticate",
            axum::routing::post(keycloak_submit),
        )
        .route("/idp/closed", get(|| async { Html(pages::no_form()) }))
        .route(metadata::ADFS_METADATA, get(metadata::adfs))
        .route(metadata::KEYCLOAK_METADATA, get(metadata::keycloak))
        .with_state(idp)
}

fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn signing_failed(e: &signing::SignError) -> Response {
    tracing::error!("{e}");
    html(
        StatusCode::INTERNAL_SERVER_ERROR,
        pages::adfs_error(&format!("MSIS7000: {e}")),
    )
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The entry URL with its query (where forms post and redirects go).
fn entry_url(query: &Option<String>) -> String {
    match query {
        Some(q) if !q.is_empty() => format!("{ENTRY}?{q}"),
        _ => ENTRY.to_owned(),
    }
}

fn relying_party_error(params: &HashMap<String, String>) -> Option<Response> {
    match params.get("loginToRp").map(String::as_str) {
        Some(AWS_RP) => None,
        Some(other) => Some(html(
            StatusCode::BAD_REQUEST,
            pages::adfs_error(&format!(
                "MSIS7012: The relying party trust `{other}` is not known."
            )),
        )),
        None => Some(html(
            StatusCode::BAD_REQUEST,
            pages::adfs_error(
                "MSIS7001: No relying party was named (add ?loginToRp=urn:amazon:webservices).",
            ),
        )),
    }
}

/// `GET` of the entry URL: the login page, the MFA page, or the SAML page, by session.
async fn entry_page(
    State(idp): State<Arc<Idp>>,
    Query(params): Query<HashMap<String, String>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    if let Some(r) = relying_party_error(&params) {
        return r;
    }
    let action = entry_url(&query);
    match idp.session(&headers) {
        Some((
            _,
            Session {
                user,
                stage: Stage::Done,
            },
        )) => idp.saml_page(user),
        Some((
            token,
            Session {
                stage: Stage::Primary,
                ..
            },
        )) => html(StatusCode::OK, pages::adfs_mfa(&action, &token, "")),
        None => html(StatusCode::OK, pages::adfs_login(&action, "")),
    }
}

/// `POST` of the entry URL: the password form, or the MFA step's code.
async fn entry_submit(
    State(idp): State<Arc<Idp>>,
    Query(params): Query<HashMap<String, String>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    if let Some(r) = relying_party_error(&params) {
        return r;
    }
    let action = entry_url(&query);
    if let Some(code) = form.get("VerificationCode") {
        let Some((token, session)) = idp.session(&headers) else {
            return html(
                StatusCode::OK,
                pages::adfs_login(&action, "Your session has expired. Sign in again."),
            );
        };
        let expected = idp.user(session.user).mfa_code.clone().unwrap_or_default();
        if code.trim() != expected {
            return html(
                StatusCode::OK,
                pages::adfs_mfa(
                    &action,
                    &token,
                    "The verification code is incorrect. Try again.",
                ),
            );
        }
        idp.set_stage(&token, Stage::Done);
        return redirect(&action, None);
    }

    let name = form.get("UserName").map(String::as_str).unwrap_or_default();
    let password = form.get("Password").map(String::as_str).unwrap_or_default();
    let method = form
        .get("AuthMethod")
        .map(String::as_str)
        .unwrap_or("FormsAuthentication");
    if method != "FormsAuthentication" {
        return html(
            StatusCode::OK,
            pages::adfs_login(
                &action,
                "The selected authentication method is not available.",
            ),
        );
    }
    let wrong =
        "Incorrect user ID or password. Type the correct user ID and password, and try again.";
    let Some(index) = idp.index_of(name) else {
        return html(StatusCode::OK, pages::adfs_login(&action, wrong));
    };
    let user = idp.user(index);
    if user.locked {
        return html(
            StatusCode::OK,
            pages::adfs_login(
                &action,
                "The referenced account is currently locked out and may not be logged on to. Contact your administrator.",
            ),
        );
    }
    if user.password != password {
        return html(StatusCode::OK, pages::adfs_login(&action, wrong));
    }
    let stage = if user.mfa_code.is_some() {
        Stage::Primary
    } else {
        Stage::Done
    };
    let token = idp.start_session(index, stage);
    redirect(&action, Some(&token))
}

fn redirect(location: &str, session: Option<&str>) -> Response {
    let mut response =
        (StatusCode::FOUND, [(header::LOCATION, location.to_owned())]).into_response();
    if let Some(token) = session
        && let Ok(v) = format!("{COOKIE}={token}; path=/adfs; HttpOnly").parse()
    {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

const KEYCLOAK_ACTION: &str = "/realms/acme/login-actions/authenticate";

/// Keycloak's IdP-initiated SSO URL: the login page.
async fn keycloak_page() -> Response {
    let action = format!(
        "{KEYCLOAK_ACTION}?session_code={}&execution=auth-username-password&client_id=urn%3Aamazon%3Awebservices",
        random_token(24)
    );
    html(StatusCode::OK, pages::keycloak_login(&action, ""))
}

/// Keycloak's login form post.
async fn keycloak_submit(
    State(idp): State<Arc<Idp>>,
    RawQuery(query): RawQuery,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Response {
    let action = format!("{KEYCLOAK_ACTION}?{}", query.unwrap_or_default());
    let name = form.get("username").map(String::as_str).unwrap_or_default();
    let password = form.get("password").map(String::as_str).unwrap_or_default();
    match idp.index_of(name) {
        Some(i) if idp.user(i).locked => html(
            StatusCode::OK,
            pages::keycloak_login(&action, "Account is disabled, contact your administrator."),
        ),
        Some(i) if idp.user(i).password == password => {
            match saml::response(&idp.config, idp.user(i), &idp.keycloak_issuer()) {
                Ok(response) => html(StatusCode::OK, pages::keycloak_post(&response)),
                Err(e) => signing_failed(&e),
            }
        }
        _ => html(
            StatusCode::OK,
            pages::keycloak_login(&action, "Invalid username or password."),
        ),
    }
}

/// The connection id a request came on, for NTLM.
pub(crate) fn connection_id(info: &ConnectInfo<Connection>) -> usize {
    info.0.id()
}

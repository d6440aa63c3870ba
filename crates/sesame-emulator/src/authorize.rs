//! The browser half of the PKCE flow: `GET /authorize` and its consent page (`POST /authorize`).
//!
//! As the real service does, a request whose client or redirect URI cannot be trusted gets an
//! error page; every other outcome goes back to the client's loopback redirect URI with
//! `code` and `state`, or with `error` and `state`.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Form,
    extract::{Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use url::{Host, Url};

use crate::{
    pages::{decision_forms, escape, page},
    state::{AuthorizationCode, PendingConsent, Shared, random_token},
    stats::Counter,
};

/// How long an authorization code may wait before CreateToken redeems it.
pub(crate) const CODE_LIFETIME: Duration = Duration::from_secs(300);
/// How long the consent page may wait for the user.
const CONSENT_LIFETIME: Duration = Duration::from_secs(600);

/// Whether `given` is an `http` loopback URI matching one of `registered` except for the port,
/// as AWS matches the AWS CLI's `http://127.0.0.1/oauth/callback` registration.
pub(crate) fn redirect_uri_allowed(registered: &[String], given: &str) -> bool {
    let Ok(given) = Url::parse(given) else {
        return false;
    };
    let loopback = match given.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d == "localhost",
        None => false,
    };
    if given.scheme() != "http" || !loopback {
        return false;
    }
    registered
        .iter()
        .filter_map(|r| Url::parse(r).ok())
        .any(|r| {
            r.scheme() == "http"
                && r.host() == given.host()
                && r.path() == given.path()
                && r.query() == given.query()
        })
}

/// A 302 to `redirect_uri` with `params` added to its query.
fn redirect(redirect_uri: &str, params: &[(&str, Option<&str>)]) -> Response {
    let mut url = Url::parse(redirect_uri).expect("redirect URIs are validated before use");
    {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in params {
            if let Some(value) = value {
                pairs.append_pair(name, value);
            }
        }
    }
    (StatusCode::FOUND, [(header::LOCATION, url.to_string())]).into_response()
}

fn error_page(message: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Invalid authorization request",
        &format!("<p>{}</p>", escape(message)),
    )
}

/// Issues a code for an approved request and redirects to the client with it.
fn issue_code(shared: &Shared, consent: PendingConsent) -> Response {
    let code = random_token(48);
    let now = Instant::now();
    {
        let mut store = shared.store();
        store.auth_codes.insert(
            code.clone(),
            AuthorizationCode {
                client_id: consent.client_id,
                redirect_uri: consent.redirect_uri.clone(),
                code_challenge: consent.code_challenge,
                scopes: consent.scopes,
                expires: now + CODE_LIFETIME,
            },
        );
        store.note_write(now);
    }
    shared.stats.bump(Counter::Authorizations);
    redirect(
        &consent.redirect_uri,
        &[("code", Some(&code)), ("state", consent.state.as_deref())],
    )
}

/// `GET /authorize?response_type=code&client_id=&redirect_uri=&state=&code_challenge_method=S256
/// &scopes=&code_challenge=`
pub(crate) async fn authorize(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    shared.stats.request("Authorize");
    let get = |name: &str| {
        query
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let now = Instant::now();

    let Some(client_id) = get("client_id") else {
        return error_page("client_id is required.");
    };
    let client = shared
        .store()
        .clients
        .get(client_id)
        .filter(|c| c.expires > now)
        .cloned();
    let Some(client) = client else {
        return error_page("The client is not registered or its registration has expired.");
    };
    if !client.allows("authorization_code") {
        return error_page("The client is not registered for the authorization_code grant.");
    }
    let Some(redirect_uri) = get("redirect_uri") else {
        return error_page("redirect_uri is required.");
    };
    if !redirect_uri_allowed(&client.redirect_uris, redirect_uri) {
        return error_page("redirect_uri does not match a redirect URI registered by the client.");
    }

    let state = get("state");
    let fail = |error: &str| redirect(redirect_uri, &[("error", Some(error)), ("state", state)]);
    if get("response_type") != Some("code") {
        return fail("unsupported_response_type");
    }
    if get("code_challenge_method") != Some("S256") {
        return fail("invalid_request");
    }
    let Some(code_challenge) = get("code_challenge") else {
        return fail("invalid_request");
    };
    let scopes: Vec<String> = match get("scopes").or(get("scope")) {
        Some(s) => s.split_whitespace().map(str::to_string).collect(),
        None => client.scopes.clone(),
    };
    if scopes.iter().any(|s| !client.scopes.contains(s)) {
        return fail("invalid_scope");
    }

    let consent = PendingConsent {
        client_id: client_id.to_string(),
        redirect_uri: redirect_uri.to_string(),
        state: state.map(str::to_string),
        code_challenge: code_challenge.to_string(),
        scopes,
        expires: now + CONSENT_LIFETIME,
    };
    if shared.config.auto_approve {
        return issue_code(&shared, consent);
    }
    let request_id = random_token(32);
    let scope_list = consent.scopes.join(", ");
    {
        let mut store = shared.store();
        store.consents.insert(request_id.clone(), consent);
        store.note_write(now);
    }
    page(
        StatusCode::OK,
        "Allow access?",
        &format!(
            "<p>An application wants to access your AWS accounts{}.</p>{}",
            if scope_list.is_empty() {
                String::new()
            } else {
                format!(" (scopes: {})", escape(&scope_list))
            },
            decision_forms("/authorize", &[("request_id", &request_id)])
        ),
    )
}

/// `POST /authorize` with `request_id` and `action=approve|deny`, from the consent page.
pub(crate) async fn consent(
    State(shared): State<Arc<Shared>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let id = form.get("request_id").map(String::as_str).unwrap_or("");
    let consent = shared
        .store()
        .consents
        .remove(id)
        .filter(|c| c.expires > Instant::now());
    let Some(consent) = consent else {
        return error_page("This authorization request is unknown, expired or already decided.");
    };
    match form.get("action").map(String::as_str) {
        Some("approve") => issue_code(&shared, consent),
        _ => redirect(
            &consent.redirect_uri,
            &[
                ("error", Some("access_denied")),
                ("state", consent.state.as_deref()),
            ],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_match_ignoring_the_port() {
        let registered = vec!["http://127.0.0.1/oauth/callback".to_string()];
        assert!(redirect_uri_allowed(
            &registered,
            "http://127.0.0.1:54321/oauth/callback"
        ));
        assert!(redirect_uri_allowed(
            &registered,
            "http://127.0.0.1/oauth/callback"
        ));
        assert!(!redirect_uri_allowed(
            &registered,
            "http://127.0.0.1:54321/other"
        ));
        assert!(!redirect_uri_allowed(
            &registered,
            "http://localhost:54321/oauth/callback"
        ));
        assert!(!redirect_uri_allowed(
            &registered,
            "https://127.0.0.1:54321/oauth/callback"
        ));
        assert!(!redirect_uri_allowed(
            &registered,
            "http://evil.example/oauth/callback"
        ));
        assert!(!redirect_uri_allowed(&registered, "not a url"));
    }

    #[test]
    fn redirects_carry_code_and_state() {
        let r = redirect(
            "http://127.0.0.1:1234/oauth/callback",
            &[("code", Some("c d")), ("state", Some("s")), ("x", None)],
        );
        assert_eq!(r.status(), StatusCode::FOUND);
        assert_eq!(
            r.headers()[header::LOCATION],
            "http://127.0.0.1:1234/oauth/callback?code=c+d&state=s"
        );
    }
}

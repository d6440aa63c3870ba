//! The authorization-code grant with PKCE: `/authorize`, the consent page and CreateToken.

use base64::Engine;
use reqwest::header::LOCATION;
use serde_json::json;
use sesame_emulator::EmulatorConfig;
use sha2::{Digest, Sha256};

use crate::support::{Registration, START_URL, World};

const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXkdBjftJeZ4CVP-mB92K27uh";
const CALLBACK: &str = "http://127.0.0.1:54321/oauth/callback";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

async fn register_pkce(w: &World) -> Registration {
    w.register_with(json!({
        "grantTypes": ["authorization_code", "refresh_token"],
        "redirectUris": ["http://127.0.0.1/oauth/callback"],
        "issuerUrl": START_URL,
        "scopes": ["sso:account:access"],
    }))
    .await
}

fn authorize_url(w: &World, reg: &Registration, redirect_uri: &str, method: &str) -> String {
    let mut url = url::Url::parse(&w.url("/authorize")).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &reg.client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("state", "st-123")
        .append_pair("code_challenge_method", method)
        .append_pair("scopes", "sso:account:access")
        .append_pair("code_challenge", &challenge(VERIFIER));
    url.to_string()
}

/// The query pairs of a 302's Location, checking it goes to `CALLBACK`.
async fn follow(w: &World, url: &str) -> Vec<(String, String)> {
    let response = w.http.get(url).send().await.unwrap();
    assert_eq!(response.status(), 302, "{:?}", response.text().await);
    redirect_pairs(&response)
}

fn redirect_pairs(response: &reqwest::Response) -> Vec<(String, String)> {
    let location = response.headers()[LOCATION].to_str().unwrap();
    assert!(location.starts_with(CALLBACK), "{location}");
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

async fn redeem(
    w: &World,
    reg: &Registration,
    code: &str,
    redirect_uri: &str,
    verifier: &str,
) -> crate::support::Answer {
    w.post_json(
        "/token",
        json!({"clientId": reg.client_id, "clientSecret": reg.client_secret,
               "grantType": "authorization_code", "code": code,
               "redirectUri": redirect_uri, "codeVerifier": verifier}),
    )
    .await
}

#[tokio::test]
async fn auto_approved_code_redeems_once_with_the_right_verifier() {
    let w = World::new(EmulatorConfig::auto_approving()).await;
    let reg = register_pkce(&w).await;
    let pairs = follow(&w, &authorize_url(&w, &reg, CALLBACK, "S256")).await;
    assert_eq!(value(&pairs, "state"), Some("st-123"));
    let code = value(&pairs, "code").unwrap().to_string();

    let token = redeem(&w, &reg, &code, CALLBACK, VERIFIER).await;
    assert_eq!(token.status, 200, "{token:?}");
    assert_eq!(token.body["tokenType"], "Bearer");
    assert!(token.body["refreshToken"].is_string());
    redeem(&w, &reg, &code, CALLBACK, VERIFIER)
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");

    let stats = w.emulator.stats();
    assert_eq!(stats.authorizations, 1);
    assert_eq!(stats.tokens_issued, 1);
    assert_eq!(stats.requests_for("Authorize"), 1);
}

#[tokio::test]
async fn wrong_verifier_or_redirect_uri_is_invalid_grant_and_burns_the_code() {
    let w = World::new(EmulatorConfig::auto_approving()).await;
    let reg = register_pkce(&w).await;

    let pairs = follow(&w, &authorize_url(&w, &reg, CALLBACK, "S256")).await;
    let code = value(&pairs, "code").unwrap().to_string();
    redeem(&w, &reg, &code, CALLBACK, "not-the-verifier")
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
    redeem(&w, &reg, &code, CALLBACK, VERIFIER)
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");

    let pairs = follow(&w, &authorize_url(&w, &reg, CALLBACK, "S256")).await;
    let code = value(&pairs, "code").unwrap().to_string();
    redeem(
        &w,
        &reg,
        &code,
        "http://127.0.0.1:1111/oauth/callback",
        VERIFIER,
    )
    .await
    .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");

    let other = register_pkce(&w).await;
    let pairs = follow(&w, &authorize_url(&w, &reg, CALLBACK, "S256")).await;
    let code = value(&pairs, "code").unwrap().to_string();
    redeem(&w, &other, &code, CALLBACK, VERIFIER)
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
    assert_eq!(w.emulator.stats().tokens_issued, 0);
}

#[tokio::test]
async fn authorize_validates_client_redirect_and_method() {
    let w = World::new(EmulatorConfig::auto_approving()).await;
    let reg = register_pkce(&w).await;

    // Untrusted redirect URIs get an error page, never a redirect.
    for bad in [
        "http://127.0.0.1:54321/elsewhere",
        "http://evil.example:54321/oauth/callback",
        "https://127.0.0.1:54321/oauth/callback",
    ] {
        let r = w
            .http
            .get(authorize_url(&w, &reg, bad, "S256"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{bad}");
        assert!(r.headers().get(LOCATION).is_none());
    }
    let unknown = Registration {
        client_id: "nobody".into(),
        client_secret: String::new(),
    };
    let r = w
        .http
        .get(authorize_url(&w, &unknown, CALLBACK, "S256"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // A device-only client may not use /authorize.
    let device_only = w.register().await;
    let r = w
        .http
        .get(authorize_url(&w, &device_only, CALLBACK, "S256"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    // Other mistakes go back to the client as OAuth errors.
    let pairs = follow(&w, &authorize_url(&w, &reg, CALLBACK, "plain")).await;
    assert_eq!(value(&pairs, "error"), Some("invalid_request"));
    assert_eq!(value(&pairs, "state"), Some("st-123"));
    assert_eq!(w.emulator.stats().authorizations, 0);
}

#[tokio::test]
async fn the_consent_page_approves_and_denies() {
    let w = World::new(EmulatorConfig::default()).await;
    let reg = register_pkce(&w).await;

    let request_id = |html: &str| {
        let at = html.find("name=\"request_id\" value=\"").unwrap();
        let rest = &html[at + "name=\"request_id\" value=\"".len()..];
        rest[..rest.find('"').unwrap()].to_string()
    };

    let page = w
        .http
        .get(authorize_url(&w, &reg, CALLBACK, "S256"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("value=\"approve\"") && html.contains("value=\"deny\""));
    let approved = w
        .http
        .post(w.url("/authorize"))
        .form(&[
            ("request_id", request_id(&html).as_str()),
            ("action", "approve"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 302);
    let pairs = redirect_pairs(&approved);
    assert_eq!(value(&pairs, "state"), Some("st-123"));
    let code = value(&pairs, "code").unwrap().to_string();
    assert_eq!(
        redeem(&w, &reg, &code, CALLBACK, VERIFIER).await.status,
        200
    );

    let html = w
        .http
        .get(authorize_url(&w, &reg, CALLBACK, "S256"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id = request_id(&html);
    let denied = w
        .http
        .post(w.url("/authorize"))
        .form(&[("request_id", id.as_str()), ("action", "deny")])
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 302);
    let pairs = redirect_pairs(&denied);
    assert_eq!(value(&pairs, "error"), Some("access_denied"));
    assert_eq!(value(&pairs, "state"), Some("st-123"));
    assert_eq!(value(&pairs, "code"), None);

    // A decided request cannot be decided again.
    let again = w
        .http
        .post(w.url("/authorize"))
        .form(&[("request_id", id.as_str()), ("action", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 400);
    assert_eq!(w.emulator.stats().authorizations, 1);
}

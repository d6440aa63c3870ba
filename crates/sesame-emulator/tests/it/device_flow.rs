//! RegisterClient, StartDeviceAuthorization and the device-code grant of CreateToken.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;
use sesame_emulator::EmulatorConfig;

use crate::support::{Answer, START_URL, World};

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn register_client_answers_ids_and_epoch_seconds() {
    let w = World::new(EmulatorConfig::default()).await;
    let a = w
        .post_json(
            "/client/register",
            json!({"clientName": "botocore-client-my-sso", "clientType": "public",
                   "scopes": ["sso:account:access"]}),
        )
        .await;
    assert_eq!(a.status, 200, "{a:?}");
    assert!(a.body["clientId"].as_str().unwrap().len() >= 20);
    assert!(a.body["clientSecret"].as_str().unwrap().len() >= 40);
    let issued = a.body["clientIdIssuedAt"].as_u64().unwrap();
    assert!(
        issued.abs_diff(now_secs()) < 5,
        "seconds, not millis: {issued}"
    );
    let expires = a.body["clientSecretExpiresAt"].as_u64().unwrap();
    assert_eq!(expires - issued, 90 * 24 * 3600);
    assert_eq!(w.emulator.stats().registrations, 1);
}

#[tokio::test]
async fn register_client_checks_what_aws_checks() {
    let w = World::new(EmulatorConfig::default()).await;
    let confidential = w
        .post_json(
            "/client/register",
            json!({"clientName": "x", "clientType": "confidential"}),
        )
        .await;
    confidential.assert_oidc_error(
        400,
        "InvalidClientMetadataException",
        "invalid_client_metadata",
    );
    let nameless = w
        .post_json("/client/register", json!({"clientType": "public"}))
        .await;
    nameless.assert_oidc_error(400, "InvalidRequestException", "invalid_request");
    let not_json = Answer::read(
        w.http
            .post(w.url("/client/register"))
            .body("{nope")
            .send()
            .await
            .unwrap(),
    )
    .await;
    not_json.assert_oidc_error(400, "InvalidRequestException", "invalid_request");
    let bad_grant = w
        .post_json(
            "/client/register",
            json!({"clientName": "x", "clientType": "public", "grantTypes": ["password"]}),
        )
        .await;
    bad_grant.assert_oidc_error(
        400,
        "InvalidClientMetadataException",
        "invalid_client_metadata",
    );
    let no_redirect = w
        .post_json(
            "/client/register",
            json!({"clientName": "x", "clientType": "public", "grantTypes": ["authorization_code"]}),
        )
        .await;
    no_redirect.assert_oidc_error(400, "InvalidRedirectUriException", "invalid_redirect_uri");
    let bad_scope = w
        .post_json(
            "/client/register",
            json!({"clientName": "x", "clientType": "public", "scopes": ["two words"]}),
        )
        .await;
    bad_scope.assert_oidc_error(400, "InvalidScopeException", "invalid_scope");
    assert_eq!(w.emulator.stats().registrations, 0);
}

#[tokio::test]
async fn start_device_authorization_answers_codes_and_uris() {
    let w = World::new(EmulatorConfig::default()).await;
    let reg = w.register().await;
    let a = w.start_device(&reg).await;
    assert_eq!(a.status, 200, "{a:?}");
    let user_code = a.body["userCode"].as_str().unwrap();
    assert_eq!(user_code.len(), 9);
    assert_eq!(&user_code[4..5], "-");
    assert!(
        user_code
            .chars()
            .all(|c| c == '-' || c.is_ascii_uppercase())
    );
    let base = w.emulator.url();
    assert_eq!(a.body["verificationUri"], format!("{base}/device"));
    assert_eq!(
        a.body["verificationUriComplete"],
        format!("{base}/device?user_code={user_code}")
    );
    assert_eq!(a.body["expiresIn"], 600);
    assert_eq!(a.body["interval"], 1);
    assert!(a.body["deviceCode"].as_str().unwrap().len() >= 32);
    assert_eq!(w.emulator.pending_user_codes(), vec![user_code.to_string()]);
    assert_eq!(w.emulator.stats().device_authorizations, 1);
}

#[tokio::test]
async fn wrong_or_expired_client_credentials_are_invalid_client() {
    let w = World::new(EmulatorConfig {
        registration_lifetime: Duration::from_secs(2),
        ..EmulatorConfig::default()
    })
    .await;
    let mut reg = w.register().await;
    let good_secret = reg.client_secret.clone();
    reg.client_secret = "wrong".into();
    w.start_device(&reg)
        .await
        .assert_oidc_error(401, "InvalidClientException", "invalid_client");
    w.poll(&reg, "whatever").await.assert_oidc_error(
        401,
        "InvalidClientException",
        "invalid_client",
    );
    reg.client_secret = good_secret;
    assert_eq!(w.start_device(&reg).await.status, 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    w.start_device(&reg)
        .await
        .assert_oidc_error(401, "InvalidClientException", "invalid_client");
    let missing = w
        .post_json(
            "/device_authorization",
            json!({"clientId": reg.client_id, "clientSecret": reg.client_secret}),
        )
        .await;
    missing.assert_oidc_error(400, "InvalidRequestException", "invalid_request");
}

#[tokio::test]
async fn pending_then_slow_down_then_tokens_then_invalid_grant() {
    let w = World::new(EmulatorConfig::default()).await;
    let reg = w.register().await;
    let start = w.start_device(&reg).await;
    let device_code = start.body["deviceCode"].as_str().unwrap();
    let user_code = start.body["userCode"].as_str().unwrap();

    w.poll(&reg, device_code).await.assert_oidc_error(
        400,
        "AuthorizationPendingException",
        "authorization_pending",
    );
    w.poll(&reg, device_code)
        .await
        .assert_oidc_error(400, "SlowDownException", "slow_down");
    tokio::time::sleep(Duration::from_millis(1050)).await;
    w.poll(&reg, device_code).await.assert_oidc_error(
        400,
        "AuthorizationPendingException",
        "authorization_pending",
    );

    assert!(w.emulator.approve(&user_code.to_lowercase()));
    assert!(!w.emulator.approve(user_code), "already decided");
    let token = w.poll(&reg, device_code).await;
    assert_eq!(token.status, 200, "{token:?}");
    assert_eq!(token.body["tokenType"], "Bearer");
    assert_eq!(token.body["expiresIn"], 3600);
    assert!(token.body["accessToken"].as_str().unwrap().len() > 32);
    assert!(token.body["refreshToken"].is_string(), "registered scopes");

    w.poll(&reg, device_code).await.assert_oidc_error(
        400,
        "InvalidGrantException",
        "invalid_grant",
    );
    w.poll(&reg, "no-such-code").await.assert_oidc_error(
        400,
        "InvalidGrantException",
        "invalid_grant",
    );

    let stats = w.emulator.stats();
    assert_eq!(stats.authorizations, 1);
    assert_eq!(stats.tokens_issued, 1);
    assert_eq!(stats.requests_for("CreateToken"), 6);
}

#[tokio::test]
async fn expired_device_code_is_expired_token() {
    let w = World::new(EmulatorConfig {
        device_code_lifetime: Duration::from_secs(1),
        ..EmulatorConfig::default()
    })
    .await;
    let reg = w.register().await;
    let start = w.start_device(&reg).await;
    assert_eq!(start.body["expiresIn"], 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let user_code = start.body["userCode"].as_str().unwrap();
    assert!(
        !w.emulator.approve(user_code),
        "expired codes cannot be approved"
    );
    w.poll(&reg, start.body["deviceCode"].as_str().unwrap())
        .await
        .assert_oidc_error(400, "ExpiredTokenException", "expired_token");
}

#[tokio::test]
async fn the_verification_page_approves_and_denies() {
    let w = World::new(EmulatorConfig::default()).await;
    let reg = w.register().await;

    // Deny on the page.
    let start = w.start_device(&reg).await;
    let user_code = start.body["userCode"].as_str().unwrap();
    let page = w
        .http
        .get(start.body["verificationUriComplete"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(user_code), "{html}");
    assert!(html.contains("action=\"/device\"") && html.contains("value=\"deny\""));
    let denied = w
        .http
        .post(w.url("/device"))
        .form(&[("user_code", user_code), ("action", "deny")])
        .send()
        .await
        .unwrap();
    assert_eq!(denied.status(), 200);
    w.poll(&reg, start.body["deviceCode"].as_str().unwrap())
        .await
        .assert_oidc_error(400, "AccessDeniedException", "access_denied");

    // Approve on the page.
    let start = w.start_device(&reg).await;
    let user_code = start.body["userCode"].as_str().unwrap();
    let approved = w
        .http
        .post(w.url("/device"))
        .form(&[("user_code", user_code), ("action", "approve")])
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), 200);
    assert!(approved.text().await.unwrap().contains("approved"));
    let token = w
        .poll(&reg, start.body["deviceCode"].as_str().unwrap())
        .await;
    assert_eq!(token.status, 200, "{token:?}");

    // The page without a code asks for one; an unknown code is a 404 page.
    let ask = w.http.get(w.url("/device")).send().await.unwrap();
    assert_eq!(ask.status(), 200);
    assert!(ask.text().await.unwrap().contains("name=\"user_code\""));
    let unknown = w
        .http
        .get(w.url("/device?user_code=ZZZZ-ZZZZ"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn the_control_api_approves_lists_and_counts() {
    let w = World::new(EmulatorConfig::default()).await;
    let reg = w.register().await;
    let start = w.start_device(&reg).await;
    let user_code = start.body["userCode"].as_str().unwrap();

    let pending = w.get("/_emulator/pending").await;
    assert_eq!(pending.body, json!({"userCodes": [user_code]}));
    let approved = w
        .post_json("/_emulator/approve", json!({"userCode": user_code}))
        .await;
    assert_eq!(approved.status, 200, "{approved:?}");
    assert_eq!(approved.body, json!({"approved": [user_code]}));
    let again = w
        .post_json("/_emulator/approve", json!({"userCode": user_code}))
        .await;
    assert_eq!(again.status, 404);
    let token = w
        .poll(&reg, start.body["deviceCode"].as_str().unwrap())
        .await;
    assert_eq!(token.status, 200);

    let stats = w.get("/_emulator/stats").await;
    assert_eq!(stats.status, 200);
    for (key, value) in [
        ("registrations", 1),
        ("device_authorizations", 1),
        ("authorizations", 1),
        ("tokens_issued", 1),
        ("refreshes", 0),
        ("logouts", 0),
        ("throttled", 0),
    ] {
        assert_eq!(stats.body[key], value, "{key}: {stats:?}");
    }
    assert_eq!(stats.body["requests"]["CreateToken"], 1);
    assert_eq!(stats.body["requests"]["RegisterClient"], 1);
    let typed: sesame_emulator::Stats = serde_json::from_value(stats.body).unwrap();
    assert_eq!(typed, w.emulator.stats());
}

#[tokio::test]
async fn auto_approve_answers_tokens_on_the_first_poll() {
    let w = World::new(EmulatorConfig::auto_approving()).await;
    let reg = w.register().await;
    let start = w.start_device(&reg).await;
    let token = w
        .poll(&reg, start.body["deviceCode"].as_str().unwrap())
        .await;
    assert_eq!(token.status, 200, "{token:?}");
    assert!(w.emulator.pending_user_codes().is_empty());
    assert_eq!(w.emulator.stats().authorizations, 1);
}

#[tokio::test]
async fn refresh_tokens_only_for_scoped_or_refresh_registrations() {
    let w = World::new(EmulatorConfig::auto_approving()).await;
    let legacy = w.register_with(json!({})).await;
    let start = w.start_device(&legacy).await;
    let token = w
        .poll(&legacy, start.body["deviceCode"].as_str().unwrap())
        .await;
    assert_eq!(token.status, 200);
    assert!(token.body.get("refreshToken").is_none(), "{token:?}");

    let with_grant = w
        .register_with(json!({"grantTypes": ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"]}))
        .await;
    let start = w.start_device(&with_grant).await;
    let token = w
        .poll(&with_grant, start.body["deviceCode"].as_str().unwrap())
        .await;
    assert!(token.body["refreshToken"].is_string(), "{token:?}");
}

#[tokio::test]
async fn device_codes_belong_to_their_client() {
    let w = World::new(EmulatorConfig::auto_approving()).await;
    let a = w.register().await;
    let b = w.register().await;
    let start = w.start_device(&a).await;
    w.poll(&b, start.body["deviceCode"].as_str().unwrap())
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
    let pkce_only = w
        .register_with(
            json!({"grantTypes": ["authorization_code", "refresh_token"],
                              "redirectUris": ["http://127.0.0.1/oauth/callback"],
                              "issuerUrl": START_URL}),
        )
        .await;
    w.start_device(&pkce_only).await.assert_oidc_error(
        400,
        "UnauthorizedClientException",
        "unauthorized_client",
    );
}

//! Refresh tokens, Logout and bearer-token checks.

use std::time::Duration;

use serde_json::json;
use sesame_emulator::EmulatorConfig;

use crate::support::World;

fn s(v: &serde_json::Value, key: &str) -> String {
    v[key].as_str().unwrap().to_string()
}

#[tokio::test]
async fn refresh_rotates_the_refresh_token() {
    let w = World::new(EmulatorConfig::default()).await;
    let (reg, first) = w.login().await;
    let old_refresh = s(&first, "refreshToken");

    let second = w.refresh(&reg, &old_refresh).await;
    assert_eq!(second.status, 200, "{second:?}");
    let new_access = s(&second.body, "accessToken");
    let new_refresh = s(&second.body, "refreshToken");
    assert_ne!(new_access, s(&first, "accessToken"));
    assert_ne!(new_refresh, old_refresh);
    assert_eq!(
        w.portal_get("/assignment/accounts", &new_access)
            .await
            .status,
        200
    );

    w.refresh(&reg, &old_refresh).await.assert_oidc_error(
        400,
        "InvalidGrantException",
        "invalid_grant",
    );
    w.refresh(&reg, "aor-unknown").await.assert_oidc_error(
        400,
        "InvalidGrantException",
        "invalid_grant",
    );
    let other = w.register().await;
    w.refresh(&other, &new_refresh).await.assert_oidc_error(
        400,
        "InvalidGrantException",
        "invalid_grant",
    );
    assert_eq!(w.refresh(&reg, &new_refresh).await.status, 200);

    let stats = w.emulator.stats();
    assert_eq!(stats.tokens_issued, 3);
    assert_eq!(stats.refreshes, 2);
    assert_eq!(stats.authorizations, 1);
}

#[tokio::test]
async fn the_session_ends_when_the_refresh_token_lifetime_does() {
    let w = World::new(EmulatorConfig {
        refresh_token_lifetime: Duration::from_secs(2),
        ..EmulatorConfig::default()
    })
    .await;
    let (reg, first) = w.login().await;
    let second = w.refresh(&reg, &s(&first, "refreshToken")).await;
    assert_eq!(second.status, 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    w.refresh(&reg, &s(&second.body, "refreshToken"))
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
}

#[tokio::test]
async fn logout_revokes_the_access_and_refresh_tokens() {
    let w = World::new(EmulatorConfig::default()).await;
    let (reg, token) = w.login().await;
    let access = s(&token, "accessToken");

    let out = w.logout(&access).await;
    assert_eq!(out.status, 200, "{out:?}");
    assert_eq!(out.body, serde_json::Value::Null, "empty body");
    w.portal_get("/assignment/accounts", &access)
        .await
        .assert_portal_error(401, "UnauthorizedException");
    w.refresh(&reg, &s(&token, "refreshToken"))
        .await
        .assert_oidc_error(400, "InvalidGrantException", "invalid_grant");
    w.logout(&access)
        .await
        .assert_portal_error(401, "UnauthorizedException");
    assert_eq!(w.emulator.stats().logouts, 1);
}

#[tokio::test]
async fn unknown_missing_and_expired_bearer_tokens_are_unauthorized() {
    let w = World::new(EmulatorConfig {
        token_lifetime: Duration::from_secs(2),
        ..EmulatorConfig::default()
    })
    .await;
    let missing = w.get("/assignment/accounts").await;
    missing.assert_portal_error(401, "UnauthorizedException");
    assert_eq!(
        missing.body["message"],
        "Session token not found or invalid"
    );
    w.portal_get("/assignment/accounts", "garbage")
        .await
        .assert_portal_error(401, "UnauthorizedException");

    let (_, token) = w.login().await;
    assert_eq!(token["expiresIn"], 2);
    let access = s(&token, "accessToken");
    assert_eq!(
        w.portal_get("/assignment/accounts", &access).await.status,
        200
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    for path in [
        "/assignment/accounts",
        "/assignment/roles?account_id=123456789012",
        "/federation/credentials?role_name=x&account_id=123456789012",
    ] {
        w.portal_get(path, &access)
            .await
            .assert_portal_error(401, "UnauthorizedException");
    }
}

#[tokio::test]
async fn create_token_rejects_unknown_grants_and_scopes() {
    let w = World::new(EmulatorConfig::auto_approving()).await;
    let reg = w.register().await;
    let unsupported = w
        .post_json(
            "/token",
            json!({"clientId": reg.client_id, "clientSecret": reg.client_secret,
                   "grantType": "password"}),
        )
        .await;
    unsupported.assert_oidc_error(
        400,
        "UnsupportedGrantTypeException",
        "unsupported_grant_type",
    );
    let start = w.start_device(&reg).await;
    let scoped = w
        .post_json(
            "/token",
            json!({"clientId": reg.client_id, "clientSecret": reg.client_secret,
                   "grantType": "urn:ietf:params:oauth:grant-type:device_code",
                   "deviceCode": start.body["deviceCode"], "scope": ["admin:everything"]}),
        )
        .await;
    scoped.assert_oidc_error(400, "InvalidScopeException", "invalid_scope");
    let iam = w
        .post_json(
            "/token?aws_iam=t",
            json!({"clientId": "arn:aws:sso::123456789012:application/x", "grantType": "authorization_code"}),
        )
        .await;
    iam.assert_oidc_error(400, "InvalidRequestException", "invalid_request");
}

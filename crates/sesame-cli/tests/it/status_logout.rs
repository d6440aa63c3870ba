//! `sesame status` and `sesame logout`.

use crate::common::{SESSION, TestEnv, assert_clean_failure, assert_success, stdout};

#[test]
fn status_shows_each_session_before_and_after_login() {
    let env = TestEnv::new();
    let out = env
        .sesame()
        .args(["status", "--output", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["session"], SESSION);
    assert_eq!(v[0]["loggedIn"], false);

    env.login();
    let out = env
        .sesame()
        .args(["status", "--output", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["loggedIn"], true);
    assert_eq!(v[0]["startUrl"], format!("{}/start", env.url()));
    assert_eq!(v[0]["region"], "us-east-1");
    assert_eq!(v[0]["refreshable"], true);
    let token = env.token_json(SESSION);
    assert_eq!(v[0]["tokenExpiresAt"], token["expiresAt"]);
    // Refreshable: the session ends when Identity Center ends it, which no file records (the
    // registration's expiry is not the session's).
    assert_eq!(v[0]["sessionExpiresAt"], serde_json::Value::Null);
    assert_eq!(
        v[0]["registrationExpiresAt"],
        token["registrationExpiresAt"]
    );

    let out = env.sesame().args(["status"]).output().unwrap();
    assert_success(&out);
    let table = stdout(&out);
    let header: Vec<&str> = table
        .lines()
        .next()
        .unwrap()
        .split("  ")
        .filter(|c| !c.is_empty())
        .map(str::trim)
        .collect();
    assert_eq!(
        header,
        [
            "SESSION",
            "START URL",
            "REGION",
            "TOKEN EXPIRES",
            "LOGIN ENDS"
        ],
        "one header per column"
    );
    assert!(
        table.contains("acme") && table.contains("(refreshable)"),
        "{table}"
    );
    assert!(
        !table.contains(token["registrationExpiresAt"].as_str().unwrap()),
        "{table}"
    );
    assert!(!table.contains(token["accessToken"].as_str().unwrap()));
}

/// After Identity Center refused a refresh, the login ends with its token: status says so (the
/// refused refresh token is dropped from the cache; the token itself is kept and used).
#[test]
fn status_shows_the_token_end_once_a_refresh_was_refused() {
    let env = TestEnv::with(sesame_emulator::EmulatorConfig {
        auto_approve: true,
        // Inside the 15-minute refresh window from the start: every command refreshes.
        token_lifetime: std::time::Duration::from_secs(300),
        refresh_token_lifetime: std::time::Duration::from_secs(1),
        ..sesame_emulator::EmulatorConfig::default()
    });
    env.login();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let out = env.sesame().args(["roles", "--refresh"]).output().unwrap();
    assert_success(&out);
    let token = env.token_json(SESSION);
    assert!(token.get("refreshToken").is_none(), "{token}");
    assert!(token["accessToken"].is_string(), "the token is kept");
    let out = env
        .sesame()
        .args(["status", "--output", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["loggedIn"], true);
    assert_eq!(v[0]["refreshable"], false);
    assert_eq!(v[0]["sessionExpiresAt"], token["expiresAt"]);
    let out = env.sesame().args(["status"]).output().unwrap();
    let table = stdout(&out);
    assert!(table.contains("(not refreshable)"), "{table}");
}

#[test]
fn status_lists_legacy_start_url_logins_too() {
    let env = TestEnv::new();
    let start = format!("{}/start", env.url());
    let out = env
        .sesame()
        .args([
            "login",
            "--device-code",
            "--start-url",
            &start,
            "--sso-region",
            "eu-west-1",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        env.token_path(&start).exists(),
        "a legacy login is keyed by the start URL"
    );
    let out = env
        .sesame()
        .args(["status", "-o", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let legacy = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["session"].is_null())
        .expect("the legacy login");
    assert_eq!(legacy["region"], "eu-west-1");
    assert_eq!(legacy["loggedIn"], true);
}

#[test]
fn logout_ends_the_portal_session_and_deletes_the_token() {
    let env = TestEnv::builder().logged_in().build();
    let token = env.token_json(SESSION);
    // A cached role credential of the AWS CLI kind is deleted too; other files are not.
    let cli_cache = env.home.path().join(".aws/cli/cache");
    std::fs::create_dir_all(&cli_cache).unwrap();
    std::fs::write(
        cli_cache.join("x.json"),
        r#"{"ProviderType": "sso", "Credentials": {}}"#,
    )
    .unwrap();
    std::fs::write(
        cli_cache.join("y.json"),
        r#"{"ProviderType": "assume-role", "Credentials": {}}"#,
    )
    .unwrap();

    let out = env.sesame().args(["logout"]).output().unwrap();
    assert_success(&out);
    assert!(!env.token_path(SESSION).exists());
    assert!(!cli_cache.join("x.json").exists());
    assert!(cli_cache.join("y.json").exists());
    assert_eq!(env.emulator.stats().logouts, 1);

    // The old token is dead at the portal: a command using it must ask for a login.
    let bad = env.token_path(SESSION);
    std::fs::create_dir_all(bad.parent().unwrap()).unwrap();
    std::fs::write(&bad, serde_json::to_string(&token).unwrap()).unwrap();
    let out = env.sesame().args(["accounts"]).output().unwrap();
    assert_clean_failure(&out, 3, "UnauthorizedException");
}

#[test]
fn logout_all_and_nothing_to_do() {
    let env = TestEnv::new();
    let out = env.sesame().args(["logout"]).output().unwrap();
    assert_success(&out);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Not logged in"));
    env.login();
    let out = env.sesame().args(["logout", "--all"]).output().unwrap();
    assert_success(&out);
    assert!(!env.token_path(SESSION).exists());
}

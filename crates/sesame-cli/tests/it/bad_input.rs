//! Bad input: one clear line, a non-zero exit code, nothing changed on disk, no secret shown.

use sesame_emulator::EmulatorConfig;

use crate::common::{
    SESSION, TestEnv, assert_clean_failure, assert_success, fake_browser, stderr, stdout,
};

#[test]
fn a_config_that_does_not_parse() {
    let env = TestEnv::new();
    env.write_config("region = us-east-1\n[sso-session acme]\nsso_region = us-east-1\n");
    let before = env.snapshot_files();
    let out = env
        .sesame()
        .args(["login", "--device-code"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "config");
    assert!(stderr(&out).contains("line 1"), "{}", stderr(&out));
    assert_eq!(env.snapshot_files(), before);

    // A header missing its `]`: said so, with the file and the line.
    env.write_config(
        "[profile dev]\nregion = eu-west-1\n\n[sso-session acme\nsso_region = us-east-1\n",
    );
    let before = env.snapshot_files();
    let out = env.sesame().args(["creds", "dev"]).output().unwrap();
    assert_clean_failure(
        &out,
        1,
        "line 4: a section header `[...` without its closing `]`",
    );
    let config = env.config_path().display().to_string();
    assert!(stderr(&out).contains(&config), "{}", stderr(&out));
    assert_eq!(env.snapshot_files(), before);
}

#[test]
fn an_sso_session_missing_a_key() {
    let env = TestEnv::new();
    env.write_config("[sso-session acme]\nsso_start_url = https://x.awsapps.com/start\n");
    let before = env.snapshot_files();
    let out = env
        .sesame()
        .args(["login", "--device-code"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "sso_region");
    assert_eq!(env.snapshot_files(), before);
}

#[test]
fn an_unknown_session_or_profile_and_ambiguous_sessions() {
    let env = TestEnv::new();
    let out = env
        .sesame()
        .args(["login", "--sso-session", "nope"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "nope");
    let out = env
        .sesame()
        .args(["login", "--profile", "nope"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "nope");
    env.append_config("\n[sso-session other]\nsso_start_url = https://o.awsapps.com/start\nsso_region = eu-west-1\n");
    let out = env.sesame().args(["login"]).output().unwrap();
    assert_clean_failure(&out, 1, "2 sso-sessions (acme, other) and no default");
    assert!(
        stderr(&out).contains("hint: choose one with `--sso-session NAME`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_corrupt_cache_file() {
    let env = TestEnv::new();
    let path = env.token_path(SESSION);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "{\"accessToken\": \"s3cr3t-value\", ").unwrap();
    let before = env.snapshot_files();
    let out = env.sesame().args(["accounts"]).output().unwrap();
    assert_clean_failure(&out, 1, &path.display().to_string());
    assert!(!stderr(&out).contains("s3cr3t-value"));
    assert_eq!(env.snapshot_files(), before);
    // A login replaces it.
    let out = env
        .sesame()
        .args(["login", "--device-code"])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(env.token_json(SESSION)["accessToken"].is_string());
}

#[test]
fn an_unreachable_endpoint() {
    let env = TestEnv::new();
    let before = env.snapshot_files();
    let out = env
        .sesame()
        .args(["login", "--device-code"])
        .env("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "cannot reach http://127.0.0.1:9");
    assert_eq!(env.snapshot_files(), before);
}

#[test]
fn a_denied_device_authorisation() {
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: false,
        ..EmulatorConfig::default()
    });
    let before = env.snapshot_files();
    let out = env
        .sesame()
        .args(["login", "--device-code"])
        .env("BROWSER", fake_browser(true))
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "denied");
    // The registration may be cached (as the AWS CLI does); no token is written.
    assert!(!env.token_path(SESSION).exists());
    let _ = before;
}

#[test]
fn an_expired_device_code() {
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: false,
        device_code_lifetime: std::time::Duration::from_secs(2),
        ..EmulatorConfig::default()
    });
    let out = env
        .sesame()
        .args(["login", "--device-code", "--no-browser"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "expired");
    assert!(!env.token_path(SESSION).exists());
}

#[test]
fn a_500_from_oidc() {
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: true,
        fault_500: 1.0,
        ..EmulatorConfig::default()
    });
    let before = env.snapshot_files();
    let out = env
        .sesame()
        .args(["login", "--device-code"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "InternalServerException");
    assert_eq!(env.snapshot_files(), before);
}

#[test]
fn no_secret_in_any_output_even_at_trace() {
    let env = TestEnv::new();
    let out = env
        .sesame()
        .args(["-vvv", "login", "--device-code"])
        .output()
        .unwrap();
    assert_success(&out);
    let out2 = env.sesame().args(["-vvv", "accounts"]).output().unwrap();
    assert_success(&out2);
    let token = env.token_json(SESSION);
    let all = format!(
        "{}{}{}{}",
        stdout(&out),
        stderr(&out),
        stdout(&out2),
        stderr(&out2)
    );
    for k in ["accessToken", "refreshToken", "clientSecret"] {
        assert!(!all.contains(token[k].as_str().unwrap()), "{k} leaked");
    }
}

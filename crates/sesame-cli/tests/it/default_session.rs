//! A default session for a config with several: `SESAME_SSO_SESSION`, else `sso_session` in
//! `[sesame]`; `sesame status` says which and why; botocore ignores the section.

use crate::common::{SESSION, TestEnv, assert_clean_failure, assert_success, stderr, stdout};

/// The world's `[sso-session acme]` and a second, `[sso-session beta]`.
fn two_sessions() -> TestEnv {
    let env = TestEnv::builder().accounts(2).build();
    env.append_config(&format!(
        "\n[sso-session beta]\nsso_start_url = {}/beta\nsso_region = us-east-1\n",
        env.url()
    ));
    env
}

/// `sesame login --device-code` with `SESAME_SSO_SESSION` when given: its stderr.
fn login(env: &TestEnv, var: Option<&str>) -> String {
    let mut cmd = env.sesame();
    cmd.args(["login", "--device-code", "--no-browser"]);
    if let Some(v) = var {
        cmd.env("SESAME_SSO_SESSION", v);
    }
    let out = cmd.output().unwrap();
    assert_success(&out);
    stderr(&out)
}

#[test]
fn two_sessions_and_no_default_fail_with_how_to_set_one() {
    let env = two_sessions();
    let before = env.snapshot_files();
    let out = env
        .sesame()
        .args(["login", "--device-code"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "has 2 sso-sessions (acme, beta) and no default");
    assert!(
        stderr(&out).contains("SESAME_SSO_SESSION=NAME"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.snapshot_files(), before);
}

#[test]
fn the_environment_then_the_config_name_the_default() {
    let env = two_sessions();
    assert!(login(&env, Some("beta")).contains("Logged in to sso-session `beta`"));
    assert!(env.token_path("beta").exists());
    assert!(!env.token_path(SESSION).exists());

    env.append_config("\n[sesame]\nsso_session = acme\n");
    assert!(login(&env, None).contains("Logged in to sso-session `acme`"));
    // The environment wins over the config; an explicit --sso-session over both.
    assert!(login(&env, Some("beta")).contains("sso-session `beta`"));
    let out = env
        .sesame()
        .args(["accounts", "--sso-session", "beta", "-o", "json"])
        .env("SESAME_SSO_SESSION", "acme")
        .output()
        .unwrap();
    assert_success(&out);

    // status tells which is the default and why.
    let out = env.sesame().arg("status").output().unwrap();
    assert_success(&out);
    assert!(
        stderr(&out).contains("Default session: acme (sso_session in [sesame] of the config)"),
        "{}",
        stderr(&out)
    );
    let out = env
        .sesame()
        .args(["status", "-o", "json"])
        .env("SESAME_SSO_SESSION", "beta")
        .output()
        .unwrap();
    assert_success(&out);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let defaults: Vec<(&str, &str)> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["default"] == true)
        .map(|r| {
            (
                r["session"].as_str().unwrap(),
                r["defaultBecause"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        defaults,
        [("beta", "SESAME_SSO_SESSION")],
        "{}",
        stdout(&out)
    );

    // botocore reads the file with [sesame] in it, and takes no profile from it.
    let out = env
        .command("python3")
        .args([
            "-c",
            "import botocore.session; print(sorted(botocore.session.Session().full_config['profiles']))",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(!stdout(&out).contains("sesame"), "{}", stdout(&out));
}

#[test]
fn a_default_naming_no_session_fails_cleanly() {
    let env = two_sessions();
    let before = env.snapshot_files();
    let out = env
        .sesame()
        .args(["login", "--device-code"])
        .env("SESAME_SSO_SESSION", "nope")
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "the default session `nope` (SESAME_SSO_SESSION)");
    assert!(
        stderr(&out).contains("sesame setup --sso-session nope"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.snapshot_files(), before);
}

#[test]
fn setup_of_a_second_session_says_how_to_make_it_the_default() {
    let env = TestEnv::new();
    let start = format!("{}/corp", env.url());
    let out = env
        .sesame()
        .args(["setup", "--sso-session", "corp", "--start-url", &start])
        .args(["--sso-region", "us-east-1", "--yes", "--no-login"])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stderr(&out).contains("export SESAME_SSO_SESSION=corp"),
        "{}",
        stderr(&out)
    );
    // Done as it says, the new session is the default.
    env.append_config("[sesame]\nsso_session = corp\n");
    let out = env.sesame().arg("status").output().unwrap();
    assert_success(&out);
    assert!(
        stderr(&out).contains("Default session: corp (sso_session in [sesame] of the config)"),
        "{}",
        stderr(&out)
    );
}

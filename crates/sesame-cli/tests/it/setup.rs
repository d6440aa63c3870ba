//! `sesame setup` from nothing: the session written, a login, the profiles; on a real
//! pseudo-terminal when it asks, with `--yes` when it must not. (The byte-for-byte comparison
//! with the AWS CLI v2's own `aws configure sso-session` is in `cli_v2.rs`.)

use crate::common::{TestEnv, assert_clean_failure, assert_success, stderr, stdout};

/// A world with an emulator and an empty HOME (no config file at all).
fn empty() -> TestEnv {
    let env = TestEnv::builder().accounts(3).build();
    std::fs::remove_file(env.config_path()).unwrap();
    env
}

fn config(env: &TestEnv) -> String {
    std::fs::read_to_string(env.config_path()).unwrap()
}

/// The profile sections of the config.
fn profiles(env: &TestEnv) -> Vec<String> {
    config(env)
        .lines()
        .filter_map(|l| l.strip_prefix("[profile ")?.strip_suffix(']'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn on_an_empty_home_login_and_populate_point_at_setup() {
    let env = empty();
    for cmd in [&["login", "--device-code"][..], &["populate"], &["roles"]] {
        let out = env.sesame().args(cmd).output().unwrap();
        assert_clean_failure(&out, 1, "no [sso-session]");
        assert!(
            stderr(&out).contains("hint: run `sesame setup`"),
            "{}",
            stderr(&out)
        );
    }
    assert!(!env.config_path().exists());
}

#[test]
fn setup_with_yes_writes_the_session_logs_in_and_populates() {
    let env = empty();
    let start = format!("{}/start", env.url());
    let out = env
        .sesame()
        .args(["setup", "--sso-session", "corp", "--start-url", &start])
        .args([
            "--sso-region",
            "us-east-1",
            "--yes",
            "--device-code",
            "--no-browser",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let text = config(&env);
    assert!(
        text.starts_with(&format!(
            "[sso-session corp]\nsso_start_url = {start}\nsso_region = us-east-1\n\
             sso_registration_scopes = sso:account:access\n\n# BEGIN sesame populate (sso-session corp)"
        )),
        "{text}"
    );
    let names = profiles(&env);
    assert_eq!(names.len(), 9, "{text}");
    // The profiles work: credentials of the first one.
    let creds = env
        .sesame()
        .args(["creds", &names[0], "--format", "json"])
        .output()
        .unwrap();
    assert_success(&creds);
    assert!(stdout(&creds).contains("\"AccessKeyId\""));

    // Again with other values: the same section updated in place, never a second one, and the
    // previous file kept as config.bak.
    let before = config(&env);
    let out = env
        .sesame()
        .args(["setup", "--sso-session", "corp", "--start-url", &start])
        .args([
            "--sso-region",
            "us-east-1",
            "--scopes",
            "sso:account:access,extra:scope",
        ])
        .args(["--yes", "--no-login"])
        .output()
        .unwrap();
    assert_success(&out);
    let after = config(&env);
    assert_eq!(after.matches("[sso-session corp]").count(), 1, "{after}");
    assert_eq!(
        after,
        before.replace(
            "sso_registration_scopes = sso:account:access\n",
            "sso_registration_scopes = sso:account:access,extra:scope\n"
        )
    );
    let bak = std::fs::read_to_string(env.home.path().join(".aws/config.bak")).unwrap();
    assert_eq!(bak, before);
    // The same values once more: nothing to write.
    let out = env
        .sesame()
        .args(["setup", "--sso-session", "corp", "--yes", "--no-login"])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(stderr(&out).contains("is up to date"), "{}", stderr(&out));
    assert_eq!(config(&env), after);
}

#[test]
fn setup_asks_on_a_terminal_what_aws_configure_sso_session_asks() {
    let env = empty();
    let start = format!("{}/start", env.url());
    let argv = serde_json::json!([
        crate::common::sesame_bin(),
        "setup",
        "--device-code",
        "--no-browser"
    ]);
    let script = serde_json::json!([
        ["SSO session name: ", "\r"],
        ["A value is required", "corp\r"],
        ["SSO start URL: ", "ftp://nope\r"],
        ["not https", format!("{start}\r")],
        ["SSO region: ", "us-east-1\r"],
        ["SSO registration scopes [sso:account:access]: ", "\r"],
        ["Write a profile for every account and role into", "y\r"],
    ]);
    let out = env
        .on_terminal(&argv, &script)
        .env("AWS_ENDPOINT_URL_SSO", env.url())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", env.url())
        .output()
        .unwrap();
    assert_success(&out);
    let shown = stdout(&out);
    assert!(shown.contains("Logged in to sso-session `corp`"), "{shown}");
    assert!(
        config(&env).starts_with(&format!(
            "[sso-session corp]\nsso_start_url = {start}\nsso_region = us-east-1\n\
             sso_registration_scopes = sso:account:access\n"
        )),
        "{}",
        config(&env)
    );
    assert_eq!(profiles(&env).len(), 9);

    // Again: Enter keeps each value shown in brackets; no to the profiles.
    let before = config(&env);
    let argv = serde_json::json!([crate::common::sesame_bin(), "setup", "--no-browser"]);
    let script = serde_json::json!([
        ["SSO session name: ", "corp\r"],
        [format!("SSO start URL [{start}]: "), "\r"],
        ["SSO region [us-east-1]: ", "\r"],
        ["SSO registration scopes [sso:account:access]: ", "\r"],
        ["Write a profile for every account and role into", "n\r"],
    ]);
    let out = env
        .on_terminal(&argv, &script)
        .env("AWS_ENDPOINT_URL_SSO", env.url())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", env.url())
        .output()
        .unwrap();
    assert_success(&out);
    assert!(stdout(&out).contains("is up to date"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("Already logged in"),
        "{}",
        stdout(&out)
    );
    assert_eq!(config(&env), before);
}

#[test]
fn setup_refuses_bad_or_missing_input_and_changes_nothing() {
    let env = TestEnv::new();
    let before = env.snapshot_files();
    let start = format!("{}/start", env.url());
    let cases: [(&[&str], &str); 6] = [
        (&["setup"], "asks its questions on a terminal"),
        (
            &["setup", "--yes"],
            "needs --sso-session NAME, --start-url URL and --sso-region REGION",
        ),
        (
            &[
                "setup",
                "--yes",
                "--sso-session",
                "new",
                "--start-url",
                "http://example.com/start",
            ],
            "it must use https",
        ),
        (
            &[
                "setup",
                "--yes",
                "--sso-session",
                "new",
                "--start-url",
                &start,
                "--sso-region",
                "US East",
            ],
            "bad --sso-region",
        ),
        (
            &[
                "setup",
                "--yes",
                "--sso-session",
                "new",
                "--start-url",
                &start,
                "--sso-region",
                "us-east-1",
                "--scopes",
                "a b",
            ],
            "bad --scopes",
        ),
        (
            &["setup", "--yes", "--sso-session", "a]b"],
            "bad --sso-session",
        ),
    ];
    for (args, needle) in cases {
        let out = env.sesame().args(args).output().unwrap();
        assert_clean_failure(&out, 1, needle);
        assert_eq!(env.snapshot_files(), before, "{args:?}");
    }
}

#[test]
fn populate_by_start_url_needs_a_session_and_says_to_run_setup() {
    let env = TestEnv::builder().accounts(2).build();
    env.write_config("# nothing but a comment\n");
    let before = env.snapshot_files();
    let start = format!("{}/start", env.url());
    let out = env
        .sesame()
        .args([
            "populate",
            "--start-url",
            &start,
            "--sso-region",
            "us-east-1",
        ])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "no [sso-session]");
    assert!(
        stderr(&out).contains(&format!(
            "hint: add one with `sesame setup --start-url {start} --sso-region us-east-1 --sso-session NAME`"
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.snapshot_files(), before);
}

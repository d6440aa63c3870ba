//! Signing in at the emulator's IdPs, end to end into a profile botocore uses.

use sesame_emulator::{DEFAULT_MFA_CODE, DEFAULT_PASSWORD};

use crate::common::saml::{
    ACCOUNT, EXISTING, FORMS, KEYCLOAK, WINDOWS, World, assert_saved, saml_access_key,
};
use crate::common::{TestEnv, assert_clean_failure, assert_success, stderr, stdout};

#[test]
fn adfs_forms_login_writes_a_profile_that_botocore_uses() {
    let w = World::new();
    w.write_credentials(EXISTING);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(w.credentials_path(), std::fs::Permissions::from_mode(0o600))
            .unwrap();
    }
    let out = w.login(FORMS, "alice@acme.test", &[]);
    assert_saved(&w, &out, "ADFS-Dev", "alice@acme.test");
    let text = w.credentials();
    // The [saml] section was updated in place: its comment and region stay, other sections too.
    assert!(
        text.contains("[saml]\n# sesame writes here\nregion=eu-west-2\naws_access_key_id"),
        "{text}"
    );
    assert!(text.contains("x_security_token_expires"), "{text}");
}

#[test]
fn adfs_forms_login_with_mfa_code() {
    let w = World::new();
    w.write_credentials(EXISTING);
    let url = format!("{}{FORMS}", w.env.url());
    let out = w
        .saml(
            &["login", "--idp-url", &url, "--username", "bob@acme.test"],
            DEFAULT_PASSWORD,
        )
        .env("SESAME_SAML_OTP", DEFAULT_MFA_CODE)
        .output()
        .unwrap();
    assert_saved(&w, &out, "ADFS-Ops", "bob@acme.test");
}

#[test]
fn adfs_mfa_without_a_code_or_with_a_wrong_one_fails_cleanly() {
    let w = World::new();
    w.write_credentials(EXISTING);
    let before = w.env.snapshot_files();
    let url = format!("{}{FORMS}", w.env.url());
    let args = ["login", "--idp-url", &url, "--username", "bob@acme.test"];
    let out = w
        .saml(&args, DEFAULT_PASSWORD)
        .env("SESAME_SAML_OTP", "000000")
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        1,
        "refused the one-time code: The verification code is incorrect",
    );
    let out = w.saml(&args, DEFAULT_PASSWORD).output().unwrap();
    assert_clean_failure(&out, 1, "SESAME_SAML_OTP");
    assert_eq!(w.env.snapshot_files(), before);
}

#[test]
fn adfs_wrong_password_locked_account_and_no_roles_fail_cleanly() {
    let w = World::new();
    w.write_credentials(EXISTING);
    let before = w.env.snapshot_files();
    let url = format!("{}{FORMS}", w.env.url());
    let out = w
        .saml(
            &["login", "--idp-url", &url, "--username", "alice@acme.test"],
            "wrong",
        )
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        1,
        "the IdP refused the sign-in: Incorrect user ID or password",
    );
    assert!(!stderr(&out).contains("wrong"), "the password leaked");

    let out = w.login(FORMS, "carol@acme.test", &[]);
    assert_clean_failure(&out, 1, "locked out");

    let out = w.login(FORMS, "dave@acme.test", &[]);
    assert_clean_failure(&out, 1, "grants no AWS role");
    assert!(stderr(&out).contains("hint: "), "{}", stderr(&out));
    assert_eq!(w.env.snapshot_files(), before);
}

#[test]
fn adfs_windows_integrated_authentication_with_ntlm() {
    let w = World::new();
    w.write_credentials(EXISTING);
    let out = w.login(WINDOWS, "ACME\\alice", &["--provider", "adfs-windows"]);
    assert_saved(&w, &out, "ADFS-Dev", "alice@acme.test");

    let before = w.env.snapshot_files();
    let url = format!("{}{WINDOWS}", w.env.url());
    let out = w
        .saml(
            &[
                "login",
                "--idp-url",
                &url,
                "--username",
                "ACME\\alice",
                "--provider",
                "adfs-windows",
            ],
            "not-the-password",
        )
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "refused the user name or password");
    // The forms page is not Windows authentication.
    let out = w.login(FORMS, "ACME\\alice", &["--provider", "adfs-windows"]);
    assert_clean_failure(&out, 1, "serves a login form");
    assert_eq!(w.env.snapshot_files(), before);
}

#[test]
fn generic_form_driver_signs_in_to_a_keycloak_like_idp() {
    let w = World::new();
    w.write_credentials(EXISTING);
    let out = w.login(KEYCLOAK, "alice", &["--provider", "form"]);
    assert_saved(&w, &out, "ADFS-Dev", "alice@acme.test");

    let before = w.env.snapshot_files();
    let url = format!("{}{KEYCLOAK}", w.env.url());
    let out = w
        .saml(
            &[
                "login",
                "--idp-url",
                &url,
                "--username",
                "alice",
                "--provider",
                "form",
            ],
            "nope",
        )
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "Invalid username or password.");
    let out = w.login("/idp/closed", "alice", &["--provider", "form"]);
    assert_clean_failure(&out, 1, "has no login form");
    let out = w.login("/idp/closed", "alice", &[]);
    assert_clean_failure(&out, 1, "has no login form");
    assert_eq!(w.env.snapshot_files(), before);
}

#[test]
fn several_roles_need_a_choice_off_a_terminal() {
    let w = World::new();
    let url = format!("{}{FORMS}", w.env.url());
    let out = w
        .saml(
            &[
                "roles",
                "--idp-url",
                &url,
                "--username",
                "erin@acme.test",
                "-o",
                "json",
            ],
            DEFAULT_PASSWORD,
        )
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let arns: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["roleArn"].as_str().unwrap())
        .collect();
    assert_eq!(
        arns,
        [
            "arn:aws:iam::123456789012:role/ADFS-Dev",
            "arn:aws:iam::123456789012:role/ADFS-Admin",
            "arn:aws:iam::111122223333:role/ReadOnly"
        ]
    );
    assert_eq!(v[2]["accountId"], "111122223333");
    assert_eq!(
        v[2]["principalArn"],
        "arn:aws:iam::111122223333:saml-provider/sesame-emulator"
    );

    // (The successful listing kept the IdP session; nothing below may change a file.)
    let before = w.env.snapshot_files();
    let out = w.login(FORMS, "erin@acme.test", &[]);
    assert_clean_failure(
        &out,
        1,
        "grants 3 roles: arn:aws:iam::123456789012:role/ADFS-Dev, ",
    );
    assert!(
        stderr(&out).contains("hint: pass --role"),
        "{}",
        stderr(&out)
    );
    let out = w.login(FORMS, "erin@acme.test", &["--role", "ADFS-*"]);
    assert_clean_failure(&out, 1, "`ADFS-*` matches 2 roles");
    let out = w.login(FORMS, "erin@acme.test", &["--role", "Billing"]);
    assert_clean_failure(&out, 1, "no role of the SAML assertion matches `Billing`");
    assert_eq!(w.env.snapshot_files(), before);
}

#[test]
fn credential_process_output_writes_nothing() {
    let w = World::new();
    let before = w.env.snapshot_files();
    let out = w.login(FORMS, "alice@acme.test", &["--credential-process"]);
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["Version"], 1);
    assert!(v["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert!(v["SecretAccessKey"].is_string() && v["SessionToken"].is_string());
    assert!(v["Expiration"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["AccountId"], ACCOUNT);
    // No credentials file: the only new file is the kept IdP session.
    let after: Vec<_> = w
        .env
        .snapshot_files()
        .into_iter()
        .filter(|(p, _)| !p.starts_with(w.env.home.path().join(".aws/sesame/saml")))
        .collect();
    assert_eq!(after, before);
    assert!(!w.credentials_path().exists());
}

#[test]
fn a_role_chosen_by_glob_among_several_is_the_one_sts_issues() {
    // The emulator's own STS takes multi-role assertions (moto does not) and checks the pair.
    let env = TestEnv::new();
    let url = format!("{}{FORMS}", env.url());
    let out = env
        .sesame()
        .args([
            "saml",
            "login",
            "--idp-url",
            &url,
            "--username",
            "erin@acme.test",
            "--role",
            "Read*",
        ])
        .args(["--region", "eu-west-1", "--duration", "900"])
        .env("AWS_ENDPOINT_URL_STS", format!("{}/sts", env.url()))
        .env("SESAME_SAML_PASSWORD", DEFAULT_PASSWORD)
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stderr(&out).contains("arn:aws:iam::111122223333:role/ReadOnly"),
        "{}",
        stderr(&out)
    );
    let key = saml_access_key(&env);
    assert_eq!(
        env.emulator.whoami(&key),
        Some(("111122223333".into(), "ReadOnly".into()))
    );
    let path = env.home.path().join(".aws/credentials");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("region = eu-west-1"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "a new credentials file is private");
    }
}

#[test]
fn password_and_role_picker_on_a_terminal() {
    let env = TestEnv::new();
    let url = format!("{}{FORMS}", env.url());
    let sesame = assert_cmd::cargo::cargo_bin("sesame");
    let argv = serde_json::json!([
        sesame,
        "saml",
        "login",
        "--idp-url",
        url,
        "--username",
        "erin@acme.test"
    ]);
    let script = serde_json::json!([
        [
            "Password for erin@acme.test",
            format!("{DEFAULT_PASSWORD}\r")
        ],
        ["Role to assume", "Admin\r"]
    ]);
    let out = env
        .on_terminal(&argv, &script)
        .env("AWS_ENDPOINT_URL_STS", format!("{}/sts", env.url()))
        .output()
        .unwrap();
    let screen = stdout(&out);
    assert!(out.status.success(), "{screen}\n{}", stderr(&out));
    assert!(
        !screen.contains(DEFAULT_PASSWORD),
        "the password was echoed:\n{screen}"
    );
    assert!(
        screen.contains("ReadOnly"),
        "the picker listed the roles:\n{screen}"
    );
    let key = saml_access_key(&env);
    assert_eq!(
        env.emulator.whoami(&key),
        Some((ACCOUNT.into(), "ADFS-Admin".into()))
    );
}

/// Ctrl-C in the role picker: nothing of the list is left on the screen (it was drawn on the
/// alternate screen, left before sesame says anything more), and the exit code is 130.
#[test]
fn ctrl_c_in_the_role_picker_leaves_the_screen_clean() {
    let env = TestEnv::new();
    let url = format!("{}{FORMS}", env.url());
    let sesame = assert_cmd::cargo::cargo_bin("sesame");
    let argv = serde_json::json!([
        sesame,
        "saml",
        "login",
        "--idp-url",
        url,
        "--username",
        "erin@acme.test"
    ]);
    let script = serde_json::json!([
        [
            "Password for erin@acme.test",
            format!("{DEFAULT_PASSWORD}\r")
        ],
        ["ReadOnly", "\u{3}"]
    ]);
    let out = env
        .on_terminal(&argv, &script)
        .env("AWS_ENDPOINT_URL_STS", format!("{}/sts", env.url()))
        .output()
        .unwrap();
    let screen = stdout(&out);
    assert_eq!(out.status.code(), Some(130), "{screen}");
    // The picker erases itself (cursor up over it, then erase to the end of the screen) before
    // the error: nothing of the list is drawn after that.
    let (picker, after) = screen
        .rsplit_once("\x1b[J")
        .unwrap_or_else(|| panic!("the picker was not erased:\n{screen:?}"));
    assert!(picker.contains("ReadOnly"), "{screen:?}");
    assert!(
        !after.contains("ADFS-"),
        "nothing of the list after the picker: {after:?}"
    );
    assert!(
        after.contains("error: nothing picked (Ctrl-C)"),
        "{after:?}"
    );
    assert!(!env.home.path().join(".aws/credentials").exists());
}

/// A mistyped one-time code on a terminal: the IdP's refusal is shown and the code asked for
/// again, and the second code signs in.
#[test]
fn a_wrong_one_time_code_is_asked_again_on_a_terminal() {
    let env = TestEnv::new();
    let url = format!("{}{FORMS}", env.url());
    let sesame = assert_cmd::cargo::cargo_bin("sesame");
    let argv = serde_json::json!([
        sesame,
        "saml",
        "login",
        "--idp-url",
        url,
        "--username",
        "bob@acme.test"
    ]);
    let script = serde_json::json!([
        [
            "Password for bob@acme.test",
            format!("{DEFAULT_PASSWORD}\r")
        ],
        ["Verification code", "000000\r"],
        ["The IdP refused the code", format!("{DEFAULT_MFA_CODE}\r")]
    ]);
    let out = env
        .on_terminal(&argv, &script)
        .env("AWS_ENDPOINT_URL_STS", format!("{}/sts", env.url()))
        .output()
        .unwrap();
    let screen = stdout(&out);
    assert!(out.status.success(), "{screen}");
    assert!(
        screen.contains("The IdP refused the code: The verification code is incorrect"),
        "{screen}"
    );
    let key = saml_access_key(&env);
    assert_eq!(
        env.emulator.whoami(&key),
        Some((ACCOUNT.into(), "ADFS-Ops".into()))
    );

    // Three wrong codes end the sign-in: one error, nothing written.
    let fresh = TestEnv::new();
    let url = format!("{}{FORMS}", fresh.url());
    let argv = serde_json::json!([
        sesame,
        "saml",
        "login",
        "--idp-url",
        url,
        "--username",
        "bob@acme.test"
    ]);
    let script = serde_json::json!([
        [
            "Password for bob@acme.test",
            format!("{DEFAULT_PASSWORD}\r")
        ],
        ["Verification code", "000000\r"],
        ["The IdP refused the code", "111111\r"],
        ["The IdP refused the code", "222222\r"]
    ]);
    let out = fresh.on_terminal(&argv, &script).output().unwrap();
    let screen = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{screen}");
    assert_eq!(
        screen.matches("The IdP refused the code:").count(),
        2,
        "{screen}"
    );
    assert!(
        screen.contains(
            "error: the IdP refused the one-time code: The verification code is incorrect"
        ),
        "{screen}"
    );
    assert!(!fresh.home.path().join(".aws/credentials").exists());
}

#[test]
fn the_idp_session_is_kept_so_the_next_login_skips_the_password() {
    let env = TestEnv::new();
    let url = format!("{}{FORMS}", env.url());
    let login = |password: Option<&str>, extra: &[&str]| {
        let mut cmd = env.sesame();
        cmd.args([
            "saml",
            "login",
            "--idp-url",
            &url,
            "--username",
            "bob@acme.test",
        ])
        .args(extra)
        .env("AWS_ENDPOINT_URL_STS", format!("{}/sts", env.url()));
        if let Some(p) = password {
            cmd.env("SESAME_SAML_PASSWORD", p)
                .env("SESAME_SAML_OTP", DEFAULT_MFA_CODE);
        }
        cmd.output().unwrap()
    };
    assert_success(&login(Some(DEFAULT_PASSWORD), &[]));
    let jars: Vec<_> = std::fs::read_dir(env.home.path().join(".aws/sesame/saml"))
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(jars.len(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            jars[0].metadata().unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let first = saml_access_key(&env);

    // No password and no one-time code this time: the IdP session carries the sign-in.
    let out = login(None, &[]);
    assert_success(&out);
    let second = saml_access_key(&env);
    assert_ne!(first, second, "fresh credentials");
    assert_eq!(
        env.emulator.whoami(&second),
        Some((ACCOUNT.into(), "ADFS-Ops".into()))
    );

    let before = env.snapshot_files();
    let out = login(None, &["--fresh"]);
    assert_clean_failure(&out, 1, "SESAME_SAML_PASSWORD");
    assert_eq!(
        env.snapshot_files(),
        before,
        "--fresh forgets the session only when it succeeds"
    );

    // Another user never rides on bob's IdP session: alice's sign-in asks for her password.
    let out = env
        .sesame()
        .args(["saml", "login", "--idp-url", &url])
        .args(["--username", "alice@acme.test"])
        .env("AWS_ENDPOINT_URL_STS", format!("{}/sts", env.url()))
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "SESAME_SAML_PASSWORD");
    assert_eq!(env.snapshot_files(), before);
}

/// Eight `saml login`s at once into one credentials file, each its own profile: the lock makes
/// each re-read what the others wrote, so no profile is lost and the user's bytes stay.
#[test]
fn parallel_saml_logins_into_one_file_lose_no_profile() {
    let w = std::sync::Arc::new(World::new());
    w.write_credentials(EXISTING);
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let w = w.clone();
            std::thread::spawn(move || {
                let profile = format!("p{i}");
                w.login(FORMS, "alice@acme.test", &["--profile", &profile])
            })
        })
        .collect();
    for t in threads {
        crate::common::assert_success(&t.join().unwrap());
    }
    let text = w.credentials();
    assert!(text.starts_with(EXISTING), "{text}");
    let doc = sesame::config::Document::parse(&text).unwrap();
    for i in 0..8 {
        let name = format!("p{i}");
        assert!(
            doc.sections().any(|s| s.name() == name),
            "profile {name} lost:\n{text}"
        );
    }
    assert_eq!(text.matches("aws_session_token").count(), 8, "{text}");
}

/// `saml login` killed with -9 at seeded moments: the credentials file is always whole (the
/// user's bytes first, 0600), and the next login works.
#[test]
fn saml_login_killed_at_any_moment_leaves_a_whole_credentials_file() {
    use std::os::unix::fs::PermissionsExt;
    let w = World::new();
    w.write_credentials(EXISTING);
    let url = format!("{}{FORMS}", w.env.url());
    let mut x: u64 = 15;
    for _ in 0..12 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let ms = (x >> 33) % 400;
        let mut cmd = crate::common::sesame_at(w.env.home.path(), &w.env.url());
        let none = w.env.home.path().join("no-krb5");
        let mut child = cmd
            .args([
                "saml",
                "login",
                "--idp-url",
                &url,
                "--username",
                "alice@acme.test",
            ])
            .env("AWS_ENDPOINT_URL_STS", &w.moto.url)
            .env("SESAME_SAML_PASSWORD", sesame_emulator::DEFAULT_PASSWORD)
            .env("KRB5_CONFIG", none.join("krb5.conf"))
            .env(
                "KRB5CCNAME",
                format!("FILE:{}", none.join("ccache").display()),
            )
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(ms));
        let _ = child.kill();
        child.wait().unwrap();
        let text = w.credentials();
        assert!(
            text.starts_with(EXISTING),
            "after a kill at {ms} ms:\n{text}"
        );
        sesame::config::Document::parse(&text).unwrap();
        let mode = std::fs::metadata(w.credentials_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let out = w.login(FORMS, "alice@acme.test", &[]);
    assert_saved(&w, &out, "ADFS-Dev", "alice@acme.test");
}

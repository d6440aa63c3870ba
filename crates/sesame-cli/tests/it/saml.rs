//! `sesame saml`: the emulator's AD FS (forms, MFA, Windows/NTLM) and Keycloak-like IdPs, moto's
//! server as STS, botocore reading the profile written, pysaml2 issuing a real signed assertion,
//! and bad input refused with nothing changed on disk.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use sesame_emulator::{DEFAULT_MFA_CODE, DEFAULT_PASSWORD};

use crate::support::{TestEnv, assert_clean_failure, assert_success, py_script, stderr, stdout};

/// moto's server on a free loopback port, stopped when dropped.
struct Moto {
    child: Child,
    url: String,
}

impl Moto {
    /// moto_server with `MOTO_ACCOUNT_ID` set, so GetCallerIdentity names the assumed role
    /// (PROTOCOLS §7).
    fn start(account: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .env("MOTO_ACCOUNT_ID", account)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let mut moto = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!(
                    "moto_server exited ({status}); is it installed? `pip install -r requirements-test.txt`"
                );
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not start in 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const ACCOUNT: &str = "123456789012";
const FORMS: &str = "/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices";
const WINDOWS: &str = "/adfs/ls/auth/integrated/?loginToRp=urn:amazon:webservices";
const KEYCLOAK: &str = "/realms/acme/protocol/saml/clients/amazon-aws";
/// A credentials file of the user's that must survive byte for byte.
const EXISTING: &str = "# my keys\n[default]\naws_access_key_id = AKIAEXISTING\naws_secret_access_key = keep-me\n\n[saml]\n# sesame writes here\nregion=eu-west-2\n";

struct World {
    env: TestEnv,
    moto: Moto,
}

impl World {
    fn new() -> Self {
        let env = TestEnv::new();
        let moto = Moto::start(ACCOUNT);
        Self { env, moto }
    }

    fn credentials_path(&self) -> PathBuf {
        self.env.home.path().join(".aws").join("credentials")
    }

    fn write_credentials(&self, text: &str) {
        let p = self.credentials_path();
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    }

    fn credentials(&self) -> String {
        std::fs::read_to_string(self.credentials_path()).unwrap_or_default()
    }

    /// `sesame saml ...` with moto as STS and the password in the environment.
    fn saml(&self, args: &[&str], password: &str) -> assert_cmd::Command {
        let mut cmd = self.env.sesame();
        cmd.arg("saml")
            .args(args)
            .env("AWS_ENDPOINT_URL_STS", &self.moto.url)
            .env("SESAME_SAML_PASSWORD", password);
        cmd
    }

    fn login(&self, path: &str, user: &str, extra: &[&str]) -> Output {
        let url = format!("{}{path}", self.env.url());
        let mut args = vec!["login", "--idp-url", &url, "--username", user];
        args.extend_from_slice(extra);
        self.saml(&args, DEFAULT_PASSWORD).output().unwrap()
    }

    /// botocore's GetCallerIdentity through the profile, against moto.
    fn whoami(&self, profile: &str) -> String {
        let out = Command::new("python3")
            .arg(py_script("saml_helper.py"))
            .args(["whoami", profile, &self.moto.url])
            .env_clear()
            .env("HOME", self.env.home.path())
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "boto3 failed (`pip install -r requirements-test.txt`):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout(&out).trim().to_owned()
    }
}

#[track_caller]
fn assert_saved(w: &World, out: &Output, role: &str, session: &str) {
    assert_success(out);
    let err = stderr(out);
    assert!(
        err.contains("profile `saml`") && err.contains("They expire at"),
        "{err}"
    );
    assert!(
        !err.contains(DEFAULT_PASSWORD),
        "the password leaked: {err}"
    );
    let text = w.credentials();
    // Every byte of the user's file is kept; the keys land after the [saml] section's own.
    assert!(text.starts_with(EXISTING), "{text}");
    assert!(
        text[EXISTING.len()..].starts_with("aws_access_key_id=ASIA"),
        "{text}"
    );
    assert_eq!(
        w.whoami("saml"),
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(w.credentials_path())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
}

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

/// A SAMLResponse issued and signed by pysaml2 (a real SAML library), as an IdP would post it.
fn pysaml2_response(role: &str, provider: &str, session: &str) -> String {
    let out = Command::new("python3")
        .arg(py_script("saml_helper.py"))
        .args(["pysaml2", role, provider, session])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "pysaml2 failed (`pip install -r requirements-test.txt`, `apt-get install xmlsec1`):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out).trim().to_owned()
}

#[test]
fn a_pysaml2_signed_assertion_is_read_and_assumed() {
    let w = World::new();
    w.write_credentials(EXISTING);
    let role = "arn:aws:iam::123456789012:role/PySaml";
    let provider = "arn:aws:iam::123456789012:saml-provider/pysaml2";
    let response = pysaml2_response(role, provider, "py-user");
    let xml = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(&response)
            .unwrap(),
    )
    .unwrap();
    assert!(xml.contains("SignatureValue"), "pysaml2 signed it");

    let file = w.env.home.path().join("response.b64");
    std::fs::write(&file, &response).unwrap();
    let out = w
        .saml(
            &[
                "roles",
                "--assertion-file",
                file.to_str().unwrap(),
                "-o",
                "text",
            ],
            "",
        )
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        format!("{ACCOUNT}\tPySaml\t{role}\t{provider}\n")
    );

    let out = w
        .saml(&["assume", "--assertion-file", "-"], "")
        .write_stdin(response)
        .output()
        .unwrap();
    assert_saved(&w, &out, "PySaml", "py-user");
}

#[test]
fn bad_assertions_fail_with_one_line_and_change_nothing() {
    let w = World::new();
    w.write_credentials(EXISTING);
    let before = w.env.snapshot_files();
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let good = pysaml2_response(
        "arn:aws:iam::123456789012:role/PySaml",
        "arn:aws:iam::123456789012:saml-provider/pysaml2",
        "py-user",
    );
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>"#;
    let mut laughs = String::from(r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">"#);
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        laughs.push_str(&format!(
            r#"<!ENTITY lol{i} "{}">"#,
            format!("&{prev};").repeat(10)
        ));
    }
    laughs.push_str("]><lolz>&lol9;</lolz>");
    let no_role = {
        let xml = String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(&good)
                .unwrap(),
        )
        .unwrap();
        b64(&xml.replace(
            "https://aws.amazon.com/SAML/Attributes/Role\"",
            "https://example.com/NotRole\"",
        ))
    };
    let cases: Vec<(String, &str)> = vec![
        (good[..good.len() / 2 + 1].to_owned(), "not valid base64"),
        (b64("this is not XML at all"), "not well-formed XML"),
        (b64(xxe), "DOCTYPE or ENTITY declaration"),
        (b64(&laughs), "DOCTYPE or ENTITY declaration"),
        (no_role, "grants no AWS role"),
        (String::new(), "the SAML response is empty"),
    ];
    for (input, needle) in cases {
        for command in ["assume", "roles"] {
            let out = w
                .saml(&[command, "--assertion-file", "-"], "")
                .write_stdin(input.clone())
                .output()
                .unwrap();
            assert_clean_failure(&out, 1, needle);
            assert!(stderr(&out).contains("hint: "), "{}", stderr(&out));
            assert!(out.stdout.is_empty());
        }
    }
    let out = w
        .saml(&["assume", "--assertion-file", "/nonexistent/file"], "")
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        1,
        "cannot read the SAML response from /nonexistent/file",
    );
    assert_eq!(w.env.snapshot_files(), before);
}

/// The `[saml]` profile's access key id.
fn saml_access_key(env: &TestEnv) -> String {
    let text = std::fs::read_to_string(env.home.path().join(".aws/credentials")).unwrap();
    let section = &text[text.find("[saml]").expect("a [saml] profile")..];
    let line = section
        .lines()
        .find(|l| l.starts_with("aws_access_key_id"))
        .unwrap();
    line.split('=').nth(1).unwrap().trim().to_owned()
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
    let out = Command::new("python3")
        .arg(py_script("pty_drive.py"))
        .args([argv.to_string(), script.to_string()])
        .env_clear()
        .env("HOME", env.home.path())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TERM", "xterm")
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

#[test]
fn an_sts_refusal_is_one_line_and_changes_nothing() {
    let env = TestEnv::new();
    let before = env.snapshot_files();
    // The emulator's STS trusts only its own IdP, as AWS trusts only the registered provider.
    let response = pysaml2_response(
        "arn:aws:iam::123456789012:role/PySaml",
        "arn:aws:iam::123456789012:saml-provider/pysaml2",
        "py-user",
    );
    let out = env
        .sesame()
        .args(["saml", "assume", "--assertion-file", "-"])
        .env("AWS_ENDPOINT_URL_STS", format!("{}/sts", env.url()))
        .write_stdin(response)
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        1,
        "AssumeRoleWithSAML failed with InvalidIdentityToken (HTTP 400)",
    );
    assert!(
        stderr(&out).contains("hint: AWS refused the assertion"),
        "{}",
        stderr(&out)
    );
    let out = env
        .sesame()
        .args(["saml", "assume", "--assertion-file", "-"])
        .env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9/sts")
        .write_stdin(pysaml2_response(
            "arn:aws:iam::123456789012:role/PySaml",
            "arn:aws:iam::123456789012:saml-provider/pysaml2",
            "py-user",
        ))
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "cannot reach STS at http://127.0.0.1:9/sts");
    assert_eq!(env.snapshot_files(), before);
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
}

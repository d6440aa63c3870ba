//! Certificates as botocore takes them: `AWS_CA_BUNDLE` and a profile's `ca_bundle` replace the
//! trusted roots; an untrusted certificate fails at once, not after retries.

use std::io::BufRead as _;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use crate::common::{TestEnv, assert_clean_failure, assert_success, py_script, stderr};

/// A TLS front (tests/support/tls_front.py) before the emulator, with a throwaway CA.
pub(crate) struct TlsFront {
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
}

impl TlsFront {
    pub(crate) fn before(env: &TestEnv) -> Self {
        let upstream = url::Url::parse(&env.url()).unwrap().port().unwrap();
        Self::spawn(&[&upstream.to_string()])
    }

    /// A vanity start URL's server: every request answered 302 to `location` (a HEAD with
    /// `head_status` instead, when given).
    pub(crate) fn redirecting(location: &str, head_status: Option<u16>) -> Self {
        let status = head_status.map(|s| s.to_string());
        let mut args = vec!["--redirect", location];
        if let Some(s) = &status {
            args.extend(["--head-status", s]);
        }
        Self::spawn(&args)
    }

    fn spawn(args: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("python3")
            .arg(py_script("tls_front.py"))
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs the TLS front");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("the TLS front prints its port");
        Self { child, dir, port }
    }

    /// `https://127.0.0.1:PORT`.
    pub(crate) fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// The CA that signed the front's certificate.
    pub(crate) fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A CA that signed nothing here.
    pub(crate) fn other_ca(&self) -> PathBuf {
        self.dir.path().join("other-ca.pem")
    }

    /// What clients sent through it, decrypted.
    pub(crate) fn traffic(&self) -> String {
        let bytes = std::fs::read(self.dir.path().join("traffic")).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// `METHOD PATH` of each request a redirecting front answered.
    pub(crate) fn requests(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("requests"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// TCP connections accepted so far (refused handshakes included).
    pub(crate) fn connections(&self) -> usize {
        std::fs::read_to_string(self.dir.path().join("connections"))
            .unwrap_or_default()
            .lines()
            .count()
    }
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `sesame ARGS` with both Identity Center endpoints at the TLS front.
fn sesame(env: &TestEnv, front: &TlsFront) -> assert_cmd::Command {
    let mut cmd = env.sesame();
    cmd.env("AWS_ENDPOINT_URL_SSO", front.url())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", front.url());
    cmd
}

#[test]
fn aws_ca_bundle_is_trusted_for_login_and_listing() {
    let env = TestEnv::new();
    let front = TlsFront::before(&env);
    let out = sesame(&env, &front)
        .env("AWS_CA_BUNDLE", front.ca())
        .args(["login", "--device-code"])
        .output()
        .unwrap();
    assert_success(&out);
    let out = sesame(&env, &front)
        .env("AWS_CA_BUNDLE", front.ca())
        .args(["roles", "-o", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &rows.as_array().unwrap()[0];

    // A `credential_process = sesame ...` profile, its bundle in the profile: the cold path
    // (GetRoleCredentials) trusts it too.
    let config = std::fs::read_to_string(env.config_path()).unwrap();
    env.write_config(&format!(
        "{config}[profile dev]\nsso_session = acme\nsso_account_id = {}\nsso_role_name = {}\nca_bundle = {}\n",
        first["accountId"].as_str().unwrap(),
        first["roleName"].as_str().unwrap(),
        front.ca().display()
    ));
    let out = sesame(&env, &front)
        .args(["credential-process", "--profile", "dev"])
        .output()
        .unwrap();
    assert_success(&out);
    let creds: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(creds["Version"], 1);
}

#[test]
fn a_profiles_ca_bundle_is_trusted() {
    let env = TestEnv::new();
    let front = TlsFront::before(&env);
    let config = std::fs::read_to_string(env.config_path()).unwrap();
    env.write_config(&format!(
        "{config}[default]\nca_bundle = {}\n",
        front.ca().display()
    ));
    let out = sesame(&env, &front)
        .args(["login", "--device-code"])
        .output()
        .unwrap();
    assert_success(&out);
}

#[test]
fn an_untrusted_certificate_fails_at_once_and_says_what_to_do() {
    let env = TestEnv::new();
    let front = TlsFront::before(&env);
    let out = sesame(&env, &front)
        .env("AWS_CA_BUNDLE", front.ca())
        .args(["login", "--device-code"])
        .output()
        .unwrap();
    assert_success(&out);
    let before = env.snapshot_files();
    let connections = front.connections();

    // No bundle: the platform's roots do not know the test CA.
    let out = sesame(&env, &front)
        .args(["roles", "--refresh"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "is not trusted");
    assert!(stderr(&out).contains("AWS_CA_BUNDLE"), "{}", stderr(&out));
    // One connection: a certificate error is final, never retried.
    assert_eq!(front.connections(), connections + 1);
    assert_eq!(env.snapshot_files(), before);
}

#[test]
fn the_bundle_replaces_the_roots_it_does_not_add_to_them() {
    let env = TestEnv::new();
    let front = TlsFront::before(&env);
    // SSL_CERT_FILE feeds the platform's roots: alone, the test CA is trusted through it...
    let out = sesame(&env, &front)
        .env("SSL_CERT_FILE", front.ca())
        .args(["login", "--device-code"])
        .output()
        .unwrap();
    assert_success(&out);
    // ...but a bundle replaces those roots, as urllib3 does for botocore.
    let out = sesame(&env, &front)
        .env("SSL_CERT_FILE", front.ca())
        .env("AWS_CA_BUNDLE", front.other_ca())
        .args(["login", "--device-code", "--force"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "is not trusted");
}

#[test]
fn a_ca_bundle_that_is_not_pem_is_one_error_line() {
    let env = TestEnv::new();
    let front = TlsFront::before(&env);
    let bad = env.home.path().join("ca.der");
    std::fs::write(&bad, b"\x30\x82\x03\x1e binary, not PEM").unwrap();
    let before = env.snapshot_files();
    let out = sesame(&env, &front)
        .env("AWS_CA_BUNDLE", &bad)
        .args(["login", "--device-code"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, &bad.display().to_string());
    assert!(
        stderr(&out).contains("no PEM certificate"),
        "{}",
        stderr(&out)
    );
    assert_eq!(front.connections(), 0);
    assert_eq!(env.snapshot_files(), before);
}

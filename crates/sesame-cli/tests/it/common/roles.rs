//! What the role-credential tests share: a logged-in HOME with SSO profiles, the cache entry's
//! path, botocore runs, `sesame` against any endpoint.

use std::path::PathBuf;
use std::process::Output;

use super::assert::assert_success;
use super::env::{SESSION, TestEnv, sha1_hex};

/// A logged-in world with `[profile dev]` (first account, first role, region eu-west-1).
pub(crate) struct RoleWorld {
    pub(crate) env: TestEnv,
    pub(crate) account: String,
    pub(crate) role: String,
}

impl RoleWorld {
    pub(crate) fn new() -> Self {
        Self::from_env(TestEnv::new())
    }

    pub(crate) fn from_env(env: TestEnv) -> Self {
        env.login();
        let account = env.emulator.account_ids()[0].clone();
        let role = env.emulator.roles_of(&account)[0].clone();
        let w = Self { env, account, role };
        w.add_profile(
            "dev",
            &w.account.clone(),
            &w.role.clone(),
            Some("eu-west-1"),
        );
        w
    }

    pub(crate) fn add_profile(&self, name: &str, account: &str, role: &str, region: Option<&str>) {
        let mut text = format!(
            "\n[profile {name}]\nsso_session = {SESSION}\nsso_account_id = {account}\nsso_role_name = {role}\n"
        );
        if let Some(r) = region {
            text.push_str(&format!("region = {r}\n"));
        }
        self.append_config(&text);
    }

    pub(crate) fn append_config(&self, text: &str) {
        self.env.append_config(text);
    }

    /// The AWS CLI v2 cache file of (account, role) under the session.
    pub(crate) fn cache_file(&self, account: &str, role: &str) -> PathBuf {
        Self::cache_path_in(self.env.home.path(), account, role)
    }

    /// The same, under any HOME.
    pub(crate) fn cache_path_in(home: &std::path::Path, account: &str, role: &str) -> PathBuf {
        let args =
            format!(r#"{{"accountId":"{account}","roleName":"{role}","sessionName":"{SESSION}"}}"#);
        home.join(".aws/cli/cache")
            .join(format!("{}.json", sha1_hex(&args)))
    }

    /// Rewrites the cached entry's `Expiration` to `minutes` from now (inside the 15-minute
    /// margin for anything under 15), keeping every other byte's meaning.
    pub(crate) fn age_entry(&self, account: &str, role: &str, minutes: i64) {
        let path = self.cache_file(account, role);
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let when = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(minutes);
        v["Credentials"]["Expiration"] = when.strftime("%Y-%m-%dT%H:%M:%SZ").to_string().into();
        std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    }

    pub(crate) fn grc(&self) -> u64 {
        self.env.emulator.stats().requests_for("GetRoleCredentials")
    }

    /// `sesame credential-process --profile NAME`, checked to succeed; its stdout as JSON.
    pub(crate) fn process(&self, profile: &str) -> serde_json::Value {
        let out = self
            .env
            .sesame()
            .args(["credential-process", "--profile", profile])
            .output()
            .unwrap();
        assert_success(&out);
        serde_json::from_slice(&out.stdout).expect("credential-process prints JSON")
    }
}

/// Runs `creds_interop.py COMMAND PROFILE` with the real botocore; its stdout as JSON.
pub(crate) fn botocore(env: &TestEnv, command: &str, profile: &str) -> serde_json::Value {
    let out = python(env, command, profile);
    assert!(
        out.status.success(),
        "botocore failed (is it installed? `pip install -r requirements-test.txt`):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

pub(crate) fn python(env: &TestEnv, command: &str, profile: &str) -> Output {
    env.python("creds_interop.py")
        .args([command, profile])
        .env("AWS_ENDPOINT_URL_SSO", env.url())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", env.url())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("python3 runs")
}

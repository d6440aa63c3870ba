//! The real botocore against sesame's files: a sesame login is a login for every boto3 program,
//! and a botocore-written cache is one sesame reads.

use sesame_emulator::EmulatorConfig;

use crate::common::{SESSION, TestEnv, assert_success, py_script};

fn python(env: &TestEnv, args: &[&str]) -> std::process::Output {
    let out = env
        .sso_command("python3")
        .arg(py_script("botocore_interop.py"))
        .args(args)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "python failed (is botocore installed? `pip install -r requirements-test.txt`):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn with_profile(env: &TestEnv, account: &str, role: &str) {
    env.append_config(&format!(
        "\n[profile dev]\nsso_session = {SESSION}\nsso_account_id = {account}\nsso_role_name = {role}\nregion = eu-west-1\n"
    ));
}

fn first_account_and_role(env: &TestEnv) -> (String, String) {
    let out = env
        .sesame()
        .args(["accounts", "-o", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let account = v[0]["accountId"].as_str().unwrap().to_owned();
    let roles = env.emulator.roles_of(&account);
    (account, roles[0].clone())
}

#[test]
fn botocore_resolves_credentials_from_a_sesame_login() {
    let env = TestEnv::builder().logged_in().build();
    let (account, role) = first_account_and_role(&env);
    with_profile(&env, &account, &role);
    let out = python(&env, &["creds", "dev"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["TokenRefreshed"], false);
    let key = v["AccessKeyId"].as_str().unwrap();
    assert_eq!(
        env.emulator.whoami(key),
        Some((account, role)),
        "credentials of the profile's account and role"
    );
}

#[test]
fn botocore_refreshes_a_sesame_token_near_expiry_and_sesame_reads_the_result() {
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: true,
        token_lifetime: std::time::Duration::from_secs(600),
        ..EmulatorConfig::default()
    });
    env.login();
    let (account, role) = {
        // Listing would refresh the token itself; take the ids from the emulator instead.
        let account = env.emulator.account_ids()[0].clone();
        let role = env.emulator.roles_of(&account)[0].clone();
        (account, role)
    };
    with_profile(&env, &account, &role);
    let before = env.token_json(SESSION);
    let out = python(&env, &["creds", "dev"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["TokenRefreshed"], true,
        "botocore refreshed sesame's token (10 min left < 15)"
    );
    let after = env.token_json(SESSION);
    assert_ne!(before["accessToken"], after["accessToken"]);
    assert_eq!(env.emulator.stats().refreshes, 1);
    // sesame reads botocore's rewrite (and refreshes again itself, being inside the window too).
    let out = env
        .sesame()
        .args(["accounts", "-o", "json"])
        .output()
        .unwrap();
    assert_success(&out);
}

#[test]
fn sesame_uses_a_token_that_botocore_wrote() {
    let env = TestEnv::new();
    let out = python(
        &env,
        &[
            "device-login",
            SESSION,
            &format!("{}/start", env.url()),
            "us-east-1",
        ],
    );
    let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    assert_eq!(std::path::PathBuf::from(&path), env.token_path(SESSION));
    let out = env
        .sesame()
        .args(["accounts", "-o", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 5);
    let out = env
        .sesame()
        .args(["status", "-o", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["loggedIn"], true);
}

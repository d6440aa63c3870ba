//! Bad input for the role-credential commands: one `error:` line, the right exit code, nothing
//! on stdout, no secret, nothing changed.

use crate::common::RoleWorld;
use crate::common::{SESSION, TestEnv, assert_clean_failure, assert_success, stderr, stdout};

fn fails(w: &RoleWorld, args: &[&str], code: i32, needle: &str) {
    let before = w.env.snapshot_files();
    let out = w.env.sesame().args(args).output().unwrap();
    assert_clean_failure(&out, code, needle);
    assert_eq!(stdout(&out), "", "nothing on stdout");
    assert!(stderr(&out).contains("hint:"), "{}", stderr(&out));
    assert_eq!(w.env.snapshot_files(), before, "nothing changed on disk");
}

#[test]
fn profiles_that_are_not_usable() {
    let w = RoleWorld::new();
    w.append_config(&format!(
        "\n[profile plain]\nregion = us-east-1\n\
         [profile half]\nsso_account_id = {}\n\
         [profile clash]\nsso_session = {SESSION}\nsso_region = eu-central-1\nsso_account_id = 1\nsso_role_name = R\n\
         [profile ghost]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n",
        w.account
    ));
    fails(
        &w,
        &["credential-process", "--profile", "nope"],
        1,
        "profile `nope` is not in",
    );
    fails(&w, &["creds", "plain"], 1, "profile `plain`");
    // A typo: the close names, not every profile.
    fails(&w, &["creds", "dve"], 1, "profile `dve` is not in");
    let out = w
        .env
        .sesame()
        .args(["exec", "Plain", "--", "true"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(err.contains("hint: did you mean `plain`?"), "{err}");
    assert!(!err.contains("ghost"), "only the close names: {err}");
    fails(
        &w,
        &["exec", "plain", "--", "true"],
        1,
        "profile `plain` has no credentials",
    );
    fails(
        &w,
        &["credential-process", "--profile", "half"],
        1,
        "missing required configuration: sso_role_name, sso_start_url, sso_region",
    );
    fails(
        &w,
        &["credential-process", "--profile", "clash"],
        1,
        "The value for sso_region is inconsistent between profile (eu-central-1) and sso-session (us-east-1).",
    );
    fails(
        &w,
        &["credential-process", "--profile", "ghost"],
        1,
        r#"The specified sso-session does not exist: "nope""#,
    );
    fails(&w, &["credential-process"], 2, "no profile given");
}

#[test]
fn unknown_accounts_and_roles() {
    let w = RoleWorld::new();
    fails(
        &w,
        &[
            "credential-process",
            "--account",
            &w.account,
            "--role",
            "NoSuchRole",
        ],
        1,
        "no access to role `NoSuchRole`",
    );
    // The hint names the roles the account has, and the right case of a name in the wrong one.
    let roles = w.env.emulator.roles_of(&w.account);
    let out = w
        .env
        .sesame()
        .args(["creds", "--account", &w.account, "--role", "NoSuchRole"])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(roles.iter().all(|r| err.contains(r.as_str())), "{err}");
    let lower = w.role.to_lowercase();
    assert_ne!(lower, w.role);
    fails(
        &w,
        &["creds", "--account", &w.account, "--role", &lower],
        1,
        &format!("no access to role `{lower}`"),
    );
    let out = w
        .env
        .sesame()
        .args(["creds", "--account", &w.account, "--role", &lower])
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains(&format!("did you mean `{}`?", w.role)),
        "{}",
        stderr(&out)
    );
    fails(
        &w,
        &["creds", "--account", "No Such Account", "--role", "x"],
        1,
        "no account named `No Such Account`",
    );
    fails(
        &w,
        &[
            "credential-process",
            "--account",
            "999999999999",
            "--role",
            &w.role,
        ],
        1,
        "no access",
    );
}

#[test]
fn no_login_or_an_expired_one_exits_3() {
    let env = TestEnv::new();
    let account = env.emulator.account_ids()[0].clone();
    let role = env.emulator.roles_of(&account)[0].clone();
    env.append_config(&format!("\n[profile dev]\nsso_session = {SESSION}\nsso_account_id = {account}\nsso_role_name = {role}\n"));
    let out = env
        .sesame()
        .args(["credential-process", "--profile", "dev"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 3, "no valid login for sso-session `acme`");
    assert!(
        stderr(&out).contains("hint: run `sesame login --sso-session acme`, or add --auto-login"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");

    // An expired token that cannot be refreshed.
    env.login();
    let path = env.token_path(SESSION);
    let mut t = env.token_json(SESSION);
    t["expiresAt"] = "2020-01-01T00:00:00Z".into();
    t.as_object_mut().unwrap().remove("refreshToken");
    std::fs::write(&path, t.to_string()).unwrap();
    for args in [
        &["credential-process", "--profile", "dev"][..],
        &["creds", "dev"],
        &["exec", "dev", "--", "true"],
    ] {
        let out = env.sesame().args(args).output().unwrap();
        assert_clean_failure(&out, 3, "expired");
        assert_eq!(stdout(&out), "");
    }

    // --auto-login: one login (device code, auto-approved here), prompts on stderr only when
    // there is no terminal to speak on.
    let out = env
        .sesame_without_terminal()
        .args(["credential-process", "--profile", "dev", "--auto-login"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is only the JSON");
    assert_eq!(
        env.emulator.whoami(v["AccessKeyId"].as_str().unwrap()),
        Some((account, role))
    );
    assert!(stderr(&out).contains("open this URL"), "{}", stderr(&out));
    assert_eq!(env.emulator.stats().device_authorizations, 2);
}

#[test]
fn a_corrupt_cache_entry_is_a_miss_and_is_replaced() {
    let w = RoleWorld::new();
    let path = w.cache_file(&w.account, &w.role);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        r#"{"ProviderType": "sso", "Credentials": {"SecretAccessKey": "s3cr3t-value""#,
    )
    .unwrap();
    let out = w
        .env
        .sesame()
        .args(["credential-process", "--profile", "dev"])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(!stderr(&out).contains("s3cr3t"), "{}", stderr(&out));
    assert_eq!(w.grc(), 1);
    let again = w.process("dev");
    let fixed: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(fixed["Credentials"]["AccessKeyId"], again["AccessKeyId"]);
    assert_eq!(w.grc(), 1);
}

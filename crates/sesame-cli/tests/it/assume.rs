//! Assume-role and web-identity profiles in `sesame api`, against moto checking every signature,
//! and their cache shared with real botocore (the AWS CLI's `JSONFileCache` on
//! `~/.aws/cli/cache`).

use std::os::unix::fs::PermissionsExt as _;

use crate::common::moto;
use crate::common::{TestEnv, assert_clean_failure, assert_success, sha1_hex, stderr, stdout};

const ROLE: &str = "arn:aws:iam::123456789012:role/Admin";

/// `sesame api` calling STS GetCallerIdentity on moto with `--profile profile`.
fn caller(env: &TestEnv, profile: &str) -> std::process::Output {
    let m = moto();
    env.sesame()
        .env("AWS_ENDPOINT_URL_STS", m.url())
        .args(["api", &format!("{}/", m.url()), "--profile", profile])
        .args(["--service", "sts", "--region", "us-east-1"])
        .args(["--param", "Action=GetCallerIdentity"])
        .args(["--param", "Version=2011-06-15"])
        .output()
        .unwrap()
}

/// The assumed-role ARN GetCallerIdentity answered.
fn arn_of(out: &std::process::Output) -> String {
    assert_success(out);
    let text = stdout(out);
    let start = text.find("<Arn>").expect("an Arn") + 5;
    let end = text.find("</Arn>").unwrap();
    text[start..end].to_owned()
}

/// Real botocore resolving `profile` as the AWS CLI does: (caller ARN, AssumeRole* calls made).
fn botocore(env: &TestEnv, profile: &str) -> (String, u64) {
    let out = env
        .python("assume_role_interop.py")
        .arg(profile)
        .env("AWS_ENDPOINT_URL", moto().url())
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "botocore failed (pip install -r requirements-test.txt?):\n{}",
        stderr(&out)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    (
        v["arn"].as_str().unwrap().to_owned(),
        v["assume_calls"].as_u64().unwrap(),
    )
}

/// A config whose `[profile NAME]` sections are the moto user's static keys, plus `extra`.
fn write_profiles(env: &TestEnv, key_profiles: &[&str], secret: &str, extra: &str) {
    let m = moto();
    let mut text = String::from("[default]\nregion = us-east-1\n");
    for p in key_profiles {
        text.push_str(&format!(
            "[profile {p}]\naws_access_key_id = {}\naws_secret_access_key = {secret}\n",
            m.s(&["user", "key"])
        ));
    }
    text.push_str(extra);
    env.write_config(&text);
}

fn cache_file(env: &TestEnv, args_json: &str) -> std::path::PathBuf {
    env.home
        .path()
        .join(".aws/cli/cache")
        .join(format!("{}.json", sha1_hex(args_json)))
}

#[test]
fn role_arn_from_static_keys_two_hops_external_id_and_environment_source() {
    let env = TestEnv::new();
    let m = moto();
    write_profiles(
        &env,
        &["base"],
        &m.s(&["user", "secret"]),
        &format!(
            "[profile one]\nrole_arn = {ROLE}\nsource_profile = base\nexternal_id = ext-1\nrole_session_name = hop1\nregion = us-east-1\n\
             [profile two]\nrole_arn = {ROLE}\nsource_profile = one\nrole_session_name = hop2\nduration_seconds = 1800\n\
             [profile fromenv]\nrole_arn = {ROLE}\ncredential_source = Environment\nrole_session_name = envhop\n"
        ),
    );
    let out = caller(&env, "one");
    assert_eq!(
        arn_of(&out),
        "arn:aws:sts::123456789012:assumed-role/Admin/hop1"
    );
    // botocore's key: sha1(json.dumps(args, sort_keys=True)); 0600 like every AWS CLI cache.
    let one = cache_file(
        &env,
        &format!(r#"{{"ExternalId": "ext-1", "RoleArn": "{ROLE}", "RoleSessionName": "hop1"}}"#),
    );
    let meta = std::fs::metadata(&one).expect("the AWS CLI's cache file for `one`");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let entry: serde_json::Value = serde_json::from_slice(&std::fs::read(&one).unwrap()).unwrap();
    assert_eq!(entry["Credentials"]["AccountId"], "123456789012");
    assert!(
        entry["Credentials"]["Expiration"]
            .as_str()
            .unwrap()
            .ends_with("UTC")
    );

    let out = caller(&env, "two");
    assert_eq!(
        arn_of(&out),
        "arn:aws:sts::123456789012:assumed-role/Admin/hop2"
    );
    assert!(
        cache_file(
            &env,
            &format!(
                r#"{{"DurationSeconds": 1800, "RoleArn": "{ROLE}", "RoleSessionName": "hop2"}}"#
            )
        )
        .is_file()
    );

    let out = env
        .sesame()
        .env("AWS_ENDPOINT_URL_STS", m.url())
        .env("AWS_ACCESS_KEY_ID", m.s(&["user", "key"]))
        .env("AWS_SECRET_ACCESS_KEY", m.s(&["user", "secret"]))
        .args(["api", &format!("{}/", m.url()), "--profile", "fromenv"])
        .args(["--service", "sts", "--region", "us-east-1"])
        .args(["--param", "Action=GetCallerIdentity"])
        .args(["--param", "Version=2011-06-15"])
        .output()
        .unwrap();
    assert_eq!(
        arn_of(&out),
        "arn:aws:sts::123456789012:assumed-role/Admin/envhop"
    );
}

#[test]
fn the_cache_is_shared_with_botocore_both_ways() {
    let env = TestEnv::new();
    let m = moto();
    let secret = m.s(&["user", "secret"]);
    let roles = format!(
        "[profile bysesame]\nrole_arn = {ROLE}\nsource_profile = base\nexternal_id = by-sesame\n\
         [profile bybotocore]\nrole_arn = {ROLE}\nsource_profile = base2\nexternal_id = by-botocore\n"
    );
    write_profiles(&env, &["base", "base2"], &secret, &roles);

    // sesame assumes (default session name, botocore's), botocore reuses it: no AssumeRole.
    let sesame_arn = arn_of(&caller(&env, "bysesame"));
    assert!(
        sesame_arn.starts_with("arn:aws:sts::123456789012:assumed-role/Admin/botocore-session-"),
        "{sesame_arn}"
    );
    assert!(
        cache_file(
            &env,
            &format!(r#"{{"ExternalId": "by-sesame", "RoleArn": "{ROLE}"}}"#)
        )
        .is_file()
    );
    assert_eq!(botocore(&env, "bysesame"), (sesame_arn, 0));

    // botocore assumes and caches; sesame reuses its entry: with the source key now wrong, a
    // new AssumeRole would fail moto's signature check.
    let (botocore_arn, calls) = botocore(&env, "bybotocore");
    assert_eq!(calls, 1);
    write_profiles(&env, &["base", "base2"], "not-the-secret", &roles);
    assert_eq!(arn_of(&caller(&env, "bybotocore")), botocore_arn);
    let out = caller(&env, "bysesame");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A profile whose entry does not exist needs STS, which the wrong key cannot pass.
    std::fs::remove_file(cache_file(
        &env,
        &format!(r#"{{"ExternalId": "by-botocore", "RoleArn": "{ROLE}"}}"#),
    ))
    .unwrap();
    assert_clean_failure(&caller(&env, "bybotocore"), 1, "SignatureDoesNotMatch");
}

#[test]
fn a_source_profile_cycle_and_unsupported_sources_are_one_error_line() {
    let env = TestEnv::new();
    write_profiles(
        &env,
        &[],
        "",
        &format!(
            "[profile a]\nrole_arn = {ROLE}\nsource_profile = b\n\
             [profile b]\nrole_arn = {ROLE}\nsource_profile = a\n\
             [profile ec2]\nrole_arn = {ROLE}\ncredential_source = Ec2InstanceMetadata\n\
             [profile both]\nrole_arn = {ROLE}\ncredential_source = Environment\nsource_profile = a\n"
        ),
    );
    let before = env.snapshot_files();
    assert_clean_failure(&caller(&env, "a"), 1, "a -> b -> a");
    assert_clean_failure(&caller(&env, "ec2"), 1, "Ec2InstanceMetadata");
    assert_clean_failure(
        &caller(&env, "both"),
        1,
        "both source_profile and credential_source",
    );
    assert_eq!(env.snapshot_files(), before);
}

#[test]
fn web_identity_with_a_token_file() {
    let env = TestEnv::new();
    let token = "eyJhbGciOiJub25lIn0.web-identity-token-SECRET.sig";
    let file = env.home.path().join("token");
    std::fs::write(&file, format!("{token}\n")).unwrap();
    write_profiles(
        &env,
        &[],
        "",
        &format!(
            "[profile wi]\nrole_arn = {ROLE}\nweb_identity_token_file = {}\nrole_session_name = wis\n",
            file.display()
        ),
    );
    let m = moto();
    let out = env
        .sesame()
        .env("AWS_ENDPOINT_URL_STS", m.url())
        .args(["-vvv", "api", &format!("{}/", m.url()), "--profile", "wi"])
        .args(["--service", "sts", "--region", "us-east-1"])
        .args(["--param", "Action=GetCallerIdentity"])
        .args(["--param", "Version=2011-06-15"])
        .output()
        .unwrap();
    assert_eq!(
        arn_of(&out),
        "arn:aws:sts::123456789012:assumed-role/Admin/wis"
    );
    assert!(!stderr(&out).contains("web-identity-token-SECRET"));
    // Without a profile, botocore's variables: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN.
    let out = env
        .sesame()
        .env("AWS_ENDPOINT_URL_STS", m.url())
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", &file)
        .env("AWS_ROLE_ARN", ROLE)
        .env("AWS_ROLE_SESSION_NAME", "fromvars")
        .args(["api", &format!("{}/", m.url())])
        .args(["--service", "sts", "--region", "us-east-1"])
        .args(["--param", "Action=GetCallerIdentity"])
        .args(["--param", "Version=2011-06-15"])
        .output()
        .unwrap();
    assert_eq!(
        arn_of(&out),
        "arn:aws:sts::123456789012:assumed-role/Admin/fromvars"
    );
    // botocore finds the entry sesame wrote.
    let (arn, calls) = botocore(&env, "wi");
    assert_eq!(
        (arn.as_str(), calls),
        ("arn:aws:sts::123456789012:assumed-role/Admin/wis", 0)
    );
}

#[test]
fn mfa_serial_without_a_terminal_is_a_clean_failure() {
    let env = TestEnv::new();
    let m = moto();
    write_profiles(
        &env,
        &["base"],
        &m.s(&["user", "secret"]),
        &format!(
            "[profile mfa]\nrole_arn = {ROLE}\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/tester\n"
        ),
    );
    let before = env.snapshot_files();
    let out = env
        .sesame_without_terminal()
        .env("AWS_ENDPOINT_URL_STS", m.url())
        .args(["api", &format!("{}/", m.url()), "--profile", "mfa"])
        .args(["--service", "sts", "--region", "us-east-1"])
        .args(["--param", "Action=GetCallerIdentity"])
        .args(["--param", "Version=2011-06-15"])
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        1,
        "needs an MFA code for arn:aws:iam::123456789012:mfa/tester",
    );
    assert!(stderr(&out).contains("hint:"));
    assert_eq!(env.snapshot_files(), before);
}

#[test]
fn mfa_serial_on_a_terminal_asks_for_the_code_without_echo() {
    let env = TestEnv::new();
    let m = moto();
    write_profiles(
        &env,
        &["base"],
        &m.s(&["user", "secret"]),
        &format!(
            "[profile mfa]\nrole_arn = {ROLE}\nsource_profile = base\nrole_session_name = withmfa\nmfa_serial = arn:aws:iam::123456789012:mfa/tester\n"
        ),
    );
    let url = format!("{}/", m.url());
    let argv = serde_json::json!([
        assert_cmd::cargo::cargo_bin("sesame").display().to_string(),
        "api",
        url,
        "--profile",
        "mfa",
        "--service",
        "sts",
        "--region",
        "us-east-1",
        "--param",
        "Action=GetCallerIdentity",
        "--param",
        "Version=2011-06-15"
    ]);
    let on_terminal = |code: &str| {
        let script = serde_json::json!([[
            "Enter MFA code for arn:aws:iam::123456789012:mfa/tester",
            format!("{code}\r")
        ]]);
        env.on_terminal(&argv, &script)
            .env("AWS_ENDPOINT_URL_STS", m.url())
            .output()
            .unwrap()
    };
    // moto (as STS) refuses a code that is not six digits: the typed code is what is sent.
    let out = on_terminal("12ab");
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("MultiFactorAuthentication failed"),
        "{}",
        stdout(&out)
    );
    let out = on_terminal("918273");
    let screen = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{screen}\n{}", stderr(&out));
    assert!(
        screen.contains("arn:aws:sts::123456789012:assumed-role/Admin/withmfa"),
        "{screen}"
    );
    assert!(!screen.contains("918273"), "the code was echoed:\n{screen}");
    // Cached under botocore's key, which names the serial but never the code.
    assert!(
        cache_file(
            &env,
            &format!(
                r#"{{"RoleArn": "{ROLE}", "RoleSessionName": "withmfa", "SerialNumber": "arn:aws:iam::123456789012:mfa/tester"}}"#
            )
        )
        .is_file()
    );
}

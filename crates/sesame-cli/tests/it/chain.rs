//! Every profile kind in every command that takes a profile (`creds`, `exec`,
//! `credential-process`, `console`): one resolver, checked against the real AWS CLI v2 (the
//! shared `~/.aws/cli/cache`), moto as STS and the emulator as Identity Center.

use std::os::unix::fs::PermissionsExt as _;
use std::process::Output;

use crate::common::{
    RoleWorld, assert_clean_failure, assert_success, aws_cli_v2, clean_command, moto, stderr,
    stdout,
};

const ROLE: &str = "arn:aws:iam::123456789012:role/Admin";

/// A logged-in world (`[profile dev]`, SSO) plus one profile of every other kind; moto's user
/// keys in `[profile keys]` (config) and `[saml]` (credentials file, as `sesame saml` writes).
fn mixed_world() -> RoleWorld {
    let w = RoleWorld::new();
    let m = moto();
    let (key, secret) = (m.s(&["user", "key"]), m.s(&["user", "secret"]));
    let token = w.env.home.path().join("wi-token");
    std::fs::write(&token, "eyJhbGciOiJub25lIn0.e30.sig\n").unwrap();
    let process = w.env.home.path().join("process.sh");
    std::fs::write(
        &process,
        format!(
            "#!/bin/sh\necho '{{\"Version\": 1, \"AccessKeyId\": \"{key}\", \"SecretAccessKey\": \"{secret}\"}}'\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&process, std::fs::Permissions::from_mode(0o755)).unwrap();
    w.append_config(&format!(
        "\n[profile keys]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\nregion = us-east-1\n\
         [profile role]\nrole_arn = {ROLE}\nsource_profile = keys\nrole_session_name = hop1\nregion = us-east-1\n\
         [profile chained]\nrole_arn = {ROLE}\nsource_profile = role\nrole_session_name = hop2\nexternal_id = ext-2\nduration_seconds = 1800\nregion = us-east-1\n\
         [profile fromsaml]\nrole_arn = {ROLE}\nsource_profile = saml\nrole_session_name = fromsaml\nregion = us-east-1\n\
         [profile envrole]\nrole_arn = {ROLE}\ncredential_source = Environment\nrole_session_name = envhop\nregion = us-east-1\n\
         [profile mfa]\nrole_arn = {ROLE}\nsource_profile = keys\nrole_session_name = withmfa\nmfa_serial = arn:aws:iam::123456789012:mfa/tester\nregion = us-east-1\n\
         [profile wi]\nrole_arn = {ROLE}\nweb_identity_token_file = {}\nrole_session_name = wis\nregion = us-east-1\n\
         [profile proc]\ncredential_process = {}\nregion = us-east-1\n",
        token.display(),
        process.display()
    ));
    std::fs::write(
        w.env.home.path().join(".aws/credentials"),
        format!("[saml]\naws_access_key_id = {key}\naws_secret_access_key = {secret}\n"),
    )
    .unwrap();
    w
}

/// `sesame ARGS` with moto as STS and moto's keys in the environment (for `envrole`).
fn sesame(w: &RoleWorld, args: &[&str]) -> Output {
    let m = moto();
    w.env
        .sesame()
        .env("AWS_ENDPOINT_URL_STS", m.url())
        .env("AWS_ENDPOINT_URL_SIGNIN", w.env.url())
        .env("AWS_ACCESS_KEY_ID", m.s(&["user", "key"]))
        .env("AWS_SECRET_ACCESS_KEY", m.s(&["user", "secret"]))
        .args(args)
        .output()
        .unwrap()
}

/// The real AWS CLI v2 in the same world.
fn aws(w: &RoleWorld, args: &[&str]) -> Output {
    let m = moto();
    clean_command(aws_cli_v2(), w.env.home.path())
        .args(args)
        .env("AWS_ENDPOINT_URL_STS", m.url())
        .env("AWS_ENDPOINT_URL_SSO", w.env.url())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", w.env.url())
        .env("AWS_ACCESS_KEY_ID", m.s(&["user", "key"]))
        .env("AWS_SECRET_ACCESS_KEY", m.s(&["user", "secret"]))
        .env("AWS_PAGER", "")
        .output()
        .unwrap()
}

fn json_of(out: &Output) -> serde_json::Value {
    assert_success(out);
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

#[test]
fn every_kind_gives_the_aws_cli_v2_the_same_keys() {
    let w = mixed_world();
    let temporary = ["dev", "role", "chained", "fromsaml", "envrole", "wi"];
    let long_term = ["keys", "saml", "proc"];
    for profile in temporary.iter().chain(&long_term) {
        let ours = json_of(&sesame(&w, &["creds", profile, "--format", "json"]));
        assert_eq!(ours["Version"], 1, "{profile}");
        let theirs = json_of(&aws(
            &w,
            &[
                "configure",
                "export-credentials",
                "--profile",
                profile,
                "--format",
                "process",
            ],
        ));
        assert_eq!(
            ours["AccessKeyId"], theirs["AccessKeyId"],
            "{profile}: sesame and the AWS CLI v2 disagree"
        );
        assert_eq!(
            ours["SecretAccessKey"], theirs["SecretAccessKey"],
            "{profile}"
        );
        if temporary.contains(profile) {
            assert_eq!(ours["SessionToken"], theirs["SessionToken"], "{profile}");
            assert!(ours["Expiration"].as_str().unwrap().ends_with('Z'));
        } else {
            // botocore's process shape for long-term keys: no token, no expiry.
            assert!(ours.get("SessionToken").is_none(), "{profile}: {ours}");
            assert!(ours.get("Expiration").is_none(), "{profile}: {ours}");
        }
    }
    // The other way: the CLI v2 assumes first, sesame reuses its cache entry.
    let w = mixed_world();
    let theirs = json_of(&aws(
        &w,
        &[
            "configure",
            "export-credentials",
            "--profile",
            "chained",
            "--format",
            "process",
        ],
    ));
    let ours = json_of(&sesame(&w, &["credential-process", "--profile", "chained"]));
    assert_eq!(ours["AccessKeyId"], theirs["AccessKeyId"]);
}

#[test]
fn an_assume_role_profile_with_a_cached_session_is_warm() {
    let w = mixed_world();
    let first = json_of(&sesame(&w, &["credential-process", "--profile", "chained"]));
    // STS unreachable now: the cached session is all the warm path reads.
    let out = w
        .env
        .sesame()
        .env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9/")
        .args(["credential-process", "--profile", "chained"])
        .output()
        .unwrap();
    assert_eq!(json_of(&out)["AccessKeyId"], first["AccessKeyId"]);
    // exec takes the same path; the child sees the keys and what it runs as.
    let out = w
        .env
        .sesame()
        .env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9/")
        .args(["exec", "chained", "--", "sh", "-c"])
        .arg("echo $AWS_ACCESS_KEY_ID $SESAME_PROFILE $AWS_REGION")
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(
        stdout(&out).trim(),
        format!(
            "{} chained us-east-1",
            first["AccessKeyId"].as_str().unwrap()
        )
    );
}

#[test]
fn mfa_code_from_the_flag_or_the_environment() {
    let w = mixed_world();
    let before = w.env.snapshot_files();
    let out = sesame(
        &w,
        &["creds", "mfa", "--format", "json", "--mfa-code", "12ab"],
    );
    assert_clean_failure(&out, 1, "profile `mfa`");
    assert!(stderr(&out).contains("MFA"), "{}", stderr(&out));
    assert_eq!(w.env.snapshot_files(), before, "nothing cached");
    let out = w
        .env
        .sesame()
        .env("AWS_ENDPOINT_URL_STS", moto().url())
        .env("SESAME_MFA_CODE", "123456")
        .args(["creds", "mfa", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        json_of(&out)["AccessKeyId"]
            .as_str()
            .unwrap()
            .starts_with("ASIA")
    );
}

#[test]
fn bad_profiles_are_one_error_line_and_change_nothing() {
    let w = mixed_world();
    w.append_config(&format!(
        "\n[profile loop1]\nrole_arn = {ROLE}\nsource_profile = loop2\n\
         [profile loop2]\nrole_arn = {ROLE}\nsource_profile = loop1\n\
         [profile orphan]\nrole_arn = {ROLE}\nsource_profile = gone\n\
         [profile twokinds]\nsso_session = acme\nsso_account_id = {}\nsso_role_name = {}\ncredential_process = /bin/false\n",
        w.account, w.role
    ));
    let cases: [(&str, &str); 3] = [
        ("loop1", "loop1 -> loop2 -> loop1"),
        ("orphan", "source_profile `gone`"),
        (
            "twokinds",
            "profile `twokinds` has two kinds of credentials",
        ),
    ];
    for (profile, needle) in cases {
        for args in [
            vec!["creds", profile, "--format", "json"],
            vec!["credential-process", "--profile", profile],
            vec!["exec", profile, "--", "true"],
            vec!["console", profile, "--print"],
        ] {
            let before = w.env.snapshot_files();
            let out = sesame(&w, &args);
            assert_clean_failure(&out, 1, needle);
            assert_eq!(stdout(&out), "", "{args:?}");
            assert_eq!(w.env.snapshot_files(), before, "{args:?} changed a file");
        }
    }
}

#[test]
fn exec_marks_its_child_and_refuses_to_nest_another_profile() {
    let w = mixed_world();
    let out = sesame(
        &w,
        &["exec", "keys", "--", "sh", "-c", "echo $SESAME_PROFILE"],
    );
    assert_success(&out);
    assert_eq!(stdout(&out).trim(), "keys");
    // Inside it: another profile is refused, the same one is fine, --allow-nested allows.
    let nested = |args: &[&str]| {
        w.env
            .sesame()
            .env("SESAME_PROFILE", "keys")
            .args(args)
            .output()
            .unwrap()
    };
    let out = nested(&["exec", "saml", "--", "true"]);
    assert_clean_failure(&out, 1, "already inside `sesame exec` of `keys`");
    assert!(stderr(&out).contains("--allow-nested"));
    assert_success(&nested(&["exec", "keys", "--", "true"]));
    let out = nested(&[
        "exec",
        "saml",
        "--allow-nested",
        "--",
        "sh",
        "-c",
        "echo $SESAME_PROFILE",
    ]);
    assert_success(&out);
    assert_eq!(stdout(&out).trim(), "saml");
}

#[test]
fn console_takes_temporary_credentials_of_any_kind_and_refuses_long_term_keys() {
    let w = mixed_world();
    // A credential_process profile whose program hands out the emulator's role credentials.
    let sesame_bin = assert_cmd::cargo::cargo_bin("sesame");
    w.append_config(&format!(
        "\n[profile viaproc]\ncredential_process = {} credential-process --profile dev\nregion = eu-west-1\n",
        sesame_bin.display()
    ));
    let out = sesame(&w, &["console", "viaproc", "--print"]);
    assert_success(&out);
    let url = stdout(&out);
    assert!(
        url.contains("Action=login") && url.contains("SigninToken="),
        "{url}"
    );
    let out = sesame(&w, &["console", "keys", "--print"]);
    assert_clean_failure(&out, 1, "long-term keys");
    assert_eq!(stdout(&out), "");
}

#[test]
fn credential_fetches_retry_throttles_server_faults_and_drops() {
    use sesame_emulator::FaultSettings;
    let w = mixed_world();
    // Every 3rd call a 429, every 4th a 500, every 7th dropped (at most four failures in a
    // row): half the fetches would fail without retries.
    w.env.emulator.set_faults(FaultSettings {
        every_429: 3,
        every_500: 4,
        every_drop: 7,
        ..FaultSettings::default()
    });
    let cache = w.cache_file(&w.account, &w.role);
    for args in [
        vec!["creds", "dev", "--format", "json"],
        vec!["credential-process", "--profile", "dev"],
        vec!["exec", "dev", "--", "true"],
        vec!["console", "dev", "--print"],
        vec!["creds", "dev", "--format", "json"],
        vec!["credential-process", "--profile", "dev"],
    ] {
        let _ = std::fs::remove_file(&cache);
        let out = sesame(&w, &args);
        assert_success(&out);
    }
    let stats = w.env.emulator.stats();
    let calls = stats.requests_for("GetRoleCredentials") + stats.requests_for("Federation");
    assert!(calls > 7, "the faults were retried: {calls} calls");
}

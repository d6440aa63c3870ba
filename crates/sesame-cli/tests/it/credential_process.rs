//! `sesame credential-process`: botocore's contract, the AWS CLI v2's role cache both ways, one
//! GetRoleCredentials for 200 callers, and a warm path that needs no network.

use std::process::Stdio;

use crate::common::{RoleWorld, botocore, sesame_at, sesame_bin};
use crate::common::{assert_clean_failure, assert_success, stderr, stdout};

#[test]
fn output_is_what_botocore_expects_and_is_the_profiles_role() {
    let w = RoleWorld::new();
    let out = w
        .env
        .sesame()
        .args(["credential-process", "--profile", "dev"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(stderr(&out), "", "nothing on stderr on success");
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 1, "one JSON line: {text}");
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "Version",
            "AccessKeyId",
            "SecretAccessKey",
            "SessionToken",
            "Expiration"
        ]
    );
    assert_eq!(
        v["Version"],
        serde_json::json!(1),
        "Version is the integer 1"
    );
    let expiration = v["Expiration"].as_str().unwrap();
    assert!(
        expiration.ends_with('Z') && expiration.parse::<jiff::Timestamp>().is_ok(),
        "{expiration}"
    );
    assert!(
        text.starts_with(r#"{"Version": 1, "AccessKeyId": ""#),
        "{text}"
    );

    // A credential_process profile, resolved by the real boto3, which runs sesame.
    w.append_config(&format!(
        "\n[profile proc]\ncredential_process = {} credential-process --profile dev\n",
        sesame_bin().display()
    ));
    let b = botocore(&w.env, "boto3-creds", "proc");
    assert_eq!(b["Method"], "custom-process");
    assert_eq!(b["HasToken"], true);
    assert_eq!(
        b["AccessKeyId"], v["AccessKeyId"],
        "the cached credentials, reused"
    );
    let key = b["AccessKeyId"].as_str().unwrap();
    assert_eq!(
        w.env.emulator.whoami(key),
        Some((w.account.clone(), w.role.clone()))
    );
    assert_eq!(w.grc(), 1);
}

#[test]
fn the_role_cache_is_the_aws_cli_v2s_both_ways() {
    let w = RoleWorld::new();
    // sesame writes, the AWS CLI v2's fetcher reads it without calling the portal.
    let v = w.process("dev");
    assert_eq!(w.grc(), 1);
    let path = w.cache_file(&w.account, &w.role);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let b = botocore(&w.env, "cli-v2-creds", "dev");
    assert_eq!(b["Method"], "sso");
    assert_eq!(b["AccessKeyId"], v["AccessKeyId"]);
    assert_eq!(w.grc(), 1, "botocore used sesame's cache entry");

    // botocore writes, sesame reuses its entry and leaves it as it is.
    let role2 = w.env.emulator.roles_of(&w.account)[1].clone();
    w.add_profile("dev2", &w.account.clone(), &role2, None);
    let b = botocore(&w.env, "cli-v2-creds", "dev2");
    assert_eq!(w.grc(), 2);
    let path2 = w.cache_file(&w.account, &role2);
    let written =
        std::fs::read(&path2).expect("botocore wrote the entry sesame computes the key of");
    let v = w.process("dev2");
    assert_eq!(v["AccessKeyId"], b["AccessKeyId"]);
    assert_eq!(w.grc(), 2, "sesame used botocore's entry");
    assert_eq!(std::fs::read(&path2).unwrap(), written);
}

fn run_parallel(w: &RoleWorld, n: usize) -> Vec<String> {
    let children: Vec<_> = (0..n)
        .map(|_| {
            w.env
                .sesame_std()
                .args(["credential-process", "--profile", "dev"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert_success(&out);
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            v["AccessKeyId"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn two_hundred_parallel_callers_make_one_get_role_credentials() {
    let w = RoleWorld::new();
    // No entry yet.
    let keys = run_parallel(&w, 200);
    assert_eq!(w.grc(), 1, "one call for 200 callers on a missing entry");
    assert!(keys.iter().all(|k| k == &keys[0]));
    // An entry inside the 15-minute margin counts as expired.
    w.age_entry(&w.account, &w.role, 5);
    let again = run_parallel(&w, 200);
    assert_eq!(w.grc(), 2, "one call for 200 callers on an expired entry");
    assert!(again.iter().all(|k| k == &again[0]));
    assert_ne!(again[0], keys[0]);
}

#[test]
fn two_hundred_parallel_callers_inside_the_token_refresh_window_make_one_refresh() {
    let w = RoleWorld::new();
    // The token expires in 5 minutes (inside the 15-minute window), no role entry yet: every
    // caller needs a refresh and a GetRoleCredentials; the locks make it one of each.
    let token = w.env.token_path(crate::common::SESSION);
    let mut v = w.env.token_json(crate::common::SESSION);
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(5);
    v["expiresAt"] = soon.strftime("%Y-%m-%dT%H:%M:%SZ").to_string().into();
    std::fs::write(&token, v.to_string()).unwrap();
    let before = w.env.emulator.stats();
    let keys = run_parallel(&w, 200);
    let after = w.env.emulator.stats();
    assert_eq!(
        after.refreshes - before.refreshes,
        1,
        "one refresh for 200 callers"
    );
    assert_eq!(w.grc(), 1, "one GetRoleCredentials for 200 callers");
    assert!(keys.iter().all(|k| k == &keys[0]));
    let refreshed = w.env.token_json(crate::common::SESSION);
    assert_ne!(refreshed["accessToken"], v["accessToken"]);
}

#[test]
fn the_warm_path_works_with_the_emulator_stopped() {
    let w = RoleWorld::new();
    let first = w.process("dev");
    let RoleWorld { env, account, role } = w;
    let crate::common::TestEnv { home, emulator } = env;
    let url = emulator.url();
    drop(emulator);

    let out = sesame_at(home.path(), &url)
        .args(["credential-process", "--profile", "dev"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, first);
    let out = sesame_at(home.path(), &url)
        .args(["credential-process", "--account", &account, "--role", &role])
        .output()
        .unwrap();
    assert_success(&out);
    let out = sesame_at(home.path(), &url)
        .args(["creds", "dev"])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(stdout(&out).contains(first["AccessKeyId"].as_str().unwrap()));
    let out = sesame_at(home.path(), &url)
        .args(["exec", "dev", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(stdout(&out).trim(), first["AccessKeyId"]);

    // Inside the margin it needs the portal, which is gone: one line, exit 1, nothing on stdout.
    let aged = RoleWorld::cache_path_in(home.path(), &account, &role);
    let mut e: serde_json::Value = serde_json::from_slice(&std::fs::read(&aged).unwrap()).unwrap();
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(5);
    e["Credentials"]["Expiration"] = soon.strftime("%Y-%m-%dT%H:%M:%SZ").to_string().into();
    std::fs::write(&aged, e.to_string()).unwrap();
    let out = sesame_at(home.path(), &url)
        .args(["credential-process", "--profile", "dev"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "cannot reach");
    assert_eq!(stdout(&out), "");
}

#[test]
fn legacy_profiles_share_the_start_url_keyed_entry_with_the_aws_cli() {
    let w = RoleWorld::new();
    let start = format!("{}/start", w.env.url());
    let out = w
        .env
        .sesame()
        .args([
            "login",
            "--start-url",
            &start,
            "--sso-region",
            "us-east-1",
            "--device-code",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    w.append_config(&format!(
        "\n[profile legacy]\nsso_start_url = {start}\nsso_region = us-east-1\nsso_account_id = {}\nsso_role_name = {}\n",
        w.account, w.role
    ));
    let v = w.process("legacy");
    assert_eq!(w.grc(), 1);
    let args = format!(
        r#"{{"accountId":"{}","roleName":"{}","startUrl":"{start}"}}"#,
        w.account, w.role
    );
    let path = w
        .env
        .home
        .path()
        .join(".aws/cli/cache")
        .join(format!("{}.json", crate::common::sha1_hex(&args)));
    assert!(path.is_file(), "the entry is keyed by start URL");
    let b = botocore(&w.env, "cli-v2-creds", "legacy");
    assert_eq!(b["AccessKeyId"], v["AccessKeyId"]);
    assert_eq!(w.grc(), 1, "botocore used sesame's legacy entry");
}

#[test]
fn an_auto_login_started_by_botocore_speaks_on_the_terminal() {
    // botocore captures a credential_process's stderr: a login prompt written there is never
    // seen. On a terminal, sesame writes it to the terminal instead.
    let w = RoleWorld::new();
    std::fs::remove_file(w.env.token_path(crate::common::SESSION)).unwrap();
    w.append_config(&format!(
        "\n[profile proc]\ncredential_process = {} credential-process --profile dev --auto-login\n",
        sesame_bin().display()
    ));
    let argv = serde_json::json!([
        "python3",
        crate::common::py_script("creds_interop.py"),
        "boto3-creds",
        "proc"
    ]);
    let out = w
        .env
        .on_terminal(&argv, &serde_json::json!([]))
        .env("AWS_ENDPOINT_URL_SSO", w.env.url())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", w.env.url())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_SSO_DISABLE_BROWSER", "1")
        .output()
        .unwrap();
    let terminal = stdout(&out);
    assert!(out.status.success(), "{terminal}\n{}", stderr(&out));
    assert!(
        terminal.contains("open this URL in a browser") && terminal.contains("the code: "),
        "the prompt reached the terminal: {terminal}"
    );
    let json = terminal
        .lines()
        .find(|l| l.trim_start().starts_with('{'))
        .expect("botocore's result on the terminal");
    let b: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(b["Method"], "custom-process");
    assert_eq!(
        w.env.emulator.whoami(b["AccessKeyId"].as_str().unwrap()),
        Some((w.account.clone(), w.role.clone()))
    );
}

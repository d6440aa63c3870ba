//! What `sesame run` targets and says about them: `--profile` refused where it would mean a
//! whole session (`--session-of` says that), each target's region, the question's overview,
//! the canary's results when its output went to a file, one target counted as one.

use std::process::Output;

use sesame_emulator::EmulatorConfig;

use crate::common::{SESSION, TestEnv, assert_clean_failure, assert_success, stderr, stdout};
use crate::run::world;

/// A profile of the session for the first account's first role, in `region`.
fn add_profile(env: &TestEnv, name: &str, region: &str) -> (String, String) {
    let account = env.emulator.account_ids()[0].clone();
    let role = env.emulator.roles_of(&account)[0].clone();
    env.append_config(&format!(
        "[profile {name}]\nsso_session = {SESSION}\nsso_account_id = {account}\nsso_role_name = {role}\nregion = {region}\n"
    ));
    (account, role)
}

#[test]
fn profile_is_refused_where_it_would_mean_every_account_of_its_session() {
    let env = world(3);
    add_profile(&env, "payments-production", "eu-west-3");
    let before = env.snapshot_files();
    for args in [
        &[
            "run",
            "--profile",
            "payments-production",
            "--yes",
            "--",
            "true",
        ][..],
        &["accounts", "--profile", "payments-production"],
        &["roles", "--profile", "payments-production"],
        &["populate", "--profile", "payments-production"],
        &["logout", "--profile", "payments-production"],
    ] {
        let out = env.sesame().args(args).output().unwrap();
        assert_clean_failure(&out, 1, "--profile payments-production names one account");
        assert!(
            stderr(&out).lines().any(|l| l.starts_with("hint: ")
                && l.contains("its session: --session-of payments-production")),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!(env.emulator.stats().role_credentials_issued, 0);
    assert!(before == env.snapshot_files(), "nothing changed on disk");

    // --session-of says it: every account and role of the profile's session.
    let out = env
        .sesame()
        .args(["run", "--session-of", "payments-production", "--yes", "--"])
        .args(["sh", "-c", "echo $SESAME_ACCOUNT_ID"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(stdout(&out).lines().count(), 3, "{}", stdout(&out));
    let out = env
        .sesame()
        .args(["roles", "--session-of", "payments-production", "-o", "text"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(stdout(&out).lines().count(), 3, "{}", stdout(&out));
}

/// `run -o jsonl -- sh -c 'echo $AWS_REGION'`: (account, role, region handed, region echoed).
fn regions(out: &Output) -> Vec<(String, String, String, String)> {
    stdout(out)
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            let s = |k: &str| v[k].as_str().unwrap_or_default().trim().to_owned();
            (s("accountId"), s("roleName"), s("region"), s("stdout"))
        })
        .collect()
}

#[test]
fn each_target_gets_its_profiles_region_else_the_sessions() {
    let env = world(4);
    let (account, role) = add_profile(&env, "first", "eu-west-3");
    let out = env
        .sesame()
        .args(["run", "--yes", "-o", "jsonl", "--", "sh", "-c"])
        .arg("echo $AWS_REGION")
        .output()
        .unwrap();
    assert_success(&out);
    let seen = regions(&out);
    assert_eq!(seen.len(), 4);
    for (a, r, region, echoed) in seen {
        let want = if (&a, &r) == (&account, &role) {
            "eu-west-3"
        } else {
            "us-east-1"
        };
        assert_eq!(region, want, "{a}/{r}");
        assert_eq!(echoed, want, "{a}/{r}: AWS_REGION in the child");
    }
    // The dry run shows the same.
    let out = env
        .sesame()
        .args(["run", "--dry-run", "-o", "table"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(
        stdout(&out).matches("eu-west-3").count(),
        1,
        "{}",
        stdout(&out)
    );
    assert_eq!(
        stdout(&out).matches("us-east-1").count(),
        3,
        "{}",
        stdout(&out)
    );
}

#[test]
fn one_target_is_one_target() {
    let env = world(1);
    let out = env.sesame().args(["run", "--dry-run"]).output().unwrap();
    assert_success(&out);
    assert!(
        stderr(&out).contains("1 target (dry run: nothing ran)"),
        "{}",
        stderr(&out)
    );
    let out = env
        .sesame()
        .args(["run", "--yes", "--", "true"])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stderr(&out).contains("1 ok, 0 failed of 1 target in"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_canarys_results_are_on_stderr_when_its_output_is_not_on_the_terminal() {
    let env = world(6);
    let out = env
        .sesame()
        .args(["run", "--canary", "2", "-o", "table", "--", "sh", "-c"])
        .arg(r#"test "$SESAME_ACCOUNT_ID" != 000000000000"#)
        .output()
        .unwrap();
    // Off a terminal without --yes: the canary runs, the rest does not, exit 1.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    let shown: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("canary: ok") || l.starts_with("canary: failed"))
        .collect();
    assert_eq!(shown.len(), 2, "each canary target's result:\n{err}");
    assert!(shown.iter().all(|l| l.contains("exit 0")), "{err}");
    assert!(err.contains("canary: 2 targets, 2 ok, 0 failed"), "{err}");
    assert!(
        err.contains("2 ok, 0 failed, 4 not run of 6 targets"),
        "{err}"
    );
}

/// Many accounts with two roles each, for the question's overview.
#[test]
fn the_question_shows_the_targets_by_role_and_region() {
    let env = TestEnv::builder()
        .emulator(EmulatorConfig {
            auto_approve: true,
            accounts: 4,
            roles_per_account: 2,
            ..EmulatorConfig::default()
        })
        .logged_in()
        .build();
    let mut argv = vec![assert_cmd::cargo::cargo_bin("sesame").display().to_string()];
    argv.extend(["run", "--", "true"].map(String::from));
    let out = env
        .on_terminal(
            &serde_json::json!(argv),
            &serde_json::json!([["in 8 targets? [y/N]", "n\r"]]),
        )
        .env("AWS_ENDPOINT_URL_SSO", env.url())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", env.url())
        .output()
        .unwrap();
    let screen = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{screen}");
    assert!(screen.contains("8 targets in 4 accounts:"), "{screen}");
    let mut roles: std::collections::BTreeMap<String, usize> = Default::default();
    for account in env.emulator.account_ids() {
        for role in env.emulator.roles_of(&account) {
            *roles.entry(role).or_default() += 1;
        }
    }
    for (role, n) in &roles {
        let counted = if *n == 1 {
            "1 target".to_owned()
        } else {
            format!("{n} targets")
        };
        assert!(
            screen.lines().any(|l| {
                l.split_whitespace().collect::<Vec<_>>()
                    == [
                        role.as_str(),
                        counted.split(' ').next().unwrap(),
                        counted.split(' ').nth(1).unwrap(),
                    ]
            }),
            "{role} counted {n}:\n{screen}"
        );
    }
    assert!(
        screen.lines().any(|l| l.trim_start().starts_with("us-east-1") && l.trim_end().ends_with("8 targets")),
        "{screen}"
    );
    assert!(screen.contains("nothing ran"), "{screen}");
}

//! `sesame exec`: credentials and region in the child's environment, never in its argv; its exit
//! code (or signal) is the result.

use crate::common::RoleWorld;
use crate::common::{assert_clean_failure, assert_success, stdout};

#[test]
fn the_child_gets_the_credentials_in_its_environment_only() {
    let w = RoleWorld::new();
    let v = w.process("dev");
    let key = v["AccessKeyId"].as_str().unwrap();
    let secret = v["SecretAccessKey"].as_str().unwrap();
    let out = w
        .env
        .sesame()
        .env("AWS_PROFILE", "dev")
        .args(["exec", "dev", "--", "sh", "-c"])
        .arg(
            "echo \"$AWS_ACCESS_KEY_ID|$AWS_REGION|$AWS_DEFAULT_REGION|$AWS_CREDENTIAL_EXPIRATION|${AWS_PROFILE-unset}\"; \
             test -n \"$AWS_SECRET_ACCESS_KEY\" && test -n \"$AWS_SESSION_TOKEN\" && echo secrets-set; \
             tr '\\0' ' ' < /proc/$$/cmdline; echo; tr '\\0' ' ' < /proc/$PPID/cmdline",
        )
        .output()
        .unwrap();
    assert_success(&out);
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        format!(
            "{key}|eu-west-1|eu-west-1|{}|unset",
            v["Expiration"].as_str().unwrap()
        )
    );
    assert_eq!(lines.next().unwrap(), "secrets-set");
    let rest: String = lines.collect::<Vec<_>>().join("\n");
    assert!(
        !rest.contains(key) && !rest.contains(secret),
        "no credential in any argv: {rest}"
    );
    assert_eq!(w.grc(), 1, "exec reused the cached credentials");
}

#[test]
fn exit_codes_and_signals_pass_through() {
    let w = RoleWorld::new();
    let out = w
        .env
        .sesame()
        .args(["exec", "dev", "--", "sh", "-c", "exit 7"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    let out = w
        .env
        .sesame()
        .args(["exec", "dev", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        let out = w
            .env
            .sesame()
            .args(["exec", "dev", "--", "sh", "-c", "kill -TERM $$"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.signal(),
            Some(15),
            "sesame is the child: the signal is its own"
        );
    }
    // An ad hoc role, on the cold path (no cache entry for it yet).
    let role2 = w.env.emulator.roles_of(&w.account)[1].clone();
    let out = w
        .env
        .sesame()
        .args([
            "exec",
            "--account",
            &w.account,
            "--role",
            &role2,
            "--",
            "sh",
            "-c",
            "echo $AWS_ACCESS_KEY_ID; exit 3",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let key = stdout(&out).trim().to_owned();
    assert_eq!(
        w.env.emulator.whoami(&key),
        Some((w.account.clone(), role2))
    );
}

#[test]
fn a_missing_or_unknown_command() {
    let w = RoleWorld::new();
    let before = w.env.snapshot_files();
    let out = w
        .env
        .sesame()
        .args(["exec", "dev", "--", "no-such-command-sesame"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 127, "`no-such-command-sesame` not found");
    let out = w.env.sesame().args(["exec", "dev"]).output().unwrap();
    assert_clean_failure(&out, 2, "no command to run");
    assert_eq!(w.env.snapshot_files(), before);
}

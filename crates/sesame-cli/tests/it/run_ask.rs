//! `sesame run`'s two questions on a terminal — before a sweep over more than five targets, and
//! after a `--canary N` batch — answered on a pseudo-terminal as a person would (pty_drive.py):
//! yes runs the rest, no runs nothing more, Ctrl-C at the question runs nothing more. Each test
//! waits for the question's text, so it fails if the question is not asked.

use std::path::Path;
use std::process::Output;

use crate::common::{TestEnv, stderr, stdout};
use crate::run::{marker, markers, world};

/// `sesame ARGS` on a pseudo-terminal, answering each `(text, answer)` in turn; what the
/// terminal showed is the output's stdout.
fn on_terminal(env: &TestEnv, args: &[String], script: serde_json::Value) -> Output {
    let mut argv = vec![assert_cmd::cargo::cargo_bin("sesame").display().to_string()];
    argv.extend(args.iter().cloned());
    env.on_terminal(&serde_json::json!(argv), &script)
        .env("AWS_ENDPOINT_URL_SSO", env.url())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", env.url())
        .output()
        .unwrap()
}

/// `run [extra] -- sh -c MARKER`: each target leaves a marker in `dir`.
fn run_args(dir: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["run"].iter().chain(extra).map(|s| s.to_string()).collect();
    args.extend(["--", "sh", "-c"].map(String::from));
    args.push(marker(dir, "echo ran"));
    args
}

/// Ctrl-C at the first question kills sesame by SIGINT (nothing is under way to clean up yet);
/// pty_drive.py then exits with Python's -2, which is 254.
fn killed_by_sigint(out: &Output) -> bool {
    matches!(out.status.code(), Some(254))
}

#[track_caller]
fn screen(out: &Output) -> String {
    let screen = stdout(out);
    assert!(
        !stderr(out).contains("never saw"),
        "the question was not asked:\n{screen}\n{}",
        stderr(out)
    );
    screen
}

const SWEEP_QUESTION: &str = "in 8 targets? [y/N]";

#[test]
fn a_sweep_over_more_than_five_targets_asks_and_yes_runs_them_all() {
    let env = world(8);
    let dir = tempfile::tempdir().unwrap();
    let out = on_terminal(
        &env,
        &run_args(dir.path(), &[]),
        serde_json::json!([[SWEEP_QUESTION, "y\r"]]),
    );
    let screen = screen(&out);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    assert_eq!(markers(dir.path()), 8);
    assert_eq!(env.emulator.stats().role_credentials_issued, 8);
    assert!(screen.contains("8 ok, 0 failed of 8 targets"), "{screen}");
}

#[test]
fn a_sweep_answered_no_or_ctrl_c_runs_nothing() {
    let env = world(8);
    for answer in ["n\r", "\u{3}"] {
        let dir = tempfile::tempdir().unwrap();
        let out = on_terminal(
            &env,
            &run_args(dir.path(), &[]),
            serde_json::json!([[SWEEP_QUESTION, answer]]),
        );
        let screen = screen(&out);
        if answer == "n\r" {
            assert_eq!(out.status.code(), Some(1), "{screen}");
            assert!(screen.contains("nothing ran"), "{screen}");
        } else {
            assert!(killed_by_sigint(&out), "{:?}: {screen}", out.status);
        }
        assert_eq!(markers(dir.path()), 0, "{answer:?}: nothing ran");
        assert_eq!(env.emulator.stats().role_credentials_issued, 0);
    }
}

#[test]
fn five_targets_or_fewer_run_without_a_question() {
    let env = world(5);
    let dir = tempfile::tempdir().unwrap();
    let out = on_terminal(&env, &run_args(dir.path(), &[]), serde_json::json!([]));
    let screen = screen(&out);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    assert!(!screen.contains("[y/N]"), "{screen}");
    assert_eq!(markers(dir.path()), 5);
}

const CANARY_QUESTION: &str = "The canary ran in 3 targets. Run in the other 7? [y/N]";

#[test]
fn after_a_canary_yes_runs_the_rest() {
    let env = world(10);
    let dir = tempfile::tempdir().unwrap();
    let out = on_terminal(
        &env,
        &run_args(dir.path(), &["--canary", "3"]),
        serde_json::json!([[CANARY_QUESTION, "y\r"]]),
    );
    let screen = screen(&out);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    assert!(
        screen.contains("canary: 3 targets, 3 ok, 0 failed"),
        "{screen}"
    );
    assert_eq!(markers(dir.path()), 10);
    assert_eq!(env.emulator.stats().role_credentials_issued, 10);
    assert!(screen.contains("10 ok, 0 failed of 10 targets"), "{screen}");
}

#[test]
fn after_a_canary_no_or_ctrl_c_runs_nothing_more() {
    let env = world(10);
    for answer in ["n\r", "\u{3}"] {
        let dir = tempfile::tempdir().unwrap();
        let out = on_terminal(
            &env,
            &run_args(dir.path(), &["--canary", "3"]),
            serde_json::json!([[CANARY_QUESTION, answer]]),
        );
        let screen = screen(&out);
        if answer == "n\r" {
            assert_eq!(out.status.code(), Some(1), "{screen}");
            assert!(
                screen.contains("3 ok, 0 failed, 7 not run of 10 targets"),
                "{screen}"
            );
        } else {
            assert_eq!(out.status.code(), Some(130), "{screen}");
            assert!(screen.contains("7 not run of 10 targets"), "{screen}");
            assert!(screen.contains("(interrupted)"), "{screen}");
        }
        assert_eq!(markers(dir.path()), 3, "{answer:?}: only the canary ran");
        // The same three canary targets each time: the second run reuses their cached keys.
        assert_eq!(env.emulator.stats().role_credentials_issued, 3);
    }
}

//! The picker (`sesame pick`, a bare `sesame`, `creds`/`exec`/`console` without a profile) on a
//! real pseudo-terminal (pty_drive.py): the choice's shell, exports and command have its
//! credentials and region; the recently used comes first; Esc leaves cleanly; off a terminal
//! nothing changes.

use std::process::Output;

use crate::common::{SESSION, TestEnv, assert_success, sesame_bin, stderr, stdout};
use crate::run::world;

/// The world: three accounts of one role, logged in, listed (a fresh listing cache), and one
/// profile `zebra-ops` for the first account's role in eu-west-3.
fn picking_world() -> (TestEnv, String, String) {
    let env = world(3);
    let account = env.emulator.account_ids()[0].clone();
    let role = env.emulator.roles_of(&account)[0].clone();
    env.append_config(&format!(
        "[profile zebra-ops]\nsso_session = {SESSION}\nsso_account_id = {account}\nsso_role_name = {role}\nregion = eu-west-3\n"
    ));
    assert_success(&env.sesame().arg("roles").output().unwrap());
    (env, account, role)
}

/// `sesame ARGS` on a pseudo-terminal with `SHELL=/bin/sh`, answering `script`.
fn on_terminal(env: &TestEnv, args: &[&str], script: serde_json::Value) -> Output {
    let mut argv = vec![sesame_bin().display().to_string()];
    argv.extend(args.iter().map(|s| s.to_string()));
    env.on_terminal(&serde_json::json!(argv), &script)
        .env("AWS_ENDPOINT_URL_SSO", env.url())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", env.url())
        .env("SHELL", "/bin/sh")
        .output()
        .unwrap()
}

const PICKER: &str = "Profile or role";
/// What sesame says as the shell starts.
const SHELL: &str = "`exit` returns";
const SAY: &str = "echo \"who=$SESAME_PROFILE region=$AWS_REGION key=$AWS_ACCESS_KEY_ID\"\r";

/// The `who=… region=… key=…` line the shell printed: (who, region, key).
fn said(screen: &str) -> (String, String, String) {
    let line = screen
        .lines()
        .filter(|l| !l.contains("echo"))
        .find_map(|l| l.find("who=").map(|at| &l[at..]))
        .unwrap_or_else(|| panic!("the shell did not answer:\n{screen}"));
    let mut words = line
        .split_whitespace()
        .map(|w| w.split_once('=').unwrap().1.to_owned());
    (
        words.next().unwrap(),
        words.next().unwrap(),
        words.next().unwrap_or_default(),
    )
}

#[test]
fn a_bare_sesame_picks_a_profile_and_its_shell_has_its_credentials_and_region() {
    let (env, account, role) = picking_world();
    let out = on_terminal(
        &env,
        &[],
        // The filter and Enter typed at once: the keys are read in order.
        serde_json::json!([[PICKER, "zebra\r"], [SHELL, SAY], ["who=", "exit\r"]]),
    );
    let screen = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    assert!(
        screen.contains("enter: a shell as it"),
        "what Enter does: {screen}"
    );
    let (who, region, key) = said(&screen);
    assert_eq!(
        (who.as_str(), region.as_str()),
        ("zebra-ops", "eu-west-3"),
        "{screen}"
    );
    assert_eq!(env.emulator.whoami(&key), Some((account, role)));
}

#[test]
fn a_listed_role_is_picked_and_comes_first_next_time() {
    let (env, _, _) = picking_world();
    let account = env.emulator.account_ids()[2].clone();
    let role = env.emulator.roles_of(&account)[0].clone();
    // Typing the account id picks that account's role (no profile names it).
    let out = on_terminal(
        &env,
        &["pick"],
        serde_json::json!([
            [PICKER, format!("{account}\r")],
            [SHELL, SAY],
            ["who=", "exit\r"]
        ]),
    );
    let screen = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    let (who, region, key) = said(&screen);
    assert_eq!(who, format!("{account}/{role}"), "{screen}");
    assert_eq!(region, "us-east-1", "the session's region: {screen}");
    assert_eq!(
        env.emulator.whoami(&key),
        Some((account.clone(), role.clone()))
    );

    let recent = env.home.path().join(".aws/sesame/recent.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&recent).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Enter at once takes the first: the one just used. --print prints its exports.
    let out = on_terminal(
        &env,
        &["pick", "--print"],
        serde_json::json!([[PICKER, "\r"]]),
    );
    let screen = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    let key = screen
        .lines()
        .find_map(|l| {
            l.split_once("export AWS_ACCESS_KEY_ID=")
                .map(|(_, key)| key.trim())
        })
        .unwrap_or_else(|| panic!("no exports:\n{screen}"));
    assert_eq!(
        env.emulator.whoami(key.trim_matches('\'')),
        Some((account, role))
    );
}

#[test]
fn exec_and_creds_without_a_profile_pick_on_a_terminal_and_not_off_it() {
    let (env, account, role) = picking_world();
    let out = on_terminal(
        &env,
        &[
            "exec",
            "--",
            "sh",
            "-c",
            "echo who=$SESAME_PROFILE region=$AWS_REGION key=$AWS_ACCESS_KEY_ID",
        ],
        serde_json::json!([[PICKER, "zebra\r"]]),
    );
    let screen = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    let (who, region, key) = said(&screen);
    assert_eq!((who.as_str(), region.as_str()), ("zebra-ops", "eu-west-3"));
    assert_eq!(env.emulator.whoami(&key), Some((account, role)));

    // Off a terminal: the same error as ever (a usage error: exit 2).
    for args in [
        &["exec", "--", "true"][..],
        &["creds"],
        &["console", "--print"],
    ] {
        let out = env.sesame().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("error: no profile given"),
            "{}",
            stderr(&out)
        );
    }
    let out = env.sesame().output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "a bare sesame off a terminal: usage"
    );
    assert!(stderr(&out).contains("Usage:"), "{}", stderr(&out));
}

#[test]
fn esc_or_ctrl_c_at_the_picker_runs_nothing_and_leaves_the_terminal_clean() {
    let (env, _, _) = picking_world();
    for key in ["\u{1b}", "\u{3}"] {
        let out = on_terminal(&env, &["pick"], serde_json::json!([[PICKER, key]]));
        let screen = stdout(&out);
        assert_eq!(out.status.code(), Some(130), "{key:?}: {screen}");
        assert!(screen.contains("error: nothing picked"), "{screen}");
        assert!(!screen.contains(SHELL), "no shell started: {screen}");
        // The cursor is shown again and the list is gone from under the prompt.
        assert!(screen.contains("\x1b[?25h"), "{screen:?}");
        // After the list was last drawn, it is erased (cleared to the end of the screen, or
        // line by line) before the error line.
        let list_end = screen.rfind("zebra-ops").unwrap();
        let tail = &screen[list_end..screen.rfind("error: nothing picked").unwrap()];
        assert!(
            tail.contains("\x1b[J")
                || tail.contains("\x1b[2K")
                || !tail.contains('\n') && tail.contains("\x1b[K"),
            "{key:?}: the list is erased: {tail:?}"
        );
    }
    assert_eq!(env.emulator.stats().role_credentials_issued, 0);
}

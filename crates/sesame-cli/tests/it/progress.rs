//! Progress of long calls: on a terminal a line on stderr with what is done, the calls, their
//! retries and rate, erased before the output; off a terminal, and with `-q`, not a byte of it.

use std::process::Output;
use std::time::Duration;

use sesame_emulator::{EmulatorConfig, FaultSettings};

use crate::common::{TestEnv, assert_success, stderr, stdout};

/// Slow enough (150 accounts at 16 in flight, 40 ms a call) that the line is drawn a few times.
fn slow_world() -> TestEnv {
    TestEnv::builder()
        .emulator(EmulatorConfig {
            auto_approve: true,
            accounts: 150,
            roles_per_account: 1,
            latency: Duration::from_millis(40),
            ..EmulatorConfig::default()
        })
        .logged_in()
        .build()
}

/// `sesame ARGS` on a pseudo-terminal; what the terminal showed is the output's stdout.
fn on_terminal(env: &TestEnv, args: &[&str]) -> Output {
    let mut argv = vec![assert_cmd::cargo::cargo_bin("sesame").display().to_string()];
    argv.extend(args.iter().map(|s| s.to_string()));
    env.on_terminal(&serde_json::json!(argv), &serde_json::json!([]))
        .env("AWS_ENDPOINT_URL_SSO", env.url())
        .env("AWS_ENDPOINT_URL_SSO_OIDC", env.url())
        .output()
        .unwrap()
}

/// The text of the last progress frame drawn, and what the terminal showed after it.
fn last_frame(screen: &str) -> Option<(&str, &str)> {
    let at = screen.rfind("listing: ")?;
    let line_end = screen[at..]
        .find(['\r', '\n'])
        .map_or(screen.len(), |i| at + i);
    Some((&screen[at..line_end], &screen[line_end..]))
}

#[test]
fn a_listing_on_a_terminal_shows_progress_and_erases_it() {
    let env = slow_world();
    // Every 20th call throttled: retries happen.
    env.emulator.set_faults(FaultSettings {
        every_429: 20,
        ..FaultSettings::default()
    });
    let out = on_terminal(&env, &["roles", "--refresh", "-o", "text"]);
    let screen = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    let (frame, after) = last_frame(&screen).unwrap_or_else(|| panic!("no progress:\n{screen}"));
    // `listing: 120/150 accounts, 171 calls, 6 retries, 95.2/s [1s]`
    let words: Vec<&str> = frame.split_whitespace().collect();
    assert_eq!(words[2], "accounts,", "{frame}");
    // Accounts listed of those found so far (the last frame may come before the last page).
    let (done, found) = words[1].split_once('/').expect("done/found");
    let (done, found): (u32, u32) = (done.parse().unwrap(), found.parse().unwrap());
    assert!(done <= found && found <= 150 && found > 0, "{frame}");
    assert_eq!(words[4], "calls,", "{frame}");
    assert_eq!(words[6], "retries,", "{frame}");
    assert!(words[7].ends_with("/s"), "{frame}");
    // The throttled calls show as retries on some frame.
    let retries = screen
        .split("listing: ")
        .skip(1)
        .filter_map(|f| {
            let words: Vec<&str> = f.split_whitespace().collect();
            (words.get(5) == Some(&"retries,")).then(|| words[4].parse::<u64>().ok())?
        })
        .max();
    assert!(retries.is_some_and(|n| n > 0), "retries counted: {screen}");
    // The line is erased (cursor to the line's start, line cleared) before the rows.
    let rows_at = after.find("\t").expect("the rows follow");
    assert!(
        after[..rows_at].contains("\x1b[2K") || after[..rows_at].contains("\x1b[K"),
        "the last frame is erased before the output: {:?}",
        &after[..rows_at.min(200)]
    );
    assert_eq!(
        screen.lines().filter(|l| l.contains('\t')).count(),
        150,
        "every row, none lost to the line"
    );
}

#[test]
fn quiet_or_off_a_terminal_there_is_no_progress() {
    let env = TestEnv::builder().accounts(150).logged_in().build();
    // Slow enough to be drawn, were it not for -q.
    let slow = slow_world();
    let out = on_terminal(&slow, &["roles", "--refresh", "-q", "-o", "text"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(last_frame(&stdout(&out)).is_none(), "{}", stdout(&out));

    for args in [
        &["roles", "--refresh", "-o", "text"][..],
        &["accounts", "--refresh"],
        &["populate", "--dry-run"],
    ] {
        let out = env.sesame().args(args).output().unwrap();
        assert_success(&out);
        let home = env.home.path().display().to_string();
        insta::assert_snapshot!(
            format!("progress_off_a_terminal_{}", args[0]),
            stderr(&out).replace(&home, "~")
        );
    }
}

//! The exit-code table a script can rely on (README.md "Exit codes"): each code produced by the
//! real binary, and each code the README documents is one this test or another produces.

use crate::common::{RoleWorld, TestEnv, assert_success};

/// The codes of the README's table, in order.
fn documented() -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    readme
        .lines()
        .skip_while(|l| *l != "## Exit codes")
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .filter(|code| code.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(str::to_owned)
        .collect()
}

#[test]
fn each_exit_code_means_one_thing() {
    let w = RoleWorld::new();
    let code = |args: &[&str]| -> i32 {
        let out = w.env.sesame().args(args).output().unwrap();
        out.status.code().expect("an exit code, not a signal")
    };
    // 0: success; every time flag reads `30m`, `5m`, `1h30m` as well as its plain number.
    assert_eq!(code(&["creds", "dev"]), 0);
    assert_eq!(code(&["creds", "dev", "--min-validity", "30m"]), 0);
    assert_eq!(code(&["creds", "dev", "--min-validity", "15"]), 0);
    assert_eq!(code(&["login", "--device-code", "--timeout", "5m"]), 0);
    assert_eq!(code(&["roles", "--max-age", "1h30m"]), 0);
    // 1: the command line was fine, the world was not (an unknown profile, an unknown account).
    assert_eq!(code(&["creds", "no-such-profile"]), 1);
    assert_eq!(
        code(&["creds", "--account", "no-such-account", "--role", "R"]),
        1
    );
    // 2: usage, from clap and from sesame's own checks alike.
    assert_eq!(code(&["roles", "--no-such-flag"]), 2);
    assert_eq!(code(&["creds", "dev", "--min-validity", "soon"]), 2);
    assert_eq!(code(&["exec", "dev"]), 2);
    assert_eq!(
        code(&["api", "https://sts.amazonaws.com/", "-o", "json"]),
        2
    );
    // 126, 127: exec's command cannot be run, or is not found (as a shell).
    let not_executable = w.env.home.path().join("script.sh");
    std::fs::write(&not_executable, "echo hi\n").unwrap();
    assert_eq!(
        code(&["exec", "dev", "--", not_executable.to_str().unwrap()]),
        126
    );
    assert_eq!(code(&["exec", "dev", "--", "no-such-command-sesame"]), 127);
    // exec: otherwise the command's own code.
    assert_eq!(code(&["exec", "dev", "--", "sh", "-c", "exit 42"]), 42);
    // 3: login required (after a logout).
    let out = w.env.sesame().args(["logout"]).output().unwrap();
    assert_success(&out);
    assert_eq!(code(&["creds", "dev"]), 3);
    let fresh = TestEnv::new();
    let out = fresh.sesame().args(["accounts"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3));

    // The README documents exactly these (130 and 128+N are pinned by run's and exec's tests).
    assert_eq!(
        documented(),
        ["0", "1", "2", "3", "126, 127", "128+N", "130"],
        "README.md's exit-code table"
    );
}

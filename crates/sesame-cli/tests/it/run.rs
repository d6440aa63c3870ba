//! `sesame run`: one command in every account, on the emulator with many accounts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::{Duration, Instant};

use sesame_emulator::EmulatorConfig;

use crate::common::{
    TestEnv, assert_clean_failure, assert_success, stderr, stdout, wait_for, wait_until,
};

/// An emulator with `accounts` accounts of one role each, logged in.
pub(crate) fn world(accounts: usize) -> TestEnv {
    TestEnv::builder()
        .emulator(EmulatorConfig {
            auto_approve: true,
            accounts,
            roles_per_account: 1,
            ..EmulatorConfig::default()
        })
        .logged_in()
        .build()
}

/// Every (account id, role) the emulator gives the user.
fn expected(env: &TestEnv) -> BTreeSet<(String, String)> {
    env.emulator
        .account_ids()
        .into_iter()
        .flat_map(|id| {
            env.emulator
                .roles_of(&id)
                .into_iter()
                .map(move |r| (id.clone(), r))
        })
        .collect()
}

/// Prints who the child is told it is and the access key it was given.
const WHO: &str = r#"echo "$SESAME_ACCOUNT_ID $SESAME_ROLE_NAME $AWS_ACCESS_KEY_ID $AWS_REGION""#;

/// Checks one `(id, role, key)` per target, each key issued for that account and role.
#[track_caller]
fn check_identities(env: &TestEnv, seen: Vec<(String, String, String)>) {
    let want = expected(env);
    assert_eq!(seen.len(), want.len(), "one result per target");
    let got: BTreeSet<(String, String)> = seen
        .iter()
        .map(|(a, r, _)| (a.clone(), r.clone()))
        .collect();
    assert_eq!(got, want);
    for (account, role, key) in &seen {
        assert_eq!(
            env.emulator.whoami(key),
            Some((account.clone(), role.clone())),
            "the credentials of {account}/{role} are that account's"
        );
    }
}

#[test]
fn a_command_runs_once_per_target_in_every_output_form() {
    let env = world(200);
    // Prefixed lines.
    let out = env
        .sesame()
        .args(["run", "--yes", "-j", "32", "--", "sh", "-c", WHO])
        .output()
        .unwrap();
    assert_success(&out);
    let mut seen = Vec::new();
    for line in stdout(&out).lines() {
        let (label, rest) = line.split_once("] ").expect("a prefixed line");
        let words: Vec<&str> = rest.split_whitespace().collect();
        assert_eq!(words.len(), 4, "{line}");
        // No --regions: each target in the session's region.
        assert_eq!(words[3], "us-east-1", "{line}");
        assert!(
            label.ends_with(&format!("/{}/us-east-1", words[1])),
            "{line}"
        );
        seen.push((words[0].into(), words[1].into(), words[2].into()));
    }
    check_identities(&env, seen);
    assert!(
        stderr(&out).contains("200 ok, 0 failed of 200 targets"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.emulator.stats().role_credentials_issued, 200);

    // JSON Lines, with regions: one object per target and region, AWS_REGION set.
    let out = env
        .sesame()
        .args([
            "run",
            "--yes",
            "-j",
            "32",
            "-o",
            "jsonl",
            "--regions",
            "eu-west-1,us-east-2",
        ])
        .args(["--", "sh", "-c", WHO])
        .output()
        .unwrap();
    assert_success(&out);
    let mut by_region: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
    for line in stdout(&out).lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        assert_eq!(v["exitCode"], 0);
        assert_eq!(v["ok"], true);
        let words: Vec<String> = v["stdout"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        assert_eq!(words.len(), 4, "{line}");
        assert_eq!(v["accountId"], words[0].as_str());
        assert_eq!(v["roleName"], words[1].as_str());
        assert_eq!(v["region"], words[3].as_str());
        by_region.entry(words[3].clone()).or_default().push((
            words[0].clone(),
            words[1].clone(),
            words[2].clone(),
        ));
    }
    assert_eq!(
        by_region.keys().collect::<Vec<_>>(),
        ["eu-west-1", "us-east-2"]
    );
    for (_, seen) in by_region {
        check_identities(&env, seen);
    }

    // A table: one row per target.
    let out = env
        .sesame()
        .args([
            "run", "--yes", "-j", "32", "-o", "table", "--", "sh", "-c", WHO,
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let text = stdout(&out);
    let rows: Vec<&str> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let mut seen = Vec::new();
    for row in &rows {
        let cells: Vec<&str> = row.split_whitespace().collect();
        let id = cells[0];
        // ... RESULT `exit 0`, SECONDS, then the output: id role key.
        let at = cells
            .iter()
            .rposition(|c| *c == id)
            .expect("the output cell");
        assert!(row.contains("exit 0"), "{row}");
        seen.push((id.into(), cells[at + 1].into(), cells[at + 2].into()));
    }
    check_identities(&env, seen);
    // Three sweeps, one GetRoleCredentials per target: the role cache served the others.
    assert_eq!(env.emulator.stats().role_credentials_issued, 200);
}

/// A command that fails in accounts whose id ends in 3.
const FAIL_SOME: &str = r#"case "$SESAME_ACCOUNT_ID" in *3) echo "boom $SESAME_ACCOUNT_ID" >&2; exit 3;; esac; echo "fine $SESAME_ACCOUNT_ID""#;

#[test]
fn failing_targets_do_not_stop_the_others() {
    let env = world(60);
    let ids = env.emulator.account_ids();
    let failing: BTreeSet<&String> = ids.iter().filter(|id| id.ends_with('3')).collect();
    assert!(!failing.is_empty() && failing.len() < ids.len());
    let out = env
        .sesame()
        .args(["run", "--yes", "-o", "jsonl", "--", "sh", "-c", FAIL_SOME])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let mut failed = BTreeSet::new();
    let mut ok = 0;
    for line in stdout(&out).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = v["accountId"].as_str().unwrap().to_owned();
        if v["exitCode"] == 3 {
            assert_eq!(v["ok"], false);
            assert_eq!(v["stderr"], format!("boom {id}\n"));
            failed.insert(id);
        } else {
            assert_eq!(v["exitCode"], 0);
            assert_eq!(v["stdout"], format!("fine {id}\n"));
            ok += 1;
        }
    }
    assert_eq!(failed.iter().collect::<BTreeSet<_>>(), failing);
    assert_eq!(ok + failed.len(), ids.len());
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "{ok} ok, {} failed of {} targets",
            failed.len(),
            ids.len()
        )),
        "{err}"
    );
    for id in &failed {
        assert!(err.contains(&format!("({id}) exit 3")), "{err}");
    }

    // Prefixed: the failures' stderr lines carry their target too.
    let out = env
        .sesame()
        .args(["run", "--yes", "--", "sh", "-c", FAIL_SOME])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for id in &failed {
        assert!(
            err.lines()
                .any(|l| l.starts_with('[') && l.ends_with(&format!("] boom {id}"))),
            "{err}"
        );
    }
    assert_eq!(stdout(&out).lines().count(), ok);
}

/// A command that leaves a marker file named after its account in `dir`.
pub(crate) fn marker(dir: &Path, then: &str) -> String {
    format!(r#"touch "{}/$SESAME_ACCOUNT_ID"; {then}"#, dir.display())
}

pub(crate) fn markers(dir: &Path) -> usize {
    std::fs::read_dir(dir).unwrap().count()
}

#[test]
fn fail_fast_starts_nothing_after_a_failure() {
    let env = world(20);
    let dir = tempfile::tempdir().unwrap();
    let out = env
        .sesame()
        .args(["run", "--yes", "--fail-fast", "-j", "1", "--", "sh", "-c"])
        .arg(marker(dir.path(), "exit 1"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(markers(dir.path()), 1);
    assert!(
        stderr(&out).contains("0 ok, 1 failed, 19 not run of 20 targets"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn dry_run_lists_the_targets_and_runs_nothing() {
    let env = world(30);
    let dir = tempfile::tempdir().unwrap();
    let out = env
        .sesame()
        .args([
            "run",
            "--dry-run",
            "-o",
            "jsonl",
            "--exclude",
            "*prod*",
            "--",
            "sh",
            "-c",
        ])
        .arg(marker(dir.path(), "true"))
        .output()
        .unwrap();
    assert_success(&out);
    let listed: BTreeSet<(String, String)> = stdout(&out)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            assert!(
                !v["accountName"]
                    .as_str()
                    .unwrap()
                    .to_lowercase()
                    .contains("prod")
            );
            (
                v["accountId"].as_str().unwrap().into(),
                v["roleName"].as_str().unwrap().into(),
            )
        })
        .collect();
    let want: BTreeSet<(String, String)> = expected(&env)
        .into_iter()
        .filter(|(id, _)| {
            !env.emulator
                .directory()
                .account(id)
                .unwrap()
                .account_name
                .to_lowercase()
                .contains("prod")
        })
        .collect();
    assert!(!want.is_empty() && want.len() < 30);
    assert_eq!(listed, want);
    assert_eq!(markers(dir.path()), 0);
    assert_eq!(env.emulator.stats().role_credentials_issued, 0);
}

#[test]
fn without_a_terminal_and_without_yes_it_refuses_and_runs_nothing() {
    let env = world(10);
    let dir = tempfile::tempdir().unwrap();
    let out = env
        .sesame()
        .args(["run", "--", "sh", "-c"])
        .arg(marker(dir.path(), "true"))
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "without --yes");
    assert_eq!(stdout(&out), "");
    assert_eq!(markers(dir.path()), 0);
    assert_eq!(env.emulator.stats().role_credentials_issued, 0);
}

#[test]
fn a_canary_runs_first_then_the_rest_with_yes_or_stops_without() {
    let env = world(12);
    let dir = tempfile::tempdir().unwrap();
    let out = env
        .sesame()
        .args(["run", "--canary", "3", "--", "sh", "-c"])
        .arg(marker(dir.path(), "echo hi"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(markers(dir.path()), 3);
    assert_eq!(stdout(&out).lines().count(), 3);
    let err = stderr(&out);
    assert!(
        err.contains("not running the other 9 targets without --yes"),
        "{err}"
    );
    assert!(
        err.contains("3 ok, 0 failed, 9 not run of 12 targets"),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let out = env
        .sesame()
        .args(["run", "--canary", "3", "--yes", "--", "sh", "-c"])
        .arg(marker(dir.path(), "echo hi"))
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(markers(dir.path()), 12);
    let err = stderr(&out);
    assert!(err.contains("canary: 3 targets, 3 ok, 0 failed"), "{err}");
    assert!(err.contains("12 ok, 0 failed of 12 targets"), "{err}");
}

/// Whether a process is gone (or a zombie waiting for its new parent to reap it).
fn gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn ctrl_c_ends_the_children_and_prints_the_summary() {
    let env = world(20);
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        r#"echo $$ > "{}/$SESAME_ACCOUNT_ID"; exec sleep 60"#,
        dir.path().display()
    );
    let child = env
        .sesame_std()
        .args(["run", "--yes", "-j", "4", "--", "sh", "-c", &script])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pids = wait_for("4 children to start", Duration::from_secs(30), || {
        let pids: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        (pids.len() == 4).then_some(pids)
    });
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("0 ok, 0 failed, 20 not run of 20 targets"),
        "{err}"
    );
    assert!(err.contains("(interrupted)"), "{err}");
    // No child left running.
    wait_until(
        &format!("the children {pids:?} to end"),
        Duration::from_secs(5),
        || pids.iter().all(|p| gone(p)),
    );
    assert_eq!(markers(dir.path()), 4, "no new target started after Ctrl-C");
}

#[test]
fn api_signs_one_request_per_target_with_its_credentials_and_region() {
    let env = world(25);
    let url = format!("{}/_emulator/caller", env.url());
    let out = env
        .sesame()
        .args([
            "run",
            "--yes",
            "--regions",
            "eu-west-1,us-east-2",
            "--api",
            &url,
        ])
        .args(["--service", "sts", "--target", "Caller.WhoAmI"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(&out)));
    let items = v.as_array().expect("a JSON array, one object per target");
    assert_eq!(items.len(), 50);
    let mut seen = BTreeSet::new();
    for item in items {
        assert_eq!(item["status"], 200, "{item}");
        assert_eq!(item["ok"], true);
        let body = &item["body"];
        assert_eq!(body["accountId"], item["accountId"], "{item}");
        assert_eq!(body["roleName"], item["roleName"], "{item}");
        assert_eq!(body["region"], item["region"], "{item}");
        assert_eq!(body["service"], "sts");
        seen.insert((
            body["accountId"].as_str().unwrap().to_owned(),
            body["roleName"].as_str().unwrap().to_owned(),
            body["region"].as_str().unwrap().to_owned(),
        ));
    }
    let want: BTreeSet<(String, String, String)> = expected(&env)
        .into_iter()
        .flat_map(|(a, r)| ["eu-west-1", "us-east-2"].map(|g| (a.clone(), r.clone(), g.to_owned())))
        .collect();
    assert_eq!(seen, want);
    assert!(
        stderr(&out).contains("50 ok, 0 failed of 50 targets"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_target_past_its_timeout_is_killed_and_counted_failed() {
    let env = world(3);
    let started = Instant::now();
    let out = env
        .sesame()
        .args([
            "run",
            "--yes",
            "--timeout",
            "1s",
            "-o",
            "jsonl",
            "--",
            "sh",
            "-c",
        ])
        .arg(r#"case "$SESAME_ACCOUNT_ID" in *) sleep 30;; esac"#)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "the sleeps were killed"
    );
    let lines: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    for v in &lines {
        assert_eq!(v["ok"], false);
        assert_eq!(v["error"], "timed out after 1s");
    }
    assert!(
        stderr(&out).contains("0 ok, 3 failed of 3 targets"),
        "{}",
        stderr(&out)
    );
}

/// SESAME_DEADLINE bounds `run` as a whole, children included: the targets running when it
/// passes are stopped (their process groups killed, as at `--timeout`), the rest are not
/// started, and the summary counts them; exit 1.
#[test]
fn the_deadline_stops_running_children_and_starts_no_more() {
    let env = world(6);
    let pids = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = env
        .sesame()
        .env("SESAME_DEADLINE", "4s")
        .env("PIDS", pids.path())
        .args([
            "run", "--yes", "--jobs", "2", "-o", "jsonl", "--", "sh", "-c",
        ])
        .arg(r#"sleep 30 & echo $! > "$PIDS/$SESAME_ACCOUNT_ID-$SESAME_ROLE_NAME"; wait"#)
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        took < Duration::from_secs(20),
        "cut at the deadline: {took:?}"
    );
    let rows: Vec<serde_json::Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "two were running: {}", stdout(&out));
    for row in &rows {
        assert_eq!(
            row["error"], "stopped: the deadline of 4s passed (SESAME_DEADLINE)",
            "{row}"
        );
    }
    let total = expected(&env).len();
    assert!(
        stderr(&out).contains(&format!(
            "0 ok, 2 failed, {} not run of {total} targets",
            total - 2
        )),
        "{}",
        stderr(&out)
    );
    // The children's own children went with their process groups.
    let started: Vec<_> = std::fs::read_dir(pids.path()).unwrap().collect();
    assert_eq!(started.len(), 2);
    for entry in started {
        let pid = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let proc = Path::new("/proc").join(pid.trim());
        crate::common::wait_until("the sleep killed", Duration::from_secs(5), || {
            !proc.exists()
        });
    }
}

#[test]
fn bad_input_fails_with_one_line_and_runs_nothing() {
    let env = world(5);
    let out = env.sesame().args(["run", "--yes"]).output().unwrap();
    assert_clean_failure(&out, 1, "nothing to run");
    let out = env
        .sesame()
        .args(["run", "--yes", "--role", "NoSuchRole*", "--", "true"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "no account and role matches");
    let out = env
        .sesame()
        .args(["run", "--yes", "--", "no-such-command-anywhere"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("command `no-such-command-anywhere` not found"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.emulator.stats().role_credentials_issued, 5);
}

#[test]
fn a_role_sweep_lists_no_roles_by_name_and_none_at_all_with_a_warm_cache() {
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: true,
        accounts: 40,
        roles_per_account: 3,
        ..EmulatorConfig::default()
    });
    env.login();
    let calls = |op: &str| env.emulator.stats().requests.get(op).copied().unwrap_or(0);
    let want: BTreeSet<String> = expected(&env)
        .into_iter()
        .filter(|(_, r)| r == "ReadOnlyAccess")
        .map(|(a, _)| a)
        .collect();
    assert!(!want.is_empty() && want.len() < 40);
    let sweep = || {
        let out = env
            .sesame()
            .args([
                "run",
                "--yes",
                "--role",
                "ReadOnlyAccess",
                "-o",
                "jsonl",
                "--",
                "true",
            ])
            .output()
            .unwrap();
        assert_success(&out);
        let got: BTreeSet<String> = stdout(&out)
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                assert_eq!(v["roleName"], "ReadOnlyAccess");
                v["accountId"].as_str().unwrap().to_owned()
            })
            .collect();
        assert_eq!(got, want);
        stderr(&out)
    };
    // An exact role name and a cold cache: no role listing; one GetRoleCredentials per account,
    // the accounts without the role skipped (not failed).
    let err = sweep();
    assert_eq!(calls("ListAccountRoles"), 0);
    assert_eq!(calls("GetRoleCredentials"), 40);
    assert!(
        err.contains(&format!(
            "{} ok, 0 failed, {} skipped (no such role) of 40 targets",
            want.len(),
            40 - want.len()
        )),
        "{err}"
    );
    // Once the roles are listed (and cached), a sweep makes no listing call and reuses the
    // cached role credentials.
    assert_success(&env.sesame().args(["roles"]).output().unwrap());
    let (roles, accounts) = (calls("ListAccountRoles"), calls("ListAccounts"));
    let issued = env.emulator.stats().role_credentials_issued;
    let err = sweep();
    assert!(
        err.contains(&format!(
            "{} ok, 0 failed of {} targets",
            want.len(),
            want.len()
        )),
        "{err}"
    );
    assert_eq!(calls("ListAccountRoles"), roles);
    assert_eq!(calls("ListAccounts"), accounts);
    assert_eq!(env.emulator.stats().role_credentials_issued, issued);
}

#[test]
fn without_a_login_it_says_so_and_runs_nothing() {
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: true,
        accounts: 3,
        ..EmulatorConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let before = env.snapshot_files();
    let out = env
        .sesame()
        .args(["run", "--yes", "--", "sh", "-c"])
        .arg(marker(dir.path(), "true"))
        .output()
        .unwrap();
    assert_clean_failure(&out, 3, "");
    assert!(stderr(&out).contains("hint:"), "{}", stderr(&out));
    assert_eq!(markers(dir.path()), 0);
    assert_eq!(env.snapshot_files(), before);
}

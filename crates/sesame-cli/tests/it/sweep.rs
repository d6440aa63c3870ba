//! Sweeps split across workers and resumed: `sesame run --shard`, `--tps`, `--results`,
//! `--resume`, on the emulator.

use std::collections::{BTreeMap, BTreeSet};

use sesame_emulator::EmulatorConfig;

use std::time::Duration;

use crate::common::{TestEnv, assert_clean_failure, assert_success, stderr, stdout, wait_until};
use crate::run::{marker, markers, world};

/// The (account id, role) pairs of a `--dry-run -o json` listing.
fn dry_run(env: &TestEnv, extra: &[&str], vars: &[(&str, &str)]) -> Vec<(String, String)> {
    let out = env
        .sesame()
        .args(["run", "--dry-run", "-o", "json"])
        .args(extra)
        .envs(vars.iter().copied())
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("a JSON array");
    v.as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["accountId"].as_str().unwrap().to_owned(),
                t["roleName"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn shards_cover_every_target_once_and_keep_an_account_together() {
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: true,
        accounts: 60,
        roles_per_account: 2,
        ..EmulatorConfig::default()
    });
    env.login();
    let all = dry_run(&env, &["--regions", "eu-west-1,us-east-1"], &[]);
    assert_eq!(all.len(), 60 * 2 * 2);
    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut owner: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    let mut sizes = Vec::new();
    for i in 0..4u32 {
        let shard = format!("{i}/4");
        let part = dry_run(
            &env,
            &["--shard", &shard, "--regions", "eu-west-1,us-east-1"],
            &[],
        );
        sizes.push(part.len());
        for (account, role) in part {
            owner.entry(account.clone()).or_default().insert(i);
            *seen.entry((account, role)).or_default() += 1;
        }
    }
    // Union: every target; disjoint: each exactly once (twice: its two regions).
    let want: BTreeSet<(String, String)> = all.iter().cloned().collect();
    assert_eq!(seen.keys().cloned().collect::<BTreeSet<_>>(), want);
    assert!(seen.values().all(|n| *n == 2), "{seen:?}");
    // An account's targets (roles, regions) are all in one shard.
    assert!(owner.values().all(|s| s.len() == 1), "{owner:?}");
    assert!(sizes.iter().all(|n| *n > 0), "{sizes:?}");

    // The same split with the engines' variables and `--shard auto`.
    let slurm = dry_run(
        &env,
        &["--shard", "auto"],
        &[
            ("SLURM_ARRAY_TASK_ID", "12"),
            ("SLURM_ARRAY_TASK_MIN", "10"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ],
    );
    let k8s = dry_run(
        &env,
        &["--shard", "auto"],
        &[("JOB_COMPLETION_INDEX", "2"), ("SESAME_SHARD_COUNT", "4")],
    );
    let batch = dry_run(
        &env,
        &["--shard", "auto"],
        &[
            ("AWS_BATCH_JOB_ARRAY_INDEX", "2"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "4"),
        ],
    );
    let manual = dry_run(&env, &["--shard", "2/4"], &[]);
    assert_eq!(slurm, manual);
    assert_eq!(k8s, manual);
    assert_eq!(batch, manual);

    // A shard runs its own targets only.
    let dir = tempfile::tempdir().unwrap();
    let out = env
        .sesame()
        .args(["run", "--yes", "--shard", "2/4", "--", "sh", "-c"])
        .arg(marker(dir.path(), "true"))
        .output()
        .unwrap();
    assert_success(&out);
    let ran: BTreeSet<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let planned: BTreeSet<String> = manual.iter().map(|(a, _)| a.clone()).collect();
    assert_eq!(ran, planned);
    assert!(
        stderr(&out).contains(&format!("{} ok, 0 failed", manual.len())),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_shards_fail_with_one_line_and_run_nothing() {
    let env = world(5);
    let dir = tempfile::tempdir().unwrap();
    for (shard, needle) in [
        ("4/4", "the index must be from 0 to 3"),
        ("1/0", "the count must be at least 1"),
        ("two/4", "expected INDEX/COUNT"),
        ("auto", "no shard index in the environment"),
    ] {
        let out = env
            .sesame()
            .args(["run", "--yes", "--shard", shard, "--", "sh", "-c"])
            .arg(marker(dir.path(), "true"))
            .output()
            .unwrap();
        assert_clean_failure(&out, 1, needle);
    }
    let out = env
        .sesame()
        .args(["run", "--yes", "--shard", "auto", "--", "true"])
        .env("JOB_COMPLETION_INDEX", "1")
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "not the count");
    let out = env
        .sesame()
        .args(["run", "--yes", "--tps", "0", "--", "true"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "--tps 0");
    assert_eq!(markers(dir.path()), 0);
    assert_eq!(env.emulator.stats().role_credentials_issued, 0);
}

#[test]
fn a_shard_keeps_to_its_part_of_the_budget() {
    // The service allows 10 calls a second; two shards of a 16/s budget ask 8/s each.
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: true,
        accounts: 60,
        roles_per_account: 1,
        tps: Some(10.0),
        ..EmulatorConfig::default()
    });
    env.login();
    let listed = dry_run(&env, &["--tps", "16", "--shard", "0/2"], &[]);
    assert!(listed.len() > 20, "{}", listed.len());
    let before = env.emulator.stats().throttled;
    let out = env
        .sesame()
        .args(["run", "--yes", "-j", "64", "--tps", "16", "--shard", "0/2"])
        .args(["--", "true"])
        .output()
        .unwrap();
    assert_success(&out);
    let stats = env.emulator.stats();
    assert_eq!(stats.role_credentials_issued as usize, listed.len());
    assert_eq!(stats.throttled, before, "paced under the service's rate");

    // Unpaced, the same shard's 64 calls in flight at once meet the throttle.
    let out = env
        .sesame()
        .args(["run", "--yes", "-j", "64", "--shard", "1/2", "--", "true"])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(env.emulator.stats().throttled > before);
}

/// The `ok` records of a results file, by account id (after checking its header).
fn succeeded(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: serde_json::Value = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header["format"], "sesame-sweep-results/1");
    lines
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["ok"] == true)
        .map(|v| v["accountId"].as_str().unwrap().to_owned())
        .collect()
}

/// Appends the account id to `$LOG`, then fails unless `$PASS` names a file that exists.
const LOGGED: &str =
    r#"echo "$SESAME_ACCOUNT_ID" >> "$LOG"; sleep "${NAP:-0}"; test -e "$DIR/$SESAME_ACCOUNT_ID""#;

fn logged(path: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn results_record_each_target_and_resume_runs_only_what_did_not_succeed() {
    let env = world(12);
    let ids: Vec<String> = env.emulator.account_ids();
    let work = tempfile::tempdir().unwrap();
    let pass = work.path().join("pass");
    std::fs::create_dir(&pass).unwrap();
    // Half the accounts succeed the first time.
    for id in ids.iter().step_by(2) {
        std::fs::write(pass.join(id), "").unwrap();
    }
    let results = work.path().join("results.jsonl");
    let run = |log: &str, extra: &[&str]| {
        env.sesame()
            .args(["run", "--yes", "-o", "jsonl"])
            .args(extra)
            .args(["--", "sh", "-c", LOGGED])
            .env("LOG", work.path().join(log))
            .env("DIR", &pass)
            .output()
            .unwrap()
    };
    let out = run("first.log", &["--results", results.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let first_ok: BTreeSet<String> = succeeded(&results).into_iter().collect();
    let want_first: BTreeSet<String> = ids.iter().step_by(2).cloned().collect();
    assert_eq!(first_ok, want_first);
    assert_eq!(logged(&work.path().join("first.log")).len(), 12);
    // One line per target after the header.
    assert_eq!(
        std::fs::read_to_string(&results).unwrap().lines().count(),
        13
    );

    // Resuming another sweep's file (another command) is refused, and nothing runs.
    let before = std::fs::read(&results).unwrap();
    let out = env
        .sesame()
        .args(["run", "--yes", "--resume", results.to_str().unwrap()])
        .args(["--", "sh", "-c", "true"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "holds the results of another sweep");
    let out = env
        .sesame()
        .args(["run", "--yes", "--account", &ids[0]])
        .args(["--resume", results.to_str().unwrap()])
        .args(["--", "sh", "-c", LOGGED])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "another sweep");
    assert_eq!(std::fs::read(&results).unwrap(), before);

    // Now every account would succeed: the resume runs the six that failed, and only them.
    for id in &ids {
        std::fs::write(pass.join(id), "").unwrap();
    }
    let out = run("second.log", &["--resume", results.to_str().unwrap()]);
    assert_success(&out);
    assert!(
        stderr(&out).contains("6 of 12 targets done, 6 to run"),
        "{}",
        stderr(&out)
    );
    let second = logged(&work.path().join("second.log"));
    let all: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(second, &all - &want_first);
    let mut ok = succeeded(&results);
    ok.sort();
    assert_eq!(
        ok,
        ids.iter()
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );

    // All done: a third resume runs nothing.
    let out = run("third.log", &["--resume", results.to_str().unwrap()]);
    assert_success(&out);
    assert!(logged(&work.path().join("third.log")).is_empty());
}

#[test]
fn a_killed_run_leaves_a_file_the_resume_finishes() {
    let env = world(16);
    let ids: BTreeSet<String> = env.emulator.account_ids().into_iter().collect();
    let work = tempfile::tempdir().unwrap();
    let pass = work.path().join("pass");
    std::fs::create_dir(&pass).unwrap();
    for id in &ids {
        std::fs::write(pass.join(id), "").unwrap();
    }
    let results = work.path().join("results.jsonl");
    let mut child = env
        .sesame_std()
        .args(["run", "--yes", "-j", "2", "-o", "jsonl"])
        .arg("--results")
        .arg(&results)
        .args(["--", "sh", "-c", LOGGED])
        .env("LOG", work.path().join("first.log"))
        .env("DIR", &pass)
        .env("NAP", "0.3")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed (no chance to clean up) once a few targets are recorded.
    wait_until("5 targets recorded", Duration::from_secs(60), || {
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        std::fs::read_to_string(&results)
            .map(|t| t.lines().count())
            .unwrap_or(0)
            >= 5
    });
    child.kill().unwrap();
    child.wait().unwrap();
    let done: BTreeSet<String> = succeeded(&results).into_iter().collect();
    assert!(done.len() >= 4 && done.len() < ids.len(), "{done:?}");

    let out = env
        .sesame()
        .args(["run", "--yes", "-o", "jsonl"])
        .arg("--resume")
        .arg(&results)
        .args(["--", "sh", "-c", LOGGED])
        .env("LOG", work.path().join("second.log"))
        .env("DIR", &pass)
        .output()
        .unwrap();
    assert_success(&out);
    // The rest ran, and nothing that had succeeded ran again.
    assert_eq!(logged(&work.path().join("second.log")), &ids - &done);
    let all: BTreeSet<String> = succeeded(&results).into_iter().collect();
    assert_eq!(all, ids);
}

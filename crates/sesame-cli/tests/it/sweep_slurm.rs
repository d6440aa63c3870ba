//! A sweep split by a real batch engine: a one-node Slurm cluster on loopback (Debian's
//! slurm-wlm, started by tests/support/slurm_cluster.sh in a scratch directory), an array job
//! whose tasks each run `sesame run --shard auto` against the emulator's organization.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crate::common::{TestEnv, py_script, sesame_bin, stderr, stdout, wait_until};
use crate::run::world;

const SHARDS: usize = 4;

/// The cluster, stopped when dropped.
struct Cluster {
    dir: tempfile::TempDir,
}

impl Cluster {
    fn start() -> Cluster {
        assert!(
            Path::new("/usr/sbin/slurmctld").exists() || which("slurmctld"),
            "slurmctld not found: install Debian's slurm-wlm (.ci/run does)"
        );
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("bash")
            .arg(py_script("slurm_cluster.sh"))
            .arg("start")
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "the Slurm cluster did not start:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Cluster { dir }
    }

    fn conf(&self) -> PathBuf {
        self.dir.path().join("slurm.conf")
    }

    /// A Slurm client command with the cluster's config.
    fn client(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.env("SLURM_CONF", self.conf());
        cmd
    }

    /// Whether job `id` (all its array tasks) has left the queue.
    fn gone(&self, id: &str) -> bool {
        let out = self
            .client("squeue")
            .args(["-h", "-j", id])
            .output()
            .unwrap();
        stdout(&out).trim().is_empty()
    }

    fn wait_gone(&self, id: &str) {
        wait_until(
            &format!("job {id} to finish"),
            Duration::from_secs(120),
            || self.gone(id),
        );
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(py_script("slurm_cluster.sh"))
            .arg("stop")
            .arg(self.dir.path())
            .output();
    }
}

fn which(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).exists()))
}

/// The array job: each task runs its shard, writing its results file, or resuming it when it
/// is there (what a resubmitted array does). Task 1 is slow (one target at a time, a second
/// each) so that it can be killed halfway.
const JOB: &str = r#"#!/bin/sh
f="$OUT/results-$SLURM_ARRAY_TASK_ID.jsonl"
if [ -s "$f" ]; then keep="--resume"; else keep="--results"; fi
jobs=8
if [ "$SLURM_ARRAY_TASK_ID" = 1 ] && [ "$PHASE" = first ]; then export NAP=1; jobs=1; fi
exec "$SESAME" run --shard auto --yes -j "$jobs" -o jsonl "$keep" "$f" -- \
  sh -c 'echo "$SESAME_ACCOUNT_ID" >> "$OUT/ran-$PHASE-$SLURM_ARRAY_TASK_ID"; sleep "${NAP:-0}"'
"#;

/// Submits the array job with sesame's test environment; its job id.
fn submit(cluster: &Cluster, env: &TestEnv, out: &Path, phase: &str) -> String {
    let script = out.join("job.sh");
    std::fs::write(&script, JOB).unwrap();
    let mut cmd = cluster.client("sbatch");
    // The environment every test's sesame gets (HOME, PATH, the emulator), exported to the job.
    for (k, v) in env.sesame_std().get_envs() {
        if let Some(v) = v {
            cmd.env(k, v);
        }
    }
    let sbatch: Output = cmd
        .env("SESAME", sesame_bin())
        .env("OUT", out)
        .env("PHASE", phase)
        .args(["--parsable", "--export=ALL", "--array"])
        .arg(format!("0-{}", SHARDS - 1))
        .arg("-o")
        .arg(out.join(format!("slurm-{phase}-%a.log")))
        .arg(&script)
        .output()
        .unwrap();
    assert!(sbatch.status.success(), "sbatch: {}", stderr(&sbatch));
    stdout(&sbatch).trim().split(';').next().unwrap().to_owned()
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The accounts a results file records as done.
fn done(path: &Path) -> BTreeSet<String> {
    lines(path)
        .iter()
        .skip(1)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["ok"] == true)
        .map(|v| v["accountId"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_slurm_array_covers_every_target_once_and_a_killed_shard_resumes() {
    let cluster = Cluster::start();
    let env = world(40);
    let accounts: BTreeSet<String> = env.emulator.account_ids().into_iter().collect();
    let out = tempfile::tempdir().unwrap();
    let out = out.path();

    // First submission: task 1 is killed once it has finished three targets.
    let job = submit(&cluster, &env, out, "first");
    let slow = out.join("results-1.jsonl");
    wait_until(
        "shard 1 to record three targets",
        Duration::from_secs(120),
        || lines(&slow).len() >= 4,
    );
    let cancel = cluster
        .client("scancel")
        .args(["--signal=KILL", &format!("{job}_1")])
        .output()
        .unwrap();
    assert!(cancel.status.success(), "scancel: {}", stderr(&cancel));
    cluster.wait_gone(&job);

    // Union and disjointness of what ran: every account once, in one shard only.
    let mut owner: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut before = BTreeMap::new();
    for i in 0..SHARDS {
        let file = out.join(format!("results-{i}.jsonl"));
        let header: serde_json::Value = serde_json::from_str(&lines(&file)[0]).unwrap();
        assert_eq!(header["shard"], format!("{i}/{SHARDS}"));
        let d = done(&file);
        for a in &d {
            owner.entry(a.clone()).or_default().push(i);
        }
        before.insert(i, d);
    }
    let killed = &before[&1];
    assert!(killed.len() >= 3, "{killed:?}");
    assert!(owner.values().all(|s| s.len() == 1), "{owner:?}");

    // Second submission (the same array, resuming): the finished shards run nothing, shard 1
    // runs what it had not finished.
    let job = submit(&cluster, &env, out, "second");
    cluster.wait_gone(&job);
    let mut union = BTreeSet::new();
    for i in 0..SHARDS {
        let file = out.join(format!("results-{i}.jsonl"));
        let d = done(&file);
        assert!(d.is_disjoint(&union), "shard {i} overlaps another");
        union.extend(d.iter().cloned());
        let ran: BTreeSet<String> = lines(&out.join(format!("ran-second-{i}")))
            .into_iter()
            .collect();
        let want: BTreeSet<String> = &d - &before[&i];
        assert_eq!(ran, want, "shard {i} ran only what it had not done");
        if i != 1 {
            assert!(ran.is_empty(), "shard {i} was done");
        }
    }
    assert_eq!(union, accounts, "every target of the organization once");
    assert!(
        !lines(&out.join("ran-second-1")).is_empty(),
        "the killed shard had work left"
    );
}

//! `sesame run --org --assume-role`: targets from AWS Organizations, a role assumed in each
//! account, on moto's server (organizations, IAM roles in the member accounts, STS; signatures
//! and IAM policies checked after seeding; tests/support/moto_org.py).

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

use crate::common::{
    Moto, assert_clean_failure, clean_command, py_script, sesame_bin, stderr, stdout,
};

struct World {
    moto: Moto,
    seed: Value,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let moto = Moto::org();
        let out = Command::new("python3")
            .arg(py_script("moto_org.py"))
            .args(["world", &moto.url])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "seeding failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let seed = serde_json::from_slice(&out.stdout).expect("the seed's JSON");
        World { moto, seed }
    })
}

impl World {
    /// `sesame` with a throwaway HOME, moto as every endpoint, and `user`'s keys in the
    /// environment (the caller's identity of the usual chain).
    fn sesame(&self, home: &std::path::Path, user: &str) -> Command {
        let key = &self.seed["keys"][user];
        let mut cmd = clean_command(sesame_bin(), home);
        cmd.env("AWS_ENDPOINT_URL", &self.moto.url)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", key["id"].as_str().unwrap())
            .env("AWS_SECRET_ACCESS_KEY", key["secret"].as_str().unwrap());
        cmd
    }

    fn account(&self, name: &str) -> String {
        self.seed["accounts"][name].as_str().unwrap().to_owned()
    }

    fn tree(&self, ou: &str) -> BTreeSet<String> {
        self.seed["trees"][ou]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }
}

/// The child: botocore's GetCallerIdentity with the credentials sesame put in its environment.
fn whoami(url: &str) -> String {
    format!(
        "import boto3, os; i = boto3.client('sts', region_name='us-east-1', endpoint_url='{url}')\
         .get_caller_identity(); print(i['Account'], i['Arn'], os.environ['AWS_ACCESS_KEY_ID'])"
    )
}

fn jsonl(out: &Output) -> Vec<Value> {
    stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn each_account_runs_with_its_own_assumed_role_and_one_without_it_fails_alone() {
    let w = world();
    let home = tempfile::tempdir().unwrap();
    let out = w
        .sesame(home.path(), "org-admin")
        .args([
            "run",
            "--org",
            "--assume-role",
            "Sweeper",
            "--yes",
            "-o",
            "jsonl",
        ])
        .args(["--role-session-name", "sweep-test", "--duration", "15m"])
        .args(["--", "python3", "-c", &whoami(&w.moto.url)])
        .output()
        .unwrap();
    // One account has no such role: the sweep fails (exit 1) but every other account ran.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let rows = jsonl(&out);
    let active = w.tree("root");
    assert_eq!(rows.len(), active.len(), "one result per ACTIVE account");
    let no_role = w.account("in-a-no-role");
    let mut keys = BTreeSet::new();
    let mut seen = BTreeMap::new();
    for row in &rows {
        let id = row["accountId"].as_str().unwrap().to_owned();
        if id == no_role {
            assert_eq!(row["ok"], false);
            let error = row["error"].as_str().unwrap();
            assert!(
                error.contains("AccessDenied")
                    && error.contains(&format!("arn:aws:iam::{no_role}:role/Sweeper")),
                "{error}"
            );
            continue;
        }
        assert_eq!(row["ok"], true, "{row}");
        let words: Vec<&str> = row["stdout"].as_str().unwrap().split_whitespace().collect();
        // STS says the child is the role in that account, with the session name asked for.
        assert_eq!(words[0], id, "{row}");
        assert_eq!(
            words[1],
            format!("arn:aws:sts::{id}:assumed-role/Sweeper/sweep-test")
        );
        keys.insert(words[2].to_owned());
        seen.insert(id, words[2].to_owned());
    }
    assert_eq!(keys.len(), active.len() - 1, "distinct keys per account");
    let mut want = active.clone();
    want.remove(&no_role);
    assert_eq!(seen.keys().cloned().collect::<BTreeSet<_>>(), want);
    assert!(
        stderr(&out).contains(&format!("{} ok, 1 failed", active.len() - 1)),
        "{}",
        stderr(&out)
    );
    assert!(!active.contains(&w.account("closed")));
}

#[test]
fn an_ou_subtree_is_exactly_its_accounts() {
    let w = world();
    let home = tempfile::tempdir().unwrap();
    let ou_a = w.seed["ous"]["A"].as_str().unwrap();
    let listed = |extra: &[&str]| -> BTreeSet<String> {
        let out = w
            .sesame(home.path(), "org-admin")
            .args(["run", "--org", "--assume-role", "Sweeper", "--dry-run"])
            .args(["-o", "json", "--ou", ou_a])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| t["accountId"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(listed(&["--ou-recursive"]), w.tree("A"));
    // Without --ou-recursive: only the accounts directly in A (not A1's).
    let mut direct = w.tree("A");
    for id in w.tree("A1") {
        direct.remove(&id);
    }
    assert_eq!(listed(&[]), direct);
}

#[test]
fn a_caller_that_cannot_list_the_organization_fails_with_one_line_and_runs_nothing() {
    let w = world();
    let home = tempfile::tempdir().unwrap();
    let marker = home.path().join("ran");
    let out = w
        .sesame(home.path(), "no-rights")
        .args(["run", "--org", "--assume-role", "Sweeper", "--yes", "--"])
        .args(["touch", marker.to_str().unwrap()])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "access denied");
    assert!(!marker.exists());
}

#[test]
fn an_accounts_regions_share_one_assumed_role() {
    let w = world();
    let home = tempfile::tempdir().unwrap();
    let ou_a = w.seed["ous"]["A"].as_str().unwrap();
    let out = w
        .sesame(home.path(), "org-admin")
        .args([
            "run",
            "--org",
            "--assume-role",
            "Sweeper",
            "--yes",
            "-o",
            "jsonl",
        ])
        .args([
            "--ou",
            ou_a,
            "--ou-recursive",
            "--regions",
            "eu-west-1,us-east-2",
        ])
        .args(["--", "sh", "-c", r#"echo "$AWS_ACCESS_KEY_ID $AWS_REGION""#])
        .output()
        .unwrap();
    let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut regions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in jsonl(&out) {
        if row["ok"] != true {
            continue;
        }
        let id = row["accountId"].as_str().unwrap().to_owned();
        let words: Vec<String> = row["stdout"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        assert_eq!(row["region"], words[1].as_str());
        keys.entry(id.clone()).or_default().insert(words[0].clone());
        regions.entry(id).or_default().insert(words[1].clone());
    }
    let mut want = w.tree("A");
    want.remove(&w.account("in-a-no-role"));
    assert_eq!(keys.keys().cloned().collect::<BTreeSet<_>>(), want);
    for (account, k) in &keys {
        assert_eq!(k.len(), 1, "{account}: one AssumeRole for both regions");
        assert_eq!(regions[account].len(), 2);
    }
    let all: BTreeSet<&String> = keys.values().flatten().collect();
    assert_eq!(all.len(), keys.len(), "each account its own keys");
}

//! One worker's part of a sweep split across many (`sesame run --shard INDEX/COUNT`), and the
//! index and count the batch engines hand their workers (`--shard auto`).
//!
//! **Which shard a target belongs to** is decided by its account id alone, by rendezvous
//! (highest-random-weight) hashing with SHA-256: the account goes to the shard `i` whose
//! `SHA-256("sesame-shard\0" ACCOUNT "\0" i)` is highest. So:
//!
//! - every worker computes the same partition from nothing but the target list and `COUNT`
//!   (no coordination), and each target lands in exactly one shard;
//! - an account's place depends on no other account: adding or removing accounts moves only
//!   those accounts; changing `COUNT` from `n` to `n+1` moves only the ~1/(n+1) of accounts that
//!   now rank the new shard highest (a `hash mod COUNT` would move almost all of them);
//! - all of an account's targets (its roles, its regions) go to one worker: the account's own
//!   API throttles (per account and region) are met by one worker's pacing, not several workers'
//!   at once, and with `--org` the worker assumes the account's role once.
//!
//! The price is balance by account, not by target: shards differ by a few accounts' worth.
//!
//! SHA-256 rather than Rust's `Hash`: the partition must be the same on every machine, build and
//! version, as workers of one sweep may run different builds.

use sha2::{Digest as _, Sha256};

use super::SweepTarget;
use crate::env::Env;

/// `SESAME_SHARD_INDEX`: the shard index for `--shard auto` on any engine.
pub const INDEX_VAR: &str = "SESAME_SHARD_INDEX";
/// `SESAME_SHARD_COUNT`: the shard count for `--shard auto` (Kubernetes has no variable of its
/// own for it; AWS Batch's is used when present).
pub const COUNT_VAR: &str = "SESAME_SHARD_COUNT";

/// One part of a sweep split `count` ways: the targets whose account ranks `index` highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// From 0 to `count - 1`, as the engines count.
    pub index: u32,
    /// How many shards the sweep is split into (at least 1).
    pub count: u32,
}

/// Why a shard could not be had from the flag or the environment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// Not `INDEX/COUNT` with two whole numbers.
    #[error("--shard {0}: expected INDEX/COUNT (e.g. 0/4) or auto")]
    Syntax(String),
    /// A count of 0.
    #[error("--shard {index}/{count}: the count must be at least 1")]
    ZeroCount {
        /// The index given.
        index: u32,
        /// The count given.
        count: u32,
    },
    /// An index past the last shard.
    #[error("--shard {index}/{count}: the index must be from 0 to {}", count - 1)]
    OutOfRange {
        /// The index given.
        index: u32,
        /// The count given.
        count: u32,
    },
    /// `--shard auto` found no engine's variables.
    #[error(
        "--shard auto: no shard index in the environment (none of JOB_COMPLETION_INDEX, \
         AWS_BATCH_JOB_ARRAY_INDEX, SLURM_ARRAY_TASK_ID, {INDEX_VAR} is set)"
    )]
    NoEngine,
    /// An engine's index was found but not the count.
    #[error("--shard auto: {engine} gives the index ({index_var}) but not the count")]
    NoCount {
        /// The engine, and how to give the count.
        engine: &'static str,
        /// The variable the index was read from.
        index_var: &'static str,
    },
    /// A variable that is not a whole number.
    #[error("--shard auto: {var}={value} is not a whole number")]
    BadVar {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
    },
}

impl Shard {
    /// The whole sweep, unsplit.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// `INDEX/COUNT`, checked.
    pub fn new(index: u32, count: u32) -> Result<Shard, ShardError> {
        if count == 0 {
            return Err(ShardError::ZeroCount { index, count });
        }
        if index >= count {
            return Err(ShardError::OutOfRange { index, count });
        }
        Ok(Shard { index, count })
    }

    /// The value of `--shard`: `INDEX/COUNT`, or `auto` (read from `env`, see [`Shard::from_env`]).
    pub fn parse(text: &str, env: &Env) -> Result<Shard, ShardError> {
        if text.eq_ignore_ascii_case("auto") {
            return Shard::from_env(env);
        }
        let syntax = || ShardError::Syntax(text.to_owned());
        let (i, c) = text.split_once('/').ok_or_else(syntax)?;
        let index = i.trim().parse().map_err(|_| syntax())?;
        let count = c.trim().parse().map_err(|_| syntax())?;
        Shard::new(index, count)
    }

    /// The index and count a batch engine gives this worker, in this order:
    ///
    /// - `SESAME_SHARD_INDEX` and `SESAME_SHARD_COUNT` (any engine, a CI matrix);
    /// - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX`, and `SESAME_SHARD_COUNT` for the count
    ///   (Kubernetes exports none: set it to the Job's `completions`);
    /// - AWS Batch array jobs: `AWS_BATCH_JOB_ARRAY_INDEX`, and `AWS_BATCH_JOB_ARRAY_SIZE` or
    ///   else `SESAME_SHARD_COUNT` for the count;
    /// - Slurm job arrays: `SLURM_ARRAY_TASK_ID` counted from `SLURM_ARRAY_TASK_MIN` in steps
    ///   of `SLURM_ARRAY_TASK_STEP`, and `SLURM_ARRAY_TASK_COUNT`.
    pub fn from_env(env: &Env) -> Result<Shard, ShardError> {
        let num = |var: &'static str| -> Result<Option<u32>, ShardError> {
            match env.var(var).map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => v.parse().map(Some).map_err(|_| ShardError::BadVar {
                    var,
                    value: v.to_owned(),
                }),
            }
        };
        let need = |count: Option<u32>, engine, index_var| {
            count.ok_or(ShardError::NoCount { engine, index_var })
        };
        if let Some(index) = num(INDEX_VAR)? {
            let count = need(num(COUNT_VAR)?, "sesame", INDEX_VAR)?;
            return Shard::new(index, count);
        }
        if let Some(index) = num("JOB_COMPLETION_INDEX")? {
            let count = need(
                num(COUNT_VAR)?,
                "a Kubernetes Indexed Job (set SESAME_SHARD_COUNT to its completions)",
                "JOB_COMPLETION_INDEX",
            )?;
            return Shard::new(index, count);
        }
        if let Some(index) = num("AWS_BATCH_JOB_ARRAY_INDEX")? {
            let count = match num("AWS_BATCH_JOB_ARRAY_SIZE")? {
                Some(c) => Some(c),
                None => num(COUNT_VAR)?,
            };
            let count = need(
                count,
                "an AWS Batch array job (set SESAME_SHARD_COUNT to its array size)",
                "AWS_BATCH_JOB_ARRAY_INDEX",
            )?;
            return Shard::new(index, count);
        }
        if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let count = need(
                num("SLURM_ARRAY_TASK_COUNT")?,
                "a Slurm job array",
                "SLURM_ARRAY_TASK_ID",
            )?;
            let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let step = num("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
            let index = id.saturating_sub(min) / step;
            return Shard::new(index, count);
        }
        Err(ShardError::NoEngine)
    }

    /// The shard `account_id` belongs to, of `count`.
    pub fn owner(account_id: &str, count: u32) -> u32 {
        (0..count.max(1))
            .max_by_key(|i| (weight(account_id, *i), std::cmp::Reverse(*i)))
            .unwrap_or(0)
    }

    /// Whether `target` is in this shard.
    pub fn keeps(&self, target: &SweepTarget) -> bool {
        self.count <= 1 || Shard::owner(&target.account_id, self.count) == self.index
    }

    /// This shard's part of a whole rate budget (requests per second).
    pub fn share(&self, rate: f64) -> f64 {
        rate / f64::from(self.count.max(1))
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The rendezvous weight of `account_id` for shard `index`.
fn weight(account_id: &str, index: u32) -> u64 {
    let mut h = Sha256::new();
    h.update(b"sesame-shard\0");
    h.update(account_id.as_bytes());
    h.update(b"\0");
    h.update(index.to_be_bytes());
    let d = h.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&d[..8]);
    u64::from_be_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Env {
        Env::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    fn ids(n: usize) -> Vec<String> {
        (0..n)
            .map(|i| format!("{:012}", 100_000_000_000 + i * 7919))
            .collect()
    }

    #[test]
    fn every_account_is_in_exactly_one_shard_and_the_shards_are_balanced() {
        let accounts = ids(4000);
        let mut sizes = [0usize; 4];
        for a in &accounts {
            let owners: Vec<u32> = (0..4)
                .filter(|i| {
                    let t = SweepTarget {
                        account_id: a.clone(),
                        account_name: "x".into(),
                        role_name: "r".into(),
                        region: None,
                        role_listed: true,
                    };
                    Shard::new(*i, 4).unwrap().keeps(&t)
                })
                .collect();
            assert_eq!(owners.len(), 1, "{a}");
            sizes[owners[0] as usize] += 1;
        }
        for s in sizes {
            assert!((850..1150).contains(&s), "{sizes:?}");
        }
    }

    #[test]
    fn accounts_stay_put_when_others_come_and_go_and_few_move_when_the_count_grows() {
        let accounts = ids(2000);
        // Adding or removing accounts: an account's owner depends on nothing else.
        let before: Vec<u32> = accounts.iter().map(|a| Shard::owner(a, 8)).collect();
        let again: Vec<u32> = accounts[..1000]
            .iter()
            .map(|a| Shard::owner(a, 8))
            .collect();
        assert_eq!(&before[..1000], &again[..]);
        // 8 → 9 shards: only the accounts that go to the new shard move (~1/9).
        let moved: Vec<u32> = accounts
            .iter()
            .zip(&before)
            .filter(|(a, b)| Shard::owner(a, 9) != **b)
            .map(|(a, _)| Shard::owner(a, 9))
            .collect();
        assert!(moved.iter().all(|s| *s == 8));
        assert!((150..300).contains(&moved.len()), "{}", moved.len());
    }

    #[test]
    fn the_partition_is_fixed_across_builds() {
        // Pinned (computed apart, with Python's hashlib): workers of one sweep may run
        // different builds of sesame, and docs/sweeps.md shows how to compute it elsewhere.
        let got: Vec<u32> = [
            "111111111111",
            "222222222222",
            "123456789012",
            "000000000001",
            "999999999999",
        ]
        .iter()
        .map(|a| Shard::owner(a, 4))
        .collect();
        assert_eq!(got, PINNED);
    }
    const PINNED: [u32; 5] = [0, 0, 1, 1, 3];

    #[test]
    fn parses_index_and_count_and_refuses_the_rest() {
        let e = env(&[]);
        assert_eq!(Shard::parse("2/4", &e), Ok(Shard { index: 2, count: 4 }));
        assert_eq!(
            Shard::parse("4/4", &e),
            Err(ShardError::OutOfRange { index: 4, count: 4 })
        );
        assert_eq!(
            Shard::parse("1/0", &e),
            Err(ShardError::ZeroCount { index: 1, count: 0 })
        );
        for bad in ["", "3", "a/b", "-1/4", "1/4/5"] {
            assert_eq!(
                Shard::parse(bad, &e),
                Err(ShardError::Syntax(bad.into())),
                "{bad}"
            );
        }
        assert_eq!(Shard::parse("auto", &e), Err(ShardError::NoEngine));
    }

    #[test]
    fn auto_reads_each_engine() {
        let k8s = env(&[("JOB_COMPLETION_INDEX", "3"), ("SESAME_SHARD_COUNT", "5")]);
        assert_eq!(Shard::from_env(&k8s), Ok(Shard { index: 3, count: 5 }));
        let k8s_alone = env(&[("JOB_COMPLETION_INDEX", "3")]);
        assert!(matches!(
            Shard::from_env(&k8s_alone),
            Err(ShardError::NoCount { .. })
        ));
        let batch = env(&[
            ("AWS_BATCH_JOB_ARRAY_INDEX", "0"),
            ("AWS_BATCH_JOB_ARRAY_SIZE", "2"),
        ]);
        assert_eq!(Shard::from_env(&batch), Ok(Shard { index: 0, count: 2 }));
        let batch_count = env(&[
            ("AWS_BATCH_JOB_ARRAY_INDEX", "1"),
            ("SESAME_SHARD_COUNT", "2"),
        ]);
        assert_eq!(
            Shard::from_env(&batch_count),
            Ok(Shard { index: 1, count: 2 })
        );
        let slurm = env(&[
            ("SLURM_ARRAY_TASK_ID", "7"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_STEP", "2"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(Shard::from_env(&slurm), Ok(Shard { index: 3, count: 4 }));
        let bad = env(&[("SLURM_ARRAY_TASK_ID", "x")]);
        assert!(matches!(
            Shard::from_env(&bad),
            Err(ShardError::BadVar { .. })
        ));
        let own = env(&[
            ("SESAME_SHARD_INDEX", "1"),
            ("SESAME_SHARD_COUNT", "3"),
            ("SLURM_ARRAY_TASK_ID", "0"),
            ("SLURM_ARRAY_TASK_COUNT", "1"),
        ]);
        assert_eq!(Shard::from_env(&own), Ok(Shard { index: 1, count: 3 }));
    }

    #[test]
    fn the_budget_is_split_count_ways() {
        assert_eq!(Shard::new(1, 4).unwrap().share(20.0), 5.0);
        assert_eq!(Shard::ALL.share(20.0), 20.0);
    }
}

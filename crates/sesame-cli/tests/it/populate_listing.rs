//! `sesame populate` at scale through the listing: a throttled, faulty portal still yields every
//! profile, and the listing cache is written, and read only when asked.

use sesame_emulator::{EmulatorConfig, FaultSettings};

use crate::common::{TestEnv, assert_clean_failure, assert_success, stderr};
use crate::populate::{all_targets, generated, sorted_values};

#[test]
fn populate_through_a_throttled_faulty_portal_writes_every_profile() {
    let env = TestEnv::with(EmulatorConfig {
        accounts: 40,
        roles_per_account: 2,
        auto_approve: true,
        ..EmulatorConfig::default()
    });
    env.login();
    // A 20/s throttle; of the calls it admits, every 7th answers 500, every 9th drops the
    // connection and the 40th answers 429: each happens, by schedule rather than luck. (The 429
    // comes late: an early one slows the pacer below the throttle, which then never refuses.)
    env.emulator.set_faults(FaultSettings {
        tps: Some(20.0),
        every_429: 40,
        every_500: 7,
        every_drop: 9,
        ..FaultSettings::default()
    });
    let out = env.sesame().arg("populate").output().unwrap();
    assert_success(&out);
    let err = stderr(&out);
    assert!(err.contains("80 added"), "{err}");
    assert!(!err.contains("error"), "{err}");
    let profiles = generated(&env);
    assert_eq!(profiles.len(), 80);
    assert_eq!(sorted_values(&profiles), all_targets(&env.emulator));
    let s = env.emulator.stats();
    assert!(
        s.throttled > 0 && s.faults_429 > 0 && s.faults_500 > 0 && s.faults_dropped > 0,
        "{s:?}"
    );
}

#[test]
fn populate_asks_the_portal_unless_max_age_allows_the_cache() {
    let env = TestEnv::with(EmulatorConfig {
        accounts: 4,
        auto_approve: true,
        ..EmulatorConfig::default()
    });
    env.login();
    assert_success(&env.sesame().arg("populate").output().unwrap());
    let first = generated(&env);
    // Every call now fails: the default run asks the portal and fails, changing nothing...
    env.emulator.set_faults(FaultSettings {
        fault_500: 1.0,
        ..FaultSettings::default()
    });
    let files = env.snapshot_files();
    let run = |args: &[&str]| {
        env.sesame()
            .arg("populate")
            .args(args)
            .env("SESAME_MAX_ATTEMPTS", "2")
            .output()
            .unwrap()
    };
    assert_clean_failure(&run(&["--prune"]), 1, "InternalServerException");
    assert_eq!(env.snapshot_files(), files);
    // ...`--max-age` reuses the listing the first run cached, with no call...
    let out = run(&["--prune", "--max-age", "1h"]);
    assert_success(&out);
    assert!(stderr(&out).contains("up to date"), "{}", stderr(&out));
    assert_eq!(generated(&env), first);
    // ...and `--refresh` overrides it.
    assert_clean_failure(
        &run(&["--max-age", "1h", "--refresh"]),
        1,
        "InternalServerException",
    );
    assert_eq!(env.snapshot_files(), files);
}

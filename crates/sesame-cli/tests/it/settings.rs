//! Settings read from the environment hold for every command that they concern.

use sesame_emulator::{EmulatorConfig, FaultSettings};

use crate::common::{TestEnv, assert_clean_failure, assert_success};

/// One account with one role, logged in.
fn one_target() -> TestEnv {
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: true,
        accounts: 1,
        roles_per_account: 1,
        ..EmulatorConfig::default()
    });
    env.login();
    env
}

fn requests(env: &TestEnv, operation: &str) -> u64 {
    env.emulator
        .stats()
        .requests
        .get(operation)
        .copied()
        .unwrap_or(0)
}

/// `sesame run`'s error hint says to set SESAME_MAX_ATTEMPTS; it bounds run's portal calls as it
/// bounds those of `accounts`, `roles`, `populate` and `admin` (the default is ten attempts).
#[test]
fn max_attempts_bounds_the_listing_and_the_credential_fetches_of_run() {
    let env = one_target();
    env.emulator.set_faults(FaultSettings {
        fault_500: 1.0,
        ..FaultSettings::default()
    });
    let out = env
        .sesame()
        .args(["run", "--yes", "--", "true"])
        .env("SESAME_MAX_ATTEMPTS", "2")
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "InternalServerException");
    assert_eq!(
        requests(&env, "ListAccounts"),
        2,
        "two attempts at the listing"
    );

    // The listing cached (a dry run lists the roles too), the fetches of credentials fail.
    env.emulator.set_faults(FaultSettings::default());
    let out = env.sesame().args(["run", "--dry-run"]).output().unwrap();
    assert_success(&out);
    env.emulator.set_faults(FaultSettings {
        fault_500: 1.0,
        ..FaultSettings::default()
    });
    let out = env
        .sesame()
        .args(["run", "--yes", "--", "true"])
        .env("SESAME_MAX_ATTEMPTS", "2")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        requests(&env, "GetRoleCredentials"),
        2,
        "two attempts at the one target's credentials"
    );
    assert_eq!(env.emulator.stats().role_credentials_issued, 0);
}

/// A bad value is refused by a command that retries, before any call.
#[test]
fn a_bad_max_attempts_is_one_clear_error_for_run() {
    let env = one_target();
    let before = env.emulator.stats().requests;
    let out = env
        .sesame()
        .args(["run", "--yes", "--", "true"])
        .env("SESAME_MAX_ATTEMPTS", "0")
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        1,
        "SESAME_MAX_ATTEMPTS=0 is not a whole number of at least 1",
    );
    assert_eq!(env.emulator.stats().requests, before, "no call was made");
}

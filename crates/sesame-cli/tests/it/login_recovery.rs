//! A login recovers from a client registration the service no longer accepts
//! (`InvalidClientException`: the instance was re-created, the registration revoked).

use sesame_emulator::EmulatorConfig;

use crate::common::{TestEnv, assert_success};

/// The cached client registrations: the cache files with a `clientSecret` and no `accessToken`.
fn registrations(env: &TestEnv) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(env.sso_cache())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let v: serde_json::Value =
                serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap_or_default();
            v.get("clientSecret").is_some() && v.get("accessToken").is_none()
        })
        .collect()
}

/// Makes the cached registration one the emulator never issued, as a re-created instance sees
/// it.
fn revoke(env: &TestEnv) {
    let files = registrations(env);
    assert_eq!(files.len(), 1, "{files:?}");
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    v["clientId"] = "revoked-client-id".into();
    std::fs::write(&files[0], serde_json::to_vec(&v).unwrap()).unwrap();
}

#[test]
fn a_rejected_registration_is_replaced_by_login_force_and_by_logout_then_login() {
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: true,
        ..EmulatorConfig::default()
    });
    env.login();
    assert_eq!(env.emulator.stats().registrations, 1);

    revoke(&env);
    let out = env
        .sesame()
        .args(["login", "--device-code", "--force"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(env.emulator.stats().registrations, 2, "registered again");
    let out = env.sesame().args(["roles", "--refresh"]).output().unwrap();
    assert_success(&out);

    revoke(&env);
    assert_success(&env.sesame().arg("logout").output().unwrap());
    env.login();
    assert_eq!(env.emulator.stats().registrations, 3, "registered again");
    let reg: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&registrations(&env)[0]).unwrap()).unwrap();
    assert_ne!(
        reg["clientId"], "revoked-client-id",
        "the new one is cached"
    );
}

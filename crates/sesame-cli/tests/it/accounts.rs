//! `sesame accounts` in each output form.

use sesame_emulator::EmulatorConfig;

use crate::common::{TestEnv, assert_clean_failure, assert_success, stdout};

#[test]
fn accounts_in_every_format_across_pages() {
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: true,
        accounts: 230,
        ..EmulatorConfig::default()
    });
    env.login();
    let out = env
        .sesame()
        .args(["accounts", "--output", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), 230, "all pages");
    let mut ids: Vec<&str> = list
        .iter()
        .map(|a| a["accountId"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 230, "no duplicates");
    assert!(
        list.iter()
            .all(|a| a["accountId"].as_str().unwrap().len() == 12)
    );
    let names: Vec<String> = list
        .iter()
        .map(|a| a["accountName"].as_str().unwrap().to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "sorted by name");

    let out = env
        .sesame()
        .args(["accounts", "--output", "text"])
        .output()
        .unwrap();
    assert_success(&out);
    let text = stdout(&out);
    assert_eq!(text.lines().count(), 230);
    assert!(text.lines().all(|l| l.split('\t').count() == 3));

    let out = env.sesame().args(["accounts"]).output().unwrap();
    assert_success(&out);
    let table = stdout(&out);
    assert!(table.starts_with("ACCOUNT ID"));
    assert_eq!(table.lines().count(), 231);
}

#[test]
fn accounts_without_a_login_asks_for_one() {
    let env = TestEnv::new();
    let out = env.sesame().args(["accounts"]).output().unwrap();
    assert_clean_failure(&out, 3, "not logged in");
    assert!(String::from_utf8_lossy(&out.stderr).contains("hint: run `sesame login`"));
}

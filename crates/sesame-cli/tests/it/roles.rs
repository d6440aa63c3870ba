//! `sesame roles` and `sesame accounts` on the listing library: every item once across pages,
//! filters, sorted and streamed output, the listing cache, throttles and faults.

use std::collections::BTreeSet;

use sesame_emulator::{EmulatorConfig, FaultSettings};

use crate::common::{SESSION, TestEnv, assert_clean_failure, assert_success, stderr, stdout};

fn emulator(accounts: usize, roles_per_account: usize) -> TestEnv {
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: true,
        accounts,
        roles_per_account,
        ..EmulatorConfig::default()
    });
    env.login();
    env
}

/// `sesame roles -o json` parsed into (account id, account name, role name) rows.
fn roles_json(env: &TestEnv, extra: &[&str]) -> Vec<(String, String, String)> {
    let out = env
        .sesame()
        .args(["roles", "-o", "json"])
        .args(extra)
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON array");
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, ["accountId", "accountName", "roleName"]);
            let s = |k: &str| r[k].as_str().unwrap().to_owned();
            (s("accountId"), s("accountName"), s("roleName"))
        })
        .collect()
}

/// Every (account id, role) the emulated user has.
fn truth(env: &TestEnv) -> BTreeSet<(String, String)> {
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

fn sort_key(row: &(String, String, String)) -> (String, String, String, String) {
    (
        row.1.to_lowercase(),
        row.1.clone(),
        row.0.clone(),
        row.2.to_lowercase(),
    )
}

#[test]
fn every_account_and_role_exactly_once_across_pages() {
    // 230 accounts: three ListAccounts pages of at most 100.
    let env = emulator(230, 3);
    let rows = roles_json(&env, &[]);
    assert_eq!(rows.len(), 230 * 3);
    let pairs: BTreeSet<(String, String)> =
        rows.iter().map(|r| (r.0.clone(), r.2.clone())).collect();
    assert_eq!(pairs.len(), rows.len(), "no duplicates");
    assert_eq!(pairs, truth(&env), "every account and role, nothing else");
    let stats = env.emulator.stats();
    assert_eq!(
        stats.requests_for("ListAccounts"),
        3,
        "max_result 100: three pages"
    );
    assert_eq!(
        stats.requests_for("ListAccountRoles"),
        230,
        "one call per account"
    );

    // 130 roles in an account: two ListAccountRoles pages each.
    let env = emulator(3, 130);
    let rows = roles_json(&env, &[]);
    assert_eq!(rows.len(), 3 * 130);
    let pairs: BTreeSet<(String, String)> =
        rows.iter().map(|r| (r.0.clone(), r.2.clone())).collect();
    assert_eq!(pairs.len(), rows.len());
    assert_eq!(pairs, truth(&env));
    assert_eq!(env.emulator.stats().requests_for("ListAccountRoles"), 6);
}

#[test]
fn sorted_in_every_format_and_streamed_as_it_arrives() {
    let env = emulator(60, 4);
    let rows = roles_json(&env, &[]);
    let mut sorted = rows.clone();
    sorted.sort_by_key(sort_key);
    assert_eq!(rows, sorted, "JSON sorted by account name, id, role");

    let out = env.sesame().args(["roles", "-o", "text"]).output().unwrap();
    assert_success(&out);
    let text: Vec<(String, String, String)> = stdout(&out)
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert_eq!(c.len(), 3, "{l}");
            (c[0].to_owned(), c[1].to_owned(), c[2].to_owned())
        })
        .collect();
    assert_eq!(text, rows, "text: the same rows in the same order");

    let out = env.sesame().args(["roles"]).output().unwrap();
    assert_success(&out);
    let table = stdout(&out);
    let mut lines = table.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("ACCOUNT ID    ACCOUNT NAME"), "{header}");
    let role_col = header.find("ROLE").unwrap();
    let body: Vec<&str> = lines.collect();
    assert_eq!(body.len(), rows.len());
    for (line, row) in body.iter().zip(&rows) {
        assert!(line.starts_with(&row.0), "{line}");
        assert_eq!(&line[role_col..], row.2, "aligned role column: {line}");
    }

    // --stream: JSON Lines / tab-separated, the same set, as they arrive.
    let out = env
        .sesame()
        .args(["roles", "-o", "json", "--stream", "--refresh"])
        .output()
        .unwrap();
    assert_success(&out);
    let streamed: BTreeSet<(String, String, String)> = stdout(&out)
        .lines()
        .map(|l| {
            let r: serde_json::Value = serde_json::from_str(l).expect("one JSON object a line");
            (
                r["accountId"].as_str().unwrap().into(),
                r["accountName"].as_str().unwrap().into(),
                r["roleName"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(streamed, rows.iter().cloned().collect::<BTreeSet<_>>());
    let out = env
        .sesame()
        .args(["accounts", "-o", "text", "--stream"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(stdout(&out).lines().count(), 60);
    // A table cannot stream.
    let out = env.sesame().args(["roles", "--stream"]).output().unwrap();
    assert_clean_failure(&out, 1, "--stream");
    assert!(
        stderr(&out).contains("hint: add `--output text`"),
        "{}",
        stderr(&out)
    );

    // accounts: sorted by name in every format.
    let out = env
        .sesame()
        .args(["accounts", "-o", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["accountName"].as_str().unwrap().to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(names.len(), 60);
}

#[test]
fn filters_by_account_id_or_name_glob_and_by_role_glob() {
    let env = emulator(40, 3);
    let all = roles_json(&env, &[]);
    let (id, name) = (all[7].0.clone(), all[7].1.clone());

    // An exact id.
    let rows = roles_json(&env, &["--account", &id]);
    assert!(!rows.is_empty() && rows.iter().all(|r| r.0 == id));
    assert_eq!(rows.len(), env.emulator.roles_of(&id).len());

    // A name glob, in another case, repeatable.
    let word = name.split(' ').nth(2).unwrap().to_uppercase();
    let glob = format!("*{word}*");
    let rows = roles_json(&env, &["--account", &glob]);
    let expect: BTreeSet<String> = all
        .iter()
        .filter(|r| r.1.to_uppercase().contains(&word))
        .map(|r| r.0.clone())
        .collect();
    assert_eq!(
        rows.iter().map(|r| r.0.clone()).collect::<BTreeSet<_>>(),
        expect
    );
    let rows2 = roles_json(&env, &["--account", &glob, "--account", &all[0].0]);
    assert!(rows2.len() >= rows.len());
    assert!(rows2.iter().any(|r| r.0 == all[0].0));

    // A role glob.
    let rows = roles_json(&env, &["--role", "*admin*"]);
    assert!(!rows.is_empty());
    assert!(
        rows.iter().all(|r| r.2.to_lowercase().contains("admin")),
        "{rows:?}"
    );
    let expect = all
        .iter()
        .filter(|r| r.2.to_lowercase().contains("admin"))
        .count();
    assert_eq!(rows.len(), expect);

    // accounts --role: the accounts that have a matching role.
    let out = env
        .sesame()
        .args(["accounts", "-o", "text", "--role", "ReadOnlyAccess"])
        .output()
        .unwrap();
    assert_success(&out);
    let ids: BTreeSet<String> = stdout(&out)
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_owned())
        .collect();
    let expect: BTreeSet<String> = all
        .iter()
        .filter(|r| r.2 == "ReadOnlyAccess")
        .map(|r| r.0.clone())
        .collect();
    assert_eq!(ids, expect);

    // Nothing matches: one error line naming what, a hint, none of the user's files changed.
    // (A filter that matches nothing in the cached listing asks Identity Center once more, in
    // case the account is new, which refreshes sesame's own listing cache.)
    let before = user_files(&env);
    let calls = portal_calls(&env);
    let out = env
        .sesame()
        .args(["roles", "--account", "999999999999"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "no account matches `999999999999`");
    assert!(stderr(&out).contains("hint:"));
    let out = env
        .sesame()
        .args(["roles", "--account", &id, "--role", "NoSuchRole*"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "no role matches `NoSuchRole*`");
    let out = env
        .sesame()
        .args(["accounts", "--account", "nothing-like-this"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "no account matches `nothing-like-this`");
    assert!(stdout(&out).is_empty());
    assert!(user_files(&env) == before, "the user's files changed");
    // Each asked once more: ListAccounts three times, and the roles of the one account `--account`
    // matched in the second.
    assert_eq!(portal_calls(&env), calls + 4);
}

/// The files under HOME but sesame's own listing cache.
fn user_files(env: &TestEnv) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let own = env.home.path().join(".aws/sesame");
    env.snapshot_files()
        .into_iter()
        .filter(|(p, _)| !p.starts_with(&own))
        .collect()
}

/// The listing cache file of the test session.
fn cache_files(env: &TestEnv) -> Vec<std::path::PathBuf> {
    let dir = env.home.path().join(".aws/sesame/listing");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn portal_calls(env: &TestEnv) -> u64 {
    let s = env.emulator.stats();
    s.requests_for("ListAccounts") + s.requests_for("ListAccountRoles")
}

#[test]
fn the_listing_cache_makes_a_second_run_offline() {
    let env = emulator(120, 3);
    let first = env.sesame().args(["roles", "-o", "json"]).output().unwrap();
    assert_success(&first);
    let calls = portal_calls(&env);
    assert_eq!(calls, 2 + 120);

    // Second run: the same output, no portal call.
    let second = env.sesame().args(["roles", "-o", "json"]).output().unwrap();
    assert_success(&second);
    assert_eq!(second.stdout, first.stdout);
    let out = env
        .sesame()
        .args(["accounts", "-o", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let out = env
        .sesame()
        .args(["roles", "--account", "*prod*", "--role", "Admin*"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(portal_calls(&env), calls, "served from the cache");

    // The file: sesame's own, 0600, no token in it.
    let files = cache_files(&env);
    assert_eq!(files.len(), 1, "{files:?}");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(
        std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let token = env.token_json(SESSION);
    for secret in ["accessToken", "refreshToken", "clientSecret"] {
        assert!(
            !text.contains(token[secret].as_str().unwrap()),
            "{secret} in the listing cache"
        );
    }

    // --refresh asks again; so does --max-age 0.
    let out = env
        .sesame()
        .args(["roles", "--refresh", "-o", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(out.stdout, first.stdout);
    assert_eq!(portal_calls(&env), 2 * calls);
    let out = env
        .sesame()
        .args(["accounts", "--max-age", "0"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(portal_calls(&env), 2 * calls + 2);

    // Logging out deletes it.
    let out = env.sesame().args(["logout"]).output().unwrap();
    assert_success(&out);
    assert!(cache_files(&env).is_empty());
}

#[test]
fn accounts_then_roles_of_one_account_reuses_the_cached_account_list() {
    let env = emulator(150, 3);
    let out = env
        .sesame()
        .args(["accounts", "-o", "text"])
        .output()
        .unwrap();
    assert_success(&out);
    let id = stdout(&out)
        .lines()
        .nth(3)
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(env.emulator.stats().requests_for("ListAccounts"), 2);
    assert_eq!(env.emulator.stats().requests_for("ListAccountRoles"), 0);
    let rows = roles_json(&env, &["--account", &id]);
    assert_eq!(rows.len(), 3);
    let s = env.emulator.stats();
    assert_eq!(
        (
            s.requests_for("ListAccounts"),
            s.requests_for("ListAccountRoles")
        ),
        (2, 1)
    );
    // And now that account's roles are cached too.
    roles_json(&env, &["--account", &id]);
    assert_eq!(env.emulator.stats().requests_for("ListAccountRoles"), 1);
}

#[test]
fn a_cache_of_another_session_is_not_used() {
    let env = emulator(30, 2);
    env.append_config(&format!(
        "\n[sso-session other]\nsso_start_url = {}/other\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n",
        env.url()
    ));
    let out = env
        .sesame()
        .args(["login", "--device-code", "--sso-session", "other"])
        .output()
        .unwrap();
    assert_success(&out);
    let out = env
        .sesame()
        .args(["roles", "--sso-session", SESSION])
        .output()
        .unwrap();
    assert_success(&out);
    let calls = portal_calls(&env);
    let out = env
        .sesame()
        .args(["roles", "--sso-session", "other"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(
        portal_calls(&env),
        2 * calls,
        "session `other` lists for itself"
    );
    assert_eq!(cache_files(&env).len(), 2, "one cache per session");
    // Each now reads its own.
    for s in [SESSION, "other"] {
        let out = env
            .sesame()
            .args(["roles", "--sso-session", s])
            .output()
            .unwrap();
        assert_success(&out);
    }
    assert_eq!(portal_calls(&env), 2 * calls);
}

#[test]
fn an_expired_login_asks_for_a_new_one_even_with_a_fresh_cache() {
    let env = emulator(10, 2);
    let out = env.sesame().args(["roles"]).output().unwrap();
    assert_success(&out);
    // Expire the token and make it unrefreshable, as an old login would be.
    let mut token = env.token_json(SESSION);
    token["expiresAt"] = "2020-01-01T00:00:00Z".into();
    token.as_object_mut().unwrap().remove("refreshToken");
    std::fs::write(env.token_path(SESSION), token.to_string()).unwrap();
    let before = env.snapshot_files();
    for args in [&["roles"][..], &["roles", "--refresh"], &["accounts"]] {
        let out = env.sesame().args(args).output().unwrap();
        assert_clean_failure(&out, 3, "expired");
        assert!(
            stderr(&out).contains("hint: run `sesame login`"),
            "{}",
            stderr(&out)
        );
    }
    assert!(env.snapshot_files() == before, "files changed on disk");
    // A token the portal no longer accepts (logged out elsewhere): exit 3 too.
    let mut token = env.token_json(SESSION);
    token["expiresAt"] = "2099-01-01T00:00:00Z".into();
    token["accessToken"] = "not-a-token-the-portal-knows".into();
    std::fs::write(env.token_path(SESSION), token.to_string()).unwrap();
    let out = env.sesame().args(["roles", "--refresh"]).output().unwrap();
    assert_clean_failure(&out, 3, "UnauthorizedException");
}

#[test]
fn a_throttled_portal_lists_everything_without_a_failure() {
    // 120 accounts (two ListAccounts pages, 122 calls) against 50 calls a second: the unpaced
    // start runs into the throttle, and the paced rest takes a couple of seconds.
    let env = emulator(120, 3);
    env.emulator.set_faults(FaultSettings {
        tps: Some(50.0),
        ..FaultSettings::default()
    });
    let rows = roles_json(&env, &[]);
    let pairs: BTreeSet<(String, String)> =
        rows.iter().map(|r| (r.0.clone(), r.2.clone())).collect();
    assert_eq!(rows.len(), 360);
    assert_eq!(pairs, truth(&env));
    let s = env.emulator.stats();
    assert!(s.throttled > 0, "{s:?}");
}

#[test]
fn faults_and_dropped_connections_are_retried_to_completion() {
    // 120 accounts: two ListAccounts pages and 120 ListAccountRoles calls. Every 11th call
    // answers 500, every 13th drops the connection and every 50th answers 429: each kind several
    // times by schedule rather than luck. Few 429s, since the pacer reads each as congestion
    // (random 429s on a tenth of the calls keep it slow for a minute).
    let env = emulator(120, 2);
    env.emulator.set_faults(FaultSettings {
        every_429: 50,
        every_500: 11,
        every_drop: 13,
        ..FaultSettings::default()
    });
    let rows = roles_json(&env, &[]);
    let s = env.emulator.stats();
    assert!(
        s.faults_429 >= 2 && s.faults_500 >= 5 && s.faults_dropped >= 5,
        "{s:?}"
    );
    // Every role once, and the very rows of a run on a healthy portal.
    let pairs: BTreeSet<(String, String)> =
        rows.iter().map(|r| (r.0.clone(), r.2.clone())).collect();
    assert_eq!(rows.len(), 240);
    assert_eq!(pairs, truth(&env));
    env.emulator.set_faults(FaultSettings::default());
    assert_eq!(rows, roles_json(&env, &["--refresh"]));
}

#[test]
fn a_storm_beyond_the_retries_is_one_clear_error_and_caches_nothing() {
    let env = emulator(20, 2);
    env.emulator.set_faults(FaultSettings {
        fault_429: 1.0,
        ..FaultSettings::default()
    });
    let before = env.snapshot_files();
    // Two attempts, not the default ten: a throttle before any success puts the pacer at its
    // floor (one call in two seconds), so each further attempt costs two seconds.
    let out = env
        .sesame()
        .args(["roles"])
        .env("SESAME_MAX_ATTEMPTS", "2")
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "TooManyRequestsException");
    let err = stderr(&out);
    assert!(err.contains("gave up after 2 attempts"), "{err}");
    assert!(
        err.contains("hint: Identity Center kept throttling"),
        "{err}"
    );
    assert!(env.snapshot_files() == before, "files changed on disk");
    assert_eq!(env.emulator.stats().requests_for("ListAccounts"), 2);

    // A portal that is gone altogether: retried, then one line.
    let out = env
        .sesame()
        .args(["roles"])
        .env("SESAME_MAX_ATTEMPTS", "2")
        .env("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:9")
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "cannot reach http://127.0.0.1:9");
    let out = env
        .sesame()
        .args(["roles"])
        .env("SESAME_MAX_ATTEMPTS", "many")
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "SESAME_MAX_ATTEMPTS");
}

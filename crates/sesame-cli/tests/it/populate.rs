//! `sesame populate` end to end: the emulator lists, sesame writes the config, and the real
//! botocore (and AWS CLI v1) read it back.

use std::collections::BTreeMap;

use serde_json::Value;
use sesame_emulator::{EmulatorConfig, EmulatorHandle};

use crate::common::{SESSION, TestEnv, assert_clean_failure, assert_success, stderr, stdout};

const BEGIN: &str = "# BEGIN sesame populate (sso-session acme)";
const END: &str = "# END sesame populate (sso-session acme)\n";

/// botocore's (or the AWS CLI's) view, through the helper script.
fn check(env: &TestEnv, args: &[&str]) -> Value {
    let out = env
        .python("populate_check.py")
        .args(args)
        .env("AWS_ENDPOINT_URL_SSO", env.url())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "populate_check.py {args:?} failed (is botocore installed? `pip install -r \
         requirements-test.txt`):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON from populate_check.py")
}

fn populate(env: &TestEnv, args: &[&str]) -> std::process::Output {
    let out = env.sesame().arg("populate").args(args).output().unwrap();
    assert_success(&out);
    out
}

fn config(env: &TestEnv) -> String {
    std::fs::read_to_string(env.config_path()).unwrap()
}

/// The text before and after sesame's block.
fn outside(text: &str) -> (String, String) {
    let (before, rest) = text.split_once(BEGIN).expect("a BEGIN line");
    let (_, after) = rest.split_once(END).expect("an END line");
    (before.to_owned(), after.to_owned())
}

/// The profiles of the block as botocore reads them: name → (account, role).
pub(crate) fn generated(env: &TestEnv) -> BTreeMap<String, (String, String)> {
    generated_in(env, SESSION)
}

/// The profiles of the block of `session`, as botocore reads them.
fn generated_in(env: &TestEnv, session: &str) -> BTreeMap<String, (String, String)> {
    let all = check(env, &["profiles"]);
    let block = config(env);
    let begin = format!("# BEGIN sesame populate (sso-session {session})");
    let end = format!("# END sesame populate (sso-session {session})");
    let (_, rest) = block.split_once(&begin).expect("a BEGIN line");
    let (inner, _) = rest.split_once(&end).expect("an END line");
    all.as_object()
        .unwrap()
        .iter()
        .filter(|(name, _)| inner.contains(&format!("[profile {name}]\n")))
        .map(|(name, v)| {
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
            (name.clone(), (s("sso_account_id"), s("sso_role_name")))
        })
        .collect()
}

/// Every (account, role) the emulator serves.
pub(crate) fn all_targets(emulator: &EmulatorHandle) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = emulator
        .account_ids()
        .into_iter()
        .flat_map(|a| {
            emulator
                .roles_of(&a)
                .into_iter()
                .map(move |r| (a.clone(), r))
        })
        .collect();
    out.sort();
    out
}

pub(crate) fn sorted_values(m: &BTreeMap<String, (String, String)>) -> Vec<(String, String)> {
    let mut v: Vec<_> = m.values().cloned().collect();
    v.sort();
    v
}

fn user_config(env: &TestEnv) -> String {
    format!(
        "# My AWS config: hand-written, with comments.\n\
         [default]\n\
         region = eu-west-1 # an inline remark is part of the value\n\
         output=json\n\
         \n\
         ; the team's SSO\n\
         [sso-session {SESSION}]\n\
         sso_start_url = {url}/start\n\
         sso_region = us-east-1\n\
         sso_registration_scopes = sso:account:access\n\
         \n\
         [profile payments-production-admin]\n\
         # mine: sesame must not generate this one\n\
         sso_session = {SESSION}\n\
         sso_account_id = 000000000000\n\
         sso_role_name = Mine\n\
         \n\
         [profile static]\n\
         aws_access_key_id = AKIDEXAMPLE\n\
         aws_secret_access_key = not-a-real-secret\n\
         s3 =\n\
         \x20 max_concurrent_requests = 4\n",
        url = "URL"
    )
    .replace("URL", &env.url())
}

#[test]
fn populate_keeps_every_byte_outside_its_block_and_a_second_run_changes_nothing() {
    let env = TestEnv::builder().accounts(5).build();
    let mine = user_config(&env);
    env.write_config(&mine);
    env.login();
    let out = populate(&env, &[]);
    let err = stderr(&out);
    assert!(
        err.contains("warning: no profile `payments-production-admin`"),
        "{err}"
    );
    // Both places: the hand-written profile's file and line, and the target it would be.
    let line = 1 + mine
        .lines()
        .position(|l| l.trim() == "[profile payments-production-admin]")
        .expect("the hand-written profile");
    let at = format!("{}:{line} ", env.config_path().display());
    assert!(
        err.contains(
            "the name is taken by the hand-written [profile payments-production-admin] at"
        ) && err.contains(&at)
            && err.contains("/ AdministratorAccess"),
        "{err}"
    );
    let text = config(&env);
    assert!(
        text.starts_with(&mine),
        "every byte before the block is kept:\n{text}"
    );
    assert_eq!(outside(&text), (format!("{mine}\n"), String::new()));

    // Every listed target has a profile, except the one the user wrote by hand.
    let profiles = generated(&env);
    let mut want = all_targets(&env.emulator);
    let skipped = want.len() - profiles.len();
    assert_eq!(skipped, 1, "{profiles:?}");
    want.retain(|t| sorted_values(&profiles).contains(t));
    assert_eq!(sorted_values(&profiles), want);
    assert!(
        profiles.keys().all(|n| !n.contains("acme-corp")),
        "prefix stripped: {profiles:?}"
    );
    // The hand-written profile is as it was.
    let all = check(&env, &["profiles"]);
    assert_eq!(all["payments-production-admin"]["sso_role_name"], "Mine");
    assert_eq!(
        all["default"]["region"],
        "eu-west-1 # an inline remark is part of the value"
    );

    // The previous file is the backup.
    let backup = env.config_path().with_file_name("config.bak");
    assert_eq!(std::fs::read_to_string(&backup).unwrap(), mine);

    // A second run: same bytes, file not rewritten. The file's time is set an hour back first,
    // so a rewrite shows however soon it comes (no sleep, no clock granularity to beat).
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(env.config_path())
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    let out = populate(&env, &[]);
    assert!(stderr(&out).contains("is up to date"), "{}", stderr(&out));
    assert_eq!(config(&env), text);
    let after = std::fs::metadata(env.config_path())
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(after, an_hour_ago, "the file is not rewritten");

    // Hand edits after the block, and user comments around it, survive a run that changes it.
    let edited = format!("{text}\n# added later by hand\n[profile later]\nregion = ap-south-1\n");
    env.write_config(&edited);
    populate(&env, &["--region-rule", "*-production=eu-central-1"]);
    let again = config(&env);
    assert_eq!(outside(&again), outside(&edited));
    assert_ne!(again, edited);
    assert!(again.contains("region = eu-central-1"));
}

#[test]
fn every_generated_profile_resolves_in_botocore_and_one_fetches_credentials() {
    // 40 accounts: every business unit of the emulator, with names such as "R&D", "iOS App",
    // "ML-Platform" and "Customer 360".
    let env = TestEnv::builder().accounts(40).logged_in().build();
    populate(
        &env,
        &[
            "--region-rule",
            "*-staging=eu-west-1",
            "--profile-output",
            "json",
        ],
    );
    let profiles = generated(&env);
    assert_eq!(sorted_values(&profiles), all_targets(&env.emulator));
    let all = check(&env, &["profiles"]);
    for name in profiles.keys() {
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
            "unsafe name {name}"
        );
        let p = &all[name.as_str()];
        assert_eq!(p["sso_session"], SESSION);
        assert_eq!(p["output"], "json");
        let want = if name.contains("-staging") {
            "eu-west-1"
        } else {
            "us-east-1"
        };
        assert_eq!(p["region"], want, "{name}");
    }
    assert!(
        profiles.keys().any(|n| n.starts_with("r-d-dr")),
        "{profiles:?}"
    );
    let (name, (account, role)) = profiles.iter().next().unwrap();
    let creds = check(&env, &["creds", name]);
    let key = creds["AccessKeyId"].as_str().unwrap();
    assert_eq!(
        env.emulator.whoami(key),
        Some((account.clone(), role.clone()))
    );
}

/// `sesame` pointed at another emulator (a directory with more or fewer accounts), logged in
/// afresh (the other emulator knows neither the client registration nor the token).
fn against(env: &TestEnv, other: &EmulatorHandle, args: &[&str]) -> std::process::Output {
    std::fs::remove_dir_all(env.sso_cache()).unwrap();
    let run = |a: &[&str]| {
        env.sesame()
            .env("AWS_ENDPOINT_URL_SSO", other.url())
            .env("AWS_ENDPOINT_URL_SSO_OIDC", other.url())
            .args(a)
            .output()
            .unwrap()
    };
    assert_success(&run(&["login", "--device-code", "--force"]));
    let out = run(&[&["populate"], args].concat());
    assert_success(&out);
    out
}

#[test]
fn new_accounts_are_added_and_vanished_ones_kept_unless_pruned() {
    let env = TestEnv::builder().accounts(3).logged_in().build();
    populate(&env, &[]);
    let three = generated(&env);
    assert_eq!(sorted_values(&three), all_targets(&env.emulator));

    // The directory grows: the new accounts' profiles are added, the old ones unchanged.
    let six = sesame_emulator::spawn(EmulatorConfig {
        accounts: 6,
        auto_approve: true,
        ..EmulatorConfig::default()
    })
    .unwrap();
    let out = against(&env, &six, &[]);
    assert!(stderr(&out).contains("added"), "{}", stderr(&out));
    let grown = generated(&env);
    assert_eq!(sorted_values(&grown), all_targets(&six));
    for (name, target) in &three {
        assert_eq!(
            grown.get(name),
            Some(target),
            "{name} kept its name and target"
        );
    }

    // It shrinks again: without --prune the profiles stay...
    let out = against(&env, &env.emulator, &[]);
    assert!(stderr(&out).contains("kept"), "{}", stderr(&out));
    assert_eq!(generated(&env), grown);
    // ...with --prune they go.
    let out = against(&env, &env.emulator, &["--prune"]);
    assert!(stderr(&out).contains("removed"), "{}", stderr(&out));
    assert_eq!(generated(&env), three);
}

#[test]
fn dry_run_prints_a_unified_diff_and_writes_nothing() {
    let env = TestEnv::builder().accounts(2).logged_in().build();
    let files = env.snapshot_files();
    let out = populate(&env, &["--dry-run"]);
    assert_eq!(env.snapshot_files(), files, "nothing written");
    let diff = stdout(&out);
    let path = env.config_path().display().to_string();
    assert!(
        diff.starts_with(&format!(
            "--- {path} (now)\n+++ {path} (after populate)\n@@ "
        )),
        "{diff}"
    );
    assert!(diff.contains(&format!("+{BEGIN}")), "{diff}");
    assert!(diff.contains("+[profile "), "{diff}");
    assert!(
        diff.lines()
            .filter(|l| l.starts_with('-') && !l.starts_with("---"))
            .count()
            == 0
    );
    assert!(stderr(&out).contains("dry run"), "{}", stderr(&out));

    // After a real run, a dry run shows nothing.
    populate(&env, &[]);
    let out = populate(&env, &["--dry-run"]);
    assert_eq!(stdout(&out), "");
}

#[test]
fn credential_process_style_is_read_by_botocore_as_the_sesame_command() {
    let env = TestEnv::builder().accounts(2).logged_in().build();
    populate(
        &env,
        &[
            "--style",
            "credential-process",
            "--credential-process-command",
            "/opt/my tools/sesame",
        ],
    );
    let all = check(&env, &["profiles"]);
    let profiles: Vec<(&String, &Value)> = all
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| v.get("credential_process").is_some())
        .collect();
    assert_eq!(profiles.len(), all_targets(&env.emulator).len());
    let mut seen = Vec::new();
    for (name, p) in profiles {
        assert!(
            p.get("sso_account_id").is_none(),
            "{name}: no SSO keys, so botocore runs the process"
        );
        let argv: Vec<&str> = p["credential_process_argv"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(
            argv[..2],
            ["/opt/my tools/sesame", "credential-process"],
            "{name}"
        );
        assert_eq!(argv[2], "--account");
        assert_eq!(argv[4], "--role");
        assert_eq!(argv[6..], ["--sso-session", SESSION]);
        seen.push((argv[3].to_owned(), argv[5].to_owned()));
    }
    seen.sort();
    assert_eq!(seen, all_targets(&env.emulator));
    // Switching style rewrites the same profiles in place.
    populate(&env, &["--style", "sso"]);
    assert_eq!(sorted_values(&generated(&env)), all_targets(&env.emulator));
    assert!(!config(&env).contains("credential_process"));
}

#[test]
fn shared_options_from_the_config_and_collisions() {
    let env = TestEnv::builder().accounts(4).build();
    let base = config(&env);
    // Every profile named `x-<suffix>`: they collide, and each gets its account id.
    env.write_config(&format!(
        "{base}\n[sesame-populate]\ntemplate = x-{{role_suffix}}\nregion_rules =\n  * = ap-southeast-2\n\
         ignore_roles = PowerUser*\n"
    ));
    env.login();
    populate(&env, &[]);
    let profiles = generated(&env);
    let mut want = all_targets(&env.emulator);
    want.retain(|(_, r)| !r.starts_with("PowerUser"));
    assert_eq!(sorted_values(&profiles), want);
    for (name, (account, role)) in &profiles {
        assert!(name.starts_with('x'), "{name}");
        // A name shared by several accounts carries the account id; a unique one does not.
        let sharing = want.iter().filter(|(_, r)| r == role).count();
        assert_eq!(name.ends_with(account.as_str()), sharing > 1, "{name}");
    }
    let all = check(&env, &["profiles"]);
    let first = profiles.keys().next().unwrap();
    assert_eq!(all[first.as_str()]["region"], "ap-southeast-2");
    // The AWS CLI v1 still works with sesame's own section in the config.
    assert_eq!(
        check(&env, &["awscli-region", first])["region"],
        "ap-southeast-2"
    );
    // The command line wins over the config.
    populate(
        &env,
        &[
            "--default-region",
            "eu-north-1",
            "--region-rule",
            "*=ca-central-1",
        ],
    );
    assert_eq!(
        check(&env, &["profiles"])[first.as_str()]["region"],
        "ca-central-1"
    );
}

#[test]
fn the_file_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt as _;
    let env = TestEnv::builder().accounts(2).logged_in().build();
    env.append_config("# a comment\n[profile x]\nregion = eu-west-1\n");
    std::fs::set_permissions(env.config_path(), std::fs::Permissions::from_mode(0o640)).unwrap();
    populate(&env, &[]);
    let mode = std::fs::metadata(env.config_path())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o640);
    let profiles = generated_in(&env, SESSION);
    assert_eq!(sorted_values(&profiles), all_targets(&env.emulator));
    let (name, (account, role)) = profiles.iter().next().unwrap();
    let key = check(&env, &["creds", name])["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        env.emulator.whoami(&key),
        Some((account.clone(), role.clone()))
    );
}

#[test]
fn bad_input_fails_cleanly_and_changes_nothing() {
    let env = TestEnv::builder().accounts(2).logged_in().build();
    let cases: [(&[&str], &str); 5] = [
        (&["--template", "{nope}"], "unknown placeholder `{nope}`"),
        (&["--template", "static"], "no placeholder"),
        (&["--region-rule", "*-eu-*"], "bad --region-rule"),
        (&["--region-rule", "*=EU West"], "bad region rule"),
        (&["--role-suffix", "X=a b"], "bad role suffix"),
    ];
    let files = env.snapshot_files();
    for (args, needle) in cases {
        let out = env.sesame().arg("populate").args(args).output().unwrap();
        assert_clean_failure(&out, 1, needle);
        assert!(stderr(&out).contains("hint:"));
        assert_eq!(env.snapshot_files(), files, "{args:?}");
    }

    let base = config(&env);
    let broken = [
        (format!("{base}[profile a]\nno delimiter here\n"), "line"),
        (
            format!("{base}\n[sesame-populate]\nstyle = nonsense\n"),
            "style = nonsense",
        ),
        (
            format!("{base}\n{BEGIN}: x\n[profile a]\nregion = x\n"),
            "has no END line",
        ),
    ];
    for (text, needle) in broken {
        env.write_config(&text);
        let files = env.snapshot_files();
        let out = env.sesame().arg("populate").output().unwrap();
        assert_clean_failure(&out, 1, needle);
        assert_eq!(env.snapshot_files(), files);
    }
}

#[test]
fn awkward_account_names_give_safe_distinct_names_botocore_reads_back() {
    let names = [
        "Acme \"Quoted\" Team",
        "[Brackets] & Co",
        "#hash; start",
        "Default",
        "  spaced   out  ",
        "dev",
        "Dev",
        "Zürich 'Ops'",
        "Données Société",
    ];
    let env = TestEnv::with(EmulatorConfig {
        accounts: names.len(),
        roles_per_account: 1,
        auto_approve: true,
        account_names: names.iter().map(|n| (*n).to_owned()).collect(),
        ..EmulatorConfig::default()
    });
    env.login();
    // Named by account alone, so that `dev` and `Dev` clash whatever their roles.
    populate(&env, &["--template", "{account_name}"]);
    let profiles = generated(&env);
    assert_eq!(sorted_values(&profiles), all_targets(&env.emulator));
    for name in profiles.keys() {
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')),
            "unsafe name {name}"
        );
        assert!(!name.starts_with(['-', '.']) && name != "default", "{name}");
    }
    // `dev` and `Dev` lower-case to the same name: both carry their account id; `Default`
    // would be the default profile: it does too.
    let id_of = |name: &str| {
        env.emulator
            .directory()
            .accounts()
            .iter()
            .find(|a| a.account_name == name)
            .unwrap()
            .account_id
            .clone()
    };
    for clash in ["dev", "Dev", "Default"] {
        let id = id_of(clash);
        assert!(
            profiles
                .keys()
                .any(|n| n.contains(&id) && n.starts_with(&clash.to_lowercase())),
            "{clash}: {profiles:?}"
        );
    }
    assert!(
        profiles.keys().any(|n| n.starts_with("brackets-co")),
        "{profiles:?}"
    );
    assert!(
        profiles.keys().any(|n| n.starts_with("acme-quoted-team")),
        "{profiles:?}"
    );
    // Accents are transliterated (docs/naming.md), not turned into dashes.
    for want in ["donnees-societe", "zurich-ops"] {
        assert!(profiles.contains_key(want), "{want}: {profiles:?}");
    }
    let (name, (account, role)) = profiles.iter().next().unwrap();
    let key = check(&env, &["creds", name])["AccessKeyId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        env.emulator.whoami(&key),
        Some((account.clone(), role.clone()))
    );
}

#[test]
fn without_a_login_populate_asks_for_one_and_writes_nothing() {
    let env = TestEnv::builder().accounts(2).build();
    let files = env.snapshot_files();
    let out = env.sesame().arg("populate").output().unwrap();
    assert_clean_failure(&out, 3, "");
    assert!(stderr(&out).contains("sesame login"), "{}", stderr(&out));
    assert_eq!(env.snapshot_files(), files);
}

#[test]
fn concurrent_runs_for_two_sessions_keep_both_blocks() {
    let env = TestEnv::builder().accounts(6).build();
    let base = config(&env);
    env.write_config(&format!(
        "{base}\n[sso-session beta]\nsso_start_url = {}/start\nsso_region = us-east-1\n\
         sso_registration_scopes = sso:account:access\n",
        env.url()
    ));
    for session in [SESSION, "beta"] {
        let login = ["login", "--device-code", "--sso-session", session];
        assert_success(&env.sesame().args(login).output().unwrap());
    }
    // Each run re-reads the file under the lock: without it, one session's block would be lost
    // to the other's write.
    let children: Vec<_> = (0..6)
        .map(|i| {
            let mut cmd = env.sesame_std();
            cmd.arg("populate")
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped());
            if i % 2 == 1 {
                cmd.args([
                    "--sso-session",
                    "beta",
                    "--template",
                    "beta-{account_name}-{role_suffix}",
                ]);
            } else {
                cmd.args(["--sso-session", SESSION]);
            }
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = config(&env);
    assert_eq!(text.matches(BEGIN).count(), 1, "{text}");
    assert_eq!(
        text.matches("# END sesame populate (sso-session beta)")
            .count(),
        1,
        "{text}"
    );
    let targets = all_targets(&env.emulator);
    assert_eq!(sorted_values(&generated(&env)), targets);
    assert_eq!(sorted_values(&generated_in(&env, "beta")), targets);
}

/// Eight `populate --refresh` on the same session at once, over a config that also holds a
/// hand-written profile: the file afterwards is byte for byte what one run writes, and no
/// temporary file is left beside it.
#[test]
fn concurrent_runs_on_one_session_write_what_one_run_writes() {
    let env = TestEnv::builder().accounts(12).logged_in().build();
    env.append_config("\n[profile mine]\nregion = eu-west-3\n");
    let original = config(&env);
    populate(&env, &["--refresh"]);
    let once = config(&env);
    env.write_config(&original);
    let children: Vec<_> = (0..8)
        .map(|_| {
            env.sesame_std()
                .args(["populate", "--refresh"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(config(&env), once, "the same file as one run");
    let aws = env.home.path().join(".aws");
    let stray: Vec<_> = std::fs::read_dir(&aws)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(stray.is_empty(), "temporary files left: {stray:?}");
}

#[test]
fn a_failing_service_mid_run_changes_nothing() {
    let env = TestEnv::builder().accounts(3).logged_in().build();
    populate(&env, &[]);
    let files = env.snapshot_files();
    // The same login against a portal that answers every call with a 500.
    let broken = sesame_emulator::spawn(EmulatorConfig {
        fault_500: 1.0,
        ..EmulatorConfig::default()
    })
    .unwrap();
    // Two attempts are enough to prove a call that keeps failing fails the run (the default ten
    // back off for half a minute).
    let out = env
        .sesame()
        .env("AWS_ENDPOINT_URL_SSO", broken.url())
        .env("SESAME_MAX_ATTEMPTS", "2")
        .args(["populate", "--prune"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "InternalServerException");
    assert_eq!(env.snapshot_files(), files);
}

#[test]
fn credential_process_profiles_fetch_credentials_through_botocore() {
    let env = TestEnv::builder().accounts(2).logged_in().build();
    let sesame = assert_cmd::cargo::cargo_bin("sesame");
    populate(
        &env,
        &[
            "--style",
            "credential-process",
            "--credential-process-command",
            sesame.to_str().unwrap(),
        ],
    );
    let all = check(&env, &["profiles"]);
    let (name, p) = all
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, p)| p.get("credential_process").is_some())
        .expect("a credential_process profile");
    let argv = p["credential_process_argv"].as_array().unwrap();
    let (account, role) = (argv[3].as_str().unwrap(), argv[5].as_str().unwrap());
    // botocore's ProcessProvider runs `sesame credential-process --account A --role R
    // --sso-session acme` and accepts its output.
    let creds = check(&env, &["creds", name]);
    let key = creds["AccessKeyId"].as_str().unwrap();
    assert_eq!(
        env.emulator.whoami(key),
        Some((account.to_owned(), role.to_owned()))
    );
}

#[test]
fn a_legacy_profile_reuses_the_sso_session_of_its_start_url() {
    let env = TestEnv::builder().accounts(2).build();
    let start = format!("{}/start", env.url());
    let mine = format!(
        "[sso-session corp]\nsso_start_url = {start}\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n\n\
         [profile legacy]\nsso_start_url = {start}\nsso_region = us-east-1\nsso_account_id = 111111111111\nsso_role_name = Admin\n"
    );
    env.write_config(&mine);
    let login = env
        .sesame()
        .args(["login", "--device-code", "--profile", "legacy"])
        .output()
        .unwrap();
    assert_success(&login);
    populate(&env, &["--session-of", "legacy"]);
    let text = config(&env);
    assert_eq!(
        text.matches("[sso-session ").count(),
        1,
        "no second [sso-session] for the same start URL:\n{text}"
    );
    assert!(text.starts_with(&mine), "{text}");
    assert!(
        text.contains("# BEGIN sesame populate (sso-session corp)"),
        "{text}"
    );
    let profiles = generated_in(&env, "corp");
    assert_eq!(sorted_values(&profiles), all_targets(&env.emulator));
    assert!(!text.contains("sso_session = 127"), "{text}");
}

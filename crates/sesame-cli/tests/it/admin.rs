//! `sesame admin` against moto's server (organizations, sso-admin, identitystore, IAM), seeded
//! by the test with boto3; the rows expected are computed from the same backend with boto3
//! (tests/support/moto_admin.py). After seeding, moto checks every request's SigV4 signature
//! and the caller's IAM policy, so these tests also prove the signing.

use std::collections::BTreeSet;
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use crate::common::{
    Moto, assert_clean_failure, assert_success, clean_command, py_script, sesame_bin, stderr,
    stdout,
};

/// A region where the patched moto has no Identity Center instance.
const NO_INSTANCE_REGION: &str = "ap-southeast-4";

/// The seeded backend every test here shares (read-only after seeding).
struct World {
    moto: Moto,
    seed: Value,
}

fn world() -> &'static World {
    static WORLD: OnceLock<Mutex<Option<&'static World>>> = OnceLock::new();
    let cell = WORLD.get_or_init(|| Mutex::new(None));
    let mut guard = cell.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(w) = *guard {
        return w;
    }
    let moto = Moto::admin(NO_INSTANCE_REGION);
    let out = Command::new("python3")
        .arg(py_script("moto_admin.py"))
        .args(["world", &moto.url])
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "seeding failed (boto3 and moto[server] from requirements-test.txt?):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seed: Value = serde_json::from_slice(&out.stdout).expect("the seed's JSON");
    let w: &'static World = Box::leak(Box::new(World { moto, seed }));
    *guard = Some(w);
    w
}

impl World {
    fn key(&self, user: &str) -> (String, String) {
        let k = &self.seed["keys"][user];
        (
            k["id"].as_str().unwrap().to_owned(),
            k["secret"].as_str().unwrap().to_owned(),
        )
    }

    fn s(&self, path: &[&str]) -> String {
        let mut v = &self.seed;
        for p in path {
            v = &v[*p];
        }
        v.as_str()
            .unwrap_or_else(|| panic!("{path:?} in the seed"))
            .to_owned()
    }

    /// `sesame` with only HOME, PATH, the moto endpoint, a region and the admin user's keys.
    fn sesame(&self, home: &std::path::Path) -> Command {
        let (id, secret) = self.key("sesame-admin");
        let mut cmd = clean_command(sesame_bin(), home);
        cmd.env("AWS_ENDPOINT_URL", &self.moto.url)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", id)
            .env("AWS_SECRET_ACCESS_KEY", secret);
        cmd
    }

    fn admin(&self, args: &[&str]) -> Output {
        let home = tempfile::tempdir().unwrap();
        self.sesame(home.path())
            .arg("admin")
            .args(args)
            .args(["--rate", "400", "--concurrency", "16"])
            .output()
            .unwrap()
    }
}

/// Rows as a sorted multiset of their JSON text, so order does not matter but duplicates do.
fn rows(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|r| serde_json::to_string(r).unwrap())
        .collect();
    out.sort();
    out
}

#[test]
fn assignments_equal_what_boto3_computes_for_the_whole_set_and_each_filter() {
    let w = world();
    let cases = w.seed["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    // Four sesame runs at a time: moto (one Python process) is the bottleneck beyond that.
    let failures: Vec<String> = std::thread::scope(|scope| {
        let chunks: Vec<Vec<&Value>> = (0..4)
            .map(|i| cases.iter().skip(i).step_by(4).collect())
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .into_iter()
                        .filter_map(|c| check_case(w, c))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The whole set is not trivially small, and the filters do cut it.
    let everything = cases[0]["expected"].as_array().unwrap().len();
    assert_eq!(everything, w.seed["truth_count"].as_u64().unwrap() as usize);
    assert!(everything >= 10);
}

/// Runs one case; its failure, if any.
fn check_case(w: &World, case: &Value) -> Option<String> {
    let name = case["name"].as_str().unwrap();
    let mut args = vec!["assignments", "-o", "json"];
    args.extend(
        case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap()),
    );
    let out = w.admin(&args);
    if !out.status.success() {
        return Some(format!(
            "{name}: exit {:?}: {}",
            out.status.code(),
            stderr(&out)
        ));
    }
    let got: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    let (got, want) = (rows(&got), rows(&case["expected"]));
    if got == want {
        return None;
    }
    let missing: Vec<_> = want.iter().filter(|r| !got.contains(r)).collect();
    let extra: Vec<_> = got.iter().filter(|r| !want.contains(r)).collect();
    Some(format!(
        "{name} ({args:?}):\n  missing {missing:#?}\n  extra {extra:#?}"
    ))
}

#[test]
fn csv_streams_the_same_rows_and_the_table_shows_names() {
    let w = world();
    let json = w.admin(&["assignments", "-o", "json", "--names", "--expand-groups"]);
    assert_success(&json);
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    let csv = w.admin(&["assignments", "-o", "csv", "--names", "--expand-groups"]);
    assert_success(&csv);
    let text = stdout(&csv);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header,
        [
            "instance_arn",
            "principal_type",
            "principal_id",
            "principal_name",
            "permission_set_arn",
            "permission_set_name",
            "target_type",
            "target_id",
            "target_name",
            "via_group_id",
            "via_group_name"
        ]
    );
    let from_csv: BTreeSet<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    let from_json: BTreeSet<Vec<String>> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            header
                .iter()
                .map(|h| r[*h].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .collect();
    assert_eq!(from_csv, from_json);

    let table = w.admin(&[
        "assignments",
        "--names",
        "--principal",
        "alice",
        "--expand-groups",
    ]);
    assert_success(&table);
    let t = stdout(&table);
    let head = t.lines().next().unwrap();
    for col in [
        "TYPE",
        "PRINCIPAL",
        "PERMISSION SET",
        "ACCOUNT ID",
        "ACCOUNT NAME",
        "VIA GROUP",
    ] {
        assert!(head.contains(col), "{head}");
    }
    // alice directly, and through both of her groups.
    assert!(
        t.lines()
            .any(|l| l.contains("alice") && l.contains("AdminAccess") && l.contains("prod-api")),
        "{t}"
    );
    assert!(
        t.lines()
            .any(|l| l.contains("alice") && l.contains("eng-admins")),
        "{t}"
    );
    assert!(
        t.lines()
            .any(|l| l.contains("alice") && l.contains("eng-readers")),
        "{t}"
    );
}

#[test]
fn lookup_translates_names_and_ids_both_ways() {
    let w = world();
    let lookup = |args: &[&str]| -> Vec<Value> {
        let mut all = vec!["lookup"];
        all.extend_from_slice(args);
        all.extend(["-o", "json"]);
        let out = w.admin(&all);
        assert_success(&out);
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    };
    let alice = w.s(&["users", "alice"]);
    for arg in ["alice", alice.as_str()] {
        let found = lookup(&["user", arg]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0]["type"], "USER");
        assert_eq!(found[0]["id"], alice.as_str());
        assert_eq!(found[0]["name"], "alice");
    }
    let group = w.s(&["groups", "eng-readers"]);
    let found = lookup(&["group", &group]);
    assert_eq!(
        (found[0]["id"].as_str(), found[0]["name"].as_str()),
        (Some(group.as_str()), Some("eng-readers"))
    );
    let found = lookup(&["principal", "eng-*", "dave"]);
    let names: BTreeSet<&str> = found.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, BTreeSet::from(["dave", "eng-admins", "eng-readers"]));

    let ro = w.s(&["permission_sets", "ReadOnly"]);
    let found = lookup(&["permission-set", "ReadOnly"]);
    assert_eq!(
        (found.len(), found[0]["id"].as_str()),
        (1, Some(ro.as_str()))
    );
    let found = lookup(&["permission-set", &ro]);
    assert_eq!(found[0]["name"], "ReadOnly");
    let ps_id = ro.rsplit('/').next().unwrap();
    assert_eq!(lookup(&["permission-set", ps_id])[0]["name"], "ReadOnly");

    let sec = w.s(&["accounts", "security"]);
    assert_eq!(lookup(&["account", &sec])[0]["name"], "security");
    assert_eq!(lookup(&["account", "security"])[0]["id"], sec.as_str());
    assert_eq!(lookup(&["account", "sandbox-*"]).len(), 22);

    let found = lookup(&["instance"]);
    assert_eq!(found[0]["id"], w.s(&["instance_arn"]).as_str());
    assert_eq!(
        found[0]["identity_store_id"],
        w.s(&["identity_store_id"]).as_str()
    );
}

#[test]
fn a_profile_with_static_keys_and_services_endpoints_works() {
    let w = world();
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    let url = &w.moto.url;
    std::fs::write(
        aws.join("config"),
        format!(
            "[profile admin]\nregion = us-east-1\nservices = moto\n\n[services moto]\nsso_admin =\n  endpoint_url = {url}\nidentitystore =\n  endpoint_url = {url}\norganizations =\n  endpoint_url = {url}\n"
        ),
    )
    .unwrap();
    let (id, secret) = w.key("sesame-admin");
    std::fs::write(
        aws.join("credentials"),
        format!("[admin]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n"),
    )
    .unwrap();
    let mut cmd = clean_command(sesame_bin(), home.path());
    // Wrong keys in the environment: an explicit --profile skips them, as botocore does.
    cmd.env("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG1")
        .env("AWS_SECRET_ACCESS_KEY", "wrong");
    let out = cmd
        .args([
            "admin",
            "assignments",
            "--profile",
            "admin",
            "--principal",
            "carol",
            "-o",
            "json",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let targets: BTreeSet<&str> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["target_name"].as_str().unwrap())
        .collect();
    assert_eq!(targets, BTreeSet::from(["sandbox-07", "sandbox-21"]));
}

#[test]
fn bad_input_is_one_clear_line_and_a_non_zero_exit() {
    let w = world();
    let inst = w.s(&["instance_arn"]);
    let missing_ps = format!("{inst}/ps-0000000000000000");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--principal", "nobody"], "unknown principal `nobody`"),
        (
            vec!["--principal", "01234567-89ab-cdef-0123-456789abcdef"],
            "unknown principal",
        ),
        (
            vec!["--principal", "GROUP:alice"],
            "unknown principal `GROUP:alice`",
        ),
        (
            vec!["--permission-set", "NoSuchSet"],
            "unknown permission set `NoSuchSet`",
        ),
        (
            vec!["--permission-set", &missing_ps],
            "unknown permission set",
        ),
        (
            vec!["--permission-set", "ps-abcdef0123456789"],
            "unknown permission set",
        ),
        (
            vec!["--target", "ou-zzzz-zzzzzzzz"],
            "unknown target `ou-zzzz-zzzzzzzz`",
        ),
        (vec!["--target", "no-such-account"], "unknown target"),
        (vec!["--target", "AWS_ACCOUNT:12"], "invalid target"),
        (
            vec![
                "--instance-arn",
                "arn:aws:sso:::instance/ssoins-0000000000000000",
            ],
            "no IAM Identity Center instance `arn:aws:sso:::instance/ssoins-0000000000000000`",
        ),
        (
            vec!["--region", NO_INSTANCE_REGION],
            "no IAM Identity Center instance in region ap-southeast-4",
        ),
    ];
    for (args, needle) in cases {
        let mut all = vec!["assignments"];
        all.extend(args);
        let out = w.admin(&all);
        assert_clean_failure(&out, 1, needle);
        assert!(stderr(&out).contains("hint:"), "{}", stderr(&out));
        assert!(out.stdout.is_empty(), "{}", stdout(&out));
    }
    let out = w.admin(&["lookup", "instance", "--region", NO_INSTANCE_REGION]);
    assert_clean_failure(&out, 1, "no IAM Identity Center instance");
}

#[test]
fn refused_credentials_and_missing_rights_are_access_denied() {
    let w = world();
    let (id, secret) = w.key("no-rights");
    let (admin_id, _) = w.key("sesame-admin");
    for (key, sec, needle) in [
        (id.as_str(), secret.as_str(), "AccessDenied"),
        (admin_id.as_str(), "not-the-secret", "SignatureDoesNotMatch"),
        ("AKIAUNKNOWNUNKNOWN00", "whatever", "InvalidClientTokenId"),
    ] {
        let home = tempfile::tempdir().unwrap();
        let out = w
            .sesame(home.path())
            .env("AWS_ACCESS_KEY_ID", key)
            .env("AWS_SECRET_ACCESS_KEY", sec)
            .args(["admin", "assignments"])
            .output()
            .unwrap();
        assert_clean_failure(&out, 1, "access denied");
        assert_clean_failure(&out, 1, needle);
        assert!(
            !stderr(&out).contains(sec),
            "the secret leaked: {}",
            stderr(&out)
        );
    }
}

#[test]
fn credentials_that_cannot_be_used_are_named() {
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    std::fs::write(
        aws.join("config"),
        "[profile sso]\nsso_session = acme\nregion = us-east-1\n",
    )
    .unwrap();
    let sesame = |args: &[&str]| {
        clean_command(sesame_bin(), home.path())
            .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
            .args(args)
            .output()
            .unwrap()
    };
    let out = sesame(&["admin", "assignments", "--profile", "sso"]);
    assert_clean_failure(
        &out,
        1,
        "profile `sso` has no credentials (no SSO keys, aws_access_key_id or credential_process)",
    );
    let out = sesame(&["admin", "assignments", "--region", "us-east-1"]);
    assert_clean_failure(&out, 1, "no AWS credentials");
    let out = sesame(&["admin", "lookup", "user", "x", "--profile", "nope"]);
    assert_clean_failure(&out, 1, "profile `nope` is not in");
}

/// `--profile` naming an SSO profile: its role credentials come from the library's one resolver
/// (the AWS CLI v2 cache, else GetRoleCredentials through the login), as for `sesame api`.
#[test]
fn an_sso_profile_signs_the_admin_calls() {
    let w = world();
    let env = crate::common::TestEnv::new();
    env.login();
    let account = env.emulator.account_ids()[0].clone();
    let role = env.emulator.roles_of(&account)[0].clone();
    env.append_config(&format!(
        "\n[profile adm]\nsso_session = acme\nsso_account_id = {account}\nsso_role_name = {role}\nregion = us-east-1\n"
    ));
    let admin = |args: &[&str]| {
        env.sesame()
            .env("AWS_ENDPOINT_URL_SSO_ADMIN", &w.moto.url)
            .env("AWS_ENDPOINT_URL_IDENTITYSTORE", &w.moto.url)
            .env("AWS_ENDPOINT_URL_ORGANIZATIONS", &w.moto.url)
            .arg("admin")
            .args(args)
            .args(["--profile", "adm", "--output", "json"])
            .output()
            .unwrap()
    };
    // Fetched through the login: moto does not know the emulator's keys, so it refuses them,
    // which shows they signed the call; the AWS CLI v2 cache entry is written.
    let out = admin(&["lookup", "instance"]);
    assert_clean_failure(&out, 1, "InvalidClientTokenId");
    assert_eq!(env.emulator.stats().role_credentials_issued, 1);
    let cache_dir = env.home.path().join(".aws/cli/cache");
    let entries: Vec<_> = std::fs::read_dir(&cache_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    // The same entry holding keys moto knows (as if `aws` had cached them): used as they are,
    // with no second GetRoleCredentials, and the call succeeds.
    let (id, secret) = w.key("sesame-admin-role");
    let token = w.s(&["keys", "sesame-admin-role", "token"]);
    let mut entry: Value = serde_json::from_slice(&std::fs::read(&entries[0]).unwrap()).unwrap();
    entry["Credentials"]["AccessKeyId"] = id.into();
    entry["Credentials"]["SecretAccessKey"] = secret.into();
    entry["Credentials"]["SessionToken"] = token.into();
    std::fs::write(&entries[0], serde_json::to_vec(&entry).unwrap()).unwrap();
    let out = admin(&["lookup", "instance"]);
    assert_success(&out);
    let found: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(found[0]["id"], w.s(&["instance_arn"]).as_str());
    assert_eq!(env.emulator.stats().role_credentials_issued, 1);
}

/// `--profile` naming an assume-role profile: the admin calls are signed with the role's keys
/// (its source, a user allowed nothing but sts:AssumeRole, could not make them).
#[test]
fn an_assume_role_profile_signs_the_admin_calls() {
    let w = world();
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    let (id, secret) = w.key("assumer");
    std::fs::write(
        aws.join("config"),
        format!(
            "[profile weak]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n\
             [profile adm]\nrole_arn = arn:aws:iam::123456789012:role/sesame-admin-role\nsource_profile = weak\nregion = us-east-1\n"
        ),
    )
    .unwrap();
    let admin = |profile: &str| {
        w.sesame(home.path())
            .args(["admin", "assignments", "--profile", profile])
            .args(["--principal", "carol", "-o", "json"])
            .output()
            .unwrap()
    };
    assert_clean_failure(&admin("weak"), 1, "AccessDenied");
    let out = admin("adm");
    assert_success(&out);
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let targets: BTreeSet<&str> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["target_name"].as_str().unwrap())
        .collect();
    assert_eq!(targets, BTreeSet::from(["sandbox-07", "sandbox-21"]));
    assert!(
        std::fs::read_dir(aws.join("cli/cache")).unwrap().any(|e| e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .ends_with(".json"))
    );
}

#[test]
fn the_walk_shows_progress_on_a_terminal_and_nothing_off_it() {
    let w = world();
    let home = tempfile::tempdir().unwrap();
    let (id, secret) = w.key("sesame-admin");
    let argv = serde_json::json!([
        sesame_bin().display().to_string(),
        "admin",
        "assignments",
        "-o",
        "json",
        // Slow enough for the line to be drawn.
        "--rate",
        "20"
    ]);
    let out = clean_command("python3", home.path())
        .arg(py_script("pty_drive.py"))
        .args([argv.to_string(), "[]".to_owned()])
        .env("TERM", "xterm")
        .env("AWS_ENDPOINT_URL", &w.moto.url)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", id)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .output()
        .unwrap();
    let screen = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{screen}");
    let at = screen.rfind("walking: ").expect("a progress line");
    let after = &screen[at..];
    // `walking: 3/5 accounts, 12 calls, 0 retries, 19.6/s [0s]`, erased before the JSON.
    let frame = &after[..after.find(['\r', '\n']).unwrap()];
    assert!(
        frame.contains(" accounts, ") && frame.contains(" retries, "),
        "{frame}"
    );
    let json_at = after.find("instance_arn").expect("the JSON follows");
    assert!(
        after[..json_at].contains("\x1b[2K"),
        "{:?}",
        &after[..json_at]
    );

    let out = w.admin(&["assignments", "-o", "json"]);
    assert_success(&out);
    assert_eq!(stderr(&out), "", "no progress off a terminal");
}

#[test]
fn an_instance_without_list_regions_is_single_region() {
    // moto has no ListRegions; moto_admin.py answers it as AWS answers an operation it does
    // not have (UnknownOperationException), as an older instance or partition would.
    let w = world();
    let out = w.admin(&["lookup", "instance", "-o", "json"]);
    assert_success(&out);
    let found: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found[0]["primary_region"], "us-east-1");
    let regions = found[0]["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 1);
    assert_eq!(regions[0]["name"], "us-east-1");
    let out = w.admin(&["assignments", "--principal", "carol", "-o", "json", "-v"]);
    assert_success(&out);
    assert_eq!(
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(
        stderr(&out).contains("single-Region, everything read in us-east-1"),
        "{}",
        stderr(&out)
    );
}

/// The proxy's counters: requests forwarded to moto, throttled, failed.
fn proxy_stats(url: &str) -> Value {
    use std::io::{Read as _, Write as _};
    let addr = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET /_proxy/stats HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    serde_json::from_str(text.split("\r\n\r\n").nth(1).unwrap()).unwrap()
}

/// Behind a proxy that throttles half the requests at random, or fails a tenth with 500s,
/// `admin assignments` prints exactly the rows it prints without faults, within a small
/// factor of the requests moto answered (RELIABILITY.md, "Faults").
#[test]
fn assignments_are_the_same_under_random_throttles_and_faults() {
    let w = world();
    let clean = w.admin(&["assignments", "-o", "json"]);
    assert_success(&clean);
    let expected = rows(&serde_json::from_slice(&clean.stdout).unwrap());
    assert!(expected.len() >= 10);
    for (p429, p500) in [(0.5, 0.0), (0.0, 0.1)] {
        let proxy = Moto::fault_proxy(&w.moto.url, p429, p500);
        let home = tempfile::tempdir().unwrap();
        let out = w
            .sesame(home.path())
            .env("AWS_ENDPOINT_URL", &proxy.url)
            .env("SESAME_DEADLINE", "120")
            .args(["admin", "assignments", "-o", "json"])
            .args(["--rate", "400", "--concurrency", "16"])
            .output()
            .unwrap();
        assert_success(&out);
        assert_eq!(
            rows(&serde_json::from_slice(&out.stdout).unwrap()),
            expected,
            "429 {p429}, 500 {p500}"
        );
        let stats = proxy_stats(&proxy.url);
        let forwarded = stats["forwarded"].as_u64().unwrap();
        let injected = stats["throttled"].as_u64().unwrap() + stats["failed"].as_u64().unwrap();
        eprintln!("admin assignments, 429 {p429}, 500 {p500}: {stats}");
        assert!(injected > 0, "{stats}");
        assert!(forwarded + injected <= 3 * forwarded, "{stats}");
    }
}

/// `admin assignments` over 320 accounts (an organization wider than the sweeps' 300), clean,
/// then behind the fault proxy at 50 % throttles and at 10 % server faults: the same rows each
/// time, as many as were created, within a small factor of the requests moto answered.
#[test]
fn assignments_over_320_accounts_are_the_same_under_throttles_and_faults() {
    let moto = Moto::admin_with(&[]);
    let seeded = Command::new("python3")
        .arg(py_script("moto_admin.py"))
        .args(["wide-world", &moto.url, "320"])
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("python3 runs");
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let seed: Value = serde_json::from_slice(&seeded.stdout).unwrap();
    let home = tempfile::tempdir().unwrap();
    let admin = |endpoint: &str| {
        let start = std::time::Instant::now();
        let out = clean_command(sesame_bin(), home.path())
            .env("AWS_ENDPOINT_URL", endpoint)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .env("SESAME_DEADLINE", "300")
            .args(["admin", "assignments", "-o", "json"])
            .args(["--rate", "400", "--concurrency", "16"])
            .output()
            .unwrap();
        assert_success(&out);
        (
            rows(&serde_json::from_slice(&out.stdout).unwrap()),
            start.elapsed().as_secs_f64(),
        )
    };
    let (expected, clean_secs) = admin(&moto.url);
    assert_eq!(expected.len() as u64, seed["assignments"].as_u64().unwrap());
    let accounts: BTreeSet<String> = expected
        .iter()
        .map(|r| serde_json::from_str::<Value>(r).unwrap()["target_id"].to_string())
        .collect();
    assert_eq!(accounts.len(), 320, "every account has a row");
    eprintln!("admin assignments, 320 accounts, fault-free: {clean_secs:.1}s");
    for (p429, p500) in [(0.5, 0.0), (0.0, 0.1)] {
        let proxy = Moto::fault_proxy(&moto.url, p429, p500);
        let (got, secs) = admin(&proxy.url);
        assert_eq!(got, expected, "429 {p429}, 500 {p500}");
        let stats = proxy_stats(&proxy.url);
        let forwarded = stats["forwarded"].as_u64().unwrap();
        let injected = stats["throttled"].as_u64().unwrap() + stats["failed"].as_u64().unwrap();
        eprintln!("admin assignments, 320 accounts, 429 {p429}, 500 {p500}: {secs:.1}s, {stats}");
        assert!(injected > 0, "{stats}");
        assert!(forwarded + injected <= 3 * forwarded, "{stats}");
    }
}

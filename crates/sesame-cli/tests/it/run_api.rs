//! `sesame run --api` with `sesame api`'s options (-d @FILE / @-, -i, --output-dir, --presign),
//! against the botocore-verifying loopback server, which checks every request's signature with
//! the credentials the emulator issued to that target (and that target's session token).

use std::collections::BTreeSet;
use std::io::{Read as _, Write as _};
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use sha2::Digest as _;

use crate::common::PyServer;
use crate::common::{TestEnv, assert_clean_failure, assert_success, stderr, stdout};
use crate::run::world;

const ACCOUNTS: usize = 8;
const REGION: &str = "eu-west-1";

/// Every target's credentials, by access key: `(account, role, secret, token)`. Running a
/// command once also warms the role cache, so `--api` signs with these same keys.
fn target_keys(env: &TestEnv) -> Vec<(String, String, String, String)> {
    let out = env
        .sesame()
        .args(["run", "--yes", "--", "sh", "-c"])
        .arg(r#"echo "$SESAME_ACCOUNT_ID $SESAME_ROLE_NAME $AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN""#)
        .output()
        .unwrap();
    assert_success(&out);
    let keys: Vec<_> = stdout(&out)
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split_once("] ").unwrap().1.split(' ').collect();
            (
                f[0].to_owned(),
                f[1].to_owned(),
                f[2].to_owned(),
                format!("{}\u{0}{}", f[3], f[4]),
            )
        })
        .collect();
    assert_eq!(keys.len(), ACCOUNTS);
    keys
}

/// A verifier that knows exactly these targets' keys (each with its own session token).
fn verifier_for(env: &TestEnv) -> PyServer {
    let keys: serde_json::Map<String, serde_json::Value> = target_keys(env)
        .into_iter()
        .map(|(_, _, key, secret_token)| {
            let (secret, token) = secret_token.split_once('\u{0}').unwrap();
            (key, serde_json::json!([secret, token]))
        })
        .collect();
    let keys = serde_json::Value::Object(keys).to_string();
    PyServer::start("sigv4_verifier.py", &[("SIGV4_KEYS", &keys)])
}

/// `sesame run --yes --regions REGION --api URL --service sts ...`.
fn run_api(env: &TestEnv, url: &str) -> assert_cmd::Command {
    let mut cmd = env.sesame();
    cmd.args(["run", "--yes", "--regions", REGION, "--api", url])
        .args(["--service", "sts"]);
    cmd
}

fn items(out: &std::process::Output) -> Vec<serde_json::Value> {
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)));
    v.as_array().expect("a JSON array").clone()
}

/// Checks that the verifier's answer `seen` was signed by `item`'s own target, and returns the
/// (account, role) it names.
#[track_caller]
fn signed_by_its_target(env: &TestEnv, item: &serde_json::Value, seen: &serde_json::Value) {
    let key = seen["access_key"]
        .as_str()
        .expect("the verifier names the key");
    assert_eq!(
        env.emulator.whoami(key),
        Some((
            item["accountId"].as_str().unwrap().to_owned(),
            item["roleName"].as_str().unwrap().to_owned()
        )),
        "{item}"
    );
    assert_eq!(seen["region"], REGION);
    assert_eq!(seen["service"], "sts");
}

/// A body that is not text: every byte value, several times over.
fn binary_body() -> Vec<u8> {
    (0..200_000u32).map(|i| (i * 7 % 256) as u8).collect()
}

#[test]
fn a_body_from_a_file_or_stdin_reaches_every_target_identically() {
    let env = world(ACCOUNTS);
    let server = verifier_for(&env);
    let url = format!("{}/", server.url());
    let body = binary_body();
    let want = hex::encode(sha2::Sha256::digest(&body));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body.bin");
    std::fs::write(&file, &body).unwrap();

    let from_file = run_api(&env, &url)
        .arg("-d")
        .arg(format!("@{}", file.display()))
        .output()
        .unwrap();
    let from_stdin = run_api(&env, &url)
        .args(["-d", "@-", "-i"])
        .write_stdin(body.clone())
        .output()
        .unwrap();
    for out in [&from_file, &from_stdin] {
        assert_success(out);
        let items = items(out);
        assert_eq!(items.len(), ACCOUNTS, "one result per target");
        let mut accounts = BTreeSet::new();
        for item in &items {
            assert_eq!(item["status"], 200, "{item}");
            let seen = &item["body"];
            assert_eq!(seen["method"], "POST");
            assert_eq!(
                seen["body_sha256"],
                want.as_str(),
                "the whole body, unchanged"
            );
            signed_by_its_target(&env, item, seen);
            accounts.insert(item["accountId"].as_str().unwrap().to_owned());
        }
        assert_eq!(accounts.len(), ACCOUNTS, "every account once");
    }
    // Without -i no headers; with it, each target's own response headers.
    assert!(items(&from_file).iter().all(|i| i.get("headers").is_none()));
    for item in items(&from_stdin) {
        let headers = &item["headers"];
        assert_eq!(headers["content-type"], "application/json", "{item}");
        let len: usize = headers["content-length"].as_str().unwrap().parse().unwrap();
        assert!(len > 0, "{item}");
    }
}

#[test]
fn output_dir_writes_one_private_file_per_target() {
    let env = world(ACCOUNTS);
    let server = verifier_for(&env);
    let url = format!("{}/", server.url());
    let dir = tempfile::tempdir().unwrap();
    let out = run_api(&env, &url)
        .args(["-d", "Action=GetCallerIdentity&Version=2011-06-15"])
        .arg("--output-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_success(&out);
    let items = items(&out);
    assert_eq!(items.len(), ACCOUNTS);
    let mut files = BTreeSet::new();
    for item in &items {
        assert!(
            item.get("body").is_none(),
            "the body is in the file: {item}"
        );
        let path = Path::new(item["file"].as_str().expect("the file is named"));
        assert_eq!(path.parent(), Some(dir.path()));
        let name = path.file_name().unwrap().to_str().unwrap();
        assert_eq!(
            name,
            format!(
                "{}-{}-{REGION}",
                item["accountId"].as_str().unwrap(),
                item["roleName"].as_str().unwrap()
            )
        );
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name}");
        let seen: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        signed_by_its_target(&env, item, &seen);
        files.insert(name.to_owned());
    }
    let on_disk: BTreeSet<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(on_disk, files, "one file per target and nothing else");
}

/// A plain HTTP GET of `url` (the verifier speaks HTTP/1.1): the status and body.
fn http_get(url: &str) -> (u16, Vec<u8>) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut conn = std::net::TcpStream::connect(host).unwrap();
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    conn.read_to_end(&mut answer).unwrap();
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&answer[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, answer[split + 4..].to_vec())
}

#[test]
fn presign_gives_each_target_a_url_signed_with_its_own_credentials() {
    let env = world(ACCOUNTS);
    let server = verifier_for(&env);
    let url = format!("{}/", server.url());
    let out = run_api(&env, &url)
        .args(["--presign", "--expires", "900"])
        .output()
        .unwrap();
    assert_success(&out);
    let items = items(&out);
    assert_eq!(items.len(), ACCOUNTS);
    let mut urls = BTreeSet::new();
    for item in &items {
        assert!(item.get("status").is_none(), "nothing was sent: {item}");
        let presigned = item["url"].as_str().expect("a URL per target");
        assert!(presigned.contains("X-Amz-Expires=900"), "{presigned}");
        let (status, body) = http_get(presigned);
        let seen: serde_json::Value = serde_json::from_slice(&body)
            .unwrap_or_else(|_| panic!("{status}: {}", String::from_utf8_lossy(&body)));
        assert_eq!(status, 200, "{seen}");
        assert_eq!(seen["presigned"], true);
        signed_by_its_target(&env, item, &seen);
        urls.insert(presigned.to_owned());
    }
    assert_eq!(urls.len(), ACCOUNTS);
    assert!(
        stderr(&out).contains(&format!("{ACCOUNTS} ok, 0 failed")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn dry_run_shows_the_request_and_the_targets_without_secrets() {
    let env = world(ACCOUNTS);
    let out = env
        .sesame()
        .args(["run", "--dry-run", "--regions", REGION])
        .args(["--api", "http://127.0.0.1:9/", "--service", "sts"])
        .args(["-d", "Action=GetCallerIdentity&Version=2011-06-15"])
        .output()
        .unwrap();
    assert_success(&out);
    let err = stderr(&out);
    assert!(err.contains("> POST http://127.0.0.1:9/"), "{err}");
    assert!(
        err.contains("> Content-Type: application/x-www-form-urlencoded"),
        "{err}"
    );
    assert!(err.contains("(43 bytes of body"), "{err}");
    assert!(!err.contains("Authorization") && !err.contains("Signature"));
    assert_eq!(items(&out).len(), ACCOUNTS);
    assert_eq!(env.emulator.stats().role_credentials_issued, 0);
}

#[test]
fn aws_json_targets_take_the_json_version() {
    let env = world(ACCOUNTS);
    for (version, content_type) in [
        (None, "application/x-amz-json-1.1"),
        (Some("1.0"), "application/x-amz-json-1.0"),
    ] {
        let mut cmd = env.sesame();
        cmd.args(["run", "--dry-run", "--regions", REGION])
            .args(["--api", "http://127.0.0.1:9/", "--service", "dynamodb"])
            .args(["--target", "DynamoDB_20120810.ListTables"]);
        if let Some(v) = version {
            cmd.args(["--json-version", v]);
        }
        let out = cmd.output().unwrap();
        assert_success(&out);
        let err = stderr(&out);
        assert!(
            err.contains(&format!("> Content-Type: {content_type}")),
            "{err}"
        );
        assert!(
            err.contains("> X-Amz-Target: DynamoDB_20120810.ListTables"),
            "{err}"
        );
    }
}

#[test]
fn bad_api_input_fails_with_one_line_and_writes_nothing() {
    let env = world(ACCOUNTS);
    let url = "http://127.0.0.1:9/";
    let scratch = tempfile::tempdir().unwrap();
    let not_a_dir = scratch.path().join("file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let missing = scratch.path().join("missing.json");
    let before = env.snapshot_files();
    // 1: a failure of the world (a file, a directory); 2: flags that cannot go together.
    let cases: [(Vec<String>, &str, &str, i32); 5] = [
        (
            vec!["-d".into(), format!("@{}", missing.display())],
            "cannot read the body",
            "check the path after @",
            1,
        ),
        (
            vec!["--output-dir".into(), not_a_dir.display().to_string()],
            "not a directory",
            "existing directory",
            1,
        ),
        (
            vec![
                "--output-dir".into(),
                scratch.path().join("nope").display().to_string(),
            ],
            "not a directory",
            "existing directory",
            1,
        ),
        (
            vec!["--presign".into(), "-d".into(), "x".into()],
            "--presign sends nothing, so -d",
            "drop -d",
            2,
        ),
        (
            vec!["--presign".into(), "--expires".into(), "0".into()],
            "--expires 0s is out of range",
            "between 1s and 7 days",
            2,
        ),
    ];
    for (extra, needle, hint, code) in cases {
        let out = run_api(&env, url).args(&extra).output().unwrap();
        assert_clean_failure(&out, code, needle);
        let err = stderr(&out);
        assert!(
            err.lines()
                .any(|l| l.starts_with("hint:") && l.contains(hint)),
            "{extra:?}: {err}"
        );
        assert_eq!(stdout(&out), "");
    }
    assert_eq!(env.snapshot_files(), before, "nothing changed under HOME");
    let left: Vec<_> = std::fs::read_dir(scratch.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "nothing written beside the scratch file");
    assert_eq!(env.emulator.stats().role_credentials_issued, 0);

    // Standard input was the body: no one is left to answer a question, so --yes is needed.
    let out = env
        .sesame()
        .args(["run", "--regions", REGION, "--api", url, "--service", "sts"])
        .args(["-d", "@-"])
        .write_stdin("{}")
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "standard input is the body");
    assert_eq!(env.emulator.stats().role_credentials_issued, 0);
}

#[test]
fn http_errors_fail_their_targets_and_fail_keeps_no_error_body() {
    let env = world(ACCOUNTS);
    let server = verifier_for(&env);
    let url = format!("{}/missing", server.url());
    let dir = tempfile::tempdir().unwrap();
    let plain = run_api(&env, &url).args(["-X", "GET"]).output().unwrap();
    let fail = run_api(&env, &url)
        .args(["-X", "GET", "--fail", "--output-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    for (out, failing) in [(&plain, false), (&fail, true)] {
        assert_eq!(out.status.code(), Some(1), "{}", stderr(out));
        assert!(
            stderr(out).contains(&format!("0 ok, {ACCOUNTS} failed")),
            "{}",
            stderr(out)
        );
        for item in items(out) {
            assert_eq!(item["status"], 404, "{item}");
            assert_eq!(item["ok"], false);
            assert!(
                item["error"].as_str().unwrap().starts_with("NoSuchKey: "),
                "{item}"
            );
            if failing {
                assert!(
                    item.get("file").is_none() && item["body"].is_null(),
                    "{item}"
                );
            } else {
                assert!(
                    item["body"]
                        .as_str()
                        .unwrap()
                        .contains("<Code>NoSuchKey</Code>")
                );
            }
        }
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no error body written"
    );
}

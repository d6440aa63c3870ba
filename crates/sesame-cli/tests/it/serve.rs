//! `sesame serve` and `sesame exec --server`: the real SDK providers (botocore's container and
//! IMDS providers, the AWS CLI v2) resolve through the server; credentials are renewed under a
//! running child; bad requests get the documented answers and the server stays up.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use sesame_emulator::EmulatorConfig;

use crate::common::{
    RoleWorld, TestEnv, assert_clean_failure, assert_success, aws_cli_v2, bare_command, py_script,
    stderr, stdout, wait_until,
};

/// A running `sesame serve`, stopped with SIGTERM on drop.
struct Server {
    child: Option<Child>,
    vars: serde_json::Map<String, serde_json::Value>,
}

impl Server {
    /// `sesame serve ARGS --format json`, once it has printed its variables.
    fn start(w: &RoleWorld, args: &[&str]) -> Server {
        let mut child = w
            .env
            .sesame_std()
            .arg("serve")
            .args(args)
            .args(["--format", "json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let vars = match serde_json::from_str(&line) {
            Ok(serde_json::Value::Object(m)) => m,
            _ => {
                let out = child.wait_with_output().unwrap();
                panic!("sesame serve printed {line:?}; stderr:\n{}", stderr(&out));
            }
        };
        Server {
            child: Some(child),
            vars,
        }
    }

    fn var(&self, name: &str) -> &str {
        self.vars[name].as_str().unwrap()
    }

    fn url(&self) -> &str {
        self.vars
            .get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
            .or_else(|| self.vars.get("AWS_EC2_METADATA_SERVICE_ENDPOINT"))
            .and_then(|v| v.as_str())
            .unwrap()
    }

    /// `127.0.0.1:PORT`.
    fn addr(&self) -> String {
        let rest = self.url().strip_prefix("http://").unwrap();
        rest.split('/').next().unwrap().to_owned()
    }

    fn token(&self) -> &str {
        self.var("AWS_CONTAINER_AUTHORIZATION_TOKEN")
    }

    /// SIGTERM, then its exit and stderr.
    fn stop(mut self) -> Output {
        let child = self.child.take().unwrap();
        terminate(child.id());
        child.wait_with_output().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            terminate(c.id());
            let _ = c.wait();
        }
    }
}

fn terminate(pid: u32) {
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
}

/// One HTTP/1.1 exchange on a new connection (`Connection: close`): the status and the body.
fn http(addr: &str, head: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {text:?}"));
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn get(addr: &str, path: &str, headers: &str) -> (u16, String) {
    http(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{headers}\r\n"),
    )
}

/// The `AccessKeyId` of `sesame creds PROFILE --format json`.
fn creds_key(w: &RoleWorld, profile: &str) -> String {
    let out = w
        .env
        .sesame()
        .args(["creds", profile, "--format", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["AccessKeyId"].as_str().unwrap().to_owned()
}

/// `serve_client.py ARGS` with only `vars` (and an empty HOME: no profile of its own).
fn botocore(vars: &[(&str, &str)], args: &[&str]) -> Output {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = bare_command("python3");
    cmd.arg(py_script("serve_client.py"))
        .args(args)
        .env("HOME", home.path())
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd.output().expect("python3 runs")
}

fn botocore_json(vars: &[(&str, &str)], args: &[&str]) -> serde_json::Value {
    let out = botocore(vars, args);
    assert!(out.status.success(), "botocore failed:\n{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn botocore_container_provider_resolves_through_the_server() {
    let w = RoleWorld::new();
    let key = creds_key(&w, "dev");
    let s = Server::start(&w, &["dev"]);
    assert!(s.url().starts_with("http://127.0.0.1:"), "{}", s.url());
    assert_eq!(s.var("AWS_REGION"), "eu-west-1");
    let v = botocore_json(
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", s.url()),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", s.token()),
        ],
        &["creds"],
    );
    assert_eq!(v["method"], "container-role");
    assert_eq!(v["access_key"], key.as_str());

    // The token from a file: as sesame writes it (0600, no newline) botocore sends it; with a
    // trailing newline (an `echo > file`), botocore refuses it before sending anything.
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("token");
    std::fs::write(&good, s.token()).unwrap();
    let bad = dir.path().join("token-nl");
    std::fs::write(&bad, format!("{}\n", s.token())).unwrap();
    let v = botocore_json(
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", s.url()),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                good.to_str().unwrap(),
            ),
        ],
        &["creds"],
    );
    assert_eq!(v["access_key"], key.as_str());
    let out = botocore(
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", s.url()),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                bad.to_str().unwrap(),
            ),
        ],
        &["creds"],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("not a legal header value"),
        "{}",
        stderr(&out)
    );
    // A wrong token: botocore gets the 403 and finds no credentials.
    let out = botocore(
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", s.url()),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "not-the-token"),
        ],
        &["creds"],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("403"), "{}", stderr(&out));
    assert!(!stderr(&out).contains(&key));

    let out = s.stop();
    assert_eq!(out.status.code(), Some(0), "SIGTERM stops it cleanly");
    assert!(!stderr(&out).contains(&key));
}

#[test]
fn serve_token_file_is_private_and_removed_at_exit() {
    let w = RoleWorld::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    let s = Server::start(&w, &["dev", "--token-file", path.to_str().unwrap()]);
    assert!(!s.vars.contains_key("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
    assert_eq!(
        s.var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
        path.to_str().unwrap()
    );
    let token = std::fs::read_to_string(&path).unwrap();
    assert!(!token.ends_with('\n') && token.len() >= 40);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let (status, _) = get(
        &s.addr(),
        "/v1/credentials",
        &format!("Authorization: {token}\r\n"),
    );
    assert_eq!(status, 200);
    let out = s.stop();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        !path.exists(),
        "the token file is removed when the server stops"
    );
}

#[test]
fn botocore_imds_provider_resolves_through_the_server() {
    let w = RoleWorld::new();
    let key = creds_key(&w, "dev");
    let s = Server::start(&w, &["dev", "--imds"]);
    assert!(!s.vars.contains_key("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
    let v = botocore_json(
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", s.url())],
        &["creds"],
    );
    assert_eq!(v["method"], "iam-role");
    assert_eq!(v["access_key"], key.as_str());

    // IMDSv1 (no session token) is refused, as on an instance that requires IMDSv2.
    let addr = s.addr();
    let path = "/latest/meta-data/iam/security-credentials/dev";
    let (status, body) = get(&addr, path, "");
    assert_eq!(status, 401);
    assert!(!body.contains(&key));
    let (status, _) = http(
        &addr,
        &format!("PUT /latest/api/token HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(status, 400, "a token request without its TTL");
    let (status, token) = http(
        &addr,
        &format!(
            "PUT /latest/api/token HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
             X-aws-ec2-metadata-token-ttl-seconds: 60\r\n\r\n"
        ),
    );
    assert_eq!(status, 200);
    let with = format!("X-aws-ec2-metadata-token: {token}\r\n");
    let (status, body) = get(&addr, "/latest/meta-data/iam/security-credentials/", &with);
    assert_eq!((status, body.as_str()), (200, "dev"));
    let (status, body) = get(&addr, path, &with);
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["Code"], "Success");
    assert_eq!(v["Type"], "AWS-HMAC");
    assert_eq!(v["AccessKeyId"], key.as_str());
    let (status, body) = get(
        &addr,
        "/latest/meta-data/iam/security-credentials/prod",
        &with,
    );
    assert_eq!(status, 404);
    assert!(body.contains("404 - Not Found"));
}

#[test]
fn aws_cli_v2_inside_exec_server_gets_the_same_credentials() {
    let w = RoleWorld::new();
    let key = creds_key(&w, "dev");
    let aws = aws_cli_v2();
    let out = w
        .env
        .sesame()
        .args(["exec", "--server", "dev", "--"])
        .arg(&aws)
        .args(["configure", "export-credentials", "--format", "process"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["AccessKeyId"], key.as_str());
    assert!(v["Expiration"].is_string());
}

#[test]
fn exec_server_child_environment_argv_and_exit() {
    let w = RoleWorld::new();
    let key = creds_key(&w, "dev");
    let out = w
        .env
        .sesame()
        .env("AWS_PROFILE", "dev")
        .env("AWS_ACCESS_KEY_ID", "AKIAFROMOUTSIDE")
        .args(["exec", "--server", "dev", "--", "sh", "-c"])
        .arg(
            "echo \"${AWS_ACCESS_KEY_ID-unset}|${AWS_PROFILE-unset}|$AWS_REGION\"; \
             echo \"$AWS_CONTAINER_CREDENTIALS_FULL_URI\"; \
             echo \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\"; \
             tr '\\0' ' ' < /proc/$$/cmdline; echo; tr '\\0' ' ' < /proc/$PPID/cmdline; echo; \
             exit 7",
        )
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    let mut lines = text.lines();
    assert_eq!(lines.next().unwrap(), "unset|unset|eu-west-1");
    let url = lines.next().unwrap().to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let token = lines.next().unwrap().to_owned();
    assert!(token.len() >= 40, "a token in the environment: {token:?}");
    let rest: String = lines.collect::<Vec<_>>().join("\n");
    assert!(
        !rest.contains(&key) && !rest.contains(&token),
        "no credential and no token in any argv: {rest}"
    );
    assert!(!stderr(&out).contains(&token));
    // The server ended with the child.
    let addr = url
        .strip_prefix("http://")
        .unwrap()
        .split('/')
        .next()
        .unwrap();
    assert!(TcpStream::connect(addr).is_err(), "the server is gone");

    // The token as a file, then gone.
    let out = w
        .env
        .sesame()
        .args(["exec", "--server", "--token-file", "dev", "--", "sh", "-c"])
        .arg(
            "f=$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE; echo \"$f\"; \
             echo \"${AWS_CONTAINER_AUTHORIZATION_TOKEN-unset}\"; stat -c %a \"$f\"",
        )
        .output()
        .unwrap();
    assert_success(&out);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(&lines[1..], ["unset", "600"]);
    assert!(!std::path::Path::new(lines[0]).exists());

    // IMDS for the child, and a child killed by a signal: 128 + its number, as a shell.
    let out = w
        .env
        .sesame()
        .args(["exec", "--server", "--imds", "dev", "--", "python3"])
        .arg(py_script("serve_client.py"))
        .arg("creds")
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["method"].as_str(), v["access_key"].as_str()),
        (Some("iam-role"), Some(key.as_str()))
    );
    let out = w
        .env
        .sesame()
        .args(["exec", "--server", "dev", "--", "sh", "-c", "kill -TERM $$"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(143));
}

#[test]
fn a_credential_that_expires_while_the_child_runs_is_renewed() {
    let w = RoleWorld::from_env(TestEnv::with(EmulatorConfig {
        auto_approve: true,
        credentials_lifetime: Duration::from_secs(12),
        ..EmulatorConfig::default()
    }));
    let before = w.grc();
    let out = w
        .env
        .sesame()
        .timeout(Duration::from_secs(120))
        .args(["exec", "--server", "dev", "--", "python3"])
        .arg(py_script("serve_client.py"))
        .args(["renew", "3"])
        .output()
        .unwrap();
    assert_success(&out);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["method"], "container-role");
    let keys: Vec<&str> = v["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 3, "three credentials in turn: {v}");
    for k in &keys {
        assert_eq!(
            w.env.emulator.whoami(k),
            Some((w.account.clone(), w.role.clone()))
        );
    }
    // One fetch per credential, not per request: the child asked many times (botocore asks
    // again whenever its credentials are near expiry, here always), the server fetched once per
    // half-life (plus, on a slow machine, one while python started and one ahead of a fourth).
    let fetches = w.grc() - before;
    let calls = v["calls"].as_u64().unwrap();
    assert!((3..=5).contains(&fetches), "{fetches} fetches for {v}");
    assert!(calls > 2 * fetches, "{fetches} fetches for {v}");
}

#[test]
fn bad_requests_get_their_answers_and_the_server_stays_up() {
    let w = RoleWorld::new();
    let key = creds_key(&w, "dev");
    let s = Server::start(&w, &["dev"]);
    let addr = s.addr();
    let path = "/v1/credentials";
    let auth = format!("Authorization: {}\r\n", s.token());
    let (status, body) = get(&addr, path, "");
    assert_eq!(status, 401);
    assert!(!body.contains(&key) && !body.contains("SecretAccessKey"));
    let (status, body) = get(&addr, path, "Authorization: wrong\r\n");
    assert_eq!(status, 403);
    assert!(!body.contains(&key));
    let (status, body) = get(
        &addr,
        path,
        &format!("Authorization: {} \r\n", &s.token()[1..]),
    );
    assert_eq!(status, 403);
    assert!(!body.contains(&key));
    assert_eq!(get(&addr, "/other", &auth).0, 404);
    let (status, _) = http(
        &addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}Content-Length: 0\r\n\r\n"
        ),
    );
    assert_eq!(status, 405);
    // Headers past two pages, and a body, are refused unread.
    let big = format!("X-Pad: {}\r\n", "a".repeat(20_000));
    assert_eq!(get(&addr, path, &format!("{auth}{big}")).0, 431);
    let (status, body) = get(&addr, path, &format!("{auth}Content-Length: 100000\r\n"));
    assert_eq!(status, 413);
    assert!(!body.contains(&key));
    // Not HTTP at all.
    let mut junk = TcpStream::connect(&addr).unwrap();
    junk.write_all(b"\x16\x03\x01\x02\x00garbage\r\n\r\n")
        .unwrap();
    drop(junk);

    // Ten thousand idle connections: answered requests still get through.
    let idle: Vec<TcpStream> = (0..10_000)
        .map(|i| TcpStream::connect(&addr).unwrap_or_else(|e| panic!("connection {i}: {e}")))
        .collect();
    let (status, body) = get(&addr, path, &auth);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(&key));
    drop(idle);
    let (status, _) = get(&addr, path, &auth);
    assert_eq!(status, 200);
    // Nothing leaks: the server closes its side of every connection the clients closed.
    #[cfg(target_os = "linux")]
    {
        let fds = format!("/proc/{}/fd", s.child.as_ref().unwrap().id());
        let open = || std::fs::read_dir(&fds).unwrap().count();
        wait_until(
            "the server to close the idle connections",
            Duration::from_secs(60),
            || open() <= 100,
        );
    }

    let token = s.token().to_owned();
    let out = s.stop();
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(!err.contains(&key) && !err.contains(&token), "{err}");
}

#[test]
fn load_many_concurrent_clients_one_upstream_fetch() {
    let w = RoleWorld::new();
    let s = Server::start(&w, &["dev"]);
    let fetched = w.grc();
    assert_eq!(fetched, 1, "the server's first fetch");
    let addr = s.addr();
    let head = format!(
        "GET /v1/credentials HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {}\r\n\r\n",
        s.token()
    );
    // 50 clients, 20 requests each on a keep-alive connection: 1,000 requests.
    let keys: Vec<Vec<String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..50)
            .map(|_| scope.spawn(|| keep_alive_client(&addr, &head, 20)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let all: Vec<&String> = keys.iter().flatten().collect();
    assert_eq!(all.len(), 1000, "every request answered 200");
    assert!(all.iter().all(|k| *k == all[0]), "one credential for all");
    assert_eq!(w.grc(), fetched, "no upstream fetch for 1,000 requests");
}

/// `n` requests on one connection; the access key of each 200 answer (panics on any other).
fn keep_alive_client(addr: &str, head: &str, n: usize) -> Vec<String> {
    let s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut reader = BufReader::new(s.try_clone().unwrap());
    let mut writer = s;
    (0..n)
        .map(|_| {
            writer.write_all(head.as_bytes()).unwrap();
            let mut status = String::new();
            reader.read_line(&mut status).unwrap();
            assert!(status.starts_with("HTTP/1.1 200"), "{status}");
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            v["AccessKeyId"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn serve_refuses_what_it_cannot_serve() {
    let w = RoleWorld::new();
    // Long-term keys: no session token for the container answer.
    std::fs::write(
        w.env.home.path().join(".aws/credentials"),
        "[static]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = abc\n",
    )
    .unwrap();
    let before = w.env.snapshot_files();
    let out = w.env.sesame().args(["serve", "static"]).output().unwrap();
    assert_clean_failure(&out, 1, "long-term keys");
    assert!(stdout(&out).is_empty());
    assert_eq!(w.env.snapshot_files(), before, "nothing changed on disk");
    // IMDS has no token: loopback only.
    let out = w
        .env
        .sesame()
        .args(["serve", "dev", "--imds", "--bind", "0.0.0.0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "clap refuses the pair");
    // No login: exit 3 before anything is served.
    let out = w.env.sesame().args(["logout"]).output().unwrap();
    assert_success(&out);
    let out = w.env.sesame().args(["serve", "dev"]).output().unwrap();
    assert_clean_failure(&out, 3, "login");
    assert!(stdout(&out).is_empty());
}

#[test]
fn another_address_is_served_with_a_loud_warning() {
    let w = RoleWorld::new();
    let s = Server::start(&w, &["dev", "--bind", "0.0.0.0"]);
    assert!(s.url().starts_with("http://0.0.0.0:"), "{}", s.url());
    let port = s.addr().rsplit(':').next().unwrap().to_owned();
    let auth = format!("Authorization: {}\r\n", s.token());
    assert_eq!(
        get(&format!("127.0.0.1:{port}"), "/v1/credentials", &auth).0,
        200
    );
    let out = s.stop();
    let err = stderr(&out);
    assert!(
        err.lines()
            .any(|l| l.starts_with("warning: serving credentials on 0.0.0.0:")),
        "{err}"
    );
}

#[test]
fn any_profile_kind_the_chain_resolves_is_served() {
    // A credential_process profile with temporary credentials: no SSO involved.
    let w = RoleWorld::new();
    let expires = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(1);
    let answer = serde_json::json!({
        "Version": 1,
        "AccessKeyId": "ASIAPROCESSEXAMPLE01",
        "SecretAccessKey": "process-secret",
        "SessionToken": "process-token",
        "Expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
    });
    let script = w.env.home.path().join("creds.json");
    std::fs::write(&script, answer.to_string()).unwrap();
    w.append_config(&format!(
        "\n[profile proc]\ncredential_process = cat {}\n",
        script.display()
    ));
    let s = Server::start(&w, &["proc"]);
    let v = botocore_json(
        &[
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", s.url()),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", s.token()),
        ],
        &["creds"],
    );
    assert_eq!(v["method"], "container-role");
    assert_eq!(v["access_key"], "ASIAPROCESSEXAMPLE01");
    assert_eq!(w.grc(), 0, "no SSO call for a credential_process profile");
}

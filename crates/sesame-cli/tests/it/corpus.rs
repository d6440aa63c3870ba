//! The bad-input corpus: every file under `tests/corpus/<kind>/` (plus the cases too large or too
//! odd to commit, made here) is fed to the command that reads that kind of file. Each one: exit
//! code and output pinned in `failure__corpus__<kind>__<case>.snap`, exactly one `error:` line
//! and a hint, no secret of the file shown, and every file under HOME unchanged.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common::snapshot::assert_named_failure_snapshot;
use crate::common::{SESSION, TestEnv, assert_clean_failure_unpinned, stderr, stdout};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// Where a case of `kind` goes, and the command that then reads it.
fn run_case(env: &TestEnv, kind: &str, put: &dyn Fn(&Path)) -> Output {
    match kind {
        "config" => {
            put(&env.config_path());
            env.sesame().args(["creds", "dev"]).output().unwrap()
        }
        "cache" => {
            let path = env.token_path(SESSION);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            put(&path);
            env.sesame().args(["accounts"]).output().unwrap()
        }
        "saml" => {
            let path = env.home.path().join("assertion");
            put(&path);
            env.sesame()
                .args(["saml", "roles", "--assertion-file"])
                .arg(&path)
                .output()
                .unwrap()
        }
        "idp" => {
            // The IdP's first page, served as text/html on loopback to `saml login`.
            let path = env.home.path().join("idp-page.html");
            put(&path);
            let idp = PageServer::start(path);
            env.sesame()
                .args([
                    "saml",
                    "login",
                    "--idp-url",
                    &idp.url,
                    "--username",
                    "alice",
                ])
                .env("SESAME_SAML_PASSWORD", "s3cr3t-password")
                .output()
                .unwrap()
        }
        other => panic!("no command for corpus kind {other}"),
    }
}

/// A loopback HTTP server answering every request with one file as `text/html` (an IdP's
/// page), until dropped.
struct PageServer {
    url: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl PageServer {
    fn start(page: PathBuf) -> PageServer {
        use std::io::{Read as _, Write as _};
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}/adfs/ls/", listener.local_addr().unwrap());
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                let Ok((mut conn, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    continue;
                };
                conn.set_nonblocking(false).unwrap();
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let body = std::fs::read(&page).unwrap_or_default();
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = conn.write_all(head.as_bytes());
                let _ = conn.write_all(&body);
            }
        });
        PageServer { url, stop }
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// One case: a clean failure, pinned, nothing changed on disk, no secret from the file.
#[track_caller]
fn check(kind: &str, case: &str, put: &dyn Fn(&Path)) -> i32 {
    let env = TestEnv::new();
    // The case is written first; "before" includes it.
    let out = {
        let before_holder = std::cell::RefCell::new(Vec::new());
        let put_and_snapshot = |p: &Path| {
            put(p);
            *before_holder.borrow_mut() = env.snapshot_files();
        };
        let out = run_case(&env, kind, &put_and_snapshot);
        assert_eq!(
            env.snapshot_files(),
            *before_holder.borrow(),
            "{kind}/{case} changed a file"
        );
        out
    };
    let code = out.status.code().unwrap_or(-1);
    assert!(code != 0, "{kind}/{case} succeeded:\n{}", stderr(&out));
    assert_clean_failure_unpinned(&out, code, "");
    assert!(
        stderr(&out).lines().any(|l| l.starts_with("hint: ")),
        "{kind}/{case}: no hint\n{}",
        stderr(&out)
    );
    let all = format!("{}{}", stderr(&out), stdout(&out));
    assert!(
        !all.contains("s3cr3t"),
        "{kind}/{case} shows a secret: {all}"
    );
    let name = format!("corpus__{kind}__{}", case.replace('.', "_"));
    assert_named_failure_snapshot(&name, &out);
    code
}

#[test]
fn every_corpus_file_fails_with_one_line_and_changes_nothing() {
    let mut seen = 0;
    let mut kinds: Vec<_> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    kinds.sort();
    for dir in kinds {
        let kind = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut cases: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        cases.sort();
        for case in cases {
            let name = case.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&case).unwrap();
            check(&kind, &name, &|p| std::fs::write(p, &bytes).unwrap());
            seen += 1;
        }
    }
    assert!(seen >= 31, "the corpus shrank: {seen} cases");
    println!("corpus: {seen} files, each one clean failure");
}

#[test]
fn generated_cases_too_large_or_odd_to_commit() {
    // 50 MB where a config or a token should be, and 20 MB of assertion.
    let big = |byte: u8, len: usize| move |p: &Path| std::fs::write(p, vec![byte; len]).unwrap();
    check("config", "50mb", &big(b'[', 50 << 20));
    check("cache", "50mb", &big(b'{', 50 << 20));
    check("saml", "20mb", &big(b'A', 20 << 20));
    // A directory where the file belongs.
    let dir = |p: &Path| {
        let _ = std::fs::remove_file(p);
        std::fs::create_dir_all(p).unwrap();
    };
    check("config", "directory", &dir);
    check("cache", "directory", &dir);
    check("saml", "directory", &dir);
    // A symbolic link to another file (the token cache pointing at the config).
    let link = |p: &Path| {
        let target = p.parent().unwrap().join("elsewhere");
        std::fs::write(&target, "[default]\nregion = us-east-1\n").unwrap();
        std::os::unix::fs::symlink(&target, p).unwrap();
    };
    check("cache", "symlink-to-another-file", &link);
}

/// `sesame api` input that cannot make a request: one line, nothing sent.
#[test]
fn api_headers_and_urls_that_cannot_be_sent() {
    let env = TestEnv::new();
    let api = |args: &[&str]| {
        env.sesame()
            .args(["api", "--dry-run", "--region", "us-east-1"])
            .args(args)
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "s3cr3t-key")
            .output()
            .unwrap()
    };
    let url = "https://sts.us-east-1.amazonaws.com/";
    for (case, args) in [
        ("header-crlf", vec![url, "-H", "X-A: b\r\nX-Injected: c"]),
        ("header-lf", vec![url, "-H", "X-A: b\nX-Injected: c"]),
        ("header-no-colon", vec![url, "-H", "X-A"]),
        ("header-signer-owned", vec![url, "-H", "Authorization: x"]),
        ("url-no-scheme", vec!["sts.us-east-1.amazonaws.com/"]),
        // A line break in the host is dropped by URL parsing (WHATWG), leaving an unknown host.
        (
            "url-crlf-in-host",
            vec!["https://sts.us-east-1.amazonaws.com\r\n.evil/"],
        ),
        (
            "url-bad-port",
            vec!["https://sts.us-east-1.amazonaws.com:99999/"],
        ),
    ] {
        let before = env.snapshot_files();
        let out = api(&args);
        let code = out.status.code().unwrap_or(-1);
        assert!(code != 0, "{case} succeeded: {}", stdout(&out));
        assert_clean_failure_unpinned(&out, code, "");
        assert!(!format!("{}{}", stderr(&out), stdout(&out)).contains("s3cr3t"));
        assert_named_failure_snapshot(&format!("corpus__api__{case}"), &out);
        assert_eq!(env.snapshot_files(), before);
    }
}

/// `api -d @-` streams standard input: 1 GiB through a pipe, signed with its SHA-256, in far
/// less memory than the body (a memory bound, measured by the kernel, not a timing).
#[test]
fn a_large_body_on_stdin_is_streamed_not_held() {
    let env = TestEnv::new();
    let script = r#"
import resource, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
chunk = b"\0" * (1 << 20)
for _ in range(1024):
    p.stdin.write(chunk)
p.stdin.close()
out = p.stdout.read()
p.wait()
sys.stdout.write(out.decode())
print("exit=%d maxrss_kb=%d" % (p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
"#;
    for extra in [&[][..], &["--unsigned-payload"]] {
        let out = env
            .command("python3")
            .arg("-c")
            .arg(script)
            .arg(crate::common::sesame_bin())
            .args([
                "api",
                "--dry-run",
                "-X",
                "PUT",
                "https://s3.us-east-1.amazonaws.com/bucket/key",
                "-d",
                "@-",
            ])
            .args(extra)
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .env("AWS_REGION", "us-east-1")
            .output()
            .unwrap();
        let text = stdout(&out);
        assert!(text.contains("exit=0"), "{text}\n{}", stderr(&out));
        assert!(text.contains("(1073741824 bytes of body)"), "{text}");
        let hash = if extra.is_empty() {
            // sha256 of 1 GiB of zero bytes.
            "49bc20df15e412a64472421e13fe86ff1c5165e18b2afccf160d4dc19fe68a14"
        } else {
            "UNSIGNED-PAYLOAD"
        };
        assert!(
            text.contains(&format!("x-amz-content-sha256: {hash}")),
            "{text}"
        );
        let rss_kb: u64 = text
            .rsplit("maxrss_kb=")
            .next()
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        println!("api -d @- 1 GiB {extra:?}: max RSS {rss_kb} kB");
        assert!(rss_kb < 100 * 1024, "{rss_kb} kB for a 1 GiB body");
    }
}

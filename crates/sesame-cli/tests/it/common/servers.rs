//! Loopback servers that check signatures themselves.
//!
//! - [`Moto`]: moto's server on a free port, of a test's own (stopped when dropped): plain, as
//!   STS for the SAML tests, or seeded with Identity Center for `sesame admin`.
//! - [`moto`], [`verifier`], [`token_verifier`]: for `sesame api`, moto with botocore's signers
//!   (`INITIAL_NO_AUTH_ACTION_COUNT=0`) and a small botocore-verifying server that checks the raw
//!   request target (moto re-decodes paths and queries, so even boto3 fails its check on keys
//!   with `%` or `+`). One of each per test binary, started on first use.
//!
//! Every server here exits when the test process does (its stdin closes).

use std::io::{BufRead as _, BufReader, Read as _};
use std::net::TcpStream;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use super::tools::py_script;
use super::wait::wait_until;

/// moto's server on a free loopback port, stopped when dropped.
pub(crate) struct Moto {
    child: Child,
    _stdin: ChildStdin,
    pub(crate) url: String,
}

impl Moto {
    /// `moto_server` with `MOTO_ACCOUNT_ID` set, so GetCallerIdentity names the assumed role.
    pub(crate) fn server(account: &str) -> Moto {
        Self::start(|port| {
            let mut cmd = Command::new("python3");
            cmd.args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .env("MOTO_ACCOUNT_ID", account);
            cmd
        })
    }

    /// `moto_admin.py serve`: moto with the Identity Center APIs, and no instance in
    /// `no_instance_region`.
    pub(crate) fn admin(no_instance_region: &str) -> Moto {
        Self::admin_with(&["--no-instance-region", no_instance_region])
    }

    /// `moto_admin.py serve` with `options` (`--multi-region PRIMARY ADDED`, ...).
    pub(crate) fn admin_with(options: &[&str]) -> Moto {
        Self::start(|port| {
            let mut cmd = Command::new("python3");
            cmd.arg(py_script("moto_admin.py"))
                .args(["serve", &port.to_string()])
                .args(options);
            cmd
        })
    }

    /// `moto_org.py serve`: moto where AssumeRole of a role that does not exist is refused.
    pub(crate) fn org() -> Moto {
        Self::start(|port| {
            let mut cmd = Command::new("python3");
            cmd.arg(py_script("moto_org.py"))
                .args(["serve", &port.to_string()]);
            cmd
        })
    }

    /// `fault_proxy.py` in front of `upstream`: a share `p429` of the requests answered by a
    /// ThrottlingException, `p500` by a 500, the rest forwarded (seeded).
    pub(crate) fn fault_proxy(upstream: &str, p429: f64, p500: f64) -> Moto {
        let upstream = upstream.to_owned();
        Self::start(move |port| {
            let mut cmd = Command::new("python3");
            cmd.arg(py_script("fault_proxy.py")).args([
                port.to_string(),
                upstream,
                p429.to_string(),
                p500.to_string(),
                "15".to_owned(),
            ]);
            cmd
        })
    }

    /// The server `command(port)` starts, once it accepts connections (30 s at most).
    fn start(command: impl FnOnce(u16) -> Command) -> Moto {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut child = command(port)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let stdin = child.stdin.take().expect("a stdin pipe");
        wait_until("moto's server to listen", Duration::from_secs(30), || {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "moto's server exited ({status}); is moto[server] installed? \
                     `pip install -r requirements-test.txt`"
                );
            }
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        Moto {
            child,
            _stdin: stdin,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Python server and what it printed on its first line.
pub(crate) struct PyServer {
    pub(crate) info: serde_json::Value,
    _child: Mutex<Child>,
    _stdin: Mutex<ChildStdin>,
}

impl PyServer {
    pub(crate) fn start(script: &str, envs: &[(&str, &str)]) -> PyServer {
        let mut child = Command::new("python3")
            .arg(py_script(script))
            .envs(envs.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let stdin = child.stdin.take().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        if line.trim().is_empty() {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            panic!(
                "{script} did not start (is moto installed? `pip install -r requirements-test.txt`):\n{err}"
            );
        }
        let info = serde_json::from_str(&line).expect("a JSON line");
        PyServer {
            info,
            _child: Mutex::new(child),
            _stdin: Mutex::new(stdin),
        }
    }

    pub(crate) fn url(&self) -> String {
        self.info["url"].as_str().unwrap().to_owned()
    }

    pub(crate) fn s(&self, path: &[&str]) -> String {
        let mut v = &self.info;
        for p in path {
            v = &v[*p];
        }
        v.as_str().unwrap().to_owned()
    }
}

/// The shared moto server for `sesame api` (with an IAM user and an assumed role, both allowed everything).
pub(crate) fn moto() -> &'static PyServer {
    static MOTO: OnceLock<PyServer> = OnceLock::new();
    MOTO.get_or_init(|| PyServer::start("moto_sigv4.py", &[]))
}

/// The verifier's keys: a long-term key and a temporary one whose token it requires.
pub(crate) const VERIFIER_KEY: &str = "AKIDVERIFIER";
pub(crate) const VERIFIER_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
pub(crate) const TOKEN_KEY: &str = "ASIATEMPVERIFIER";
pub(crate) const TOKEN_SECRET: &str = "temp/secret+key";
pub(crate) const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLE/token+with=special/chars";

/// The shared botocore-verifying server (a tiny S3 that answers JSON for other methods).
pub(crate) fn verifier() -> &'static PyServer {
    static V: OnceLock<PyServer> = OnceLock::new();
    V.get_or_init(|| {
        let keys = format!(r#"{{"{VERIFIER_KEY}": "{VERIFIER_SECRET}"}}"#);
        PyServer::start("sigv4_verifier.py", &[("SIGV4_KEYS", &keys)])
    })
}

/// A second verifier that requires the session token of [`TOKEN_KEY`].
pub(crate) fn token_verifier() -> &'static PyServer {
    static V: OnceLock<PyServer> = OnceLock::new();
    V.get_or_init(|| {
        let keys = format!(r#"{{"{TOKEN_KEY}": "{TOKEN_SECRET}"}}"#);
        PyServer::start(
            "sigv4_verifier.py",
            &[("SIGV4_KEYS", &keys), ("SIGV4_TOKEN", TOKEN)],
        )
    })
}

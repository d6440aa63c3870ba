//! The world a test needs, in one line: an emulator on a free port, a throwaway HOME, a config,
//! and a `sesame` command pointed at them.

use std::path::{Path, PathBuf};
use std::process::Output;

use sesame_emulator::{EmulatorConfig, EmulatorHandle};

/// A test's world.
pub(crate) struct TestEnv {
    pub(crate) home: tempfile::TempDir,
    pub(crate) emulator: EmulatorHandle,
}

pub(crate) const SESSION: &str = "acme";

impl TestEnv {
    /// An emulator with auto-approve and a config with one `[sso-session acme]` (scopes set).
    pub(crate) fn new() -> Self {
        Self::with(EmulatorConfig {
            auto_approve: true,
            ..EmulatorConfig::default()
        })
    }

    /// An emulator configured by the test, and the same config.
    pub(crate) fn with(config: EmulatorConfig) -> Self {
        let emulator = sesame_emulator::spawn(config).expect("the emulator starts");
        let home = tempfile::tempdir().expect("a temp HOME");
        let env = Self { home, emulator };
        env.write_config(&format!(
            "[sso-session {SESSION}]\nsso_start_url = {}/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n",
            env.url()
        ));
        env
    }

    pub(crate) fn url(&self) -> String {
        self.emulator.url()
    }

    pub(crate) fn config_path(&self) -> PathBuf {
        self.home.path().join(".aws").join("config")
    }

    pub(crate) fn write_config(&self, text: &str) {
        let p = self.config_path();
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub(crate) fn sso_cache(&self) -> PathBuf {
        self.home.path().join(".aws").join("sso").join("cache")
    }

    /// The token file of a session name (sha1 of the name).
    pub(crate) fn token_path(&self, key: &str) -> PathBuf {
        self.sso_cache().join(format!("{}.json", sha1_hex(key)))
    }

    pub(crate) fn token_json(&self, key: &str) -> serde_json::Value {
        let text = std::fs::read_to_string(self.token_path(key)).expect("a cached token");
        serde_json::from_str(&text).expect("token JSON")
    }

    /// `sesame` with a clean environment: HOME, the emulator endpoints, PATH, nothing else.
    pub(crate) fn sesame(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::from_std(self.sesame_std());
        cmd.timeout(std::time::Duration::from_secs(60));
        cmd
    }

    /// The same as a `std::process::Command`, for tests that spawn and interact.
    pub(crate) fn sesame_std(&self) -> std::process::Command {
        self.clean_command(assert_cmd::cargo::cargo_bin("sesame"))
    }

    /// `sesame` in a session of its own (`setsid`), with no controlling terminal even when the
    /// tests run from one: what it prints can only go to its stdout and stderr.
    pub(crate) fn sesame_without_terminal(&self) -> assert_cmd::Command {
        let mut cmd = self.clean_command("setsid".into());
        cmd.arg("--wait")
            .arg(assert_cmd::cargo::cargo_bin("sesame"));
        let mut cmd = assert_cmd::Command::from_std(cmd);
        cmd.timeout(std::time::Duration::from_secs(60));
        cmd
    }

    /// `program` with the environment of every sesame the tests run: nothing but HOME, PATH and
    /// the emulator's endpoints.
    fn clean_command(&self, program: std::path::PathBuf) -> std::process::Command {
        let mut cmd = std::process::Command::new(program);
        cmd.env_clear()
            .env("HOME", self.home.path())
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_ENDPOINT_URL_SSO", self.url())
            .env("AWS_ENDPOINT_URL_SSO_OIDC", self.url());
        cmd
    }

    /// Logs in with the device code (auto-approved) and checks it worked.
    pub(crate) fn login(&self) {
        let out = self
            .sesame()
            .args(["login", "--device-code"])
            .output()
            .unwrap();
        assert_success(&out);
    }

    /// Every file under HOME with its bytes, to prove a failing command changed nothing.
    pub(crate) fn snapshot_files(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        walk(self.home.path(), &mut out);
        out.sort();
        out
    }
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            // Lock files are sesame's own bookkeeping, not user data.
            if p.ends_with("locks") {
                continue;
            }
            walk(&p, out);
        } else {
            out.push((p.clone(), std::fs::read(&p).unwrap_or_default()));
        }
    }
}

pub(crate) fn sha1_hex(s: &str) -> String {
    use sha1::Digest as _;
    hex::encode(sha1::Sha1::digest(s.as_bytes()).as_slice())
}

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
pub(crate) fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
}

/// A failing command: the exit code, exactly one `error:` line, and no secret in the output.
#[track_caller]
pub(crate) fn assert_clean_failure(out: &Output, code: i32, needle: &str) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "stderr:\n{err}\nstdout:\n{}",
        stdout(out)
    );
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "one error line expected:\n{err}");
    assert!(
        errors[0].contains(needle),
        "`{needle}` not in: {}",
        errors[0]
    );
}

/// The fake browser script, as a `BROWSER` value.
pub(crate) fn fake_browser(deny: bool) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/fake_browser.py");
    if deny {
        format!("python3 {} --deny", script.display())
    } else {
        format!("python3 {}", script.display())
    }
}

/// The botocore helper script.
pub(crate) fn py_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(name)
}

/// The real AWS CLI v2 (2.36.7) that the compatibility tests run: `$SESAME_AWS_CLI_V2` if set,
/// else `~/.cache/sesame-ci/aws-cli-v2/bin/aws`, installed there on first use (about 2 minutes,
/// once per machine, under a lock) from `../shared/aws-cli-v2` beside the repository, as `.ci/run`
/// does. A test that needs it fails, never skips, when it cannot be had.
#[allow(dead_code)] // the CLI v2 suites call it
pub(crate) fn aws_cli_v2() -> PathBuf {
    if let Some(p) = std::env::var_os("SESAME_AWS_CLI_V2") {
        return PathBuf::from(p);
    }
    static INSTALLED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let home = std::env::var_os("HOME").expect("HOME is set");
            let dir = Path::new(&home).join(".cache/sesame-ci/aws-cli-v2");
            let aws = dir.join("bin/aws");
            let script =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/aws-cli-v2/install.sh");
            std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
            let lock = std::fs::File::create(dir.with_extension("lock")).unwrap();
            lock.lock().expect("the install lock");
            if !aws.exists() {
                assert!(
                    script.exists(),
                    "the AWS CLI v2 is not installed at {} and {} is missing: run \
                     install.sh DIR and set SESAME_AWS_CLI_V2=DIR/bin/aws",
                    aws.display(),
                    script.display()
                );
                let status = std::process::Command::new("bash")
                    .arg(&script)
                    .arg(&dir)
                    .status()
                    .expect("install.sh runs");
                assert!(status.success(), "installing the AWS CLI v2 failed");
            }
            aws
        })
        .clone()
}

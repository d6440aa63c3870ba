//! The world a test needs, in one line: an emulator on a free port, a throwaway HOME, a config,
//! and a `sesame` (or python, or terminal) command pointed at them with a clean environment.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use sesame_emulator::{EmulatorConfig, EmulatorHandle};

use super::assert::assert_success;
use super::tools::py_script;

/// A test's world.
pub(crate) struct TestEnv {
    pub(crate) home: tempfile::TempDir,
    pub(crate) emulator: EmulatorHandle,
}

/// The `[sso-session]` every world's config starts with.
pub(crate) const SESSION: &str = "acme";

/// What a test asks of its world before it starts: see [`TestEnv::builder`].
pub(crate) struct TestEnvBuilder {
    emulator: EmulatorConfig,
    logged_in: bool,
}

impl TestEnvBuilder {
    /// The emulator's configuration (default: [`EmulatorConfig::default`] with auto-approve).
    pub(crate) fn emulator(mut self, config: EmulatorConfig) -> Self {
        self.emulator = config;
        self
    }

    /// The number of accounts the emulator serves (auto-approve kept).
    pub(crate) fn accounts(mut self, accounts: usize) -> Self {
        self.emulator.accounts = accounts;
        self
    }

    /// Logs in (device code, auto-approved) before the test starts, checked to succeed.
    pub(crate) fn logged_in(mut self) -> Self {
        self.logged_in = true;
        self
    }

    pub(crate) fn build(self) -> TestEnv {
        let emulator = sesame_emulator::spawn(self.emulator).expect("the emulator starts");
        let home = tempfile::tempdir().expect("a temp HOME");
        let env = TestEnv { home, emulator };
        env.write_config(&format!(
            "[sso-session {SESSION}]\nsso_start_url = {}/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n",
            env.url()
        ));
        if self.logged_in {
            env.login();
        }
        env
    }
}

impl TestEnv {
    /// A world to configure: `TestEnv::builder().accounts(40).logged_in().build()`.
    pub(crate) fn builder() -> TestEnvBuilder {
        TestEnvBuilder {
            emulator: EmulatorConfig {
                auto_approve: true,
                ..EmulatorConfig::default()
            },
            logged_in: false,
        }
    }

    /// An emulator with auto-approve and a config with one `[sso-session acme]` (scopes set).
    pub(crate) fn new() -> Self {
        Self::builder().build()
    }

    /// An emulator configured by the test, and the same config.
    pub(crate) fn with(config: EmulatorConfig) -> Self {
        Self::builder().emulator(config).build()
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

    /// Appends `text` to the config.
    pub(crate) fn append_config(&self, text: &str) {
        let cfg = std::fs::read_to_string(self.config_path()).unwrap();
        self.write_config(&format!("{cfg}{text}"));
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

    /// `program` with HOME and PATH only (see [`clean_command`]).
    pub(crate) fn command(&self, program: impl AsRef<OsStr>) -> Command {
        clean_command(program, self.home.path())
    }

    /// `program` with HOME, PATH and the emulator's SSO endpoints.
    pub(crate) fn sso_command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = self.command(program);
        cmd.env("AWS_ENDPOINT_URL_SSO", self.url())
            .env("AWS_ENDPOINT_URL_SSO_OIDC", self.url());
        cmd
    }

    /// `python3 tests/support/SCRIPT` with HOME and PATH only.
    pub(crate) fn python(&self, script: &str) -> Command {
        let mut cmd = self.command("python3");
        cmd.arg(py_script(script));
        cmd
    }

    /// `argv` run on a pseudo-terminal by `pty_drive.py`, answering each `[text, answer]` of
    /// `script` in turn; what the terminal showed is the output's stdout. HOME, PATH and
    /// `TERM=xterm` only: the caller adds the endpoints it needs.
    pub(crate) fn on_terminal(
        &self,
        argv: &serde_json::Value,
        script: &serde_json::Value,
    ) -> Command {
        let mut cmd = self.python("pty_drive.py");
        cmd.args([argv.to_string(), script.to_string()])
            .env("TERM", "xterm");
        cmd
    }

    /// `sesame` with a clean environment: HOME, the emulator endpoints, PATH, nothing else.
    pub(crate) fn sesame(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::from_std(self.sesame_std());
        cmd.timeout(std::time::Duration::from_secs(60));
        cmd
    }

    /// The same as a `std::process::Command`, for tests that spawn and interact.
    pub(crate) fn sesame_std(&self) -> Command {
        self.sso_command(sesame_bin())
    }

    /// `sesame` in a session of its own (`setsid`), with no controlling terminal even when the
    /// tests run from one: what it prints can only go to its stdout and stderr.
    pub(crate) fn sesame_without_terminal(&self) -> assert_cmd::Command {
        let mut cmd = self.sso_command("setsid");
        cmd.arg("--wait").arg(sesame_bin());
        let mut cmd = assert_cmd::Command::from_std(cmd);
        cmd.timeout(std::time::Duration::from_secs(60));
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

/// `program` with an empty environment: the one place the tests clear a child's environment,
/// so nothing of the developer's shell (AWS_PROFILE, a real ~/.aws) reaches what they run.
pub(crate) fn bare_command(program: impl AsRef<OsStr>) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear();
    cmd
}

/// `program` with nothing in its environment but `HOME=home` and the tests' PATH.
pub(crate) fn clean_command(program: impl AsRef<OsStr>, home: &Path) -> Command {
    let mut cmd = bare_command(program);
    cmd.env("HOME", home)
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd
}

/// `sesame` with HOME and the endpoints set by hand (for an emulator that is gone).
pub(crate) fn sesame_at(home: &Path, url: &str) -> Command {
    let mut cmd = clean_command(sesame_bin(), home);
    cmd.env("AWS_ENDPOINT_URL_SSO", url)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", url);
    cmd
}

/// The sesame binary's path.
pub(crate) fn sesame_bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("sesame")
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

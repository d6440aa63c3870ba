//! `aws login` sessions (`login_session` profiles) against the emulator's sign-in service: the
//! real AWS CLI v2 signs in (its browser a fake that follows the redirect), sesame reads the
//! session, refreshes it with a DPoP proof under its lock, and each tool uses what the other
//! wrote.

use std::os::unix::fs::PermissionsExt as _;
use std::path::PathBuf;
use std::process::{Output, Stdio};

use sesame_emulator::EmulatorConfig;

use crate::common::{
    TestEnv, assert_clean_failure, assert_success, aws_cli_v2, clean_command, stdout,
};

/// A world where the CLI v2 has run `aws login --profile cl`.
struct LoginWorld {
    env: TestEnv,
}

impl LoginWorld {
    fn new() -> Self {
        let env = TestEnv::with(EmulatorConfig {
            auto_approve: true,
            ..EmulatorConfig::default()
        });
        env.write_config("[profile cl]\nregion = us-east-1\n");
        let browser = env.home.path().join("browser.sh");
        // Python's webbrowser waits for BROWSER to exit: return at once, follow in the background.
        std::fs::write(
            &browser,
            "#!/bin/sh\n(sleep 0.2; curl -sSL -o /dev/null \"$1\") &\n",
        )
        .unwrap();
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
        let w = LoginWorld { env };
        // The CLI v2 (awscrt) writes one key in ~256 with a 31-byte scalar and then cannot read
        // it back for its own refresh ("Key format is not supported"); sesame reads both
        // forms. A test of the CLI's refresh needs a key the CLI can read: sign in again.
        for attempt in 1.. {
            let out = w
                .aws(&["login", "--profile", "cl"])
                .env("BROWSER", &browser)
                .output()
                .unwrap();
            assert_success(&out);
            if w.cli_can_read_its_key() {
                break;
            }
            assert!(attempt < 8, "the CLI v2 kept writing keys it cannot read");
        }
        let config = std::fs::read_to_string(w.env.config_path()).unwrap();
        assert!(config.contains("login_session = arn:aws:iam::"), "{config}");
        w
    }

    fn aws(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = clean_command(aws_cli_v2(), self.env.home.path());
        cmd.args(args)
            .env("AWS_ENDPOINT_URL_SIGNIN", self.env.url())
            .env("AWS_PAGER", "");
        cmd
    }

    fn sesame(&self, args: &[&str]) -> Output {
        self.env
            .sesame()
            .env("AWS_ENDPOINT_URL_SIGNIN", self.env.url())
            .args(args)
            .output()
            .unwrap()
    }

    fn cache_file(&self) -> PathBuf {
        let dir = self.env.home.path().join(".aws/login/cache");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "one session in {}", dir.display());
        files.pop().unwrap()
    }

    fn cache_file_exists(&self) -> bool {
        let dir = self.env.home.path().join(".aws/login/cache");
        std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_some())
    }

    /// Whether the session's SEC1 `dpopKey` holds a whole 32-byte scalar (`30 77 02 01 01 04
    /// 20 ...`: the OCTET STRING's length is the 7th byte).
    fn cli_can_read_its_key(&self) -> bool {
        use base64::Engine as _;
        let pem = self.cache()["dpopKey"].as_str().unwrap().to_owned();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .unwrap();
        der.get(6) == Some(&0x20)
    }

    fn cache(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.cache_file()).unwrap()).unwrap()
    }

    /// Moves the session's expiry to `minutes` from now (inside botocore's 5-minute threshold
    /// for anything under 5).
    fn age(&self, minutes: i64) {
        let mut v = self.cache();
        let when = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(minutes);
        v["accessToken"]["expiresAt"] = when.strftime("%Y-%m-%dT%H:%M:%SZ").to_string().into();
        std::fs::write(self.cache_file(), serde_json::to_string(&v).unwrap()).unwrap();
    }

    fn refreshes(&self) -> u64 {
        self.env.emulator.stats().requests_for("CreateOAuth2Token")
    }

    fn sesame_key(&self) -> String {
        let out = self.sesame(&["creds", "cl", "--format", "json"]);
        assert_success(&out);
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        v["AccessKeyId"].as_str().unwrap().to_owned()
    }

    fn aws_key(&self) -> String {
        let out = self
            .aws(&[
                "configure",
                "export-credentials",
                "--profile",
                "cl",
                "--format",
                "process",
            ])
            .output()
            .unwrap();
        assert_success(&out);
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        v["AccessKeyId"].as_str().unwrap().to_owned()
    }
}

#[test]
fn a_session_is_read_refreshed_and_shared_with_the_aws_cli_v2() {
    let w = LoginWorld::new();
    let signed_in = w.refreshes();
    let first = w.cache()["accessToken"]["accessKeyId"].clone();
    assert_eq!(w.sesame_key(), first.as_str().unwrap());
    assert_eq!(w.aws_key(), first.as_str().unwrap());
    assert_eq!(
        w.refreshes(),
        signed_in,
        "a fresh session is read, not refreshed"
    );

    // Expiring: sesame refreshes once, rotating the refresh token, 0600, every field kept.
    let before = w.cache();
    w.age(2);
    let ours = w.sesame_key();
    assert_eq!(w.refreshes(), signed_in + 1);
    let after = w.cache();
    assert_eq!(after["accessToken"]["accessKeyId"], ours.as_str());
    assert_ne!(after["refreshToken"], before["refreshToken"]);
    for field in ["clientId", "dpopKey", "idToken", "tokenType"] {
        assert_eq!(after[field], before[field], "{field} kept");
    }
    assert_eq!(
        after["accessToken"]["accountId"],
        before["accessToken"]["accountId"]
    );
    let mode = std::fs::metadata(w.cache_file())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // The CLI v2 takes sesame's refresh as its own.
    assert_eq!(w.aws_key(), ours);
    assert_eq!(w.refreshes(), signed_in + 1);

    // And the other way: the CLI v2 refreshes, sesame (warm, and exec) uses it.
    w.age(2);
    let theirs = w.aws_key();
    assert_eq!(w.refreshes(), signed_in + 2);
    assert_ne!(theirs, ours);
    assert_eq!(w.sesame_key(), theirs);
    let out = w.sesame(&["exec", "cl", "--", "sh", "-c", "echo $AWS_ACCESS_KEY_ID"]);
    assert_success(&out);
    assert_eq!(stdout(&out).trim(), theirs);
    assert_eq!(w.refreshes(), signed_in + 2);
}

#[test]
fn two_hundred_parallel_callers_on_an_expiring_session_make_one_refresh() {
    let w = LoginWorld::new();
    let signed_in = w.refreshes();
    w.age(1);
    let children: Vec<_> = (0..200)
        .map(|_| {
            w.env
                .sesame_std()
                .env("AWS_ENDPOINT_URL_SIGNIN", w.env.url())
                .args(["credential-process", "--profile", "cl"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let keys: Vec<String> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert_success(&out);
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            v["AccessKeyId"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(w.refreshes(), signed_in + 1, "one refresh for 200 callers");
    assert!(keys.iter().all(|k| k == &keys[0]));
    // The rotated refresh token in the file is the live one: the CLI v2 refreshes with it.
    w.age(1);
    assert_ne!(w.aws_key(), keys[0]);
}

#[test]
fn a_corrupt_key_a_revoked_token_or_no_session_is_one_error_line() {
    let w = LoginWorld::new();
    let path = w.cache_file();
    let check = |code: i32, needle: &str| {
        let before = w.env.snapshot_files();
        let out = w.sesame(&["creds", "cl", "--format", "json"]);
        assert_clean_failure(&out, code, needle);
        assert_eq!(stdout(&out), "");
        assert_eq!(w.env.snapshot_files(), before, "nothing changed");
    };
    let original = w.cache();
    let mut v = original.clone();
    v["dpopKey"] =
        "-----BEGIN EC PRIVATE KEY-----\nbm90IGEga2V5\n-----END EC PRIVATE KEY-----\n".into();
    std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    w.age(1);
    check(1, "profile `cl`");
    check(1, "dpopKey");
    let mut v = original.clone();
    v["refreshToken"] = "ASORrevoked".into();
    std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    w.age(1);
    check(3, "the `aws login` session has ended");
    std::fs::remove_file(&path).unwrap();
    check(3, "no `aws login` session");
}

/// A world with no login yet, a fake browser that follows the redirect, and profile `sl`.
fn fresh_world() -> (TestEnv, PathBuf) {
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: true,
        ..EmulatorConfig::default()
    });
    env.write_config("[profile other]\nregion = eu-west-1\n");
    let browser = env.home.path().join("browser.sh");
    std::fs::write(
        &browser,
        "#!/bin/sh\n(sleep 0.2; curl -sSL -o /dev/null \"$1\") &\n",
    )
    .unwrap();
    std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    (env, browser)
}

#[test]
fn sesame_login_console_writes_what_the_aws_cli_v2_reads_and_refreshes() {
    let (env, browser) = fresh_world();
    let out = env
        .sesame()
        .env("AWS_ENDPOINT_URL_SIGNIN", env.url())
        .env("BROWSER", &browser)
        .args([
            "login",
            "--console",
            "--profile",
            "sl",
            "--region",
            "us-east-1",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let config = std::fs::read_to_string(env.config_path()).unwrap();
    assert!(
        config.starts_with("[profile other]\nregion = eu-west-1\n"),
        "{config}"
    );
    assert!(
        config.contains("[profile sl]\nlogin_session = arn:aws:iam::")
            && config.contains("region = us-east-1"),
        "{config}"
    );
    let w = LoginWorld { env };
    // Same keys for both tools, then the CLI v2 refreshes with the DPoP key sesame generated.
    let ours = {
        let out = w.sesame(&["creds", "sl", "--format", "json"]);
        assert_success(&out);
        serde_json::from_str::<serde_json::Value>(&stdout(&out)).unwrap()["AccessKeyId"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let aws_key = |w: &LoginWorld| {
        let out = w
            .aws(&[
                "configure",
                "export-credentials",
                "--profile",
                "sl",
                "--format",
                "process",
            ])
            .output()
            .unwrap();
        assert_success(&out);
        serde_json::from_str::<serde_json::Value>(&stdout(&out)).unwrap()["AccessKeyId"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(aws_key(&w), ours);
    let before = w.refreshes();
    w.age(1);
    let refreshed = aws_key(&w);
    assert_ne!(refreshed, ours);
    assert_eq!(
        w.refreshes(),
        before + 1,
        "the CLI v2 refreshed with sesame's key"
    );
    // A profile with other credentials is refused, nothing written.
    let config = std::fs::read_to_string(w.env.config_path()).unwrap();
    w.env.write_config(&format!(
        "{config}[profile keys]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = s\n"
    ));
    let snapshot = w.env.snapshot_files();
    let out = w
        .env
        .sesame()
        .env("AWS_ENDPOINT_URL_SIGNIN", w.env.url())
        .args([
            "login",
            "--console",
            "--profile",
            "keys",
            "--region",
            "us-east-1",
        ])
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        1,
        "profile `keys` already has credentials of another kind",
    );
    assert_eq!(w.env.snapshot_files(), snapshot);
}

#[test]
fn sesame_login_console_remote_takes_the_pasted_code() {
    use std::io::{BufRead as _, Write as _};
    let (env, _) = fresh_world();
    let mut child = env
        .sesame_std()
        .env("AWS_ENDPOINT_URL_SIGNIN", env.url())
        .args([
            "login",
            "--console",
            "--remote",
            "--profile",
            "far",
            "--region",
            "eu-west-1",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let url = loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "no URL printed");
        if let Some(at) = line.find("http") {
            break line[at..].trim().to_owned();
        }
    };
    assert!(url.contains("client_id=arn%3Aaws%3Asignin%3A%3A%3Adevtools%2Fcross-device"));
    // The user's browser elsewhere: sign in, land on the confirmation page, copy the code.
    let page = std::process::Command::new("curl")
        .args(["-sSL", &url])
        .output()
        .unwrap();
    let page = String::from_utf8(page.stdout).unwrap();
    let start = page
        .find("<code id=\"verification-code\">")
        .expect("the code")
        + 29;
    let code = &page[start..start + page[start..].find("</code>").unwrap()];
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{code}").unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(status.success(), "{rest}");
    let config = std::fs::read_to_string(env.config_path()).unwrap();
    assert!(
        config.contains("[profile far]\nlogin_session = arn:aws:iam::"),
        "{config}"
    );
    let out = env
        .sesame()
        .env("AWS_ENDPOINT_URL_SIGNIN", env.url())
        .args(["creds", "far", "--format", "json"])
        .output()
        .unwrap();
    assert_success(&out);
}

#[test]
fn sesame_logout_console_ends_the_session_for_both_tools() {
    let w = LoginWorld::new();
    let out = w.sesame(&["logout", "--console", "--profile", "cl"]);
    assert_success(&out);
    assert!(!w.cache_file_exists());
    // The CLI v2 needs a new sign-in too.
    let out = w
        .aws(&[
            "configure",
            "export-credentials",
            "--profile",
            "cl",
            "--format",
            "process",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_clean_failure(&w.sesame(&["creds", "cl"]), 3, "no `aws login` session");
}

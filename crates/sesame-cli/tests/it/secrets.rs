//! Nothing leaked: every command at `-vvv` (and the HTTP-heavy ones with `SESAME_LOG=trace`, every
//! crate's tracing) through flows that handle real secrets: the emulator's access, refresh and
//! client-secret tokens, role keys, the console sign-in URL, the SAML password and assertion, the
//! credential server's token (of `exec --server` and of a long-running `serve`), an MFA code, and
//! an `aws login` session's DPoP key and tokens. Each value is then looked for in every stdout, every stderr (the
//! only log sesame writes) and the argv of every child sesame starts (wrappers on the way log
//! their own argv, which is /proc/<pid>/cmdline): 0 hits, except the keys a user asked for on
//! stdout (`creds`, `credential-process`, `console --print`). Files that hold a secret are 0600.

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Output;

use super::common::assert::{assert_success, stdout};
use super::common::env::sesame_bin;
use super::common::saml::{ACCOUNT, FORMS, World, pysaml2_response};
use super::common::tools::fake_browser;

/// JSON keys whose values are secrets, in every cache sesame and the AWS CLI write.
const SECRET_KEYS: &[&str] = &[
    "accessToken",
    "refreshToken",
    "clientSecret",
    "SecretAccessKey",
    "SessionToken",
    "secretAccessKey",
    "sessionToken",
    "dpopKey",
];

/// The role keys: a user may ask for these on stdout.
const KEY_KEYS: &[&str] = &[
    "SecretAccessKey",
    "SessionToken",
    "secretAccessKey",
    "sessionToken",
];

/// One command's run: what it printed and whether its stdout may carry role keys.
struct Run {
    what: String,
    out: Output,
    keys_on_stdout: bool,
}

struct Audit {
    w: World,
    /// Where the wrappers and the child's findings live, outside HOME.
    scratch: tempfile::TempDir,
    runs: Vec<Run>,
    /// Every secret seen so far: (what it is, value, a role key a user may ask for).
    secrets: BTreeSet<(String, String, bool)>,
}

impl Audit {
    fn new() -> Self {
        let w = World::new();
        let scratch = tempfile::tempdir().unwrap();
        let bin = scratch.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let log = scratch.path().join("argv.log");
        // Logs its argv (the /proc/<pid>/cmdline sesame gave it), then runs it.
        script(
            &bin.join("argvlog"),
            &format!(
                "#!/bin/sh\nprintf '%s\\n' \"argvlog $*\" >> '{}'\nexec \"$@\"\n",
                log.display()
            ),
        );
        script(
            &bin.join("browser"),
            &format!(
                "#!/bin/sh\nprintf '%s\\n' \"browser $*\" >> '{}'\nexec {} \"$@\"\n",
                log.display(),
                fake_browser(false)
            ),
        );
        Self {
            w,
            scratch,
            runs: Vec::new(),
            secrets: BTreeSet::new(),
        }
    }

    fn bin(&self) -> PathBuf {
        self.scratch.path().join("bin")
    }

    /// `sesame -vvv ARGS` with the wrappers first on PATH; the run is kept for the audit.
    fn sesame(&mut self, args: &[&str], keys_on_stdout: bool) -> &Output {
        self.sesame_with(args, keys_on_stdout, &[], None)
    }

    fn sesame_with(
        &mut self,
        args: &[&str],
        keys_on_stdout: bool,
        envs: &[(&str, &str)],
        stdin: Option<&str>,
    ) -> &Output {
        let path = format!(
            "{}:{}",
            self.bin().display(),
            std::env::var("PATH").unwrap()
        );
        let mut cmd = self.w.env.sesame();
        cmd.env("PATH", path)
            .env("BROWSER", self.bin().join("browser"))
            .env("AWS_ENDPOINT_URL_SIGNIN", self.w.env.url())
            .env("AWS_ENDPOINT_URL_STS", &self.w.moto.url)
            .arg("-vvv")
            .args(args);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        if let Some(text) = stdin {
            cmd.write_stdin(text);
        }
        let out = cmd.output().unwrap();
        self.harvest();
        self.runs.push(Run {
            what: format!("sesame -vvv {} {envs:?}", args.join(" ")),
            out,
            keys_on_stdout,
        });
        &self.runs.last().unwrap().out
    }

    /// `sesame -vvv serve PROFILE --token-file F`, left serving while `fetches` clients take
    /// its credentials, then stopped with SIGTERM; the token and every key it served are
    /// secrets, and the run's output is audited as any other.
    fn serve(&mut self, profile: &str, fetches: usize) {
        let token_file = self.scratch.path().join("serve-token");
        let out_file = self.scratch.path().join("serve.out");
        let err_file = self.scratch.path().join("serve.err");
        let mut child = self
            .w
            .env
            .sesame_std()
            .env("AWS_ENDPOINT_URL_STS", &self.w.moto.url)
            .arg("-vvv")
            .args(["serve", profile, "-o", "json", "--token-file"])
            .arg(&token_file)
            .stdout(std::fs::File::create(&out_file).unwrap())
            .stderr(std::fs::File::create(&err_file).unwrap())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        let vars: serde_json::Value = loop {
            let text = std::fs::read_to_string(&out_file).unwrap();
            if text.ends_with('\n') {
                break serde_json::from_str(&text).unwrap();
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "serve printed its variables: {}",
                std::fs::read_to_string(&err_file).unwrap()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let token = std::fs::read_to_string(&token_file).unwrap();
        self.secret("the credential server's token (file)", &token, false);
        let url = vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"].as_str().unwrap();
        for _ in 0..fetches {
            let served: serde_json::Value =
                serde_json::from_str(&fetch_served(url, &token)).unwrap();
            for key in ["SecretAccessKey", "Token"] {
                let value = served[key].as_str().unwrap().to_owned();
                self.secret(&format!("served {key}"), &value, true);
            }
        }
        let status = std::process::Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "SIGTERM stops it cleanly");
        assert!(
            !token_file.exists(),
            "the token file is removed when it stops"
        );
        self.harvest();
        self.runs.push(Run {
            what: format!("sesame -vvv serve {profile} (running, {fetches} fetches)"),
            out: Output {
                status,
                stdout: std::fs::read(&out_file).unwrap(),
                stderr: std::fs::read(&err_file).unwrap(),
            },
            keys_on_stdout: false,
        });
    }

    /// The same, checked to succeed.
    fn ok(&mut self, args: &[&str], keys_on_stdout: bool) {
        let out = self.sesame(args, keys_on_stdout);
        assert_success(out);
    }

    fn secret(&mut self, what: &str, value: &str, key: bool) {
        assert!(
            value.len() >= 8 || value == MFA_CODE,
            "{what} is long enough to grep for: {value:?}"
        );
        self.secrets
            .insert((what.to_owned(), value.to_owned(), key));
    }

    /// Every secret in the files under HOME: the caches' JSON and the credentials file.
    fn harvest(&mut self) {
        for (path, bytes) in self.w.env.snapshot_files() {
            if path.extension().is_some_and(|e| e == "json")
                && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes)
            {
                let mut found = Vec::new();
                collect(&v, &mut found);
                for (k, value) in found {
                    self.secret(&k, &value, KEY_KEYS.contains(&k.as_str()));
                }
            }
            if path.file_name().is_some_and(|n| n == "credentials") {
                for line in String::from_utf8_lossy(&bytes).lines() {
                    if let Some((k, v)) = line.split_once('=')
                        && ["aws_secret_access_key", "aws_session_token"].contains(&k.trim())
                    {
                        self.secret(k.trim(), v.trim(), true);
                    }
                }
            }
        }
    }

    /// Every value in every output and argv: only role keys, only on the stdout that asked.
    fn check(&self) {
        let argv = std::fs::read_to_string(self.scratch.path().join("argv.log")).unwrap();
        assert!(argv.contains("argvlog sh -c"), "the children ran: {argv}");
        let mut leaks = Vec::new();
        for (what, value, key) in &self.secrets {
            if argv.contains(value.as_str()) {
                leaks.push(format!("{what} in a child's argv"));
            }
            for run in &self.runs {
                if String::from_utf8_lossy(&run.out.stderr).contains(value.as_str()) {
                    leaks.push(format!("{what} on the stderr of `{}`", run.what));
                }
                let asked = *key && run.keys_on_stdout;
                if !asked && String::from_utf8_lossy(&run.out.stdout).contains(value.as_str()) {
                    leaks.push(format!("{what} on the stdout of `{}`", run.what));
                }
            }
        }
        let logged = |level: &str| {
            self.runs
                .iter()
                .any(|r| String::from_utf8_lossy(&r.out.stderr).contains(level))
        };
        assert!(
            logged("DEBUG") && logged("TRACE"),
            "the runs logged at -vvv"
        );
        assert!(leaks.is_empty(), "secrets leaked:\n{}", leaks.join("\n"));
    }

    /// Every file under `~/.aws` that holds a secret is the user's alone.
    fn check_modes(&self) {
        let mut open = Vec::new();
        let mut holding = 0;
        for (path, bytes) in self.w.env.snapshot_files() {
            let text = String::from_utf8_lossy(&bytes);
            if !self
                .secrets
                .iter()
                .any(|(_, v, _)| text.contains(v.as_str()))
            {
                continue;
            }
            holding += 1;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            if mode != 0o600 {
                open.push(format!("{} is {mode:o}", path.display()));
            }
        }
        assert!(
            holding >= 5,
            "the caches hold the secrets ({holding} files)"
        );
        assert!(
            open.is_empty(),
            "files with secrets not 0600:\n{}",
            open.join("\n")
        );
    }
}

fn script(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn collect(v: &serde_json::Value, out: &mut Vec<(String, String)>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match v.as_str() {
                    Some(s) if SECRET_KEYS.contains(&k.as_str()) && !s.is_empty() => {
                        out.push((k.clone(), s.to_owned()));
                    }
                    _ => collect(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
        _ => {}
    }
}

#[test]
fn no_command_leaks_a_secret_at_any_verbosity() {
    let mut a = Audit::new();
    let account = a.w.env.emulator.account_ids()[0].clone();
    let roles = a.w.env.emulator.roles_of(&account);
    let sesame = sesame_bin();
    a.w.env.append_config(&format!(
        "\n[profile dev]\nsso_session = acme\nsso_account_id = {account}\nsso_role_name = {}\nregion = eu-west-1\n\
         \n[profile other]\nsso_session = acme\nsso_account_id = {account}\nsso_role_name = {}\nregion = eu-west-1\n\
         \n[profile proc]\ncredential_process = argvlog {} credential-process --profile dev\n\
         \n[profile mfa]\nrole_arn = arn:aws:iam::{account}:role/WithMfa\nsource_profile = dev\n\
         mfa_serial = arn:aws:iam::{account}:mfa/alice\nregion = us-east-1\n",
        roles[0],
        roles[1],
        sesame.display()
    ));

    // Identity Center: both logins, then everything that reads the token.
    a.ok(&["login", "--device-code", "--no-browser"], false);
    a.ok(&["login", "--pkce", "--force"], false);
    a.ok(&["status"], false);
    a.ok(&["accounts", "-o", "json"], false);
    a.ok(&["roles"], false);
    // Role keys: every format, the credential_process (a child of sesame), the console URL.
    for format in ["json", "env", "fish", "powershell"] {
        a.ok(&["creds", "dev", "-f", format], true);
    }
    a.ok(
        &["creds", "dev", "--to-credentials-file", "static-dev"],
        false,
    );
    a.ok(&["credential-process", "--profile", "dev"], true);
    a.ok(&["creds", "proc", "-f", "json"], true);
    a.ok(&["console", "dev", "--print"], true);
    let url = stdout(&a.runs.last().unwrap().out).trim().to_owned();
    let token = url.split("SigninToken=").nth(1).expect("a sign-in token");
    let token = token.split('&').next().unwrap().to_owned();
    a.secret("the console sign-in URL", &url, true);
    a.secret("SigninToken", &token, true);
    // Children: keys in their environment, never in their argv.
    let probe = "test -n \"$AWS_SECRET_ACCESS_KEY$AWS_CONTAINER_AUTHORIZATION_TOKEN\"";
    a.ok(&["exec", "dev", "--", "argvlog", "sh", "-c", probe], false);
    let found = a.scratch.path().join("server-token");
    let keep = format!(
        "printf %s \"$AWS_CONTAINER_AUTHORIZATION_TOKEN\" > '{}' && {probe}",
        found.display()
    );
    a.ok(
        &[
            "exec", "--server", "dev", "--", "argvlog", "sh", "-c", &keep,
        ],
        false,
    );
    let server_token = std::fs::read_to_string(&found).unwrap();
    a.secret("the credential server's token", &server_token, false);
    a.ok(&["populate"], false);
    a.ok(&["run", "--yes", "--", "argvlog", "sh", "-c", probe], false);
    // Signed calls: the dry run shows the request with its secrets redacted; a real one signs.
    let api = format!("{}/sts-fake/", a.w.env.url());
    let sts_form = "Action=GetCallerIdentity&Version=2011-06-15";
    let api_args = ["--service", "sts", "--region", "us-east-1", "-d", sts_form];
    let mut dry = vec!["api", "--profile", "dev", &api];
    dry.extend(api_args);
    dry.push("--dry-run");
    a.ok(&dry, false);
    a.sesame(&dry[..dry.len() - 1], false);
    let mut run_api = vec!["run", "--yes", "--regions", "us-east-1", "--api", &api];
    run_api.extend(["--service", "sts", "-d", sts_form]);
    a.sesame(&run_api, false);
    run_api.push("--dry-run");
    a.sesame(&run_api, false);
    // Every crate's tracing (HTTP clients included) on a cold role fetch and a refresh.
    a.sesame_with(
        &["creds", "other", "-f", "json"],
        true,
        &[("SESAME_LOG", "trace")],
        None,
    );
    a.sesame_with(
        &["login", "--device-code", "--force", "--no-browser"],
        false,
        &[("SESAME_LOG", "trace")],
        None,
    );

    // SAML: the password from the environment, an assertion from stdin.
    let password = sesame_emulator::DEFAULT_PASSWORD;
    a.secret("the SAML password", password, false);
    let idp = format!("{}{FORMS}", a.w.env.url());
    a.sesame_with(
        &[
            "saml",
            "login",
            "--idp-url",
            &idp,
            "--username",
            "alice@acme.test",
        ],
        false,
        &[("SESAME_SAML_PASSWORD", password)],
        None,
    );
    assert_success(a.runs.last().map(|r| &r.out).unwrap());
    let assertion = pysaml2_response(
        &format!("arn:aws:iam::{ACCOUNT}:role/PySaml"),
        &format!("arn:aws:iam::{ACCOUNT}:saml-provider/pysaml2"),
        "py-user",
    );
    a.secret("the SAML assertion", &assertion, false);
    let out = a.sesame_with(
        &["saml", "assume", "--assertion-file", "-"],
        false,
        &[],
        Some(&assertion),
    );
    assert_success(out);

    // An MFA code from the environment, as a prompt would take it (the code reaches STS only).
    a.secret("the MFA code", MFA_CODE, false);
    a.sesame_with(
        &["creds", "mfa", "-f", "json"],
        true,
        &[("SESAME_MFA_CODE", MFA_CODE)],
        None,
    );
    assert_success(a.runs.last().map(|r| &r.out).unwrap());

    // An `aws login` session through the console sign-in: the DPoP private key (`dpopKey`),
    // its tokens and keys are harvested from ~/.aws/login/cache; then used, and refreshed.
    a.ok(
        &[
            "login",
            "--console",
            "--profile",
            "console",
            "--region",
            "us-east-1",
        ],
        false,
    );
    assert!(
        a.secrets.iter().any(|(what, _, _)| what == "dpopKey"),
        "the login cache's DPoP key was harvested"
    );
    a.ok(&["creds", "console", "-f", "json"], true);
    expire_login_sessions(&a.w.env.home.path().join(".aws/login/cache"));
    let refreshes = || a.w.env.emulator.stats().requests_for("CreateOAuth2Token");
    let before = refreshes();
    a.sesame_with(
        &["creds", "console", "-f", "json"],
        true,
        &[("SESAME_LOG", "trace")],
        None,
    );
    assert_success(a.runs.last().map(|r| &r.out).unwrap());
    assert_eq!(
        a.w.env.emulator.stats().requests_for("CreateOAuth2Token"),
        before + 1,
        "refreshed with a DPoP proof"
    );
    a.ok(&["logout", "--console", "--profile", "console"], false);

    // A long-running `serve`: its token only in the file it was asked to write, the keys it
    // serves only in its answers.
    a.serve("dev", 5);

    a.check_modes();
    a.ok(&["logout"], false);
    a.check();
}

/// A six-digit code unlike any number the runs print (ports, counts, times).
const MFA_CODE: &str = "739146";

/// Moves every login session's expiry into the refresh window (botocore's five minutes).
fn expire_login_sessions(dir: &Path) {
    let when = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(1);
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        v["accessToken"]["expiresAt"] = when.strftime("%Y-%m-%dT%H:%M:%SZ").to_string().into();
        std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    }
}

/// One HTTP GET to the credential server with its token; the body.
fn fetch_served(url: &str, token: &str) -> String {
    use std::io::{Read as _, Write as _};
    let rest = url.trim_start_matches("http://");
    let (addr, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\nAuthorization: {token}\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.split(' ').nth(1) == Some("200"), "{head}");
    body.to_owned()
}

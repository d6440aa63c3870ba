//! The real AWS CLI v2 (2.36.7, `common::aws_cli_v2`) against sesame on the emulator, both ways:
//! a login by either tool is a login for both, the caches are shared and byte-identical.
//!
//! The CLI v2 insists on an `https://` start URL and resolves any host AWS does not own, so the
//! session uses an AWS-owned form while both tools reach the emulator through
//! `AWS_ENDPOINT_URL_SSO` / `AWS_ENDPOINT_URL_SSO_OIDC`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use sesame_emulator::EmulatorConfig;

use crate::common::{
    SESSION, TestEnv, assert_success, aws_cli_v2, fake_browser, sha1_hex, stderr, stdout,
};

const START_URL: &str = "https://d-9067c2c1a0.awsapps.com/start";

/// An emulator with two accounts and a config whose session the CLI v2 accepts.
fn world() -> TestEnv {
    let env = TestEnv::with(EmulatorConfig {
        accounts: 2,
        auto_approve: true,
        ..EmulatorConfig::default()
    });
    env.write_config(&format!(
        "[sso-session {SESSION}]\nsso_start_url = {START_URL}\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
    ));
    env
}

/// `aws ARGS` with the environment every sesame of the tests gets: HOME, PATH, the endpoints.
fn aws(env: &TestEnv, args: &[&str]) -> Output {
    let out = aws_command(env).args(args).output().unwrap();
    assert_success(&out);
    out
}

fn aws_command(env: &TestEnv) -> assert_cmd::Command {
    let mut cmd = env.sso_command(aws_cli_v2());
    cmd.env("AWS_PAGER", "");
    let mut cmd = assert_cmd::Command::from_std(cmd);
    cmd.timeout(std::time::Duration::from_secs(120));
    cmd
}

fn sesame(env: &TestEnv, args: &[&str]) -> Output {
    let out = env.sesame().args(args).output().unwrap();
    assert_success(&out);
    out
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(out)))
}

/// The profiles in the config (name → its section's keys).
fn profiles(env: &TestEnv) -> Vec<String> {
    std::fs::read_to_string(env.config_path())
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("[profile ")?.strip_suffix(']'))
        .map(str::to_owned)
        .collect()
}

/// `aws configure export-credentials --profile P` as JSON.
fn cli_creds(env: &TestEnv, profile: &str) -> serde_json::Value {
    json(&aws(
        env,
        &[
            "configure",
            "export-credentials",
            "--profile",
            profile,
            "--format",
            "process",
        ],
    ))
}

/// `sesame creds P --format json`.
fn sesame_creds(env: &TestEnv, profile: &str) -> serde_json::Value {
    json(&sesame(env, &["creds", profile, "--format", "json"]))
}

#[test]
fn a_sesame_device_login_serves_every_populated_profile_through_the_cli() {
    let env = world();
    sesame(&env, &["login", "--device-code"]);
    sesame(&env, &["populate"]);
    let names = profiles(&env);
    assert!(names.len() >= 2, "{names:?}");
    // Every profile, through both of the CLI's commands; the role cache is shared both ways:
    // whichever tool asks first, the other reuses its entry (no second GetRoleCredentials).
    for (i, name) in names.iter().enumerate() {
        let (first, second) = if i % 2 == 0 {
            (cli_creds(&env, name), sesame_creds(&env, name))
        } else {
            let s = sesame_creds(&env, name);
            (s, cli_creds(&env, name))
        };
        assert_eq!(first["AccessKeyId"], second["AccessKeyId"], "{name}");
        assert_eq!(first["SessionToken"], second["SessionToken"], "{name}");
        let list = stdout(&aws(&env, &["configure", "list", "--profile", name]));
        let keys: Vec<&str> = list.lines().filter(|l| l.contains("_key")).collect();
        assert!(
            keys.len() == 2 && keys.iter().all(|l| l.contains(": sso")),
            "{name}:\n{list}"
        );
    }
    assert_eq!(
        env.emulator.stats().role_credentials_issued as usize,
        names.len()
    );
}

#[test]
fn credential_process_profiles_work_in_the_cli() {
    let env = world();
    sesame(&env, &["login", "--device-code"]);
    let bin = assert_cmd::cargo::cargo_bin("sesame");
    sesame(
        &env,
        &[
            "populate",
            "--style",
            "credential-process",
            "--credential-process-command",
            bin.to_str().unwrap(),
        ],
    );
    let names = profiles(&env);
    assert!(!names.is_empty());
    let config = std::fs::read_to_string(env.config_path()).unwrap();
    for name in &names {
        let c = cli_creds(&env, name);
        // The keys are the target's: the account and role its command line names.
        let section = config.split(&format!("[profile {name}]\n")).nth(1).unwrap();
        let line = section.lines().next().unwrap();
        let word = |flag: &str| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let at = words.iter().position(|w| *w == flag).unwrap();
            words[at + 1].trim_matches('\'').to_owned()
        };
        let key = c["AccessKeyId"].as_str().unwrap();
        assert_eq!(
            env.emulator.whoami(key),
            Some((word("--account"), word("--role"))),
            "{name}: {line}"
        );
        let list = stdout(&aws(&env, &["configure", "list", "--profile", name]));
        assert!(list.contains("custom-process"), "{name}:\n{list}");
    }
    assert_eq!(
        env.emulator.stats().role_credentials_issued as usize,
        names.len()
    );
}

#[test]
fn a_cli_device_login_is_used_by_sesame_and_its_logout_seen() {
    let env = world();
    let out = aws(
        &env,
        &[
            "sso",
            "login",
            "--sso-session",
            SESSION,
            "--use-device-code",
            "--no-browser",
        ],
    );
    assert!(
        stdout(&out).contains("Successfully logged into"),
        "{}",
        stdout(&out)
    );
    let roles = json(&sesame(&env, &["roles", "-o", "json"]));
    let first = &roles.as_array().unwrap()[0];
    let (account, role) = (
        first["accountId"].as_str().unwrap(),
        first["roleName"].as_str().unwrap(),
    );
    let creds = json(&sesame(
        &env,
        &[
            "creds",
            "--sso-session",
            SESSION,
            "--account",
            account,
            "--role",
            role,
            "--format",
            "json",
        ],
    ));
    assert!(creds["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert_eq!(
        env.emulator.stats().device_authorizations,
        1,
        "no second login"
    );

    // `aws sso logout`: sesame sees it (login required, exit 3).
    aws(&env, &["sso", "logout"]);
    let out = env
        .sesame()
        .args([
            "creds",
            "--sso-session",
            SESSION,
            "--account",
            account,
            "--role",
            role,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
}

#[test]
fn a_sesame_logout_is_seen_by_the_cli() {
    let env = world();
    sesame(&env, &["login", "--device-code"]);
    sesame(&env, &["populate"]);
    let name = profiles(&env)[0].clone();
    cli_creds(&env, &name);
    sesame(&env, &["logout"]);
    let out = aws_command(&env)
        .args(["configure", "export-credentials", "--profile", &name])
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("Token") || stderr(&out).contains("token"),
        "{}",
        stderr(&out)
    );
}

/// A BROWSER for the CLI v2: Python's webbrowser waits for it, so it must return at once and
/// follow the URL (the emulator's /authorize redirects to the CLI's listener) in the background.
fn background_browser(dir: &Path) -> String {
    let script = dir.join("browser.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\n(sleep 0.2; curl -sSL -o /dev/null \"$1\") >/dev/null 2>&1 &\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script.display().to_string()
}

#[test]
fn pkce_logins_by_either_tool_serve_the_other() {
    // sesame's browser flow, then the CLI.
    let env = world();
    let out = env
        .sesame()
        .env("BROWSER", fake_browser(false))
        .args(["login", "--pkce"])
        .output()
        .unwrap();
    assert_success(&out);
    sesame(&env, &["populate"]);
    let name = profiles(&env)[0].clone();
    assert!(cli_creds(&env, &name)["AccessKeyId"].is_string());
    assert_eq!(env.emulator.stats().requests_for("Authorize"), 1);

    // The CLI's browser flow, then sesame.
    let env = world();
    let browser = background_browser(env.home.path());
    let out = aws_command(&env)
        .env("BROWSER", &browser)
        .args(["sso", "login", "--sso-session", SESSION])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(env.emulator.stats().requests_for("Authorize"), 1);
    let token = env.token_json(SESSION);
    assert!(token["refreshToken"].is_string(), "{token}");
    let roles = json(&sesame(&env, &["roles", "-o", "json"]));
    assert!(!roles.as_array().unwrap().is_empty());
    assert_eq!(env.emulator.stats().device_authorizations, 0);
}

/// Secrets and times replaced, every other byte kept.
fn mask(text: &str) -> String {
    const KEYS: [&str; 10] = [
        "accessToken",
        "refreshToken",
        "clientId",
        "clientSecret",
        "expiresAt",
        "registrationExpiresAt",
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    ];
    let mut out = text.to_owned();
    for key in KEYS {
        let needle = format!("\"{key}\": \"");
        let mut from = 0;
        while let Some(at) = out[from..].find(&needle) {
            let start = from + at + needle.len();
            let end = start + out[start..].find('"').expect("a closing quote");
            out.replace_range(start..end, "*");
            from = start + 1;
        }
    }
    out
}

/// Every cache file under `dir` (name → masked text), the CLI's own session.db aside.
fn caches(dir: &Path) -> BTreeMap<String, String> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    rd.flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| {
            let text = std::fs::read_to_string(e.path()).unwrap();
            (e.file_name().to_string_lossy().into_owned(), mask(&text))
        })
        .collect()
}

#[test]
fn the_cache_files_are_the_clis_byte_for_byte() {
    // The same steps by each tool, each in its own world: a device login, one role's
    // credentials.
    let by_sesame = world();
    sesame(&by_sesame, &["login", "--device-code"]);
    sesame(&by_sesame, &["populate"]);
    let name = profiles(&by_sesame)[0].clone();
    sesame_creds(&by_sesame, &name);

    let by_cli = world();
    std::fs::copy(by_sesame.config_path(), by_cli.config_path()).unwrap();
    aws(
        &by_cli,
        &[
            "sso",
            "login",
            "--sso-session",
            SESSION,
            "--use-device-code",
            "--no-browser",
        ],
    );
    cli_creds(&by_cli, &name);

    let sso = |env: &TestEnv| caches(&env.sso_cache());
    let role = |env: &TestEnv| caches(&env.home.path().join(".aws/cli/cache"));
    let (ours, theirs) = (sso(&by_sesame), sso(&by_cli));
    assert!(
        ours.contains_key(&format!("{}.json", sha1_hex(SESSION))),
        "{ours:?}"
    );
    assert_eq!(ours, theirs, "token and registration caches");
    let (ours, theirs) = (role(&by_sesame), role(&by_cli));
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_eq!(ours, theirs, "role-credential cache");
}

#[test]
fn a_silent_refresh_by_either_tool_serves_the_other() {
    // Tokens that live 10 minutes are inside both tools' 15-minute refresh window at once:
    // every use refreshes, and the emulator rotates the refresh token each time.
    let env = TestEnv::with(EmulatorConfig {
        accounts: 1,
        auto_approve: true,
        token_lifetime: std::time::Duration::from_secs(600),
        ..EmulatorConfig::default()
    });
    env.write_config(&format!(
        "[sso-session {SESSION}]\nsso_start_url = {START_URL}\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
    ));
    aws(
        &env,
        &[
            "sso",
            "login",
            "--sso-session",
            SESSION,
            "--use-device-code",
            "--no-browser",
        ],
    );
    let roles = json(&sesame(&env, &["roles", "-o", "json"]));
    assert_eq!(
        env.emulator.stats().refreshes,
        1,
        "sesame refreshed the CLI's login"
    );
    let first = &roles.as_array().unwrap()[0];
    let config = std::fs::read_to_string(env.config_path()).unwrap();
    env.write_config(&format!(
        "{config}[profile dev]\nsso_session = {SESSION}\nsso_account_id = {}\nsso_role_name = {}\n",
        first["accountId"].as_str().unwrap(),
        first["roleName"].as_str().unwrap()
    ));
    // The CLI refreshes with the refresh token sesame stored (the old one is spent)...
    assert!(cli_creds(&env, "dev")["AccessKeyId"].is_string());
    assert_eq!(
        env.emulator.stats().refreshes,
        2,
        "the CLI refreshed sesame's token"
    );
    // ...and sesame with the one the CLI stored.
    sesame(&env, &["roles", "--refresh"]);
    let stats = env.emulator.stats();
    assert_eq!(stats.refreshes, 3);
    assert_eq!(stats.device_authorizations, 1, "never a second login");
}

/// The registration under the AWS CLI's key (`"tool": "botocore"`), if any.
fn cli_registration(env: &TestEnv) -> Option<serde_json::Value> {
    let args = format!(
        "{{\"region\": \"us-east-1\", \"scopes\": [\"sso:account:access\"], \"session_name\": \"{SESSION}\", \"startUrl\": \"{START_URL}\", \"tool\": \"botocore\"}}"
    );
    let path = env.sso_cache().join(format!("{}.json", sha1_hex(&args)));
    let text = std::fs::read_to_string(path).ok()?;
    Some(serde_json::from_str(&text).unwrap())
}

fn is_pkce(reg: &serde_json::Value) -> bool {
    reg["grantTypes"]
        .as_array()
        .is_some_and(|g| g.iter().any(|t| t == "authorization_code"))
}

#[test]
fn the_clis_registration_key_only_ever_gets_device_code_clients_from_sesame() {
    // CLIs before 2.22 reuse whatever registration the CLI's key holds for their device flow,
    // without looking at its grant types: a PKCE client there would break their logins.
    let env = world();
    let login = |args: &[&str]| {
        let out = env
            .sesame()
            .env("BROWSER", fake_browser(false))
            .args(args)
            .output()
            .unwrap();
        assert_success(&out);
    };
    let registrations = || env.emulator.stats().requests_for("RegisterClient");
    login(&["login", "--pkce"]);
    assert!(
        cli_registration(&env).is_none(),
        "sesame's PKCE client is kept apart"
    );
    aws(
        &env,
        &[
            "sso",
            "login",
            "--sso-session",
            SESSION,
            "--use-device-code",
            "--no-browser",
        ],
    );
    let device = cli_registration(&env).expect("the CLI's device registration");
    assert!(!is_pkce(&device));
    // sesame's next browser login reuses its own client and leaves the CLI's key alone.
    let before = registrations();
    login(&["login", "--pkce", "--force"]);
    assert_eq!(registrations(), before);
    assert_eq!(cli_registration(&env), Some(device));

    // A newer CLI's browser login puts a PKCE client under the CLI's key: sesame's browser login
    // reuses it, and its device login puts a device client back.
    let browser = background_browser(env.home.path());
    let out = aws_command(&env)
        .env("BROWSER", &browser)
        .args(["sso", "login", "--sso-session", SESSION])
        .output()
        .unwrap();
    assert_success(&out);
    let pkce = cli_registration(&env).unwrap();
    assert!(is_pkce(&pkce));
    let before = registrations();
    login(&["login", "--pkce", "--force"]);
    assert_eq!(registrations(), before, "the CLI's PKCE client reused");
    assert_eq!(cli_registration(&env), Some(pkce));
    login(&["login", "--device-code", "--force"]);
    assert!(!is_pkce(&cli_registration(&env).unwrap()));
}

/// CLI v2.9.19 (Debian 12's `awscli`) itself: after a sesame PKCE login, its `aws sso login`
/// still works, and sesame uses the login it makes. That CLI ignores `AWS_ENDPOINT_URL_*`, so
/// tests/support/old_cli.sh runs it in a private mount and network namespace whose /etc/hosts
/// sends its real hosts to a TLS front on 127.0.0.1:443 before the emulator.
#[test]
#[ignore = "needs root (unshare), Debian 12's awscli 2.9.19 (apt-get install awscli) and the \
            emulator binary (cargo build -p sesame-emulator); run with --ignored"]
fn cli_2_9_19_keeps_logging_in_after_a_sesame_pkce_login() {
    let script = crate::common::py_script("old_cli.sh");
    let out = std::process::Command::new("sh")
        .arg(script)
        .arg(assert_cmd::cargo::cargo_bin("sesame"))
        .arg(assert_cmd::cargo::cargo_bin("sesame-emulator"))
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stdout(&out).contains("PASS: aws-cli/2.9.19"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_session_written_by_aws_configure_sso_session_is_kept_and_used() {
    let env = world();
    env.write_config("# mine\n[default]\nregion = eu-west-1\n");
    // The CLI's own prompts, answered on a pseudo-terminal as a person would.
    let argv = serde_json::json!([aws_cli_v2(), "configure", "sso-session"]);
    let script = serde_json::json!([
        ["SSO session name", "corp\r"],
        ["SSO start URL", format!("{START_URL}\r")],
        ["SSO region", "us-east-1\r"],
        ["SSO registration scopes", "\r"],
    ]);
    let out = env.on_terminal(&argv, &script).output().unwrap();
    assert_success(&out);
    let written = std::fs::read_to_string(env.config_path()).unwrap();
    assert!(written.contains("[sso-session corp]\n"), "{written}");

    sesame(&env, &["login", "--device-code", "--sso-session", "corp"]);
    sesame(&env, &["populate", "--sso-session", "corp"]);
    let text = std::fs::read_to_string(env.config_path()).unwrap();
    assert!(
        text.starts_with(&written),
        "the CLI's bytes are kept:\n{text}"
    );
    assert!(
        text.contains("# BEGIN sesame populate (sso-session corp)"),
        "{text}"
    );
    let name = profiles(&env)[0].clone();
    assert!(cli_creds(&env, &name)["AccessKeyId"].is_string());
}

/// The config after `aws configure sso-session` (answered on a pseudo-terminal) and after
/// `sesame setup --yes --no-login` with the same answers, each from `initial` (`None`: no file).
fn both_setups(initial: Option<&str>, name: &str, url: &str, region: &str) -> (String, String) {
    let write = |env: &TestEnv| match initial {
        Some(text) => env.write_config(text),
        None => std::fs::remove_file(env.config_path()).unwrap(),
    };
    let cli = world();
    write(&cli);
    let argv = serde_json::json!([aws_cli_v2(), "configure", "sso-session"]);
    let script = serde_json::json!([
        ["SSO session name", format!("{name}\r")],
        ["SSO start URL", format!("{url}\r")],
        ["SSO region", format!("{region}\r")],
        ["SSO registration scopes", "\r"],
    ]);
    let out = cli.on_terminal(&argv, &script).output().unwrap();
    assert_success(&out);
    let ours = world();
    write(&ours);
    sesame(
        &ours,
        &[
            "setup",
            "--sso-session",
            name,
            "--start-url",
            url,
            "--sso-region",
            region,
            "--yes",
            "--no-login",
        ],
    );
    let read = |env: &TestEnv| std::fs::read_to_string(env.config_path()).unwrap();
    (read(&cli), read(&ours))
}

#[test]
fn sesame_setup_writes_what_aws_configure_sso_session_writes() {
    let old = "https://d-1111111111.awsapps.com/start";
    let cases: [Option<String>; 5] = [
        None,
        Some("# mine\n[default]\nregion = eu-west-1\n".into()),
        Some("[default]\nregion = eu-west-1".into()),
        // An existing session: keys rewritten in place, the new one after its last key.
        Some(format!(
            "[sso-session corp]\nsso_start_url={old}\nsso_region = eu-west-1\n\
             sso_use_device_code = true\n\n[profile a]\nregion = us-west-2\n"
        )),
        // At the end of the file, with blank lines after it.
        Some(format!(
            "[profile a]\nregion = us-west-2\n\n[sso-session corp]\nsso_start_url = {old}\n\n\n"
        )),
    ];
    for initial in cases {
        let (cli, ours) = both_setups(initial.as_deref(), "corp", START_URL, "us-east-2");
        assert_eq!(ours, cli, "from {initial:?}");
        assert_eq!(ours.matches("[sso-session corp]").count(), 1);
    }
}

#[test]
fn the_cli_uses_a_session_sesame_setup_wrote_and_logged_in() {
    let env = world();
    std::fs::remove_file(env.config_path()).unwrap();
    sesame(
        &env,
        &[
            "setup",
            "--sso-session",
            "corp",
            "--start-url",
            START_URL,
            "--sso-region",
            "us-east-1",
            "--yes",
            "--device-code",
            "--no-browser",
        ],
    );
    let names = profiles(&env);
    assert!(!names.is_empty());
    // The CLI reads the session, the login (sesame's token cache) and the profiles.
    let cli = cli_creds(&env, &names[0]);
    assert_eq!(
        cli["AccessKeyId"],
        sesame_creds(&env, &names[0])["AccessKeyId"]
    );
    // And logs in to it on its own.
    aws(
        &env,
        &[
            "sso",
            "login",
            "--sso-session",
            "corp",
            "--use-device-code",
            "--no-browser",
        ],
    );
}

//! `sesame login`: both flows, the cache format, refresh, the registration cache, the lock.

use std::process::Stdio;

use sesame_emulator::EmulatorConfig;

use crate::common::{SESSION, TestEnv, assert_success, fake_browser, stderr};

#[test]
fn device_code_login_writes_the_aws_cli_token_cache() {
    let env = TestEnv::new();
    let out = env
        .sesame()
        .args(["login", "--device-code"])
        .output()
        .unwrap();
    assert_success(&out);
    let err = stderr(&out);
    assert!(
        err.contains("/device?user_code="),
        "the URL is printed:\n{err}"
    );
    assert!(err.contains("Logged in to sso-session `acme`"), "{err}");

    let token = env.token_json(SESSION);
    let keys: Vec<&str> = token
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "startUrl",
            "region",
            "accessToken",
            "expiresAt",
            "clientId",
            "clientSecret",
            "registrationExpiresAt",
            "refreshToken"
        ],
        "the AWS CLI v2's fields, in its order"
    );
    assert_eq!(token["startUrl"], format!("{}/start", env.url()));
    assert_eq!(token["region"], "us-east-1");
    let expires = token["expiresAt"].as_str().unwrap();
    assert!(
        expires.ends_with('Z') && expires.len() == 20,
        "YYYY-MM-DDTHH:MM:SSZ, got {expires}"
    );

    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(env.token_path(SESSION))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // No secret reaches the terminal.
    for secret in ["accessToken", "refreshToken", "clientSecret"] {
        let v = token[secret].as_str().unwrap();
        assert!(
            !err.contains(v) && !String::from_utf8_lossy(&out.stdout).contains(v),
            "{secret} leaked"
        );
    }
    let stats = env.emulator.stats();
    assert_eq!(stats.registrations, 1);
    assert_eq!(stats.authorizations, 1);
}

#[test]
fn a_second_login_reuses_the_valid_token_and_force_reuses_the_registration() {
    let env = TestEnv::builder().logged_in().build();
    let first = env.token_json(SESSION);
    let out = env
        .sesame()
        .args(["login", "--device-code"])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stderr(&out).contains("Already logged in"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.token_json(SESSION), first, "nothing rewritten");

    let out = env
        .sesame()
        .args(["login", "--device-code", "--force"])
        .output()
        .unwrap();
    assert_success(&out);
    let second = env.token_json(SESSION);
    assert_ne!(second["accessToken"], first["accessToken"]);
    assert_eq!(
        second["clientId"], first["clientId"],
        "the cached registration is reused"
    );
    let stats = env.emulator.stats();
    assert_eq!(stats.registrations, 1);
    assert_eq!(stats.authorizations, 2);
}

#[test]
fn device_code_approved_on_the_verification_page() {
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: false,
        ..EmulatorConfig::default()
    });
    let mut child = env
        .sesame_std()
        .args(["login", "--device-code", "--no-browser"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read stderr until the user code appears, then approve it as a user would: on the page.
    use std::io::{BufRead as _, BufReader};
    let mut reader = BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    let code = loop {
        let mut line = String::new();
        assert!(
            reader.read_line(&mut line).unwrap() > 0,
            "no code shown:\n{seen}"
        );
        seen.push_str(&line);
        if let Some(rest) = line
            .trim()
            .strip_prefix("and enter (or confirm) the code: ")
        {
            break rest.trim().to_owned();
        }
    };
    let page = reqwest_blocking_get(&format!("{}/device?user_code={code}", env.url()));
    assert!(page.contains(&code), "the verification page shows the code");
    assert!(page.to_lowercase().contains("approve") && page.to_lowercase().contains("deny"));
    env.emulator.approve(&code);
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).unwrap();
    assert!(status.success(), "{seen}{rest}");
    assert!(env.token_path(SESSION).exists());
}

fn reqwest_blocking_get(url: &str) -> String {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())",
            url,
        ])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn pkce_login_through_a_browser_that_follows_the_redirect() {
    let env = TestEnv::new();
    let out = env
        .sesame()
        .args(["login", "--pkce"])
        .env("BROWSER", fake_browser(false))
        .output()
        .unwrap();
    assert_success(&out);
    let err = stderr(&out);
    assert!(err.contains("/authorize?response_type=code"), "{err}");
    assert!(err.contains("code_challenge_method=S256"), "{err}");
    let token = env.token_json(SESSION);
    assert!(token["refreshToken"].is_string());
    // The PKCE registration is cached with its grant types, under sesame's own key: the AWS
    // CLI's key is left to device-code registrations (CLIs before 2.22 reuse whatever is there).
    let reg_key = |tool: &str| {
        crate::common::sha1_hex(&format!(
            "{{\"region\": \"us-east-1\", \"scopes\": [\"sso:account:access\"], \"session_name\": \"acme\", \"startUrl\": \"{}/start\", \"tool\": \"{tool}\"}}",
            env.url()
        ))
    };
    assert!(
        !env.sso_cache()
            .join(format!("{}.json", reg_key("botocore")))
            .exists()
    );
    let reg: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            env.sso_cache()
                .join(format!("{}.json", reg_key("sesame-pkce"))),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(
        reg["grantTypes"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
}

#[test]
fn pkce_on_a_fixed_redirect_port() {
    let env = TestEnv::new();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let out = env
        .sesame()
        .args(["login", "--pkce", "--redirect-port", &port.to_string()])
        .env("BROWSER", fake_browser(false))
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stderr(&out).contains(&format!("127.0.0.1%3A{port}%2Foauth%2Fcallback")),
        "{}",
        stderr(&out)
    );
}

#[test]
fn pkce_with_consent_page_approved_and_denied() {
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: false,
        ..EmulatorConfig::default()
    });
    let out = env
        .sesame()
        .args(["login", "--pkce"])
        .env("BROWSER", fake_browser(false))
        .output()
        .unwrap();
    assert_success(&out);

    let before = env.snapshot_files();
    let out = env
        .sesame()
        .args(["login", "--pkce", "--force"])
        .env("BROWSER", fake_browser(true))
        .output()
        .unwrap();
    crate::common::assert_clean_failure(&out, 1, "denied");
    assert_eq!(
        env.snapshot_files(),
        before,
        "a denied login changes nothing"
    );
}

#[test]
fn no_display_means_device_code_and_no_browser_only_prints() {
    let env = TestEnv::new();
    // No DISPLAY in the test environment: the device code is chosen by itself.
    let out = env
        .sesame()
        .args(["login", "-v"])
        .env("BROWSER", "false")
        .output()
        .unwrap();
    assert_success(&out);
    assert!(
        stderr(&out).contains("/device?user_code="),
        "{}",
        stderr(&out)
    );

    // A browser that cannot start: sesame says so the moment it tries to open it (starting a
    // program is synchronous), so its output proves whether it tried, with nothing to wait for.
    let browser = env.home.path().join("no-such-browser");
    let login = |disable: bool| {
        let mut cmd = env.sesame_without_terminal();
        cmd.args(["login", "--device-code", "--force"])
            .env("BROWSER", &browser);
        if disable {
            cmd.env("AWS_SSO_DISABLE_BROWSER", "1");
        }
        let out = cmd.output().unwrap();
        assert_success(&out);
        stderr(&out)
    };
    let tried = login(false);
    assert!(
        tried.contains("could not run $BROWSER"),
        "without AWS_SSO_DISABLE_BROWSER the browser is tried: {tried}"
    );
    let err = login(true);
    assert!(
        !err.contains("could not run $BROWSER"),
        "the browser must not be opened: {err}"
    );
    assert!(err.contains("open this URL in a browser"), "{err}");

    // No $BROWSER and no browser on PATH: the URL and code are on the screen, and nothing of
    // the webbrowser crate's "No valid browsers detected" leaks into the prompt.
    let empty = tempfile::tempdir().unwrap();
    let out = env
        .sesame()
        .args(["login", "--device-code", "--force"])
        .env("PATH", empty.path())
        .output()
        .unwrap();
    assert_success(&out);
    let err = stderr(&out);
    assert!(
        err.contains("open this URL in a browser") && err.contains("code: "),
        "{err}"
    );
    assert!(
        !err.contains("No valid browsers") && !err.contains("could not"),
        "{err}"
    );
}

#[test]
fn twenty_parallel_logins_make_one_authorisation() {
    let env = TestEnv::new();
    let log = env.home.path().join("browser.log");
    let browser = format!("{} ", fake_browser(false));
    let children: Vec<_> = (0..20)
        .map(|_| {
            env.sesame_std()
                .args(["login", "--pkce"])
                .env("BROWSER", &browser)
                .env("FAKE_BROWSER_LOG", &log)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let stats = env.emulator.stats();
    assert_eq!(
        stats.authorizations, 1,
        "one authorisation for twenty logins"
    );
    assert_eq!(stats.tokens_issued, 1, "one token");
    let opened = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        opened.lines().filter(|l| l.starts_with("open ")).count(),
        1,
        "one browser tab:\n{opened}"
    );
}

#[test]
fn an_expiring_token_is_refreshed_silently() {
    // Tokens live 10 minutes: inside the 15-minute refresh window at once.
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: true,
        token_lifetime: std::time::Duration::from_secs(600),
        ..EmulatorConfig::default()
    });
    env.login();
    let first = env.token_json(SESSION);
    let out = env
        .sesame()
        .args(["accounts", "--output", "json"])
        .output()
        .unwrap();
    assert_success(&out);
    let second = env.token_json(SESSION);
    assert_ne!(first["accessToken"], second["accessToken"], "refreshed");
    assert_eq!(env.emulator.stats().refreshes, 1);
    assert_eq!(
        env.emulator.stats().authorizations,
        1,
        "no new authorisation"
    );

    // `login` refreshes rather than asking the user again.
    let out = env
        .sesame()
        .args(["login", "--device-code"])
        .output()
        .unwrap();
    assert_success(&out);
    assert!(stderr(&out).contains("Refreshed"), "{}", stderr(&out));
    assert_eq!(env.emulator.stats().authorizations, 1);
}

//! Start URLs as the AWS CLI v2 takes them: a vanity URL is resolved through its redirect (HEAD,
//! GET on 405) to an AWS sign-in host, whose region wins; bad ones change nothing.

use crate::common::{SESSION, TestEnv, assert_clean_failure, assert_success, stderr};
use crate::tls::TlsFront;

/// Where the vanity URL leads: an AWS-owned host that names its region.
const PORTAL: &str = "https://ssoins-7223a1b2c3d4e5f6.portal.eu-west-1.app.aws/start/";
const RESOLVED: &str = "https://ssoins-7223a1b2c3d4e5f6.portal.eu-west-1.app.aws/start";

/// The emulator behind a TLS front, a vanity server, and a bundle trusting both.
struct World {
    env: TestEnv,
    oidc: TlsFront,
    vanity: TlsFront,
    bundle: std::path::PathBuf,
}

impl World {
    fn new(location: &str, head_status: Option<u16>) -> Self {
        let env = TestEnv::new();
        let oidc = TlsFront::before(&env);
        let vanity = TlsFront::redirecting(location, head_status);
        let bundle = env.home.path().join("bundle.pem");
        let mut pem = std::fs::read(oidc.ca()).unwrap();
        pem.extend(std::fs::read(vanity.ca()).unwrap());
        std::fs::write(&bundle, pem).unwrap();
        env.write_config(&format!(
            "# kept\n[sso-session {SESSION}]\nsso_start_url = {}/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n",
            vanity.url()
        ));
        Self {
            env,
            oidc,
            vanity,
            bundle,
        }
    }

    fn login(&self) -> std::process::Output {
        self.env
            .sesame()
            .env("AWS_ENDPOINT_URL_SSO", self.oidc.url())
            .env("AWS_ENDPOINT_URL_SSO_OIDC", self.oidc.url())
            .env("AWS_CA_BUNDLE", &self.bundle)
            .args(["login", "--device-code"])
            .output()
            .unwrap()
    }
}

#[test]
fn a_vanity_url_is_resolved_and_its_region_wins() {
    let w = World::new(PORTAL, None);
    let out = w.login();
    assert_success(&out);
    assert!(
        stderr(&out).contains("SSO region updated to eu-west-1"),
        "{}",
        stderr(&out)
    );
    assert_eq!(w.vanity.requests(), ["HEAD /start"]);
    // Identity Center was asked about the resolved URL...
    assert!(
        w.oidc
            .traffic()
            .contains(&format!("\"startUrl\":\"{RESOLVED}\"")),
        "{}",
        w.oidc.traffic()
    );
    // ...the token keeps the configured one, in the new region, as the AWS CLI v2 writes it.
    let token = w.env.token_json(SESSION);
    assert_eq!(token["startUrl"], format!("{}/start", w.vanity.url()));
    assert_eq!(token["region"], "eu-west-1");
    // sso_region is updated in place; every other byte is kept.
    let config = std::fs::read_to_string(w.env.config_path()).unwrap();
    assert_eq!(
        config,
        format!(
            "# kept\n[sso-session {SESSION}]\nsso_start_url = {}/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n",
            w.vanity.url()
        )
    );
    // The next login finds the region already right.
    let out = w.login();
    assert_success(&out);
    assert!(!stderr(&out).contains("SSO region updated"));
}

#[test]
fn a_server_refusing_head_is_asked_with_get() {
    let w = World::new(PORTAL, Some(405));
    assert_success(&w.login());
    assert_eq!(w.vanity.requests(), ["HEAD /start", "GET /start"]);
}

#[test]
fn a_vanity_url_leading_elsewhere_is_refused_and_changes_nothing() {
    let w = World::new("https://login.example.com/start", None);
    let before = w.env.snapshot_files();
    let out = w.login();
    assert_clean_failure(&out, 1, "login.example.com");
    assert!(
        stderr(&out).contains("not an AWS sign-in host"),
        "{}",
        stderr(&out)
    );
    assert_eq!(w.env.snapshot_files(), before);
    assert_eq!(w.oidc.connections(), 0);
}

#[test]
fn an_http_start_url_is_refused_before_any_request() {
    let env = TestEnv::new();
    env.write_config(&format!(
        "[sso-session {SESSION}]\nsso_start_url = http://sso.example.com/start\nsso_region = us-east-1\n"
    ));
    let before = env.snapshot_files();
    let out = env
        .sesame()
        .args(["login", "--device-code"])
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "must use https");
    assert_eq!(env.snapshot_files(), before);
    assert_eq!(env.emulator.stats().requests_for("RegisterClient"), 0);
}

#[test]
fn sso_use_device_code_chooses_the_device_flow_and_the_code_is_shown() {
    let env = TestEnv::new();
    let config = std::fs::read_to_string(env.config_path()).unwrap();
    env.write_config(&format!("{config}sso_use_device_code = true\n"));
    // A desktop, where the browser flow would be the default.
    let out = env
        .sesame()
        .env("DISPLAY", ":0")
        .env("BROWSER", "false")
        .args(["login", "--no-browser"])
        .output()
        .unwrap();
    assert_success(&out);
    let stats = env.emulator.stats();
    assert_eq!(stats.device_authorizations, 1);
    assert_eq!(stats.requests_for("Authorize"), 0);
    // The user code stands beside the URL, whatever the URL carries.
    let err = stderr(&out);
    let line = err
        .lines()
        .find(|l| l.contains("the code: "))
        .unwrap_or_else(|| panic!("no code shown:\n{err}"));
    let code = line.rsplit("the code: ").next().unwrap().trim();
    assert!(
        code.len() >= 8 && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
        "{line}"
    );
}

#[test]
fn setup_takes_a_vanity_urls_region_from_where_it_leads() {
    let w = World::new(PORTAL, None);
    let start = format!("{}/start", w.vanity.url());
    let before = std::fs::read_to_string(w.env.config_path()).unwrap();
    let out = w
        .env
        .sesame()
        .env("AWS_CA_BUNDLE", &w.bundle)
        .args(["setup", "--sso-session", "corp", "--start-url", &start])
        .args(["--yes", "--no-login"])
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(w.vanity.requests(), ["HEAD /start"]);
    // No --sso-region: the region is the one the vanity URL leads to, as the AWS CLI v2 finds it.
    let config = std::fs::read_to_string(w.env.config_path()).unwrap();
    assert_eq!(
        config,
        format!(
            "{before}[sso-session corp]\nsso_start_url = {start}\nsso_region = eu-west-1\n\
             sso_registration_scopes = sso:account:access\n"
        )
    );
}

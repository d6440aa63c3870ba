//! The SAML tests' world (`tests/it/saml`): moto's server as STS, the emulator's IdPs, botocore, pysaml2.

use std::path::PathBuf;
use std::process::{Command, Output};

use sesame_emulator::DEFAULT_PASSWORD;

use super::assert::{assert_success, stderr, stdout};
use super::env::TestEnv;
use super::servers::Moto;
use super::tools::py_script;

pub(crate) const ACCOUNT: &str = "123456789012";
pub(crate) const FORMS: &str = "/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices";
pub(crate) const WINDOWS: &str = "/adfs/ls/auth/integrated/?loginToRp=urn:amazon:webservices";
pub(crate) const KEYCLOAK: &str = "/realms/acme/protocol/saml/clients/amazon-aws";
/// A credentials file of the user's that must survive byte for byte.
pub(crate) const EXISTING: &str = "# my keys\n[default]\naws_access_key_id = AKIAEXISTING\naws_secret_access_key = keep-me\n\n[saml]\n# sesame writes here\nregion=eu-west-2\n";

pub(crate) struct World {
    pub(crate) env: TestEnv,
    pub(crate) moto: Moto,
}

impl World {
    pub(crate) fn new() -> Self {
        let env = TestEnv::new();
        let moto = Moto::server(ACCOUNT);
        Self { env, moto }
    }

    pub(crate) fn credentials_path(&self) -> PathBuf {
        self.env.home.path().join(".aws").join("credentials")
    }

    pub(crate) fn write_credentials(&self, text: &str) {
        let p = self.credentials_path();
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
    }

    pub(crate) fn credentials(&self) -> String {
        std::fs::read_to_string(self.credentials_path()).unwrap_or_default()
    }

    /// `sesame saml ...` with moto as STS and the password in the environment. No Kerberos
    /// ticket (a `kerberos` build would otherwise find the machine's default cache).
    pub(crate) fn saml(&self, args: &[&str], password: &str) -> assert_cmd::Command {
        let mut cmd = self.env.sesame();
        let none = self.env.home.path().join("no-krb5");
        cmd.arg("saml")
            .args(args)
            .env("AWS_ENDPOINT_URL_STS", &self.moto.url)
            .env("SESAME_SAML_PASSWORD", password)
            .env("KRB5_CONFIG", none.join("krb5.conf"))
            .env(
                "KRB5CCNAME",
                format!("FILE:{}", none.join("ccache").display()),
            );
        cmd
    }

    pub(crate) fn login(&self, path: &str, user: &str, extra: &[&str]) -> Output {
        let url = format!("{}{path}", self.env.url());
        let mut args = vec!["login", "--idp-url", &url, "--username", user];
        args.extend_from_slice(extra);
        self.saml(&args, DEFAULT_PASSWORD).output().unwrap()
    }

    /// botocore's GetCallerIdentity through the profile, against moto.
    pub(crate) fn whoami(&self, profile: &str) -> String {
        let out = self
            .env
            .python("saml_helper.py")
            .args(["whoami", profile, &self.moto.url])
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "boto3 failed (`pip install -r requirements-test.txt`):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout(&out).trim().to_owned()
    }
}

#[track_caller]
pub(crate) fn assert_saved(w: &World, out: &Output, role: &str, session: &str) {
    assert_success(out);
    let err = stderr(out);
    assert!(
        err.contains("profile `saml`") && err.contains("They expire at"),
        "{err}"
    );
    assert!(
        !err.contains(DEFAULT_PASSWORD),
        "the password leaked: {err}"
    );
    let text = w.credentials();
    // Every byte of the user's file is kept; the keys land after the [saml] section's own.
    assert!(text.starts_with(EXISTING), "{text}");
    assert!(
        text[EXISTING.len()..].starts_with("aws_access_key_id=ASIA"),
        "{text}"
    );
    assert_eq!(
        w.whoami("saml"),
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(w.credentials_path())
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600);
    }
}

/// A SAMLResponse issued and signed by pysaml2 (a real SAML library), as an IdP would post it.
pub(crate) fn pysaml2_response(role: &str, provider: &str, session: &str) -> String {
    pysaml2_response_keeping_key(role, provider, session, None)
}

/// The same, leaving pysaml2's signing key and certificate (`key.pem`, `cert.pem`) in `key_dir`.
pub(crate) fn pysaml2_response_keeping_key(
    role: &str,
    provider: &str,
    session: &str,
    key_dir: Option<&std::path::Path>,
) -> String {
    let out = Command::new("python3")
        .arg(py_script("saml_helper.py"))
        .args(["pysaml2", role, provider, session])
        .args(key_dir)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "pysaml2 failed (`pip install -r requirements-test.txt`, `apt-get install xmlsec1`):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout(&out).trim().to_owned()
}

/// The `[saml]` profile's access key id.
pub(crate) fn saml_access_key(env: &TestEnv) -> String {
    let text = std::fs::read_to_string(env.home.path().join(".aws/credentials")).unwrap();
    let section = &text[text.find("[saml]").expect("a [saml] profile")..];
    let line = section
        .lines()
        .find(|l| l.starts_with("aws_access_key_id"))
        .unwrap();
    line.split('=').nth(1).unwrap().trim().to_owned()
}

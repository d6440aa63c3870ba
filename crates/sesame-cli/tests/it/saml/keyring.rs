//! `--remember-password` and `sesame saml forget` against this machine's real kernel keyring
//! (keyutils), with the emulator's AD FS and its STS.
//!
//! Each test's entries are keyed by its own emulator's origin (`http://127.0.0.1:PORT`, a port
//! no other live test has), are removed before the test starts and when it ends (also on a
//! panic), so tests run in parallel and leave nothing in the keyring.

use std::path::Path;
use std::process::Output;

use sesame_emulator::{DEFAULT_MFA_CODE, DEFAULT_PASSWORD};

use crate::common::saml::{EXISTING, FORMS, WINDOWS};
use crate::common::{
    TestEnv, assert_clean_failure, assert_success, bare_command, py_script, stderr, stdout,
};

/// One keyring entry as sesame keys it: service `sesame-saml:<IdP origin>`, account the user.
/// Read and written here through the same kernel keyring, independently of sesame.
struct Stored {
    service: String,
    user: String,
}

impl Stored {
    fn new(env: &TestEnv, user: &str) -> Self {
        let stored = Self {
            service: format!("sesame-saml:{}", env.url().trim_end_matches('/')),
            user: user.to_owned(),
        };
        stored.delete();
        stored
    }

    fn entry(&self) -> keyring::Entry {
        // As sesame does: link the persistent keyring into this thread's session keyring first.
        let _ = linux_keyutils::KeyRing::get_persistent(linux_keyutils::KeyRingIdentifier::Session);
        keyring::Entry::new(&self.service, &self.user).expect("a keyring entry")
    }

    fn get(&self) -> Option<String> {
        match self.entry().get_password() {
            Ok(p) => Some(p),
            Err(keyring::Error::NoEntry) => None,
            Err(e) => panic!("the kernel keyring failed: {e}"),
        }
    }

    fn set(&self, password: &str) {
        self.entry().set_password(password).expect("stored");
    }

    fn delete(&self) {
        let _ = self.entry().delete_credential();
    }
}

impl Drop for Stored {
    fn drop(&mut self) {
        self.delete();
    }
}

struct Idp {
    env: TestEnv,
}

impl Idp {
    fn new() -> Self {
        Self {
            env: TestEnv::new(),
        }
    }

    /// `sesame saml login` at `path` with the emulator's STS, no terminal (stdin empty), and
    /// the password in the environment only when given.
    fn login(&self, path: &str, user: &str, password: Option<&str>, extra: &[&str]) -> Output {
        let url = format!("{}{path}", self.env.url());
        let mut cmd = self.env.sesame();
        cmd.args(["saml", "login", "--idp-url", &url, "--username", user])
            .args(extra)
            .env("AWS_ENDPOINT_URL_STS", format!("{}/sts", self.env.url()))
            .write_stdin("");
        if let Some(p) = password {
            cmd.env("SESAME_SAML_PASSWORD", p);
        }
        cmd.output().unwrap()
    }

    fn forget(&self, user: &str) -> Output {
        let url = format!("{}{FORMS}", self.env.url());
        self.env
            .sesame()
            .args(["saml", "forget", "--idp-url", &url, "--username", user])
            .output()
            .unwrap()
    }

    fn origin(&self) -> String {
        self.env.url().trim_end_matches('/').to_owned()
    }

    fn cookie_jars(&self) -> usize {
        std::fs::read_dir(self.env.home.path().join(".aws/sesame/saml"))
            .map(|d| d.count())
            .unwrap_or(0)
    }
}

/// Every file under HOME holding `needle`.
fn files_containing(dir: &Path, needle: &[u8], found: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            files_containing(&p, needle, found);
        } else if std::fs::read(&p)
            .unwrap_or_default()
            .windows(needle.len())
            .any(|w| w == needle)
        {
            found.push(p.display().to_string());
        }
    }
}

#[track_caller]
fn assert_no_password(out: &Output, password: &str) {
    assert!(
        !stdout(out).contains(password) && !stderr(out).contains(password),
        "the password leaked:\n{}\n{}",
        stdout(out),
        stderr(out)
    );
}

#[test]
fn a_remembered_password_signs_in_without_a_terminal_and_never_lands_in_home() {
    let idp = Idp::new();
    let stored = Stored::new(&idp.env, "alice@acme.test");

    let out = idp.login(
        FORMS,
        "alice@acme.test",
        Some(DEFAULT_PASSWORD),
        &["--remember-password"],
    );
    assert_success(&out);
    assert_no_password(&out, DEFAULT_PASSWORD);
    assert!(
        stderr(&out).contains(&format!(
            "Stored the password of alice@acme.test at {} in the Linux kernel keyring (kept until the machine restarts)",
            idp.origin()
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(stored.get().as_deref(), Some(DEFAULT_PASSWORD));

    // No password in the environment, no terminal, and no IdP session (--fresh): the keyring.
    // (With every log line on: the password is in none of them.)
    let out = idp.login(FORMS, "alice@acme.test", None, &["--fresh", "-vvv"]);
    assert_success(&out);
    assert_no_password(&out, DEFAULT_PASSWORD);
    assert!(
        stderr(&out).contains("Using the password of alice@acme.test at")
            && stderr(&out).contains("from the Linux kernel keyring"),
        "{}",
        stderr(&out)
    );
    let text = std::fs::read_to_string(idp.env.home.path().join(".aws/credentials")).unwrap();
    let key = text
        .lines()
        .find_map(|l| l.strip_prefix("aws_access_key_id = "))
        .expect("a profile was written");
    assert_eq!(
        idp.env.emulator.whoami(key),
        Some(("123456789012".into(), "ADFS-Dev".into()))
    );

    let mut leaked = Vec::new();
    files_containing(
        idp.env.home.path(),
        DEFAULT_PASSWORD.as_bytes(),
        &mut leaked,
    );
    assert!(leaked.is_empty(), "the password is in {leaked:?}");

    // forget: the entry and the IdP session go; the next sign-in has nothing to use.
    assert_eq!(idp.cookie_jars(), 1);
    let out = idp.forget("alice@acme.test");
    assert_success(&out);
    assert!(
        stderr(&out).contains("Removed the password of alice@acme.test at")
            && stderr(&out).contains("Removed the IdP's kept session cookies"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stored.get(), None);
    assert_eq!(idp.cookie_jars(), 0);
    let out = idp.login(FORMS, "alice@acme.test", None, &[]);
    assert_clean_failure(&out, 1, "set SESAME_SAML_PASSWORD");
    let out = idp.forget("alice@acme.test");
    assert_success(&out);
    assert!(
        stderr(&out).contains("No password of alice@acme.test at"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_password_typed_on_the_terminal_is_remembered() {
    let idp = Idp::new();
    let stored = Stored::new(&idp.env, "alice@acme.test");
    let url = format!("{}{FORMS}", idp.env.url());
    let sesame = assert_cmd::cargo::cargo_bin("sesame");
    let argv = serde_json::json!([
        sesame,
        "saml",
        "login",
        "--idp-url",
        url,
        "--username",
        "alice@acme.test",
        "--remember-password"
    ]);
    let script = serde_json::json!([[
        "Password for alice@acme.test",
        format!("{DEFAULT_PASSWORD}\r")
    ]]);
    let out = idp
        .env
        .on_terminal(&argv, &script)
        .env("AWS_ENDPOINT_URL_STS", format!("{}/sts", idp.env.url()))
        .output()
        .unwrap();
    let screen = stdout(&out);
    assert!(out.status.success(), "{screen}\n{}", stderr(&out));
    assert!(
        !screen.contains(DEFAULT_PASSWORD),
        "the password was echoed:\n{screen}"
    );
    assert!(screen.contains("Stored the password"), "{screen}");
    assert_eq!(stored.get().as_deref(), Some(DEFAULT_PASSWORD));
}

#[test]
fn a_refused_stored_password_is_removed_and_the_error_says_so() {
    let idp = Idp::new();
    std::fs::create_dir_all(idp.env.home.path().join(".aws")).unwrap();
    std::fs::write(idp.env.home.path().join(".aws/credentials"), EXISTING).unwrap();

    // The password changed at the IdP since it was stored.
    let alice = Stored::new(&idp.env, "alice@acme.test");
    alice.set("Old-Passw0rd!");
    // SESAME_SAML_PASSWORD comes first, and a stored entry it wins over is left alone.
    let out = idp.login(FORMS, "alice@acme.test", Some(DEFAULT_PASSWORD), &[]);
    assert_success(&out);
    assert!(!stderr(&out).contains("keyring"), "{}", stderr(&out));
    assert_eq!(alice.get().as_deref(), Some("Old-Passw0rd!"));
    let out = idp.login(FORMS, "alice@acme.test", Some("wrong"), &["--fresh"]);
    assert_clean_failure(&out, 1, "the IdP refused the sign-in");
    assert_eq!(alice.get().as_deref(), Some("Old-Passw0rd!"));

    let before = idp.env.snapshot_files();
    let out = idp.login(FORMS, "alice@acme.test", None, &["--fresh"]);
    assert_clean_failure(
        &out,
        1,
        &format!(
            "the IdP refused the password of alice@acme.test at {} stored in the Linux kernel keyring (the IdP refused the sign-in: Incorrect user ID or password.",
            idp.origin()
        ),
    );
    assert!(
        stderr(&out).contains("; it has been removed from the keyring"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("hint: run the command again and type the current password"),
        "{}",
        stderr(&out)
    );
    assert_no_password(&out, "Old-Passw0rd!");
    assert_eq!(alice.get(), None);
    assert_eq!(idp.env.snapshot_files(), before);

    // Windows integrated authentication (NTLM) refusing a stored password: the same.
    let windows = Stored::new(&idp.env, "ACME\\alice");
    windows.set("Old-Passw0rd!");
    let out = idp.login(
        WINDOWS,
        "ACME\\alice",
        None,
        &["--provider", "adfs-windows"],
    );
    assert_clean_failure(&out, 1, "refused the user name or password");
    assert!(
        stderr(&out).contains("it has been removed from the keyring"),
        "{}",
        stderr(&out)
    );
    assert_eq!(windows.get(), None);

    // A locked account refuses even a right password; it is dropped all the same, so a
    // stored password never keeps knocking at a locked door.
    let carol = Stored::new(&idp.env, "carol@acme.test");
    carol.set(DEFAULT_PASSWORD);
    let out = idp.login(FORMS, "carol@acme.test", None, &["--fresh"]);
    assert_clean_failure(&out, 1, "locked out");
    assert_eq!(carol.get(), None);
    assert_eq!(idp.env.snapshot_files(), before);
}

#[test]
fn without_the_opt_in_or_a_successful_sign_in_nothing_is_stored() {
    let idp = Idp::new();
    let alice = Stored::new(&idp.env, "alice@acme.test");
    let bob = Stored::new(&idp.env, "bob@acme.test");

    let out = idp.login(FORMS, "alice@acme.test", Some(DEFAULT_PASSWORD), &[]);
    assert_success(&out);
    assert!(!stderr(&out).contains("keyring"), "{}", stderr(&out));
    assert_eq!(alice.get(), None);

    // A refused password, and a right one with a refused one-time code: nothing stored.
    let out = idp.login(
        FORMS,
        "alice@acme.test",
        Some("wrong"),
        &["--fresh", "--remember-password"],
    );
    assert_clean_failure(&out, 1, "Incorrect user ID or password");
    assert_eq!(alice.get(), None);
    let url = format!("{}{FORMS}", idp.env.url());
    let mfa = |code: &str| {
        idp.env
            .sesame()
            .args(["saml", "login", "--idp-url", &url, "--username"])
            .args(["bob@acme.test", "--remember-password", "--fresh"])
            .env("AWS_ENDPOINT_URL_STS", format!("{}/sts", idp.env.url()))
            .env("SESAME_SAML_PASSWORD", DEFAULT_PASSWORD)
            .env("SESAME_SAML_OTP", code)
            .output()
            .unwrap()
    };
    let out = mfa("000000");
    assert_clean_failure(&out, 1, "refused the one-time code");
    assert_eq!(bob.get(), None);
    // The whole sign-in succeeding (password and code) is what stores it.
    assert_success(&mfa(DEFAULT_MFA_CODE));
    assert_eq!(bob.get().as_deref(), Some(DEFAULT_PASSWORD));

    // The kept IdP session signs in without a password: nothing to store, and it says so.
    let out = idp.login(
        FORMS,
        "alice@acme.test",
        Some(DEFAULT_PASSWORD),
        &["--fresh", "--remember-password"],
    );
    assert_success(&out);
    assert_eq!(alice.get().as_deref(), Some(DEFAULT_PASSWORD));
    alice.delete();
    let out = idp.login(FORMS, "alice@acme.test", None, &["--remember-password"]);
    assert_success(&out);
    assert!(
        stderr(&out).contains("signed you in without a password, so none was stored"),
        "{}",
        stderr(&out)
    );
    assert_eq!(alice.get(), None);
}

#[test]
fn remember_password_without_a_usable_keyring_fails_cleanly() {
    // The kernel keyring's system calls refused (Docker's default seccomp profile does this).
    let idp = Idp::new();
    std::fs::create_dir_all(idp.env.home.path().join(".aws")).unwrap();
    std::fs::write(idp.env.home.path().join(".aws/credentials"), EXISTING).unwrap();
    let before = idp.env.snapshot_files();
    let url = format!("{}{FORMS}", idp.env.url());
    let run = |extra: &[&str]| {
        let mut cmd = idp.env.sesame_std();
        cmd.env("AWS_ENDPOINT_URL_STS", format!("{}/sts", idp.env.url()))
            .env("SESAME_SAML_PASSWORD", DEFAULT_PASSWORD)
            .stdin(std::process::Stdio::null());
        let program = cmd.get_program().to_owned();
        let envs: Vec<_> = cmd
            .get_envs()
            .map(|(k, v)| (k.to_owned(), v.map(ToOwned::to_owned)))
            .collect();
        let mut wrapped = bare_command("python3");
        wrapped
            .arg(py_script("no_keyring.py"))
            .arg(program)
            .args(["saml", "login", "--idp-url", &url])
            .args(["--username", "alice@acme.test"])
            .args(extra)
            .stdin(std::process::Stdio::null());
        for (k, v) in envs {
            if let Some(v) = v {
                wrapped.env(k, v);
            }
        }
        wrapped.output().unwrap()
    };
    let out = run(&["--remember-password"]);
    assert_clean_failure(
        &out,
        1,
        "--remember-password needs the OS keyring, and the Linux kernel keyring is not usable here",
    );
    assert!(
        stderr(&out).contains("hint: run without --remember-password"),
        "{}",
        stderr(&out)
    );
    assert_eq!(idp.env.snapshot_files(), before, "nothing changed");
    // Without the opt-in, the same machine signs in as ever.
    assert_success(&run(&[]));
}

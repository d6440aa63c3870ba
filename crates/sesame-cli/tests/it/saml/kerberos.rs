//! Kerberos (SPNEGO `Negotiate`) for `--provider adfs-windows`, against real MIT Kerberos: each
//! test makes a throwaway realm in a temp dir (`kdb5_util`, `kadmin.local`), runs `krb5kdc` on a
//! free loopback port, gets a ticket with `kinit`, and runs the emulator in its own process with
//! the service keytab (`KRB5_KTNAME`, as a real service; the GSSAPI reads it process-wide).
//! Built with the `kerberos` feature only; needs `apt-get install krb5-kdc krb5-admin-server
//! krb5-user`.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use sesame_emulator::DEFAULT_PASSWORD;

use crate::common::saml::{EXISTING, WINDOWS, World, assert_saved};
// Its failures are not pinned by snapshots: they run only where a KDC is installed.
use crate::common::{
    assert_clean_failure_unpinned as assert_clean_failure, assert_success, bare_command, stderr,
};

const REALM: &str = "ACME.TEST";
/// The host in the IdP URL, so the service principal is `HTTP/localhost@ACME.TEST`.
const HOST: &str = "localhost";

/// A program of MIT Kerberos, found on PATH or in the sbin directories.
fn krb_tool(name: &str) -> PathBuf {
    let path = std::env::var("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin"].map(PathBuf::from))
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{name}` not found: MIT Kerberos is needed (`apt-get install krb5-kdc krb5-admin-server krb5-user`)"
            )
        })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[track_caller]
fn run(cmd: &mut Command, stdin: Option<&str>) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the Kerberos tool runs");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A throwaway MIT realm `ACME.TEST` with its KDC on a free loopback port, stopped when dropped.
struct Realm {
    dir: tempfile::TempDir,
    kdc: Child,
}

impl Realm {
    /// The realm with the principals `alice` and `mallory` (password [`DEFAULT_PASSWORD`]) and
    /// `HTTP/localhost` (random key, in `http.keytab`).
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let master = format!("master-{}", unique_key());
        let mut last = String::new();
        // The port is free when picked; another process may take it before the KDC binds.
        for _ in 0..5 {
            let port = free_port();
            std::fs::write(
                d.join("krb5.conf"),
                format!(
                    "[libdefaults]\n  default_realm = {REALM}\n  dns_lookup_realm = false\n  dns_lookup_kdc = false\n  dns_canonicalize_hostname = false\n  rdns = false\n  udp_preference_limit = 1\n[realms]\n  {REALM} = {{\n    kdc = 127.0.0.1:{port}\n  }}\n[domain_realm]\n  {HOST} = {REALM}\n"
                ),
            )
            .unwrap();
            std::fs::write(
                d.join("kdc.conf"),
                format!(
                    "[kdcdefaults]\n  kdc_listen = 127.0.0.1:{port}\n  kdc_tcp_listen = 127.0.0.1:{port}\n[realms]\n  {REALM} = {{\n    database_name = {db}\n    key_stash_file = {stash}\n    acl_file = {acl}\n  }}\n",
                    db = d.join("principal").display(),
                    stash = d.join("stash").display(),
                    acl = d.join("kadm5.acl").display(),
                ),
            )
            .unwrap();
            if !d.join("principal").exists() {
                Self::create_database(d, &master);
            }
            let mut kdc = bare_command(krb_tool("krb5kdc"))
                .arg("-n")
                .env("KRB5_CONFIG", d.join("krb5.conf"))
                .env("KRB5_KDC_PROFILE", d.join("kdc.conf"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(d.join("kdc.err")).unwrap())
                .spawn()
                .expect("krb5kdc runs");
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Self { dir, kdc };
                }
                if let Ok(Some(_)) = kdc.try_wait() {
                    last = std::fs::read_to_string(d.join("kdc.err")).unwrap_or_default();
                    break;
                }
                if Instant::now() > deadline {
                    let _ = kdc.kill();
                    let _ = kdc.wait();
                    panic!("krb5kdc did not listen on 127.0.0.1:{port} in 10 s");
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("krb5kdc did not start: {last}");
    }

    fn create_database(d: &Path, master: &str) {
        let admin = |cmd: &mut Command| {
            cmd.env("KRB5_CONFIG", d.join("krb5.conf"))
                .env("KRB5_KDC_PROFILE", d.join("kdc.conf"));
        };
        let mut create = bare_command(krb_tool("kdb5_util"));
        create.args(["create", "-s", "-r", REALM, "-P", master]);
        admin(&mut create);
        run(&mut create, None);
        let keytab = d.join("http.keytab");
        for query in [
            format!("addprinc -pw {DEFAULT_PASSWORD} alice"),
            format!("addprinc -pw {DEFAULT_PASSWORD} mallory"),
            format!("addprinc -randkey HTTP/{HOST}"),
            format!("ktadd -k {} HTTP/{HOST}", keytab.display()),
        ] {
            let mut q = bare_command(krb_tool("kadmin.local"));
            q.args(["-r", REALM, "-q", &query]);
            admin(&mut q);
            run(&mut q, None);
        }
    }

    fn krb5_conf(&self) -> PathBuf {
        self.dir.path().join("krb5.conf")
    }

    /// The service keytab `HTTP/localhost@ACME.TEST`.
    fn keytab(&self) -> PathBuf {
        self.dir.path().join("http.keytab")
    }

    /// `kinit user` with the password on stdin; the ticket cache it filled.
    fn kinit(&self, user: &str) -> PathBuf {
        let cache = self.dir.path().join(format!("cc-{user}"));
        let mut cmd = bare_command(krb_tool("kinit"));
        cmd.arg(user)
            .env("KRB5_CONFIG", self.krb5_conf())
            .env("KRB5CCNAME", format!("FILE:{}", cache.display()));
        run(&mut cmd, Some(&format!("{DEFAULT_PASSWORD}\n")));
        cache
    }
}

impl Drop for Realm {
    fn drop(&mut self) {
        let _ = self.kdc.kill();
        let _ = self.kdc.wait();
    }
}

fn unique_key() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{nanos:x}{:x}", std::process::id())
}

/// The `sesame-emulator` binary, in its own process with `KRB5_KTNAME` set (the GSSAPI acceptor
/// reads the keytab name from the environment), stopped when dropped.
struct KerberosIdp {
    child: Child,
    /// `http://localhost:PORT`.
    url: String,
    log: PathBuf,
}

impl KerberosIdp {
    fn start(realm: &Realm, keytab: &Path) -> Self {
        Self::start_with(realm, keytab, "mutual")
    }

    /// With `--kerberos-answer answer` (mutual, none, forged).
    fn start_with(realm: &Realm, keytab: &Path, answer: &str) -> Self {
        // A sibling of the `sesame` binary under test: built by `cargo test --workspace
        // --features kerberos` (the emulator's own tests need it).
        let bin = assert_cmd::cargo::cargo_bin("sesame")
            .with_file_name(format!("sesame-emulator{}", std::env::consts::EXE_SUFFIX));
        assert!(
            bin.is_file(),
            "{} is missing: run `cargo test --workspace --features kerberos` (or `cargo build -p sesame-emulator --features kerberos`)",
            bin.display()
        );
        let log = realm
            .dir
            .path()
            .join(format!("emulator-{}.err", free_port()));
        let mut child = bare_command(&bin)
            .args(["--port", "0", "--kerberos-answer", answer])
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("KRB5_CONFIG", realm.krb5_conf())
            .env("KRB5_KTNAME", format!("FILE:{}", keytab.display()))
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("sesame-emulator runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .trim()
            .strip_prefix("http://127.0.0.1:")
            .map(|port| format!("http://{HOST}:{port}"))
            .unwrap_or_else(|| panic!("sesame-emulator printed {line:?}"));
        let idp = Self { child, url, log };
        assert!(
            idp.log().contains("accepts Kerberos"),
            "{} was built without Kerberos: run `cargo test --workspace --features kerberos` (or `cargo build -p sesame-emulator --features kerberos`)",
            bin.display()
        );
        idp
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for KerberosIdp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `sesame -v saml login --provider adfs-windows` at `idp`, with the Kerberos environment of
/// `realm` and the ticket cache `cache`, moto as STS, no terminal; `extra` args and the password
/// (in SESAME_SAML_PASSWORD) only if given.
fn login(
    w: &World,
    idp: &str,
    krb5_conf: &Path,
    cache: &Path,
    extra: &[&str],
    password: Option<&str>,
) -> Output {
    let url = format!("{idp}{WINDOWS}");
    let mut cmd = w.env.sesame();
    cmd.args([
        "-v",
        "saml",
        "login",
        "--provider",
        "adfs-windows",
        "--idp-url",
        &url,
    ])
    .args(extra)
    .env("AWS_ENDPOINT_URL_STS", &w.moto.url)
    .env("KRB5_CONFIG", krb5_conf)
    .env("KRB5CCNAME", format!("FILE:{}", cache.display()));
    if let Some(p) = password {
        cmd.env("SESAME_SAML_PASSWORD", p);
    }
    cmd.output().unwrap()
}

#[test]
fn a_kerberos_ticket_signs_in_with_no_user_name_or_password() {
    let realm = Realm::start();
    let cache = realm.kinit("alice");
    let idp = KerberosIdp::start(&realm, &realm.keytab());
    let w = World::new();
    w.write_credentials(EXISTING);

    // No --username, no SESAME_SAML_PASSWORD, no terminal: only the ticket can sign in.
    let out = login(&w, &idp.url, &realm.krb5_conf(), &cache, &[], None);
    assert_saved(&w, &out, "ADFS-Dev", "alice@acme.test");
    let err = stderr(&out);
    assert!(
        err.contains("signed in to the IdP with Kerberos (SPNEGO) as alice@ACME.TEST; the IdP proved its identity (mutual authentication)"),
        "{err}"
    );
    assert!(!err.contains("NTLM"), "{err}");
    // The IdP's side: MIT's acceptor took the ticket for HTTP/localhost with the keytab.
    assert!(
        idp.log().contains("Kerberos: signed in alice@ACME.TEST"),
        "{}",
        idp.log()
    );
    // The service ticket sits in the user's cache, as with any Kerberos client.
    let klist = bare_command(krb_tool("klist"))
        .env("KRB5_CONFIG", realm.krb5_conf())
        .env("KRB5CCNAME", format!("FILE:{}", cache.display()))
        .output()
        .unwrap();
    assert_success(&klist);
    assert!(
        String::from_utf8_lossy(&klist.stdout).contains("HTTP/localhost@ACME.TEST"),
        "{}",
        String::from_utf8_lossy(&klist.stdout)
    );
}

#[test]
fn with_no_ticket_adfs_windows_falls_back_to_ntlm() {
    let realm = Realm::start();
    let idp = KerberosIdp::start(&realm, &realm.keytab());
    let w = World::new();
    w.write_credentials(EXISTING);
    let empty = realm.dir.path().join("cc-nobody");

    let out = login(
        &w,
        &idp.url,
        &realm.krb5_conf(),
        &empty,
        &["--username", "ACME\\alice"],
        Some(DEFAULT_PASSWORD),
    );
    assert_saved(&w, &out, "ADFS-Dev", "alice@acme.test");
    let err = stderr(&out);
    assert!(
        err.contains("Kerberos not used: no Kerberos credentials"),
        "{err}"
    );
    assert!(
        err.contains("signed in to the IdP with NTLM as ACME\\alice"),
        "{err}"
    );
}

#[test]
fn a_ticket_the_idp_refuses_falls_back_to_ntlm() {
    let realm = Realm::start();
    // A user the IdP's directory does not know: the ticket is valid, the sign-in is not.
    let mallory = realm.kinit("mallory");
    let idp = KerberosIdp::start(&realm, &realm.keytab());
    let w = World::new();
    w.write_credentials(EXISTING);

    let out = login(
        &w,
        &idp.url,
        &realm.krb5_conf(),
        &mallory,
        &["--username", "alice@acme.test"],
        Some(DEFAULT_PASSWORD),
    );
    assert_saved(&w, &out, "ADFS-Dev", "alice@acme.test");
    let err = stderr(&out);
    assert!(
        err.contains(
            "Kerberos not used: the IdP refused the Kerberos ticket of mallory@ACME.TEST for HTTP@localhost; trying NTLM"
        ),
        "{err}"
    );
    assert!(
        err.contains("signed in to the IdP with NTLM as alice@acme.test"),
        "{err}"
    );
    assert!(
        idp.log()
            .contains("Kerberos principal mallory@ACME.TEST is not a user who may sign in"),
        "{}",
        idp.log()
    );
}

#[test]
fn an_idp_without_the_service_key_refuses_the_ticket_and_ntlm_follows() {
    let realm = Realm::start();
    let cache = realm.kinit("alice");
    // The IdP's keytab lacks HTTP/localhost: MIT's acceptor cannot decrypt the ticket.
    let idp = KerberosIdp::start(&realm, &realm.dir.path().join("no-such.keytab"));
    let w = World::new();
    w.write_credentials(EXISTING);

    let out = login(
        &w,
        &idp.url,
        &realm.krb5_conf(),
        &cache,
        &["--username", "ACME\\alice"],
        Some(DEFAULT_PASSWORD),
    );
    assert_saved(&w, &out, "ADFS-Dev", "alice@acme.test");
    let err = stderr(&out);
    assert!(
        err.contains("the IdP refused the Kerberos ticket of alice@ACME.TEST"),
        "{err}"
    );
    assert!(err.contains("with NTLM as ACME\\alice"), "{err}");
    assert!(
        idp.log().contains("Kerberos token refused"),
        "{}",
        idp.log()
    );
}

#[test]
fn the_idps_mutual_authentication_token_is_checked_when_it_sends_one() {
    let realm = Realm::start();
    let cache = realm.kinit("alice");
    let w = World::new();
    w.write_credentials(EXISTING);

    // A forged answer: the page may not come from the IdP; nothing is written.
    let forged = KerberosIdp::start_with(&realm, &realm.keytab(), "forged");
    let before = w.env.snapshot_files();
    let out = login(&w, &forged.url, &realm.krb5_conf(), &cache, &[], None);
    assert_clean_failure(
        &out,
        1,
        "the IdP's Kerberos answer did not prove it is HTTP@localhost (",
    );
    assert!(
        stderr(&out).contains("hint: the answer may not come from your IdP"),
        "{}",
        stderr(&out)
    );
    assert_eq!(w.env.snapshot_files(), before);

    // No answer token (a proxy may strip it): the sign-in goes on and -v says so.
    let silent = KerberosIdp::start_with(&realm, &realm.keytab(), "none");
    let out = login(&w, &silent.url, &realm.krb5_conf(), &cache, &[], None);
    assert_saved(&w, &out, "ADFS-Dev", "alice@acme.test");
    let err = stderr(&out);
    assert!(
        err.contains(
            "with Kerberos (SPNEGO) as alice@ACME.TEST; the IdP sent no mutual-authentication token"
        ),
        "{err}"
    );
}

#[test]
fn the_emulator_accepts_curls_negotiate_as_iis_would() {
    // Another HTTP Negotiate client (curl's GSS-API SPNEGO), so the emulator is checked against
    // more than sesame's own tokens.
    let realm = Realm::start();
    let cache = realm.kinit("alice");
    let idp = KerberosIdp::start(&realm, &realm.keytab());
    let out = bare_command("curl")
        .args(["--silent", "--show-error", "--negotiate", "--user", ":"])
        .args(["--dump-header", "-"])
        .arg(format!("{}{WINDOWS}", idp.url))
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("KRB5_CONFIG", realm.krb5_conf())
        .env("KRB5CCNAME", format!("FILE:{}", cache.display()))
        .output()
        .expect("curl runs (`apt-get install curl`)");
    assert_success(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    // curl sends its SPNEGO token at once; the IdP's 200 carries the SAMLResponse and its own
    // mutual-authentication token.
    assert!(text.contains("HTTP/1.1 200 OK"), "{text}");
    assert!(
        text.to_ascii_lowercase()
            .contains("www-authenticate: negotiate oy"),
        "{text}"
    );
    assert!(text.contains("name=\"SAMLResponse\""), "{text}");
    assert!(
        idp.log().contains("Kerberos: signed in alice@ACME.TEST"),
        "{}",
        idp.log()
    );
}

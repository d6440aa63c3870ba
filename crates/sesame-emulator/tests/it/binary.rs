//! The `sesame-emulator` binary and the synchronous `spawn` API.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    process::{Command, Stdio},
    time::Duration,
};

use sesame_emulator::EmulatorConfig;

/// A minimal blocking HTTP/1.0 GET, so these tests need no async runtime.
fn http_get(base: &str, path: &str) -> (u16, String) {
    let addr = base.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let status = text[9..12].parse().unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1.to_string();
    (status, body)
}

#[test]
fn the_binary_prints_its_url_first_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sesame-emulator"))
        .args(["--port", "0", "--accounts", "12", "--auto-approve"])
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first.trim_end().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{first:?}");
    assert!(url[17..].parse::<u16>().unwrap() > 0);

    let (status, body) = http_get(&url, "/_emulator/stats");
    assert_eq!(status, 200, "{body}");
    let stats: sesame_emulator::Stats = serde_json::from_str(&body).unwrap();
    assert_eq!(stats.registrations, 0);
    let (status, _) = http_get(&url, "/assignment/accounts");
    assert_eq!(status, 401);

    #[cfg(unix)]
    {
        let term = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(term.success());
        let status = child.wait().unwrap();
        assert!(status.success(), "{status:?}");
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "", "nothing but the URL on stdout");
        let mut logs = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut logs)
            .unwrap();
        assert!(logs.contains("listening"), "{logs}");
    }
    #[cfg(not(unix))]
    {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

#[test]
fn the_binary_rejects_bad_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_sesame-emulator"))
        .args(["--fault-500", "1.5"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("probability"));
}

/// Makes an RSA key (PKCS#8 PEM) and a self-signed certificate in `dir` with Python's
/// `cryptography` (installed with pysaml2 from requirements-test.txt); returns the certificate's
/// base64 DER.
fn make_key_and_cert(dir: &std::path::Path) -> String {
    let script = r#"
import base64, datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "my-idp.test")])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256()))
open(sys.argv[1] + "/key.pem", "wb").write(key.private_bytes(serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
open(sys.argv[1] + "/cert.pem", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
print(base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode())
"#;
    let out = Command::new("python3")
        .args(["-c", script, dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python3 with cryptography (`pip install -r requirements-test.txt`): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn the_binary_signs_with_the_idp_key_given_and_refuses_a_certificate_of_another_key() {
    let dir = std::env::temp_dir().join(format!("sesame-emulator-idp-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert = make_key_and_cert(&dir);
    let (key_file, cert_file) = (dir.join("key.pem"), dir.join("cert.pem"));

    let mut child = Command::new(env!("CARGO_BIN_EXE_sesame-emulator"))
        .arg("--idp-signing-key")
        .arg(&key_file)
        .arg("--idp-signing-cert")
        .arg(&cert_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let (status, body) = http_get(
        first.trim_end(),
        "/FederationMetadata/2007-06/FederationMetadata.xml",
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(&format!("<X509Certificate>{cert}</X509Certificate>")),
        "{body}"
    );

    // The key with the emulator's own test certificate: refused before serving.
    let test_cert = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src/adfs/test-signing-cert.pem"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_sesame-emulator"))
        .arg("--idp-signing-key")
        .arg(&key_file)
        .args(["--idp-signing-cert", test_cert])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot use")
            && err.contains("the certificate's public key is not the private key's"),
        "{err}"
    );
    // One without the other is a usage error.
    let out = Command::new(env!("CARGO_BIN_EXE_sesame-emulator"))
        .arg("--idp-signing-key")
        .arg(&key_file)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--idp-signing-cert"));
}

#[test]
fn spawn_runs_on_its_own_thread_and_stops_on_drop() {
    let handle = sesame_emulator::spawn(EmulatorConfig {
        accounts: 7,
        ..EmulatorConfig::default()
    })
    .unwrap();
    let url = handle.url();
    let (status, body) = http_get(&url, "/_emulator/pending");
    assert_eq!(status, 200);
    assert_eq!(body, r#"{"userCodes":[]}"#);
    assert_eq!(handle.account_ids().len(), 7);
    assert!(!handle.approve("ABCD-EFGH"));
    assert_eq!(handle.stats(), sesame_emulator::Stats::default());
    // A signature no other test's emulator has: 3 unauthorised ListAccounts calls.
    for _ in 0..3 {
        assert_eq!(http_get(&url, "/assignment/accounts").0, 401);
    }
    assert_eq!(handle.stats().requests_for("ListAccounts"), 3);
    drop(handle);
    // The port is closed once the handle is dropped. Tests run in parallel, so another test's
    // emulator may be handed the freed port at once: if something answers, it must not be ours.
    // (Another test's emulator may also be stopping then and answer nothing.)
    if TcpStream::connect(url.strip_prefix("http://").unwrap()).is_ok() {
        let body = std::panic::catch_unwind(|| http_get(&url, "/_emulator/stats").1);
        if let Ok(stats) = serde_json::from_str::<sesame_emulator::Stats>(&body.unwrap_or_default())
        {
            assert_ne!(
                stats.requests_for("ListAccounts"),
                3,
                "the dropped emulator still answers"
            );
        }
    }
}

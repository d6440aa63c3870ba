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
    if TcpStream::connect(url.strip_prefix("http://").unwrap()).is_ok() {
        let (_, body) = http_get(&url, "/_emulator/stats");
        let stats: sesame_emulator::Stats = serde_json::from_str(&body).unwrap();
        assert_ne!(
            stats.requests_for("ListAccounts"),
            3,
            "the dropped emulator still answers"
        );
    }
}

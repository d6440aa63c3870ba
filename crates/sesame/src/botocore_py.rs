//! Runs the Python halves of the differential tests (`tests/*.py` in this crate) with the real
//! botocore that `requirements-test.txt` pins. A python3 without botocore fails the test with a
//! hint; it never skips it.

use std::ffi::OsStr;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const HINT: &str = "hint: python3 -m pip install -r requirements-test.txt (at the repository root)";

/// The path of `tests/<name>` in this crate.
pub(crate) fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
}

/// Runs `python3 tests/<name> ARGS` with `stdin`, and returns its output when it exits 0.
///
/// The child sees no `AWS_*` variable of ours and no shared config or credentials file (botocore
/// would read them), and decodes files as UTF-8 whatever the locale. Panics, with what python
/// printed and the install hint, when python3 cannot start or the script fails.
pub(crate) fn run<S: AsRef<OsStr>>(name: &str, args: &[S], stdin: &[u8]) -> Output {
    let mut cmd = Command::new("python3");
    cmd.arg(script(name))
        .args(args)
        .env("PYTHONUTF8", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("AWS_CONFIG_FILE", "/nonexistent/sesame-test/config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/sesame-test/credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, _) in std::env::vars_os() {
        let keep = [
            "AWS_CONFIG_FILE",
            "AWS_SHARED_CREDENTIALS_FILE",
            "AWS_EC2_METADATA_DISABLED",
        ];
        let key_str = key.to_string_lossy();
        if key_str.starts_with("AWS_") && !keep.contains(&key_str.as_ref()) {
            cmd.env_remove(&key);
        }
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!("cannot run python3 ({e}): the botocore checks need it\n{HINT}")
    });
    // Write from a thread: a large batch on stdin while python fills stdout would deadlock.
    let mut input = child.stdin.take().expect("piped stdin");
    let stdin = stdin.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&stdin));
    let out = child.wait_with_output().expect("python3 runs to the end");
    let fed = writer.join().expect("stdin writer");
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        // Exit 1 is a check that found a difference; with botocore missing (exit 3) the
        // scripts print the hint themselves.
        let hint = if out.status.code() == Some(1) || stderr.contains("hint:") {
            ""
        } else {
            HINT
        };
        panic!(
            "python3 {name} failed ({}):\n--- stdout\n{}\n--- stderr\n{stderr}\n{hint}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
        );
    }
    fed.unwrap_or_else(|e| panic!("cannot feed python3 {name}: {e}"));
    out
}

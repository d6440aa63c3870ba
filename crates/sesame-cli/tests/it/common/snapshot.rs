//! `insta` snapshots of what a user sees: every `--help` text and every clean failure's exit
//! code and output, with what changes from run to run (ports, temp paths, times, ids) filtered.
//! The files are in `tests/it/snapshots/`; see the crate's test docs in [`super`] to rewrite them.

use std::cell::Cell;
use std::process::Output;

use super::assert::{stderr, stdout};

/// The settings every snapshot is taken with: the directory, no module prefix. Help texts are
/// taken with these alone: nothing in them changes from run to run.
pub(crate) fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(snapshot_dir());
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s
}

/// [`settings`] and the filters of what a command's output changes from run to run: ports,
/// temp paths, times, the ids servers and logins make up. Built once (the regexes compile once).
fn output_settings() -> insta::Settings {
    static SETTINGS: std::sync::OnceLock<insta::Settings> = std::sync::OnceLock::new();
    SETTINGS.get_or_init(build_output_settings).clone()
}

fn build_output_settings() -> insta::Settings {
    let mut s = settings();
    let tmp = std::env::temp_dir();
    let tmp = tmp.to_string_lossy();
    let tmp = tmp.trim_end_matches('/');
    for (pattern, with) in [
        // Paths first: a temp dir's name, then the crate and target dirs.
        (format!(r"{}/\.tmp[A-Za-z0-9_]+", escape(tmp)), "[TMP]"),
        (
            escape(&super::env::sesame_bin().to_string_lossy()),
            "[SESAME]",
        ),
        (escape(env!("CARGO_MANIFEST_DIR")), "[CRATE]"),
        (
            r"(127\.0\.0\.1|localhost)(:|%3A)\d+".to_owned(),
            "$1$2[PORT]",
        ),
        // An HTTP date header, and the ids a server or a login makes up.
        (
            r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT".to_owned(),
            "[HTTP-DATE]",
        ),
        (r"(?i)(x-amzn-requestid: )\S+".to_owned(), "$1[REQUEST-ID]"),
        (
            r"(user_code=|the code: )[A-Z]{4}-[A-Z]{4}\b".to_owned(),
            "$1[USER-CODE]",
        ),
        (
            r"\b(client_id|code_challenge)=[^&\s]+".to_owned(),
            "$1=[$1]",
        ),
        (r"\bssoins-[0-9a-z]{16}\b".to_owned(), "ssoins-[ID]"),
        // sesame's file names hashed from a path or a start URL (both change from run to run).
        (
            r"(/listing/|/locks/listing-|/locks/config-)[0-9a-f]{16,40}".to_owned(),
            "$1[HASH]",
        ),
        (
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?( UTC)?"
                .to_owned(),
            "[TIME]",
        ),
        (
            r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
                .to_owned(),
            "[UUID]",
        ),
    ] {
        s.add_filter(&pattern, with);
    }
    s
}

/// `tests/it/snapshots`, wherever the assertion is.
pub(crate) fn snapshot_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots")
}

/// `text` as a regular expression that matches it literally.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if r"\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The name of the running test (`module::test`) as a file name, `module__test`.
fn test_name() -> String {
    std::thread::current()
        .name()
        .expect("snapshots are taken on a test's own thread")
        .replace("::", "__")
}

thread_local! {
    /// How many failure snapshots the running test has taken.
    static FAILURES: Cell<usize> = const { Cell::new(0) };
}

/// A failure's exit code, stderr and (if any) stdout, against `failure__TEST-N.snap`, N counting
/// the test's clean failures from 1.
#[track_caller]
pub(crate) fn assert_failure_snapshot(out: &Output) {
    let n = FAILURES.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    assert_named_failure_snapshot(&format!("{}-{n}", test_name()), out);
}

/// The same against `failure__NAME.snap`: for data-driven tests, whose cases have names.
#[track_caller]
pub(crate) fn assert_named_failure_snapshot(name: &str, out: &Output) {
    let mut text = format!(
        "exit code: {}\n--- stderr\n{}",
        out.status
            .code()
            .map_or_else(|| "none (a signal)".to_owned(), |c| c.to_string()),
        stderr(out)
    );
    let so = stdout(out);
    if !so.is_empty() {
        text.push_str(&format!("--- stdout\n{so}"));
    }
    let name = format!("failure__{name}");
    output_settings().bind(|| insta::assert_snapshot!(name, text));
}

//! What a test checks of a command's output: success, or a clean failure (pinned by a
//! snapshot, see [`super::snapshot`]).

use std::process::Output;

pub(crate) fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
pub(crate) fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
}

/// A failing command: the exit code, exactly one `error:` line containing `needle`, and the
/// whole output (exit code, stderr, stdout) equal to the test's next failure snapshot.
#[track_caller]
pub(crate) fn assert_clean_failure(out: &Output, code: i32, needle: &str) {
    assert_clean_failure_unpinned(out, code, needle);
    super::snapshot::assert_failure_snapshot(out);
}

/// [`assert_clean_failure`] without the snapshot: for the Kerberos suite, which runs only where a
/// KDC is installed, so its snapshots could not be written and reviewed with the rest.
#[track_caller]
pub(crate) fn assert_clean_failure_unpinned(out: &Output, code: i32, needle: &str) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "stderr:\n{err}\nstdout:\n{}",
        stdout(out)
    );
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(errors.len(), 1, "one error line expected:\n{err}");
    assert!(
        errors[0].contains(needle),
        "`{needle}` not in: {}",
        errors[0]
    );
}

//! The programs the tests run besides `sesame`: the helper scripts in `tests/support`, the fake
//! browser, and the real AWS CLI v2.

use std::path::{Path, PathBuf};

/// A helper script in `tests/support`.
pub(crate) fn py_script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(name)
}

/// The fake browser script, as a `BROWSER` value.
pub(crate) fn fake_browser(deny: bool) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/fake_browser.py");
    if deny {
        format!("python3 {} --deny", script.display())
    } else {
        format!("python3 {}", script.display())
    }
}

/// The real AWS CLI v2 (2.36.7) that the compatibility tests run: `$SESAME_AWS_CLI_V2` if set,
/// else `~/.cache/sesame-ci/aws-cli-v2/bin/aws`, installed there on first use (about 2 minutes,
/// once per machine, under a lock) from `../shared/aws-cli-v2` beside the repository, as `.ci/run`
/// does. A test that needs it fails, never skips, when it cannot be had.
#[allow(dead_code)] // the CLI v2 suites call it
pub(crate) fn aws_cli_v2() -> PathBuf {
    if let Some(p) = std::env::var_os("SESAME_AWS_CLI_V2") {
        return PathBuf::from(p);
    }
    static INSTALLED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let home = std::env::var_os("HOME").expect("HOME is set");
            let dir = Path::new(&home).join(".cache/sesame-ci/aws-cli-v2");
            let aws = dir.join("bin/aws");
            let script =
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/aws-cli-v2/install.sh");
            std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
            let lock = std::fs::File::create(dir.with_extension("lock")).unwrap();
            lock.lock().expect("the install lock");
            if !aws.exists() {
                assert!(
                    script.exists(),
                    "the AWS CLI v2 is not installed at {} and {} is missing: run \
                     install.sh DIR and set SESAME_AWS_CLI_V2=DIR/bin/aws",
                    aws.display(),
                    script.display()
                );
                let status = std::process::Command::new("bash")
                    .arg(&script)
                    .arg(&dir)
                    .status()
                    .expect("install.sh runs");
                assert!(status.success(), "installing the AWS CLI v2 failed");
            }
            aws
        })
        .clone()
}

//! `credential_process`, run as botocore's `ProcessProvider` runs it: the command split with POSIX
//! shell rules (`shlex.split`), started without a shell, its stdout parsed as
//! `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?, "Expiration"?}`.

use std::process::Stdio;

use serde::Deserialize;

use super::{AwsCredentials, ChainError};
use crate::secret::Secret;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ProcessOutput {
    version: serde_json::Value,
    access_key_id: Option<String>,
    secret_access_key: Option<Secret>,
    session_token: Option<Secret>,
    expiration: Option<String>,
}

/// Runs profile `profile`'s `credential_process` `command` and reads its credentials.
pub async fn run_credential_process(
    profile: &str,
    command: &str,
) -> Result<AwsCredentials, ChainError> {
    let fail = |reason: String| ChainError::Process {
        profile: profile.to_owned(),
        reason,
    };
    let argv = shlex::split(command)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| {
            fail("the command does not split into words (an unclosed quote?)".to_owned())
        })?;
    let output = tokio::process::Command::new(&argv[0])
        .args(&argv[1..])
        // Not the terminal's stdin: `sesame api -d @-` reads the body from it.
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .await
        .map_err(|e| fail(format!("cannot run `{}`: {e}", argv[0])))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        let code = output
            .status
            .code()
            .map_or("a signal".to_owned(), |c| format!("exit code {c}"));
        return Err(fail(if first.is_empty() {
            format!("it failed with {code}")
        } else {
            format!("it failed with {code}: {first}")
        }));
    }
    read_output(profile, &output.stdout)
}

/// Reads a `credential_process`'s standard output (the Version 1 JSON) as botocore does.
pub(crate) fn read_output(profile: &str, stdout: &[u8]) -> Result<AwsCredentials, ChainError> {
    let fail = |reason: String| ChainError::Process {
        profile: profile.to_owned(),
        reason,
    };
    let parsed: ProcessOutput = serde_json::from_slice(stdout)
        .map_err(|e| fail(format!("its output is not the credential JSON ({e})")))?;
    if parsed.version != 1 {
        return Err(fail(format!(
            "unsupported Version {}, supported versions: 1",
            parsed.version
        )));
    }
    let access_key_id = parsed
        .access_key_id
        .filter(|k| !k.is_empty())
        .ok_or_else(|| fail("no AccessKeyId in its output".to_owned()))?;
    let secret_access_key = parsed
        .secret_access_key
        .filter(|k| !k.is_empty())
        .ok_or_else(|| fail("no SecretAccessKey in its output".to_owned()))?;
    let expiration = match parsed.expiration {
        None => None,
        Some(e) => {
            let t = crate::time::parse_lenient(&e)
                .ok_or_else(|| fail(format!("Expiration `{e}` is not a time")))?;
            if t <= crate::time::now() {
                return Err(fail(format!("the credentials it returned expired at {e}")));
            }
            Some(t)
        }
    };
    Ok(AwsCredentials {
        access_key_id,
        secret_access_key,
        session_token: parsed.session_token.filter(|t| !t.is_empty()),
        expiration,
        source: format!("profile `{profile}` (credential_process)"),
    })
}

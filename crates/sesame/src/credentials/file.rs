//! Role credentials into the shared credentials file (`~/.aws/credentials`), as static keys of
//! one section, every other byte of the file kept.

use std::path::PathBuf;

use super::AwsCredentials;
use super::CredentialsError;
use crate::config::AwsCredentialsFile;
use crate::env::Env;
use crate::fsutil::{self, FileLock};

/// Writes `credentials` into section `[name]` of the credentials file `env` points at
/// (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`): only that section's
/// `aws_access_key_id`, `aws_secret_access_key` and `aws_session_token` change (the section is
/// appended if missing; a stale `aws_session_token` goes when the keys have none); comments and other profiles keep every byte. The write is atomic and
/// makes the file private (0600 for a new file; an existing one loses group and other access).
/// A file botocore could not parse is refused and left as it is.
pub fn write_to_credentials_file(
    env: &Env,
    name: &str,
    credentials: &AwsCredentials,
) -> Result<CredentialsFileWrite, CredentialsError> {
    let path = env.credentials_file();
    let lock_path = fsutil::lock_dir(env).join("credentials-file.lock");
    let _lock = FileLock::acquire(&lock_path).map_err(|source| CredentialsError::Io {
        what: format!("cannot lock {}", lock_path.display()),
        source,
    })?;
    let mut file = AwsCredentialsFile::load(&path)?;
    let entries = [
        (
            "aws_access_key_id",
            Some(credentials.access_key_id.as_str()),
        ),
        (
            "aws_secret_access_key",
            Some(credentials.secret_access_key.expose()),
        ),
        (
            "aws_session_token",
            credentials.session_token.as_ref().map(|t| t.expose()),
        ),
    ];
    let bad_name = |e: crate::config::IniError| CredentialsError::BadSectionName {
        name: name.to_owned(),
        reason: e.to_string(),
    };
    for (key, value) in entries {
        match value {
            Some(value) => file
                .document_mut()
                .set(name, key, value)
                .map_err(bad_name)?,
            None => {
                file.document_mut().remove(name, key).map_err(bad_name)?;
            }
        }
    }
    let loosened_mode = file.save_private()?;
    Ok(CredentialsFileWrite {
        path,
        loosened_mode,
    })
}

/// What [`write_to_credentials_file`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsFileWrite {
    /// The credentials file written.
    pub path: PathBuf,
    /// The file's mode before, when others could read it (it is owner-only now).
    pub loosened_mode: Option<u32>,
}

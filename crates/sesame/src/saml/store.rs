//! Temporary credentials written into a profile of the shared credentials file
//! (`~/.aws/credentials`, or `AWS_SHARED_CREDENTIALS_FILE`), as the AD FS blog's script and
//! saml2aws do, without touching any other byte of the file.
//!
//! The file is edited through the lossless [`Document`](crate::config::Document): the profile's
//! section is updated in place (other keys of it, comments and layout kept) or appended; the
//! write is atomic, keeps the file's mode (a new file is 0600), and runs under a lock so two
//! sesame processes cannot lose each other's update.

use std::path::{Path, PathBuf};

use crate::cache::RoleCredentials;
use crate::config::{AwsCredentialsFile, ConfigError};
use crate::fsutil::FileLock;

/// The keys sesame writes. `aws_session_token` is what botocore reads; `aws_security_token` is
/// its older alias, written for boto2-era tools as saml2aws does; `x_security_token_expires` is
/// saml2aws' record of the expiry (botocore ignores unknown keys).
const KEYS: [&str; 5] = [
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "x_security_token_expires",
];

/// Why the credentials could not be stored.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The credentials file cannot be read, parsed or written.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The profile cannot be written so that botocore reads it back as written.
    #[error("cannot write profile [{profile}] into {}: {source}", path.display())]
    Edit {
        /// The credentials file.
        path: PathBuf,
        /// The profile.
        profile: String,
        /// Why the edit was refused.
        source: crate::config::IniError,
    },
    /// The lock beside it could not be taken.
    #[error("cannot lock {path}: {source}")]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Writes `credentials` into profile `profile` of the credentials file at `path`, plus `region`
/// when given. Every other section, key, comment and blank line stays as it was; the file is
/// made private (group and others lose access). Returns the old mode when it was loosened.
pub fn write_profile(
    path: &Path,
    lock_dir: &Path,
    profile: &str,
    credentials: &RoleCredentials,
    region: Option<&str>,
) -> Result<Option<u32>, StoreError> {
    let lock_path = lock_dir.join("credentials-file.lock");
    let _lock = FileLock::acquire_timeout(&lock_path, std::time::Duration::from_secs(30)).map_err(
        |source| StoreError::Lock {
            path: lock_path.clone(),
            source,
        },
    )?;
    let mut file = AwsCredentialsFile::load(path)?;
    let expires = crate::time::format_aws(credentials.expiration);
    let values = [
        credentials.access_key_id.as_str(),
        credentials.secret_access_key.expose(),
        credentials.session_token.expose(),
        credentials.session_token.expose(),
        expires.as_str(),
    ];
    let edit = |source| StoreError::Edit {
        path: path.to_owned(),
        profile: profile.to_owned(),
        source,
    };
    let doc = file.document_mut();
    for (key, value) in KEYS.iter().zip(values) {
        doc.set(profile, key, value).map_err(edit)?;
    }
    if let Some(region) = region {
        doc.set(profile, "region", region).map_err(edit)?;
    }
    Ok(file.save_private()?)
}

//! Caches shared with the AWS CLI v2, byte for byte.
//!
//! - [`TokenCache`]: SSO access tokens, `~/.aws/sso/cache/<sha1>.json`, read and refreshed by the
//!   AWS CLI v2, botocore and every SDK.
//! - [`RegistrationCache`]: the OIDC client registrations the AWS CLI v2 keeps in the same
//!   directory.
//! - [`RoleCredentialCache`]: role credentials in the AWS CLI v2's `~/.aws/cli/cache` format.
//!
//! All three are a [`CacheDir`] of their entry type: one directory, one file per key, locks
//! beside sesame's other locks.
//!
//! File names, field names, field order and JSON layout are the AWS CLI's (see [`pyjson`]), so a
//! login by either tool serves both. Writes are atomic with mode 0600
//! ([`crate::fsutil::write_atomic`]); processes that may race on one entry take its lock
//! (`lock`), which lives in sesame's own directory, never beside the AWS CLI's files.

use std::io;
use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

#[cfg(test)]
mod botocore_check;
mod dir;
pub mod pyjson;
mod registration;
mod role;
mod token;

pub use dir::CacheDir;
pub use registration::{
    ClientRegistration, KeyScheme, REGISTRATION_EXPIRY_WINDOW, RegistrationCache, RegistrationKey,
    RegistrationKind,
};
pub use role::{ROLE_CACHE_EXPIRY_WINDOW, RoleCacheKey, RoleCredentialCache, RoleCredentials};
pub use token::{SsoToken, TokenCache, TokenKey};

/// What went wrong with a cache file. Every variant names the file; none carries its content,
/// which holds secrets.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CacheError {
    /// The file exists but could not be read.
    #[error("cannot read the cache file {path}: {source}; check its permissions")]
    Read {
        /// The cache file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file could not be written (the old one, if any, is intact).
    #[error(
        "cannot write the cache file {path}: {source}; check the directory's permissions and free space"
    )]
    Write {
        /// The cache file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file could not be deleted.
    #[error("cannot delete the cache file {path}: {source}; check the directory's permissions")]
    Remove {
        /// The cache file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The cache directory could not be listed.
    #[error("cannot list the cache directory {path}: {source}; check its permissions")]
    List {
        /// The cache directory.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file is not in the format the AWS CLI writes.
    #[error("the cache file {path} is unusable: {reason}; delete it or run `sesame login --force`")]
    Corrupt {
        /// The cache file.
        path: PathBuf,
        /// What is wrong with it, without any of its content.
        reason: String,
    },
    /// The lock guarding a cache entry could not be taken.
    #[error("cannot lock {path}: {source}")]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Why (a timeout says so).
        source: io::Error,
    },
}

impl CacheError {
    /// The file or directory the error is about.
    pub fn path(&self) -> &Path {
        match self {
            CacheError::Read { path, .. }
            | CacheError::Write { path, .. }
            | CacheError::Remove { path, .. }
            | CacheError::List { path, .. }
            | CacheError::Corrupt { path, .. }
            | CacheError::Lock { path, .. } => path,
        }
    }
}

/// Lowercase hex SHA-1 of a string's UTF-8 bytes: how the AWS CLI names cache files.
pub(crate) fn sha1_hex(input: &str) -> String {
    hex::encode(Sha1::digest(input.as_bytes()))
}

/// Reads a cache file: `Ok(None)` if it does not exist.
pub(crate) fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, CacheError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(CacheError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Deletes a cache file: `Ok(false)` if it was not there.
pub(crate) fn remove_optional(path: &Path) -> Result<bool, CacheError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(CacheError::Remove {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Writes a cache file atomically with mode 0600.
pub(crate) fn write_secret(path: &Path, text: &str) -> Result<(), CacheError> {
    crate::fsutil::write_atomic(path, text.as_bytes(), crate::fsutil::SECRET_FILE_MODE).map_err(
        |source| CacheError::Write {
            path: path.to_path_buf(),
            source,
        },
    )
}

/// Takes the lock file `name` in `lock_dir`, waiting for it.
pub(crate) fn lock_in(lock_dir: &Path, name: &str) -> Result<crate::fsutil::FileLock, CacheError> {
    let path = lock_dir.join(name);
    crate::fsutil::FileLock::acquire(&path).map_err(|source| CacheError::Lock { path, source })
}

/// Takes the lock file `name` in `lock_dir`, waiting at most `timeout`.
pub(crate) fn lock_in_timeout(
    lock_dir: &Path,
    name: &str,
    timeout: std::time::Duration,
) -> Result<crate::fsutil::FileLock, CacheError> {
    let path = lock_dir.join(name);
    crate::fsutil::FileLock::acquire_timeout(&path, timeout)
        .map_err(|source| CacheError::Lock { path, source })
}

/// Why a byte string is not JSON, in words that never quote it (serde_json's messages for
/// type errors can quote values, which here are secrets).
pub(crate) fn json_syntax_reason(e: &serde_json::Error) -> String {
    match e.classify() {
        serde_json::error::Category::Io | serde_json::error::Category::Data => {
            "it is not in the expected format".to_owned()
        }
        serde_json::error::Category::Eof => "it is not valid JSON (it ends too early)".to_owned(),
        serde_json::error::Category::Syntax => format!(
            "it is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ),
    }
}

/// Parses a cache file into a JSON object, or says why it is not one.
pub(crate) fn parse_object(
    bytes: &[u8],
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err("it is JSON but not a JSON object".to_owned()),
        Err(e) => Err(json_syntax_reason(&e)),
    }
}

/// The `*.json` files directly in `dir` (none if `dir` does not exist), sorted by name.
pub(crate) fn json_files(dir: &Path) -> Result<Vec<PathBuf>, CacheError> {
    let list_error = |source| CacheError::List {
        path: dir.to_path_buf(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(list_error(e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(list_error)?;
        let path = entry.path();
        let is_json = path.extension().is_some_and(|ext| ext == "json");
        // `metadata` follows links, as Python's open() in the AWS CLI's sweeper does.
        if is_json && std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Helpers for reading known fields out of a cache file's JSON object, with reasons that name
/// the field but never quote its value.
pub(crate) mod field {
    use jiff::Timestamp;
    use serde_json::{Map, Value};

    /// A required string field.
    pub(crate) fn string(map: &mut Map<String, Value>, key: &str) -> Result<String, String> {
        match map.remove(key) {
            Some(Value::String(s)) => Ok(s),
            None | Some(Value::Null) => Err(format!("it has no `{key}`")),
            Some(_) => Err(format!("its `{key}` is not a string")),
        }
    }

    /// An optional string field; `null` counts as absent.
    pub(crate) fn opt_string(
        map: &mut Map<String, Value>,
        key: &str,
    ) -> Result<Option<String>, String> {
        match map.remove(key) {
            Some(Value::String(s)) => Ok(Some(s)),
            None | Some(Value::Null) => Ok(None),
            Some(_) => Err(format!("its `{key}` is not a string")),
        }
    }

    /// A required timestamp, in any format AWS tools write.
    pub(crate) fn timestamp(map: &mut Map<String, Value>, key: &str) -> Result<Timestamp, String> {
        let s = string(map, key)?;
        crate::time::parse_lenient(&s).ok_or_else(|| format!("its `{key}` is not a timestamp"))
    }

    /// An optional timestamp; `null` counts as absent.
    pub(crate) fn opt_timestamp(
        map: &mut Map<String, Value>,
        key: &str,
    ) -> Result<Option<Timestamp>, String> {
        match opt_string(map, key)? {
            Some(s) => crate::time::parse_lenient(&s)
                .map(Some)
                .ok_or_else(|| format!("its `{key}` is not a timestamp")),
            None => Ok(None),
        }
    }

    /// An optional list of strings; `null` counts as absent.
    pub(crate) fn opt_strings(
        map: &mut Map<String, Value>,
        key: &str,
    ) -> Result<Option<Vec<String>>, String> {
        match map.remove(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    _ => Err(format!("its `{key}` is not a list of strings")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(format!("its `{key}` is not a list of strings")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_of_session_name() {
        assert_eq!(
            sha1_hex("my-sso"),
            "0ad374308c5a4e22f723adf10145eafad7c4031c"
        );
    }

    #[test]
    fn corrupt_message_says_what_and_what_next() {
        let e = CacheError::Corrupt {
            path: PathBuf::from("/h/.aws/sso/cache/x.json"),
            reason: "it is not valid JSON (line 1, column 2)".into(),
        };
        assert_eq!(
            e.to_string(),
            "the cache file /h/.aws/sso/cache/x.json is unusable: it is not valid JSON \
             (line 1, column 2); delete it or run `sesame login --force`"
        );
        assert_eq!(e.path(), Path::new("/h/.aws/sso/cache/x.json"));
    }

    #[test]
    fn syntax_reasons_never_quote_content() {
        for bad in [
            &b"{\"accessToken\": \"s3cr3t\""[..],
            b"{\"accessToken\": s3cr3t}",
            b"s3cr3t",
            b"",
        ] {
            let reason = parse_object(bad).unwrap_err();
            assert!(!reason.contains("s3cr3t"), "{reason}");
            assert!(reason.contains("not valid JSON"), "{reason}");
        }
        assert_eq!(
            parse_object(b"[\"s3cr3t\"]").unwrap_err(),
            "it is JSON but not a JSON object"
        );
    }
}

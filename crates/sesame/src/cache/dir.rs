//! One cache directory holding one kind of entry: what [`TokenCache`](super::TokenCache),
//! [`RegistrationCache`](super::RegistrationCache) and
//! [`RoleCredentialCache`](super::RoleCredentialCache) share (file paths, atomic 0600 writes,
//! locks in sesame's own directory).

use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::CacheError;
use crate::env::Env;
use crate::fsutil::{self, FileLock};

pub(crate) mod sealed {
    use std::path::PathBuf;

    use crate::env::Env;

    /// One kind of cache file: where it lives, its key, its lock and its JSON. Sealed: the
    /// kinds are sesame's three.
    pub trait Entry: Sized {
        /// What names an entry.
        type Key;
        /// The user's directory of these entries.
        fn user_dir(env: &Env) -> PathBuf;
        /// The entry's file name in the directory (`<sha1>.json`).
        fn file_name(key: &Self::Key) -> String;
        /// The name of the lock file guarding the entry (`token-<sha1>.lock`, ...).
        fn lock_name(key: &Self::Key) -> String;
        /// Reads a file's content; the error says what is wrong without quoting it.
        fn from_json(bytes: &[u8]) -> Result<Self, String>;
        /// The file's content, as the AWS CLI writes it.
        fn to_json(&self) -> String;
    }
}

use sealed::Entry;

/// A cache directory of entries of type `E`, with the directory their lock files live in.
/// Used through its aliases: [`TokenCache`](super::TokenCache),
/// [`RegistrationCache`](super::RegistrationCache),
/// [`RoleCredentialCache`](super::RoleCredentialCache).
pub struct CacheDir<E> {
    pub(super) dir: PathBuf,
    pub(super) lock_dir: PathBuf,
    entry: PhantomData<fn() -> E>,
}

impl<E> std::fmt::Debug for CacheDir<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheDir")
            .field("dir", &self.dir)
            .field("lock_dir", &self.lock_dir)
            .finish()
    }
}

impl<E> Clone for CacheDir<E> {
    fn clone(&self) -> Self {
        Self {
            dir: self.dir.clone(),
            lock_dir: self.lock_dir.clone(),
            entry: PhantomData,
        }
    }
}

impl<E: Entry> CacheDir<E> {
    /// A cache in `dir`, with its lock files in `dir` too; see [`CacheDir::with_lock_dir`].
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        let dir = dir.into();
        Self {
            lock_dir: dir.clone(),
            dir,
            entry: PhantomData,
        }
    }

    /// The user's cache (`~/.aws/sso/cache` for tokens and registrations, `~/.aws/cli/cache`
    /// for role credentials), with locks in `~/.aws/sesame/locks`.
    pub fn from_env(env: &Env) -> Self {
        Self::new(E::user_dir(env)).with_lock_dir(fsutil::lock_dir(env))
    }

    /// The same cache with its lock files in `lock_dir`.
    pub fn with_lock_dir(mut self, lock_dir: impl Into<PathBuf>) -> Self {
        self.lock_dir = lock_dir.into();
        self
    }

    /// The cache directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file that holds `key`'s entry.
    pub fn path(&self, key: &E::Key) -> PathBuf {
        self.dir.join(E::file_name(key))
    }

    /// The cached entry for `key`, or `None` if there is no file. A file that is not in the AWS
    /// CLI's format is [`CacheError::Corrupt`]; an expired entry is returned as it is (check it
    /// before use).
    pub fn load(&self, key: &E::Key) -> Result<Option<E>, CacheError> {
        let path = self.path(key);
        match super::read_optional(&path)? {
            None => Ok(None),
            Some(bytes) => E::from_json(&bytes)
                .map(Some)
                .map_err(|reason| CacheError::Corrupt { path, reason }),
        }
    }

    /// Writes `entry` for `key`, atomically, mode 0600. Take [`CacheDir::lock`] first when
    /// another process may be writing the same entry.
    pub fn store(&self, key: &E::Key, entry: &E) -> Result<(), CacheError> {
        super::write_secret(&self.path(key), &entry.to_json())
    }

    /// Deletes `key`'s entry; `false` if there was none.
    pub fn remove(&self, key: &E::Key) -> Result<bool, CacheError> {
        super::remove_optional(&self.path(key))
    }

    /// Takes the lock guarding `key`'s entry, waiting as long as needed.
    pub fn lock(&self, key: &E::Key) -> Result<FileLock, CacheError> {
        super::lock_in(&self.lock_dir, &E::lock_name(key))
    }

    /// Takes the lock guarding `key`'s entry, waiting at most `timeout`.
    pub fn lock_timeout(&self, key: &E::Key, timeout: Duration) -> Result<FileLock, CacheError> {
        super::lock_in_timeout(&self.lock_dir, &E::lock_name(key), timeout)
    }
}

//! Atomic writes and cross-process locks: the one place where sesame writes files carefully.
//!
//! Every file sesame writes goes through [`write_atomic`] or [`write_atomic_keep_mode`]: a temp
//! file in the target's directory, created 0600 before any byte is written, `fsync`, the final
//! mode, then a rename over the target. A reader (the AWS CLI, an SDK, another sesame) sees the
//! old file or the new one, never half of either, and a failure leaves the old file as it was and
//! no temp file behind. This is what botocore's `JSONFileCache` does too
//! (`mkstemp(suffix='.tmp')`, fsync, `os.replace`).
//!
//! A process killed half-way (`kill -9`, a power cut) cannot delete its temp file. The writer
//! holds a lock on its temp file while it writes, so the next writer of that directory can tell
//! a stale one (sesame's naming, unlocked, untouched for [`STALE_TEMP_AGE`]) from one in use and
//! removes it: a temp file of a credentials write holds secrets and must not stay around.
//!
//! [`FileLock`] serialises sesame processes that may race on one cache entry (many
//! `credential_process` calls refreshing the same token at once). It is an advisory lock on a
//! sidecar file: the AWS CLI takes no lock, so it only coordinates sesame with itself; the atomic
//! rename is what protects everyone else.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use crate::env::Env;

/// The mode for files that hold secrets (tokens, keys): readable and writable by the owner only.
pub const SECRET_FILE_MODE: u32 = 0o600;

/// The mode for directories sesame creates: only the owner may list or enter them.
pub const PRIVATE_DIR_MODE: u32 = 0o700;

/// How long a temp file of sesame's naming must have been left alone (and unlocked) before a
/// writer of its directory treats it as left behind by a killed process and removes it.
pub const STALE_TEMP_AGE: Duration = Duration::from_secs(5 * 60);

/// How many symbolic links [`write_atomic_keep_mode`] follows before giving up (Linux's limit).
const MAX_SYMLINK_HOPS: usize = 40;

/// The directory that holds sesame's lock files: `~/.aws/sesame/locks`.
///
/// Locks live in sesame's own directory rather than beside the files they guard, so the AWS
/// CLI's cache directories only ever hold what the AWS CLI itself would put there.
pub fn lock_dir(env: &Env) -> PathBuf {
    env.sesame_dir().join("locks")
}

/// The lock every writer of one config file takes (`populate`, `login --console`):
/// `config-<sha1 of the path, 16 hex>.lock` in [`lock_dir`].
pub fn config_lock(env: &Env, path: &Path) -> PathBuf {
    use sha1::Digest as _;
    let digest = sha1::Sha1::digest(path.as_os_str().as_encoded_bytes());
    lock_dir(env).join(format!("config-{}.lock", &hex::encode(digest)[..16]))
}

/// Where a writer of the config file keeps its previous version (`sesame populate`, `sesame
/// setup`): `path` with `.bak` added (`~/.aws/config.bak`), replaced on each write that changes
/// the file, mode 0600.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".bak");
    PathBuf::from(name)
}

/// Creates `dir` and any missing parents with mode 0700. Existing directories are left as they are.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(PRIVATE_DIR_MODE);
    }
    builder.create(dir)
}

/// Replaces the file at `path` with `bytes`, atomically, with the given permission bits.
///
/// Missing parent directories are created with mode 0700. The content goes to a temp file in the
/// same directory (`.<name>.<random>.tmp`, so it never matches a `*.json` glob), created with
/// mode 0600 before anything is written; it is flushed to disk, given `mode` and renamed over
/// `path`. On any failure the temp file is removed and the old file, if any, is untouched.
///
/// A symbolic link at `path` is replaced by a regular file; use [`write_atomic_keep_mode`] to
/// write through the link instead. On non-Unix systems `mode` is ignored.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    write_atomic_with(path, mode, |file| file.write_all(bytes))
}

/// Like [`write_atomic`], for files the user owns (`~/.aws/config`): an existing file keeps its
/// permission bits, a new one gets `default_mode`, and a symbolic link at `path` is followed so
/// the real file is replaced and the link stays a link (dotfile managers rely on that).
pub fn write_atomic_keep_mode(path: &Path, bytes: &[u8], default_mode: u32) -> io::Result<()> {
    let mut file = AtomicFile::create_keep_mode(path, default_mode)?;
    file.write_all(bytes)?;
    file.commit()
}

/// Like [`write_atomic_keep_mode`], for a file of the user's that now holds secrets
/// (`~/.aws/credentials`): an existing file keeps its owner's permission bits but loses any
/// for group and others (0644 becomes 0600), a new one is 0600. Returns the old mode when it
/// was loosened, so the caller can tell the user it changed.
pub fn write_atomic_private(path: &Path, bytes: &[u8]) -> io::Result<Option<u32>> {
    let target = resolve_symlinks(path)?;
    let old = match fs::metadata(&target) {
        Ok(meta) => permission_bits(&meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let mode = old.map_or(SECRET_FILE_MODE, |m| m & !0o077);
    let mut file = AtomicFile::create(&target, mode)?;
    file.write_all(bytes)?;
    file.commit()?;
    Ok(old.filter(|&m| m != mode))
}

/// The atomic write itself, with the content produced by `write` so tests can make it fail.
fn write_atomic_with(
    path: &Path,
    mode: u32,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> io::Result<()> {
    let mut file = AtomicFile::create(path, mode)?;
    write(file.temp.as_file_mut())?;
    file.commit()
}

/// A file written as a stream and put in place atomically: the writes go to a temp file beside
/// `path` (created 0600, locked while it is written), [`commit`](Self::commit) flushes,
/// `fsync`s, sets the final mode and renames it over `path`. Dropped without a commit (an error half-way through a download), the
/// temp file is deleted and the old file is untouched. What [`write_atomic`] does for a buffer,
/// for content too large to hold (`sesame api -o FILE` streaming an S3 object).
#[derive(Debug)]
pub struct AtomicFile {
    temp: tempfile::NamedTempFile,
    path: PathBuf,
    mode: u32,
}

impl AtomicFile {
    /// Starts replacing `path`, the new file with permission bits `mode`; missing parents are
    /// created with mode 0700. A symbolic link at `path` will be replaced by the file.
    pub fn create(path: &Path, mode: u32) -> io::Result<AtomicFile> {
        let name = path.file_name().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} does not name a file", path.display()),
            )
        })?;
        let dir = parent_dir(path);
        create_private_dir(dir)?;
        remove_stale_temps_once(dir);
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(name);
        prefix.push(".");
        let mut builder = tempfile::Builder::new();
        builder
            .prefix(&prefix)
            .suffix(".tmp")
            .rand_bytes(TEMP_RAND_LEN);
        // Owner-only from its creation: the final mode (0644 for a config) is set only once the
        // content is complete, so a temp file left by a killed process never shows its secrets.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(SECRET_FILE_MODE));
        }
        // Dropping `temp` on any early return deletes the temp file.
        let temp = builder.tempfile_in(dir)?;
        // Marks the temp file as in use for as long as this process lives; the lock is freed
        // when the file is closed, after the rename, or by the kernel when the process dies.
        match temp.as_file().try_lock() {
            Ok(()) | Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(e)) if e.kind() == io::ErrorKind::Unsupported => {}
            Err(TryLockError::Error(e)) => return Err(e),
        }
        Ok(AtomicFile {
            temp,
            path: path.to_path_buf(),
            mode,
        })
    }

    /// Like [`create`](Self::create), with [`write_atomic_keep_mode`]'s rules: an existing
    /// file keeps its permission bits (a new one gets `default_mode`) and a symbolic link at
    /// `path` is followed, so the real file is replaced and the link stays.
    pub fn create_keep_mode(path: &Path, default_mode: u32) -> io::Result<AtomicFile> {
        let target = resolve_symlinks(path)?;
        let mode = match fs::metadata(&target) {
            Ok(meta) => permission_bits(&meta).unwrap_or(default_mode),
            Err(e) if e.kind() == io::ErrorKind::NotFound => default_mode,
            Err(e) => return Err(e),
        };
        AtomicFile::create(&target, mode)
    }

    /// Flushes the content to disk and renames it over the target.
    pub fn commit(mut self) -> io::Result<()> {
        self.temp.as_file_mut().flush()?;
        set_mode(self.temp.as_file(), self.mode)?;
        self.temp.as_file().sync_all()?;
        let AtomicFile { temp, path, .. } = self;
        temp.persist(&path).map_err(|e| e.error)?;
        sync_dir(parent_dir(&path));
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.temp.as_file_mut().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.temp.as_file_mut().flush()
    }
}

/// The length of the random part of a temp file's name (`.<name>.<random>.tmp`).
const TEMP_RAND_LEN: usize = 6;

/// Removes the stale temp files of `dir` (see [`remove_stale_temps`]), once per directory per
/// process: a sweep writing thousands of cache entries lists the directory once, not each time.
fn remove_stale_temps_once(dir: &Path) {
    static CLEANED: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    let first = {
        let mut cleaned = CLEANED.lock().unwrap_or_else(|e| e.into_inner());
        cleaned
            .get_or_insert_with(HashSet::new)
            .insert(dir.to_path_buf())
    };
    if first {
        remove_stale_temps(dir, STALE_TEMP_AGE);
    }
}

/// Removes the temp files that killed writers left in `dir`: names of sesame's own pattern
/// (`.<name>.<6 letters or digits>.tmp`), regular files, not modified for `age`, and not locked
/// by a live writer. Best effort: what cannot be read or removed is left alone. Returns how
/// many were removed.
pub fn remove_stale_temps(dir: &Path, age: Duration) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !is_temp_name(&name.to_string_lossy()) {
            continue;
        }
        // symlink_metadata through the entry: a link is never followed, never removed.
        let Ok(meta) = entry.metadata() else { continue };
        let old_enough = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|idle| idle >= age);
        if !meta.is_file() || !old_enough {
            continue;
        }
        let path = entry.path();
        let Ok(file) = File::open(&path) else {
            continue;
        };
        // A writer holds this lock for as long as it writes; taking it proves nobody does.
        if file.try_lock().is_ok() && fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Whether `name` is one of [`AtomicFile`]'s temp names: `.<name>.<6 letters or digits>.tmp`.
fn is_temp_name(name: &str) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    let Some((target, random)) = inner.rsplit_once('.') else {
        return false;
    };
    !target.is_empty()
        && random.len() == TEMP_RAND_LEN
        && random.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The directory a file is in (`.` for a bare name).
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// Follows symbolic links from `path` to the file they finally name (which may not exist yet).
fn resolve_symlinks(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_SYMLINK_HOPS {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(parent) if link.is_relative() => parent.join(link),
                    _ => link,
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} is a chain of more than {MAX_SYMLINK_HOPS} symbolic links",
            path.display()
        ),
    ))
}

#[cfg(unix)]
fn permission_bits(meta: &fs::Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    Some(meta.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn permission_bits(_meta: &fs::Metadata) -> Option<u32> {
    None
}

#[cfg(unix)]
fn set_mode(file: &File, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &File, _mode: u32) -> io::Result<()> {
    Ok(())
}

/// Flushes the directory entry of a rename to disk. Best effort: the rename has already
/// happened, and some file systems refuse to sync a directory.
#[cfg(unix)]
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) {}

/// An exclusive advisory lock on a sidecar lock file, released when dropped.
///
/// Built on std's `File::lock` (`flock` on Unix, `LockFileEx` on Windows), so the lock belongs to
/// the open file: two `FileLock`s on the same path exclude each other across processes and
/// across threads of one process alike, and a crashed holder releases it. The lock file is
/// created (mode 0600, parent directories 0700) and never deleted: deleting a lock file while
/// another process waits on it would let two holders in at once.
#[derive(Debug)]
pub struct FileLock {
    file: File,
    path: PathBuf,
}

impl FileLock {
    /// Takes the lock at `path`, waiting as long as another holder keeps it.
    pub fn acquire(path: &Path) -> io::Result<FileLock> {
        let file = open_lock_file(path)?;
        file.lock()?;
        Ok(FileLock {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Takes the lock at `path` if it is free: `Ok(None)` if someone else holds it.
    pub fn try_acquire(path: &Path) -> io::Result<Option<FileLock>> {
        let file = open_lock_file(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(FileLock {
                file,
                path: path.to_path_buf(),
            })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(e),
        }
    }

    /// Takes the lock at `path`, waiting at most `timeout`; fails with
    /// [`io::ErrorKind::TimedOut`] if it is still held by then.
    pub fn acquire_timeout(path: &Path, timeout: Duration) -> io::Result<FileLock> {
        let file = open_lock_file(path)?;
        let deadline = Instant::now() + timeout;
        let mut pause = Duration::from_millis(5);
        loop {
            match file.try_lock() {
                Ok(()) => {
                    return Ok(FileLock {
                        file,
                        path: path.to_path_buf(),
                    });
                }
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(e),
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!(
                        "gave up after {:.1}s waiting for the lock {}: another sesame process \
                         holds it; wait for it to finish, or end it if it is stuck",
                        timeout.as_secs_f64(),
                        path.display()
                    ),
                ));
            }
            std::thread::sleep(pause.min(deadline - now));
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }

    /// The lock file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        // Closing the file releases the lock too; unlocking first makes the release immediate
        // even if the descriptor was duplicated into a child process.
        let _ = self.file.unlock();
    }
}

fn open_lock_file(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)?;
    }
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(SECRET_FILE_MODE);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[cfg(unix)]
    fn mode_of(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_new_file_and_creates_private_parents() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a/b/c.json");
        write_atomic(&path, b"{}", SECRET_FILE_MODE).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"{}");
        #[cfg(unix)]
        {
            assert_eq!(mode_of(&path), 0o600);
            assert_eq!(mode_of(&tmp.path().join("a")), 0o700);
            assert_eq!(mode_of(&tmp.path().join("a/b")), 0o700);
        }
        assert_eq!(names_in(&tmp.path().join("a/b")), ["c.json"]);
    }

    #[test]
    fn replaces_existing_file_and_sets_mode() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("f");
        fs::write(&path, "old").unwrap();
        write_atomic(&path, b"new", 0o640).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        #[cfg(unix)]
        assert_eq!(mode_of(&path), 0o640);
        assert_eq!(names_in(tmp.path()), ["f"]);
    }

    #[test]
    fn failed_write_keeps_old_file_and_leaves_no_temp() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("f.json");
        fs::write(&path, "old").unwrap();
        let err = write_atomic_with(&path, SECRET_FILE_MODE, |f| {
            f.write_all(b"half")?;
            Err(io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "disk full");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(names_in(tmp.path()), ["f.json"]);
    }

    #[test]
    fn a_stream_replaces_the_file_only_when_committed() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("out.bin");
        fs::write(&path, "old").unwrap();
        let mut file = AtomicFile::create_keep_mode(&path, SECRET_FILE_MODE).unwrap();
        file.write_all(b"chunk 1, ").unwrap();
        file.write_all(b"chunk 2").unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "old",
            "not yet in place"
        );
        file.commit().unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "chunk 1, chunk 2");
        assert_eq!(names_in(tmp.path()), ["out.bin"]);

        // Dropped half-way (a broken download): the old file stays, no temp file is left.
        let mut file = AtomicFile::create_keep_mode(&path, SECRET_FILE_MODE).unwrap();
        file.write_all(b"half").unwrap();
        drop(file);
        assert_eq!(fs::read_to_string(&path).unwrap(), "chunk 1, chunk 2");
        assert_eq!(names_in(tmp.path()), ["out.bin"]);
    }

    /// The temp file of a 0644 config is 0600 while its content is written: a process killed
    /// there leaves nothing readable by others.
    #[cfg(unix)]
    #[test]
    fn temp_file_is_private_until_the_commit() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("config");
        let mut file = AtomicFile::create(&path, 0o644).unwrap();
        file.write_all(b"[default]\n").unwrap();
        let temp = tmp.path().join(&names_in(tmp.path())[0]);
        assert!(is_temp_name(&names_in(tmp.path())[0]));
        assert_eq!(mode_of(&temp), 0o600);
        file.commit().unwrap();
        assert_eq!(mode_of(&path), 0o644);
        assert_eq!(names_in(tmp.path()), ["config"]);
    }

    fn age(path: &Path, by: Duration) {
        let file = OpenOptions::new().write(true).open(path).unwrap();
        file.set_modified(SystemTime::now() - by).unwrap();
    }

    #[test]
    fn stale_temps_are_removed_and_live_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let old = Duration::from_secs(600);
        // A live writer (created first: a writer cleans its directory when it starts).
        let mut live = AtomicFile::create(&dir.join("live"), 0o600).unwrap();
        live.write_all(b"half").unwrap();
        let live_name = names_in(dir)
            .into_iter()
            .find(|n| n.starts_with(".live."))
            .unwrap();
        age(&dir.join(&live_name), old);
        // Left by a killed writer: sesame's naming, old, unlocked.
        for name in [".config.Ab12Cd.tmp", ".abc.json.zzzzzz.tmp"] {
            fs::write(dir.join(name), "secret").unwrap();
            age(&dir.join(name), old);
        }
        // Kept: young, someone else's naming, or locked by a live writer.
        fs::write(dir.join(".config.young1.tmp"), "x").unwrap();
        for name in [
            "tmpab12cd.tmp",
            ".config.toolong7.tmp",
            "config",
            "..abcdef.tmp",
        ] {
            fs::write(dir.join(name), "x").unwrap();
            age(&dir.join(name), old);
        }

        assert_eq!(remove_stale_temps(dir, STALE_TEMP_AGE), 2);
        let mut expected = vec![
            "..abcdef.tmp".to_string(),
            ".config.toolong7.tmp".to_string(),
            ".config.young1.tmp".to_string(),
            live_name,
            "config".to_string(),
            "tmpab12cd.tmp".to_string(),
        ];
        expected.sort();
        assert_eq!(names_in(dir), expected);
        live.commit().unwrap();
        assert_eq!(fs::read_to_string(dir.join("live")).unwrap(), "half");
    }

    #[test]
    fn the_next_writer_removes_stale_temps() {
        let tmp = tempfile::tempdir().unwrap();
        let stale = tmp.path().join(".config.q1w2e3.tmp");
        fs::write(&stale, "[default]\naws_secret_access_key = x\n").unwrap();
        age(&stale, Duration::from_secs(3600));
        write_atomic(&tmp.path().join("config"), b"new", 0o600).unwrap();
        assert_eq!(names_in(tmp.path()), ["config"]);
    }

    #[test]
    fn failed_rename_leaves_no_temp() {
        let tmp = tempfile::tempdir().unwrap();
        // A non-empty directory cannot be replaced by a file.
        let path = tmp.path().join("d");
        fs::create_dir(&path).unwrap();
        fs::write(path.join("inside"), "x").unwrap();
        write_atomic(&path, b"new", SECRET_FILE_MODE).unwrap_err();
        assert_eq!(names_in(tmp.path()), ["d"]);
        assert_eq!(fs::read_to_string(path.join("inside")).unwrap(), "x");
    }

    #[cfg(unix)]
    #[test]
    fn read_only_dir_keeps_old_file() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("ro");
        fs::create_dir(&dir).unwrap();
        let path = dir.join("f.json");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o500)).unwrap();
        // root ignores directory permissions; the test means nothing there.
        let privileged = File::create(dir.join("probe")).is_ok();
        if !privileged {
            write_atomic(&path, b"new", SECRET_FILE_MODE).unwrap_err();
            assert_eq!(fs::read_to_string(&path).unwrap(), "old");
            assert_eq!(names_in(&dir), ["f.json"]);
        }
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).unwrap();
    }

    #[test]
    fn path_without_file_name_is_rejected() {
        let err = write_atomic(Path::new("/"), b"x", SECRET_FILE_MODE).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[cfg(unix)]
    #[test]
    fn keep_mode_keeps_existing_mode_and_defaults_new() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("config");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        write_atomic_keep_mode(&path, b"new", 0o600).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(mode_of(&path), 0o644);

        let fresh = tmp.path().join("fresh");
        write_atomic_keep_mode(&fresh, b"x", 0o600).unwrap();
        assert_eq!(mode_of(&fresh), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn private_write_takes_group_and_others_away() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("credentials");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(write_atomic_private(&path, b"new").unwrap(), Some(0o644));
        assert_eq!(mode_of(&path), 0o600);
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        // Already private (or owner-only in another way): kept, nothing to report.
        assert_eq!(write_atomic_private(&path, b"again").unwrap(), None);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
        assert_eq!(write_atomic_private(&path, b"ro").unwrap(), None);
        assert_eq!(mode_of(&path), 0o400);
        let fresh = tmp.path().join("fresh");
        assert_eq!(write_atomic_private(&fresh, b"x").unwrap(), None);
        assert_eq!(mode_of(&fresh), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn keep_mode_writes_through_symlinks() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let tmp = tempfile::tempdir().unwrap();
        let real_dir = tmp.path().join("dotfiles");
        fs::create_dir(&real_dir).unwrap();
        let real = real_dir.join("aws-config");
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o640)).unwrap();
        // link -> link2 -> dotfiles/aws-config, both relative.
        symlink("dotfiles/aws-config", tmp.path().join("link2")).unwrap();
        let link = tmp.path().join("link");
        symlink("link2", &link).unwrap();

        write_atomic_keep_mode(&link, b"new", 0o600).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(mode_of(&real), 0o640);

        // A dangling link gets its target created.
        let dangling = tmp.path().join("dangling");
        symlink("dotfiles/new-file", &dangling).unwrap();
        write_atomic_keep_mode(&dangling, b"x", 0o600).unwrap();
        assert_eq!(fs::read_to_string(real_dir.join("new-file")).unwrap(), "x");
        assert!(
            fs::symlink_metadata(&dangling)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loop_is_an_error() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        symlink("b", tmp.path().join("a")).unwrap();
        symlink("a", tmp.path().join("b")).unwrap();
        let err = write_atomic_keep_mode(&tmp.path().join("a"), b"x", 0o600).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn lock_creates_private_file_and_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("locks/x.lock");
        let lock = FileLock::acquire(&path).unwrap();
        assert_eq!(lock.path(), path);
        #[cfg(unix)]
        {
            assert_eq!(mode_of(&path), 0o600);
            assert_eq!(mode_of(&tmp.path().join("locks")), 0o700);
        }
    }

    #[test]
    fn try_acquire_sees_holder_and_release_on_drop() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("x.lock");
        let held = FileLock::try_acquire(&path).unwrap().expect("free lock");
        assert!(FileLock::try_acquire(&path).unwrap().is_none());
        drop(held);
        assert!(FileLock::try_acquire(&path).unwrap().is_some());
    }

    #[test]
    fn acquire_timeout_times_out_with_clear_error() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("x.lock");
        let _held = FileLock::acquire(&path).unwrap();
        let start = Instant::now();
        let err = FileLock::acquire_timeout(&path, Duration::from_millis(120)).unwrap_err();
        assert!(start.elapsed() >= Duration::from_millis(120));
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        let msg = err.to_string();
        assert!(
            msg.contains("x.lock") && msg.contains("another sesame process"),
            "{msg}"
        );
    }

    #[test]
    fn acquire_timeout_gets_lock_once_released() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("x.lock");
        let held = FileLock::acquire(&path).unwrap();
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            drop(held);
        });
        FileLock::acquire_timeout(&path, Duration::from_secs(10)).unwrap();
        releaser.join().unwrap();
    }

    #[test]
    fn lock_excludes_across_threads() {
        let tmp = tempfile::tempdir().unwrap();
        let path = Arc::new(tmp.path().join("x.lock"));
        let inside = Arc::new(AtomicUsize::new(0));
        let max_inside = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (path, inside, max_inside) = (path.clone(), inside.clone(), max_inside.clone());
                std::thread::spawn(move || {
                    for _ in 0..5 {
                        let _lock = FileLock::acquire(&path).unwrap();
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        max_inside.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(2));
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(max_inside.load(Ordering::SeqCst), 1);
    }

    /// Another process (util-linux `flock`, which uses the same `flock(2)` as std on Linux)
    /// holding the lock file keeps us out until it exits.
    #[cfg(target_os = "linux")]
    #[test]
    fn lock_excludes_across_processes() {
        use std::process::{Command, Stdio};
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("x.lock");
        let ready = tmp.path().join("ready");
        let spawned = Command::new("flock")
            .arg(&path)
            .arg("sh")
            .arg("-c")
            .arg(format!("touch '{}'; sleep 0.5", ready.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let Ok(mut child) = spawned else {
            return; // no flock(1) here
        };
        let start = Instant::now();
        while !ready.exists() {
            assert!(start.elapsed() < Duration::from_secs(10), "flock never ran");
            std::thread::sleep(Duration::from_millis(5));
        }
        let held_since = Instant::now();
        assert!(FileLock::try_acquire(&path).unwrap().is_none());
        let lock = FileLock::acquire_timeout(&path, Duration::from_secs(10)).unwrap();
        // The holder sleeps 0.5 s after signalling; we must have waited most of that.
        assert!(
            held_since.elapsed() >= Duration::from_millis(300),
            "got the lock while flock held it"
        );
        drop(lock);
        child.wait().unwrap();
    }
}

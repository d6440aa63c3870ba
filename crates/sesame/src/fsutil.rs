//! Atomic writes and cross-process locks: the one place where sesame writes files carefully.
//!
//! Every file sesame writes goes through [`write_atomic`] or [`write_atomic_keep_mode`]: a temp
//! file in the target's directory, the mode set before any byte is written, `fsync`, then a rename
//! over the target. A reader (the AWS CLI, an SDK, another sesame) sees the old file or the new
//! one, never half of either, and a failure leaves the old file as it was and no temp file behind.
//! This is what botocore's `JSONFileCache` does too (`mkstemp(suffix='.tmp')`, fsync, `os.replace`).
//!
//! [`FileLock`] serialises sesame processes that may race on one cache entry (many
//! `credential_process` calls refreshing the same token at once). It is an advisory lock on a
//! sidecar file: the AWS CLI takes no lock, so it only coordinates sesame with itself; the atomic
//! rename is what protects everyone else.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::env::Env;

/// The mode for files that hold secrets (tokens, keys): readable and writable by the owner only.
pub const SECRET_FILE_MODE: u32 = 0o600;

/// The mode for directories sesame creates: only the owner may list or enter them.
pub const PRIVATE_DIR_MODE: u32 = 0o700;

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
/// same directory (`.<name>.<random>.tmp`, so it never matches a `*.json` glob), whose mode is set
/// to `mode` before anything is written, then it is flushed to disk and renamed over `path`. On
/// any failure the temp file is removed and the old file, if any, is untouched.
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
/// `path` (mode set before the first byte), [`commit`](Self::commit) flushes, `fsync`s and
/// renames it over `path`. Dropped without a commit (an error half-way through a download), the
/// temp file is deleted and the old file is untouched. What [`write_atomic`] does for a buffer,
/// for content too large to hold (`sesame api -o FILE` streaming an S3 object).
#[derive(Debug)]
pub struct AtomicFile {
    temp: tempfile::NamedTempFile,
    path: PathBuf,
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
        create_private_dir(parent_dir(path))?;
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(name);
        prefix.push(".");
        // Dropping `temp` on any early return deletes the temp file.
        let temp = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .tempfile_in(parent_dir(path))?;
        set_mode(temp.as_file(), mode)?;
        Ok(AtomicFile {
            temp,
            path: path.to_path_buf(),
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
        self.temp.as_file().sync_all()?;
        let AtomicFile { temp, path } = self;
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

//! Running a plan against the file: under a lock, with a backup, atomically, keeping the mode.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::config::AwsConfig;
use crate::env::Env;
use crate::fsutil::{self, FileLock};
use crate::naming::AccountRole;

use super::render::plan;
use super::settings::PopulateOptions;
use super::{Plan, PopulateError, SessionSpec};

/// How long [`apply`] waits for another sesame process writing the same config file.
const LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// What [`apply`] did.
#[derive(Debug, Clone)]
pub struct Applied {
    /// The plan it carried out.
    pub plan: Plan,
    /// Where the previous file was saved, if the file changed and existed before.
    pub backup: Option<PathBuf>,
}

/// Where [`apply`] keeps the previous version of `path` ([`fsutil::backup_path`]).
pub use crate::fsutil::backup_path;

/// Plans a run against the config file at `path` as it is now, writing nothing (`--dry-run`).
pub fn plan_file(
    path: &Path,
    session: &SessionSpec,
    targets: &[AccountRole],
    options: &PopulateOptions,
) -> Result<Plan, PopulateError> {
    let config = AwsConfig::load(path)?;
    plan(path, config.document(), session, targets, options)
}

/// Plans and carries out a run against the config file at `path`.
///
/// Under a lock (so two `sesame populate` runs cannot interleave), it re-reads the file, plans,
/// and, only if the text changes, saves the old text to [`backup_path`] and replaces the file
/// atomically, keeping its mode (a new file is created 0600; a symlink stays a link). When
/// nothing changes the file is not touched: same bytes, same mtime.
pub fn apply(
    env: &Env,
    path: &Path,
    session: &SessionSpec,
    targets: &[AccountRole],
    options: &PopulateOptions,
) -> Result<Applied, PopulateError> {
    let lock_path = fsutil::config_lock(env, path);
    let _lock = FileLock::acquire_timeout(&lock_path, LOCK_TIMEOUT).map_err(|source| {
        PopulateError::Io {
            what: "cannot lock",
            path: lock_path.clone(),
            source,
        }
    })?;
    let existed = path.exists();
    let plan = plan_file(path, session, targets, options)?;
    if !plan.changes_file() {
        // Nothing to write, but a killed run may have left its temp files (the whole config)
        // beside it: the run that holds the config's lock removes the stale ones.
        if let Some(dir) = path.parent() {
            fsutil::remove_stale_temps(dir, fsutil::STALE_TEMP_AGE);
        }
        return Ok(Applied { plan, backup: None });
    }
    let backup = if existed {
        let b = backup_path(path);
        fsutil::write_atomic(&b, plan.old_text.as_bytes(), fsutil::SECRET_FILE_MODE).map_err(
            |source| PopulateError::Io {
                what: "cannot write the backup",
                path: b.clone(),
                source,
            },
        )?;
        Some(b)
    } else {
        None
    };
    fsutil::write_atomic_keep_mode(path, plan.new_text.as_bytes(), fsutil::SECRET_FILE_MODE)
        .map_err(|source| PopulateError::Io {
            what: "cannot write",
            path: path.to_owned(),
            source,
        })?;
    Ok(Applied { plan, backup })
}

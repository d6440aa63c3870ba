//! A sweep's results file (`sesame run --results FILE`, `--resume FILE`): one JSON line per
//! target as it finishes, after a header line that names the sweep, so that a run killed at any
//! point leaves a file that says what is done, and a later run can do the rest.
//!
//! - **Appended, one write per line.** The file is opened with `O_APPEND` and each line (its
//!   `\n` included) goes out in one `write`: lines from one process never interleave, and a kill
//!   leaves at most one partial last line, which [`ResultsFile::load`] ignores (and the next
//!   writer ends with a newline first). Each line is `fdatasync`ed, so a crash of the machine
//!   loses no finished target either.
//! - **The header names the sweep**: [`SweepId`] is SHA-256 of the command and the sorted
//!   target list (account id, role, region). `--resume` of a file from another sweep (another
//!   command, other targets, another shard) is refused: skipping its successes would skip work
//!   that was never done.
//! - **No output in the file**: a target's stdout may be large or secret; the file says whether
//!   it succeeded, its exit code or HTTP status, and the error.

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead as _, BufReader, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::SweepTarget;

/// What the header's `format` member says.
const FORMAT: &str = "sesame-sweep-results/1";

/// The identity of a sweep: SHA-256 of its command and its sorted targets, in hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepId(pub String);

impl SweepId {
    /// The id of running `command` (a canonical description of the command or request) in
    /// `targets` (any order).
    pub fn new(command: &str, targets: &[SweepTarget]) -> SweepId {
        let mut keys: Vec<(&str, &str, &str)> = targets
            .iter()
            .map(|t| {
                (
                    t.account_id.as_str(),
                    t.role_name.as_str(),
                    t.region.as_deref().unwrap_or(""),
                )
            })
            .collect();
        keys.sort_unstable();
        let mut h = Sha256::new();
        h.update(b"sesame-sweep\0");
        h.update(command.as_bytes());
        h.update(b"\0");
        for (account, role, region) in keys {
            for part in [account, role, region] {
                h.update(part.as_bytes());
                h.update(b"\0");
            }
            h.update(b"\n");
        }
        SweepId(hex::encode(h.finalize()))
    }
}

/// The first line of a results file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Header {
    /// `sesame-sweep-results/1`.
    pub format: String,
    /// The sweep.
    pub sweep: SweepId,
    /// How many targets the sweep has (this shard's, with `--shard`).
    pub targets: usize,
    /// `INDEX/COUNT`, if the sweep is one shard of several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<String>,
    /// The program the sweep runs (its first word), or the `--api` URL: for people reading the
    /// file. The rest of the command line is not written (it may hold secrets).
    pub what: String,
    /// When the file was started (RFC 3339).
    pub started: String,
}

impl Header {
    /// The header of `sweep` over `targets` targets, started now.
    pub fn new(sweep: SweepId, targets: usize, shard: Option<String>, what: String) -> Header {
        Header {
            format: FORMAT.to_owned(),
            sweep,
            targets,
            shard,
            what,
            started: crate::time::now().to_string(),
        }
    }
}

/// One target's outcome, one line of a results file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// The account id.
    pub account_id: String,
    /// The account name.
    pub account_name: String,
    /// The role.
    pub role_name: String,
    /// The region, if any.
    pub region: Option<String>,
    /// Whether the target succeeded (exit 0, HTTP 2xx).
    pub ok: bool,
    /// Whether the target turned out not to exist (no such role in the account).
    #[serde(default)]
    pub skipped: bool,
    /// The command's exit code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// The HTTP status of `--api`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Why it failed, when there is a reason beyond the exit code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: u64,
    /// When it finished (RFC 3339).
    pub finished: String,
}

impl Record {
    /// The record of `target`'s outcome (exit code, status and error filled in by the caller).
    pub fn new(target: &SweepTarget, ok: bool, duration: std::time::Duration) -> Record {
        Record {
            account_id: target.account_id.clone(),
            account_name: target.account_name.clone(),
            role_name: target.role_name.clone(),
            region: target.region.clone(),
            ok,
            skipped: false,
            exit_code: None,
            status: None,
            error: None,
            duration_ms: u64::try_from(duration.as_millis()).unwrap_or(u64::MAX),
            finished: crate::time::now().to_string(),
        }
    }

    fn key(&self) -> TargetKey {
        (
            self.account_id.clone(),
            self.role_name.clone(),
            self.region.clone(),
        )
    }
}

type TargetKey = (String, String, Option<String>);

/// Why a results file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// It could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// Its first line is not a results header.
    #[error("{path} is not a sesame results file (its first line is no sweep header)")]
    NotResults {
        /// The file.
        path: PathBuf,
    },
    /// It belongs to another sweep.
    #[error(
        "{path} holds the results of another sweep (another command, other targets or another \
         shard: sweep {theirs:.12}, this one is {ours:.12})"
    )]
    OtherSweep {
        /// The file.
        path: PathBuf,
        /// The file's sweep id.
        theirs: String,
        /// This sweep's id.
        ours: String,
    },
}

/// What an earlier run of the sweep finished.
#[derive(Debug, Default)]
pub struct Done {
    finished: HashSet<TargetKey>,
    /// How many targets succeeded (or were skipped) there.
    pub count: usize,
}

impl Done {
    /// Whether `target` succeeded (or was skipped as nonexistent) in the earlier run.
    pub fn contains(&self, target: &SweepTarget) -> bool {
        self.finished.contains(&(
            target.account_id.clone(),
            target.role_name.clone(),
            target.region.clone(),
        ))
    }
}

/// A results file open for appending.
#[derive(Debug)]
pub struct ResultsFile {
    path: PathBuf,
    file: File,
}

impl ResultsFile {
    /// What the file at `path` says `sweep` finished; an error if it belongs to another sweep.
    /// Lines that do not parse (a last line cut short by a kill) are ignored.
    pub fn load(path: &Path, sweep: &SweepId) -> Result<Done, ResultsError> {
        let io = |source| ResultsError::Io {
            path: path.to_owned(),
            source,
        };
        let file = File::open(path).map_err(io)?;
        let mut lines = BufReader::new(file).lines();
        let header: Header = match lines.next() {
            Some(line) => serde_json::from_str(&line.map_err(io)?)
                .ok()
                .filter(|h: &Header| h.format == FORMAT)
                .ok_or_else(|| ResultsError::NotResults {
                    path: path.to_owned(),
                })?,
            None => {
                return Err(ResultsError::NotResults {
                    path: path.to_owned(),
                });
            }
        };
        if &header.sweep != sweep {
            return Err(ResultsError::OtherSweep {
                path: path.to_owned(),
                theirs: header.sweep.0,
                ours: sweep.0.clone(),
            });
        }
        let mut done = Done::default();
        for line in lines {
            let line = line.map_err(io)?;
            if let Ok(r) = serde_json::from_str::<Record>(&line)
                && (r.ok || r.skipped)
                && done.finished.insert(r.key())
            {
                done.count += 1;
            }
        }
        Ok(done)
    }

    /// Opens `path` for appending (mode 0600 when created). A new or empty file gets `header`
    /// first; a file that already has lines must be of the same sweep (a run continuing it).
    pub fn open(path: &Path, header: &Header) -> Result<ResultsFile, ResultsError> {
        let io = |source| ResultsError::Io {
            path: path.to_owned(),
            source,
        };
        let mut options = OpenOptions::new();
        options.read(true).append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, crate::fsutil::SECRET_FILE_MODE);
        let file = options.open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        let mut me = ResultsFile {
            path: path.to_owned(),
            file,
        };
        if len == 0 {
            let line = serde_json::to_string(header).map_err(|e| io(e.into()))?;
            me.write_line(line)?;
            return Ok(me);
        }
        // Already started: the same sweep only, continued after a whole line.
        Self::load(path, &header.sweep)?;
        let file = &mut me.file;
        file.seek(SeekFrom::End(-1)).map_err(io)?;
        let mut last = [0u8; 1];
        file.read_exact(&mut last).map_err(io)?;
        if last[0] != b'\n' {
            me.write_raw(b"\n")?;
        }
        Ok(me)
    }

    /// Appends one target's outcome, in one write, synced to disk.
    pub fn append(&mut self, record: &Record) -> Result<(), ResultsError> {
        let line = serde_json::to_string(record).map_err(|e| ResultsError::Io {
            path: self.path.clone(),
            source: e.into(),
        })?;
        self.write_line(line)
    }

    fn write_line(&mut self, mut line: String) -> Result<(), ResultsError> {
        line.push('\n');
        self.write_raw(line.as_bytes())
    }

    fn write_raw(&mut self, bytes: &[u8]) -> Result<(), ResultsError> {
        let io = |source| ResultsError::Io {
            path: self.path.clone(),
            source,
        };
        // One write(2) for the whole line: with O_APPEND it lands at the end in one piece.
        let n = self.file.write(bytes).map_err(io)?;
        if n != bytes.len() {
            // A short write (disk full): finish the line so the file stays line-shaped.
            self.file.write_all(&bytes[n..]).map_err(io)?;
        }
        self.file.sync_data().map_err(io)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(account: &str, region: Option<&str>) -> SweepTarget {
        SweepTarget {
            account_id: account.into(),
            account_name: format!("n{account}"),
            role_name: "Admin".into(),
            region: region.map(str::to_owned),
            role_listed: true,
        }
    }

    fn header(sweep: &SweepId) -> Header {
        Header {
            format: FORMAT.into(),
            sweep: sweep.clone(),
            targets: 3,
            shard: None,
            what: "true".into(),
            started: "2026-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn the_sweep_id_is_the_command_and_the_target_set() {
        let a = [target("1", None), target("2", Some("eu-west-1"))];
        let b = [target("2", Some("eu-west-1")), target("1", None)];
        assert_eq!(SweepId::new("x", &a), SweepId::new("x", &b));
        assert_ne!(SweepId::new("x", &a), SweepId::new("y", &a));
        assert_ne!(SweepId::new("x", &a), SweepId::new("x", &a[..1]));
    }

    #[test]
    fn a_file_cut_mid_line_loads_and_continues_and_another_sweep_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        let targets = [target("1", None), target("2", None), target("3", None)];
        let id = SweepId::new("true", &targets);
        let mut f = ResultsFile::open(&path, &header(&id)).unwrap();
        let d = std::time::Duration::from_millis(5);
        f.append(&Record::new(&targets[0], true, d)).unwrap();
        f.append(&Record::new(&targets[1], false, d)).unwrap();
        drop(f);
        // A kill mid-line.
        let mut raw = OpenOptions::new().append(true).open(&path).unwrap();
        raw.write_all(br#"{"accountId":"3","ro"#).unwrap();
        drop(raw);
        let done = ResultsFile::load(&path, &id).unwrap();
        assert_eq!(done.count, 1);
        assert!(done.contains(&targets[0]) && !done.contains(&targets[1]));

        let mut f = ResultsFile::open(&path, &header(&id)).unwrap();
        f.append(&Record::new(&targets[2], true, d)).unwrap();
        let done = ResultsFile::load(&path, &id).unwrap();
        assert_eq!(done.count, 2);
        assert!(done.contains(&targets[2]));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.ends_with('\n'));
        assert_eq!(text.lines().count(), 5);

        let other = SweepId::new("false", &targets);
        assert!(matches!(
            ResultsFile::load(&path, &other),
            Err(ResultsError::OtherSweep { .. })
        ));
        assert!(matches!(
            ResultsFile::open(&path, &header(&other)),
            Err(ResultsError::OtherSweep { .. })
        ));
        std::fs::write(&path, "hello\n").unwrap();
        assert!(matches!(
            ResultsFile::load(&path, &id),
            Err(ResultsError::NotResults { .. })
        ));
    }
}

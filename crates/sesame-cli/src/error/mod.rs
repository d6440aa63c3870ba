//! Errors at the edge: one clear line (what went wrong), a hint (what to do), an exit code that
//! means something.
//!
//! One way in: every library error becomes a [`CliError`] through its `From` impl in [`hints`],
//! which gives the kind (the exit code) and the hint a command gets by default (`?` is enough). A
//! command that knows better replaces the hint ([`CliError::hint`]); errors of the CLI's own
//! making are built with [`CliError::user`] and a hint.

mod hints;

use std::process::ExitCode;

/// What kind of failure, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Bad input, bad config, an AWS error answer, an unreachable endpoint: exit 1.
    User,
    /// A bug or an environment failure sesame cannot explain: exit 2.
    Internal,
    /// No valid login: exit 3, so `credential_process` callers and scripts can tell.
    LoginRequired,
    /// A code of its own (`exec`: 126 not executable, 127 not found, as a shell).
    Code(u8),
}

/// An error ready to print.
#[derive(Debug)]
pub(crate) struct CliError {
    kind: Kind,
    error: anyhow::Error,
    hint: Option<String>,
}

impl CliError {
    pub(crate) fn user(error: impl Into<anyhow::Error>) -> Self {
        Self {
            kind: Kind::User,
            error: error.into(),
            hint: None,
        }
    }

    pub(crate) fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self {
            kind: Kind::Internal,
            error: error.into(),
            hint: None,
        }
    }

    pub(crate) fn with_code(error: impl Into<anyhow::Error>, code: u8) -> Self {
        Self {
            kind: Kind::Code(code),
            error: error.into(),
            hint: None,
        }
    }

    /// Sets the hint, replacing the one the error came with.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the hint if the error came without one.
    pub(crate) fn or_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint.get_or_insert_with(|| hint.into());
        self
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        Self::internal(e)
    }
}

/// Prints the error on stderr and gives the exit code.
pub(crate) fn report(e: &CliError) -> ExitCode {
    // A closed stdout (`sesame accounts | head`) is not a failure.
    if e.error.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    }) {
        return ExitCode::SUCCESS;
    }
    // A path that cannot be written or read says what to do about the path, whatever the
    // command would have suggested for the file's content ("delete the file" does not help on
    // a read-only file system), and it is the user's environment, not a bug (exit 1).
    let fs = fs_hint(&e.error).filter(|_| !matches!(e.kind, Kind::Code(_)));
    let mut line = e.error.to_string();
    for cause in e.error.chain().skip(1) {
        let c = cause.to_string();
        if !line.contains(&c) {
            line = format!("{line}: {c}");
        }
    }
    eprintln!("error: {line}");
    if let Some(h) = fs.or(e.hint.as_deref()) {
        eprintln!("hint: {h}");
    }
    ExitCode::from(match e.kind {
        Kind::Internal if fs.is_some() => 1,
        Kind::User => 1,
        Kind::Internal => 2,
        Kind::LoginRequired => 3,
        Kind::Code(code) => code,
    })
}

/// The hint for an error caused by the file system refusing a path (the first I/O error in the
/// chain): what the user can do about that path.
fn fs_hint(error: &anyhow::Error) -> Option<&'static str> {
    use std::io::ErrorKind as K;
    let io = error
        .chain()
        .find_map(|c| c.downcast_ref::<std::io::Error>())?;
    Some(match io.kind() {
        K::ReadOnlyFilesystem => {
            "the file system holding that path is mounted read-only: remount it read-write, or \
             point HOME (or AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE) at a writable place"
        }
        K::PermissionDenied => {
            "your user may not use that path: check its owner and permissions (`ls -ld` it and \
             its directory) and run as the user who owns it"
        }
        K::IsADirectory => "a directory stands where that file belongs: move it out of the way",
        K::NotADirectory => {
            "a file stands where a directory of that path belongs: move it out of the way"
        }
        K::StorageFull | K::QuotaExceeded | K::FileTooLarge => {
            "the disk (or your quota) is full: free some space (`df -h` shows it), then run the \
             command again; the old file is unchanged"
        }
        _ => return None,
    })
}

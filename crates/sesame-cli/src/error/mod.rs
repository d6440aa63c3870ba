//! Errors at the edge: one clear line (what went wrong), a hint (what to do), an exit code that
//! means something.
//!
//! The exit codes, the same for every command (README.md "Exit codes"; pinned by the
//! `exit_codes` integration test):
//!
//! | code | meaning |
//! | --- | --- |
//! | 0 | success |
//! | 1 | failure: bad config, an AWS error, an unreachable endpoint, a file that cannot be written, a bug |
//! | 2 | usage: the command line is wrong (clap's errors and sesame's own checks of flags) |
//! | 3 | login required |
//! | 126, 127 | `exec`: the command cannot be run, or is not found |
//! | 128+N | `exec --server`: the command was killed by signal N |
//! | 130 | interrupted (Ctrl-C) |
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
    /// Bad config, an AWS error answer, an unreachable endpoint, a bug: exit 1.
    User,
    /// The command line is wrong: exit 2, as clap's own usage errors.
    Usage,
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

    /// A failure sesame cannot explain (a bug, the environment); exit 1 as any failure.
    pub(crate) fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self::user(error)
    }

    /// A command line that cannot work (flags that do not go together): exit 2, as clap's.
    pub(crate) fn usage(error: impl Into<anyhow::Error>) -> Self {
        Self {
            kind: Kind::Usage,
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

/// The hint for a profile name that is in neither file: "did you mean" the few closest names
/// (the same name in another case, or an edit distance small for its length), never the whole
/// list on one line.
pub(crate) fn unknown_profile_hint(name: &str, available: &[String]) -> String {
    const MAX: usize = 3;
    if available.is_empty() {
        return "there are no profiles yet; `sesame populate` writes one per role, or use \
                --account and --role"
            .to_owned();
    }
    let lower = name.to_lowercase();
    let mut close: Vec<(usize, &str)> = available
        .iter()
        .filter_map(|p| {
            let d = strsim::levenshtein(&lower, &p.to_lowercase());
            // A third of the longer name, at least 2 edits: `prod` finds `prd` and `Prod`.
            let limit = (name.chars().count().max(p.chars().count()) / 3).max(2);
            let contains = p.len() > 2
                && lower.len() > 2
                && (p.to_lowercase().contains(&lower) || lower.contains(&p.to_lowercase()));
            (d <= limit || contains).then_some((d, p.as_str()))
        })
        .collect();
    close.sort();
    match close.as_slice() {
        [] => format!(
            "check the name: no profile is close to `{name}` among {}; `aws configure \
             list-profiles` lists them (`sesame populate` writes one per role)",
            available.len()
        ),
        [(_, one)] => format!("did you mean `{one}`?"),
        many => {
            let names: Vec<String> = many
                .iter()
                .take(MAX)
                .map(|(_, p)| format!("`{p}`"))
                .collect();
            format!("did you mean {}?", names.join(" or "))
        }
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
        Kind::User => 1,
        Kind::Usage => 2,
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

#[cfg(test)]
mod tests {
    use super::unknown_profile_hint;

    #[test]
    fn a_few_close_names_never_the_whole_list() {
        let names: Vec<String> = ["dev", "prod", "prod-admin", "staging", "sandbox", "Billing"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(unknown_profile_hint("prd", &names), "did you mean `prod`?");
        assert_eq!(
            unknown_profile_hint("billing", &names),
            "did you mean `Billing`?"
        );
        assert_eq!(
            unknown_profile_hint("prod-admn", &names),
            "did you mean `prod-admin` or `prod`?"
        );
        let far = unknown_profile_hint("zzzzzzzz", &names);
        assert!(
            far.contains("no profile is close") && far.contains("among 6"),
            "{far}"
        );
        assert!(!far.contains("staging"), "{far}");
        assert!(unknown_profile_hint("dev", &[]).contains("no profiles yet"));
    }
}

//! Errors at the edge: one clear line (what went wrong), a hint (what to do), an exit code that
//! means something.

use std::process::ExitCode;

use sesame::sso::SsoError;

/// What kind of failure, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Bad input, bad config, an AWS error answer, an unreachable endpoint: exit 1.
    User,
    /// A bug or an environment failure sesame cannot explain: exit 2.
    Internal,
    /// No valid login: exit 3, so `credential_process` callers and scripts can tell.
    LoginRequired,
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

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl From<SsoError> for CliError {
    fn from(e: SsoError) -> Self {
        let login = "run `sesame login` (add `--sso-session NAME` or `--profile NAME` as needed)";
        let (kind, hint) = match &e {
            _ if e.is_login_required() => (Kind::LoginRequired, Some(login.to_owned())),
            SsoError::Config(_) => (
                Kind::User,
                Some("fix the config file, then run the command again".to_owned()),
            ),
            SsoError::Cache(_) => (
                Kind::User,
                Some("delete the file, or run `sesame login --force`".to_owned()),
            ),
            SsoError::NoSession { .. } => (Kind::User, None),
            SsoError::Unreachable { .. } => (
                Kind::User,
                Some(
                    "check the network, the region, and any AWS_ENDPOINT_URL_* override".to_owned(),
                ),
            ),
            SsoError::Denied => (
                Kind::User,
                Some("run `sesame login` again and approve the request".to_owned()),
            ),
            SsoError::AuthorizationExpired => (
                Kind::User,
                Some("run `sesame login` again and approve within the time shown".to_owned()),
            ),
            SsoError::Api(a) if a.is_retryable() => (
                Kind::User,
                Some("the service is busy or failing; try again in a moment".to_owned()),
            ),
            SsoError::LockTimeout { .. } => (
                Kind::User,
                Some(
                    "another `sesame login` is still waiting for approval; finish or stop it"
                        .to_owned(),
                ),
            ),
            _ => (Kind::User, None),
        };
        Self {
            kind,
            error: e.into(),
            hint,
        }
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
    let mut line = e.error.to_string();
    for cause in e.error.chain().skip(1) {
        let c = cause.to_string();
        if !line.contains(&c) {
            line = format!("{line}: {c}");
        }
    }
    eprintln!("error: {line}");
    if let Some(h) = &e.hint {
        eprintln!("hint: {h}");
    }
    ExitCode::from(match e.kind {
        Kind::User => 1,
        Kind::Internal => 2,
        Kind::LoginRequired => 3,
    })
}

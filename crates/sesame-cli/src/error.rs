//! Errors at the edge: one clear line (what went wrong), a hint (what to do), an exit code that
//! means something.

use std::process::ExitCode;

use sesame::credentials::{ChainError, CredentialsError};
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

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// What to do when a server's certificate is not trusted.
pub(crate) const CERTIFICATE_HINT: &str = "behind a TLS-inspecting proxy, point AWS_CA_BUNDLE \
     (or `ca_bundle` in the profile) at a PEM file of its CA certificates";

/// What to do when the CA bundle cannot be used.
pub(crate) const CA_BUNDLE_HINT: &str = "point AWS_CA_BUNDLE (or `ca_bundle` in the profile) at a PEM file of CA certificates, or unset it";

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
            SsoError::StartUrl { .. } => (
                Kind::User,
                Some(
                    "set sso_start_url to the AWS access portal URL (https://d-xxxxxxxxxx.awsapps.com/start, \
                     or your organisation's https vanity URL that redirects there)"
                        .to_owned(),
                ),
            ),
            SsoError::Certificate { .. } => (Kind::User, Some(CERTIFICATE_HINT.to_owned())),
            SsoError::Http(_) => (Kind::User, Some(CA_BUNDLE_HINT.to_owned())),
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

impl From<CredentialsError> for CliError {
    fn from(e: CredentialsError) -> Self {
        let hint = match &e {
            CredentialsError::Sso(_) => return Self::from(match e {
                CredentialsError::Sso(s) => s,
                _ => unreachable!("matched above"),
            }),
            CredentialsError::UnknownProfile { available, .. } if available.is_empty() => {
                "the config file has no profiles; run `sesame populate`, or use --account and --role".to_owned()
            }
            CredentialsError::UnknownProfile { available, .. } => {
                format!("known profiles: {}", available.join(", "))
            }
            CredentialsError::NotSsoProfile { .. } => {
                "give it sso_session, sso_account_id and sso_role_name, or use --account and --role".to_owned()
            }
            CredentialsError::InvalidSsoProfile { .. } | CredentialsError::Config(_) => {
                "fix the config file, then run the command again".to_owned()
            }
            CredentialsError::UnknownAccount { .. } | CredentialsError::AmbiguousAccount { .. } => {
                "list the accounts with `sesame accounts`".to_owned()
            }
            CredentialsError::NoAccess { .. } => {
                "check the account id and role name (`sesame accounts`, `sesame roles`)".to_owned()
            }
            CredentialsError::Cache(_) => "delete the file, then run the command again".to_owned(),
            _ => return Self::user(e),
        };
        Self::user(e).hint(hint)
    }
}

impl From<ChainError> for CliError {
    fn from(e: ChainError) -> Self {
        let hint = match e {
            ChainError::Sso(s) => return Self::from(s),
            ChainError::Role(r) => return Self::from(r),
            ChainError::NotFound { .. } => {
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or pass --profile NAME"
            }
            ChainError::NoSuchProfile { .. } => {
                "check the name (`aws configure list-profiles` lists them)"
            }
            ChainError::ProfileWithoutCredentials { .. } | ChainError::Partial { .. } => {
                "complete the profile, or choose another with --profile"
            }
            ChainError::Unsupported { .. } => {
                "get credentials for it with the AWS CLI (`aws configure export-credentials --format env`) and pass them in the environment"
            }
            ChainError::Process { .. } => "run the command by hand to see what it prints",
            ChainError::RoleConfig { .. } => {
                "fix the profile: role_arn needs source_profile or credential_source (botocore's rules)"
            }
            ChainError::SourceLoop { .. } => {
                "make the last source_profile in the chain one with credentials of its own"
            }
            ChainError::MfaNeedsTerminal { .. } => {
                "run the command on a terminal to type the code, or cache the role's credentials first with `aws sts get-caller-identity --profile NAME` (sesame reuses the AWS CLI's cache)"
            }
            ChainError::Assume { .. } => {
                "check role_arn, the role's trust policy and the source credentials"
            }
            ChainError::Cache(_) => "check the permissions of ~/.aws/cli/cache",
            ChainError::Config(_) => "fix the config file, then run the command again",
            _ => "check the credentials configuration",
        };
        Self::user(e).hint(hint)
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
        Kind::Code(code) => code,
    })
}

impl From<sesame::listing::ListingError> for CliError {
    fn from(e: sesame::listing::ListingError) -> Self {
        use sesame::listing::ListingError;
        match e {
            ListingError::Sso(s) => s.into(),
            e if e.is_throttled() => Self::user(e).hint(
                "Identity Center kept throttling beyond sesame's retries; wait a minute and run it again \
                 (SESAME_MAX_ATTEMPTS allows more attempts)",
            ),
            e => Self::user(e)
                .hint("Identity Center kept failing or could not be reached; check the network and try again"),
        }
    }
}

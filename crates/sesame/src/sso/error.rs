//! Errors of the Identity Center clients and flows.

use std::path::PathBuf;

use crate::aws_error::AwsError;
use crate::cache::CacheError;
use crate::config::ConfigError;
use crate::pace::{Classify, Failure};

/// Everything that can go wrong logging in to, or calling, IAM Identity Center.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SsoError {
    /// The config file is wrong or lacks what the command needs.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A cache file is unreadable or corrupt.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// No session could be chosen from the arguments and the config.
    #[error("{message}")]
    NoSession {
        /// What is missing.
        message: String,
        /// What to do, when there is more to say than the message.
        hint: Option<String>,
    },
    /// The endpoint could not be reached at all.
    #[error("cannot reach {endpoint}: {reason}")]
    Unreachable {
        /// The URL called.
        endpoint: String,
        /// What the connection said.
        reason: String,
    },
    /// Nothing answers at the endpoint: the connection was refused or the name does not resolve
    /// (final: another try meets the same).
    #[error("cannot reach {endpoint}: {reason}")]
    Refused {
        /// The URL called.
        endpoint: String,
        /// What the connection said.
        reason: String,
    },
    /// The start URL is not one Identity Center can be asked about (an `http://` URL, a vanity
    /// URL that does not lead to an AWS sign-in host).
    #[error("the start URL {url} cannot be used: {reason}")]
    StartUrl {
        /// The configured start URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// The endpoint's TLS certificate is not trusted (final: never retried).
    #[error("the TLS certificate of {endpoint} is not trusted: {reason}")]
    Certificate {
        /// The URL called.
        endpoint: String,
        /// What the TLS stack said.
        reason: String,
    },
    /// No HTTP client could be built (a CA bundle that is not PEM).
    #[error(transparent)]
    Http(#[from] crate::http::HttpError),
    /// The service answered with an error.
    #[error(transparent)]
    Api(#[from] AwsError),
    /// The command's overall deadline passed (`SESAME_DEADLINE`).
    #[error(transparent)]
    Deadline(#[from] crate::pace::DeadlinePassed),
    /// The service answered something that is not the documented shape.
    #[error("{operation}: unexpected answer from {endpoint}: {reason}")]
    BadResponse {
        /// The operation called.
        operation: &'static str,
        /// The URL called.
        endpoint: String,
        /// What was wrong with it.
        reason: String,
    },
    /// The user denied the authorisation in the browser.
    #[error("the authorisation was denied in the browser")]
    Denied,
    /// The device code or the browser authorisation expired before it was approved.
    #[error("the authorisation expired before it was approved")]
    AuthorizationExpired,
    /// There is no usable login for this session.
    #[error("no valid login for {session}: {reason}")]
    LoginRequired {
        /// The session (name or start URL).
        session: String,
        /// Why (no token, expired, refresh failed).
        reason: String,
    },
    /// A local I/O failure (lock file, loopback listener).
    #[error("{what}: {source}")]
    Io {
        /// What sesame was doing.
        what: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The loopback redirect could not be served.
    #[error("the browser redirect to {redirect_uri} failed: {reason}")]
    Redirect {
        /// The loopback URI.
        redirect_uri: String,
        /// What went wrong.
        reason: String,
    },
    /// Waiting for another sesame process holding the login lock took too long.
    #[error("another sesame login holds the lock {path} for too long")]
    LockTimeout {
        /// The lock file.
        path: PathBuf,
    },
}

impl SsoError {
    /// Whether the service refused the client registration itself (`InvalidClientException`:
    /// revoked, or issued by an instance that no longer exists): registering again is the cure.
    pub fn is_invalid_client(&self) -> bool {
        matches!(self, SsoError::Api(e) if e.code == "InvalidClientException")
    }

    /// Whether a refresh was refused for good: the refresh token or the client registration
    /// is expired, revoked or unknown (not a throttle or a fault).
    pub fn rejects_the_refresh_token(&self) -> bool {
        matches!(self, SsoError::Api(e) if matches!(
            e.code.as_str(),
            "InvalidGrantException"
                | "ExpiredTokenException"
                | "InvalidClientException"
                | "UnauthorizedClientException"
                | "AccessDeniedException"
        ))
    }

    /// Whether this error means the user has to log in again (a dedicated exit code).
    pub fn is_login_required(&self) -> bool {
        match self {
            SsoError::LoginRequired { .. } => true,
            SsoError::Api(e) => e.code == "UnauthorizedException",
            _ => false,
        }
    }
}

impl Classify for SsoError {
    /// Identity Center's throttles (429, `TooManyRequestsException`, `ThrottlingException`,
    /// `SlowDownException`), server faults (5xx) and broken or timed-out connections are
    /// retried; a refused connection or an unknown host ([`SsoError::Refused`]) and an untrusted
    /// certificate ([`SsoError::Certificate`]) are final, like every other error.
    fn failure(&self) -> Failure {
        match self {
            SsoError::Api(a)
                if a.status == 429
                    || a.code == "TooManyRequestsException"
                    || a.code == "ThrottlingException"
                    || a.code == "SlowDownException" =>
            {
                Failure::Throttle
            }
            SsoError::Api(a) if a.status >= 500 => Failure::Transient,
            SsoError::Unreachable { .. } => Failure::Transient,
            _ => Failure::Final,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, code: &str) -> SsoError {
        SsoError::Api(AwsError {
            operation: "ListAccountRoles",
            status,
            code: code.into(),
            message: None,
            request_id: None,
        })
    }

    #[test]
    fn throttles_faults_and_broken_connections_are_retried_the_rest_is_final() {
        for (status, code) in [
            (429, "TooManyRequestsException"),
            (400, "TooManyRequestsException"),
            (400, "ThrottlingException"),
            (400, "SlowDownException"),
        ] {
            assert_eq!(api(status, code).failure(), Failure::Throttle, "{code}");
        }
        assert_eq!(
            api(500, "InternalServerException").failure(),
            Failure::Transient
        );
        let unreachable = SsoError::Unreachable {
            endpoint: "x".into(),
            reason: "connection closed".into(),
        };
        assert_eq!(unreachable.failure(), Failure::Transient);
        let refused = SsoError::Refused {
            endpoint: "x".into(),
            reason: "tcp connect error: Connection refused".into(),
        };
        assert_eq!(refused.failure(), Failure::Final);
        assert_eq!(api(403, "ForbiddenException").failure(), Failure::Final);
        assert_eq!(api(401, "UnauthorizedException").failure(), Failure::Final);
        assert!(api(401, "UnauthorizedException").is_login_required());
    }
}

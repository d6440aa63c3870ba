//! What can go wrong walking Identity Center's administration APIs.

use crate::aws_error::AwsError;
use crate::config::ConfigError;
use crate::credentials::ChainError;
use crate::pace::{Classify, Failure};

/// An error of [`crate::admin`]: each variant says what the user needs to act on it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    /// The config or credentials file is wrong, or an endpoint override is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No AWS credentials could be had for the admin calls.
    #[error(transparent)]
    Credentials(#[from] ChainError),
    /// The command's overall deadline passed (`SESAME_DEADLINE`).
    #[error(transparent)]
    Deadline(#[from] crate::pace::DeadlinePassed),
    /// No region is configured for the sso-admin and identitystore calls.
    #[error("no AWS region for the Identity Center administration APIs")]
    NoRegion,
    /// ListInstances returned no Identity Center instance.
    #[error("no IAM Identity Center instance in region {region}")]
    NoInstance {
        /// The region asked.
        region: String,
    },
    /// `--instance-arn` names an instance ListInstances does not return.
    #[error("no IAM Identity Center instance `{arn}` in region {region}")]
    UnknownInstance {
        /// The ARN given.
        arn: String,
        /// The region asked.
        region: String,
    },
    /// A principal given as a filter or lookup does not exist.
    #[error("unknown principal `{0}`: no such user or group in the identity store")]
    UnknownPrincipal(String),
    /// A permission set given as a filter or lookup does not exist.
    #[error("unknown permission set `{0}`")]
    UnknownPermissionSet(String),
    /// A target (account, OU, or account name) does not exist in the organization.
    #[error("unknown target `{0}`: no such account or organizational unit")]
    UnknownTarget(String),
    /// A filter value sesame cannot read.
    #[error("invalid {what} `{value}`: {reason}")]
    InvalidSpec {
        /// Which filter (principal, permission set, target).
        what: &'static str,
        /// The value given.
        value: String,
        /// Why it is not valid.
        reason: String,
    },
    /// The credentials were refused, or they lack a permission.
    #[error("access denied: {0}")]
    Denied(AwsError),
    /// The service answered with another error (after retries, for throttles and faults).
    #[error(transparent)]
    Api(AwsError),
    /// The endpoint could not be reached (after retries).
    #[error("cannot reach {endpoint}: {reason}")]
    Unreachable {
        /// The URL called.
        endpoint: String,
        /// What the connection said.
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
    /// The walk stopped without finishing (a task panicked): a bug.
    #[error("the assignment walk stopped unexpectedly: {0}")]
    Internal(String),
    /// The request could not be signed (credentials or time unusable).
    #[error("cannot sign the {operation} request: {reason}")]
    Signing {
        /// The operation.
        operation: &'static str,
        /// The signer's message.
        reason: String,
    },
}

impl AdminError {
    /// Whether the error is an AWS answer with this code (`ResourceNotFoundException`, ...).
    pub fn is_code(&self, code: &str) -> bool {
        matches!(self, AdminError::Api(a) | AdminError::Denied(a) if a.code == code)
    }
}

/// The error codes AWS services throttle with (beside HTTP 429).
const THROTTLE_CODES: [&str; 6] = [
    "ThrottlingException",
    "TooManyRequestsException",
    "Throttling",
    "ThrottledException",
    "RequestLimitExceeded",
    "SlowDown",
];

impl Classify for AdminError {
    /// Throttles (429 or a throttling code) slow the pacer and are retried; server faults (5xx,
    /// `InternalServerException`) and unreachable endpoints are retried; the rest is final.
    fn failure(&self) -> Failure {
        match self {
            AdminError::Api(a) | AdminError::Denied(a)
                if a.status == 429 || THROTTLE_CODES.contains(&a.code.as_str()) =>
            {
                Failure::Throttle
            }
            AdminError::Api(a) | AdminError::Denied(a)
                if a.status >= 500 || a.code == "InternalServerException" =>
            {
                Failure::Transient
            }
            AdminError::Unreachable { .. } => Failure::Transient,
            _ => Failure::Final,
        }
    }
}

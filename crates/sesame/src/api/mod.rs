//! Any AWS API call, documented or not, signed with SigV4: what `sesame api` and
//! `sesame run --api` are made of.
//!
//! - [`request`]: [`ApiRequest`] (what the user typed: URL, method, headers, body, `--target`,
//!   `--param`) → [`PreparedRequest`] (final URL, headers, body, signing name and region) → sign,
//!   presign, send.
//! - [`infer`]: the signing name and region read off the host (`up.sso.{region}` is
//!   `identitystore`, S3 in every style, FIPS, dual-stack, global endpoints).
//! - [`wire`]: the one URL encoding that is both sent and signed (no double encoding).
//! - [`sign`]: the official `aws-sigv4` signer with S3's rules, presigning, and the canonical
//!   request / string to sign for `--dry-run`.
//! - The keys ([`crate::keys::AwsCredentials`]) come from [`crate::credentials::chain`] (environment, profile, SSO account and role).
//! - Error answers are read by [`crate::aws_error`], the one parser every client shares.

pub mod infer;
pub mod request;
pub mod sign;
pub mod wire;

#[cfg(test)]
mod suite;

pub use request::{ApiRequest, Body, BodySource, JsonVersion, PreparedRequest, parse_header};
pub use sign::{Explanation, SignError, Signed, SigningRules};
pub use wire::WireUrl;

/// `text` with its control characters written as escapes (`\r`, `\n`, `\u{7}`), so an error
/// quoting what the user typed stays one line.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A call that cannot be built, signed or sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The URL is not an http(s) URL sesame can send.
    #[error("bad URL `{}`: {reason}", visible(url))]
    BadUrl {
        /// The URL as given.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// A `-H` value that is not `Name: value`.
    #[error("bad header `{}`: write it as `Name: value`", visible(.0))]
    BadHeader(String),
    /// A header the signer sets itself.
    #[error("the `{0}` header is set by the signer; do not pass it")]
    SignerHeader(String),
    /// An HTTP method that is not a token.
    #[error("bad HTTP method `{0}`")]
    BadMethod(String),
    /// A `--target` without the `Prefix.Operation` shape.
    #[error("bad target `{0}`: write it as Prefix.Operation, e.g. AWSIdentityStore.ListUsers")]
    BadTarget(String),
    /// `--param` with a body for a non-GET request.
    #[error(
        "--param builds the body itself; it cannot be combined with -d (use -X GET to put the params in the URL)"
    )]
    ParamsAndBody,
    /// The host says nothing about the service.
    #[error("cannot tell which service `{host}` is")]
    NoService {
        /// The host.
        host: String,
    },
    /// No region from the host, the flags, the environment or the profile.
    #[error("cannot tell which region to sign for at `{host}`")]
    NoRegion {
        /// The host.
        host: String,
    },
    /// A service or region that cannot be part of a credential scope.
    #[error("`{0}` is not a valid service or region name")]
    BadScope(String),
    /// The body cannot be read.
    #[error("cannot read the body from {what}: {source}")]
    Body {
        /// The file, or standard input.
        what: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Signing failed.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// The endpoint cannot be reached (connection refused, DNS, TLS, timeout).
    #[error("cannot reach {url}: {reason}")]
    Unreachable {
        /// The URL.
        url: String,
        /// What the connection said.
        reason: String,
    },
}

/// The innermost useful cause of a reqwest error (`connection refused`, `dns error`, ...).
pub(crate) fn send_error(e: &reqwest::Error) -> String {
    let mut reason = e.to_string();
    let mut cur = std::error::Error::source(e);
    while let Some(c) = cur {
        reason = c.to_string();
        cur = c.source();
    }
    if e.is_timeout() {
        format!("timed out ({reason})")
    } else {
        reason
    }
}

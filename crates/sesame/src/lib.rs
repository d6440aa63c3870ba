//! sesame: get into many AWS accounts from one identity.
//!
//! The library owns the domain: the AWS config files (a lossless INI document), the token and
//! credential caches shared with the AWS CLI v2, the IAM Identity Center OIDC and portal clients,
//! and the login flows. It prints nothing and never exits the process: callers (the `sesame`
//! binary, or your code) render what it returns.

#![warn(missing_docs)]

pub mod admin;
pub mod api;
pub mod aws_error;
#[cfg(test)]
mod botocore_py;
pub mod cache;
pub mod config;
pub mod credentials;
pub mod env;
pub mod fanout;
pub mod fsutil;
pub mod glob;
pub mod http;
pub mod keys;
pub mod listing;
pub mod naming;
pub mod pace;
pub mod populate;
pub mod saml;
pub mod secret;
pub mod sso;
pub mod sts;
pub mod time;

pub use secret::Secret;

/// An error and its causes on one line (`a: b: c`), for messages: a cause whose text the line
/// already holds is not repeated (reqwest and hyper often say the same thing twice), and line
/// breaks and runs of spaces (GSSAPI's multi-line status) become one space.
pub fn one_line(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out = format!("{out}: {text}");
        }
        source = s.source();
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

//! sesame: get into many AWS accounts from one identity.
//!
//! The library owns the domain: the AWS config files (a lossless INI document), the token and
//! credential caches shared with the AWS CLI v2, the IAM Identity Center OIDC and portal clients,
//! and the login flows. It prints nothing and never exits the process: callers (the `sesame`
//! binary, or your code) render what it returns.

#![warn(missing_docs)]

pub mod admin;
pub mod api;
#[cfg(test)]
mod botocore_py;
pub mod cache;
pub mod config;
pub mod credentials;
pub mod env;
pub mod fanout;
pub mod fsutil;
pub mod http;
pub mod listing;
pub mod naming;
pub mod pace;
pub mod populate;
pub mod saml;
pub mod secret;
pub mod serve;
pub mod sso;
pub mod sts;
pub mod time;

pub use secret::Secret;

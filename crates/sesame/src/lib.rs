//! sesame: get into many AWS accounts from one identity.
//!
//! The library owns the domain: the AWS config files (a lossless INI document), the token and
//! credential caches shared with the AWS CLI v2, the IAM Identity Center OIDC and portal clients,
//! and the login flows. It prints nothing and never exits the process: callers (the `sesame`
//! binary, or your code) render what it returns.
//!
//! # Example
//!
//! After `sesame login --sso-session corp` (or `aws sso login`, which shares the same token),
//! list every role the login reaches, then get the credentials of one profile:
//!
//! ```no_run
//! use aws_credential_types::provider::ProvideCredentials as _;
//! use futures_util::TryStreamExt as _;
//! use sesame::config::AwsConfig;
//! use sesame::credentials::SsoCredentialsProvider;
//! use sesame::env::Env;
//! use sesame::listing::{Filter, Listing, ListingOptions};
//! use sesame::sso::{SessionSelector, Sso};
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     // `HOME`, `AWS_CONFIG_FILE`, `AWS_ENDPOINT_URL_*`, ... as the AWS CLI reads them.
//!     let env = Env::from_process();
//!     let config = AwsConfig::from_env(&env)?;
//!
//!     // `[sso-session corp]` in ~/.aws/config.
//!     let session = SessionSelector { sso_session: Some("corp".into()), ..Default::default() }
//!         .resolve(&env, &config)?;
//!     let sso = Sso::new(&env)?;
//!     let listing = Listing::new(&sso, &env, &session, ListingOptions::default());
//!     let mut roles = listing.roles(&Filter::all()).await?;
//!     while let Some(item) = roles.try_next().await? {
//!         for role in &item.roles {
//!             println!("{} {} {role}", item.account.account_id, item.account.account_name);
//!         }
//!     }
//!
//!     // `[profile dev]` with sso_session, sso_account_id and sso_role_name: the role's
//!     // credentials, from the AWS CLI v2's cache when they are still valid.
//!     let provider = SsoCredentialsProvider::from_profile(&env, "dev")?;
//!     let credentials = provider.provide_credentials().await?;
//!     println!("{} until {:?}", credentials.access_key_id(), credentials.expiry());
//!     Ok(())
//! }
//! ```
//!
//! The command-line tool's own documentation is in the repository's `README.md` and `docs/`.

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
#[doc(hidden)]
pub mod fuzzing;
pub mod glob;
pub mod http;
pub mod keys;
pub mod listing;
pub mod naming;
pub mod pace;
pub mod populate;
pub mod progress;
pub mod saml;
pub mod secret;
pub mod serve;
pub mod signin;
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

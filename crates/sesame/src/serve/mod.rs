//! A local credential server: the endpoints the AWS SDKs' own providers read, so a container, a
//! long `terraform apply` or a tool that only knows the instance metadata service gets
//! credentials that are renewed as they expire, and never holds a key in a file or a variable.
//!
//! - [`EndpointKind::Container`]: the ECS container-credentials endpoint that the SDKs read
//!   through `AWS_CONTAINER_CREDENTIALS_FULL_URI` with `AWS_CONTAINER_AUTHORIZATION_TOKEN` (or
//!   `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`): `GET` with the server's bearer token in
//!   `Authorization` answers `{AccessKeyId, SecretAccessKey, Token, Expiration}` as the ECS agent
//!   does; no or another token is 401/403 with no credential in the body.
//! - [`EndpointKind::Imds`]: IMDSv2 for `AWS_EC2_METADATA_SERVICE_ENDPOINT` (`PUT
//!   /latest/api/token`, then `GET /latest/meta-data/iam/security-credentials/[ROLE]` with the
//!   session token; without one, 401, as on an instance that requires IMDSv2). It has no secret
//!   of its own, as on an instance, so it listens on loopback only.
//!
//! The credentials come from an [`Upstream`] (for a profile, [`ChainUpstream`]: the credential
//! chain, any profile kind) through a [`CredentialCache`]: kept in memory, fetched again 15
//! minutes before expiry (half-way for shorter lives), one fetch however many clients ask at
//! once. The server ([`CredentialServer`]) is hyper's HTTP/1.1 on tokio: a fixed handful of
//! routes whose wrong-path and wrong-method answers copy the real services, header size and
//! idle-connection limits set on the connection, and no router or middleware stack in the
//! library's dependencies.
//!
//! ```no_run
//! use std::sync::Arc;
//! use sesame::credentials::CredentialSource;
//! use sesame::env::Env;
//! use sesame::serve::{ChainUpstream, CredentialCache, CredentialServer, ServeOptions};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let upstream = ChainUpstream::new(Env::from_process(), CredentialSource::Profile("dev".into()));
//! let cache = Arc::new(CredentialCache::new(upstream));
//! cache.get().await?; // fail now, not on the first client
//! let server = CredentialServer::bind(ServeOptions::default(), cache).await?;
//! // Hand server.url() and server.authorization_token() to the client, then:
//! server.run(async { tokio::signal::ctrl_c().await.ok(); }).await;
//! # Ok(())
//! # }
//! ```

mod answer;
mod cache;
mod server;
mod token;

use std::net::{Ipv4Addr, SocketAddr};

pub use cache::{ASSUMED_LIFETIME, ChainUpstream, CredentialCache, Served, Upstream};
pub use server::CredentialServer;

/// The container endpoint's path (the full URI is `http://ADDR` + this).
pub const CONTAINER_PATH: &str = "/v1/credentials";

/// Which service the server imitates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointKind {
    /// The ECS container-credentials endpoint, behind the server's bearer token.
    Container,
    /// IMDSv2 (session tokens required), listing one role.
    Imds {
        /// The role name IMDS lists under `iam/security-credentials/`.
        role_name: String,
    },
}

/// Where and what to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The address to listen on; port 0 picks a free one.
    pub bind: SocketAddr,
    /// Which endpoint.
    pub kind: EndpointKind,
}

impl Default for ServeOptions {
    /// The container endpoint on 127.0.0.1, a free port.
    fn default() -> Self {
        ServeOptions {
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            kind: EndpointKind::Container,
        }
    }
}

/// The IMDS role name for a profile: its name where IAM would accept it as a role name
/// (`[A-Za-z0-9+=,.@_-]`, at most 64), else `sesame`.
pub fn imds_role_name(profile: &str) -> String {
    let ok = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c);
    if !profile.is_empty() && profile.len() <= 64 && profile.chars().all(ok) {
        profile.to_owned()
    } else {
        "sesame".to_owned()
    }
}

/// Why a server cannot start or has nothing to serve. No variant carries a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The address cannot be listened on.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// IMDS has no secret of its own: it is served on loopback only.
    #[error("the IMDS endpoint has no token of its own and is served on loopback only, not {addr}")]
    ImdsNotLoopback {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The source gave long-term keys: the container and IMDS answers carry temporary
    /// credentials (a session token and an expiry) only.
    #[error(
        "the credentials from {from} are long-term keys (no session token); the container and \
         IMDS endpoints serve temporary credentials only"
    )]
    NotTemporary {
        /// Where they came from.
        from: String,
    },
    /// The upstream failed (its message, never a secret).
    #[error("{0}")]
    Upstream(String),
}

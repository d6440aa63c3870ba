//! The one HTTP client builder every AWS call goes through, and the trust it puts in servers.
//!
//! Certificates are taken as botocore takes them (`botocore/session.py` `create_client`,
//! `endpoint.py` `_get_verify_value`, `httpsession.py` `_setup_ssl_cert`): a CA bundle named by
//! `AWS_CA_BUNDLE`, else by the profile's `ca_bundle`, else by `REQUESTS_CA_BUNDLE`, *replaces*
//! the trusted roots (urllib3 loads only that file); with none, the platform's roots are used.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use crate::config::AwsConfig;
use crate::env::Env;

static CRYPTO: Once = Once::new();

/// Installs rustls' ring provider once per process (reqwest is built without a default provider,
/// which keeps the aws-lc C build out of the tree).
pub fn install_crypto_provider() {
    CRYPTO.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The user agent sesame sends.
pub const USER_AGENT: &str = concat!("sesame/", env!("CARGO_PKG_VERSION"));

/// A PEM file of CA certificates that replaces the trusted roots.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaBundle {
    /// The file.
    pub path: PathBuf,
    /// Where it was named (`AWS_CA_BUNDLE`, `ca_bundle of profile `dev``), for messages.
    pub origin: String,
}

impl CaBundle {
    /// The bundle botocore would use for `profile` (`None`: `AWS_PROFILE`, else `default`):
    /// `AWS_CA_BUNDLE`, then the profile's `ca_bundle`, then `REQUESTS_CA_BUNDLE`. Only names
    /// the file; it is read when a TLS client is built.
    pub fn resolve(env: &Env, config: &AwsConfig, profile: Option<&str>) -> Option<CaBundle> {
        let named = |path: &str, origin: String| CaBundle {
            path: PathBuf::from(path),
            origin,
        };
        if let Some(path) = env.var("AWS_CA_BUNDLE") {
            return Some(named(path, "AWS_CA_BUNDLE".to_owned()));
        }
        let name = profile.or_else(|| env.profile()).unwrap_or("default");
        if let Some(path) = config
            .profile(name)
            .and_then(|p| p.get("ca_bundle").map(str::to_owned))
            .filter(|p| !p.trim().is_empty())
        {
            return Some(named(
                &path,
                format!(
                    "`ca_bundle` of profile `{name}` in {}",
                    config.path().display()
                ),
            ));
        }
        env.var("REQUESTS_CA_BUNDLE")
            .map(|path| named(path, "REQUESTS_CA_BUNDLE".to_owned()))
    }

    /// The certificates in the file: at least one, all valid PEM `CERTIFICATE` blocks.
    pub(crate) fn certificates(&self) -> Result<Vec<reqwest::Certificate>, HttpError> {
        let bad = |reason: String| HttpError::CaBundle {
            path: self.path.clone(),
            origin: self.origin.clone(),
            reason,
        };
        let bytes = std::fs::read(&self.path).map_err(|e| bad(format!("cannot be read ({e})")))?;
        let certs = reqwest::Certificate::from_pem_bundle(&bytes)
            .map_err(|e| bad(format!("is not a PEM certificate file ({e})")))?;
        if certs.is_empty() {
            return Err(bad(
                "holds no PEM certificate (-----BEGIN CERTIFICATE-----)".to_owned(),
            ));
        }
        Ok(certs)
    }
}

/// Why an HTTP client could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HttpError {
    /// The CA bundle is missing, unreadable or not PEM.
    #[error("the CA bundle {} (from {origin}) {reason}", .path.display())]
    CaBundle {
        /// The file.
        path: PathBuf,
        /// Where it was named.
        origin: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The TLS stack refused the set-up.
    #[error("cannot set up the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

/// A client for AWS API calls: no redirects, connect and request timeouts, one pool per process;
/// the roots are `ca_bundle`'s certificates when one is given, else the platform's.
pub fn api_client(ca_bundle: Option<&CaBundle>) -> Result<reqwest::Client, HttpError> {
    let builder = builder();
    let builder = match ca_bundle {
        Some(bundle) => builder.tls_certs_only(bundle.certificates()?),
        None => builder,
    };
    builder.build().map_err(|e| match ca_bundle {
        Some(bundle) => HttpError::CaBundle {
            path: bundle.path.clone(),
            origin: bundle.origin.clone(),
            reason: format!("cannot be used ({})", chain(&e)),
        },
        None => HttpError::Client(e),
    })
}

/// The same client for plain `http://` endpoints only (a loopback emulator or test server): it
/// loads no TLS roots, which saves reading and parsing the system's ~150 certificate files (most
/// of a short command's start-up) when no TLS will ever be spoken.
pub fn plain_http_client() -> Result<reqwest::Client, HttpError> {
    builder()
        .tls_certs_only([])
        .build()
        .map_err(HttpError::Client)
}

/// The client for `url`: [`plain_http_client`] for `http://`, else [`api_client`] (so a CA
/// bundle is read, and must be valid, only when TLS is spoken, as urllib3 does).
pub fn client_for(
    url: &url::Url,
    ca_bundle: Option<&CaBundle>,
) -> Result<reqwest::Client, HttpError> {
    if url.scheme() == "http" {
        plain_http_client()
    } else {
        api_client(ca_bundle)
    }
}

/// Clients for one trust setting, built on first use and shared (one connection pool each).
#[derive(Debug, Clone)]
pub struct Clients {
    ca_bundle: Option<CaBundle>,
    built: Arc<Mutex<(Option<reqwest::Client>, Option<reqwest::Client>)>>,
}

impl Clients {
    /// Clients that trust `ca_bundle` (or the platform's roots).
    pub fn new(ca_bundle: Option<CaBundle>) -> Self {
        Self {
            ca_bundle,
            built: Arc::default(),
        }
    }

    /// The trust setting.
    pub fn ca_bundle(&self) -> Option<&CaBundle> {
        self.ca_bundle.as_ref()
    }

    /// The client for `url` ([`client_for`]), built once.
    pub fn for_url(&self, url: &url::Url) -> Result<reqwest::Client, HttpError> {
        let mut built = self.built.lock().unwrap_or_else(|p| p.into_inner());
        let slot = if url.scheme() == "http" {
            &mut built.0
        } else {
            &mut built.1
        };
        if let Some(c) = slot {
            return Ok(c.clone());
        }
        let client = client_for(url, self.ca_bundle.as_ref())?;
        *slot = Some(client.clone());
        Ok(client)
    }
}

/// Whether a failed request failed because the server's certificate was not trusted (an unknown
/// issuer, a wrong name, an expired certificate): final, never worth another try.
pub fn is_certificate_error(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(error);
    while let Some(e) = cur {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return matches!(
                tls,
                rustls::Error::InvalidCertificate(_)
                    | rustls::Error::NoCertificatesPresented
                    | rustls::Error::InvalidCertRevocationList(_)
            );
        }
        // An io::Error's `source` skips the error it wraps (hyper-rustls nests two of them
        // around rustls' own): look inside instead.
        cur = match e.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    false
}

/// Whether a request failed because nothing could be connected to at all: the connection was
/// refused, or the host name does not resolve. Final, as a certificate error is: another try a
/// second later meets the same closed port or missing name (a timeout or a reset is not this).
pub fn is_connection_refused(error: &reqwest::Error) -> bool {
    if !error.is_connect() || error.is_timeout() {
        return false;
    }
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = cur {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        // hyper-util's resolver failure ("dns error: failed to lookup address information").
        let text = e.to_string();
        if text.starts_with("dns error") || text.contains("failed to lookup address") {
            return true;
        }
        cur = e.source();
    }
    false
}

/// The error and its causes on one line.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut cur = error.source();
    while let Some(c) = cur {
        let s = c.to_string();
        if !line.contains(&s) {
            line = format!("{line}: {s}");
        }
        cur = c.source();
    }
    line
}

fn builder() -> reqwest::ClientBuilder {
    install_crypto_provider();
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .pool_idle_timeout(Duration::from_secs(30))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_is_chosen_in_botocores_order() {
        let text = "[default]\nca_bundle = /d.pem\n[profile p]\nca_bundle = /p.pem\n";
        let cfg = AwsConfig::from_str("/config", text).unwrap();
        let path = |env: &Env, p| CaBundle::resolve(env, &cfg, p).map(|b| b.path);
        let env = Env::from_vars([
            ("AWS_CA_BUNDLE", "/env.pem"),
            ("REQUESTS_CA_BUNDLE", "/r.pem"),
        ]);
        assert_eq!(path(&env, Some("p")), Some("/env.pem".into()));
        let env = Env::from_vars([("REQUESTS_CA_BUNDLE", "/r.pem")]);
        assert_eq!(path(&env, Some("p")), Some("/p.pem".into()));
        assert_eq!(path(&env, None), Some("/d.pem".into()));
        assert_eq!(path(&env, Some("other")), Some("/r.pem".into()));
        let env = Env::from_vars([("AWS_PROFILE", "p")]);
        assert_eq!(path(&env, None), Some("/p.pem".into()));
        assert_eq!(path(&Env::default(), Some("other")), None);
    }

    #[test]
    fn a_bundle_that_is_not_pem_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ca.der");
        std::fs::write(&path, b"\x30\x82\x01\x0a not a PEM file").unwrap();
        let bundle = CaBundle {
            path: path.clone(),
            origin: "AWS_CA_BUNDLE".into(),
        };
        let e = api_client(Some(&bundle)).unwrap_err().to_string();
        assert!(e.contains(&path.display().to_string()), "{e}");
        assert!(
            e.contains("AWS_CA_BUNDLE") && e.contains("no PEM certificate"),
            "{e}"
        );
        let missing = CaBundle {
            path: dir.path().join("missing.pem"),
            origin: "AWS_CA_BUNDLE".into(),
        };
        assert!(
            api_client(Some(&missing))
                .unwrap_err()
                .to_string()
                .contains("cannot be read")
        );
        // Plain http never reads it.
        let url = url::Url::parse("http://127.0.0.1:1/").unwrap();
        assert!(client_for(&url, Some(&missing)).is_ok());
    }

    #[test]
    fn certificate_failures_are_told_apart_from_other_io() {
        // As hyper-rustls hands it over: two io::Errors around rustls' own.
        let cert = std::io::Error::other(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
        ));
        assert!(is_certificate_error(&cert));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(!is_certificate_error(&refused));
    }

    #[tokio::test]
    async fn a_refused_connection_is_told_apart_from_a_dropped_one() {
        let client = plain_http_client().unwrap();
        // A port that was just free: nothing listens, the connection is refused.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let refused = client
            .get(format!("http://127.0.0.1:{port}/"))
            .send()
            .await
            .unwrap_err();
        assert!(is_connection_refused(&refused), "{refused:?}");
        // A server that accepts and closes without answering: worth another try.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                drop(socket);
            }
        });
        let dropped = client
            .get(format!("http://{addr}/"))
            .send()
            .await
            .unwrap_err();
        assert!(!is_connection_refused(&dropped), "{dropped:?}");
    }
}

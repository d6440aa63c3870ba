//! The one HTTP client builder every AWS call goes through.

use std::sync::Once;
use std::time::Duration;

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

/// A client for AWS API calls: no redirects, connect and request timeouts, one pool per process.
pub fn api_client() -> Result<reqwest::Client, reqwest::Error> {
    builder().build()
}

/// The same client for plain `http://` endpoints only (a loopback emulator or test server): it
/// loads no TLS roots, which saves reading and parsing the system's ~150 certificate files (most
/// of a short command's start-up) when no TLS will ever be spoken.
pub fn plain_http_client() -> Result<reqwest::Client, reqwest::Error> {
    builder().tls_certs_only([]).build()
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

//! The PKCE pieces of the authorization-code flow: verifier, challenge, state, and the loopback
//! listener that receives the browser's redirect (AWS CLI v2's `SSOTokenFetcherAuth`).

use std::time::Duration;

use base64::Engine as _;
use sha2::Digest as _;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use super::SsoError;
use crate::Secret;

const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/// Random bytes from the OS.
pub(crate) fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).expect("the OS random source is available");
    buf
}

/// A 64-character code verifier from the unreserved set, as the AWS CLI makes.
pub fn code_verifier() -> Secret {
    let bytes: [u8; 64] = random_bytes();
    let s: String = bytes
        .iter()
        .map(|b| UNRESERVED[usize::from(*b) % UNRESERVED.len()] as char)
        .collect();
    Secret::new(s)
}

/// `base64url(sha256(verifier))` without padding.
pub fn code_challenge(verifier: &Secret) -> String {
    let digest = sha2::Sha256::digest(verifier.expose().as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_slice())
}

/// A random state value (a UUID v4 in form, as the AWS CLI sends).
pub fn state() -> String {
    let mut b: [u8; 16] = random_bytes();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// The loopback listener, bound before the browser opens.
#[derive(Debug)]
pub struct RedirectListener {
    listener: TcpListener,
    port: u16,
}

/// What the browser brought back.
#[derive(Debug)]
pub enum Callback {
    /// The authorization code.
    Code(Secret),
    /// The IdP said no (`error=access_denied`, ...).
    Error(String),
}

impl RedirectListener {
    /// Binds `127.0.0.1:port` (0 = any free port).
    pub async fn bind(port: u16) -> Result<Self, SsoError> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| SsoError::Io {
                what: format!("cannot listen on 127.0.0.1:{port} for the browser redirect"),
                source: e,
            })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
        Ok(Self { listener, port })
    }

    /// The redirect URI with the bound port.
    pub fn redirect_uri(&self) -> String {
        format!("http://127.0.0.1:{}/oauth/callback", self.port)
    }

    /// Waits for the redirect carrying `state`; other requests (favicon, stray tabs, a wrong
    /// state) get an error page and the wait goes on.
    pub async fn wait(&self, state: &str, timeout: Duration) -> Result<Callback, SsoError> {
        let redirect_uri = self.redirect_uri();
        let work = async {
            loop {
                let (stream, _) = self.listener.accept().await.map_err(|e| SsoError::Io {
                    what: "accepting the browser redirect".into(),
                    source: e,
                })?;
                if let Some(cb) = handle(stream, state).await {
                    return Ok(cb);
                }
            }
        };
        match tokio::time::timeout(timeout, work).await {
            Ok(r) => r,
            Err(_) => Err(SsoError::Redirect {
                redirect_uri,
                reason: format!("no redirect within {} s", timeout.as_secs()),
            }),
        }
    }
}

const DONE_PAGE: &str = "<!doctype html><html><head><title>sesame</title></head><body>\
<h1>Signed in</h1><p>sesame has the authorisation. You can close this window.</p></body></html>";
const DENIED_PAGE: &str = "<!doctype html><html><head><title>sesame</title></head><body>\
<h1>Not signed in</h1><p>The authorisation was not granted. Return to the terminal.</p></body></html>";

async fn handle(mut stream: TcpStream, expected_state: &str) -> Option<Callback> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 1024];
    let read = async {
        while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                break;
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Some(())
    };
    tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .ok()??;
    let head = String::from_utf8_lossy(&buf);
    let target = head.lines().next()?.split_whitespace().nth(1)?.to_owned();
    let url = url::Url::parse(&format!("http://127.0.0.1{target}")).ok()?;
    if url.path() != "/oauth/callback" {
        respond(&mut stream, "404 Not Found", "not found").await;
        return None;
    }
    let param = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
    };
    if param("state").as_deref() != Some(expected_state) {
        respond(&mut stream, "400 Bad Request", "unexpected state").await;
        return None;
    }
    if let Some(code) = param("code") {
        respond(&mut stream, "200 OK", DONE_PAGE).await;
        return Some(Callback::Code(Secret::new(code)));
    }
    let error = param("error").unwrap_or_else(|| "no code in the redirect".into());
    respond(&mut stream, "200 OK", DENIED_PAGE).await;
    Some(Callback::Error(error))
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_and_challenge_have_the_right_shape() {
        let v = code_verifier();
        assert_eq!(v.expose().len(), 64);
        assert!(v.expose().bytes().all(|b| UNRESERVED.contains(&b)));
        // RFC 7636 appendix B.
        let c = code_challenge(&Secret::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        assert_eq!(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert_eq!(state().len(), 36);
    }
}

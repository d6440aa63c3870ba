//! The listening side: one TCP listener, HTTP/1.1 through hyper, each connection its own task,
//! and a task that refreshes the credentials before clients need them.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderValue, Request, header};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};

use super::answer::{self, Answer, Responder};
use super::cache::{CredentialCache, Upstream};
use super::token::{self, ImdsTokens};
use super::{CONTAINER_PATH, EndpointKind, ServeError, ServeOptions};
use crate::secret::Secret;

/// Headers larger than this are answered 431 (hyper's smallest read buffer: two pages).
const MAX_HEADER_BYTES: usize = 8192;

/// A connection that has not sent a whole request head within this long is closed: idle clients
/// (a pool's spare connection, or thousands opened on purpose) do not pile up.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// A credential server, bound and ready: [`CredentialServer::run`] serves until told to stop.
pub struct CredentialServer<U> {
    listener: tokio::net::TcpListener,
    addr: SocketAddr,
    responder: Arc<Responder<U>>,
}

impl<U: Upstream> CredentialServer<U> {
    /// Binds `options.bind` (port 0: a free one) for credentials from `cache`, with a fresh
    /// random bearer token.
    pub async fn bind(
        options: ServeOptions,
        cache: Arc<CredentialCache<U>>,
    ) -> Result<CredentialServer<U>, ServeError> {
        if matches!(options.kind, EndpointKind::Imds { .. }) && !options.bind.ip().is_loopback() {
            return Err(ServeError::ImdsNotLoopback { addr: options.bind });
        }
        let listener = listen(options.bind).map_err(|source| ServeError::Bind {
            addr: options.bind,
            source,
        })?;
        let addr = listener.local_addr().map_err(|source| ServeError::Bind {
            addr: options.bind,
            source,
        })?;
        Ok(CredentialServer {
            listener,
            addr,
            responder: Arc::new(Responder {
                kind: options.kind,
                cache,
                token: token::bearer_token(),
                imds: ImdsTokens::new(),
            }),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// What clients are pointed at: the container endpoint's full URI
    /// (`AWS_CONTAINER_CREDENTIALS_FULL_URI`), or the IMDS base URL
    /// (`AWS_EC2_METADATA_SERVICE_ENDPOINT`).
    pub fn url(&self) -> String {
        let path = match self.responder.kind {
            EndpointKind::Container => CONTAINER_PATH,
            EndpointKind::Imds { .. } => "/",
        };
        format!("http://{}{path}", self.addr)
    }

    /// Which endpoint it is.
    pub fn kind(&self) -> &EndpointKind {
        &self.responder.kind
    }

    /// The bearer token the container endpoint requires in `Authorization` (unused by IMDS,
    /// whose session tokens clients get from `PUT /latest/api/token`).
    pub fn authorization_token(&self) -> &Secret {
        &self.responder.token
    }

    /// Serves until `shutdown` completes. Connection errors are the client's and only logged;
    /// the listener keeps going.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        let refresher = tokio::spawn(refresh_ahead(self.responder.cache.clone()));
        // Its own task: a `block_on` future that spends its cooperative budget on accepts is
        // not polled again until the next I/O event (a client's SYN retried a second later).
        let accepting = tokio::spawn(accept_loop(self.listener, self.responder));
        shutdown.await;
        accepting.abort();
        refresher.abort();
    }
}

/// A listener with a deep accept queue (the kernel caps it at `somaxconn`): bursts of clients
/// wait in it instead of having their SYNs dropped.
fn listen(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(4096)
}

async fn accept_loop<U: Upstream>(listener: tokio::net::TcpListener, responder: Arc<Responder<U>>) {
    loop {
        match listener.accept().await {
            Ok((stream, _peer)) => {
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve_connection(stream, responder.clone()));
            }
            Err(e) => {
                // Out of file descriptors, most likely: wait for connections to close rather
                // than spin.
                tracing::warn!("accepting a connection failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

async fn serve_connection<U: Upstream>(
    stream: tokio::net::TcpStream,
    responder: Arc<Responder<U>>,
) {
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let responder = responder.clone();
        async move { Ok::<_, Infallible>(respond(&responder, req).await) }
    });
    let result = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(MAX_HEADER_BYTES)
        .serve_connection(TokioIo::new(stream), service)
        .await;
    if let Err(e) = result {
        tracing::debug!("connection ended: {e}");
    }
}

async fn respond<U: Upstream>(responder: &Responder<U>, req: Request<Incoming>) -> Answer {
    let headers = req.headers();
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v.as_bytes() != b"0");
    if has_body {
        // Not read: the connection is closed after the answer.
        let mut a = answer::too_large(&responder.kind);
        a.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return a;
    }
    responder
        .answer(req.method(), req.uri().path(), req.headers())
        .await
}

/// Fetches new credentials when they come due, so clients rarely wait for one.
async fn refresh_ahead<U: Upstream>(cache: Arc<CredentialCache<U>>) {
    loop {
        let wait = match cache.get().await {
            Ok(_) => cache
                .refresh_at()
                .map(|at| at.duration_since(crate::time::now()))
                .and_then(|d| Duration::try_from(d).ok())
                .unwrap_or(Duration::ZERO)
                .max(Duration::from_secs(1)),
            // Nothing valid to serve (a login that expired): clients asking get the error and
            // retry themselves; this task tries again now and then, not in a loop.
            Err(_) => Duration::from_secs(60),
        };
        tokio::time::sleep(wait).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::chain::AwsCredentials;

    struct Never;

    #[derive(Debug, thiserror::Error)]
    #[error("never")]
    struct NeverError;

    impl Upstream for Never {
        type Error = NeverError;
        async fn fetch(&self) -> Result<AwsCredentials, NeverError> {
            Err(NeverError)
        }
    }

    #[tokio::test]
    async fn imds_only_on_loopback_and_urls_name_the_endpoint() {
        let cache = Arc::new(CredentialCache::new(Never));
        let imds = EndpointKind::Imds {
            role_name: "dev".to_owned(),
        };
        let wide = ServeOptions {
            bind: SocketAddr::from(([0, 0, 0, 0], 0)),
            kind: imds.clone(),
        };
        let e = CredentialServer::bind(wide, cache.clone())
            .await
            .err()
            .unwrap();
        assert!(matches!(e, ServeError::ImdsNotLoopback { .. }), "{e}");

        let local = ServeOptions {
            kind: imds,
            ..ServeOptions::default()
        };
        let s = CredentialServer::bind(local, cache.clone()).await.unwrap();
        assert_eq!(s.url(), format!("http://{}/", s.local_addr()));
        let s = CredentialServer::bind(ServeOptions::default(), cache)
            .await
            .unwrap();
        assert!(s.local_addr().ip().is_loopback() && s.local_addr().port() != 0);
        assert_eq!(s.url(), format!("http://{}/v1/credentials", s.local_addr()));
        assert_eq!(format!("{:?}", s.authorization_token()), "<redacted>");
    }
}

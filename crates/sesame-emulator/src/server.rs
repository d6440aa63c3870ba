//! Binding, routing and running: [`start`] in an async context, [`spawn`] on its own thread.
//!
//! Connections are accepted by a small [`Listener`] wrapper so that fault injection can close a
//! connection without answering: axum's handlers cannot do that, but a stream whose reads and
//! writes start failing makes hyper drop the socket, and the client sees a connection error.

use std::{
    io,
    net::{Ipv4Addr, SocketAddr},
    ops::Deref,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll},
    thread,
    time::{Duration, Instant},
};

use axum::{
    Json, Router,
    extract::{Request, connect_info::Connected},
    http::StatusCode,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{any, get, post},
    serve::{IncomingStream, Listener},
};
use serde_json::json;
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::oneshot,
    task::JoinHandle,
};

use crate::{
    authorize,
    config::EmulatorConfig,
    control::{self, Control},
    faults::{Api, api_layer},
    federation, oidc, pages, portal, signed, signin,
    state::Shared,
};

/// How long `shutdown` waits for in-flight requests before cutting them off.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The connection a request arrived on (a request extension via `ConnectInfo`).
#[derive(Debug, Clone)]
pub(crate) struct Connection {
    killed: Arc<AtomicBool>,
}

impl Connection {
    /// An id of the connection, unique while it is open (NTLM authenticates connections).
    pub(crate) fn id(&self) -> usize {
        Arc::as_ptr(&self.killed) as usize
    }

    /// Makes the connection fail so that it closes without sending the response.
    pub(crate) fn drop_without_answer(&self) {
        self.killed.store(true, Ordering::SeqCst);
    }
}

impl Connected<IncomingStream<'_, LoopbackListener>> for Connection {
    fn connect_info(stream: IncomingStream<'_, LoopbackListener>) -> Self {
        Self {
            killed: stream.io().killed.clone(),
        }
    }
}

/// A TCP listener whose streams can be killed from a handler.
#[derive(Debug)]
pub(crate) struct LoopbackListener(TcpListener);

impl Listener for LoopbackListener {
    type Io = KillableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    let killed = Arc::new(AtomicBool::new(false));
                    return (KillableStream { stream, killed }, addr);
                }
                Err(e) => {
                    tracing::warn!("accept failed: {e}");
                    // Typically out of file descriptors: give connections time to close.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// A TCP stream that fails every read and write once killed.
#[derive(Debug)]
pub(crate) struct KillableStream {
    stream: TcpStream,
    killed: Arc<AtomicBool>,
}

impl KillableStream {
    fn check(&self) -> io::Result<()> {
        if self.killed.load(Ordering::SeqCst) {
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection dropped by fault injection",
            ))
        } else {
            Ok(())
        }
    }
}

impl AsyncRead for KillableStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for KillableStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Every route: OIDC and portal behind the fault layer, pages and control API around it.
fn router(shared: Arc<Shared>) -> Router {
    let oidc = Router::new()
        .route("/client/register", post(oidc::register_client))
        .route(
            "/device_authorization",
            post(oidc::start_device_authorization),
        )
        .route("/token", post(oidc::create_token))
        .route_layer(middleware::from_fn_with_state(
            (shared.clone(), Api::Oidc),
            api_layer,
        ));
    let portal = Router::new()
        .route("/assignment/accounts", get(portal::list_accounts))
        .route("/assignment/roles", get(portal::list_account_roles))
        .route("/federation/credentials", get(portal::get_role_credentials))
        .route("/logout", post(portal::logout))
        // The console federation endpoint takes the same faults (its errors keep only the
        // status: the real one answers bare HTTP errors).
        .route("/federation", get(federation::federation))
        .route("/v1/token", post(signin::token))
        .route_layer(middleware::from_fn_with_state(
            (shared.clone(), Api::Portal),
            api_layer,
        ));
    let pages = Router::new()
        .route(
            "/device",
            get(pages::device_page).post(pages::device_decision),
        )
        .route(
            "/authorize",
            get(authorize::authorize).post(authorize::consent),
        );
    let control = Router::new()
        .route("/_emulator/stats", get(control::stats))
        .route("/_emulator/approve", post(control::approve))
        .route("/_emulator/deny", post(control::deny))
        .route("/_emulator/pending", get(control::pending))
        .route("/_emulator/whoami", get(control::whoami))
        .route("/v1/authorize", get(signin::authorize))
        .route("/v1/sessions/confirmation", get(signin::confirmation))
        .route("/_emulator/faults", post(control::set_faults))
        .route("/_emulator/caller", any(signed::caller));
    let idp = crate::adfs::router(shared.config.adfs.clone(), shared.base_url.clone())
        .route("/sts", post(crate::adfs::sts::assume_role_with_saml));
    oidc.merge(portal)
        .merge(pages)
        .merge(idp)
        .merge(control)
        .fallback(not_found)
        .layer(middleware::from_fn(log_request))
        .with_state(shared)
}

async fn not_found(request: Request) -> Response {
    let message = format!("no route for {} {}", request.method(), request.uri().path());
    (StatusCode::NOT_FOUND, Json(json!({ "message": message }))).into_response()
}

/// Logs method, path (never the query or headers, which may carry secrets) and status.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::debug!(
        %method,
        path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// Starts an emulator on `127.0.0.1:config.port` (0 = a free port) in the current tokio
/// runtime. It serves until [`RunningEmulator::shutdown`] or until the handle is dropped.
pub async fn start(config: EmulatorConfig) -> io::Result<RunningEmulator> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    let shared = Arc::new(Shared::new(config, url.clone()));
    let app = router(shared.clone()).into_make_service_with_connect_info::<Connection>();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = axum::serve(LoopbackListener(listener), app).with_graceful_shutdown(async {
        let _ = stopped.await;
    });
    let task = tokio::spawn(async move { server.await });
    tracing::info!(%url, "sesame-emulator listening");
    Ok(RunningEmulator {
        control: Control::new(url, shared),
        addr,
        stop: Some(stop),
        task: Some(task),
    })
}

/// An emulator serving in the current tokio runtime (see [`start`]).
#[derive(Debug)]
pub struct RunningEmulator {
    control: Control,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl RunningEmulator {
    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections and waits (up to a few seconds) for in-flight requests.
    pub async fn shutdown(mut self) -> io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let Some(mut task) = self.task.take() else {
            return Ok(());
        };
        match tokio::time::timeout(SHUTDOWN_GRACE, &mut task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(io::Error::other(join)),
            Err(_) => {
                task.abort();
                Ok(())
            }
        }
    }
}

impl Deref for RunningEmulator {
    type Target = Control;

    fn deref(&self) -> &Control {
        &self.control
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts an emulator on its own thread with its own tokio runtime, for synchronous tests and
/// for embedding in a command. It stops when the handle is dropped.
pub fn spawn(config: EmulatorConfig) -> io::Result<EmulatorHandle> {
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (stop, stopped) = oneshot::channel::<()>();
    let thread = thread::Builder::new()
        .name("sesame-emulator".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("sesame-emulator-worker")
                .enable_all()
                .build();
            let runtime = match runtime {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            runtime.block_on(async move {
                match start(config).await {
                    Ok(emulator) => {
                        let _ = ready_tx.send(Ok(emulator.control.clone()));
                        let _ = stopped.await;
                        if let Err(e) = emulator.shutdown().await {
                            tracing::warn!("emulator shutdown: {e}");
                        }
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            });
        })?;
    let control = ready_rx
        .recv()
        .map_err(|_| io::Error::other("the emulator thread stopped before it was ready"))??;
    Ok(EmulatorHandle {
        control,
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// An emulator running on its own thread (see [`spawn`]); dropping it stops the emulator.
#[derive(Debug)]
pub struct EmulatorHandle {
    control: Control,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl EmulatorHandle {
    /// Stops the emulator and waits for its thread (what dropping the handle does).
    pub fn shutdown(mut self) {
        self.stop_and_join();
    }

    fn stop_and_join(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Deref for EmulatorHandle {
    type Target = Control;

    fn deref(&self) -> &Control {
        &self.control
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        self.stop_and_join();
    }
}

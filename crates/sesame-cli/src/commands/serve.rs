//! `sesame serve PROFILE` and `sesame exec --server`: a profile's credentials behind the SDKs'
//! container endpoint (or IMDSv2), renewed as they expire, instead of keys in the environment.

use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use sesame::credentials::ChildEnv;
use sesame::credentials::chain::{self, CredentialSource};
use sesame::serve::{
    ChainUpstream, CredentialCache, CredentialServer, EndpointKind, ServeError, ServeOptions,
};
use sesame::sso::SessionSelector;

use crate::cli::{ExecArgs, ServeArgs, ServeFormat};
use crate::context::Context;
use crate::error::CliError;

pub(crate) async fn run(ctx: &Context, args: &ServeArgs) -> Result<ExitCode, CliError> {
    let source = match args.profile.as_deref().or_else(|| ctx.env.profile()) {
        Some(p) => CredentialSource::Profile(p.to_owned()),
        None => CredentialSource::Auto,
    };
    let shown = match &source {
        CredentialSource::Profile(p) => format!("profile `{p}`"),
        _ => "the environment's credentials".to_owned(),
    };
    let ip = args.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let options = ServeOptions {
        bind: SocketAddr::new(ip, args.port),
        kind: kind(
            args.imds,
            args.profile.as_deref().or_else(|| ctx.env.profile()),
        ),
    };
    let server = start(ctx, source.clone(), options).await?;
    let token_file = match &args.token_file {
        Some(path) => Some(TokenFile::write(path, &server)?),
        None => None,
    };
    let mut vars = variables(&server, token_file.as_ref().map(|t| t.path.as_path()));
    if let Some(region) = chain::default_region(&ctx.env, &source) {
        vars.push(("AWS_REGION", region.clone()));
        vars.push(("AWS_DEFAULT_REGION", region));
    }
    let text = match args.format {
        ServeFormat::Env => vars
            .iter()
            .map(|(k, v)| format!("export {k}={}\n", super::creds::sh_quote(v)))
            .collect::<String>(),
        ServeFormat::Json => {
            let map: serde_json::Map<String, serde_json::Value> = vars
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone().into()))
                .collect();
            format!("{}\n", serde_json::Value::Object(map))
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    drop(out);
    if !ip.is_loopback() {
        eprintln!(
            "warning: serving credentials on {} over plain HTTP, reachable from other machines: \
             the token and the credentials cross the network in clear text, and whoever has \
             the token gets the role. Prefer the default 127.0.0.1 (docker run --network host).",
            server.local_addr()
        );
    }
    eprintln!(
        "Serving the credentials of {shown} at {} until interrupted (Ctrl-C).",
        server.url()
    );
    if *server.kind() == EndpointKind::Container {
        let token_var = match token_file {
            Some(_) => "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (and -v FILE:FILE:ro)",
            None => "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        };
        eprintln!(
            "In a container: docker run --network host -e AWS_CONTAINER_CREDENTIALS_FULL_URI \
             -e {token_var} IMAGE (see `sesame serve --help`)."
        );
    }
    server.run(stop_signal()).await;
    drop(token_file);
    Ok(ExitCode::SUCCESS)
}

/// `sesame exec --server`: the command runs with the endpoint's URL and token in its environment
/// (no keys); the server stops when it ends, and its exit code is sesame's.
pub(crate) async fn exec(ctx: &Context, args: &ExecArgs) -> Result<ExitCode, CliError> {
    let source = exec_source(ctx, args)?;
    let profile = match &source {
        CredentialSource::Profile(p) => Some(p.as_str()),
        _ => args.role.role.as_deref(),
    };
    let options = ServeOptions {
        kind: kind(args.imds, profile),
        ..ServeOptions::default()
    };
    let server = start(ctx, source.clone(), options).await?;
    // A private directory for the token file, removed with it.
    let dir = if args.token_file {
        Some(
            tempfile::Builder::new()
                .prefix("sesame-serve-")
                .tempdir()
                .map_err(|e| {
                    CliError::internal(anyhow::anyhow!("cannot create a temporary directory: {e}"))
                })?,
        )
    } else {
        None
    };
    let token_file = match &dir {
        Some(d) => Some(TokenFile::write(&d.path().join("token"), &server)?),
        None => None,
    };
    let program = &args.command[0];
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(&args.command[1..]);
    let region = chain::default_region(&ctx.env, &source);
    ChildEnv::of_server(
        variables(&server, token_file.as_ref().map(|t| t.path.as_path())),
        region.as_deref(),
    )
    .apply(cmd.as_std_mut());
    let mut child = cmd.spawn().map_err(|e| {
        CliError::with_code(
            anyhow::anyhow!("cannot run `{}`: {e}", program.to_string_lossy()),
            if e.kind() == std::io::ErrorKind::NotFound {
                127
            } else {
                126
            },
        )
    })?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.run(async {
        let _ = stopped.await;
    }));
    let status = wait_forwarding_signals(&mut child).await?;
    let _ = stop.send(());
    let _ = serving.await;
    drop(token_file);
    drop(dir);
    Ok(exit_code(status))
}

/// Which credentials `exec --server` serves: `--account`/`--role` (an account id), else the
/// profile or AWS_PROFILE.
fn exec_source(ctx: &Context, args: &ExecArgs) -> Result<CredentialSource, CliError> {
    let role = &args.role;
    if let (Some(account), Some(role_name)) = (&role.account, &role.role) {
        if !(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())) {
            return Err(CliError::user(anyhow::anyhow!(
                "with --server, --account takes a 12-digit account id, not `{account}`"
            ))
            .hint("`sesame accounts` lists the ids"));
        }
        return Ok(CredentialSource::SsoRole {
            session: SessionSelector {
                sso_session: role.sso_session.clone(),
                profile: None,
                start_url: role.start_url.clone(),
                sso_region: role.sso_region.clone(),
                region_override: None,
            },
            account_id: account.clone(),
            role_name: role_name.clone(),
        });
    }
    match args.profile.as_deref().or_else(|| ctx.env.profile()) {
        Some(p) => Ok(CredentialSource::Profile(p.to_owned())),
        None => Err(CliError::user(anyhow::anyhow!("no role given"))
            .hint("name a profile, or pass --account ID and --role NAME")),
    }
}

fn kind(imds: bool, profile: Option<&str>) -> EndpointKind {
    if imds {
        EndpointKind::Imds {
            role_name: sesame::serve::imds_role_name(profile.unwrap_or_default()),
        }
    } else {
        EndpointKind::Container
    }
}

/// The first fetch (on a terminal it may ask for an MFA code), then the listener: both fail
/// before anything is printed or run.
async fn start(
    ctx: &Context,
    source: CredentialSource,
    options: ServeOptions,
) -> Result<CredentialServer<ChainUpstream>, CliError> {
    let first =
        chain::resolve_with(&ctx.env, &source, super::api::mfa_prompt(ctx).as_deref()).await?;
    let cache = Arc::new(CredentialCache::new(ChainUpstream::new(
        ctx.env.clone(),
        source,
    )));
    cache.seed(first).map_err(serve_error)?;
    CredentialServer::bind(options, cache)
        .await
        .map_err(serve_error)
}

fn serve_error(e: ServeError) -> CliError {
    let hint = match &e {
        ServeError::Bind { .. } => "choose another --port, or leave it out for a free one",
        ServeError::ImdsNotLoopback { .. } => "serve the container endpoint with --bind instead",
        ServeError::NotTemporary { .. } => {
            "use a profile with temporary credentials (SSO, assume-role), or `sesame exec` for keys"
        }
        _ => "run the command again with -v for details",
    };
    CliError::user(e).hint(hint)
}

/// The variables a program reads the server from.
fn variables(
    server: &CredentialServer<ChainUpstream>,
    token_file: Option<&Path>,
) -> Vec<(&'static str, String)> {
    match server.kind() {
        EndpointKind::Imds { .. } => vec![("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url())],
        EndpointKind::Container => {
            let mut vars = vec![("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url())];
            match token_file {
                Some(path) => vars.push((
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                    path.display().to_string(),
                )),
                None => vars.push((
                    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                    server.authorization_token().expose().to_owned(),
                )),
            }
            vars
        }
    }
}

/// The token in a file of its own: mode 0600, the bytes with no newline (botocore sends the
/// file's whole text as the header and refuses a newline in it); removed on drop.
struct TokenFile {
    path: PathBuf,
}

impl TokenFile {
    fn write(path: &Path, server: &CredentialServer<ChainUpstream>) -> Result<TokenFile, CliError> {
        let bytes = server.authorization_token().expose().as_bytes();
        sesame::fsutil::write_atomic(path, bytes, 0o600).map_err(|e| {
            CliError::user(anyhow::anyhow!(
                "cannot write the token file {}: {e}",
                path.display()
            ))
        })?;
        Ok(TokenFile {
            path: path.to_owned(),
        })
    }
}

impl Drop for TokenFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Ctrl-C or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Waits for the child. Ctrl-C reaches the child from the terminal, so sesame only keeps
/// serving; SIGTERM and SIGHUP sent to sesame are passed on to the child.
async fn wait_forwarding_signals(
    child: &mut tokio::process::Child,
) -> Result<std::process::ExitStatus, CliError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let pid = child.id();
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        let mut hup = signal(SignalKind::hangup())?;
        loop {
            let forward = tokio::select! {
                status = child.wait() => return Ok(status?),
                _ = int.recv() => None,
                _ = term.recv() => Some(rustix::process::Signal::TERM),
                _ = hup.recv() => Some(rustix::process::Signal::HUP),
            };
            if let (Some(sig), Some(pid)) = (
                forward,
                pid.and_then(|p| rustix::process::Pid::from_raw(p as i32)),
            ) {
                let _ = rustix::process::kill_process(pid, sig);
            }
        }
    }
    #[cfg(not(unix))]
    {
        Ok(child.wait().await?)
    }
}

/// The child's exit code; killed by a signal, 128 + its number, as a shell reports it.
fn exit_code(status: std::process::ExitStatus) -> ExitCode {
    if let Some(code) = status.code() {
        return ExitCode::from(code.clamp(0, 255) as u8);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(sig) = status.signal() {
            return ExitCode::from((128 + sig).clamp(0, 255) as u8);
        }
    }
    ExitCode::FAILURE
}

//! `sesame api URL`: one SigV4-signed request with curl's habits.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::SystemTime;

use sesame::api::{ApiRequest, BodySource, JsonVersion, PreparedRequest, Signed};
use sesame::credentials::chain::{self, ChainError, CredentialSource};
use sesame::http::CaBundle;
use sesame::sso::SessionSelector;

use crate::cli::{ApiArgs, RequestArgs};
use crate::context::Context;
use crate::error::CliError;

/// Flags that parse but cannot work together: a usage error (exit 2) before anything is sent.
fn check_flags(args: &ApiArgs) -> Result<(), CliError> {
    if let Some(value) = &args.output {
        return Err(CliError::usage(anyhow::anyhow!(
            "`sesame api` has no output format (`-o {value}`): it prints the response body as it comes"
        ))
        .hint(format!(
            "to write the body to a file, use --output-file {value} (curl's -o)"
        )));
    }
    if args.request.presign && args.request.data.is_some() {
        return Err(CliError::usage(anyhow::anyhow!(
            "--presign sends nothing, so -d has no request to go in"
        ))
        .hint("drop -d (whoever uses a presigned URL sends the body); --param goes into the URL"));
    }
    Ok(())
}

/// The MFA code of an assume-role profile: `SESAME_MFA_CODE` (for scripts), else asked on the
/// terminal with botocore's prompt; none when there is no terminal (the chain then fails with a
/// hint).
pub(crate) fn mfa_prompt(ctx: &Context) -> Option<Box<chain::MfaPrompt>> {
    if let Some(code) = ctx.env.var("SESAME_MFA_CODE").map(str::to_owned) {
        return Some(Box::new(move |_: &str| Ok(code.clone())));
    }
    if !ctx.interactive {
        return None;
    }
    Some(Box::new(|prompt: &str| {
        rpassword::prompt_password(prompt).map_err(|e| e.to_string())
    }))
}

pub(crate) async fn run(ctx: &Context, args: &ApiArgs) -> Result<ExitCode, CliError> {
    check_flags(args)?;
    let source = credential_source(args);
    let request = build_request(ctx, args, &source)?;
    let prepared = request.prepare()?;
    let creds = chain::resolve_with(&ctx.env, &source, mfa_prompt(ctx).as_deref())
        .await
        .map_err(|e| match e {
            // Besides a profile, `sesame api` signs with an Identity Center role.
            ChainError::NotFound { .. } => CliError::from(e).hint(
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile NAME, or --account ID --role NAME after `sesame login`",
            ),
            other => other.into(),
        })?;
    tracing::info!(
        "signing for {} in {} with credentials from {}",
        prepared.service,
        prepared.region,
        creds.source
    );
    let now = SystemTime::now();
    if args.request.presign {
        let signed = prepared.presign(&creds, now, args.request.expires, args.dry_run)?;
        if args.dry_run {
            print_explanation(&prepared, &signed, &creds.source)?;
        }
        let url = signed
            .url
            .as_ref()
            .map(|u| u.as_string())
            .unwrap_or_default();
        writeln!(std::io::stdout(), "{url}")?;
        return Ok(ExitCode::SUCCESS);
    }
    let signed = prepared.sign(&creds, now, args.dry_run)?;
    if args.dry_run {
        print_explanation(&prepared, &signed, &creds.source)?;
        return Ok(ExitCode::SUCCESS);
    }
    let client = http_client(ctx, args.profile.as_deref(), &prepared)?;
    let response = prepared.send(&client, &signed).await?;
    respond(args, &prepared, response).await
}

/// The client for the request's scheme (`sesame api` and `sesame run --api`): plain HTTP only
/// for an `http://` URL; else the CA bundle of `profile` (botocore's `AWS_CA_BUNDLE` / `ca_bundle`)
/// or the system's roots.
pub(super) fn http_client(
    ctx: &Context,
    profile: Option<&str>,
    prepared: &PreparedRequest,
) -> Result<reqwest::Client, CliError> {
    if prepared.url.scheme == "http" {
        return sesame::http::plain_http_client().map_err(CliError::internal);
    }
    let config = ctx.config()?;
    sesame::http::api_client(CaBundle::resolve(&ctx.env, &config, profile).as_ref())
        .map_err(CliError::user)
}

fn credential_source(args: &ApiArgs) -> CredentialSource {
    match (&args.account, &args.role) {
        (Some(account), Some(role)) => CredentialSource::SsoRole {
            session: SessionSelector {
                sso_session: args.sso_session.clone(),
                ..SessionSelector::default()
            },
            account_id: account.clone(),
            role_name: role.clone(),
        },
        _ => match &args.profile {
            Some(p) => CredentialSource::Profile(p.clone()),
            None => CredentialSource::Auto,
        },
    }
}

fn build_request(
    ctx: &Context,
    args: &ApiArgs,
    source: &CredentialSource,
) -> Result<ApiRequest, CliError> {
    Ok(ApiRequest {
        region: args.region.clone(),
        fallback_region: chain::default_region(&ctx.env, source),
        ..request(&args.request, &args.url)?
    })
}

/// The request the shared flags describe (`sesame api` and `sesame run --api`), to `url`.
pub(super) fn request(args: &RequestArgs, url: &str) -> Result<ApiRequest, CliError> {
    let headers = args
        .headers
        .iter()
        .map(|h| sesame::api::parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ApiRequest {
        url: url.to_owned(),
        method: args.method.clone(),
        headers,
        body: body_source(args.data.as_deref()),
        target: args.target.clone(),
        json_version: json_version(&args.json_version),
        params: parse_params(&args.params)?,
        service: args.service.clone(),
        unsigned_payload: args.unsigned_payload,
        presign: args.presign,
        ..ApiRequest::default()
    })
}

/// `-d DATA|@FILE|@-` as a body source (`sesame api` and `sesame run --api`).
fn body_source(data: Option<&str>) -> BodySource {
    match data {
        None => BodySource::Empty,
        Some("@-") => BodySource::Stdin,
        Some(d) => match d.strip_prefix('@') {
            Some(path) => BodySource::File(path.into()),
            None => BodySource::Bytes(d.as_bytes().to_vec()),
        },
    }
}

/// `--json-version 1.0|1.1` (clap has checked it is one of the two).
fn json_version(v: &str) -> JsonVersion {
    if v == "1.0" {
        JsonVersion::V1_0
    } else {
        JsonVersion::V1_1
    }
}

/// The `--param Key=Value` flags as pairs (`sesame api` and `sesame run --api`).
fn parse_params(params: &[String]) -> Result<Vec<(String, String)>, CliError> {
    params
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| {
                    CliError::user(anyhow::anyhow!("bad --param `{p}`"))
                        .hint("write it as --param Key=Value")
                })
        })
        .collect()
}

fn print_explanation(
    prepared: &PreparedRequest,
    signed: &Signed,
    source: &str,
) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    let url = signed.url.as_ref().unwrap_or(&prepared.url).as_string();
    writeln!(out, "> {} {url}", prepared.method)?;
    for (k, v) in prepared.headers.iter().chain(&signed.display_headers()) {
        writeln!(out, "> {k}: {v}")?;
    }
    if !prepared.body.is_empty() {
        writeln!(out, "> ({} bytes of body)", prepared.body.len())?;
    }
    if let Some(ex) = &signed.explanation {
        writeln!(out, "\n--- canonical request\n{}", ex.canonical_request())?;
        writeln!(out, "\n--- string to sign\n{}", ex.string_to_sign)?;
    }
    writeln!(out, "\n--- signature\n{}", signed.signature)?;
    writeln!(
        out,
        "\n--- signed for service `{}` in `{}` with credentials from {source}; nothing was sent",
        prepared.service, prepared.region
    )?;
    Ok(())
}

/// Writes the response where curl would, and turns an HTTP error into one error line.
async fn respond(
    args: &ApiArgs,
    prepared: &PreparedRequest,
    response: reqwest::Response,
) -> Result<ExitCode, CliError> {
    let status = response.status();
    let headers = response.headers().clone();
    let mut head = String::new();
    if args.request.include {
        head.push_str(&format!("{:?} {}\r\n", response.version(), status));
        for (k, v) in &headers {
            head.push_str(&format!(
                "{k}: {}\r\n",
                String::from_utf8_lossy(v.as_bytes())
            ));
        }
        head.push_str("\r\n");
    }
    let failed = status.is_client_error() || status.is_server_error();
    let url = prepared.url.as_string();
    let read_error = |e: reqwest::Error| {
        CliError::user(anyhow::anyhow!("reading the answer from {url}: {e}"))
            .hint("try again; check the network")
    };
    let pretty = args.output_file.is_none() && std::io::stdout().is_terminal() && is_json(&headers);
    let open_sink = || Sink::open(args.output_file.as_deref());
    if !failed && !pretty {
        // A success goes out as it arrives: a large S3 object is never held in memory.
        let mut sink = open_sink()?;
        sink.write_all(head.as_bytes())?;
        let mut response = response;
        while let Some(chunk) = response.chunk().await.map_err(read_error)? {
            sink.write_all(&chunk)?;
        }
        sink.finish()?;
        return Ok(ExitCode::SUCCESS);
    }
    let body = response.bytes().await.map_err(read_error)?;
    if !(failed && args.request.fail) {
        let shown = if pretty { pretty_json(&body) } else { None };
        let mut sink = open_sink()?;
        sink.write_all(head.as_bytes())?;
        sink.write_all(shown.as_deref().unwrap_or(&body))?;
        sink.finish()?;
    }
    if !failed {
        return Ok(ExitCode::SUCCESS);
    }
    let reason = status.canonical_reason().unwrap_or("");
    let line = match sesame::aws_error::AwsError::parse("request", status.as_u16(), &headers, &body)
    {
        Some(e) => match e.message.filter(|m| !m.is_empty()) {
            Some(m) => format!("{}: {} (HTTP {})", e.code, one_line(&m), status.as_u16()),
            None => format!("{} (HTTP {})", e.code, status.as_u16()),
        },
        None => format!("HTTP {} {reason} from {url}", status.as_u16()),
    };
    let hint = if line.starts_with("SignatureDoesNotMatch")
        || line.starts_with("IncompleteSignature")
    {
        Some(format!(
            "sesame signed for service `{}` in region `{}`; if the endpoint expects others, pass --service and --region",
            prepared.service, prepared.region
        ))
    } else if [
        "ExpiredToken",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidAccessKeyId",
    ]
    .iter()
    .any(|c| line.starts_with(c))
    {
        Some(
            "the credentials are not valid there: refresh them, or choose others with --profile"
                .to_owned(),
        )
    } else {
        None
    };
    let err = CliError::user(anyhow::anyhow!(line));
    Err(match hint {
        Some(h) => err.hint(h),
        None => err,
    })
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where the answer goes: stdout, or `-o FILE` replaced atomically through
/// [`AtomicFile`](sesame::fsutil::AtomicFile) (a new file gets mode 0600, an existing one keeps
/// its mode), so a download that fails half-way leaves the old file as it was. A path that is
/// not a regular file (`/dev/stdout`, a FIFO) is written straight to.
enum Sink {
    Stdout(std::io::StdoutLock<'static>),
    Atomic(sesame::fsutil::AtomicFile, std::path::PathBuf),
    Direct(std::fs::File),
}

impl Sink {
    fn open(output: Option<&std::path::Path>) -> Result<Sink, CliError> {
        let Some(path) = output else {
            return Ok(Sink::Stdout(std::io::stdout().lock()));
        };
        let cannot = |e: std::io::Error| {
            CliError::user(anyhow::anyhow!("cannot write {}: {e}", path.display()))
                .hint("check the -o path")
        };
        let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
        Ok(if special {
            Sink::Direct(std::fs::File::create(path).map_err(cannot)?)
        } else {
            Sink::Atomic(
                sesame::fsutil::AtomicFile::create_keep_mode(
                    path,
                    sesame::fsutil::SECRET_FILE_MODE,
                )
                .map_err(cannot)?,
                path.to_path_buf(),
            )
        })
    }

    /// Flushes, and puts an `-o` file in place.
    fn finish(mut self) -> Result<(), CliError> {
        self.flush()?;
        if let Sink::Atomic(file, path) = self {
            file.commit().map_err(|e| {
                CliError::user(anyhow::anyhow!("cannot write {}: {e}", path.display()))
                    .hint("check the -o path")
            })?;
        }
        Ok(())
    }
}

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Stdout(w) => w.write(buf),
            Sink::Atomic(w, _) => w.write(buf),
            Sink::Direct(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Stdout(w) => w.flush(),
            Sink::Atomic(w, _) => w.flush(),
            Sink::Direct(w) => w.flush(),
        }
    }
}

fn is_json(headers: &reqwest::header::HeaderMap) -> bool {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("json"))
}

fn pretty_json(body: &[u8]) -> Option<Vec<u8>> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let mut s = serde_json::to_string_pretty(&v).ok()?;
    s.push('\n');
    Some(s.into_bytes())
}

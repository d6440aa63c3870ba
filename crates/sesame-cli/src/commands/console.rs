//! `sesame console`: the AWS console, signed in with temporary credentials of any profile kind
//! (or `--account/--role`) through the federation endpoint. Long-term keys are refused: the
//! federation endpoint takes a session, and turning keys into one (GetFederationToken) would
//! sign in as a federated user with the intersection of a policy sesame would have to invent.

use std::io::Write as _;
use std::process::ExitCode;

use sesame::credentials::{CredentialsError, console};
use sesame::http::CaBundle;

use super::target;
use crate::cli::{ConsoleArgs, RoleArgs};
use crate::context::Context;
use crate::error::CliError;
use crate::output::relative;

pub(crate) async fn run(ctx: &Context, args: &ConsoleArgs) -> Result<ExitCode, CliError> {
    let spec = if super::pick::wanted(ctx, args.profile.as_deref(), &args.role) {
        super::pick::choose(ctx, None)?
    } else {
        target::spec(ctx, args.profile.as_deref(), &args.role)?
    };
    open(ctx, &spec, &args.role, args.destination.clone(), args.print).await
}

/// Opens (or with `print`, prints the URL of) the console signed in as `spec`, at
/// `destination` (default: the region's console home).
pub(super) async fn open(
    ctx: &Context,
    spec: &target::Spec,
    role: &RoleArgs,
    destination: Option<String>,
    print: bool,
) -> Result<ExitCode, CliError> {
    let r = match target::warm(ctx, spec, role) {
        Some(found) => found?,
        None => target::cold(ctx, spec, role).await?,
    };
    let region = r.region.as_deref();
    let destination = destination.unwrap_or_else(|| console::default_destination(region));
    let config = ctx.config()?;
    let ca_bundle = CaBundle::resolve(&ctx.env, &config, r.profile.as_deref());
    let url = console::console_url(&ctx.env, ca_bundle.as_ref(), &r.creds, region, &destination)
        .await
        .map_err(|e| {
            let long_term = matches!(e, CredentialsError::LongTermKeys { .. });
            CliError::from(e).hint(if long_term {
                "use a profile with temporary credentials: an SSO profile, or an assume-role profile whose source_profile holds these keys"
            } else {
                "check the network, or AWS_ENDPOINT_URL_SIGNIN if set"
            })
        })?;
    if print {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", url.expose())?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    crate::prompt::open_browser(ctx.browser.command.as_deref(), url.expose()).map_err(|e| {
        CliError::user(anyhow::anyhow!("cannot open a browser: {e}"))
            .hint("use --print and open the URL yourself (it signs in whoever has it)")
    })?;
    eprintln!(
        "Opened the console as {}; the session lasts as long as the credentials{}",
        r.describe,
        r.creds
            .expiration
            .map(|t| format!(" ({})", relative(t, sesame::time::now())))
            .unwrap_or_default()
    );
    Ok(ExitCode::SUCCESS)
}

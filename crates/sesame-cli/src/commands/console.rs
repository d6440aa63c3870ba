//! `sesame console`: the AWS console, signed in as a role through the federation endpoint.

use std::io::Write as _;
use std::process::ExitCode;

use sesame::credentials::console;

use super::target;
use crate::cli::ConsoleArgs;
use crate::context::Context;
use crate::error::CliError;
use crate::output::relative;

pub(crate) async fn run(ctx: &Context, args: &ConsoleArgs) -> Result<ExitCode, CliError> {
    let spec = target::spec(ctx, args.profile.as_deref(), &args.role)?;
    let r = match target::warm(ctx, &spec, &args.role) {
        Some(found) => found?,
        None => target::cold(ctx, &spec, &args.role).await?,
    };
    let region = r.target.region.as_deref();
    let destination = args
        .destination
        .clone()
        .unwrap_or_else(|| console::default_destination(region));
    let url = console::console_url(&ctx.env, &r.creds, region, &destination)
        .await
        .map_err(|e| {
            CliError::from(e).hint("check the network, or AWS_ENDPOINT_URL_SIGNIN if set")
        })?;
    if args.print {
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
        "Opened the console as {}; the session lasts as long as the credentials ({})",
        r.target.describe(),
        relative(r.creds.expiration, sesame::time::now())
    );
    Ok(ExitCode::SUCCESS)
}

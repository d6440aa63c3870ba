//! `sesame login`.

use std::process::ExitCode;
use std::time::Duration;

use sesame::sso::{LoginFlow, LoginOptions, LoginOutcome, Sso};

use crate::cli::LoginArgs;
use crate::context::{Browser, Context};
use crate::error::CliError;
use crate::output::relative;
use crate::prompt::TerminalPrompt;

pub(crate) async fn run(ctx: &Context, args: &LoginArgs) -> Result<ExitCode, CliError> {
    let session = ctx.session(&args.session)?;
    let flow = if args.device_code {
        LoginFlow::DeviceCode
    } else if args.pkce {
        LoginFlow::AuthorizationCode
    } else {
        let (flow, why) = LoginFlow::detect(&ctx.env);
        if flow == LoginFlow::DeviceCode {
            tracing::info!("using the device-code flow: {why} (use --pkce for the browser flow)");
        }
        flow
    };
    let options = LoginOptions {
        flow,
        force: args.force,
        redirect_port: args.redirect_port.unwrap_or(0),
        timeout: Duration::from_secs(args.timeout),
    };
    let prompt = TerminalPrompt {
        browser: Browser {
            open: ctx.browser.open && !args.no_browser,
            ..ctx.browser.clone()
        },
        to_tty: false,
    };
    let sso = Sso::new(&ctx.env)?;
    let (outcome, token) = sso.login(&session, &options, &prompt).await?;
    let now = sesame::time::now();
    let until = format!(
        "{} ({})",
        sesame::time::format_aws(token.expires_at),
        relative(token.expires_at, now)
    );
    let what = match outcome {
        LoginOutcome::AlreadyValid => "Already logged in to",
        LoginOutcome::Refreshed => "Refreshed the login to",
        LoginOutcome::LoggedIn => "Logged in to",
    };
    eprintln!(
        "{what} {}; the token is valid until {until}",
        session.display_name()
    );
    Ok(ExitCode::SUCCESS)
}

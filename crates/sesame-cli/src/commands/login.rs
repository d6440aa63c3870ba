//! `sesame login`.

use std::process::ExitCode;

use sesame::sso::{LoginFlow, LoginOptions, LoginOutcome, Sso, SsoSession};

use crate::cli::LoginArgs;
use crate::context::{Browser, Context};
use crate::error::CliError;
use crate::output::relative;
use crate::prompt::TerminalPrompt;

pub(crate) async fn run(ctx: &Context, args: &LoginArgs) -> Result<ExitCode, CliError> {
    if args.console {
        return console(ctx, args).await;
    }
    let mut session = ctx.login_session(&args.session, None)?;
    let sso = Sso::new(&ctx.env)?;
    // A vanity start URL leads to an AWS sign-in host; when that host names another region
    // than sso_region, the login happens there and sso_region is updated after it, as
    // `aws sso login` does.
    let resolved = sso.resolve_start_url(&session).await?;
    let moved = resolved.region.filter(|r| *r != session.region);
    if let Some(region) = &moved {
        session = ctx.login_session(&args.session, Some(region.clone()))?;
    }
    session.resolved_start_url = Some(resolved.url);
    let flow = if args.device_code {
        LoginFlow::DeviceCode
    } else if args.pkce {
        LoginFlow::AuthorizationCode
    } else if session.use_device_code {
        tracing::info!("using the device-code flow: sso_use_device_code = true");
        LoginFlow::DeviceCode
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
        timeout: args.timeout,
    };
    let prompt = TerminalPrompt {
        browser: Browser {
            open: ctx.browser.open && !args.no_browser,
            ..ctx.browser.clone()
        },
        to_tty: false,
    };
    let (outcome, token) = sso.login(&session, &options, &prompt).await?;
    if let Some(region) = &moved {
        write_region(ctx, args, &session, region)?;
        eprintln!("SSO region updated to {region}");
    }
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

/// `sesame login --console`: an `aws login` session for a profile.
async fn console(ctx: &Context, args: &LoginArgs) -> Result<ExitCode, CliError> {
    use sesame::credentials::chain::check_login_profile;
    use sesame::signin::{ConsoleFlow, ConsoleLogin, parse_pasted};
    use sesame::sso::pkce::{Callback, RedirectListener};

    let profile = args
        .session
        .profile
        .clone()
        .or_else(|| ctx.env.profile().map(str::to_owned))
        .unwrap_or_else(|| "default".to_owned());
    let config = ctx.config()?;
    let region = args
        .region
        .clone()
        .or_else(|| ctx.env.var("AWS_REGION").map(str::to_owned))
        .or_else(|| ctx.env.var("AWS_DEFAULT_REGION").map(str::to_owned))
        .or_else(|| {
            config
                .profile(&profile)
                .and_then(|p| p.region().filter(|r| !r.is_empty()).map(str::to_owned))
        })
        .ok_or_else(|| {
            CliError::user(anyhow::anyhow!("no region for the sign-in endpoint"))
                .hint("pass --region REGION (it is written into the profile)")
        })?;
    check_login_profile(&ctx.env, &profile).map_err(|e| {
        CliError::user(anyhow::anyhow!(e))
            .hint("use another --profile NAME, or remove the profile's other credentials first")
    })?;
    let bad = |e: String| CliError::internal(anyhow::anyhow!(e));
    let timeout = args.timeout;
    let prompt = TerminalPrompt {
        browser: Browser {
            open: ctx.browser.open && !args.no_browser,
            ..ctx.browser.clone()
        },
        to_tty: false,
    };
    let (login, code) = if args.remote {
        let login =
            ConsoleLogin::new(&ctx.env, &region, ConsoleFlow::CrossDevice, None).map_err(bad)?;
        eprintln!(
            "Open this URL in a browser on any device, sign in, and paste the code it shows:\n\n    {}\n",
            login.authorize_url()
        );
        eprint!("Code: ");
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        let code = parse_pasted(&line, login.state()).map_err(|e| {
            CliError::user(anyhow::anyhow!("{e}")).hint("run it again and paste the whole code")
        })?;
        (login, code)
    } else {
        let listener = RedirectListener::bind(args.redirect_port.unwrap_or(0)).await?;
        let login = ConsoleLogin::new(
            &ctx.env,
            &region,
            ConsoleFlow::SameDevice,
            Some(listener.redirect_uri()),
        )
        .map_err(bad)?;
        sesame::sso::LoginPrompt::authorize(&prompt, &login.authorize_url());
        let code = match listener.wait(login.state(), timeout).await? {
            Callback::Code(code) => code,
            Callback::Error(e) => {
                return Err(
                    CliError::user(anyhow::anyhow!("the sign-in was refused: {e}"))
                        .hint("run it again and approve in the browser"),
                );
            }
        };
        (login, code)
    };
    let done = login
        .finish(&ctx.env, &profile, &region, &code)
        .await
        .map_err(sesame::credentials::ChainError::from)?;
    eprintln!(
        "Signed in as {} (account {}); profile `{profile}` uses it, its credentials last until {} and are refreshed automatically",
        done.session,
        done.account_id,
        sesame::time::format_aws(done.expires_at)
    );
    Ok(ExitCode::SUCCESS)
}

/// Sets `sso_region` of the session's section (`[sso-session NAME]`, or the legacy profile's)
/// to `region`, keeping every other byte of the config.
fn write_region(
    ctx: &Context,
    args: &LoginArgs,
    session: &SsoSession,
    region: &str,
) -> Result<(), CliError> {
    let mut config = ctx.config()?;
    let profile = args.session.profile.as_deref().or(ctx.env.profile());
    let header = match (&session.name, profile) {
        (Some(name), _) => sesame::config::sso_session_header(name),
        (None, Some(profile)) => match config.profile_header(profile) {
            Some(h) => h.to_owned(),
            None => return Ok(()),
        },
        (None, None) => return Ok(()),
    };
    let path = config.path().to_owned();
    let fail = |e: &dyn std::fmt::Display| {
        CliError::user(anyhow::anyhow!(
            "logged in, but cannot update sso_region in {}: {e}",
            path.display()
        ))
    };
    config
        .document_mut()
        .set(&header, "sso_region", region)
        .map_err(|e| fail(&e))?;
    config.save().map_err(|e| fail(&e))?;
    Ok(())
}

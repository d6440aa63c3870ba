//! `sesame logout`.

use std::process::ExitCode;

use sesame::listing::ListingCache;
use sesame::sso::{Sso, SsoError};

use crate::cli::LogoutArgs;
use crate::context::Context;
use crate::error::CliError;

/// Logs out (the library deletes the token and the role credentials), then deletes the
/// session's listing cache: `sso` knows nothing of `listing`, which sits above it.
pub(crate) async fn run(ctx: &Context, args: &LogoutArgs) -> Result<ExitCode, CliError> {
    if args.console {
        return console(ctx, args);
    }
    let sso = Sso::new(&ctx.env)?;
    if args.all {
        let n = sso.logout_all(&ctx.config()?).await?;
        ListingCache::from_env(&ctx.env)
            .remove_all()
            .map_err(SsoError::from)?;
        eprintln!("Logged out of {n} session(s); cached role credentials deleted");
        return Ok(ExitCode::SUCCESS);
    }
    let session = ctx.session(&args.session, "logout").map_err(|e| match &args.session.profile {
        Some(p) => e.hint(format!(
            "for its session: --session-of {p}; for its `aws login` session: --console --profile {p}"
        )),
        None => e,
    })?;
    let was_logged_in = sso.logout(&session).await?;
    ListingCache::from_env(&ctx.env)
        .remove(&session)
        .map_err(SsoError::from)?;
    if was_logged_in {
        eprintln!(
            "Logged out of {}; cached role credentials deleted",
            session.display_name()
        );
    } else {
        eprintln!("Not logged in to {}; nothing to do", session.display_name());
    }
    Ok(ExitCode::SUCCESS)
}

/// `sesame logout --console`: the login cache of an `aws login` session deleted.
fn console(ctx: &Context, args: &LogoutArgs) -> Result<ExitCode, CliError> {
    let note =
        "tools that already hold its credentials keep them until they expire (15 minutes at most)";
    if args.all {
        let n = sesame::signin::logout_all(&ctx.env)?;
        eprintln!("Deleted {n} cached `aws login` session(s); {note}");
        return Ok(ExitCode::SUCCESS);
    }
    let profile = args
        .session
        .profile
        .clone()
        .or_else(|| ctx.env.profile().map(str::to_owned))
        .unwrap_or_else(|| "default".to_owned());
    let config = ctx.config()?;
    let Some(session) = config
        .profile(&profile)
        .and_then(|p| p.get("login_session").map(|s| s.trim().to_owned()))
    else {
        eprintln!("Profile `{profile}` has no login_session; nothing to do");
        return Ok(ExitCode::SUCCESS);
    };
    if sesame::signin::logout(&ctx.env, &session)? {
        eprintln!("Ended the `aws login` session of profile `{profile}`; {note}");
    } else {
        eprintln!("Profile `{profile}` has no cached `aws login` session; nothing to do");
    }
    Ok(ExitCode::SUCCESS)
}

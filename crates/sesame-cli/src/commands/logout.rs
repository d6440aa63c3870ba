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
    let sso = Sso::new(&ctx.env)?;
    if args.all {
        let n = sso.logout_all(&ctx.config()?).await?;
        ListingCache::from_env(&ctx.env)
            .remove_all()
            .map_err(SsoError::from)?;
        eprintln!("Logged out of {n} session(s); cached role credentials deleted");
        return Ok(ExitCode::SUCCESS);
    }
    let session = ctx.session(&args.session)?;
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

//! `sesame logout`.

use std::process::ExitCode;

use sesame::sso::Sso;

use crate::cli::LogoutArgs;
use crate::context::Context;
use crate::error::CliError;

pub(crate) async fn run(ctx: &Context, args: &LogoutArgs) -> Result<ExitCode, CliError> {
    let sso = Sso::new(&ctx.env)?;
    if args.all {
        let n = sso.logout_all(&ctx.config()?).await?;
        eprintln!("Logged out of {n} session(s); cached role credentials deleted");
        return Ok(ExitCode::SUCCESS);
    }
    let session = ctx.session(&args.session)?;
    if sso.logout(&session).await? {
        eprintln!(
            "Logged out of {}; cached role credentials deleted",
            session.display_name()
        );
    } else {
        eprintln!("Not logged in to {}; nothing to do", session.display_name());
    }
    Ok(ExitCode::SUCCESS)
}

//! `sesame exec`: run a command with a role's credentials and region in its environment (never
//! in its argv). On Unix sesame replaces itself with the command (`exec`), so the exit code,
//! signals and the terminal are the command's own.

use std::process::ExitCode;

use super::target::{self, Resolved};
use crate::cli::ExecArgs;
use crate::context::Context;
use crate::error::CliError;

pub(crate) fn run_warm(ctx: &Context, args: &ExecArgs) -> Option<Result<ExitCode, CliError>> {
    if args.server {
        return None;
    }
    if let Err(e) = check_command(ctx, args) {
        return Some(Err(e));
    }
    let spec = match target::spec(ctx, args.profile.as_deref(), &args.role) {
        Ok(spec) => spec,
        Err(e) => return Some(Err(e)),
    };
    target::warm(ctx, &spec, &args.role).map(|found| found.and_then(|r| exec(args, &r)))
}

pub(crate) async fn run(ctx: &Context, args: &ExecArgs) -> Result<ExitCode, CliError> {
    check_command(ctx, args)?;
    if args.server {
        return super::serve::exec(ctx, args).await;
    }
    let spec = target::spec(ctx, args.profile.as_deref(), &args.role)?;
    let resolved = target::cold(ctx, &spec, &args.role).await?;
    exec(args, &resolved)
}

/// Fails before any credentials are fetched when there is no command, or no such program on
/// PATH (exit 127, as a shell).
fn check_command(ctx: &Context, args: &ExecArgs) -> Result<(), CliError> {
    let Some(program) = args.command.first() else {
        return Err(CliError::user(anyhow::anyhow!("no command to run"))
            .hint("put the command after `--`: sesame exec PROFILE -- aws s3 ls"));
    };
    let path = std::path::Path::new(program);
    let found = if path.components().count() > 1 {
        path.is_file()
    } else {
        let dirs = ctx.env.var("PATH").unwrap_or_default();
        std::env::split_paths(dirs).any(|dir| dir.join(program).is_file())
    };
    if found {
        Ok(())
    } else {
        Err(not_found(&program.to_string_lossy()))
    }
}

fn not_found(shown: &str) -> CliError {
    CliError::with_code(anyhow::anyhow!("command `{shown}` not found"), 127)
        .hint("check its name, or give its path; PATH is searched as a shell does")
}

/// Profile variables would make SDKs in the child look for the profile again; the credentials
/// in the environment are the whole answer.
const CLEARED: [&str; 2] = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"];

fn exec(args: &ExecArgs, r: &Resolved) -> Result<ExitCode, CliError> {
    let program = &args.command[0];
    let mut cmd = std::process::Command::new(program);
    cmd.args(&args.command[1..]);
    for name in CLEARED {
        cmd.env_remove(name);
    }
    cmd.envs(r.variables());
    let shown = program.to_string_lossy();
    let failed = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => not_found(&shown),
        std::io::ErrorKind::PermissionDenied => {
            CliError::with_code(anyhow::anyhow!("command `{shown}` cannot be run: {e}"), 126)
        }
        _ => CliError::with_code(anyhow::anyhow!("cannot run `{shown}`: {e}"), 126),
    };
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        // Only returns on failure.
        Err(failed(cmd.exec()))
    }
    #[cfg(not(unix))]
    {
        let status = cmd.status().map_err(failed)?;
        Ok(ExitCode::from(
            status.code().unwrap_or(1).clamp(0, 255) as u8
        ))
    }
}

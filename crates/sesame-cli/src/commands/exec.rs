//! `sesame exec`: run a command with a profile's or a role's credentials and region in its
//! environment (never in its argv). On Unix sesame replaces itself with the command (`exec`), so
//! the exit code, signals and the terminal are the command's own.
//!
//! The child is marked: `SESAME_PROFILE` names what it runs as (as aws-vault sets `AWS_VAULT`),
//! so a prompt or a script can tell, and a `sesame exec` of another profile inside it is refused
//! unless `--allow-nested` says so: the inner command would otherwise sign with credentials its
//! user did not mean (the outer ones are in its environment too).

use std::process::ExitCode;

use sesame::credentials::RoleSpec;

use super::target::{self, Resolved, Spec};
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
    if super::pick::wanted(ctx, args.profile.as_deref(), &args.role) {
        return None;
    }
    let spec = match target::spec(ctx, args.profile.as_deref(), &args.role) {
        Ok(spec) => spec,
        Err(e) => return Some(Err(e)),
    };
    if let Err(e) = check_nesting(ctx, args.allow_nested, &mark_of(&spec)) {
        return Some(Err(e));
    }
    target::warm(ctx, &spec, &args.role)
        .map(|found| found.and_then(|r| exec_as(ctx, &args.command, &r, &spec, args.allow_nested)))
}

pub(crate) async fn run(ctx: &Context, args: &ExecArgs) -> Result<ExitCode, CliError> {
    check_command(ctx, args)?;
    if args.server {
        return super::serve::exec(ctx, args).await;
    }
    let spec = if super::pick::wanted(ctx, args.profile.as_deref(), &args.role) {
        super::pick::choose(ctx, None)?
    } else {
        target::spec(ctx, args.profile.as_deref(), &args.role)?
    };
    check_nesting(ctx, args.allow_nested, &mark_of(&spec))?;
    let resolved = target::cold(ctx, &spec, &args.role).await?;
    exec_as(ctx, &args.command, &resolved, &spec, args.allow_nested)
}

/// The variable that marks a `sesame exec` child with what it runs as.
const MARK: &str = "SESAME_PROFILE";

/// What the child runs as: the profile, or `ACCOUNT/ROLE`.
pub(super) fn mark_of(spec: &Spec) -> String {
    match spec {
        Spec::Profile(p) => p.clone(),
        Spec::Role(RoleSpec::AdHoc {
            account, role_name, ..
        }) => format!("{account}/{role_name}"),
        Spec::Role(RoleSpec::Profile(p)) => p.clone(),
    }
}

/// Inside another `sesame exec` (SESAME_PROFILE set) of a different profile: refused unless
/// `--allow-nested`.
fn check_nesting(ctx: &Context, allow_nested: bool, mark: &str) -> Result<(), CliError> {
    match ctx.env.var(MARK) {
        Some(outer) if !outer.is_empty() && outer != mark && !allow_nested => {
            Err(CliError::user(anyhow::anyhow!(
                "already inside `sesame exec` of `{outer}`; refusing to nest `{mark}` in it"
            ))
            .hint("exit the outer shell first, or add --allow-nested"))
        }
        _ => Ok(()),
    }
}

/// Fails before any credentials are fetched when there is no command, or no such program on
/// PATH (exit 127, as a shell).
fn check_command(ctx: &Context, args: &ExecArgs) -> Result<(), CliError> {
    let Some(program) = args.command.first() else {
        return Err(CliError::usage(anyhow::anyhow!("no command to run"))
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

/// Replaces sesame with `command` run as `spec` with `r`'s credentials and region (marked with
/// SESAME_PROFILE), after the nesting check.
pub(super) fn exec_as(
    ctx: &Context,
    command: &[std::ffi::OsString],
    r: &Resolved,
    spec: &Spec,
    allow_nested: bool,
) -> Result<ExitCode, CliError> {
    let mark = mark_of(spec);
    check_nesting(ctx, allow_nested, &mark)?;
    let program = &command[0];
    let mut cmd = std::process::Command::new(program);
    cmd.args(&command[1..]);
    r.child_env().with(MARK, mark).apply(&mut cmd);
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

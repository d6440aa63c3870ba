//! `sesame creds`: a profile's or a role's credentials as shell exports, JSON, fish or PowerShell lines, or into
//! the shared credentials file.

use std::io::Write as _;
use std::process::ExitCode;

use super::target::{self, Resolved};
use crate::cli::{CredsArgs, CredsFormat};
use crate::context::Context;
use crate::error::CliError;
use crate::output::relative;

pub(crate) fn run_warm(ctx: &Context, args: &CredsArgs) -> Option<Result<ExitCode, CliError>> {
    if super::pick::wanted(ctx, args.profile.as_deref(), &args.role) {
        return None;
    }
    let spec = match target::spec(ctx, args.profile.as_deref(), &args.role) {
        Ok(spec) => spec,
        Err(e) => return Some(Err(e)),
    };
    target::warm(ctx, &spec, &args.role).map(|found| found.and_then(|r| emit(ctx, args, &r)))
}

pub(crate) async fn run(ctx: &Context, args: &CredsArgs) -> Result<ExitCode, CliError> {
    let spec = if super::pick::wanted(ctx, args.profile.as_deref(), &args.role) {
        super::pick::choose(ctx, None)?
    } else {
        target::spec(ctx, args.profile.as_deref(), &args.role)?
    };
    let resolved = target::cold(ctx, &spec, &args.role).await?;
    emit(ctx, args, &resolved)
}

pub(super) fn emit(ctx: &Context, args: &CredsArgs, r: &Resolved) -> Result<ExitCode, CliError> {
    if let Some(name) = &args.to_credentials_file {
        let name = if name.is_empty() {
            default_section(ctx, r)?
        } else {
            name.clone()
        };
        let written = sesame::credentials::write_to_credentials_file(&ctx.env, &name, &r.creds)
            .map_err(|e| {
                let refused = matches!(e, sesame::credentials::CredentialsError::Config(_));
                let err = CliError::from(e);
                if refused {
                    err.hint("fix or move the credentials file; sesame did not change it")
                } else {
                    err
                }
            })?;
        crate::output::warn_made_private(&written.path, written.loosened_mode);
        let path = written.path;
        let expiry = match r.creds.expiration {
            Some(t) => format!(
                "they expire at {} ({})",
                sesame::time::format_aws(t),
                relative(t, sesame::time::now())
            ),
            None => "they do not expire".to_owned(),
        };
        eprintln!(
            "Wrote the credentials of {} to [{name}] in {}; {expiry}",
            r.describe,
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let text = match args.format {
        CredsFormat::Json => format!("{}\n", super::credential_process::process_json(r)),
        format => r
            .child_env()
            .variables()
            .iter()
            .map(|(k, v)| line(format, k, v))
            .collect(),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The section `--to-credentials-file` writes when none is named: the profile's own name, unless
/// keys there would give the profile a second kind of credentials (an assume-role profile with
/// keys of its own is a different profile).
fn default_section(ctx: &Context, r: &Resolved) -> Result<String, CliError> {
    let Some(profile) = &r.profile else {
        return Ok(r.section.clone());
    };
    let config = ctx.config()?;
    let sso = config
        .profile(profile)
        .is_some_and(|p| p.sso_account_id().is_some() || p.sso_role_name().is_some());
    let keys_already = r.creds.session_token.is_none() && r.creds.expiration.is_none();
    if sso || keys_already || config.profile(profile).is_none() {
        return Ok(r.section.clone());
    }
    Err(CliError::user(anyhow::anyhow!(
        "keys in [{profile}] of the credentials file would give profile `{profile}` a second kind of credentials"
    ))
    .hint(format!("name another section: --to-credentials-file {profile}-keys")))
}

pub(crate) fn line(format: CredsFormat, name: &str, value: &str) -> String {
    match format {
        CredsFormat::Fish => format!("set -gx {name} {};\n", fish_quote(value)),
        CredsFormat::Powershell => format!("$Env:{name} = '{}'\n", value.replace('\'', "''")),
        _ => format!("export {name}={}\n", sh_quote(value)),
    }
}

/// Python's `shlex.quote`: bare when every character is safe, else in single quotes with `'`
/// written as `'"'"'`.
pub(crate) fn sh_quote(value: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "@%+=:,./-_".contains(c);
    if !value.is_empty() && value.chars().all(safe) {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', "'\"'\"'"))
    }
}

/// fish's single quotes: only `\` and `'` are escaped.
fn fish_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(sh_quote("ASIA/+=x"), "ASIA/+=x");
        assert_eq!(sh_quote("a b'c"), "'a b'\"'\"'c'");
        assert_eq!(sh_quote("$(x)"), "'$(x)'");
        assert_eq!(sh_quote(""), "''");
        assert_eq!(fish_quote("a\\b'c"), "'a\\\\b\\'c'");
        assert_eq!(
            line(CredsFormat::Powershell, "X", "it's"),
            "$Env:X = 'it''s'\n"
        );
    }
}

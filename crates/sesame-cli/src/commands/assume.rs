//! `sesame assume`: a profile's credentials and region as code for the current shell, which the
//! function of `sesame shell-init` evaluates; `--unset` removes them.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use sesame::credentials::{CLEARED, SET_BY_KEYS};

use super::creds::line;
use super::{print_stdout, target};
use crate::cli::{AssumeArgs, CredsFormat, Shell};
use crate::context::Context;
use crate::error::CliError;

/// `sesame assume`: the profile's variables as code for the shell, after removing the ones that
/// must not stay beside them ([`CLEARED`]: AWS_PROFILE and stale tokens); `--unset`: every one
/// removed.
pub(crate) async fn run(ctx: &Context, args: &AssumeArgs) -> Result<ExitCode, CliError> {
    let format = match args.shell {
        Shell::Bash | Shell::Zsh => CredsFormat::Env,
        Shell::Fish => CredsFormat::Fish,
        Shell::Powershell => CredsFormat::Powershell,
    };
    let (unset, set): (Vec<&str>, Vec<(String, String)>) = if args.unset {
        let mut names: Vec<&str> = SET_BY_KEYS.to_vec();
        names.extend(CLEARED.iter().filter(|n| !SET_BY_KEYS.contains(n)));
        (names, Vec::new())
    } else {
        let spec = target::spec(ctx, args.profile.as_deref(), &args.role)?;
        let resolved = match target::warm(ctx, &spec, &args.role) {
            Some(found) => found?,
            None => target::cold(ctx, &spec, &args.role).await?,
        };
        let set: Vec<(String, String)> = resolved
            .child_env()
            .variables()
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        let unset = CLEARED
            .iter()
            .copied()
            .filter(|n| !set.iter().any(|(k, _)| k == n))
            .collect();
        (unset, set)
    };
    let mut code: String = unset.iter().map(|n| unset_line(args.shell, n)).collect();
    code.extend(set.iter().map(|(k, v)| line(format, k, v)));
    if std::io::stdout().is_terminal() {
        crate::output::warning(format_args!(
            "this is code for the shell; to have `sesame assume` run it in this shell, add the \
             line of `sesame shell-init --help` to your shell's startup file"
        ));
    }
    print_stdout(&code)
}

/// The code that removes variable `name` in `shell`.
fn unset_line(shell: Shell, name: &str) -> String {
    match shell {
        Shell::Bash | Shell::Zsh => format!("unset {name}\n"),
        Shell::Fish => format!("set -e {name};\n"),
        Shell::Powershell => format!("Remove-Item Env:{name} -ErrorAction SilentlyContinue\n"),
    }
}

//! `sesame completions`: clap's completion scripts, with a command's PROFILE and any `--profile`
//! completed from the config (bash and fish) through the hidden `sesame __complete-profiles`.

use std::process::ExitCode;

use clap::CommandFactory as _;

use super::print_stdout;
use crate::cli::{Cli, CompletionsArgs};
use crate::context::Context;
use crate::error::CliError;

pub(crate) fn run(args: &CompletionsArgs) -> Result<ExitCode, CliError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "sesame", &mut script);
    let mut script =
        String::from_utf8(script).map_err(|e| CliError::internal(anyhow::anyhow!(e)))?;
    script.push_str(match args.shell {
        clap_complete::Shell::Bash => BASH_PROFILES,
        clap_complete::Shell::Fish => FISH_PROFILES,
        _ => "",
    });
    print_stdout(&script)
}

/// bash: a command's PROFILE argument and any `--profile` value complete from the config's
/// profiles; everything else as clap's script does.
const BASH_PROFILES: &str = r#"
_sesame_with_profiles() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}" i sub="" at=0
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            -*) ;;
            *) sub="${COMP_WORDS[i]}"; at=$i; break ;;
        esac
    done
    local positional=0
    case "$sub" in
        exec|creds|console|serve|assume)
            positional=1
            for ((i = at + 1; i < COMP_CWORD; i++)); do
                case "${COMP_WORDS[i]}" in -v|-vv|-vvv|--verbose) ;; *) positional=0 ;; esac
            done ;;
    esac
    if [[ "$prev" == --profile ]] || { [[ $positional == 1 && "$cur" != -* ]]; }; then
        COMPREPLY=($(compgen -W "$(command sesame __complete-profiles 2>/dev/null)" -- "$cur"))
        return 0
    fi
    _sesame "$@"
}
complete -F _sesame_with_profiles -o bashdefault -o default sesame
"#;

/// fish: the same, through `complete -a`.
const FISH_PROFILES: &str = r#"
complete -c sesame -n "__fish_seen_subcommand_from exec creds console serve assume" -f -a "(command sesame __complete-profiles 2>/dev/null)"
complete -c sesame -l profile -r -f -a "(command sesame __complete-profiles 2>/dev/null)"
"#;

/// The config's profile names, one a line.
pub(crate) fn profiles(ctx: &Context) -> Result<ExitCode, CliError> {
    let config = ctx.config()?;
    let names: String = config
        .profile_names()
        .iter()
        .map(|n| format!("{n}\n"))
        .collect();
    print_stdout(&names)
}

//! `sesame completions`: clap's completion scripts, with a command's PROFILE and any `--profile`
//! completed from the config (bash, zsh and fish) through the hidden `sesame __complete-profiles`.

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
    match args.shell {
        clap_complete::Shell::Bash => script.push_str(BASH_PROFILES),
        clap_complete::Shell::Fish => script.push_str(FISH_PROFILES),
        clap_complete::Shell::Zsh => script = zsh_with_profiles(&script),
        _ => {}
    }
    print_stdout(&script)
}

/// zsh: clap's script completes a PROFILE (a command's argument, any `--profile` or
/// `--session-of` value) with `_default` (file names); those specs call `_sesame_profiles`
/// instead, defined after the `#compdef` line.
fn zsh_with_profiles(script: &str) -> String {
    let mut out = String::with_capacity(script.len() + ZSH_PROFILES.len());
    for line in script.lines() {
        let trimmed = line.trim_start();
        let profile_spec =
            trimmed.starts_with("'::profile -- ") || trimmed.contains("]:PROFILE:_default'");
        match line.rfind(":_default'") {
            Some(at) if profile_spec => {
                out.push_str(&line[..at]);
                out.push_str(":_sesame_profiles'");
                out.push_str(&line[at + ":_default'".len()..]);
            }
            _ => out.push_str(line),
        }
        out.push('\n');
        if line.starts_with("#compdef ") {
            out.push_str(ZSH_PROFILES);
        }
    }
    out
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

/// zsh: the config's profiles as completion candidates.
const ZSH_PROFILES: &str = r#"
(( $+functions[_sesame_profiles] )) ||
_sesame_profiles() {
    local -a profiles
    profiles=(${(f)"$(command sesame __complete-profiles 2>/dev/null)"})
    compadd -a profiles
}
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

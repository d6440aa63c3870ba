//! The user's own shell: `shell-init`, `assume`, `completions`, `man`, and the hidden
//! `__complete-profiles` the completion scripts call.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use clap::CommandFactory as _;
use sesame::credentials::{CLEARED, SET_BY_KEYS};

use super::creds::line;
use super::target;
use crate::cli::{AssumeArgs, Cli, CompletionsArgs, CredsFormat, Shell, ShellInitArgs};
use crate::context::Context;
use crate::error::CliError;

pub(crate) fn shell_init(args: &ShellInitArgs) -> Result<ExitCode, CliError> {
    print(&init_script(args.shell))
}

/// The `sesame` function for `shell`: `assume` runs the binary's `assume` and evaluates what it
/// prints in the current shell (nothing when it fails, its exit code returned); anything else
/// runs the binary unchanged.
fn init_script(shell: Shell) -> String {
    match shell {
        Shell::Bash | Shell::Zsh => format!(
            r#"# sesame shell integration ({name}): `sesame assume PROFILE` sets its credentials in this
# shell, `sesame assume --unset` clears them; every other command runs the binary.
sesame() {{
    if [ "${{1-}}" = assume ]; then
        shift
        local __sesame_code
        __sesame_code="$(command sesame assume --shell {name} "$@")" || return $?
        eval "$__sesame_code"
    else
        command sesame "$@"
    fi
}}
"#,
            name = if shell == Shell::Bash { "bash" } else { "zsh" }
        ),
        Shell::Fish => r#"# sesame shell integration (fish): `sesame assume PROFILE` sets its credentials in this
# shell, `sesame assume --unset` clears them; every other command runs the binary.
function sesame
    if test (count $argv) -ge 1; and test "$argv[1]" = assume
        set -e argv[1]
        set -l __sesame_code (command sesame assume --shell fish $argv); or return $status
        string join \n -- $__sesame_code | source
        return 0
    else
        command sesame $argv
    end
end
"#
        .to_owned(),
        Shell::Powershell => r#"# sesame shell integration (PowerShell): `sesame assume PROFILE` sets its credentials in
# this shell, `sesame assume --unset` clears them; every other command runs the binary.
function sesame {
    $exe = (Get-Command -Name sesame -CommandType Application | Select-Object -First 1).Source
    if ($args.Count -ge 1 -and $args[0] -eq 'assume') {
        $rest = @($args | Select-Object -Skip 1)
        $code = & $exe assume --shell powershell @rest
        if ($LASTEXITCODE -eq 0) { Invoke-Expression ($code -join "`n") }
    } else {
        & $exe @args
    }
}
"#
        .to_owned(),
    }
}

/// `sesame assume`: the profile's variables as code for the shell, after removing the ones that
/// must not stay beside them ([`CLEARED`]: AWS_PROFILE and stale tokens); `--unset`: every one
/// removed.
pub(crate) async fn assume(ctx: &Context, args: &AssumeArgs) -> Result<ExitCode, CliError> {
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
    print(&code)
}

/// The code that removes variable `name` in `shell`.
fn unset_line(shell: Shell, name: &str) -> String {
    match shell {
        Shell::Bash | Shell::Zsh => format!("unset {name}\n"),
        Shell::Fish => format!("set -e {name};\n"),
        Shell::Powershell => format!("Remove-Item Env:{name} -ErrorAction SilentlyContinue\n"),
    }
}

pub(crate) fn completions(args: &CompletionsArgs) -> Result<ExitCode, CliError> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "sesame", &mut script);
    let mut script =
        String::from_utf8(script).map_err(|e| CliError::internal(anyhow::anyhow!(e)))?;
    script.push_str(match args.shell {
        clap_complete::Shell::Bash => BASH_PROFILES,
        clap_complete::Shell::Fish => FISH_PROFILES,
        _ => "",
    });
    print(&script)
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

pub(crate) fn man() -> Result<ExitCode, CliError> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    let mut out = std::io::stdout().lock();
    out.write_all(&page)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The config's profile names, one a line.
pub(crate) fn complete_profiles(ctx: &Context) -> Result<ExitCode, CliError> {
    let config = ctx.config()?;
    let names: String = config
        .profile_names()
        .iter()
        .map(|n| format!("{n}\n"))
        .collect();
    print(&names)
}

fn print(text: &str) -> Result<ExitCode, CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

//! `sesame shell-init`: the `sesame` shell function that makes `sesame assume` change the current
//! shell (bash, zsh, fish, PowerShell); the binary's own `assume` prints the code it evaluates.

use std::process::ExitCode;

use super::print_stdout;
use crate::cli::{Shell, ShellInitArgs};
use crate::error::CliError;

pub(crate) fn run(args: &ShellInitArgs) -> Result<ExitCode, CliError> {
    print_stdout(&init_script(args.shell))
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

//! The user's own shell: `shell-init` (the `sesame` function that makes `sesame assume` change
//! the current shell), `assume`, `completions`, `man`.

use clap::{Args, ValueEnum};

use super::RoleArgs;

/// A shell sesame writes code for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Shell {
    /// bash.
    Bash,
    /// zsh.
    Zsh,
    /// fish.
    Fish,
    /// PowerShell (pwsh).
    Powershell,
}

#[derive(Debug, Args)]
pub(crate) struct ShellInitArgs {
    /// The shell whose code to print.
    #[arg(value_enum)]
    pub(crate) shell: Shell,
}

#[derive(Debug, Args)]
pub(crate) struct AssumeArgs {
    /// The profile, of any kind (as for `sesame creds`); or use --account and --role.
    #[arg(value_name = "PROFILE", conflicts_with = "account", required_unless_present_any = ["account", "unset"])]
    pub(crate) profile: Option<String>,
    #[command(flatten)]
    pub(crate) role: RoleArgs,
    /// Clear every variable `assume` sets, and AWS_PROFILE.
    #[arg(long, conflicts_with_all = ["profile", "account"])]
    pub(crate) unset: bool,
    /// The shell whose code to print (the function of `shell-init` passes it).
    #[arg(long, value_enum, default_value_t = Shell::Bash)]
    pub(crate) shell: Shell,
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell whose completion script to print.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub(crate) struct ManArgs {}

pub(super) const SHELL_INIT_HELP: &str = "\
Add the line for your shell to its startup file:

  bash (~/.bashrc):   eval \"$(sesame shell-init bash)\"
  zsh (~/.zshrc):     eval \"$(sesame shell-init zsh)\"
  fish (config.fish): sesame shell-init fish | source
  PowerShell ($PROFILE): sesame shell-init powershell | Out-String | Invoke-Expression

Then `sesame assume PROFILE` sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION and the profile's region (AWS_REGION,
AWS_DEFAULT_REGION) in this shell and removes AWS_PROFILE; `sesame assume --unset` clears
them all. Every other `sesame` command runs the binary unchanged, exit code included.";

pub(super) const COMPLETIONS_HELP: &str = "\
Save the script where your shell looks for completions:

  bash:  sesame completions bash > ~/.local/share/bash-completion/completions/sesame
  zsh:   sesame completions zsh > \"${fpath[1]}/_sesame\"
  fish:  sesame completions fish > ~/.config/fish/completions/sesame.fish
  PowerShell: sesame completions powershell | Out-String | Invoke-Expression

In bash, zsh and fish, a command's PROFILE and any --profile complete from the config file's
profiles (the scripts run `sesame __complete-profiles`).";

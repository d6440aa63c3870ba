//! A role's credentials: `creds`, `exec`, `credential-process`, `console`, and the role flags
//! they share.

use clap::{Args, ValueEnum};

/// Which role, when no profile names it, and how to get its credentials.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct RoleArgs {
    /// The account: a 12-digit id, or a name (looked up through ListAccounts).
    #[arg(long, value_name = "ID|NAME", requires = "role")]
    pub(crate) account: Option<String>,
    /// The role (permission set) name.
    #[arg(long, value_name = "NAME", requires = "account")]
    pub(crate) role: Option<String>,
    /// With --account: the `[sso-session NAME]` (default: SESAME_SSO_SESSION, else
    /// `sso_session` in the config's [sesame] section, else the only one in the config).
    #[arg(long, value_name = "NAME", requires = "account")]
    pub(crate) sso_session: Option<String>,
    /// With --account: an ad hoc start URL (a legacy, start-URL-keyed login); needs --sso-region.
    #[arg(
        long,
        value_name = "URL",
        requires = "account",
        conflicts_with = "sso_session"
    )]
    pub(crate) start_url: Option<String>,
    /// The Identity Center region of --start-url.
    #[arg(long, value_name = "REGION", requires = "start_url")]
    pub(crate) sso_region: Option<String>,
    /// With --account: the region to hand on with the credentials (a profile's own `region`
    /// otherwise).
    #[arg(long, value_name = "REGION", requires = "account")]
    pub(crate) region: Option<String>,
    /// When the login is missing or expired, log in (once, whatever runs in parallel) instead of
    /// failing with exit 3; the prompt goes to stderr.
    #[arg(long)]
    pub(crate) auto_login: bool,
    /// Fetch new credentials when the cached ones have less than this long left (`30m`, `1h`;
    /// a plain number is minutes).
    #[arg(long, value_name = "DURATION", default_value = "15", value_parser = super::duration::minutes)]
    pub(crate) min_validity: std::time::Duration,
    /// The MFA code for a profile with `mfa_serial` (for scripts; otherwise it is asked for on
    /// the terminal when the role's cached session has expired).
    #[arg(
        long,
        value_name = "CODE",
        env = "SESAME_MFA_CODE",
        hide_env_values = true
    )]
    pub(crate) mfa_code: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct CredsArgs {
    /// The profile, of any kind: SSO, assume-role, web identity, `aws login`,
    /// credential_process, static keys (default: AWS_PROFILE; else, on a terminal, a picker);
    /// or use --account and --role.
    #[arg(value_name = "PROFILE", conflicts_with = "account")]
    pub(crate) profile: Option<String>,
    #[command(flatten)]
    pub(crate) role: RoleArgs,
    /// How to print them (`-f`/`--format` is the older spelling).
    #[arg(short = 'o', long = "output", visible_alias = "format", short_alias = 'f', value_enum,
          default_value_t = CredsFormat::Env)]
    pub(crate) format: CredsFormat,
    /// Write them into the shared credentials file as section [NAME] (default: the profile's
    /// name, or ACCOUNT_ROLE) instead of printing them; other sections and comments are kept.
    #[arg(long, value_name = "NAME", num_args = 0..=1, default_missing_value = "")]
    pub(crate) to_credentials_file: Option<String>,
}

/// How `sesame creds` prints credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CredsFormat {
    /// `export NAME=value` lines for sh, bash, zsh (`eval "$(sesame creds dev)"`).
    Env,
    /// The credential_process JSON (`Version`, keys, `Expiration`).
    Json,
    /// `set -gx NAME value` lines for fish.
    Fish,
    /// `$Env:NAME = 'value'` lines for PowerShell.
    Powershell,
}

#[derive(Debug, Args)]
pub(crate) struct ExecArgs {
    /// The profile, of any kind: SSO, assume-role, web identity, `aws login`,
    /// credential_process, static keys (default: AWS_PROFILE; else, on a terminal, a picker);
    /// or use --account and --role.
    #[arg(value_name = "PROFILE", conflicts_with = "account")]
    pub(crate) profile: Option<String>,
    #[command(flatten)]
    pub(crate) role: RoleArgs,
    /// Run even inside another `sesame exec` of a different profile (SESAME_PROFILE is set):
    /// the child gets this profile's credentials instead of its parent's.
    #[arg(long)]
    pub(crate) allow_nested: bool,
    /// Give the command a local credential server (its URL and token in
    /// AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN) instead of keys:
    /// renewed as they expire, for jobs that outlive them; any profile kind. The server stops
    /// when the command ends; its exit code is sesame's (128+N for a signal).
    #[arg(long)]
    pub(crate) server: bool,
    /// With --server: serve IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT) instead.
    #[arg(long, requires = "server")]
    pub(crate) imds: bool,
    /// With --server: pass the token in a 0600 file (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE),
    /// removed afterwards, instead of in the environment.
    #[arg(long, requires = "server", conflicts_with = "imds")]
    pub(crate) token_file: bool,
    /// The command and its arguments, after `--`.
    #[arg(last = true, value_name = "CMD")]
    pub(crate) command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub(crate) struct CredentialProcessArgs {
    /// The profile, of any kind; or use --account and --role.
    #[arg(long, value_name = "PROFILE", conflicts_with = "account")]
    pub(crate) profile: Option<String>,
    #[command(flatten)]
    pub(crate) role: RoleArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ConsoleArgs {
    /// The profile, of any kind: SSO, assume-role, web identity, `aws login`,
    /// credential_process, static keys (default: AWS_PROFILE; else, on a terminal, a picker);
    /// or use --account and --role.
    #[arg(value_name = "PROFILE", conflicts_with = "account")]
    pub(crate) profile: Option<String>,
    #[command(flatten)]
    pub(crate) role: RoleArgs,
    /// Print the sign-in URL on stdout (it signs in whoever opens it, for 15 minutes) instead of
    /// opening a browser.
    #[arg(long)]
    pub(crate) print: bool,
    /// The console page to open (default: the region's console home).
    #[arg(long, value_name = "URL")]
    pub(crate) destination: Option<String>,
}

/// `sesame pick` (and a bare `sesame` on a terminal): what to do with the choice.
#[derive(Debug, Args, Default)]
pub(crate) struct PickArgs {
    /// Print its credentials as shell exports (`eval "$(sesame pick --print)"`) instead of
    /// starting a shell.
    #[arg(long, conflicts_with_all = ["console", "command"])]
    pub(crate) print: bool,
    /// Open its AWS console instead of starting a shell.
    #[arg(long, conflicts_with = "command")]
    pub(crate) console: bool,
    /// Run this command (after `--`) with its credentials instead of a shell.
    #[arg(last = true, value_name = "CMD")]
    pub(crate) command: Vec<std::ffi::OsString>,
}

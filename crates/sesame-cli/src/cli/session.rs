//! The Identity Center session and what it lists: `login`, `logout`, `status`, `accounts`,
//! `roles`, and `demo`, which runs them on the bundled emulator.

use clap::Args;

use super::{OutputFormat, duration};

/// Which Identity Center session a command is about.
///
/// In the AWS CLI `--profile P` means P's one account and role. A command that works over a
/// whole session (accounts, roles, populate, run, logout) names P's session `--session-of P`,
/// so that no flag means more here than there; `--profile` is hidden and refused on them with
/// that hint (`Context::session`). `login` shows it (`aws sso login --profile P` logs in to P's
/// session, as `sesame login --profile P` does), as do `logout --console` and `run --org`,
/// where it names the credentials, as in the AWS CLI.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct SessionArgs {
    /// The `[sso-session NAME]` of the config file (default: a profile's session, else
    /// SESAME_SSO_SESSION, else `sso_session` in the config's [sesame] section, else the only one).
    #[arg(long, value_name = "NAME")]
    pub(crate) sso_session: Option<String>,
    /// The session of this profile: its `sso_session` (or legacy `sso_start_url`); the whole
    /// session, every account and role, not the profile's own.
    #[arg(long, value_name = "PROFILE", conflicts_with_all = ["sso_session", "profile"])]
    pub(crate) session_of: Option<String>,
    /// Refused by the commands over a whole session (shown by those where it means what it
    /// means in the AWS CLI).
    #[arg(
        long,
        value_name = "PROFILE",
        hide = true,
        conflicts_with = "sso_session"
    )]
    pub(crate) profile: Option<String>,
    /// Log in ad hoc to this start URL (a legacy, start-URL-keyed login); needs --sso-region.
    #[arg(long, value_name = "URL", conflicts_with_all = ["sso_session", "session_of", "profile"])]
    pub(crate) start_url: Option<String>,
    /// The Identity Center region of --start-url.
    #[arg(long, value_name = "REGION", requires = "start_url")]
    pub(crate) sso_region: Option<String>,
}

#[derive(Debug, Args)]
#[command(mut_arg("profile", |a| a.hide(false).help(
    "A profile whose `sso_session` (or legacy `sso_start_url`) names the session (with \
     --console: the profile to sign in)")))]
#[command(mut_arg("session_of", |a| a.hide(true)))]
pub(crate) struct LoginArgs {
    #[command(flatten)]
    pub(crate) session: SessionArgs,
    /// Use the device-code flow (chosen by itself over SSH, in WSL, containers, without a display).
    #[arg(long, conflicts_with = "pkce")]
    pub(crate) device_code: bool,
    /// Use the browser flow (PKCE with a loopback redirect) even where the device code is the default.
    #[arg(long)]
    pub(crate) pkce: bool,
    /// Only print the URL (and code); do not open a browser. Also `AWS_SSO_DISABLE_BROWSER=1`.
    #[arg(long)]
    pub(crate) no_browser: bool,
    /// The loopback port of the browser redirect (for SSH port forwarding); default any free port.
    #[arg(long, value_name = "PORT")]
    pub(crate) redirect_port: Option<u16>,
    /// Log in afresh even when the cached token is valid or can be refreshed.
    #[arg(long)]
    pub(crate) force: bool,
    /// Give up waiting for the approval after this long (`90s`, `5m`; a plain number is seconds).
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = duration::seconds)]
    pub(crate) timeout: std::time::Duration,
    /// Sign in with AWS console credentials instead of Identity Center, as `aws login` does:
    /// the profile (--profile, default `default`) gets a `login_session` that sesame, the AWS
    /// CLI v2 and botocore refresh for up to the console session's lifetime.
    #[arg(long, conflicts_with_all = ["sso_session", "session_of", "start_url", "device_code", "pkce"])]
    pub(crate) console: bool,
    /// With --console: sign in on another device (no loopback redirect); paste the code its
    /// browser shows.
    #[arg(long, requires = "console")]
    pub(crate) remote: bool,
    /// With --console: the region of the sign-in endpoint, written into the profile (default:
    /// AWS_REGION, AWS_DEFAULT_REGION, the profile's region).
    #[arg(long, value_name = "REGION", requires = "console")]
    pub(crate) region: Option<String>,
}

#[derive(Debug, Args)]
#[command(mut_arg("profile", |a| a.hide(false).help(
    "With --console: the profile whose `aws login` session ends (default `default`)")))]
pub(crate) struct LogoutArgs {
    #[command(flatten)]
    pub(crate) session: SessionArgs,
    /// Log out of every session with a cached token (as `aws sso logout` does).
    #[arg(long, conflicts_with_all = ["sso_session", "session_of", "profile", "start_url"])]
    pub(crate) all: bool,
    /// End an `aws login` session instead (`sesame login --console`): delete the login cache of
    /// the profile's `login_session` (--profile, default `default`), or with --all every one, as
    /// `aws logout` does.
    #[arg(long, conflicts_with_all = ["sso_session", "session_of", "start_url"])]
    pub(crate) console: bool,
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) output: OutputFormat,
}

#[derive(Debug, Args)]
pub(crate) struct AccountsArgs {
    #[command(flatten)]
    pub(crate) session: SessionArgs,
    #[command(flatten)]
    pub(crate) listing: ListingArgs,
}

#[derive(Debug, Args)]
pub(crate) struct RolesArgs {
    #[command(flatten)]
    pub(crate) session: SessionArgs,
    #[command(flatten)]
    pub(crate) listing: ListingArgs,
}

/// What `accounts` and `roles` list, and how.
#[derive(Debug, Args)]
pub(crate) struct ListingArgs {
    /// Only this account: its 12-digit id, or a glob on its name (`*` and `?`, any case, e.g.
    /// '*prod*'). Repeat for several.
    #[arg(long = "account", value_name = "ID|NAME-GLOB")]
    pub(crate) accounts: Vec<String>,
    /// Only roles whose name matches this glob (any case, e.g. 'Admin*'). Repeat for several.
    #[arg(long = "role", value_name = "GLOB")]
    pub(crate) roles: Vec<String>,
    /// Output format. Sorted by account name, then role name.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) output: OutputFormat,
    /// Print each result as soon as it arrives, unsorted: tab-separated lines with `-o text`,
    /// JSON Lines with `-o jsonl` (or `-o json`); a table needs every row first.
    #[arg(long)]
    pub(crate) stream: bool,
    /// Ask Identity Center even if the cached listing is fresh (and refresh the cache).
    #[arg(long)]
    pub(crate) refresh: bool,
    /// How old a cached listing may be and still be used: `90s`, `30m`, `2h` (a plain number is
    /// seconds), or 0 to always ask.
    #[arg(long, value_name = "DURATION", default_value = "1h", value_parser = duration::seconds)]
    pub(crate) max_age: std::time::Duration,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// How many accounts the emulator serves.
    #[arg(long, default_value_t = 12)]
    pub(crate) accounts: usize,
    /// Use the browser flow (PKCE) instead of the device code, approved by sesame's own fake browser.
    #[arg(long)]
    pub(crate) pkce: bool,
}

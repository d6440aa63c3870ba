//! Every command and flag, in one place; the doc comments are the `--help` text.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Get into many AWS accounts from one identity: IAM Identity Center login, accounts and roles,
/// sharing the AWS CLI's files and cache.
#[derive(Debug, Parser)]
#[command(
    name = "sesame",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// More detail on stderr (-v info, -vv debug, -vvv trace). Secrets are never logged.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub(crate) verbose: u8,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Log in to IAM Identity Center (browser with PKCE, or device code) into the AWS CLI's cache.
    Login(LoginArgs),
    /// End the portal session and delete the cached token and role credentials.
    Logout(LogoutArgs),
    /// Show each session: start URL, region, and when the token and the session expire.
    Status(StatusArgs),
    /// List the accounts the login reaches.
    Accounts(AccountsArgs),
    /// Run the whole flow against a bundled emulator, in a throwaway HOME: log in, list accounts
    /// and roles, fetch credentials. Touches nothing of yours.
    Demo(DemoArgs),
}

/// Which Identity Center session a command is about.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct SessionArgs {
    /// The `[sso-session NAME]` of the config file.
    #[arg(long, value_name = "NAME")]
    pub(crate) sso_session: Option<String>,
    /// A profile whose `sso_session` (or legacy `sso_start_url`) names the session.
    #[arg(long, value_name = "PROFILE")]
    pub(crate) profile: Option<String>,
    /// Log in ad hoc to this start URL (a legacy, start-URL-keyed login); needs --sso-region.
    #[arg(long, value_name = "URL", conflicts_with_all = ["sso_session", "profile"])]
    pub(crate) start_url: Option<String>,
    /// The Identity Center region of --start-url.
    #[arg(long, value_name = "REGION", requires = "start_url")]
    pub(crate) sso_region: Option<String>,
}

#[derive(Debug, Args)]
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
    /// Give up waiting for the approval after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub(crate) timeout: u64,
}

#[derive(Debug, Args)]
pub(crate) struct LogoutArgs {
    #[command(flatten)]
    pub(crate) session: SessionArgs,
    /// Log out of every session with a cached token (as `aws sso logout` does).
    #[arg(long, conflicts_with_all = ["sso_session", "profile", "start_url"])]
    pub(crate) all: bool,
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
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) output: OutputFormat,
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

/// How a listing is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Aligned columns for people.
    Table,
    /// JSON for programs.
    Json,
    /// Tab-separated lines for shell pipelines.
    Text,
}

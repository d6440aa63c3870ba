//! `sesame setup`: from nothing to a login and profiles.

use clap::Args;

/// `sesame setup`.
#[derive(Debug, Args)]
pub(crate) struct SetupArgs {
    /// The AWS access portal URL (`https://d-xxxxxxxxxx.awsapps.com/start`, an
    /// `https://ssoins-….portal.REGION.app.aws` or a vanity URL; `http://` only on loopback).
    #[arg(long, value_name = "URL")]
    pub(crate) start_url: Option<String>,
    /// The Identity Center region (default: the region a start URL's host names).
    #[arg(long, value_name = "REGION")]
    pub(crate) sso_region: Option<String>,
    /// The name of the `[sso-session NAME]` to write (an existing one is updated, never
    /// duplicated).
    #[arg(long, value_name = "NAME")]
    pub(crate) sso_session: Option<String>,
    /// The registration scopes, comma-separated (default: the session's, else
    /// `sso:account:access`).
    #[arg(long, value_name = "SCOPES")]
    pub(crate) scopes: Option<String>,
    /// Ask nothing: take the values from the flags (or the existing session), log in, and
    /// populate the profiles. Needed off a terminal.
    #[arg(long, short)]
    pub(crate) yes: bool,
    /// Only write the session; do not log in (nor populate).
    #[arg(long)]
    pub(crate) no_login: bool,
    /// Log in but do not write the profiles (`sesame populate` does it later).
    #[arg(long)]
    pub(crate) no_populate: bool,
    /// Log in with the device-code flow.
    #[arg(long)]
    pub(crate) device_code: bool,
    /// Only print the login URL (and code); do not open a browser.
    #[arg(long)]
    pub(crate) no_browser: bool,
}

pub(super) const SETUP_HELP: &str = "\
On a terminal, setup asks what `aws configure sso-session` asks (session name, start URL,
region, registration scopes; Enter keeps the value in brackets), writes the section as the
AWS CLI v2 writes it, logs in, and asks before writing a profile for every account and role.
Off a terminal, pass --yes and the values:

  sesame setup --sso-session corp --start-url https://d-1234567890.awsapps.com/start \\
      --sso-region us-east-1 --yes

The previous config file is saved as CONFIG.bak (e.g. ~/.aws/config.bak); every byte outside
the session's section is kept.";

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
    /// SAML 2.0 federation: sign in through an IdP (AD FS and others), pick a role, and get STS
    /// credentials into a profile of the credentials file.
    Saml(SamlArgs),
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

#[derive(Debug, Args)]
pub(crate) struct SamlArgs {
    #[command(subcommand)]
    pub(crate) command: SamlCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SamlCommand {
    /// Sign in at the IdP, choose a role, and write its STS credentials into a profile.
    ///
    /// The password is read without echo from the terminal, or from SESAME_SAML_PASSWORD; it is
    /// never stored. A one-time code asked for by the IdP is read from the terminal, or from
    /// SESAME_SAML_OTP.
    Login(SamlLoginArgs),
    /// Assume a role with a SAMLResponse captured elsewhere (base64, as the IdP posts it).
    Assume(SamlAssumeArgs),
    /// List the roles a SAMLResponse grants: from a file, or by signing in at the IdP.
    Roles(SamlRolesArgs),
}

/// Where and how to sign in.
#[derive(Debug, Args, Clone)]
pub(crate) struct IdpArgs {
    /// The IdP-initiated sign-in URL, e.g.
    /// https://adfs.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices
    #[arg(long, value_name = "URL", env = "SESAME_SAML_IDP_URL")]
    pub(crate) idp_url: Option<String>,
    /// How to sign in: AD FS forms, AD FS Windows authentication (NTLM), or any login form.
    #[arg(long, value_enum, default_value_t = SamlProvider::Adfs)]
    pub(crate) provider: SamlProvider,
    /// The user name (`alice@example.com`, `EXAMPLE\alice`); asked for on the terminal if absent.
    #[arg(long, value_name = "USER", env = "SESAME_SAML_USERNAME")]
    pub(crate) username: Option<String>,
    /// Forget the IdP's kept session cookies and sign in afresh. (Otherwise they are kept, 0600,
    /// in ~/.aws/sesame/saml/, so the next sign-in skips the password while the IdP session lasts.)
    #[arg(long)]
    pub(crate) fresh: bool,
}

/// Which role, and where its credentials go.
#[derive(Debug, Args, Clone)]
pub(crate) struct SamlTargetArgs {
    /// The role: its ARN, its name, or a glob over either (`*Admin*`). Without it: a fuzzy picker
    /// on a terminal, or the only role.
    #[arg(long, value_name = "ARN|NAME|GLOB")]
    pub(crate) role: Option<String>,
    /// The credentials-file profile to write.
    #[arg(long, value_name = "NAME", default_value = "saml")]
    pub(crate) profile: String,
    /// Session length in seconds (900 to 43200); capped by the assertion's SessionDuration.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u32).range(900..=43200))]
    pub(crate) duration: Option<u32>,
    /// The STS region (default AWS_REGION, AWS_DEFAULT_REGION, else us-east-1); also written into
    /// the profile when given.
    #[arg(long, value_name = "REGION")]
    pub(crate) region: Option<String>,
    /// Print the credentials as credential_process JSON on stdout instead of writing a profile.
    #[arg(long)]
    pub(crate) credential_process: bool,
}

#[derive(Debug, Args)]
pub(crate) struct SamlLoginArgs {
    #[command(flatten)]
    pub(crate) idp: IdpArgs,
    #[command(flatten)]
    pub(crate) target: SamlTargetArgs,
}

#[derive(Debug, Args)]
pub(crate) struct SamlAssumeArgs {
    /// The file holding the SAMLResponse (base64, or the XML itself); `-` reads stdin.
    #[arg(long, value_name = "FILE|-")]
    pub(crate) assertion_file: String,
    #[command(flatten)]
    pub(crate) target: SamlTargetArgs,
}

#[derive(Debug, Args)]
pub(crate) struct SamlRolesArgs {
    /// The file holding the SAMLResponse; `-` reads stdin. Without it, sign in at --idp-url.
    #[arg(long, value_name = "FILE|-")]
    pub(crate) assertion_file: Option<String>,
    #[command(flatten)]
    pub(crate) idp: IdpArgs,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Table)]
    pub(crate) output: OutputFormat,
}

/// How `sesame saml login` signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SamlProvider {
    /// AD FS 3.0 and later, forms (UserName, Password, MFA code pages).
    Adfs,
    /// AD FS Windows integrated authentication with NTLM (AD FS 2.0 style).
    AdfsWindows,
    /// Any IdP with a login form (Keycloak, Shibboleth-like pages).
    Form,
}

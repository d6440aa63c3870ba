//! Every command and flag, in one place; the doc comments are the `--help` text.

use std::ffi::OsString;

use clap::{Args, FromArgMatches, Parser, Subcommand, ValueEnum};

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

impl Cli {
    /// Parses the process's command line.
    ///
    /// `credential-process`, `creds` and `exec` are what a warm role cache answers in about a
    /// millisecond, and building clap's whole command tree (every command, every flag) costs more
    /// than the rest of that path. So they are parsed first against their own flags only; any
    /// other command, and any error or `--help`, goes through the whole tree, so what is accepted
    /// and every message are the same.
    pub(crate) fn parse_args() -> Self {
        let args: Vec<OsString> = std::env::args_os().collect();
        Self::parse_narrow(&args).unwrap_or_else(|| Self::parse_from(args))
    }

    /// The narrow parse: `None` when the command is not one of the warm ones or clap has anything
    /// to say (an error, help, the version).
    fn parse_narrow(args: &[OsString]) -> Option<Self> {
        // The global flags take no value, so the first word that is not a flag is the command.
        let name = args
            .iter()
            .skip(1)
            .find(|a| !a.to_string_lossy().starts_with('-'))?;
        match name.to_str()? {
            "credential-process" => {
                parse_one("credential-process", args, Command::CredentialProcess)
            }
            "creds" => parse_one("creds", args, Command::Creds),
            "exec" => parse_one("exec", args, Command::Exec),
            _ => None,
        }
    }
}

/// `args` parsed against a root with only the global flags and the one command `name`, whose
/// flags `wrap` makes a [`Command`].
fn parse_one<A: Args + FromArgMatches>(
    name: &'static str,
    args: &[OsString],
    wrap: fn(A) -> Command,
) -> Option<Cli> {
    let root = GlobalArgs::augment_args(clap::Command::new("sesame"))
        .subcommand(A::augment_args(clap::Command::new(name)));
    let mut matches = root.try_get_matches_from(args).ok()?;
    let global = GlobalArgs::from_arg_matches_mut(&mut matches).ok()?;
    let (_, mut sub) = matches.remove_subcommand()?;
    let command = wrap(A::from_arg_matches_mut(&mut sub).ok()?);
    Some(Cli { global, command })
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
    /// List the accounts the login reaches (cached for an hour; --refresh to fetch again).
    Accounts(AccountsArgs),
    /// Write an [sso-session] and a [profile] for every account and role into the config file,
    /// and keep them in sync (a marked block; nothing outside it is touched).
    #[command(after_long_help = POPULATE_HELP)]
    Populate(PopulateArgs),
    /// Call any AWS API, documented or not, signed with SigV4 (curl's habits: -X, -H, -d, -i, -o).
    Api(Box<ApiArgs>),
    /// List the roles the login reaches in each account (cached for an hour; --refresh to fetch again).
    Roles(RolesArgs),
    /// Run the whole flow against a bundled emulator, in a throwaway HOME: log in, list accounts
    /// and roles, fetch credentials. Touches nothing of yours.
    Demo(DemoArgs),
    /// Print a role's credentials (shell exports, JSON, fish, PowerShell) or write them into
    /// ~/.aws/credentials.
    Creds(CredsArgs),
    /// Run a command with a role's credentials and region in its environment (never in argv).
    Exec(ExecArgs),
    /// Serve a profile's credentials to the SDKs' container provider (or IMDSv2) on loopback,
    /// renewed as they expire: for containers and jobs that outlive a credential.
    Serve(crate::commands::serve::ServeArgs),
    /// For `credential_process = sesame credential-process --profile NAME`: botocore's JSON on
    /// stdout, nothing else; exit 3 when a login is needed.
    CredentialProcess(CredentialProcessArgs),
    /// Open the AWS console signed in as a role (a federated sign-in URL), or print the URL.
    Console(ConsoleArgs),
    /// Run one command (or one signed API call) in every account and role the login reaches.
    Run(Box<RunArgs>),
    /// IAM Identity Center administration with AWS credentials: every assignment, names ↔ ids.
    Admin(crate::commands::admin::AdminArgs),
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
    /// JSON Lines with `-o json` (a table needs every row first).
    #[arg(long)]
    pub(crate) stream: bool,
    /// Ask Identity Center even if the cached listing is fresh (and refresh the cache).
    #[arg(long)]
    pub(crate) refresh: bool,
    /// How old a cached listing may be and still be used: `90s`, `30m`, `2h`, or 0 to always ask.
    #[arg(long, value_name = "AGE", default_value = "1h", value_parser = parse_age)]
    pub(crate) max_age: std::time::Duration,
}

/// `90`, `90s`, `30m`, `1h30m`, `PT1H`: a non-negative duration.
fn parse_age(s: &str) -> Result<std::time::Duration, String> {
    if let Ok(secs) = s.parse::<u64>() {
        return Ok(std::time::Duration::from_secs(secs));
    }
    let d: jiff::SignedDuration = s
        .parse()
        .map_err(|_| format!("`{s}` is not a duration (try 90s, 30m, 2h)"))?;
    std::time::Duration::try_from(d).map_err(|_| format!("`{s}` is negative"))
}

const POPULATE_HELP: &str = "\
Names: the account name lower-cased, unsafe characters as `-`, the prefix all accounts share
stripped (detected once, then kept), then `-admin` for AdministratorAccess, nothing for
ReadOnlyAccess, `-RoleName` for other roles. Names that clash get the account id appended.
A hand-written profile of the same name is never overwritten: that target is skipped.

sesame owns only the lines between `# BEGIN sesame populate (sso-session NAME)` and
`# END sesame populate (sso-session NAME)`. Before a write, the previous file is saved as
CONFIG.bak (e.g. ~/.aws/config.bak); a run that changes nothing writes nothing.

Listing: every account and its roles are listed concurrently, paced to Identity Center's
throttle and retried on throttles, server errors and dropped connections (SESAME_MAX_ATTEMPTS
attempts per call). Populate always asks Identity Center, so assignments made a minute ago
show up; `--max-age 1h` instead reuses a listing cached by `sesame roles` (or an earlier
populate) if it is that young, and `--refresh` overrides `--max-age`. Each run refreshes the
listing cache (a `--dry-run` neither reads nor writes it).

The options can be shared in the config file:

  [sesame-populate]            (every session; [sesame-populate NAME] for one)
  style = sso
  prefix_strip = Acme Corp
  region_rules =
    *-eu-* = eu-west-1
  role_suffixes =
    PowerUserAccess = power
  ignore_roles = Billing, *Audit*
  default_region = us-east-1
  duration_seconds = 43200";

/// `sesame populate`. Every naming option can also live in the config file, in a
/// `[sesame-populate]` section (for every session) or `[sesame-populate NAME]` (for one); these
/// flags win over it.
#[derive(Debug, Args)]
pub(crate) struct PopulateArgs {
    #[command(flatten)]
    pub(crate) session: SessionArgs,
    /// Print the change as a unified diff on stdout and write nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Remove the profiles of accounts and roles no longer listed (kept by default).
    #[arg(long)]
    pub(crate) prune: bool,
    /// Ask Identity Center even if `--max-age` would allow a cached listing (and refresh the
    /// cache). Populate asks by default; see `--max-age`.
    #[arg(long)]
    pub(crate) refresh: bool,
    /// Use the listing `sesame roles` cached if it is younger than this (`90s`, `30m`, `1h`).
    /// Default 0: populate always asks Identity Center, so new assignments show up at once.
    #[arg(long, value_name = "AGE", default_value = "0", value_parser = parse_age)]
    pub(crate) max_age: std::time::Duration,
    /// How profiles get credentials: native SSO keys, or `credential_process = sesame
    /// credential-process ...`.
    #[arg(long, value_enum, value_name = "STYLE")]
    pub(crate) style: Option<ProfileStyleArg>,
    /// Name profiles by a template instead of the rules: {account_name}, {account_id},
    /// {role_name}, {role_suffix}, {session}; e.g. `{account_name}-{role_suffix}`.
    #[arg(long, value_name = "TEMPLATE")]
    pub(crate) template: Option<String>,
    /// A region for accounts whose short name matches a glob, e.g. `*-eu-*=eu-west-1`; repeat
    /// for more (the first match wins, these before the config file's).
    #[arg(long = "region-rule", value_name = "PATTERN=REGION")]
    pub(crate) region_rules: Vec<String>,
    /// The region when no rule matches (default: the session's region).
    #[arg(long, value_name = "REGION")]
    pub(crate) default_region: Option<String>,
    /// The prefix to strip from account names: `auto` (the words all accounts share, the
    /// default), `none`, or a prefix such as "Acme Corp".
    #[arg(long, value_name = "PREFIX")]
    pub(crate) prefix_strip: Option<String>,
    /// Write no profile for roles matching this glob; repeat for more.
    #[arg(long = "ignore-role", value_name = "GLOB")]
    pub(crate) ignore_roles: Vec<String>,
    /// The name suffix of a role, e.g. `PowerUserAccess=power` (`ReadOnlyAccess=` for none);
    /// repeat for more. Defaults: AdministratorAccess=admin, ReadOnlyAccess=.
    #[arg(long = "role-suffix", value_name = "ROLE=SUFFIX")]
    pub(crate) role_suffixes: Vec<String>,
    /// Keep the account names' letter case (default: lower-case).
    #[arg(long)]
    pub(crate) keep_case: bool,
    /// Write `duration_seconds = N` into each profile (read by tools such as aws-vault).
    #[arg(long, value_name = "SECONDS")]
    pub(crate) duration_seconds: Option<u32>,
    /// Write `output = FORMAT` into each profile (json, table, text, yaml).
    #[arg(long, value_name = "FORMAT")]
    pub(crate) profile_output: Option<String>,
    /// The program the credential-process style runs (default `sesame`, found on PATH).
    #[arg(long, value_name = "PROGRAM")]
    pub(crate) credential_process_command: Option<String>,
}

/// `--style`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProfileStyleArg {
    /// `sso_session`, `sso_account_id`, `sso_role_name`: read by every AWS SDK and the AWS CLI v2.
    Sso,
    /// `credential_process = sesame credential-process --account A --role R --sso-session S`.
    CredentialProcess,
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

/// `sesame api URL`: one signed request, curl style.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
sesame api https://up.sso.eu-central-1.amazonaws.com/identitystore/ \\\n    \
--target AWSIdentityStoreService.ListProvisioningTenants -d '{\"IdentityStoreId\":\"d-123\"}'\n  \
sesame api https://sts.amazonaws.com/ -d 'Action=GetCallerIdentity&Version=2011-06-15'\n  \
sesame api https://bucket.s3.eu-west-1.amazonaws.com/key --presign --expires 600")]
pub(crate) struct ApiArgs {
    /// The URL (raw or already percent-encoded; it is sent in one canonical encoding).
    pub(crate) url: String,
    /// The HTTP method (default: POST with a body, --target or --param; else GET).
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub(crate) method: Option<String>,
    /// A header, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub(crate) headers: Vec<String>,
    /// The body: DATA, @FILE (streamed) or @- (stdin); sent byte for byte (curl's --data-binary).
    #[arg(
        short = 'd',
        long = "data",
        visible_alias = "data-binary",
        value_name = "DATA"
    )]
    pub(crate) data: Option<String>,
    /// AWS JSON: `X-Amz-Target: Prefix.Operation`, the JSON content type, POST, `{}` by default.
    #[arg(long, value_name = "PREFIX.OPERATION")]
    pub(crate) target: Option<String>,
    /// The AWS JSON version for --target.
    #[arg(long, value_name = "VERSION", default_value = "1.1", value_parser = ["1.0", "1.1"])]
    pub(crate) json_version: String,
    /// A query-protocol parameter `Key=Value` (repeatable): a form body, or the URL with -X GET.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub(crate) params: Vec<String>,
    /// The signing name (default: read off the host, e.g. `identitystore` for up.sso.REGION).
    #[arg(long, value_name = "SERVICE")]
    pub(crate) service: Option<String>,
    /// The signing region (default: the host's, else AWS_REGION, AWS_DEFAULT_REGION, the profile's).
    #[arg(long, value_name = "REGION")]
    pub(crate) region: Option<String>,
    /// Sign with this profile's credentials (static, credential_process, SSO, SAML-written).
    #[arg(long, value_name = "PROFILE")]
    pub(crate) profile: Option<String>,
    /// Sign as this account's role, straight from the Identity Center login (with --role).
    #[arg(
        long,
        value_name = "ACCOUNT_ID",
        requires = "role",
        conflicts_with = "profile"
    )]
    pub(crate) account: Option<String>,
    /// The role (permission set) for --account.
    #[arg(long, value_name = "ROLE", requires = "account")]
    pub(crate) role: Option<String>,
    /// The [sso-session] for --account/--role (default: the only one in the config).
    #[arg(long, value_name = "NAME", requires = "account")]
    pub(crate) sso_session: Option<String>,
    /// Sign `UNSIGNED-PAYLOAD` instead of the body's hash (large S3 uploads).
    #[arg(long)]
    pub(crate) unsigned_payload: bool,
    /// Print a presigned URL instead of sending (the signature in the query).
    #[arg(long)]
    pub(crate) presign: bool,
    /// How long the presigned URL is valid, in seconds (1 to 604800).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 3600,
        requires = "presign"
    )]
    pub(crate) expires: u64,
    /// Print the request, canonical request, string to sign and signature; send nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Print the response status line and headers before the body.
    #[arg(short = 'i', long = "include")]
    pub(crate) include: bool,
    /// Write the body to FILE instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<std::path::PathBuf>,
    /// On an HTTP error write no body (curl's --fail); the error line and exit code come anyway.
    #[arg(short = 'f', long)]
    pub(crate) fail: bool,
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

/// Which role, when no profile names it, and how to get its credentials.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct RoleArgs {
    /// The account: a 12-digit id, or a name (looked up through ListAccounts).
    #[arg(long, value_name = "ID|NAME", requires = "role")]
    pub(crate) account: Option<String>,
    /// The role (permission set) name.
    #[arg(long, value_name = "NAME", requires = "account")]
    pub(crate) role: Option<String>,
    /// With --account: the `[sso-session NAME]` (default: the only one in the config).
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
    /// Fetch new credentials when the cached ones have less than this many minutes left.
    #[arg(long, value_name = "MINUTES", default_value_t = 15)]
    pub(crate) min_validity: u32,
}

#[derive(Debug, Args)]
pub(crate) struct CredsArgs {
    /// The SSO profile (default: AWS_PROFILE); or use --account and --role.
    #[arg(value_name = "PROFILE", conflicts_with = "account")]
    pub(crate) profile: Option<String>,
    #[command(flatten)]
    pub(crate) role: RoleArgs,
    /// How to print them.
    #[arg(long, short, value_enum, default_value_t = CredsFormat::Env)]
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
    /// The SSO profile (default: AWS_PROFILE); or use --account and --role.
    #[arg(value_name = "PROFILE", conflicts_with = "account")]
    pub(crate) profile: Option<String>,
    #[command(flatten)]
    pub(crate) role: RoleArgs,
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
    /// The SSO profile; or use --account and --role.
    #[arg(long, value_name = "PROFILE", conflicts_with = "account")]
    pub(crate) profile: Option<String>,
    #[command(flatten)]
    pub(crate) role: RoleArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ConsoleArgs {
    /// The SSO profile (default: AWS_PROFILE); or use --account and --role.
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

#[derive(Debug, Args)]
pub(crate) struct SamlArgs {
    #[command(subcommand)]
    pub(crate) command: SamlCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum SamlCommand {
    /// Sign in at the IdP, choose a role, and write its STS credentials into a profile.
    ///
    /// The password comes from SESAME_SAML_PASSWORD, else from the OS keyring if it was stored
    /// there with --remember-password, else from the terminal (no echo); it is never stored
    /// without --remember-password. A one-time code asked for by the IdP is read from the
    /// terminal, or from SESAME_SAML_OTP.
    Login(SamlLoginArgs),
    /// Assume a role with a SAMLResponse captured elsewhere (base64, as the IdP posts it).
    Assume(SamlAssumeArgs),
    /// List the roles a SAMLResponse grants: from a file, or by signing in at the IdP.
    Roles(SamlRolesArgs),
    /// Forget an IdP sign-in: remove the password stored with --remember-password from the OS
    /// keyring, and the IdP's session cookies kept in ~/.aws/sesame/saml/.
    Forget(SamlForgetArgs),
}

/// Where and how to sign in.
#[derive(Debug, Args, Clone)]
pub(crate) struct IdpArgs {
    /// The IdP-initiated sign-in URL, e.g.
    /// https://adfs.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices
    #[arg(long, value_name = "URL", env = "SESAME_SAML_IDP_URL")]
    pub(crate) idp_url: Option<String>,
    /// How to sign in: AD FS forms, AD FS Windows authentication (Kerberos or NTLM), or any login
    /// form.
    #[arg(long, value_enum, default_value_t = SamlProvider::Adfs)]
    pub(crate) provider: SamlProvider,
    /// The user name (`alice@example.com`, `EXAMPLE\alice`); asked for on the terminal if absent.
    #[arg(long, value_name = "USER", env = "SESAME_SAML_USERNAME")]
    pub(crate) username: Option<String>,
    /// Forget the IdP's kept session cookies and sign in afresh. (Otherwise they are kept, 0600,
    /// in ~/.aws/sesame/saml/ per IdP and user name, so the next sign-in skips the password while
    /// the IdP session lasts.)
    #[arg(long)]
    pub(crate) fresh: bool,
    /// Once the sign-in has succeeded, store the password in the OS keyring, keyed by the IdP
    /// (scheme, host, port) and the user name, so later sign-ins of that user there take it
    /// without asking (SESAME_SAML_PASSWORD still comes first). Linux: the kernel keyring
    /// (keyutils: the user's persistent keyring; no D-Bus needed), kept until the machine
    /// restarts or 3 days unused; macOS: the Keychain; Windows: the Credential Manager. A stored
    /// password the IdP refuses is removed; `sesame saml forget` removes it too.
    #[arg(long)]
    pub(crate) remember_password: bool,
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

#[derive(Debug, Args)]
pub(crate) struct SamlForgetArgs {
    /// The IdP's sign-in URL (only its scheme, host and port matter).
    #[arg(long, value_name = "URL", env = "SESAME_SAML_IDP_URL")]
    pub(crate) idp_url: Option<String>,
    /// The user name whose stored password to remove, as given to `saml login`.
    #[arg(long, value_name = "USER", env = "SESAME_SAML_USERNAME")]
    pub(crate) username: Option<String>,
}

/// How `sesame saml login` signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SamlProvider {
    /// AD FS 3.0 and later, forms (UserName, Password, MFA code pages).
    Adfs,
    /// AD FS Windows integrated authentication: Kerberos with the `kinit` ticket (builds with the
    /// `kerberos` feature), else NTLM.
    AdfsWindows,
    /// Any IdP with a login form (Keycloak, Shibboleth-like pages).
    Form,
}

/// How `sesame run` prints each target's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RunOutput {
    /// Each output line as `[name/role/region] line`, a target's lines together.
    Prefixed,
    /// One JSON object per target, per line.
    Jsonl,
    /// One row per target, after the last one.
    Table,
    /// One JSON array of every target's object, after the last one (the default with --api).
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    pub(crate) session: SessionArgs,
    /// Only accounts with this id, or whose name matches this glob (any case; repeatable).
    #[arg(long = "account", value_name = "ID|NAME-GLOB")]
    pub(crate) accounts: Vec<String>,
    /// Leave out accounts with this id or whose name matches this glob (repeatable).
    #[arg(long, value_name = "ID|NAME-GLOB")]
    pub(crate) exclude: Vec<String>,
    /// Only roles whose name matches this glob (any case; repeatable). Default: every role.
    #[arg(long = "role", value_name = "GLOB")]
    pub(crate) roles: Vec<String>,
    /// Run once per region (comma-separated): AWS_REGION and AWS_DEFAULT_REGION are set.
    #[arg(long, value_name = "R1,R2", value_delimiter = ',')]
    pub(crate) regions: Vec<String>,
    /// Targets run at once.
    #[arg(short = 'j', long, value_name = "N", default_value_t = sesame::fanout::DEFAULT_JOBS as u16,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) jobs: u16,
    /// How long one target may take (e.g. 30s, 5m); its command is killed after that.
    #[arg(long, value_name = "AGE", default_value = "10m", value_parser = parse_age)]
    pub(crate) timeout: std::time::Duration,
    /// How each target's result is printed [default: prefixed; with --api: json].
    #[arg(short = 'o', long, value_enum)]
    pub(crate) output: Option<RunOutput>,
    /// Start no more targets after the first failure.
    #[arg(long)]
    pub(crate) fail_fast: bool,
    /// List the targets and run nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Run N targets first, show them, and ask before the rest (--yes goes on without asking).
    #[arg(long, value_name = "N")]
    pub(crate) canary: Option<usize>,
    /// Do not ask: run every target (needed without a terminal).
    #[arg(short = 'y', long)]
    pub(crate) yes: bool,
    /// Ask Identity Center for the accounts and roles even if the cached listing is fresh.
    #[arg(long)]
    pub(crate) refresh: bool,
    /// One signed request per target to this URL instead of a command (the `sesame api` options
    /// -X, -H, -d, --target, --param, --service, -i, -f, --presign apply; --output-dir for -o).
    #[arg(long, value_name = "URL", conflicts_with = "command")]
    pub(crate) api: Option<String>,
    /// --api: the HTTP method.
    #[arg(short = 'X', long = "request", value_name = "METHOD", requires = "api")]
    pub(crate) method: Option<String>,
    /// --api: a header, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "HEADER", requires = "api")]
    pub(crate) headers: Vec<String>,
    /// --api: the body: DATA, @FILE or @- (stdin); read once, the same bytes to every target.
    #[arg(short = 'd', long = "data", value_name = "DATA", requires = "api")]
    pub(crate) data: Option<String>,
    /// --api: AWS JSON `X-Amz-Target: Prefix.Operation`.
    #[arg(long, value_name = "PREFIX.OPERATION", requires = "api")]
    pub(crate) target: Option<String>,
    /// --api: the AWS JSON version for --target.
    #[arg(
        long,
        value_name = "VERSION",
        default_value = "1.1",
        value_parser = ["1.0", "1.1"],
        requires = "target"
    )]
    pub(crate) json_version: String,
    /// --api: a query-protocol parameter `Key=Value` (repeatable).
    #[arg(long = "param", value_name = "KEY=VALUE", requires = "api")]
    pub(crate) params: Vec<String>,
    /// --api: the signing name (default: read off the host).
    #[arg(long, value_name = "SERVICE", requires = "api")]
    pub(crate) service: Option<String>,
    /// --api: each result carries its response's headers (`headers`).
    #[arg(short = 'i', long = "include", requires = "api")]
    pub(crate) include: bool,
    /// --api: write each target's body to DIR/ACCOUNT-ROLE[-REGION] (mode 0600); the result names
    /// the file instead of holding the body.
    #[arg(long, value_name = "DIR", requires = "api")]
    pub(crate) output_dir: Option<std::path::PathBuf>,
    /// --api: keep no body of an HTTP error (curl's --fail); the error and exit code come anyway.
    #[arg(short = 'f', long, requires = "api")]
    pub(crate) fail: bool,
    /// --api: one presigned URL per target (`url`) instead of sending anything.
    #[arg(long, requires = "api")]
    pub(crate) presign: bool,
    /// --api: how long each presigned URL is valid, in seconds (1 to 604800).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 3600,
        requires = "presign"
    )]
    pub(crate) expires: u64,
    /// --api: sign `UNSIGNED-PAYLOAD` instead of the body's hash.
    #[arg(long, requires = "api")]
    pub(crate) unsigned_payload: bool,
    /// The command and its arguments, after `--`.
    #[arg(last = true, value_name = "CMD")]
    pub(crate) command: Vec<std::ffi::OsString>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<OsString> {
        line.split(' ').map(OsString::from).collect()
    }

    #[test]
    fn narrow_parse_reads_what_the_whole_tree_reads() {
        for line in [
            "sesame credential-process --profile dev",
            "sesame credential-process --profile=dev -vv",
            "sesame -v credential-process --account 111122223333 --role Admin --sso-session acme",
            "sesame credential-process --account prod --role ReadOnly --auto-login",
            "sesame creds dev --format json",
            "sesame creds --account 111122223333 --role Admin --to-credentials-file",
            "sesame creds --account 111122223333 --role Admin --to-credentials-file work",
            "sesame exec dev -- aws sts get-caller-identity --output json",
            "sesame exec --account prod --role Admin -v -- env",
        ] {
            let args = argv(line);
            let narrow = Cli::parse_narrow(&args).unwrap_or_else(|| panic!("narrow: {line}"));
            let whole = Cli::try_parse_from(&args).unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(format!("{narrow:?}"), format!("{whole:?}"), "{line}");
        }
    }

    #[test]
    fn narrow_parse_leaves_errors_help_and_other_commands_to_the_whole_tree() {
        for line in [
            "sesame credential-process --profile dev --account 1 --role R",
            "sesame credential-process --nope",
            "sesame credential-process --help",
            "sesame creds -h",
            "sesame --version",
            "sesame roles --account prod",
            "sesame",
        ] {
            assert!(Cli::parse_narrow(&argv(line)).is_none(), "{line}");
        }
    }
}

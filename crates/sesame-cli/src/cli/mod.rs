//! Every command and flag, and nothing else: the clap definitions, one file per command group;
//! the doc comments are the `--help` text. The commands' bodies are in `crate::commands`.
//!
//! - [`global`]: the flags every command takes (under "Global options" in every `--help`);
//! - [`session`]: login, logout, status, accounts, roles, demo;
//! - [`credentials`]: creds, exec, credential-process, console;
//! - [`serve`]: serve (exec's `--server` flags are exec's own);
//! - [`api`]: api and run, sharing the request-shaping flags;
//! - [`populate`], [`admin`], [`saml`];
//! - [`setup`]: from nothing to a session, a login and profiles;
//! - [`shell`]: shell-init, assume, completions, man.

// The doc comments below are `--help` text, written for a terminal: `[sso-session]` is a config
// section and a URL is shown as it is, not rustdoc links.
#![allow(rustdoc::broken_intra_doc_links, rustdoc::bare_urls)]

use std::ffi::OsString;

use clap::{Args, FromArgMatches, Parser, Subcommand, ValueEnum};

pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod credentials;
pub(crate) mod duration;
pub(crate) mod global;
pub(crate) mod populate;
pub(crate) mod saml;
pub(crate) mod serve;
pub(crate) mod session;
pub(crate) mod setup;
pub(crate) mod shell;

pub(crate) use self::admin::AdminArgs;
pub(crate) use self::api::{ApiArgs, RequestArgs, RunArgs, RunOutput};
pub(crate) use self::credentials::{
    ConsoleArgs, CredentialProcessArgs, CredsArgs, CredsFormat, ExecArgs, PickArgs, RoleArgs,
};
pub(crate) use self::global::GlobalArgs;
pub(crate) use self::populate::{PopulateArgs, ProfileStyleArg};
pub(crate) use self::saml::{IdpArgs, SamlArgs, SamlCommand, SamlProvider, SamlTargetArgs};
pub(crate) use self::serve::{ServeArgs, ServeFormat};
pub(crate) use self::session::{
    AccountsArgs, DemoArgs, ListingArgs, LoginArgs, LogoutArgs, RolesArgs, SessionArgs, StatusArgs,
};
pub(crate) use self::setup::SetupArgs;
pub(crate) use self::shell::{AssumeArgs, CompletionsArgs, ManArgs, Shell, ShellInitArgs};

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
        use std::io::IsTerminal as _;
        let args: Vec<OsString> = std::env::args_os().collect();
        // A bare `sesame` on a terminal is `sesame pick`; elsewhere it is clap's usage error.
        if args.len() == 1 && std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
            return Self {
                global: GlobalArgs::default(),
                command: Command::Pick(PickArgs::default()),
            };
        }
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

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Set up from nothing: write an [sso-session] as `aws configure sso-session` does (asking
    /// what it asks), log in, and offer to write the profiles.
    #[command(after_long_help = setup::SETUP_HELP)]
    Setup(SetupArgs),
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
    #[command(after_long_help = populate::POPULATE_HELP)]
    Populate(PopulateArgs),
    /// Call any AWS API, documented or not, signed with SigV4 (curl's habits: -X, -H, -d, -i, -f).
    Api(Box<ApiArgs>),
    /// List the roles the login reaches in each account (cached for an hour; --refresh to fetch again).
    Roles(RolesArgs),
    /// Run the whole flow against a bundled emulator, in a throwaway HOME: log in, list accounts
    /// and roles, fetch credentials. Touches nothing of yours.
    Demo(DemoArgs),
    /// Print a profile's or a role's credentials (shell exports, JSON, fish, PowerShell) or
    /// write them into ~/.aws/credentials.
    Creds(CredsArgs),
    /// Run a command with a profile's or a role's credentials and region in its environment
    /// (never in argv); SESAME_PROFILE tells the command which profile.
    Exec(ExecArgs),
    /// Serve a profile's credentials to the SDKs' container provider (or IMDSv2) on loopback,
    /// renewed as they expire: for containers and jobs that outlive a credential.
    #[command(after_long_help = serve::SERVE_HELP)]
    Serve(ServeArgs),
    /// For `credential_process = sesame credential-process --profile NAME`: botocore's JSON on
    /// stdout, nothing else; exit 3 when a login is needed.
    CredentialProcess(CredentialProcessArgs),
    /// Open the AWS console signed in with a profile's or a role's temporary credentials (a
    /// federated sign-in URL), or print the URL.
    Console(ConsoleArgs),
    /// Run one command (or one signed API call) in every account and role the login reaches.
    Run(Box<RunArgs>),
    /// Pick a profile or a role (fuzzy, recently used first) and get a shell with its
    /// credentials and region; a bare `sesame` on a terminal does this.
    Pick(PickArgs),
    /// IAM Identity Center administration with AWS credentials: every assignment, names ↔ ids.
    Admin(AdminArgs),
    /// SAML 2.0 federation: sign in through an IdP (AD FS and others), pick a role, and get STS
    /// credentials into a profile of the credentials file.
    Saml(SamlArgs),
    /// Print the shell function that lets `sesame assume PROFILE` set credentials in the
    /// current shell: `eval "$(sesame shell-init bash)"` (zsh, fish, PowerShell too).
    #[command(after_long_help = shell::SHELL_INIT_HELP)]
    ShellInit(ShellInitArgs),
    /// Print a profile's credentials and region as code for the current shell (the function of
    /// `shell-init` runs it and evaluates the code); `--unset` clears them.
    Assume(AssumeArgs),
    /// Print a shell completion script (profile names complete from the config file).
    #[command(after_long_help = shell::COMPLETIONS_HELP)]
    Completions(CompletionsArgs),
    /// Print the manual page (roff): `sesame man | man -l -`.
    Man(ManArgs),
    /// The profile names of the config file, one a line (for completion scripts).
    #[command(name = "__complete-profiles", hide = true)]
    CompleteProfiles,
}

/// How a listing is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Aligned columns for people.
    Table,
    /// JSON for programs.
    Json,
    /// One JSON object per line (JSON Lines), for streams and `jq -c`.
    Jsonl,
    /// Tab-separated lines for shell pipelines (tabs, newlines, backslashes in names escaped).
    Text,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<OsString> {
        line.split(' ').map(OsString::from).collect()
    }

    #[test]
    fn the_command_tree_is_consistent() {
        use clap::CommandFactory as _;
        Cli::command().debug_assert();
    }

    #[test]
    fn the_shared_request_flags_need_api_in_run_and_json_version_needs_target() {
        for line in [
            "sesame run -X GET",
            "sesame run --include --dry-run",
            "sesame run --json-version 1.0 --target A.B --dry-run",
            "sesame api http://127.0.0.1:9/ --json-version 1.0",
            "sesame api http://127.0.0.1:9/ --expires 60",
        ] {
            assert!(Cli::try_parse_from(argv(line)).is_err(), "{line}");
        }
        for line in [
            "sesame run --api http://127.0.0.1:9/ -X GET -H a:b -i --dry-run",
            "sesame run --api http://127.0.0.1:9/ --target A.B --json-version 1.0 --dry-run",
            "sesame api http://127.0.0.1:9/ --target A.B --json-version 1.0",
            "sesame api http://127.0.0.1:9/ --presign --expires 60",
        ] {
            Cli::try_parse_from(argv(line)).unwrap_or_else(|e| panic!("{line}: {e}"));
        }
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

//! `sesame populate`.

use clap::{Args, ValueEnum};

use super::SessionArgs;
use super::duration;

pub(super) const POPULATE_HELP: &str = "\
Names: the account name lower-cased, unsafe characters as `-`, the prefix all accounts share
stripped (detected once, then kept), then `-admin` for AdministratorAccess, nothing for
ReadOnlyAccess, `-RoleName` for other roles. Names that clash get the account id appended.
A hand-written profile of the same name is never overwritten: that target is skipped.

sesame owns only the lines between `# BEGIN sesame populate (sso-session NAME)` and
`# END sesame populate (sso-session NAME)`. Before a write, the previous file is saved as
CONFIG.bak (e.g. ~/.aws/config.bak); a run that changes nothing writes nothing.

Listing: every account and its roles are listed concurrently, paced to Identity Center's
throttle and retried on throttles, server errors and dropped connections for a minute per call
(SESAME_MAX_ATTEMPTS bounds the attempts; SESAME_DEADLINE, default 30m, the whole command). Populate always asks Identity Center, so assignments made a minute ago
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
    #[arg(long, value_name = "DURATION", default_value = "0", value_parser = duration::seconds)]
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
    /// Write `duration_seconds = N` into each profile (read by tools such as aws-vault): `1h`,
    /// `90m`, or a plain number of seconds.
    #[arg(long, value_name = "DURATION", value_parser = duration::whole_seconds)]
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

//! Signed requests: `sesame api` (one) and `sesame run` (a command, or with `--api` one signed
//! request, in every target). The flags that shape the request are one group, [`RequestArgs`],
//! that both flatten.

use clap::{Args, ValueEnum};

use super::{SessionArgs, duration};

/// How the request is built, signed and answered: what `sesame api` and `sesame run --api`
/// share (the URL, the credentials and the output are each command's own).
#[derive(Debug, Args)]
pub(crate) struct RequestArgs {
    /// The HTTP method (default: POST with a body, --target or --param; else GET).
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub(crate) method: Option<String>,
    /// A header, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "HEADER")]
    pub(crate) headers: Vec<String>,
    /// The body: DATA, @FILE or @- (stdin); sent byte for byte (curl's --data-binary). `run
    /// --api` reads it once and sends the same bytes to every target.
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
    #[arg(
        long,
        value_name = "VERSION",
        default_value = "1.1",
        value_parser = ["1.0", "1.1"],
        requires = "target"
    )]
    pub(crate) json_version: String,
    /// A query-protocol parameter `Key=Value` (repeatable): a form body, or the URL with -X GET.
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub(crate) params: Vec<String>,
    /// The signing name (default: read off the host, e.g. `identitystore` for up.sso.REGION).
    #[arg(long, value_name = "SERVICE")]
    pub(crate) service: Option<String>,
    /// Sign `UNSIGNED-PAYLOAD` instead of the body's hash (large S3 uploads).
    #[arg(long)]
    pub(crate) unsigned_payload: bool,
    /// Include the response's status line and headers: before the body (`api`), as `headers`
    /// in each result (`run --api`).
    #[arg(short = 'i', long = "include")]
    pub(crate) include: bool,
    /// On an HTTP error keep no body (curl's --fail); the error and the exit code come anyway.
    #[arg(short = 'f', long)]
    pub(crate) fail: bool,
    /// Print a presigned URL (the signature in the query) instead of sending; `run --api`: one
    /// per target, as `url`.
    #[arg(long)]
    pub(crate) presign: bool,
    /// How long a presigned URL is valid, 1s to 7 days (`10m`, `12h`; a plain number is seconds).
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "1h",
        value_parser = duration::seconds,
        requires = "presign"
    )]
    pub(crate) expires: std::time::Duration,
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
    #[command(flatten)]
    pub(crate) request: RequestArgs,
    /// The signing region (default: the host's, else AWS_REGION, AWS_DEFAULT_REGION, the profile's).
    #[arg(long, value_name = "REGION")]
    pub(crate) region: Option<String>,
    /// Sign with this profile's credentials (static, credential_process, SSO, SAML-written).
    #[arg(long, value_name = "PROFILE")]
    pub(crate) profile: Option<String>,
    /// Sign as this account's role, straight from the Identity Center login (with --role): a
    /// 12-digit id, or a name (looked up through ListAccounts).
    #[arg(
        long,
        value_name = "ID|NAME",
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
    /// Print the request, canonical request, string to sign and signature; send nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Write the body to FILE instead of stdout (curl's -o; in sesame `-o` is the output format).
    #[arg(long = "output-file", visible_alias = "out", value_name = "FILE")]
    pub(crate) output_file: Option<std::path::PathBuf>,
    /// `-o`/`--output`, which `api` does not have: refused with a pointer to --output-file
    /// rather than taken as a file name.
    #[arg(short = 'o', long = "output", value_name = "FORMAT", hide = true)]
    pub(crate) output: Option<String>,
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

/// The help heading of the flags of `--org`.
const WITH_ORG: &str = "Options for --org";

/// The help heading of the flags that only mean something with `--api`.
const WITH_API: &str = "Options for --api";

#[derive(Debug, Args)]
// Every request flag needs --api (`RequestArgs` is the group of its flags).
#[command(mut_group("RequestArgs", |g| g.requires("api")))]
// With --org, --profile names the credentials that list and assume, as in the AWS CLI.
#[command(mut_arg("profile", |a| a.hide(false).help_heading(WITH_ORG).help(
    "With --org: the profile whose credentials list the organization and assume the roles")))]
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
    #[arg(long = "role", value_name = "GLOB", conflicts_with = "org")]
    pub(crate) roles: Vec<String>,
    /// Targets from AWS Organizations instead of an Identity Center login: the organization's
    /// ACTIVE accounts, listed and assumed (--assume-role) with the credentials of the usual
    /// chain (environment, --profile, web identity).
    #[arg(long, requires = "assume_role", help_heading = WITH_ORG,
          conflicts_with_all = ["sso_session", "session_of", "start_url"])]
    pub(crate) org: bool,
    /// With --org: the role to assume in each account (arn:PARTITION:iam::ACCOUNT:role/NAME).
    #[arg(long, value_name = "NAME", requires = "org", help_heading = WITH_ORG)]
    pub(crate) assume_role: Option<String>,
    /// With --org: only the accounts directly in this OU or root (repeatable).
    #[arg(long = "ou", value_name = "ID", requires = "org", help_heading = WITH_ORG)]
    pub(crate) ous: Vec<String>,
    /// With --ou: also the accounts of every OU below it.
    #[arg(long, requires = "ous", help_heading = WITH_ORG)]
    pub(crate) ou_recursive: bool,
    /// With --org: the external id the role's trust policy asks for.
    #[arg(long, value_name = "ID", requires = "org", help_heading = WITH_ORG)]
    pub(crate) external_id: Option<String>,
    /// With --org: the session name of the assumed roles (CloudTrail shows it).
    #[arg(long, value_name = "NAME", default_value = "sesame-run", help_heading = WITH_ORG)]
    pub(crate) role_session_name: String,
    /// With --org: how long the assumed roles' credentials last (e.g. 15m, 1h; default: the
    /// role's, an hour).
    #[arg(long, value_name = "DURATION", value_parser = duration::seconds, requires = "org",
          help_heading = WITH_ORG)]
    pub(crate) duration: Option<std::time::Duration>,
    /// Run once per region (comma-separated): AWS_REGION and AWS_DEFAULT_REGION are set.
    #[arg(long, value_name = "R1,R2", value_delimiter = ',')]
    pub(crate) regions: Vec<String>,
    /// Targets run at once.
    #[arg(short = 'j', long, value_name = "N", default_value_t = sesame::fanout::DEFAULT_JOBS as u16,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub(crate) jobs: u16,
    /// How long one target may take (e.g. 30s, 5m); its command is killed after that.
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = duration::seconds)]
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
    /// Run only this part of the targets: INDEX/COUNT (INDEX from 0), or `auto` for the index
    /// and count a Kubernetes Indexed Job, AWS Batch array job or Slurm array hands the worker.
    /// All of an account's targets are in one shard.
    #[arg(long, value_name = "INDEX/COUNT|auto")]
    pub(crate) shard: Option<String>,
    /// Append each target's outcome to FILE as a JSON line as it finishes (after a header line
    /// naming the sweep), so that a killed run leaves a record of what is done.
    #[arg(long, value_name = "FILE")]
    pub(crate) results: Option<std::path::PathBuf>,
    /// Skip the targets that succeeded in FILE (a --results file of the same sweep: same
    /// command, same targets) and run the rest, appending to FILE (or to --results).
    #[arg(long, value_name = "FILE")]
    pub(crate) resume: Option<std::path::PathBuf>,
    /// The whole sweep's budget of credential calls per second (with --shard, each shard
    /// takes TPS/COUNT). Default: unpaced until the service throttles, then adaptive.
    #[arg(long, value_name = "TPS")]
    pub(crate) tps: Option<f64>,
    /// One signed request per target to this URL instead of a command (the `sesame api` options
    /// -X, -H, -d, --target, --param, --service, -i, -f, --presign apply; --output-dir for -o).
    #[arg(long, value_name = "URL", conflicts_with = "command")]
    pub(crate) api: Option<String>,
    /// The command and its arguments, after `--`.
    #[arg(last = true, value_name = "CMD")]
    pub(crate) command: Vec<std::ffi::OsString>,
    #[command(flatten, next_help_heading = WITH_API)]
    pub(crate) request: RequestArgs,
    /// Write each target's body to DIR/ACCOUNT-ROLE[-REGION] (mode 0600); the result names the
    /// file instead of holding the body.
    #[arg(long, value_name = "DIR", requires = "api", help_heading = WITH_API)]
    pub(crate) output_dir: Option<std::path::PathBuf>,
}

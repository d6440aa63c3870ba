//! `sesame admin`: IAM Identity Center administration with AWS credentials (not a login):
//! `assignments` and `lookup`. The flags live here, not in cli.rs, to keep that shared file's
//! edit to one variant.

mod assignments;
mod lookup;

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use sesame::admin::{self, AdminClient, AdminError, AdminOptions, AdminPacing, Directory};

use super::Context;
use crate::error::CliError;

/// `sesame admin ...`.
#[derive(Debug, Args)]
pub(crate) struct AdminArgs {
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// List every assignment (principal × permission set × account) of the Identity Center
    /// instance, filtered and named.
    ///
    /// Filters repeat (any of them matches) and combine (all kinds must match). Principals:
    /// ids, USER:id / GROUP:id, user or group names, or globs (`eng-*`). Permission sets: ARNs,
    /// ps- ids, names or globs. Targets: account ids, OU ids (their accounts; --ou-recursive
    /// for child OUs too), account names or globs.
    Assignments(AssignmentsArgs),
    /// Translate names and ids: users, groups, permission sets, accounts, the instance.
    Lookup(LookupArgs),
}

/// Where the calls go and with what credentials.
#[derive(Debug, Args, Clone)]
struct Connection {
    /// A profile (static keys, credential_process, or SSO: sso_session + sso_account_id +
    /// sso_role_name after `sesame login`); else the environment's AWS_ACCESS_KEY_ID /
    /// AWS_SECRET_ACCESS_KEY, then AWS_PROFILE or `default`.
    #[arg(long, value_name = "PROFILE")]
    profile: Option<String>,
    /// The Identity Center region (else AWS_REGION, AWS_DEFAULT_REGION, the profile's region).
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// The instance (else found with ListInstances).
    #[arg(long, value_name = "ARN")]
    instance_arn: Option<String>,
    /// Its identity store (else found with ListInstances).
    #[arg(long, value_name = "ID")]
    identity_store_id: Option<String>,
    /// Requests in flight at most, all services together.
    #[arg(long, value_name = "N", default_value_t = AdminPacing::DEFAULT_CONCURRENCY)]
    concurrency: usize,
    /// Requests per second at most, to each service (sso-admin, identitystore, organizations).
    /// Sent at this rate from the start; on a throttle, 0.7x the rate actually sent, then back
    /// up to this along a CUBIC curve (the AWS SDKs' adaptive mode, as `sesame roles`).
    /// Throttles and server faults are retried (SESAME_MAX_ATTEMPTS attempts, default 10).
    #[arg(long, value_name = "N", default_value_t = AdminPacing::DEFAULT_RATE, value_parser = parse_rate)]
    rate: f64,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = AdminOutput::Table)]
    output: AdminOutput,
}

impl Connection {
    async fn client(&self, ctx: &Context) -> Result<AdminClient, CliError> {
        let options = AdminOptions {
            profile: self.profile.clone(),
            region: self.region.clone(),
            pacing: AdminPacing {
                retry: super::listing::retry_policy(ctx)?,
                ..AdminPacing::new(self.concurrency, self.rate)
            },
        };
        let mfa = super::api::mfa_prompt();
        Ok(admin::client_from_env_with(&ctx.env, &options, mfa.as_deref()).await?)
    }

    async fn directory(&self, ctx: &Context) -> Result<Directory, CliError> {
        let client = self.client(ctx).await?;
        Ok(Directory::open(
            client,
            self.instance_arn.as_deref(),
            self.identity_store_id.as_deref(),
        )
        .await?)
    }
}

/// `--rate`: a positive, finite number of requests a second.
fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err("expected a positive number of requests a second, e.g. 20".to_owned()),
    }
}

#[derive(Debug, Args)]
struct AssignmentsArgs {
    #[command(flatten)]
    connection: Connection,
    /// Only these principals (repeatable).
    #[arg(long, value_name = "PRINCIPAL")]
    principal: Vec<String>,
    /// Only these permission sets (repeatable).
    #[arg(long, value_name = "PERMISSION_SET")]
    permission_set: Vec<String>,
    /// Only these accounts, OUs or account names (repeatable).
    #[arg(long, value_name = "TARGET")]
    target: Vec<String>,
    /// An OU target includes its child OUs' accounts, all the way down.
    #[arg(long)]
    ou_recursive: bool,
    /// Fill principal, permission set and account names.
    #[arg(long)]
    names: bool,
    /// Add a row per member user of each assigned group (effective access; via_group_id says
    /// through which group).
    #[arg(long)]
    expand_groups: bool,
}

/// What `sesame admin lookup` looks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LookupWhat {
    User,
    Group,
    /// Users and groups.
    Principal,
    PermissionSet,
    Account,
    /// The Identity Center instance(s) of the region, with the identity store.
    Instance,
}

#[derive(Debug, Args)]
struct LookupArgs {
    #[command(flatten)]
    connection: Connection,
    /// What to look up.
    #[arg(value_enum)]
    what: LookupWhat,
    /// Ids, names or globs (none for `instance`).
    #[arg(value_name = "VALUE")]
    values: Vec<String>,
}

/// How admin listings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum AdminOutput {
    /// Aligned columns for people (sorted).
    Table,
    /// A JSON array for programs (sorted).
    Json,
    /// CSV with a header, one row per line as the walk finds them.
    Csv,
}

pub(crate) async fn run(ctx: &Context, args: &AdminArgs) -> Result<ExitCode, CliError> {
    match &args.command {
        AdminCommand::Assignments(a) => assignments::run(ctx, a).await,
        AdminCommand::Lookup(a) => lookup::run(ctx, a).await,
    }
}

impl From<AdminError> for CliError {
    fn from(e: AdminError) -> Self {
        let e = match e {
            AdminError::Credentials(c) => return CliError::from(c),
            other => other,
        };
        let hint = match &e {
            AdminError::Config(_) => Some("fix the config file, then run the command again"),
            AdminError::NoRegion => {
                Some("pass --region, set AWS_REGION, or set `region` in the profile")
            }
            AdminError::NoInstance { .. } => Some(
                "IAM Identity Center lives in one region: pass its --region (or --instance-arn)",
            ),
            AdminError::UnknownInstance { .. } => {
                Some("run `sesame admin lookup instance` to list the region's instances")
            }
            AdminError::UnknownPrincipal(_) => {
                Some("list users and groups with `sesame admin lookup principal '*'`")
            }
            AdminError::UnknownPermissionSet(_) => {
                Some("list permission sets with `sesame admin lookup permission-set '*'`")
            }
            AdminError::UnknownTarget(_) => Some(
                "list accounts with `sesame admin lookup account '*'`; OU ids look like ou-ab12-cd34ef56",
            ),
            AdminError::InvalidSpec { .. } => Some("see `sesame admin assignments --help`"),
            AdminError::Denied(_) => Some(
                "check the credentials, and that they may call sso:List*/Describe*, identitystore:List*/Describe*/Get* and organizations:List*/Describe*",
            ),
            AdminError::Unreachable { .. } => {
                Some("check the network, the region, and any AWS_ENDPOINT_URL_* override")
            }
            AdminError::Certificate { .. } => Some(crate::error::CERTIFICATE_HINT),
            AdminError::Http(_) => Some(crate::error::CA_BUNDLE_HINT),
            AdminError::Api(a) if a.is_retryable() => {
                Some("the service is busy or failing; try again in a moment, or lower --rate")
            }
            _ => None,
        };
        let internal = matches!(e, AdminError::Internal(_));
        let err = if internal {
            CliError::internal(e)
        } else {
            CliError::user(e)
        };
        match hint {
            Some(h) => err.hint(h),
            None => err,
        }
    }
}

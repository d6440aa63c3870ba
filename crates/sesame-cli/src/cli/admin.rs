//! `sesame admin assignments|lookup`: IAM Identity Center administration with AWS credentials
//! (not a login).

use clap::{Args, Subcommand, ValueEnum};
use sesame::admin::AdminPacing;

/// `sesame admin ...`.
#[derive(Debug, Args)]
pub(crate) struct AdminArgs {
    #[command(subcommand)]
    pub(crate) command: AdminCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AdminCommand {
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
pub(crate) struct Connection {
    /// A profile (static keys, credential_process, or SSO: sso_session + sso_account_id +
    /// sso_role_name after `sesame login`); else the environment's AWS_ACCESS_KEY_ID /
    /// AWS_SECRET_ACCESS_KEY, then AWS_PROFILE or `default`.
    #[arg(long, value_name = "PROFILE")]
    pub(crate) profile: Option<String>,
    /// The Identity Center region (else AWS_REGION, AWS_DEFAULT_REGION, the profile's region);
    /// a multi-Region instance's permission sets and assignments are read in its primary Region.
    #[arg(long, value_name = "REGION")]
    pub(crate) region: Option<String>,
    /// The instance (else found with ListInstances).
    #[arg(long, value_name = "ARN")]
    pub(crate) instance_arn: Option<String>,
    /// Its identity store (else found with ListInstances).
    #[arg(long, value_name = "ID")]
    pub(crate) identity_store_id: Option<String>,
    /// Requests in flight at most, all services together.
    #[arg(long, value_name = "N", default_value_t = AdminPacing::DEFAULT_CONCURRENCY)]
    pub(crate) concurrency: usize,
    /// Requests per second at most, to each service (sso-admin, identitystore, organizations).
    /// Sent at this rate from the start; on a throttle, 0.7x the rate actually sent, then back
    /// up to this along a CUBIC curve (the AWS SDKs' adaptive mode, as `sesame roles`).
    /// Throttles and server faults are retried for a minute per call (SESAME_MAX_ATTEMPTS bounds
    /// the attempts; SESAME_DEADLINE, default 30m, the whole command).
    #[arg(long, value_name = "N", default_value_t = AdminPacing::DEFAULT_RATE, value_parser = parse_rate)]
    pub(crate) rate: f64,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = AdminOutput::Table)]
    pub(crate) output: AdminOutput,
}

/// `--rate`: a positive, finite number of requests a second.
fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 => Ok(r),
        _ => Err("expected a positive number of requests a second, e.g. 20".to_owned()),
    }
}

#[derive(Debug, Args)]
pub(crate) struct AssignmentsArgs {
    #[command(flatten)]
    pub(crate) connection: Connection,
    /// Only these principals (repeatable).
    #[arg(long, value_name = "PRINCIPAL")]
    pub(crate) principal: Vec<String>,
    /// Only these permission sets (repeatable).
    #[arg(long, value_name = "PERMISSION_SET")]
    pub(crate) permission_set: Vec<String>,
    /// Only these accounts, OUs or account names (repeatable).
    #[arg(long, value_name = "TARGET")]
    pub(crate) target: Vec<String>,
    /// An OU target includes its child OUs' accounts, all the way down.
    #[arg(long)]
    pub(crate) ou_recursive: bool,
    /// Fill principal, permission set and account names.
    #[arg(long)]
    pub(crate) names: bool,
    /// Add a row per member user of each assigned group (effective access; via_group_id says
    /// through which group).
    #[arg(long)]
    pub(crate) expand_groups: bool,
}

/// What `sesame admin lookup` looks up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LookupWhat {
    User,
    Group,
    /// Users and groups.
    Principal,
    PermissionSet,
    Account,
    /// The Identity Center instance(s) of the region, with the identity store, primary Region
    /// and Regions.
    Instance,
}

#[derive(Debug, Args)]
pub(crate) struct LookupArgs {
    #[command(flatten)]
    pub(crate) connection: Connection,
    /// What to look up.
    #[arg(value_enum)]
    pub(crate) what: LookupWhat,
    /// Ids, names or globs (none for `instance`).
    #[arg(value_name = "VALUE")]
    pub(crate) values: Vec<String>,
}

/// How admin listings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum AdminOutput {
    /// Aligned columns for people (sorted).
    Table,
    /// A JSON array for programs (sorted).
    Json,
    /// CSV with a header, one row per line as the walk finds them.
    Csv,
}

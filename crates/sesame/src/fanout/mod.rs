//! One command or one API call in every account: the targets a sweep reaches, and a bounded
//! runner that gets each target's credentials and runs a task on it.
//!
//! - [`Selection`] → [`targets`]: every account and role the login reaches (through
//!   [`Listing`], so a warm listing cache makes no role listing),
//!   narrowed by `--account`, `--exclude`, `--role`, multiplied by `--regions`.
//! - [`Runner`]: at most `jobs` targets at once, credentials through
//!   [`CredentialResolver`](crate::credentials::CredentialResolver) (served from the AWS CLI v2
//!   role cache when valid, else GetRoleCredentials paced and retried by the listing's
//!   [`Pacing`](crate::listing::Pacing)), a timeout per target, outcomes as a stream.
//! - [`command`]: the task of `sesame run -- CMD`: a child in its own process group with the
//!   target's credentials in its environment, output captured whole, the group killed on
//!   timeout or cancel.
//! - [`shard`]: one worker's part of a sweep split across many (`--shard INDEX/COUNT`, or the
//!   index a batch engine hands it).
//! - [`org`]: targets from AWS Organizations, with a role assumed in each account.
//! - [`results`]: the results file a sweep appends each outcome to, and resumes from.

pub mod command;
pub mod org;
pub mod results;
mod runner;
pub mod shard;

use std::time::Duration;

use serde::Serialize;

pub use runner::{Outcome, Runner, RunnerOptions, Succeeded, Sweep, TargetError};
pub use shard::{Shard, ShardError};

use crate::listing::{
    AccountPattern, AccountRoles, DEFAULT_MAX_AGE, Filter, Listing, ListingError,
    sort_account_roles,
};
use crate::sso::SsoSession;

/// One place a sweep runs: a role in an account, in a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepTarget {
    /// The 12-digit account id.
    pub account_id: String,
    /// The account's name.
    pub account_name: String,
    /// The role (permission set) name.
    pub role_name: String,
    /// The region handed to the task (`AWS_REGION`), if any.
    pub region: Option<String>,
    /// Whether the role was seen in the account's role list. `false` for a `--role NAME`
    /// target made without listing roles: a refusal of its credentials then means the account
    /// has no such role ([`TargetError::NoSuchRole`]), not a failure.
    #[serde(skip)]
    pub role_listed: bool,
}

impl SweepTarget {
    /// `name/role/region` (or `name/role`), the prefix of its output lines.
    pub fn label(&self) -> String {
        match &self.region {
            Some(r) => format!("{}/{}/{r}", self.account_name, self.role_name),
            None => format!("{}/{}", self.account_name, self.role_name),
        }
    }
}

/// Which targets a sweep takes.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `--account ID|NAME-GLOB` (repeatable; none: every account).
    pub accounts: Vec<String>,
    /// `--exclude ID|NAME-GLOB` (repeatable): accounts left out.
    pub exclude: Vec<String>,
    /// `--role GLOB` (repeatable; none: every role).
    pub roles: Vec<String>,
    /// `--regions r1,r2`: each account/role once per region (none: one target, no region).
    pub regions: Vec<String>,
    /// List the roles even when every `--role` is an exact name (for `--dry-run`, which shows
    /// only targets that exist).
    pub verify_roles: bool,
    /// The listing is being refreshed: cached role lists do not count.
    pub refresh: bool,
}

/// The targets of `selection`, sorted by account name, role, region. Served from the listing
/// cache when it is fresh (with `--role`, the cached role lists are enough). When every
/// `--role` is an exact name and the cache does not hold the accounts' roles, no role is
/// listed: each account gets a target per name, unverified (one GetRoleCredentials call per
/// target instead of a ListAccountRoles and a GetRoleCredentials).
pub async fn targets(
    listing: &Listing,
    session: &SsoSession,
    selection: &Selection,
) -> Result<Vec<SweepTarget>, ListingError> {
    let exclude: Vec<AccountPattern> = selection
        .exclude
        .iter()
        .map(|e| AccountPattern::new(e))
        .collect();
    let literal =
        !selection.roles.is_empty() && selection.roles.iter().all(|r| !r.contains(['*', '?', '[']));
    let role_listed =
        !literal || selection.verify_roles || roles_cached(listing, session, selection, &exclude);
    let mut items = if role_listed {
        let filter = Filter::new(&selection.accounts, &selection.roles);
        listing.roles(&filter).await?.collect().await?
    } else {
        let filter = Filter::new(&selection.accounts, &[] as &[&str]);
        let accounts = listing.accounts(&filter).await?.collect().await?;
        accounts
            .into_iter()
            .map(|account| AccountRoles {
                account,
                roles: selection.roles.clone(),
            })
            .collect()
    };
    items.retain(|i| !exclude.iter().any(|p| p.matches(&i.account)));
    sort_account_roles(&mut items);
    let regions: Vec<Option<String>> = if selection.regions.is_empty() {
        vec![None]
    } else {
        selection.regions.iter().cloned().map(Some).collect()
    };
    let mut out = Vec::new();
    for item in &items {
        for role in &item.roles {
            for region in &regions {
                out.push(SweepTarget {
                    account_id: item.account.account_id.clone(),
                    account_name: item.account.account_name.clone(),
                    role_name: role.clone(),
                    region: region.clone(),
                    role_listed,
                });
            }
        }
    }
    Ok(out)
}

/// Whether the listing cache holds a fresh account list and the roles of every account the
/// selection keeps.
fn roles_cached(
    listing: &Listing,
    session: &SsoSession,
    selection: &Selection,
    exclude: &[AccountPattern],
) -> bool {
    if selection.refresh {
        return false;
    }
    let now = crate::time::now();
    let filter = Filter::new(&selection.accounts, &[] as &[&str]);
    listing
        .cache()
        .load(session)
        .filter(|c| c.accounts_fresh(now, DEFAULT_MAX_AGE))
        .is_some_and(|c| {
            c.accounts
                .iter()
                .filter(|a| filter.keeps_account(&a.account))
                .filter(|a| !exclude.iter().any(|p| p.matches(&a.account)))
                .all(|a| {
                    c.fresh_roles(&a.account.account_id, now, DEFAULT_MAX_AGE)
                        .is_some()
                })
        })
}

/// The default number of targets run at once.
pub const DEFAULT_JOBS: usize = 16;

/// The default time a target may take (credentials and task together).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

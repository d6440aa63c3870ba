//! One command or one API call in every account: the targets a sweep reaches, and a bounded
//! runner that gets each target's credentials and runs a task on it.
//!
//! - [`Selection`] → [`targets`]: every account and role the login reaches (through
//!   [`Listing`](crate::listing::Listing), so a warm listing cache makes no role listing),
//!   narrowed by `--account`, `--exclude`, `--role`, multiplied by `--regions`.
//! - [`Runner`]: at most `jobs` targets at once, credentials through
//!   [`CredentialResolver`](crate::credentials::CredentialResolver) (served from the AWS CLI v2
//!   role cache when valid, else GetRoleCredentials paced and retried by the listing's
//!   [`Pacing`](crate::listing::Pacing)), a timeout per target, outcomes as a stream.
//! - [`command`]: the task of `sesame run -- CMD`: a child in its own process group with the
//!   target's credentials in its environment, output captured whole, the group killed on
//!   timeout or cancel.

pub mod command;
mod runner;

use std::time::Duration;

use serde::Serialize;

pub use runner::{Outcome, Runner, RunnerOptions, Succeeded, Sweep, TargetError};

use crate::listing::{AccountPattern, Filter, Listing, ListingError, sort_account_roles};

/// One place a sweep runs: a role in an account, in a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// The 12-digit account id.
    pub account_id: String,
    /// The account's name.
    pub account_name: String,
    /// The role (permission set) name.
    pub role_name: String,
    /// The region handed to the task (`AWS_REGION`), if any.
    pub region: Option<String>,
}

impl Target {
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
}

/// The targets of `selection`, sorted by account name, role, region. Served from the listing
/// cache when it is fresh (with `--role`, the cached role lists are enough).
pub async fn targets(
    listing: &Listing,
    selection: &Selection,
) -> Result<Vec<Target>, ListingError> {
    let filter = Filter::new(&selection.accounts, &selection.roles);
    let exclude: Vec<AccountPattern> = selection
        .exclude
        .iter()
        .map(|e| AccountPattern::new(e))
        .collect();
    let mut items = listing.roles(&filter).await?.collect().await?;
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
                out.push(Target {
                    account_id: item.account.account_id.clone(),
                    account_name: item.account.account_name.clone(),
                    role_name: role.clone(),
                    region: region.clone(),
                });
            }
        }
    }
    Ok(out)
}

/// The default number of targets run at once.
pub const DEFAULT_JOBS: usize = 16;

/// The default time a target may take (credentials and task together).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

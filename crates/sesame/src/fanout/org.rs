//! Targets from AWS Organizations with an assumed role (`sesame run --org --assume-role NAME`):
//! what automation runs with one identity (a CI's web identity, an instance role) instead of an
//! Identity Center login.
//!
//! - [`org_accounts`]: the organization's ACTIVE accounts (ListAccounts), or those of some OUs
//!   (ListAccountsForParent; with `recursive`, also of every OU below, found with
//!   ListOrganizationalUnitsForParent), through the [`AdminClient`] (signed AWS JSON 1.1, paced,
//!   retried).
//! - [`Assumer`]: STS AssumeRole of `arn:PARTITION:iam::ACCOUNT:role/NAME` with the caller's
//!   credentials, paced and retried like the listing ([`Pacing`]); a refusal is that target's
//!   failure, with STS's reason.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use jiff::SignedDuration;

use url::Url;

use super::SweepTarget;
use crate::admin::{Account, AdminClient, AdminError};
use crate::cache::RoleCredentials;
use crate::config::{AwsConfig, ServiceId, resolve_endpoint};
use crate::credentials::AwsCredentials;
use crate::env::Env;
use crate::pace::{PacerConfig, Pacing, RetryPolicy};
use crate::sts::{self, StsCall};

/// Which part of the organization a sweep takes.
#[derive(Debug, Clone, Default)]
pub struct OrgScope {
    /// `--ou ID` (repeatable): only accounts directly in these OUs (or roots); none: every
    /// account of the organization.
    pub ous: Vec<String>,
    /// `--ou-recursive`: also the accounts of every OU below them.
    pub recursive: bool,
}

/// The ACTIVE accounts of `scope`, sorted by name then id, each once.
pub async fn org_accounts(
    client: &AdminClient,
    scope: &OrgScope,
) -> Result<Vec<Account>, AdminError> {
    let mut found: Vec<Account> = Vec::new();
    if scope.ous.is_empty() {
        found = client.list_accounts().await?;
    } else {
        let mut parents: Vec<String> = scope.ous.clone();
        while let Some(parent) = parents.pop() {
            found.extend(client.list_accounts_for_parent(&parent).await?);
            if scope.recursive {
                for ou in client.list_organizational_units_for_parent(&parent).await? {
                    parents.push(ou.id);
                }
            }
        }
    }
    let mut by_id: BTreeMap<String, Account> = BTreeMap::new();
    for account in found.into_iter().filter(Account::is_active) {
        by_id.entry(account.id.clone()).or_insert(account);
    }
    let mut accounts: Vec<Account> = by_id.into_values().collect();
    accounts.sort_by_cached_key(|a| (a.name.to_lowercase(), a.id.clone()));
    Ok(accounts)
}

/// How the role is assumed in each account.
#[derive(Debug, Clone)]
pub struct AssumeOptions {
    /// The role's name (`--assume-role NAME`), the same in every account.
    pub role_name: String,
    /// `--external-id`.
    pub external_id: Option<String>,
    /// `--role-session-name` (default `sesame-run`).
    pub session_name: String,
    /// `--duration`, in seconds (default: the role's, an hour).
    pub duration_seconds: Option<u32>,
}

/// Assumes one role by name in many accounts, with the caller's credentials.
#[derive(Debug, Clone)]
pub struct Assumer {
    http: reqwest::Client,
    caller: AwsCredentials,
    endpoint: Url,
    region: String,
    partition: &'static str,
    options: AssumeOptions,
    pacing: Pacing,
    /// Each account's credentials, kept while its targets in other regions may still need
    /// them (only with [`Assumer::targets`] over more than one region): one AssumeRole per
    /// account, single-flight.
    reuse: Option<Arc<Mutex<HashMap<String, Slot>>>>,
}

/// One account's assumed credentials, filled by the first of its targets to ask.
type Slot = Arc<tokio::sync::Mutex<Option<RoleCredentials>>>;

/// Reused credentials must stay valid this long (a target's command runs with them).
const REUSE_MARGIN: SignedDuration = SignedDuration::from_mins(5);

impl Assumer {
    /// An assumer calling STS in `region` (its endpoint with botocore's overrides for
    /// `profile`), paced by `pacer` and retried by `retry`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        env: &Env,
        config: &AwsConfig,
        profile: Option<&str>,
        caller: AwsCredentials,
        region: &str,
        options: AssumeOptions,
        pacer: PacerConfig,
        retry: RetryPolicy,
    ) -> Result<Assumer, AdminError> {
        let endpoint = resolve_endpoint(ServiceId::Sts, region, env, config, profile)?;
        let ca_bundle = crate::http::CaBundle::resolve(env, config, profile);
        let http = crate::http::client_for(&endpoint, ca_bundle.as_ref())
            .map_err(|e| AdminError::Internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(Assumer {
            http,
            caller,
            endpoint,
            region: region.to_owned(),
            partition: partition_of(region),
            options,
            pacing: Pacing::new(pacer, retry),
            reuse: None,
        })
    }

    /// The role's ARN in `account_id`.
    pub fn role_arn(&self, account_id: &str) -> String {
        format!(
            "arn:{}:iam::{account_id}:role/{}",
            self.partition, self.options.role_name
        )
    }

    /// The targets of `accounts`, once per region (none: one target, no region). With more than
    /// one region, an account's targets share one AssumeRole.
    pub fn targets(&mut self, accounts: &[Account], regions: &[String]) -> Vec<SweepTarget> {
        if regions.len() > 1 {
            self.reuse = Some(Arc::default());
        }
        let regions: Vec<Option<String>> = if regions.is_empty() {
            vec![None]
        } else {
            regions.iter().cloned().map(Some).collect()
        };
        accounts
            .iter()
            .flat_map(|a| {
                regions.iter().map(|region| SweepTarget {
                    account_id: a.id.clone(),
                    account_name: a.name.clone(),
                    role_name: self.options.role_name.clone(),
                    region: region.clone(),
                    role_listed: true,
                })
            })
            .collect()
    }

    /// The pacing of the AssumeRole calls (its counters say what they did).
    pub fn pacing(&self) -> &Pacing {
        &self.pacing
    }

    /// The role's credentials in `account_id`, or STS's reason for refusing them.
    pub async fn assume(&self, account_id: &str) -> Result<RoleCredentials, String> {
        let Some(reuse) = &self.reuse else {
            return self.assume_now(account_id).await;
        };
        let slot: Slot = reuse
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(account_id.to_owned())
            .or_default()
            .clone();
        let mut held = slot.lock().await;
        if let Some(c) = held.as_ref()
            && c.valid_for(crate::time::now(), REUSE_MARGIN)
        {
            return Ok(c.clone());
        }
        let fresh = self.assume_now(account_id).await?;
        *held = Some(fresh.clone());
        Ok(fresh)
    }

    /// One AssumeRole call (paced, retried).
    async fn assume_now(&self, account_id: &str) -> Result<RoleCredentials, String> {
        let arn = self.role_arn(account_id);
        let mut params = vec![
            ("RoleArn", arn.clone()),
            ("RoleSessionName", self.options.session_name.clone()),
        ];
        if let Some(id) = &self.options.external_id {
            params.push(("ExternalId", id.clone()));
        }
        if let Some(d) = self.options.duration_seconds {
            params.push(("DurationSeconds", d.to_string()));
        }
        let answer = self
            .pacing
            .call("AssumeRole", || {
                let params = params.clone();
                async move {
                    sts::call(
                        &self.http,
                        StsCall {
                            endpoint: &self.endpoint,
                            region: &self.region,
                            operation: "AssumeRole",
                            params,
                            signer: Some(&self.caller),
                        },
                    )
                    .await
                }
            })
            .await
            .map_err(|e| format!("cannot assume {arn}: {e}"))?;
        let c = sts::credentials_of(&answer, "AssumeRole")
            .ok_or_else(|| format!("cannot assume {arn}: STS answered without credentials"))?;
        let expiration = c
            .expiration
            .ok_or_else(|| format!("cannot assume {arn}: STS gave no expiration"))?;
        let session_token = c
            .session_token
            .ok_or_else(|| format!("cannot assume {arn}: STS gave no session token"))?;
        Ok(RoleCredentials {
            access_key_id: c.access_key_id,
            secret_access_key: c.secret_access_key,
            session_token,
            expiration,
            account_id: Some(account_id.to_owned()),
        })
    }
}

/// The partition of `region` (what an ARN in it starts with).
pub fn partition_of(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_partition_follows_the_region() {
        assert_eq!(partition_of("eu-west-1"), "aws");
        assert_eq!(partition_of("cn-north-1"), "aws-cn");
        assert_eq!(partition_of("us-gov-west-1"), "aws-us-gov");
    }
}

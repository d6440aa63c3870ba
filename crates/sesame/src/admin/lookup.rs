//! Names ↔ ids for the things an administrator types: users, groups, permission sets, accounts
//! and Identity Center instances.

use serde::Serialize;

use super::AdminError;
use super::client::AdminClient;
use super::directory::Directory;
use super::filter::{PermissionSetSpec, PrincipalSpec, PrincipalType, TargetSpec};
use super::operations::InstanceRegion;

/// What [`lookup`] looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupKind {
    /// Identity store users (by id, user name, or glob).
    User,
    /// Identity store groups (by id, display name, or glob).
    Group,
    /// Users and groups alike (`USER:` / `GROUP:` prefixes allowed).
    Principal,
    /// Permission sets (by ARN, `ps-` id, name, or glob).
    PermissionSet,
    /// Accounts of the organization (by id, name, or glob).
    Account,
}

/// One thing found: its type, id and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Entry {
    /// `USER`, `GROUP`, `PERMISSION_SET`, `AWS_ACCOUNT` or `INSTANCE`.
    #[serde(rename = "type")]
    pub entry_type: &'static str,
    /// The id (an ARN for permission sets and instances).
    pub id: String,
    /// The name.
    pub name: Option<String>,
    /// For an instance: its identity store.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_store_id: Option<String>,
    /// For an instance: its primary Region (where its permission sets and assignments are
    /// read); the client's region for a single-Region instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_region: Option<String>,
    /// For an instance: its enabled Regions (ListRegions; the client's region alone for a
    /// single-Region instance).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<InstanceRegion>>,
}

/// Each of `values` translated: an id gives its name, a name its id, a glob every match. A
/// value that matches nothing (but a glob) is an error naming it.
pub async fn lookup(
    dir: &Directory,
    kind: LookupKind,
    values: &[String],
) -> Result<Vec<Entry>, AdminError> {
    let mut out = Vec::new();
    for text in values {
        match kind {
            LookupKind::User | LookupKind::Group | LookupKind::Principal => {
                let mut spec: PrincipalSpec = text.parse()?;
                let forced = match kind {
                    LookupKind::User => Some(PrincipalType::User),
                    LookupKind::Group => Some(PrincipalType::Group),
                    _ => None,
                };
                if let Some(k) = forced {
                    if spec.kind.is_some_and(|s| s != k) {
                        return Err(AdminError::UnknownPrincipal(text.clone()));
                    }
                    spec.kind = Some(k);
                }
                for p in dir.resolve_principals(&spec, text).await? {
                    out.push(Entry {
                        entry_type: p.principal_type.as_str(),
                        id: p.id,
                        name: Some(p.name),
                        identity_store_id: None,
                        primary_region: None,
                        regions: None,
                    });
                }
            }
            LookupKind::PermissionSet => {
                let spec: PermissionSetSpec = text.parse()?;
                for p in dir.resolve_permission_sets(&spec, text).await? {
                    out.push(Entry {
                        entry_type: "PERMISSION_SET",
                        id: p.permission_set_arn,
                        name: Some(p.name),
                        identity_store_id: None,
                        primary_region: None,
                        regions: None,
                    });
                }
            }
            LookupKind::Account => {
                let spec: TargetSpec = text.parse()?;
                if let TargetSpec::Ou(_) = spec {
                    return Err(AdminError::InvalidSpec {
                        what: "account",
                        value: text.clone(),
                        reason: "that is an OU id; give an account id, name or glob".into(),
                    });
                }
                for a in dir.resolve_targets(&spec, text, false).await? {
                    let name = match a.name {
                        Some(n) => n,
                        None => dir
                            .account_name(&a.id)
                            .await?
                            .ok_or_else(|| AdminError::UnknownTarget(text.clone()))?,
                    };
                    out.push(Entry {
                        entry_type: "AWS_ACCOUNT",
                        id: a.id,
                        name: Some(name),
                        identity_store_id: None,
                        primary_region: None,
                        regions: None,
                    });
                }
            }
        }
    }
    out.dedup();
    Ok(out)
}

/// The Identity Center instances of the client's region (ListInstances), each with its
/// identity store, primary Region and Regions (ListRegions; where that is not available, the
/// instance is single-Region in the client's region).
pub async fn instances(client: &AdminClient) -> Result<Vec<Entry>, AdminError> {
    let found = client.list_instances().await?;
    if found.is_empty() {
        return Err(AdminError::NoInstance {
            region: client.region().to_owned(),
        });
    }
    let mut out = Vec::new();
    for i in found {
        let regions = match client.list_regions(&i.instance_arn).await? {
            Some(regions) => regions,
            None => vec![InstanceRegion {
                name: client.region().to_owned(),
                status: None,
                primary: true,
            }],
        };
        let primary = regions.iter().find(|r| r.primary).map(|r| r.name.clone());
        out.push(Entry {
            entry_type: "INSTANCE",
            id: i.instance_arn,
            name: i.name,
            identity_store_id: Some(i.identity_store_id),
            primary_region: primary,
            regions: Some(regions),
        });
    }
    Ok(out)
}

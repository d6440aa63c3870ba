//! Names and ids: the instance, and the users, groups, permission sets and accounts behind the
//! ids the assignment APIs return, each looked up once per run (concurrent askers of the same
//! key share one call) and resolved from what a user types.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;
use tokio::task::JoinSet;

use super::filter::{
    PermissionSetSpec, PrincipalPattern, PrincipalSpec, PrincipalType, TargetSpec,
};
use super::operations::{Account, PermissionSet};
use super::{AdminClient, AdminError};

/// A user or group, with its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Principal {
    /// User or group.
    pub principal_type: PrincipalType,
    /// The identity store id.
    pub id: String,
    /// `UserName` for a user, `DisplayName` for a group.
    pub name: String,
}

/// An account to walk, with its name when the listing gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetAccount {
    /// The 12-digit id.
    pub id: String,
    /// The name, if known.
    pub name: Option<String>,
}

/// A once-per-key async cache.
struct Cache<K, V> {
    cells: Mutex<HashMap<K, Arc<OnceCell<V>>>>,
}

impl<K: Eq + Hash + Clone, V: Clone> Cache<K, V> {
    fn new() -> Self {
        Self {
            cells: Mutex::new(HashMap::new()),
        }
    }

    async fn get<F, Fut>(&self, key: &K, init: F) -> Result<V, AdminError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, AdminError>>,
    {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(|p| p.into_inner());
            cells.entry(key.clone()).or_default().clone()
        };
        cell.get_or_try_init(init).await.cloned()
    }

    fn put(&self, key: K, value: V) {
        let mut cells = self.cells.lock().unwrap_or_else(|p| p.into_inner());
        let cell = cells.entry(key).or_default();
        let _ = cell.set(value);
    }
}

/// The instance a run works on, and the per-run caches of names. Cheap to clone.
#[derive(Clone)]
pub struct Directory {
    inner: Arc<Inner>,
}

struct Inner {
    client: AdminClient,
    instance_arn: String,
    identity_store_id: String,
    principal_names: Cache<(PrincipalType, String), Option<String>>,
    permission_set_names: Cache<String, Option<String>>,
    account_names: Cache<String, Option<String>>,
    members: Cache<String, Arc<Vec<String>>>,
    all_accounts: Cache<(), Arc<Vec<Account>>>,
    all_permission_sets: Cache<(), Arc<Vec<PermissionSet>>>,
}

const NOT_FOUND: [&str; 2] = ["ResourceNotFoundException", "ValidationException"];

fn not_found(e: &AdminError) -> bool {
    NOT_FOUND.iter().any(|c| e.is_code(c))
}

impl Directory {
    /// The instance to work on: `instance_arn` and `identity_store_id` when both are given,
    /// otherwise found with ListInstances (the given ARN's, or the first, as aws-sso-lib). Its
    /// Regions are then asked once (ListRegions): when its primary Region is not the client's,
    /// the permission-set and assignment reads go there ([`AdminClient::in_primary_region`]),
    /// the Identity Store calls stay in the client's region.
    pub async fn open(
        client: AdminClient,
        instance_arn: Option<&str>,
        identity_store_id: Option<&str>,
    ) -> Result<Self, AdminError> {
        let (arn, store) = match (instance_arn, identity_store_id) {
            (Some(a), Some(s)) => (a.to_owned(), s.to_owned()),
            _ => {
                let instances = client.list_instances().await?;
                let found = match instance_arn {
                    Some(a) => instances.into_iter().find(|i| i.instance_arn == a),
                    None => instances.into_iter().next(),
                };
                let region = client.region().to_owned();
                let Some(i) = found else {
                    return Err(match instance_arn {
                        Some(arn) => AdminError::UnknownInstance {
                            arn: arn.to_owned(),
                            region,
                        },
                        None => AdminError::NoInstance { region },
                    });
                };
                (
                    i.instance_arn,
                    identity_store_id.map_or(i.identity_store_id, str::to_owned),
                )
            }
        };
        let client = match client.list_regions(&arn).await? {
            Some(regions) => match regions.iter().find(|r| r.primary) {
                Some(primary) => {
                    tracing::info!(
                        "instance {arn}: primary Region {}; permission sets and assignments \
                         read there, the identity store in {}",
                        primary.name,
                        client.region()
                    );
                    client.in_primary_region(&primary.name)?
                }
                None => {
                    tracing::info!(
                        "instance {arn}: ListRegions names no primary Region; everything read \
                         in {}",
                        client.region()
                    );
                    client
                }
            },
            None => {
                tracing::info!(
                    "instance {arn}: single-Region, everything read in {}",
                    client.region()
                );
                client
            }
        };
        Ok(Self {
            inner: Arc::new(Inner {
                client,
                instance_arn: arn,
                identity_store_id: store,
                principal_names: Cache::new(),
                permission_set_names: Cache::new(),
                account_names: Cache::new(),
                members: Cache::new(),
                all_accounts: Cache::new(),
                all_permission_sets: Cache::new(),
            }),
        })
    }

    /// The client.
    pub fn client(&self) -> &AdminClient {
        &self.inner.client
    }

    /// The instance's ARN.
    pub fn instance_arn(&self) -> &str {
        &self.inner.instance_arn
    }

    /// The identity store's id.
    pub fn identity_store_id(&self) -> &str {
        &self.inner.identity_store_id
    }

    /// A principal's name (`None` if the principal no longer exists).
    pub async fn principal_name(
        &self,
        kind: PrincipalType,
        id: &str,
    ) -> Result<Option<String>, AdminError> {
        let key = (kind, id.to_owned());
        self.inner
            .principal_names
            .get(&key, || async {
                let (c, store) = (self.client(), self.identity_store_id());
                let found = match kind {
                    PrincipalType::User => c.describe_user(store, id).await.map(|u| u.user_name),
                    PrincipalType::Group => {
                        c.describe_group(store, id).await.map(|g| g.display_name)
                    }
                };
                match found {
                    Ok(n) => Ok(Some(n)),
                    Err(e) if not_found(&e) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await
    }

    /// A permission set's name (`None` if it no longer exists).
    pub async fn permission_set_name(&self, arn: &str) -> Result<Option<String>, AdminError> {
        self.inner
            .permission_set_names
            .get(&arn.to_owned(), || async {
                match self
                    .client()
                    .describe_permission_set(self.instance_arn(), arn)
                    .await
                {
                    Ok(p) => Ok(Some(p.name)),
                    Err(e) if not_found(&e) => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await
    }

    /// An account's name (`None` if the organization does not know the account).
    pub async fn account_name(&self, id: &str) -> Result<Option<String>, AdminError> {
        self.inner
            .account_names
            .get(&id.to_owned(), || async {
                match self.client().describe_account(id).await {
                    Ok(a) => Ok(Some(a.name)),
                    Err(e) if e.is_code("AccountNotFoundException") => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await
    }

    /// The user ids in a group.
    pub async fn group_members(&self, group: &str) -> Result<Arc<Vec<String>>, AdminError> {
        self.inner
            .members
            .get(&group.to_owned(), || async {
                let ids = self
                    .client()
                    .list_group_members(self.identity_store_id(), group)
                    .await?;
                Ok(Arc::new(ids))
            })
            .await
    }

    /// Every account of the organization (listed once per run).
    pub async fn all_accounts(&self) -> Result<Arc<Vec<Account>>, AdminError> {
        let accounts = self
            .inner
            .all_accounts
            .get(&(), || async {
                Ok(Arc::new(self.client().list_accounts().await?))
            })
            .await?;
        for a in accounts.iter() {
            self.inner
                .account_names
                .put(a.id.clone(), Some(a.name.clone()));
        }
        Ok(accounts)
    }

    /// Every permission set of the instance with its name (described concurrently, once).
    pub async fn all_permission_sets(&self) -> Result<Arc<Vec<PermissionSet>>, AdminError> {
        self.inner
            .all_permission_sets
            .get(&(), || async {
                let arns = self
                    .client()
                    .list_permission_sets(self.instance_arn())
                    .await?;
                let mut tasks = JoinSet::new();
                for (i, arn) in arns.into_iter().enumerate() {
                    let dir = self.clone();
                    tasks.spawn(async move {
                        let name = dir.permission_set_name(&arn).await?;
                        Ok::<_, AdminError>((i, arn, name))
                    });
                }
                let mut out = Vec::new();
                while let Some(done) = tasks.join_next().await {
                    let (i, arn, name) = done.expect("a lookup task does not panic")?;
                    if let Some(name) = name {
                        out.push((
                            i,
                            PermissionSet {
                                permission_set_arn: arn,
                                name,
                            },
                        ));
                    }
                }
                out.sort_by_key(|(i, _)| *i);
                Ok(Arc::new(out.into_iter().map(|(_, p)| p).collect()))
            })
            .await
    }

    /// The principals a filter means. An id or a name that matches nothing is an error
    /// ([`AdminError::UnknownPrincipal`]); a glob may match nothing.
    pub async fn resolve_principals(
        &self,
        spec: &PrincipalSpec,
        text: &str,
    ) -> Result<Vec<Principal>, AdminError> {
        let kinds: &[PrincipalType] = match spec.kind {
            Some(PrincipalType::User) => &[PrincipalType::User],
            Some(PrincipalType::Group) => &[PrincipalType::Group],
            None => &[PrincipalType::User, PrincipalType::Group],
        };
        let (c, store) = (self.client(), self.identity_store_id());
        let mut out = Vec::new();
        for &kind in kinds {
            match &spec.pattern {
                PrincipalPattern::Id(id) => {
                    if let Some(name) = self.principal_name(kind, id).await? {
                        out.push(Principal {
                            principal_type: kind,
                            id: id.clone(),
                            name,
                        });
                    }
                }
                PrincipalPattern::Name(name) => {
                    let id = match kind {
                        PrincipalType::User => c.get_user_id(store, name).await?,
                        PrincipalType::Group => c.get_group_id(store, name).await?,
                    };
                    if let Some(id) = id {
                        self.inner
                            .principal_names
                            .put((kind, id.clone()), Some(name.clone()));
                        out.push(Principal {
                            principal_type: kind,
                            id,
                            name: name.clone(),
                        });
                    }
                }
                PrincipalPattern::Glob(glob) => {
                    let all: Vec<(String, String)> = match kind {
                        PrincipalType::User => c
                            .list_users(store)
                            .await?
                            .into_iter()
                            .map(|u| (u.user_id, u.user_name))
                            .collect(),
                        PrincipalType::Group => c
                            .list_groups(store)
                            .await?
                            .into_iter()
                            .map(|g| (g.group_id, g.display_name))
                            .collect(),
                    };
                    for (id, name) in all {
                        self.inner
                            .principal_names
                            .put((kind, id.clone()), Some(name.clone()));
                        if glob.matches(&name) {
                            out.push(Principal {
                                principal_type: kind,
                                id,
                                name,
                            });
                        }
                    }
                }
            }
        }
        if out.is_empty() && !matches!(spec.pattern, PrincipalPattern::Glob(_)) {
            return Err(AdminError::UnknownPrincipal(text.to_owned()));
        }
        out.sort();
        Ok(out)
    }

    /// The permission sets a filter means; an ARN, id or name that matches nothing is an error
    /// ([`AdminError::UnknownPermissionSet`]), a glob may match nothing.
    pub async fn resolve_permission_sets(
        &self,
        spec: &PermissionSetSpec,
        text: &str,
    ) -> Result<Vec<PermissionSet>, AdminError> {
        let unknown = || AdminError::UnknownPermissionSet(text.to_owned());
        let out: Vec<PermissionSet> = match spec {
            PermissionSetSpec::Arn(arn) => {
                let name = self.permission_set_name(arn).await?.ok_or_else(unknown)?;
                vec![PermissionSet {
                    permission_set_arn: arn.clone(),
                    name,
                }]
            }
            PermissionSetSpec::Id(id) => {
                let suffix = format!("/{id}");
                let all = self.all_permission_sets().await?;
                let found: Vec<PermissionSet> = all
                    .iter()
                    .filter(|p| p.permission_set_arn.ends_with(&suffix))
                    .cloned()
                    .collect();
                if found.is_empty() {
                    return Err(unknown());
                }
                found
            }
            PermissionSetSpec::Name(name) => {
                let all = self.all_permission_sets().await?;
                let found: Vec<PermissionSet> =
                    all.iter().filter(|p| &p.name == name).cloned().collect();
                if found.is_empty() {
                    return Err(unknown());
                }
                found
            }
            PermissionSetSpec::Glob(glob) => {
                let all = self.all_permission_sets().await?;
                all.iter()
                    .filter(|p| glob.matches(&p.name))
                    .cloned()
                    .collect()
            }
        };
        Ok(out)
    }

    /// The accounts a target filter means. Explicit account ids come back without a name (and
    /// are not checked, as aws-sso-lib); OUs are listed (their child OUs too with `recursive`);
    /// names and globs match the organization's account names. An OU or name that matches
    /// nothing is an error ([`AdminError::UnknownTarget`]).
    pub async fn resolve_targets(
        &self,
        spec: &TargetSpec,
        text: &str,
        recursive: bool,
    ) -> Result<Vec<TargetAccount>, AdminError> {
        let unknown = || AdminError::UnknownTarget(text.to_owned());
        let named = |a: &Account| TargetAccount {
            id: a.id.clone(),
            name: Some(a.name.clone()),
        };
        match spec {
            TargetSpec::Account(id) => Ok(vec![TargetAccount {
                id: id.clone(),
                name: None,
            }]),
            TargetSpec::Ou(ou) => {
                let mut out = Vec::new();
                let mut parents = vec![ou.clone()];
                while let Some(parent) = parents.pop() {
                    let accounts = match self.client().list_accounts_for_parent(&parent).await {
                        Err(e)
                            if e.is_code("ParentNotFoundException")
                                || e.is_code("InvalidInputException") =>
                        {
                            return Err(unknown());
                        }
                        r => r?,
                    };
                    for a in &accounts {
                        self.inner
                            .account_names
                            .put(a.id.clone(), Some(a.name.clone()));
                    }
                    out.extend(accounts.iter().map(named));
                    if recursive {
                        let children = self
                            .client()
                            .list_organizational_units_for_parent(&parent)
                            .await?;
                        parents.extend(children.into_iter().map(|o| o.id));
                    }
                }
                Ok(out)
            }
            TargetSpec::Name(name) => {
                let all = self.all_accounts().await?;
                let found: Vec<TargetAccount> =
                    all.iter().filter(|a| &a.name == name).map(named).collect();
                if found.is_empty() {
                    return Err(unknown());
                }
                Ok(found)
            }
            TargetSpec::Glob(glob) => {
                let all = self.all_accounts().await?;
                Ok(all
                    .iter()
                    .filter(|a| glob.matches(&a.name))
                    .map(named)
                    .collect())
            }
        }
    }
}

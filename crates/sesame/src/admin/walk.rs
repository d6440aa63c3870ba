//! The walk: accounts → permission sets provisioned to each → assignments of each pair,
//! concurrently (every call paced and retried by the client, [`AdminPacing`](super::AdminPacing)),
//! streaming [`Assignment`] values as they come.

use std::collections::HashSet;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use serde::Serialize;
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinSet};

use super::AdminError;
use super::directory::{Directory, TargetAccount};
use super::filter::{PermissionSetSpec, PrincipalSpec, PrincipalType, TargetSpec};
use super::operations::WireAssignment;
use crate::progress::ProgressSink;

/// One assignment: a principal has a permission set in an account. Field names are
/// aws-sso-lib's; the names are `None` unless asked for or known from the walk.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Assignment {
    /// The Identity Center instance.
    pub instance_arn: String,
    /// `USER` or `GROUP`.
    pub principal_type: PrincipalType,
    /// The user or group id.
    pub principal_id: String,
    /// `UserName` or the group's `DisplayName` (with names).
    pub principal_name: Option<String>,
    /// The permission set.
    pub permission_set_arn: String,
    /// Its name (with names).
    pub permission_set_name: Option<String>,
    /// Always `AWS_ACCOUNT` (assignments are made to accounts).
    pub target_type: &'static str,
    /// The account id.
    pub target_id: String,
    /// The account's name: with names, or when the walk listed the accounts (all accounts, an
    /// OU, a name glob), as aws-sso-lib.
    pub target_name: Option<String>,
    /// For a row added by `expand_groups`: the group the user has this access through.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_group_id: Option<String>,
    /// That group's name (with names).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via_group_name: Option<String>,
}

/// What to list. Every filter list is "any of"; an empty list does not filter.
#[derive(Debug, Clone, Default)]
pub struct AssignmentQuery {
    /// Principals: ids, `USER:id` / `GROUP:id`, user or group names, or name globs.
    pub principals: Vec<String>,
    /// Permission sets: ARNs, `ps-` ids, names, or name globs.
    pub permission_sets: Vec<String>,
    /// Targets: account ids, OU (or root) ids, account names, or name globs.
    pub targets: Vec<String>,
    /// An OU target includes the accounts of its child OUs, all the way down.
    pub ou_recursive: bool,
    /// Fill principal, permission set and account names.
    pub names: bool,
    /// Add, for each group assignment, a row per member user (`via_group_id` set). With a
    /// principal filter, a member's row is kept when the user or the group matches.
    pub expand_groups: bool,
    /// Told of the accounts to walk (once the targets are resolved) and of each account walked.
    pub progress: ProgressSink,
}

/// Everything a walk task needs, resolved.
struct Plan {
    dir: Directory,
    principals: Option<HashSet<(PrincipalType, String)>>,
    permission_sets: Option<HashSet<String>>,
    names: bool,
    expand_groups: bool,
    progress: ProgressSink,
}

enum Message {
    Row(Box<Assignment>),
    Failed(AdminError),
    Done,
}

/// The assignments of a walk, as they come (in no particular order). A [`futures_core::Stream`]
/// of `Result<Assignment, AdminError>`, or call [`next`](Self::next); after an error nothing
/// more comes. Dropping it stops the walk.
pub struct AssignmentStream {
    rx: mpsc::Receiver<Message>,
    driver: AbortHandle,
    finished: bool,
}

impl AssignmentStream {
    /// The next assignment; `None` at the end.
    pub async fn next(&mut self) -> Option<Result<Assignment, AdminError>> {
        std::future::poll_fn(|cx| self.poll(cx)).await
    }

    /// Every assignment, or the first error.
    pub async fn collect(mut self) -> Result<Vec<Assignment>, AdminError> {
        let mut out = Vec::new();
        while let Some(row) = self.next().await {
            out.push(row?);
        }
        Ok(out)
    }

    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Assignment, AdminError>>> {
        if self.finished {
            return Poll::Ready(None);
        }
        match self.rx.poll_recv(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Message::Row(a))) => Poll::Ready(Some(Ok(*a))),
            Poll::Ready(Some(Message::Failed(e))) => {
                self.finished = true;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(Some(Message::Done)) => {
                self.finished = true;
                Poll::Ready(None)
            }
            Poll::Ready(None) => {
                self.finished = true;
                Poll::Ready(Some(Err(AdminError::Internal(
                    "the walk ended without finishing".into(),
                ))))
            }
        }
    }
}

impl futures_core::Stream for AssignmentStream {
    type Item = Result<Assignment, AdminError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll(cx)
    }
}

impl Drop for AssignmentStream {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

/// Lists the assignments `query` asks for in `dir`'s instance. The filters are resolved first,
/// so an unknown principal, permission set or target is an error here, before any row; the
/// walk then runs in the background, feeding the stream. Needs a Tokio runtime.
pub async fn list_assignments(
    dir: &Directory,
    query: &AssignmentQuery,
) -> Result<AssignmentStream, AdminError> {
    let principals = if query.principals.is_empty() {
        None
    } else {
        let mut set = HashSet::new();
        for text in &query.principals {
            let spec: PrincipalSpec = text.parse()?;
            for p in dir.resolve_principals(&spec, text).await? {
                set.insert((p.principal_type, p.id));
            }
        }
        Some(set)
    };
    let permission_sets = if query.permission_sets.is_empty() {
        None
    } else {
        let mut set = HashSet::new();
        for text in &query.permission_sets {
            let spec: PermissionSetSpec = text.parse()?;
            for p in dir.resolve_permission_sets(&spec, text).await? {
                set.insert(p.permission_set_arn);
            }
        }
        Some(set)
    };
    let accounts = if query.targets.is_empty() {
        dir.all_accounts()
            .await?
            .iter()
            .map(|a| TargetAccount {
                id: a.id.clone(),
                name: Some(a.name.clone()),
            })
            .collect()
    } else {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for text in &query.targets {
            let spec: TargetSpec = text.parse()?;
            for a in dir.resolve_targets(&spec, text, query.ou_recursive).await? {
                if seen.insert(a.id.clone()) {
                    out.push(a);
                }
            }
        }
        out
    };
    let plan = Arc::new(Plan {
        dir: dir.clone(),
        principals,
        permission_sets,
        names: query.names,
        expand_groups: query.expand_groups,
        progress: query.progress.clone(),
    });
    plan.progress.found(accounts.len() as u64);
    let (tx, rx) = mpsc::channel(256);
    let driver = tokio::spawn(drive(plan, accounts, tx)).abort_handle();
    Ok(AssignmentStream {
        rx,
        driver,
        finished: false,
    })
}

/// Walks the accounts, a few at a time (twice the requests allowed in flight) so that rows flow
/// from the first accounts while the later ones wait, rather than every account's first call
/// queueing ahead of every second call.
async fn drive(plan: Arc<Plan>, accounts: Vec<TargetAccount>, tx: mpsc::Sender<Message>) {
    let window = plan.dir.client().pacing().concurrency.max(1) * 2;
    let mut pending = accounts.into_iter();
    let mut tasks = JoinSet::new();
    for account in pending.by_ref().take(window) {
        tasks.spawn(walk_account(plan.clone(), Arc::new(account), tx.clone()));
    }
    while let Some(done) = tasks.join_next().await {
        if let Some(account) = pending.next() {
            tasks.spawn(walk_account(plan.clone(), Arc::new(account), tx.clone()));
        }
        let failure = match done {
            Ok(Ok(())) => {
                plan.progress.done(1);
                continue;
            }
            Ok(Err(e)) => e,
            Err(e) => AdminError::Internal(e.to_string()),
        };
        let _ = tx.send(Message::Failed(failure)).await;
        return;
    }
    let _ = tx.send(Message::Done).await;
}

async fn walk_account(
    plan: Arc<Plan>,
    account: Arc<TargetAccount>,
    tx: mpsc::Sender<Message>,
) -> Result<(), AdminError> {
    let dir = &plan.dir;
    let provisioned = dir
        .client()
        .list_permission_sets_provisioned_to_account(dir.instance_arn(), &account.id)
        .await?;
    let mut seen = HashSet::new();
    let mut tasks = JoinSet::new();
    for ps in provisioned {
        let wanted = plan
            .permission_sets
            .as_ref()
            .is_none_or(|set| set.contains(&ps));
        if wanted && seen.insert(ps.clone()) {
            tasks.spawn(walk_pair(plan.clone(), account.clone(), ps, tx.clone()));
        }
    }
    while let Some(done) = tasks.join_next().await {
        done.map_err(|e| AdminError::Internal(e.to_string()))??;
    }
    Ok(())
}

async fn walk_pair(
    plan: Arc<Plan>,
    account: Arc<TargetAccount>,
    permission_set: String,
    tx: mpsc::Sender<Message>,
) -> Result<(), AdminError> {
    let dir = &plan.dir;
    let rows = dir
        .client()
        .list_account_assignments(dir.instance_arn(), &account.id, &permission_set)
        .await?;
    for wire in rows {
        let kind =
            PrincipalType::parse(&wire.principal_type).ok_or_else(|| AdminError::BadResponse {
                operation: "ListAccountAssignments",
                endpoint: String::new(),
                reason: format!("unknown PrincipalType `{}`", wire.principal_type),
            })?;
        let matches = |k: PrincipalType, id: &str| {
            plan.principals
                .as_ref()
                .is_none_or(|set| set.contains(&(k, id.to_owned())))
        };
        let group_matches = matches(kind, &wire.principal_id);
        if group_matches {
            let row = plan
                .row(&account, &wire, kind, &wire.principal_id, None)
                .await?;
            if tx.send(Message::Row(Box::new(row))).await.is_err() {
                return Ok(());
            }
        }
        if plan.expand_groups && kind == PrincipalType::Group {
            let members = dir.group_members(&wire.principal_id).await?;
            for user in members.iter() {
                if !(group_matches || matches(PrincipalType::User, user)) {
                    continue;
                }
                let row = plan
                    .row(
                        &account,
                        &wire,
                        PrincipalType::User,
                        user,
                        Some(&wire.principal_id),
                    )
                    .await?;
                if tx.send(Message::Row(Box::new(row))).await.is_err() {
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}

impl Plan {
    async fn row(
        &self,
        account: &TargetAccount,
        wire: &WireAssignment,
        kind: PrincipalType,
        principal: &str,
        via_group: Option<&str>,
    ) -> Result<Assignment, AdminError> {
        let dir = &self.dir;
        let (principal_name, permission_set_name, via_group_name) = if self.names {
            let via = match via_group {
                Some(g) => dir.principal_name(PrincipalType::Group, g).await?,
                None => None,
            };
            (
                dir.principal_name(kind, principal).await?,
                dir.permission_set_name(&wire.permission_set_arn).await?,
                via,
            )
        } else {
            (None, None, None)
        };
        let target_name = match &account.name {
            Some(n) => Some(n.clone()),
            None if self.names => dir.account_name(&account.id).await?,
            None => None,
        };
        Ok(Assignment {
            instance_arn: dir.instance_arn().to_owned(),
            principal_type: kind,
            principal_id: principal.to_owned(),
            principal_name,
            permission_set_arn: wire.permission_set_arn.clone(),
            permission_set_name,
            target_type: "AWS_ACCOUNT",
            target_id: account.id.clone(),
            target_name,
            via_group_id: via_group.map(str::to_owned),
            via_group_name,
        })
    }
}

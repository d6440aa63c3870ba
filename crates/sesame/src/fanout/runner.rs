//! The bounded runner: credentials then the task, for at most `jobs` targets at once.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt as _;
use tokio::sync::mpsc;

use super::org::Assumer;
use super::{DEFAULT_JOBS, DEFAULT_TIMEOUT, SweepTarget};
use crate::cache::RoleCredentials;
use crate::credentials::{CredentialResolver, CredentialsError, RoleTarget};
use crate::listing::Pacing;
use crate::pace::Deadline;
use crate::sso::SsoSession;
use crate::time;

/// How a [`Runner`] runs.
#[derive(Debug, Clone)]
pub struct RunnerOptions {
    /// Targets in flight at most.
    pub jobs: usize,
    /// How long one target may take, credentials included.
    pub timeout: Duration,
    /// Start no more targets after the first failure (those in flight finish).
    pub fail_fast: bool,
    /// The command's overall deadline (`SESAME_DEADLINE`): no target starts after it, and a
    /// target still running then is stopped as at its timeout (a command's process group
    /// killed). `None`: none.
    pub deadline: Option<Deadline>,
}

impl Default for RunnerOptions {
    fn default() -> Self {
        Self {
            jobs: DEFAULT_JOBS,
            timeout: DEFAULT_TIMEOUT,
            fail_fast: false,
            deadline: None,
        }
    }
}

/// Whether a task's result counts as a success (a command's exit code 0, an HTTP 2xx).
pub trait Succeeded {
    /// Whether it succeeded.
    fn succeeded(&self) -> bool;
}

/// Why a target has no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Its credentials could not be had.
    #[error("no credentials: {0}")]
    Credentials(String),
    /// It took longer than the timeout (a command's process group was killed).
    #[error("timed out after {}s", .0.as_secs_f64())]
    TimedOut(Duration),
    /// It was still running when the command's deadline passed (stopped as at a timeout).
    #[error("stopped: the deadline of {}s passed (SESAME_DEADLINE)", .0.as_secs())]
    DeadlinePassed(Duration),
    /// The task could not run (e.g. the command was not found).
    #[error("{0}")]
    Task(String),
    /// The account has no such role (a `--role NAME` target made without listing roles):
    /// skipped, neither a success nor a failure.
    #[error("no such role in this account")]
    NoSuchRole,
}

/// What happened at one target.
#[derive(Debug, Clone)]
pub struct Outcome<T> {
    /// The target.
    pub target: SweepTarget,
    /// How long it took, credentials included.
    pub duration: Duration,
    /// The task's result, or why there is none.
    pub result: Result<T, TargetError>,
}

impl<T: Succeeded> Outcome<T> {
    /// Whether the target succeeded.
    pub fn ok(&self) -> bool {
        matches!(&self.result, Ok(r) if r.succeeded())
    }

    /// Whether the target turned out not to exist (the account has no such role).
    pub fn skipped(&self) -> bool {
        matches!(&self.result, Err(TargetError::NoSuchRole))
    }
}

/// Runs a task on many targets, each with its role credentials.
#[derive(Debug, Clone)]
pub struct Runner {
    source: Source,
    options: RunnerOptions,
}

/// A login's credentials: the resolver, the listing's pacing, the session.
#[derive(Debug, Clone)]
struct SsoSource {
    resolver: CredentialResolver,
    pacing: Pacing,
    session: SsoSession,
}

/// Where a target's credentials come from.
#[derive(Debug, Clone)]
enum Source {
    /// The Identity Center login: GetRoleCredentials (or the role cache).
    Sso(Box<SsoSource>),
    /// AssumeRole with the caller's credentials (`--org --assume-role`).
    Assume(Arc<Assumer>),
}

impl Runner {
    /// A runner for targets of `session`; `pacing` is the listing's (one rate per endpoint).
    pub fn new(
        resolver: CredentialResolver,
        pacing: Pacing,
        session: SsoSession,
        options: RunnerOptions,
    ) -> Self {
        Self {
            source: Source::Sso(Box::new(SsoSource {
                resolver,
                pacing,
                session,
            })),
            options,
        }
    }

    /// A runner whose targets' credentials are `assumer`'s role in each account.
    pub fn assuming(assumer: Assumer, options: RunnerOptions) -> Self {
        Self {
            source: Source::Assume(Arc::new(assumer)),
            options,
        }
    }

    /// Starts the sweep: outcomes arrive on the returned [`Sweep`] as targets complete.
    pub fn start<T, F, Fut>(&self, targets: Vec<SweepTarget>, task: F) -> Sweep<T>
    where
        T: Succeeded + Send + 'static,
        F: Fn(SweepTarget, RoleCredentials) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<T, TargetError>> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel(targets.len().max(1));
        let stopped = Arc::new(AtomicBool::new(false));
        let me = self.clone();
        let task = Arc::new(task);
        let stop = stopped.clone();
        let fail_fast = self.options.fail_fast;
        let jobs = self.options.jobs.max(1);
        let deadline = self.options.deadline;
        let driver = tokio::spawn(async move {
            let stop_in = stop.clone();
            let work = futures_util::stream::iter(targets)
                .take_while(move |_| {
                    let passed = deadline.is_some_and(|d| tokio::time::Instant::now() >= d.at);
                    let go = !stop_in.load(Ordering::SeqCst) && !passed;
                    async move { go }
                })
                .map(|target| {
                    let me = me.clone();
                    let task = task.clone();
                    async move { me.one(target, &*task).await }
                })
                .buffer_unordered(jobs);
            futures_util::pin_mut!(work);
            while let Some(outcome) = work.next().await {
                if fail_fast && !outcome.ok() && !outcome.skipped() {
                    stop.store(true, Ordering::SeqCst);
                }
                if tx.send(outcome).await.is_err() {
                    break;
                }
            }
        });
        Sweep {
            rx,
            driver,
            stopped,
        }
    }

    async fn one<T, F, Fut>(&self, target: SweepTarget, task: &F) -> Outcome<T>
    where
        F: Fn(SweepTarget, RoleCredentials) -> Fut,
        Fut: Future<Output = Result<T, TargetError>>,
    {
        let started = Instant::now();
        let timeout = self.options.timeout;
        let work = async {
            let creds = self.credentials(&target).await?;
            task(target.clone(), creds).await
        };
        // The target's own timeout, or the command's deadline when that comes first.
        let left = self.options.deadline.map(|d| {
            (
                d.at.saturating_duration_since(tokio::time::Instant::now()),
                d.after,
            )
        });
        let (limit, cut) = match left {
            Some((left, after)) if left < timeout => (left, TargetError::DeadlinePassed(after)),
            _ => (timeout, TargetError::TimedOut(timeout)),
        };
        let result = match tokio::time::timeout(limit, work).await {
            Ok(r) => r,
            Err(_) => Err(cut),
        };
        Outcome {
            target,
            duration: started.elapsed(),
            result,
        }
    }

    /// The cached entry while valid (no pacing, no network), else a paced, retried fetch
    /// through the resolver (single-flight with any other process).
    async fn credentials(&self, target: &SweepTarget) -> Result<RoleCredentials, TargetError> {
        let (resolver, pacing, session) = match &self.source {
            Source::Sso(s) => (&s.resolver, &s.pacing, &s.session),
            Source::Assume(assumer) => {
                return assumer
                    .assume(&target.account_id)
                    .await
                    .map_err(TargetError::Credentials);
            }
        };
        let role = RoleTarget::new(session.clone(), &target.account_id, &target.role_name);
        let key = role.cache_key(&target.account_id);
        if let Ok(Some(c)) = resolver.cache().load(&key)
            && c.valid_for(time::now(), resolver.margin())
        {
            return Ok(c);
        }
        let fetched = pacing
            .call("GetRoleCredentials", || {
                let resolver = resolver.clone();
                let role = role.clone();
                async move {
                    match resolver.credentials(&role).await {
                        Ok(c) => Ok(Ok(c)),
                        // Portal failures go back to the pacing: throttles slow it down and
                        // are retried.
                        Err(CredentialsError::Sso(e)) => Err(e),
                        Err(other) => Ok(Err(other)),
                    }
                }
            })
            .await;
        match fetched {
            Ok(Ok(c)) => Ok(c),
            Ok(Err(CredentialsError::NoAccess { .. })) if !target.role_listed => {
                Err(TargetError::NoSuchRole)
            }
            Ok(Err(e)) => Err(TargetError::Credentials(e.to_string())),
            Err(e) => Err(TargetError::Credentials(e.to_string())),
        }
    }
}

/// A running sweep: its outcomes as targets complete. Dropping it (or [`Sweep::cancel`]) stops
/// it: tasks in flight are dropped, which kills their commands' process groups.
#[derive(Debug)]
pub struct Sweep<T> {
    rx: mpsc::Receiver<Outcome<T>>,
    driver: tokio::task::JoinHandle<()>,
    stopped: Arc<AtomicBool>,
}

impl<T> Sweep<T> {
    /// The next outcome, or `None` when every started target has one.
    pub async fn next(&mut self) -> Option<Outcome<T>> {
        self.rx.recv().await
    }

    /// Whether a failure stopped the sweep early (`fail_fast`).
    pub fn stopped_early(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    /// Stops the sweep and waits until every task in flight is gone (its commands killed).
    pub async fn cancel(mut self) {
        self.driver.abort();
        let _ = (&mut self.driver).await;
    }
}

impl<T> Drop for Sweep<T> {
    fn drop(&mut self) {
        self.driver.abort();
    }
}

//! The task of `sesame run -- CMD`: one child per target, its credentials in its environment.

use std::ffi::OsString;
use std::process::Stdio;

use tokio::io::AsyncReadExt as _;

use super::{Succeeded, SweepTarget, TargetError};
use crate::cache::RoleCredentials;
use crate::credentials::ChildEnv;

/// What a command did at one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    /// Its exit code (`128 + N` when a signal N ended it).
    pub exit_code: i32,
    /// Its standard output, whole.
    pub stdout: Vec<u8>,
    /// Its standard error, whole.
    pub stderr: Vec<u8>,
}

impl Succeeded for CommandOutput {
    fn succeeded(&self) -> bool {
        self.exit_code == 0
    }
}

/// The environment a child at `target` gets ([`ChildEnv`]): the credentials, the region, and
/// who it is (`SESAME_ACCOUNT_ID`, `SESAME_ACCOUNT_NAME`, `SESAME_ROLE_NAME`).
pub fn child_env(target: &SweepTarget, creds: &RoleCredentials) -> ChildEnv {
    ChildEnv::of_role(creds, target.region.as_deref())
        .with("SESAME_ACCOUNT_ID", target.account_id.clone())
        .with("SESAME_ACCOUNT_NAME", target.account_name.clone())
        .with("SESAME_ROLE_NAME", target.role_name.clone())
}

/// Kills the child's process group unless it was reaped: on timeout, on cancel, on drop.
struct GroupGuard {
    pgid: Option<i32>,
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pgid) = self.pgid.take() {
            kill_group(pgid);
        }
    }
}

#[cfg(unix)]
fn kill_group(pgid: i32) {
    if let Some(pid) = rustix::process::Pid::from_raw(pgid) {
        // Gone already is fine.
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

#[cfg(not(unix))]
fn kill_group(_pgid: i32) {}

/// Runs `argv` at `target`: stdin empty, stdout and stderr captured whole, in a process group
/// of its own (a terminal's Ctrl-C reaches sesame, which ends the groups). Dropping the future
/// kills the group.
pub async fn run(
    argv: &[OsString],
    target: &SweepTarget,
    creds: &RoleCredentials,
) -> Result<CommandOutput, TargetError> {
    let Some((program, args)) = argv.split_first() else {
        return Err(TargetError::Task("no command".into()));
    };
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    child_env(target, creds).apply(cmd.as_std_mut());
    #[cfg(unix)]
    cmd.process_group(0);
    let shown = program.to_string_lossy();
    let mut child = cmd.spawn().map_err(|e| {
        TargetError::Task(match e.kind() {
            std::io::ErrorKind::NotFound => format!("command `{shown}` not found"),
            _ => format!("cannot run `{shown}`: {e}"),
        })
    })?;
    let mut guard = GroupGuard {
        pgid: child.id().map(|p| p as i32),
    };
    let mut out = child.stdout.take().expect("piped stdout");
    let mut err = child.stderr.take().expect("piped stderr");
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let (status, _, _) = tokio::join!(
        child.wait(),
        out.read_to_end(&mut stdout),
        err.read_to_end(&mut stderr)
    );
    let status = status.map_err(|e| TargetError::Task(format!("waiting for `{shown}`: {e}")))?;
    // Reaped: the pgid may be reused now, so the guard must not signal it. Anything the child
    // left running in its group held no pipe (else read_to_end would still wait).
    guard.pgid = None;
    Ok(CommandOutput {
        exit_code: exit_code(status),
        stdout,
        stderr,
    })
}

fn exit_code(status: std::process::ExitStatus) -> i32 {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(sig) = status.signal() {
            return 128 + sig;
        }
    }
    status.code().unwrap_or(1)
}

#[cfg(all(test, unix))]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::secret::Secret;

    fn target() -> SweepTarget {
        SweepTarget {
            account_id: "111122223333".into(),
            account_name: "Acme Prod".into(),
            role_name: "ReadOnlyAccess".into(),
            region: Some("eu-west-1".into()),
            role_listed: true,
        }
    }

    fn creds() -> RoleCredentials {
        RoleCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("s3cr3t"),
            session_token: Secret::new("t0ken"),
            expiration: jiff::Timestamp::from_second(4_000_000_000).unwrap(),
            account_id: None,
        }
    }

    #[tokio::test]
    async fn the_child_gets_its_target_in_its_environment_not_its_argv() {
        let argv: Vec<OsString> = ["sh", "-c", "env; echo \"args: $*\"; exit 7", "sh"]
            .map(OsString::from)
            .into();
        let out = run(&argv, &target(), &creds()).await.unwrap();
        assert_eq!(out.exit_code, 7);
        let text = String::from_utf8(out.stdout).unwrap();
        for line in [
            "AWS_ACCESS_KEY_ID=ASIAEXAMPLE",
            "AWS_SECRET_ACCESS_KEY=s3cr3t",
            "AWS_SESSION_TOKEN=t0ken",
            "AWS_REGION=eu-west-1",
            "AWS_DEFAULT_REGION=eu-west-1",
            "SESAME_ACCOUNT_ID=111122223333",
            "SESAME_ACCOUNT_NAME=Acme Prod",
            "SESAME_ROLE_NAME=ReadOnlyAccess",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} not in:\n{text}");
        }
        assert!(text.contains("args: \n"), "{text}");
    }

    #[tokio::test]
    async fn dropping_the_run_kills_the_whole_process_group() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("grandchild");
        // The shell starts a grandchild that would outlive it, then waits.
        let script = format!("sleep 60 & echo $! > {}; wait", pidfile.display());
        let argv: Vec<OsString> = ["sh", "-c", &script].map(OsString::from).into();
        let (target, creds) = (target(), creds());
        let r = tokio::time::timeout(Duration::from_millis(500), run(&argv, &target, &creds)).await;
        assert!(r.is_err(), "still running at the timeout");
        let pid = std::fs::read_to_string(&pidfile).unwrap();
        let gone = |pid: &str| match std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())) {
            Err(_) => true,
            Ok(stat) => stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        };
        for _ in 0..100 {
            if gone(&pid) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the grandchild {pid} survived");
    }
}

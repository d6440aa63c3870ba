//! What every command works from: the environment, and sesame's own settings read from it and
//! from the global flags once, in `main`, before any command runs.

use std::io::IsTerminal as _;
use std::time::Duration;

use sesame::config::AwsConfig;
use sesame::env::Env;
use sesame::listing::RetryPolicy;
use sesame::pace::Deadline;
use sesame::sso::{SessionSelector, SsoSession};

use crate::cli::{GlobalArgs, SessionArgs};
use crate::error::CliError;

/// `SESAME_MAX_ATTEMPTS`: attempts per call (the first included) at most; calls are retried for
/// a time budget ([`RetryPolicy::DEFAULT_RETRY_FOR`]), this bounds the attempts in it too.
const MAX_ATTEMPTS_VAR: &str = "SESAME_MAX_ATTEMPTS";
/// `SESAME_DEADLINE`: how long a command's paced calls may take in all (`90`, `90s`, `15m`,
/// `2h`; `none` for no deadline).
const DEADLINE_VAR: &str = "SESAME_DEADLINE";
/// The deadline of `accounts`, `roles`, `populate` and `admin` unless `SESAME_DEADLINE` says.
const DEFAULT_DEADLINE: Duration = Duration::from_secs(30 * 60);

/// The environment and the settings resolved from it; every command receives it.
pub(crate) struct Context {
    pub(crate) env: Env,
    /// `-v` given this many times: 0 warnings only, 1 info, 2 debug, 3 trace.
    pub(crate) verbosity: u8,
    /// `SESAME_LOG`: an env-filter directive that replaces the one `-v` gives.
    pub(crate) log_filter: Option<String>,
    /// The browser a login or `sesame console` opens.
    pub(crate) browser: Browser,
    /// Whether a person can answer a question: stdin and stderr are terminals.
    pub(crate) interactive: bool,
    /// Whether long calls show progress on stderr: it is a terminal and `-q` is not given.
    pub(crate) progress: bool,
    /// `SESAME_MAX_ATTEMPTS`, checked here; a bad value is reported by the commands that retry
    /// (so that `sesame login` does not fail on a setting it does not use).
    max_attempts: Result<Option<u32>, String>,
    /// `SESAME_DEADLINE`, checked here likewise: `Some(None)` is `none`.
    deadline: Result<Option<Option<Duration>>, String>,
}

/// Whether and how to open a browser.
#[derive(Debug, Clone)]
pub(crate) struct Browser {
    /// False with `AWS_SSO_DISABLE_BROWSER` (the AWS CLI's variable).
    pub(crate) open: bool,
    /// `BROWSER`: the command to run (else the system's browser).
    pub(crate) command: Option<String>,
}

impl Context {
    /// The context of this process: its environment and the global flags.
    pub(crate) fn from_process(global: &GlobalArgs) -> Self {
        let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        let progress = std::io::stderr().is_terminal() && !global.quiet;
        Self::new(Env::from_process(), global.verbose, interactive, progress)
    }

    pub(crate) fn new(env: Env, verbosity: u8, interactive: bool, progress: bool) -> Self {
        let max_attempts = match env.var(MAX_ATTEMPTS_VAR) {
            None => Ok(None),
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .map(Some)
                .ok_or_else(|| v.to_owned()),
        };
        let deadline = match env.var(DEADLINE_VAR) {
            None => Ok(None),
            Some(v) => parse_deadline(v).map(Some).ok_or_else(|| v.to_owned()),
        };
        Self {
            deadline,
            verbosity,
            log_filter: env.var("SESAME_LOG").map(str::to_owned),
            browser: Browser {
                open: !env.flag("AWS_SSO_DISABLE_BROWSER"),
                command: env.var("BROWSER").map(str::to_owned),
            },
            interactive,
            progress,
            max_attempts,
            env,
        }
    }

    /// The retry policy of every paced client (listing, `admin`), with `SESAME_MAX_ATTEMPTS`
    /// if set, and the command's deadline (`SESAME_DEADLINE`, else 30 minutes) from now.
    pub(crate) fn retry(&self) -> Result<RetryPolicy, CliError> {
        let mut retry = self.retry_without_default_deadline()?;
        if retry.deadline.is_none() && matches!(self.deadline, Ok(None)) {
            retry.deadline = Some(Deadline::after(DEFAULT_DEADLINE));
        }
        Ok(retry)
    }

    /// The retry policy of `run`, whose children may run for hours: a deadline only when
    /// `SESAME_DEADLINE` sets one (each child has its own `--timeout`).
    pub(crate) fn retry_without_default_deadline(&self) -> Result<RetryPolicy, CliError> {
        let mut retry = RetryPolicy::default();
        match &self.deadline {
            Ok(Some(d)) => retry.deadline = d.map(Deadline::after),
            Ok(None) => {}
            Err(v) => {
                return Err(CliError::user(anyhow::anyhow!(
                    "{DEADLINE_VAR}={v} is not a duration"
                ))
                .hint(format!(
                    "set {DEADLINE_VAR} to seconds or a number with s, m or h (e.g. 45m), or none"
                )));
            }
        }
        match &self.max_attempts {
            Ok(None) => {}
            Ok(Some(n)) => retry.max_attempts = Some(*n),
            Err(v) => {
                return Err(CliError::user(anyhow::anyhow!(
                    "{MAX_ATTEMPTS_VAR}={v} is not a whole number of at least 1"
                ))
                .hint(format!("unset {MAX_ATTEMPTS_VAR}, or set it to e.g. 10")));
            }
        }
        Ok(retry)
    }

    /// The config file, loaded now.
    pub(crate) fn config(&self) -> Result<AwsConfig, CliError> {
        Ok(AwsConfig::load(self.env.config_file())?)
    }

    /// The Identity Center session the flags name, for `command`, which works over the whole
    /// session: `--profile P` is refused there (in the AWS CLI it means P's one account and
    /// role, not every account of P's session); `--session-of P` says that.
    pub(crate) fn session(
        &self,
        args: &SessionArgs,
        command: &str,
    ) -> Result<SsoSession, CliError> {
        if let Some(profile) = &args.profile {
            return Err(CliError::user(anyhow::anyhow!(
                "`sesame {command}` works over a whole Identity Center session, and \
                 --profile {profile} names one account and role"
            ))
            .hint(format!(
                "for every account and role of its session: --session-of {profile}; for its \
                 one account and role: sesame exec {profile} -- COMMAND"
            )));
        }
        self.login_session(args, None)
    }

    /// The session `login` logs in to: as [`Context::session`], and `--profile P` names P's
    /// session (as `aws sso login --profile P`); in `region` instead of the configured one
    /// when given (a vanity start URL that leads to another region).
    pub(crate) fn login_session(
        &self,
        args: &SessionArgs,
        region: Option<String>,
    ) -> Result<SsoSession, CliError> {
        let config = self.config()?;
        let selector = SessionSelector {
            sso_session: args.sso_session.clone(),
            profile: args.session_of.clone().or_else(|| args.profile.clone()),
            start_url: args.start_url.clone(),
            sso_region: args.sso_region.clone(),
            region_override: region,
        };
        Ok(selector.resolve(&self.env, &config)?)
    }
}

/// `SESAME_DEADLINE`'s value: whole seconds, or a number with `s`, `m` or `h`; `none` for no
/// deadline. `None` when it is neither.
fn parse_deadline(value: &str) -> Option<Option<Duration>> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("none") {
        return Some(None);
    }
    let (number, unit) = match value.char_indices().last()? {
        (i, 's') => (&value[..i], 1),
        (i, 'm') => (&value[..i], 60),
        (i, 'h') => (&value[..i], 3600),
        _ => (value, 1),
    };
    let n: u64 = number.parse().ok().filter(|n| *n > 0)?;
    Some(Some(Duration::from_secs(n.checked_mul(unit)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_are_seconds_minutes_hours_or_none() {
        let secs = |v| parse_deadline(v).map(|d| d.map(|d| d.as_secs()));
        assert_eq!(secs("90"), Some(Some(90)));
        assert_eq!(secs("90s"), Some(Some(90)));
        assert_eq!(secs("15m"), Some(Some(900)));
        assert_eq!(secs("2h"), Some(Some(7200)));
        assert_eq!(secs("none"), Some(None));
        for bad in ["", "0", "-1", "1.5m", "10d", "m", "soon"] {
            assert_eq!(secs(bad), None, "{bad}");
        }
    }
}

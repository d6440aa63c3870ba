//! What every command works from: the environment, and sesame's own settings read from it and
//! from the global flags once, in `main`, before any command runs.

use std::io::IsTerminal as _;

use sesame::config::AwsConfig;
use sesame::env::Env;
use sesame::listing::RetryPolicy;
use sesame::sso::{SessionSelector, SsoSession};

use crate::cli::{GlobalArgs, SessionArgs};
use crate::error::CliError;

/// `SESAME_MAX_ATTEMPTS`: attempts per call (the first included) before giving up.
const MAX_ATTEMPTS_VAR: &str = "SESAME_MAX_ATTEMPTS";

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
        Self {
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

    /// The retry policy of every paced client (listing, `run`, `admin`), with
    /// `SESAME_MAX_ATTEMPTS` if set.
    pub(crate) fn retry(&self) -> Result<RetryPolicy, CliError> {
        let mut retry = RetryPolicy::default();
        match &self.max_attempts {
            Ok(None) => {}
            Ok(Some(n)) => retry.max_attempts = *n,
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

//! One file per command: each takes its parsed arguments and the context, calls the library,
//! renders the result.

mod accounts;
mod demo;
mod login;
mod logout;
mod saml;
mod status;

use std::process::ExitCode;

use sesame::config::AwsConfig;
use sesame::env::Env;
use sesame::sso::{SessionSelector, SsoSession};

use crate::cli::{Cli, Command, SessionArgs};
use crate::error::CliError;

/// What every command works from: the environment and, loaded on demand, the config file.
pub(crate) struct Context {
    pub(crate) env: Env,
}

impl Context {
    pub(crate) fn new(env: Env) -> Self {
        Self { env }
    }

    pub(crate) fn config(&self) -> Result<AwsConfig, CliError> {
        AwsConfig::load(&self.env.config_file())
            .map_err(|e| CliError::user(e).hint("fix the config file, then run the command again"))
    }

    pub(crate) fn session(&self, args: &SessionArgs) -> Result<SsoSession, CliError> {
        let config = self.config()?;
        let selector = SessionSelector {
            sso_session: args.sso_session.clone(),
            profile: args.profile.clone(),
            start_url: args.start_url.clone(),
            sso_region: args.sso_region.clone(),
        };
        Ok(selector.resolve(&self.env, &config)?)
    }
}

pub(crate) async fn run(cli: Cli) -> Result<ExitCode, CliError> {
    let ctx = Context::new(Env::from_process());
    match cli.command {
        Command::Login(args) => login::run(&ctx, &args).await,
        Command::Logout(args) => logout::run(&ctx, &args).await,
        Command::Status(args) => status::run(&ctx, &args).await,
        Command::Accounts(args) => accounts::run(&ctx, &args).await,
        Command::Demo(args) => demo::run(&args).await,
        Command::Saml(args) => saml::run(&ctx, &args).await,
    }
}

//! One file per command: each takes its parsed arguments and the context, calls the library,
//! renders the result.

mod accounts;
pub(crate) mod admin;
mod api;
mod console;
mod credential_process;
mod creds;
mod demo;
mod exec;
mod listing;
mod login;
mod logout;
mod populate;
mod roles;
mod run;
mod run_api;
mod run_output;
mod saml;
mod saml_password;
pub(crate) mod serve;
mod status;
mod target;

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
        AwsConfig::load(self.env.config_file())
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
        Command::Populate(args) => populate::run(&ctx, &args).await,
        Command::Roles(args) => roles::run(&ctx, &args).await,
        Command::Demo(args) => demo::run(&args).await,
        Command::Saml(args) => saml::run(&ctx, &args).await,
        Command::Admin(args) => admin::run(&ctx, &args).await,
        Command::Creds(args) => creds::run(&ctx, &args).await,
        Command::Exec(args) => exec::run(&ctx, &args).await,
        Command::Serve(args) => serve::run(&ctx, &args).await,
        Command::CredentialProcess(args) => credential_process::run(&ctx, &args).await,
        Command::Console(args) => console::run(&ctx, &args).await,
        Command::Api(args) => api::run(&ctx, &args).await,
        Command::Run(args) => run::run(&ctx, &args).await,
    }
}

/// The warm path, before any async runtime exists: commands that can answer from the
/// role-credential cache alone do so here. `None`: run the command normally.
pub(crate) fn run_warm(cli: &Cli) -> Option<Result<ExitCode, CliError>> {
    let ctx = Context::new(Env::from_process());
    match &cli.command {
        Command::Creds(args) => creds::run_warm(&ctx, args),
        Command::Exec(args) => exec::run_warm(&ctx, args),
        Command::CredentialProcess(args) => credential_process::run_warm(&ctx, args),
        _ => None,
    }
}

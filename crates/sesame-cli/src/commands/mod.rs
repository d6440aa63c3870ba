//! One file per command: each takes the context and its parsed arguments, calls the library,
//! renders the result.

mod accounts;
mod admin;
mod api;
mod assume;
mod completions;
mod console;
mod credential_process;
mod creds;
mod demo;
mod exec;
mod listing;
mod login;
mod logout;
mod man;
mod pick;
mod populate;
mod roles;
mod run;
mod run_api;
mod run_org;
mod run_output;
mod run_row;
mod saml;
mod saml_password;
mod serve;
mod setup;
mod shell_init;
mod status;
mod target;

use std::io::Write as _;
use std::process::ExitCode;

use crate::cli::{Cli, Command};
use crate::context::Context;
use crate::error::CliError;

pub(crate) async fn run(ctx: &Context, cli: Cli) -> Result<ExitCode, CliError> {
    match cli.command {
        Command::Login(args) => login::run(ctx, &args).await,
        Command::Logout(args) => logout::run(ctx, &args).await,
        Command::Status(args) => status::run(ctx, &args).await,
        Command::Accounts(args) => accounts::run(ctx, &args).await,
        Command::Populate(args) => populate::run(ctx, &args).await,
        Command::Roles(args) => roles::run(ctx, &args).await,
        Command::Demo(args) => demo::run(&args).await,
        Command::Saml(args) => saml::run(ctx, &args).await,
        Command::Admin(args) => admin::run(ctx, &args).await,
        Command::Creds(args) => creds::run(ctx, &args).await,
        Command::Exec(args) => exec::run(ctx, &args).await,
        Command::Serve(args) => serve::run(ctx, &args).await,
        Command::CredentialProcess(args) => credential_process::run(ctx, &args).await,
        Command::Console(args) => console::run(ctx, &args).await,
        Command::Api(args) => api::run(ctx, &args).await,
        Command::Run(args) => run::run(ctx, &args).await,
        Command::Setup(args) => setup::run(ctx, &args).await,
        Command::ShellInit(args) => shell_init::run(&args),
        Command::Assume(args) => assume::run(ctx, &args).await,
        Command::Completions(args) => completions::run(&args),
        Command::Man(_) => man::run(),
        Command::CompleteProfiles => completions::profiles(ctx),
        Command::Pick(args) => pick::run(ctx, &args).await,
    }
}

/// The warm path, before any async runtime exists: commands that can answer from the
/// role-credential cache alone do so here. `None`: run the command normally.
pub(crate) fn run_warm(ctx: &Context, cli: &Cli) -> Option<Result<ExitCode, CliError>> {
    match &cli.command {
        Command::Creds(args) => creds::run_warm(ctx, args),
        Command::Exec(args) => exec::run_warm(ctx, args),
        Command::CredentialProcess(args) => credential_process::run_warm(ctx, args),
        _ => None,
    }
}

/// Writes `text` to stdout as it is (scripts and code for a shell), flushed.
fn print_stdout(text: &str) -> Result<ExitCode, CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

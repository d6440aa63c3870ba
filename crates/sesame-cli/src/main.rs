//! The `sesame` command line: parse, call the library, render.

mod cli;
mod commands;
mod context;
mod error;
mod logging;
mod output;
mod picker;
mod progress;
mod prompt;
mod saml_keyring;
mod saml_prompt;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse_args();
    let ctx = context::Context::from_process(&cli.global);
    logging::init(&ctx);
    // credential-process, exec, creds: a valid cached entry is answered without a runtime.
    if let Some(result) = commands::run_warm(&ctx, &cli) {
        return result.unwrap_or_else(|e| error::report(&e));
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return error::report(&error::CliError::internal(anyhow::anyhow!(e))),
    };
    let result = runtime.block_on(commands::run(&ctx, cli));
    runtime.shutdown_background();
    match result {
        Ok(code) => code,
        Err(e) => error::report(&e),
    }
}

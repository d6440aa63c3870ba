//! The `sesame` command line: parse, call the library, render.

mod cli;
mod commands;
mod error;
mod output;
mod prompt;
mod saml_keyring;
mod saml_prompt;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse_args();
    init_logging(cli.global.verbose);
    // credential-process, exec, creds: a valid cached entry is answered without a runtime.
    if let Some(result) = commands::run_warm(&cli) {
        return result.unwrap_or_else(|e| error::report(&e));
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return error::report(&error::CliError::internal(anyhow::anyhow!(e))),
    };
    let result = runtime.block_on(commands::run(cli));
    runtime.shutdown_background();
    match result {
        Ok(code) => code,
        Err(e) => error::report(&e),
    }
}

/// `-v` info, `-vv` debug, `-vvv` trace, for sesame's own crates only: dependencies stay at
/// `warn` so no HTTP library ever logs a header (tokens travel in headers). `SESAME_LOG`
/// overrides with an env-filter directive.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let directive = std::env::var("SESAME_LOG")
        .unwrap_or_else(|_| format!("warn,sesame={level},sesame_cli={level}"));
    let filter = tracing_subscriber::EnvFilter::try_new(directive)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .try_init();
}

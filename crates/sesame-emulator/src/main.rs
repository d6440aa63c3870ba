//! `sesame-emulator`: serve a local IAM Identity Center until SIGINT or SIGTERM.
//!
//! The first line on stdout is the base URL (`http://127.0.0.1:PORT`); logs go to stderr.

use std::{io::Write, time::Duration};

use anyhow::Context;
use clap::Parser;
use sesame_emulator::EmulatorConfig;

/// A local IAM Identity Center (OIDC + portal APIs) for tests, demos and benchmarks.
#[derive(Debug, Parser)]
#[command(
    name = "sesame-emulator",
    version,
    long_about = None,
    after_help = "Prints its base URL (http://127.0.0.1:PORT) as the first line on stdout, then \
                  serves until SIGINT or SIGTERM. Point AWS tools at it with AWS_ENDPOINT_URL_SSO \
                  and AWS_ENDPOINT_URL_SSO_OIDC. Test hooks: /_emulator/stats, /_emulator/approve, \
                  /_emulator/deny, /_emulator/pending, /_emulator/whoami."
)]
struct Cli {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Number of accounts assigned to the user.
    #[arg(long, default_value_t = 5)]
    accounts: usize,
    /// Number of roles the user has in each account.
    #[arg(long, default_value_t = 3)]
    roles_per_account: usize,
    /// Delay added to every OIDC and portal call, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Global throttle in requests per second; past it calls answer 429.
    #[arg(long)]
    tps: Option<f64>,
    /// Probability (0..1) of answering 429 TooManyRequestsException.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    fault_429: f64,
    /// Probability (0..1) of answering 500 InternalServerException.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    fault_500: f64,
    /// Probability (0..1) of closing the connection without answering.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    fault_drop: f64,
    /// Seed of the fault-injection randomness.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Access-token lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    token_lifetime: u64,
    /// Sign-in session (refresh-token) lifetime in seconds.
    #[arg(long, default_value_t = 8 * 3600)]
    refresh_token_lifetime: u64,
    /// Client-registration lifetime in seconds.
    #[arg(long, default_value_t = 90 * 24 * 3600)]
    registration_lifetime: u64,
    /// Device-code lifetime in seconds.
    #[arg(long, default_value_t = 600)]
    device_code_lifetime: u64,
    /// Device-code polling interval in seconds; faster polls get SlowDownException.
    #[arg(long, default_value_t = 1)]
    interval: u64,
    /// Role-credential lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    credentials_lifetime: u64,
    /// Approve device codes and PKCE requests without waiting for the user.
    #[arg(long)]
    auto_approve: bool,
    /// A name for the next account (the first, then the second...), replacing the generated
    /// one; repeat for more (e.g. names with quotes or brackets).
    #[arg(long, value_name = "NAME")]
    account_name: Vec<String>,
    /// The Negotiate token sent with a Kerberos sign-in's SAML page (feature `kerberos`): the
    /// acceptor's (mutual authentication), none, or a forged one.
    #[arg(long, value_enum, default_value_t = KerberosAnswerArg::Mutual)]
    kerberos_answer: KerberosAnswerArg,
}

/// `--kerberos-answer`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum KerberosAnswerArg {
    Mutual,
    None,
    Forged,
}

fn probability(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{s:?} is not a probability between 0 and 1")),
    }
}

impl From<Cli> for EmulatorConfig {
    fn from(cli: Cli) -> Self {
        Self {
            port: cli.port,
            accounts: cli.accounts,
            roles_per_account: cli.roles_per_account,
            latency: Duration::from_millis(cli.latency_ms),
            tps: cli.tps,
            fault_429: cli.fault_429,
            fault_500: cli.fault_500,
            fault_drop: cli.fault_drop,
            seed: cli.seed,
            token_lifetime: Duration::from_secs(cli.token_lifetime),
            refresh_token_lifetime: Duration::from_secs(cli.refresh_token_lifetime),
            registration_lifetime: Duration::from_secs(cli.registration_lifetime),
            device_code_lifetime: Duration::from_secs(cli.device_code_lifetime),
            interval: Duration::from_secs(cli.interval),
            credentials_lifetime: Duration::from_secs(cli.credentials_lifetime),
            auto_approve: cli.auto_approve,
            account_names: cli.account_name,
            adfs: sesame_emulator::AdfsConfig {
                kerberos_answer: match cli.kerberos_answer {
                    KerberosAnswerArg::Mutual => sesame_emulator::KerberosAnswer::Mutual,
                    KerberosAnswerArg::None => sesame_emulator::KerberosAnswer::None,
                    KerberosAnswerArg::Forged => sesame_emulator::KerberosAnswer::Forged,
                },
                ..sesame_emulator::AdfsConfig::default()
            },
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    #[cfg(feature = "kerberos")]
    tracing::info!(
        "AD FS Windows integrated authentication accepts Kerberos (service keytab: KRB5_KTNAME)"
    );
    let emulator = sesame_emulator::start(cli.into())
        .await
        .context("cannot start the emulator")?;
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", emulator.url())?;
        stdout.flush()?;
    }
    shutdown_signal().await;
    tracing::info!("shutting down");
    emulator.shutdown().await?;
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}

//! `sesame-emulator`: serve a local IAM Identity Center until SIGINT or SIGTERM.
//!
//! The first line on stdout is the base URL (`http://127.0.0.1:PORT`); logs go to stderr.

use std::{io::Write, path::PathBuf, time::Duration};

use anyhow::Context;
use clap::Parser;
use sesame_emulator::{EmulatorConfig, IdpSigningKey};

/// A local IAM Identity Center (OIDC + portal APIs) for tests, demos and benchmarks.
#[derive(Debug, Parser)]
#[command(
    name = "sesame-emulator",
    version,
    long_about = None,
    after_help = "Prints its base URL (http://127.0.0.1:PORT) as the first line on stdout, then \
                  serves until SIGINT or SIGTERM. Point AWS tools at it with AWS_ENDPOINT_URL_SSO \
                  and AWS_ENDPOINT_URL_SSO_OIDC. Test hooks: /_emulator/stats, /_emulator/approve, \
                  /_emulator/deny, /_emulator/pending, /_emulator/whoami. SAML IdP metadata: \
                  /FederationMetadata/2007-06/FederationMetadata.xml."
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
    /// Lifetime in seconds of the sign-in service's credentials (`aws login` sessions).
    #[arg(long, default_value_t = 900)]
    signin_credentials_lifetime: u64,
    /// Approve device codes and PKCE requests without waiting for the user.
    #[arg(long)]
    auto_approve: bool,
    /// A name for the next account (the first, then the second...), replacing the generated
    /// one; repeat for more (e.g. names with quotes or brackets).
    #[arg(long, value_name = "NAME")]
    account_name: Vec<String>,
    /// PEM file of the RSA private key the SAML IdP signs assertions with (PKCS#8 or PKCS#1);
    /// with --idp-signing-cert. Default: the emulator's public throwaway test key.
    #[arg(long, value_name = "PEM", requires = "idp_signing_cert")]
    idp_signing_key: Option<PathBuf>,
    /// PEM file of the X.509 certificate of --idp-signing-key, published in the IdP metadata.
    #[arg(long, value_name = "PEM", requires = "idp_signing_key")]
    idp_signing_cert: Option<PathBuf>,
    /// The Negotiate token sent with a Kerberos sign-in's SAML page (feature `kerberos`): the
    /// acceptor's (mutual authentication), none, or a forged one.
    #[arg(long, value_enum, default_value_t = sesame_emulator::KerberosAnswer::Mutual)]
    kerberos_answer: sesame_emulator::KerberosAnswer,
}

fn probability(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{s:?} is not a probability between 0 and 1")),
    }
}

impl Cli {
    /// The IdP's signing key: the files given, or the emulator's test key.
    fn signing_key(&self) -> anyhow::Result<IdpSigningKey> {
        let (Some(key), Some(cert)) = (&self.idp_signing_key, &self.idp_signing_cert) else {
            return Ok(IdpSigningKey::default());
        };
        let read = |p: &PathBuf| {
            std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
        };
        IdpSigningKey::from_pem(&read(key)?, &read(cert)?).with_context(|| {
            format!(
                "cannot use {} and {} as the IdP signing key",
                key.display(),
                cert.display()
            )
        })
    }
}

/// The emulator's configuration from the command line.
fn config(cli: Cli, signing_key: IdpSigningKey) -> EmulatorConfig {
    EmulatorConfig {
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
        signin_credentials_lifetime: Duration::from_secs(cli.signin_credentials_lifetime),
        auto_approve: cli.auto_approve,
        account_names: cli.account_name,
        adfs: sesame_emulator::AdfsConfig {
            signing_key,
            kerberos_answer: cli.kerberos_answer,
            ..sesame_emulator::AdfsConfig::default()
        },
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
    let signing_key = cli.signing_key()?;
    let emulator = sesame_emulator::start(config(cli, signing_key))
        .await
        .context("cannot start the emulator")?;
    let shutdown = shutdown_signal();
    {
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{}", emulator.url())?;
        stdout.flush()?;
    }
    shutdown.await;
    tracing::info!("shutting down");
    emulator.shutdown().await?;
    Ok(())
}

/// Listens for SIGINT (Ctrl-C) and, on Unix, SIGTERM from now on (before the URL is printed, so
/// a caller that signals as soon as it reads the URL is heard); resolves on the first.
fn shutdown_signal() -> impl Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt()).ok();
        let terminate = signal(SignalKind::terminate()).ok();
        async move {
            tokio::select! {
                () = received(interrupt) => {}
                () = received(terminate) => {}
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Resolves when `signal` is received (never if it could not be listened for).
#[cfg(unix)]
async fn received(signal: Option<tokio::signal::unix::Signal>) {
    match signal {
        Some(mut s) => {
            s.recv().await;
        }
        None => std::future::pending::<()>().await,
    }
}

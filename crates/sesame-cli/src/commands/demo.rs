//! `sesame demo`: the whole flow on the bundled emulator, in a throwaway HOME.

use std::process::ExitCode;
use std::time::Duration;

use sesame::config::AwsConfig;
use sesame::env::Env;
use sesame::listing::{
    AccountRoles, Filter, Listing, ListingOptions, sort_account_roles, sort_accounts,
};
use sesame::sso::{LoginFlow, LoginOptions, LoginPrompt, SessionSelector, Sso};
use sesame_emulator::EmulatorConfig;

use crate::cli::DemoArgs;
use crate::error::CliError;
use crate::output;

/// Shows the prompt like a terminal login would; in PKCE mode it plays the browser itself,
/// following the emulator's redirect back to sesame's loopback listener.
struct DemoPrompt;

impl LoginPrompt for DemoPrompt {
    fn device_code(&self, uri: &str, complete: Option<&str>, code: &str) {
        eprintln!(
            "  open {} and check the code {code}",
            complete.unwrap_or(uri)
        );
        eprintln!("  (the emulator runs with --auto-approve, so it is approved at once)");
    }

    fn authorize(&self, url: &str) {
        eprintln!("  browser: {url}");
        let url = url.to_owned();
        tokio::spawn(async move {
            sesame::http::install_crypto_provider();
            if let Ok(client) = reqwest::Client::builder().build() {
                let _ = client.get(url).send().await;
            }
        });
    }
}

pub(crate) async fn run(args: &DemoArgs) -> Result<ExitCode, CliError> {
    let emulator = sesame_emulator::spawn(EmulatorConfig {
        accounts: args.accounts,
        auto_approve: true,
        ..EmulatorConfig::default()
    })
    .map_err(CliError::internal)?;
    let url = emulator.url();
    let home = tempfile::tempdir().map_err(CliError::internal)?;
    let env = Env::from_vars([
        ("HOME", home.path().to_string_lossy().into_owned()),
        ("AWS_ENDPOINT_URL_SSO", url.clone()),
        ("AWS_ENDPOINT_URL_SSO_OIDC", url.clone()),
    ]);
    let config_text = format!(
        "[sso-session demo]\nsso_start_url = {url}/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
    );
    sesame::fsutil::write_atomic(&env.config_file(), config_text.as_bytes(), 0o600)?;
    eprintln!(
        "sesame demo: an emulated IAM Identity Center at {url}, HOME={}",
        home.path().display()
    );
    eprintln!("\n$ cat ~/.aws/config\n{config_text}");

    let config = AwsConfig::load(env.config_file()).map_err(CliError::internal)?;
    let session = SessionSelector::default().resolve(&env, &config)?;
    let sso = Sso::new(&env)?;
    let flow = if args.pkce {
        LoginFlow::AuthorizationCode
    } else {
        LoginFlow::DeviceCode
    };
    eprintln!(
        "$ sesame login   ({})",
        if args.pkce {
            "browser, PKCE"
        } else {
            "device code"
        }
    );
    let options = LoginOptions {
        flow,
        timeout: Duration::from_secs(60),
        ..LoginOptions::default()
    };
    let (_, token) = sso.login(&session, &options, &DemoPrompt).await?;
    eprintln!(
        "  logged in; token cached at {} (the AWS CLI reads it too), valid until {}\n",
        sso.tokens().path(&session.token_key()).display(),
        sesame::time::format_aws(token.expires_at)
    );

    eprintln!("$ sesame accounts");
    // The paced, concurrent listing (and cache, in the throwaway HOME) and the order of
    // `sesame accounts` and `sesame roles`.
    let listing = Listing::new(&sso, &env, &session, ListingOptions::default());
    let mut accounts = listing.accounts(&Filter::all()).await?.collect().await?;
    sort_accounts(&mut accounts);
    let rows: Vec<Vec<String>> = accounts
        .iter()
        .map(|a| {
            vec![
                a.account_id.clone(),
                a.account_name.clone(),
                a.email_address.clone(),
            ]
        })
        .collect();
    output::table(&["ACCOUNT ID", "ACCOUNT NAME", "EMAIL"], &rows)?;

    eprintln!("\n$ sesame roles   (first three accounts)");
    let filter = accounts
        .iter()
        .take(3)
        .fold(Filter::all(), |f, a| f.account(&a.account_id));
    let mut listed = listing.roles(&filter).await?.collect().await?;
    sort_account_roles(&mut listed);
    let role_rows: Vec<Vec<String>> = listed
        .into_iter()
        .flat_map(|item| {
            let AccountRoles { account, roles } = item;
            roles.into_iter().map(move |role| {
                vec![
                    account.account_id.clone(),
                    account.account_name.clone(),
                    role,
                ]
            })
        })
        .collect();
    output::table(&["ACCOUNT ID", "ACCOUNT NAME", "ROLE"], &role_rows)?;

    let portal = sso.portal(&session)?;
    let access = sso.access_token(&session).await?;
    if let Some(first) = role_rows.first() {
        let creds = portal
            .get_role_credentials(&access, &first[0], &first[2])
            .await?;
        eprintln!(
            "\nRole credentials for {} / {}: access key {}, secret <redacted>, expires {}",
            first[1],
            first[2],
            creds.access_key_id,
            sesame::time::format_aws(creds.expiration)
        );
    }
    let stats = emulator.stats();
    eprintln!(
        "\nThe emulator saw {} client registration(s), {} authorisation(s), {} token(s) issued.",
        stats.registrations, stats.authorizations, stats.tokens_issued
    );
    eprintln!("Done; the throwaway HOME is deleted.");
    Ok(ExitCode::SUCCESS)
}

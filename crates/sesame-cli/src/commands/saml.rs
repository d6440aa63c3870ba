//! `sesame saml login|assume|roles`: a SAMLResponse (from an IdP sign-in or a file) → a role →
//! STS AssumeRoleWithSAML → a profile of the credentials file (or credential_process JSON).

use std::io::Read as _;
use std::process::ExitCode;

use serde_json::json;
use sesame::config::{AwsCredentialsFile, ServiceId, resolve_endpoint};
use sesame::http::CaBundle;
use sesame::saml::assertion::MAX_ENCODED_LEN;
use sesame::saml::idp::{self, Provider, SessionCookies};
use sesame::saml::store;
use sesame::saml::sts::SamlCredentials;
use sesame::saml::{AssertionError, SamlAssertion, StsClient, select_role};
use url::Url;

use super::saml_password;
use crate::cli::{IdpArgs, OutputFormat, SamlArgs, SamlCommand, SamlProvider, SamlTargetArgs};
use crate::context::Context;
use crate::error::CliError;
use crate::saml_prompt::{PasswordSource, UsedPassword};
use crate::{output, saml_keyring, saml_prompt};

pub(crate) async fn run(ctx: &Context, args: &SamlArgs) -> Result<ExitCode, CliError> {
    match &args.command {
        SamlCommand::Login(a) => {
            let signed = sign_in(ctx, &a.idp).await?;
            let code = assume(ctx, &signed.assertion, &a.target).await?;
            keep(&signed.cookies);
            saml_password::remember(a.idp.remember_password, signed.password)?;
            Ok(code)
        }
        SamlCommand::Assume(a) => {
            let assertion = read_assertion_file(&a.assertion_file)?;
            assume(ctx, &assertion, &a.target).await
        }
        SamlCommand::Roles(a) => {
            let Some(file) = &a.assertion_file else {
                let signed = sign_in(ctx, &a.idp).await?;
                let code = roles(&signed.assertion, a.output)?;
                keep(&signed.cookies);
                saml_password::remember(a.idp.remember_password, signed.password)?;
                return Ok(code);
            };
            roles(&read_assertion_file(file)?, a.output)
        }
        SamlCommand::Forget(a) => {
            let url = idp_url(a.idp_url.as_deref())?;
            saml_password::forget(ctx, &url, a.username.as_deref())
        }
    }
}

/// Keeps the IdP's session cookies for the next sign-in, once the command has succeeded.
fn keep(cookies: &SessionCookies) {
    if let Err(e) = cookies.save() {
        output::warning(format_args!("cannot keep the IdP's session cookies: {e}"));
    }
}

/// A successful sign-in: the assertion, the cookie jar to keep and the password to store (if
/// asked) once the command has succeeded.
struct SignedIn {
    assertion: SamlAssertion,
    cookies: SessionCookies,
    password: Option<UsedPassword>,
}

/// The `--idp-url` as an http(s) URL.
fn idp_url(raw: Option<&str>) -> Result<Url, CliError> {
    let Some(raw_url) = raw else {
        return Err(
            CliError::user(anyhow::anyhow!("no IdP URL was given")).hint(
                "pass --idp-url URL (the IdP-initiated sign-in URL) or set SESAME_SAML_IDP_URL",
            ),
        );
    };
    Url::parse(raw_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| {
            CliError::user(anyhow::anyhow!("--idp-url `{raw_url}` is not an http(s) URL"))
                .hint("pass the full sign-in URL, e.g. https://adfs.example.com/adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn:amazon:webservices")
        })
}

/// Signs in at the IdP and reads the SAMLResponse it returns.
async fn sign_in(ctx: &Context, args: &IdpArgs) -> Result<SignedIn, CliError> {
    let url = idp_url(args.idp_url.as_deref())?;
    // The credentials file must be usable before anyone types a password.
    check_credentials_file(ctx)?;
    // So must the keyring, if the password is to go there.
    if args.remember_password {
        saml_keyring::probe().map_err(saml_password::unavailable)?;
    }
    let provider = match args.provider {
        SamlProvider::Adfs => Provider::Adfs,
        SamlProvider::AdfsWindows => Provider::AdfsWindows,
        SamlProvider::Form => Provider::Form,
    };
    let cookies = SessionCookies::load(&ctx.env, &url, args.username.as_deref());
    if args.fresh {
        cookies.clear();
    }
    let ca_bundle = CaBundle::resolve(&ctx.env, &ctx.config()?, None);
    let client = idp::idp_client(&cookies, ca_bundle.as_ref()).map_err(CliError::user)?;
    let origin = url.origin().ascii_serialization();
    let prompt = saml_prompt::TerminalPrompt::new(ctx, args.username.as_deref(), &origin);
    let response = match idp::sign_in(&client, provider, &url, &prompt).await {
        Ok(response) => response,
        Err(e) => {
            return Err(match prompt.take_used_password() {
                Some(used) if used.source == PasswordSource::Keyring && e.credentials_refused() => {
                    saml_password::refused(&used, &e)
                }
                _ => e.into(),
            });
        }
    };
    let assertion = SamlAssertion::parse(response.expose()).map_err(|e| match e {
        AssertionError::NoRoles | AssertionError::BadRole(_) | AssertionError::Status { .. } => {
            CliError::from(e)
        }
        e => CliError::from(e)
            .hint("the IdP's answer is not a usable SAMLResponse; check --idp-url and --provider"),
    })?;
    Ok(SignedIn {
        assertion,
        cookies,
        password: prompt.take_used_password(),
    })
}

fn read_assertion_file(file: &str) -> Result<SamlAssertion, CliError> {
    let mut text = String::new();
    let limit = MAX_ENCODED_LEN as u64 + 1;
    let result = if file == "-" {
        std::io::stdin().take(limit).read_to_string(&mut text)
    } else {
        std::fs::File::open(file).and_then(|f| f.take(limit).read_to_string(&mut text))
    };
    let name = if file == "-" {
        "stdin".to_owned()
    } else {
        file.to_owned()
    };
    result.map_err(|e| {
        CliError::user(anyhow::anyhow!(
            "cannot read the SAML response from {name}: {e}"
        ))
        .hint("pass --assertion-file with the SAMLResponse value (base64) or `-` for stdin")
    })?;
    Ok(SamlAssertion::parse(&text)?)
}

fn check_credentials_file(ctx: &Context) -> Result<AwsCredentialsFile, CliError> {
    AwsCredentialsFile::from_env(&ctx.env)
        .map_err(|e| CliError::from(e).hint("fix the credentials file, then run the command again"))
}

/// Chooses the role, calls STS, and writes or prints the credentials.
async fn assume(
    ctx: &Context,
    assertion: &SamlAssertion,
    target: &SamlTargetArgs,
) -> Result<ExitCode, CliError> {
    if !target.credential_process {
        check_credentials_file(ctx)?;
    }
    let roles = assertion.roles();
    let role = match (target.role.as_deref(), roles.len()) {
        (None, n) if n > 1 && ctx.interactive => saml_prompt::pick_role(roles)?,
        (pattern, _) => select_role(roles, pattern)?,
    };
    if assertion.session_name().is_none() {
        return Err(CliError::user(anyhow::anyhow!(
            "the SAML assertion has no RoleSessionName attribute, which AWS requires"
        ))
        .hint("ask the IdP's administrators to add the https://aws.amazon.com/SAML/Attributes/RoleSessionName claim"));
    }
    let now = sesame::time::now();
    if assertion.is_expired(now) {
        let at = assertion
            .not_on_or_after()
            .map(sesame::time::format_aws)
            .unwrap_or_default();
        return Err(
            CliError::user(anyhow::anyhow!("the SAML assertion expired at {at}"))
                .hint("sign in at the IdP again for a fresh assertion (they last minutes)"),
        );
    }
    let duration = match (target.duration, assertion.session_duration()) {
        (Some(d), Some(cap)) => Some(d.min(cap.max(900))),
        (Some(d), None) => Some(d),
        (None, Some(s)) => Some(s.clamp(900, 43200)),
        (None, None) => None,
    };
    let region = target
        .region
        .clone()
        .or_else(|| ctx.env.var("AWS_REGION").map(str::to_owned))
        .or_else(|| ctx.env.var("AWS_DEFAULT_REGION").map(str::to_owned))
        .unwrap_or_else(|| "us-east-1".to_owned());
    let config = ctx.config()?;
    let endpoint = resolve_endpoint(
        ServiceId::Sts,
        &region,
        &ctx.env,
        &config,
        Some(&target.profile),
    )
    .map_err(|e| CliError::from(e).hint("fix --region or the STS endpoint override"))?;
    let http = sesame::http::client_for(
        &endpoint,
        CaBundle::resolve(&ctx.env, &config, None).as_ref(),
    )
    .map_err(CliError::user)?;
    let sts = StsClient::new(http, endpoint);
    let creds = sts.assume_role_with_saml(role, assertion, duration).await?;

    if target.credential_process {
        print_credential_process(&creds)?;
        return Ok(ExitCode::SUCCESS);
    }
    let path = ctx.env.credentials_file();
    let loosened = store::write_profile(
        &path,
        &sesame::fsutil::lock_dir(&ctx.env),
        &target.profile,
        &creds.credentials,
        target.region.as_deref(),
    )?;
    output::warn_made_private(&path, loosened);
    let expires = creds.credentials.expiration;
    eprintln!(
        "Credentials for {} are in profile `{}` of {}.",
        role.role_arn,
        target.profile,
        path.display()
    );
    eprintln!(
        "They expire at {} ({}). Use them with: aws --profile {} sts get-caller-identity",
        sesame::time::format_aws(expires),
        output::relative(expires, now),
        target.profile
    );
    Ok(ExitCode::SUCCESS)
}

fn print_credential_process(creds: &SamlCredentials) -> Result<(), CliError> {
    let c = &creds.credentials;
    let value = json!({
        "Version": 1,
        "AccessKeyId": c.access_key_id,
        "SecretAccessKey": c.secret_access_key.expose(),
        "SessionToken": c.session_token.expose(),
        "Expiration": sesame::time::format_aws(c.expiration),
        "AccountId": creds.role.account_id(),
    });
    output::json(&value)?;
    Ok(())
}

fn roles(assertion: &SamlAssertion, format: OutputFormat) -> Result<ExitCode, CliError> {
    let roles = assertion.roles();
    let items = || -> Vec<serde_json::Value> {
        roles
            .iter()
            .map(|r| {
                json!({"accountId": r.account_id(), "roleName": r.role_name(), "roleArn": r.role_arn, "principalArn": r.principal_arn})
            })
            .collect()
    };
    match format {
        OutputFormat::Json => output::json(&serde_json::Value::Array(items()))?,
        OutputFormat::Jsonl => output::json_lines(&items())?,
        format => {
            let rows: Vec<Vec<String>> = roles
                .iter()
                .map(|r| {
                    vec![
                        r.account_id().to_owned(),
                        r.role_name().to_owned(),
                        r.role_arn.clone(),
                        r.principal_arn.clone(),
                    ]
                })
                .collect();
            if format == OutputFormat::Text {
                output::text(&rows)?;
            } else {
                output::table(&["ACCOUNT ID", "ROLE", "ROLE ARN", "PROVIDER ARN"], &rows)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `sesame run --org --assume-role NAME`: the targets are the organization's ACTIVE accounts
//! (or an OU's subtree), listed with the caller's credentials from the usual chain, and each
//! target's credentials are the role assumed in its account.

use sesame::admin::{AdminClient, AdminError, AdminPacing, resolve_region};
use sesame::config::AwsConfig;
use sesame::credentials::chain::{self, CredentialSource};
use sesame::fanout::SweepTarget;
use sesame::fanout::org::{AssumeOptions, Assumer, OrgScope, org_accounts};
use sesame::listing::Filter;
use sesame::pace::PacerConfig;
use sesame::sso::portal::AccountInfo;

use crate::cli::RunArgs;
use crate::context::Context;
use crate::error::CliError;

/// Organizations' home region, where its calls go when nothing names a region.
const DEFAULT_REGION: &str = "us-east-1";

/// The targets of the organization (filtered by --account/--exclude, times --regions) and the
/// assumer that gives each its credentials.
pub(crate) async fn targets(
    ctx: &Context,
    args: &RunArgs,
    pacer: PacerConfig,
) -> Result<(Vec<SweepTarget>, Assumer), CliError> {
    let role_name = args.assume_role.clone().unwrap_or_default();
    let config = AwsConfig::from_env(&ctx.env)?;
    let profile = args.session.profile.as_deref();
    let source = match profile {
        Some(p) => CredentialSource::Profile(p.to_owned()),
        None => CredentialSource::Auto,
    };
    let caller = chain::resolve(&ctx.env, &source).await?;
    let region = resolve_region(&ctx.env, &config, profile, None)
        .unwrap_or_else(|_| DEFAULT_REGION.to_owned());
    let ca_bundle = sesame::http::CaBundle::resolve(&ctx.env, &config, profile);
    let http = sesame::http::api_client(ca_bundle.as_ref()).map_err(CliError::user)?;
    let pacing = AdminPacing {
        retry: ctx.retry()?,
        ..AdminPacing::default()
    };
    let client = AdminClient::new(
        http,
        caller.clone(),
        &region,
        &ctx.env,
        &config,
        profile,
        pacing,
    )?;
    let scope = OrgScope {
        ous: args.ous.clone(),
        recursive: args.ou_recursive,
    };
    let accounts = org_accounts(&client, &scope).await.map_err(|e| {
        let denied = matches!(e, AdminError::Denied(_));
        let error = CliError::from(e);
        if denied {
            error.hint(
                "the caller needs organizations:ListAccounts (with --ou: ListAccountsForParent \
                 and ListOrganizationalUnitsForParent); check which identity the chain found \
                 (environment, --profile, web identity)",
            )
        } else {
            error
        }
    })?;
    let keep = Filter::new(&args.accounts, &[] as &[&str]);
    let exclude: Vec<sesame::listing::AccountPattern> = args
        .exclude
        .iter()
        .map(|e| sesame::listing::AccountPattern::new(e))
        .collect();
    let accounts: Vec<_> = accounts
        .into_iter()
        .filter(|a| {
            let info = AccountInfo {
                account_id: a.id.clone(),
                account_name: a.name.clone(),
                email_address: String::new(),
            };
            keep.keeps_account(&info) && !exclude.iter().any(|p| p.matches(&info))
        })
        .collect();
    let options = AssumeOptions {
        role_name,
        external_id: args.external_id.clone(),
        session_name: args.role_session_name.clone(),
        duration_seconds: args
            .duration
            .map(|d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX)),
    };
    let mut assumer = Assumer::new(
        &ctx.env,
        &config,
        profile,
        caller,
        &region,
        options,
        pacer,
        ctx.retry_without_default_deadline()?,
    )?;
    // Without --regions each target runs in the caller's region (the one the organization is
    // asked in), not in none.
    let regions = if args.regions.is_empty() {
        vec![region.clone()]
    } else {
        args.regions.clone()
    };
    let targets = assumer.targets(&accounts, &regions);
    Ok((targets, assumer))
}

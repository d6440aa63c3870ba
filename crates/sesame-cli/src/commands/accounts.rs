//! `sesame accounts`: the accounts a login reaches, filtered, sorted or streamed, cached.

use std::process::ExitCode;

use serde_json::json;
use sesame::listing::{Listing, Source, account_order};
use sesame::sso::portal::AccountInfo;

use super::Context;
use super::listing::{self, Printer, Run};
use crate::cli::{AccountsArgs, ListingArgs, OutputFormat};
use crate::error::CliError;
use crate::output;

pub(crate) async fn run(ctx: &Context, args: &AccountsArgs) -> Result<ExitCode, CliError> {
    let flags = &args.listing;
    let run = listing::open(ctx, &args.session, flags)?;
    let (mut accounts, source) = list(&run, &run.listing, flags).await?;
    let (mut missed_accounts, mut missed_roles) = unmatched(&run, &accounts);
    // A filter that matches nothing in a cached listing may be about an account that is new
    // since: ask Identity Center once before saying so (not when rows were already streamed).
    if matches!(source, Source::Cache { .. })
        && !flags.stream
        && !(missed_accounts.is_empty() && missed_roles.is_empty())
    {
        (accounts, _) = list(&run, &run.listing.refreshing(), flags).await?;
        (missed_accounts, missed_roles) = unmatched(&run, &accounts);
    }
    if let Some(e) = listing::unmatched_error(
        &missed_accounts,
        &missed_roles,
        matches!(source, Source::Cache { .. }) && flags.stream,
    ) {
        return Err(e);
    }
    if flags.stream {
        return Ok(ExitCode::SUCCESS);
    }
    // With `--role`, an account none of whose roles matched is not shown.
    let role_filter = run.filter.needs_roles();
    let accounts: Vec<AccountInfo> = accounts
        .into_iter()
        .filter(|(_, r)| !role_filter || !r.is_empty())
        .map(|(a, _)| a)
        .collect();
    match flags.output {
        OutputFormat::Json => output::json(&serde_json::Value::Array(
            accounts.iter().map(to_json).collect(),
        ))?,
        OutputFormat::Text => output::text(&accounts.iter().map(row).collect::<Vec<_>>())?,
        OutputFormat::Table => output::table(
            &["ACCOUNT ID", "NAME", "EMAIL"],
            &accounts.iter().map(row).collect::<Vec<_>>(),
        )?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The accounts (with their kept role names when `--role` is given), sorted unless streamed.
async fn list(
    run: &Run,
    listing: &Listing,
    flags: &ListingArgs,
) -> Result<(Vec<(AccountInfo, Vec<String>)>, Source), CliError> {
    let format = flags.output;
    let mut print = |a: &AccountInfo| match format {
        OutputFormat::Json => listing::json_line(&to_json(a)),
        _ => listing::text_line(&[&a.account_id, &a.account_name, &a.email_address]),
    };
    let (mut items, source) = if run.filter.needs_roles() {
        // `--role`: the accounts with a matching role, which takes listing the roles.
        let listed = listing.roles(&run.filter).await?;
        let source = listed.source();
        let mut print_item = |r: &sesame::listing::AccountRoles| {
            if r.roles.is_empty() {
                Ok(())
            } else {
                print(&r.account)
            }
        };
        let p: Option<Printer<'_, sesame::listing::AccountRoles>> = if flags.stream {
            Some(&mut print_item)
        } else {
            None
        };
        let items = run.gather(listed, p).await?;
        (
            items
                .into_iter()
                .map(|r| (r.account, r.roles))
                .collect::<Vec<_>>(),
            source,
        )
    } else {
        let listed = listing.accounts(&run.filter).await?;
        let source = listed.source();
        let p: Option<Printer<'_, AccountInfo>> =
            if flags.stream { Some(&mut print) } else { None };
        let items = run.gather(listed, p).await?;
        (items.into_iter().map(|a| (a, Vec::new())).collect(), source)
    };
    if !flags.stream {
        items.sort_by_cached_key(|(a, _)| account_order(a));
    }
    Ok((items, source))
}

fn unmatched<'a>(
    run: &'a Run,
    items: &'a [(AccountInfo, Vec<String>)],
) -> (Vec<&'a str>, Vec<&'a str>) {
    run.filter.unmatched(
        items.iter().map(|(a, _)| a),
        items.iter().flat_map(|(_, r)| r.iter().map(String::as_str)),
    )
}

fn to_json(a: &AccountInfo) -> serde_json::Value {
    json!({"accountId": a.account_id, "accountName": a.account_name, "emailAddress": a.email_address})
}

fn row(a: &AccountInfo) -> Vec<String> {
    vec![
        a.account_id.clone(),
        a.account_name.clone(),
        a.email_address.clone(),
    ]
}

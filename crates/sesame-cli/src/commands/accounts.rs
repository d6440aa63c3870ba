//! `sesame accounts`: the accounts a login reaches, filtered, sorted or streamed, cached.

use std::process::ExitCode;

use serde_json::json;
use sesame::listing::{AccountRoles, Listing, Source, account_order};
use sesame::sso::portal::AccountInfo;

use super::listing::{self, Printer, Run};
use crate::cli::{AccountsArgs, ListingArgs, OutputFormat};
use crate::context::Context;
use crate::error::CliError;
use crate::output;

pub(crate) async fn run(ctx: &Context, args: &AccountsArgs) -> Result<ExitCode, CliError> {
    let flags = &args.listing;
    let run = listing::open(ctx, &args.session, flags, "accounts")?;
    let items = run
        .list_checked(flags.stream, async |l: &Listing| list(&run, l, flags).await)
        .await?;
    if flags.stream {
        return Ok(ExitCode::SUCCESS);
    }
    // With `--role`, an account none of whose roles matched is not shown.
    let role_filter = run.filter.needs_roles();
    let accounts: Vec<AccountInfo> = items
        .into_iter()
        .filter(|i| !role_filter || !i.roles.is_empty())
        .map(|i| i.account)
        .collect();
    match flags.output {
        OutputFormat::Json => output::json(&serde_json::Value::Array(
            accounts.iter().map(to_json).collect(),
        ))?,
        OutputFormat::Jsonl => {
            output::json_lines(&accounts.iter().map(to_json).collect::<Vec<_>>())?
        }
        OutputFormat::Text => output::text(&accounts.iter().map(row).collect::<Vec<_>>())?,
        OutputFormat::Table => output::table(
            &["ACCOUNT ID", "ACCOUNT NAME", "EMAIL"],
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
) -> Result<(Vec<AccountRoles>, Source), CliError> {
    let format = flags.output;
    let mut print = |a: &AccountInfo| {
        listing::stream_line(
            format,
            || to_json(a),
            &[&a.account_id, &a.account_name, &a.email_address],
        )
    };
    let (mut items, source) = if run.filter.needs_roles() {
        // `--role`: the accounts with a matching role, which takes listing the roles.
        let listed = listing.roles(&run.filter).await?;
        let source = listed.source();
        let mut print_item = |r: &AccountRoles| {
            if r.roles.is_empty() {
                Ok(())
            } else {
                print(&r.account)
            }
        };
        let p: Option<Printer<'_, AccountRoles>> = if flags.stream {
            Some(&mut print_item)
        } else {
            None
        };
        (run.gather(listed, p).await?, source)
    } else {
        let listed = listing.accounts(&run.filter).await?;
        let source = listed.source();
        let p: Option<Printer<'_, AccountInfo>> =
            if flags.stream { Some(&mut print) } else { None };
        let items = run.gather(listed, p).await?;
        let items = items.into_iter().map(|account| AccountRoles {
            account,
            roles: Vec::new(),
        });
        (items.collect(), source)
    };
    if !flags.stream {
        items.sort_by_cached_key(|i| account_order(&i.account));
    }
    Ok((items, source))
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

//! `sesame roles`: every role the login reaches, account by account, filtered, sorted or
//! streamed, cached.

use std::process::ExitCode;

use serde_json::json;
use sesame::listing::{AccountRoles, Listing, Source, sort_account_roles};

use super::listing::{self, Printer, Run};
use crate::cli::{ListingArgs, OutputFormat, RolesArgs};
use crate::context::Context;
use crate::error::CliError;
use crate::output;

pub(crate) async fn run(ctx: &Context, args: &RolesArgs) -> Result<ExitCode, CliError> {
    let flags = &args.listing;
    let run = listing::open(ctx, &args.session, flags, "roles")?;
    let mut items = run
        .list_checked(flags.stream, async |l: &Listing| list(&run, l, flags).await)
        .await?;
    if flags.stream {
        return Ok(ExitCode::SUCCESS);
    }
    sort_account_roles(&mut items);
    let rows: Vec<Vec<String>> = items
        .iter()
        .flat_map(|item| {
            item.roles.iter().map(|role| {
                vec![
                    item.account.account_id.clone(),
                    item.account.account_name.clone(),
                    role.clone(),
                ]
            })
        })
        .collect();
    match flags.output {
        OutputFormat::Json => output::json(&serde_json::Value::Array(
            rows.iter().map(|r| to_json(&r[0], &r[1], &r[2])).collect(),
        ))?,
        OutputFormat::Jsonl => output::json_lines(
            &rows
                .iter()
                .map(|r| to_json(&r[0], &r[1], &r[2]))
                .collect::<Vec<_>>(),
        )?,
        OutputFormat::Text => output::text(&rows)?,
        OutputFormat::Table => output::table(&["ACCOUNT ID", "ACCOUNT NAME", "ROLE"], &rows)?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(
    run: &Run,
    listing: &Listing,
    flags: &ListingArgs,
) -> Result<(Vec<AccountRoles>, Source), CliError> {
    let format = flags.output;
    let mut print = |item: &AccountRoles| -> std::io::Result<()> {
        for role in &item.roles {
            let (id, name) = (&item.account.account_id, &item.account.account_name);
            listing::stream_line(format, || to_json(id, name, role), &[id, name, role])?;
        }
        Ok(())
    };
    let listed = listing.roles(&run.filter).await?;
    let source = listed.source();
    let p: Option<Printer<'_, AccountRoles>> = if flags.stream { Some(&mut print) } else { None };
    Ok((run.gather(listed, p).await?, source))
}

fn to_json(account_id: &str, account_name: &str, role_name: &str) -> serde_json::Value {
    json!({"accountId": account_id, "accountName": account_name, "roleName": role_name})
}

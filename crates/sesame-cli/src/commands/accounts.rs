//! `sesame accounts`: the accounts a login reaches.

use std::process::ExitCode;

use serde_json::json;
use sesame::sso::Sso;

use super::Context;
use crate::cli::{AccountsArgs, OutputFormat};
use crate::error::CliError;
use crate::output;

pub(crate) async fn run(ctx: &Context, args: &AccountsArgs) -> Result<ExitCode, CliError> {
    let session = ctx.session(&args.session)?;
    let sso = Sso::new(&ctx.env)?;
    let token = sso.access_token(&session).await?;
    let mut accounts = sso.portal(&session).all_accounts(&token).await?;
    accounts.sort_by(|a, b| {
        a.account_name
            .to_lowercase()
            .cmp(&b.account_name.to_lowercase())
            .then(a.account_id.cmp(&b.account_id))
    });
    match args.output {
        OutputFormat::Json => {
            let items: Vec<_> = accounts
                .iter()
                .map(|a| json!({"accountId": a.account_id, "accountName": a.account_name, "emailAddress": a.email_address}))
                .collect();
            output::json(&serde_json::Value::Array(items))?;
        }
        format => {
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
            if format == OutputFormat::Text {
                output::text(&rows)?;
            } else {
                output::table(&["ACCOUNT ID", "NAME", "EMAIL"], &rows)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

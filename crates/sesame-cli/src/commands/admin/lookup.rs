//! `sesame admin lookup`: names ↔ ids.

use std::process::ExitCode;

use sesame::admin::{self, Entry, LookupKind};

use super::assignments::CsvWriter;
use crate::cli::admin::{AdminOutput, LookupArgs, LookupWhat};
use crate::context::Context;
use crate::error::CliError;
use crate::output;

pub(super) async fn run(ctx: &Context, args: &LookupArgs) -> Result<ExitCode, CliError> {
    let conn = &args.connection;
    let mut entries = if args.what == LookupWhat::Instance {
        let client = conn.client(ctx).await?;
        let all = admin::instances(&client).await?;
        if args.values.is_empty() {
            all
        } else {
            let mut out = Vec::new();
            for v in &args.values {
                let found: Vec<Entry> = all
                    .iter()
                    .filter(|e| {
                        &e.id == v
                            || e.name.as_deref() == Some(v.as_str())
                            || e.identity_store_id.as_deref() == Some(v.as_str())
                    })
                    .cloned()
                    .collect();
                if found.is_empty() {
                    return Err(
                        CliError::user(anyhow::anyhow!("unknown instance `{v}`")).hint(
                            "run `sesame admin lookup instance` to list the region's instances",
                        ),
                    );
                }
                out.extend(found);
            }
            out
        }
    } else {
        if args.values.is_empty() {
            return Err(CliError::user(anyhow::anyhow!("nothing to look up"))
                .hint("give ids, names or globs, e.g. `sesame admin lookup user 'a*'`"));
        }
        let kind = match args.what {
            LookupWhat::User => LookupKind::User,
            LookupWhat::Group => LookupKind::Group,
            LookupWhat::Principal => LookupKind::Principal,
            LookupWhat::PermissionSet => LookupKind::PermissionSet,
            LookupWhat::Account | LookupWhat::Instance => LookupKind::Account,
        };
        let dir = conn.directory(ctx).await?;
        admin::lookup(&dir, kind, &args.values).await?
    };
    entries.sort();
    entries.dedup();
    let instance = args.what == LookupWhat::Instance;
    match conn.output {
        AdminOutput::Json => {
            output::json(&serde_json::to_value(&entries).map_err(CliError::internal)?)?;
        }
        format => {
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    let mut row = vec![
                        e.entry_type.to_owned(),
                        e.id.clone(),
                        e.name.clone().unwrap_or_default(),
                    ];
                    if instance {
                        row.push(e.identity_store_id.clone().unwrap_or_default());
                        row.push(e.primary_region.clone().unwrap_or_default());
                        row.push(regions_text(e));
                    }
                    row
                })
                .collect();
            let mut header = vec!["TYPE", "ID", "NAME"];
            if instance {
                header.extend(["IDENTITY STORE", "PRIMARY REGION", "REGIONS"]);
            }
            if format == AdminOutput::Csv {
                let mut csv_header = vec!["type", "id", "name"];
                if instance {
                    csv_header.extend(["identity_store_id", "primary_region", "regions"]);
                }
                let mut w = CsvWriter::new(&csv_header)?;
                for r in &rows {
                    w.row(r)?;
                }
            } else {
                output::table(&header, &rows)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An instance's Regions, space-separated, each not ACTIVE with its status (`eu-west-1:ADDING`).
fn regions_text(e: &Entry) -> String {
    let regions = e.regions.as_deref().unwrap_or_default();
    let named: Vec<String> = regions
        .iter()
        .map(|r| match r.status.as_deref() {
            Some(s) if s != "ACTIVE" => format!("{}:{s}", r.name),
            _ => r.name.clone(),
        })
        .collect();
    named.join(" ")
}

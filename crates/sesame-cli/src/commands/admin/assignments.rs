//! `sesame admin assignments`: every assignment, filtered and named.

use std::io::Write as _;
use std::process::ExitCode;

use serde_json::{Map, Value};
use sesame::admin::{self, Assignment, AssignmentQuery};

use crate::cli::admin::{AdminOutput, AssignmentsArgs};
use crate::context::Context;
use crate::error::CliError;
use crate::output;
use crate::progress::Progress;

/// aws-sso-lib's `list_assignments` field names, in its order.
const FIELDS: [&str; 9] = [
    "instance_arn",
    "principal_type",
    "principal_id",
    "principal_name",
    "permission_set_arn",
    "permission_set_name",
    "target_type",
    "target_id",
    "target_name",
];

const VIA: [&str; 2] = ["via_group_id", "via_group_name"];

pub(super) async fn run(ctx: &Context, args: &AssignmentsArgs) -> Result<ExitCode, CliError> {
    let dir = args.connection.directory(ctx).await?;
    let progress = Progress::new(ctx, "walking", "accounts");
    let client = dir.client().clone();
    progress.count_calls(std::sync::Arc::new(move || client.stats()));
    let query = AssignmentQuery {
        principals: args.principal.clone(),
        permission_sets: args.permission_set.clone(),
        targets: args.target.clone(),
        ou_recursive: args.ou_recursive,
        names: args.names,
        expand_groups: args.expand_groups,
        progress: progress.sink(),
    };
    let mut stream = admin::list_assignments(&dir, &query).await?;
    let mut header: Vec<&str> = FIELDS.to_vec();
    if args.expand_groups {
        header.extend(VIA);
    }
    if args.connection.output == AdminOutput::Csv {
        // Rows go out as the walk finds them.
        let mut w = CsvWriter::new(&header)?;
        while let Some(a) = stream.next().await {
            let a = a.inspect_err(|_| progress.clear())?;
            progress.suspend(|| w.row(&cells(&a, args.expand_groups)))?;
        }
        progress.clear();
        return Ok(ExitCode::SUCCESS);
    }
    let rows = stream.collect().await;
    progress.clear();
    let mut rows = rows?;
    rows.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    match args.connection.output {
        AdminOutput::Json => {
            let items = rows
                .iter()
                .map(|a| {
                    let mut m = Map::new();
                    for (k, v) in header.iter().zip(values(a)) {
                        m.insert((*k).to_owned(), v);
                    }
                    Value::Object(m)
                })
                .collect();
            output::json(&Value::Array(items))?;
        }
        _ => {
            let mut head = vec![
                "TYPE",
                "PRINCIPAL",
                "PERMISSION SET",
                "ACCOUNT ID",
                "ACCOUNT NAME",
            ];
            if args.expand_groups {
                head.push("VIA GROUP");
            }
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|a| {
                    let mut r = vec![
                        a.principal_type.to_string(),
                        a.principal_name
                            .clone()
                            .unwrap_or_else(|| a.principal_id.clone()),
                        a.permission_set_name.clone().unwrap_or_else(|| {
                            a.permission_set_arn
                                .rsplit('/')
                                .next()
                                .unwrap_or_default()
                                .to_owned()
                        }),
                        a.target_id.clone(),
                        a.target_name.clone().unwrap_or_default(),
                    ];
                    if args.expand_groups {
                        r.push(
                            a.via_group_name
                                .clone()
                                .or_else(|| a.via_group_id.clone())
                                .unwrap_or_default(),
                        );
                    }
                    r
                })
                .collect();
            output::table(&head, &table)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn sort_key(a: &Assignment) -> impl Ord + '_ {
    (
        &a.target_id,
        &a.permission_set_arn,
        a.principal_type,
        &a.principal_id,
        &a.via_group_id,
    )
}

/// The row's values in [`FIELDS`] order, then the via-group pair.
fn values(a: &Assignment) -> Vec<Value> {
    let opt = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
    vec![
        Value::String(a.instance_arn.clone()),
        Value::String(a.principal_type.as_str().to_owned()),
        Value::String(a.principal_id.clone()),
        opt(&a.principal_name),
        Value::String(a.permission_set_arn.clone()),
        opt(&a.permission_set_name),
        Value::String(a.target_type.to_owned()),
        Value::String(a.target_id.clone()),
        opt(&a.target_name),
        opt(&a.via_group_id),
        opt(&a.via_group_name),
    ]
}

fn cells(a: &Assignment, via: bool) -> Vec<String> {
    let n = if via { 11 } else { 9 };
    values(a)
        .into_iter()
        .take(n)
        .map(|v| match v {
            Value::String(s) => s,
            _ => String::new(),
        })
        .collect()
}

/// CSV (RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled) on
/// stdout, flushed per row.
pub(super) struct CsvWriter {
    out: std::io::Stdout,
}

impl CsvWriter {
    pub(super) fn new(header: &[&str]) -> std::io::Result<Self> {
        let mut w = Self {
            out: std::io::stdout(),
        };
        let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
        w.row(&header)?;
        Ok(w)
    }

    pub(super) fn row(&mut self, cells: &[String]) -> std::io::Result<()> {
        let line: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
        let mut out = self.out.lock();
        writeln!(out, "{}", line.join(","))?;
        out.flush()
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(super::csv_field("plain"), "plain");
        assert_eq!(super::csv_field("a,b"), "\"a,b\"");
        assert_eq!(super::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}

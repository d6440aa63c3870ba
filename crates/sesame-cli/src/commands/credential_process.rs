//! `sesame credential-process`: botocore's `credential_process` JSON on stdout and nothing else
//! (PROTOCOLS §5); errors on stderr; exit 3 when a login is needed.

use std::io::Write as _;
use std::process::ExitCode;

use serde_json::{Map, Value};
use sesame::cache::pyjson;

use super::target::{self, Resolved};
use crate::cli::CredentialProcessArgs;
use crate::context::Context;
use crate::error::CliError;

pub(crate) fn run_warm(
    ctx: &Context,
    args: &CredentialProcessArgs,
) -> Option<Result<ExitCode, CliError>> {
    let spec = match target::spec(ctx, args.profile.as_deref(), &args.role) {
        Ok(spec) => spec,
        Err(e) => return Some(Err(e)),
    };
    target::warm(ctx, &spec, &args.role).map(|found| found.and_then(|r| print(&r)))
}

pub(crate) async fn run(ctx: &Context, args: &CredentialProcessArgs) -> Result<ExitCode, CliError> {
    let spec = target::spec(ctx, args.profile.as_deref(), &args.role)?;
    print(&target::cold(ctx, &spec, &args.role).await?)
}

/// `{"Version": 1, "AccessKeyId": ..., "SecretAccessKey": ..., "SessionToken": ..., "Expiration": "...Z"}`.
pub(crate) fn process_json(r: &Resolved) -> String {
    let mut map = Map::new();
    map.insert("Version".into(), Value::from(1));
    map.insert(
        "AccessKeyId".into(),
        Value::from(r.creds.access_key_id.as_str()),
    );
    map.insert(
        "SecretAccessKey".into(),
        Value::from(r.creds.secret_access_key.expose()),
    );
    map.insert(
        "SessionToken".into(),
        Value::from(r.creds.session_token.expose()),
    );
    map.insert(
        "Expiration".into(),
        Value::from(sesame::time::format_aws(r.creds.expiration)),
    );
    pyjson::dumps(&Value::Object(map))
}

fn print(r: &Resolved) -> Result<ExitCode, CliError> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", process_json(r))?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

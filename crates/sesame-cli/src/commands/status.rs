//! `sesame status`: every session the config names and every login in the cache.

use std::collections::BTreeSet;
use std::process::ExitCode;

use jiff::Timestamp;
use serde_json::json;
use sesame::cache::{SsoToken, TokenCache, TokenKey};
use sesame::config::{AwsConfig, SsoSessionConfig};
use sesame::sso::session::{DefaultReason, default_session};
use sesame::time::format_aws;

use crate::cli::{OutputFormat, StatusArgs};
use crate::context::Context;
use crate::error::CliError;
use crate::output;

/// One session or login, and what went wrong reading it.
#[derive(Default)]
struct Row {
    session: Option<String>,
    start_url: String,
    region: String,
    token: Option<SsoToken>,
    problem: Option<String>,
}

pub(crate) async fn run(ctx: &Context, args: &StatusArgs) -> Result<ExitCode, CliError> {
    let config = ctx.config()?;
    let cache = TokenCache::new(ctx.env.sso_cache_dir());
    let rows = rows(&config, &cache);
    let now = sesame::time::now();
    let default = default_session(&ctx.env, &config);
    if args.output == OutputFormat::Json {
        output::json(&serde_json::Value::Array(
            rows.iter()
                .map(|r| to_json(r, now, default.as_ref()))
                .collect(),
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.output == OutputFormat::Jsonl {
        output::json_lines(
            &rows
                .iter()
                .map(|r| to_json(r, now, default.as_ref()))
                .collect::<Vec<_>>(),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let table: Vec<Vec<String>> = rows.iter().map(|r| cells(r, now)).collect();
    if args.output == OutputFormat::Text {
        output::text(&table)?;
    } else if table.is_empty() {
        eprintln!(
            "No sessions in {} and no logins in {}",
            config.path().display(),
            ctx.env.sso_cache_dir().display()
        );
    } else {
        output::table(
            &[
                "SESSION",
                "START URL",
                "REGION",
                "TOKEN EXPIRES",
                "LOGIN ENDS",
            ],
            &table,
        )?;
        match &default {
            Some((name, reason)) => {
                eprintln!("Default session: {name} ({})", reason.describe());
            }
            None if config.sso_session_names().len() > 1 => eprintln!(
                "No default session: commands need --sso-session NAME (set one with \
                 SESAME_SSO_SESSION=NAME or `sso_session = NAME` in [sesame] of {})",
                config.path().display()
            ),
            None => {}
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The sessions the config names, then the logins it does not name (legacy start-URL logins,
/// other tools' sessions).
fn rows(config: &AwsConfig, cache: &TokenCache) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut seen = BTreeSet::new();
    for name in config.sso_session_names() {
        let key = TokenKey::Session(name.clone());
        seen.insert(cache.path(&key));
        rows.push(configured(config, cache, name, &key));
    }
    for (path, entry) in cache.entries() {
        if seen.contains(&path) {
            continue;
        }
        rows.push(match entry {
            Ok(t) => Row {
                start_url: t.start_url.clone().unwrap_or_default(),
                region: t.region.clone().unwrap_or_default(),
                token: Some(t),
                ..Row::default()
            },
            Err(e) => Row {
                problem: Some(e.to_string()),
                ..Row::default()
            },
        });
    }
    rows
}

/// The `[sso-session name]` and its cached token.
fn configured(config: &AwsConfig, cache: &TokenCache, name: String, key: &TokenKey) -> Row {
    let session = match SsoSessionConfig::from_config(config, &name) {
        Ok(s) => s,
        Err(e) => {
            return Row {
                session: Some(name),
                problem: Some(e.to_string()),
                ..Row::default()
            };
        }
    };
    let (token, problem) = match cache.load(key) {
        Ok(t) => (t, None),
        Err(e) => (None, Some(e.to_string())),
    };
    Row {
        session: Some(name),
        start_url: session.start_url,
        region: session.region,
        token,
        problem,
    }
}

fn to_json(
    r: &Row,
    now: Timestamp,
    default: Option<&(String, DefaultReason)>,
) -> serde_json::Value {
    let t = r.token.as_ref();
    let is_default = default.filter(|(name, _)| r.session.as_ref() == Some(name));
    json!({
        "session": r.session,
        "default": is_default.is_some(),
        "defaultBecause": is_default.map(|(_, why)| why.describe()),
        "startUrl": r.start_url,
        "region": r.region,
        "loggedIn": t.is_some_and(|t| !t.is_expired(now)),
        "tokenExpiresAt": t.map(|t| format_aws(t.expires_at)),
        "refreshable": t.is_some_and(|t| t.can_refresh(now)),
        "sessionExpiresAt": t.and_then(|t| session_end(t, now)).map(format_aws),
        "registrationExpiresAt": t.and_then(|t| t.registration_expires_at).map(format_aws),
        "error": r.problem,
    })
}

/// The table's (and the text's) cells: session, start URL, region, token, session end.
fn cells(r: &Row, now: Timestamp) -> Vec<String> {
    let (token, session) = match (&r.token, &r.problem) {
        (_, Some(p)) => (format!("error: {p}"), String::new()),
        (None, None) => ("not logged in".to_owned(), "-".to_owned()),
        (Some(t), None) => (token_cell(t, now), session_cell(t, now)),
    };
    vec![
        r.session.clone().unwrap_or_else(|| "-".into()),
        r.start_url.clone(),
        r.region.clone(),
        token,
        session,
    ]
}

fn token_cell(t: &SsoToken, now: Timestamp) -> String {
    if t.is_expired(now) {
        format!("expired {}", output::relative(t.expires_at, now))
    } else {
        format!(
            "{} ({})",
            format_aws(t.expires_at),
            output::relative(t.expires_at, now)
        )
    }
}

fn session_cell(t: &SsoToken, now: Timestamp) -> String {
    match session_end(t, now) {
        None => "when Identity Center ends it (refreshable)".to_owned(),
        Some(_) if t.is_expired(now) => "ended".to_owned(),
        Some(end) => format!("{} (not refreshable)", format_aws(end)),
    }
}

/// When the login ends, as far as the cache tells (the AWS CLI v2 knows no more): with a
/// usable refresh token, when Identity Center ends the session behind it, which no file
/// records (`None`; the client registration's expiry is only an upper bound); otherwise with
/// the token. A refresh token the service refused is dropped from the cache, so a login whose
/// refresh failed shows its token's end.
fn session_end(t: &SsoToken, now: Timestamp) -> Option<Timestamp> {
    if t.can_refresh(now) {
        None
    } else {
        Some(t.expires_at)
    }
}

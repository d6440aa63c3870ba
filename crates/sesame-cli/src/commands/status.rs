//! `sesame status`: every session the config names and every login in the cache.

use std::collections::BTreeSet;
use std::process::ExitCode;

use serde_json::json;
use sesame::cache::{SsoToken, TokenCache, TokenKey};
use sesame::config::SsoSessionConfig;
use sesame::time::format_aws;

use crate::cli::{OutputFormat, StatusArgs};
use crate::context::Context;
use crate::error::CliError;
use crate::output;

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
    let mut rows = Vec::new();
    let mut seen = BTreeSet::new();
    for name in config.sso_session_names() {
        let key = TokenKey::Session(name.clone());
        seen.insert(cache.path(&key));
        let (start_url, region) = match SsoSessionConfig::from_config(&config, &name) {
            Ok(s) => (s.start_url, s.region),
            Err(e) => {
                rows.push(Row {
                    session: Some(name),
                    start_url: String::new(),
                    region: String::new(),
                    token: None,
                    problem: Some(e.to_string()),
                });
                continue;
            }
        };
        let (token, problem) = match cache.load(&key) {
            Ok(t) => (t, None),
            Err(e) => (None, Some(e.to_string())),
        };
        rows.push(Row {
            session: Some(name),
            start_url,
            region,
            token,
            problem,
        });
    }
    // Logins the config does not name: legacy start-URL logins, other tools' sessions.
    for (path, entry) in cache.entries() {
        if seen.contains(&path) {
            continue;
        }
        match entry {
            Ok(t) => rows.push(Row {
                session: None,
                start_url: t.start_url.clone().unwrap_or_default(),
                region: t.region.clone().unwrap_or_default(),
                token: Some(t),
                problem: None,
            }),
            Err(e) => rows.push(Row {
                session: None,
                start_url: String::new(),
                region: String::new(),
                token: None,
                problem: Some(e.to_string()),
            }),
        }
    }
    let now = sesame::time::now();
    match args.output {
        OutputFormat::Json => {
            let items: Vec<_> = rows
                .iter()
                .map(|r| {
                    let t = r.token.as_ref();
                    json!({
                        "session": r.session,
                        "startUrl": r.start_url,
                        "region": r.region,
                        "loggedIn": t.is_some_and(|t| !t.is_expired(now)),
                        "tokenExpiresAt": t.map(|t| format_aws(t.expires_at)),
                        "refreshable": t.is_some_and(|t| t.can_refresh(now)),
                        "sessionExpiresAt": t.and_then(|t| session_end(t, now)).map(format_aws),
                        "error": r.problem,
                    })
                })
                .collect();
            output::json(&serde_json::Value::Array(items))?;
        }
        format => {
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    let (token, session) = match (&r.token, &r.problem) {
                        (_, Some(p)) => (format!("error: {p}"), String::new()),
                        (None, None) => ("not logged in".to_owned(), "-".to_owned()),
                        (Some(t), None) => {
                            let token = if t.is_expired(now) {
                                format!("expired {}", output::relative(t.expires_at, now))
                            } else {
                                format!(
                                    "{} ({})",
                                    format_aws(t.expires_at),
                                    output::relative(t.expires_at, now)
                                )
                            };
                            let session = match session_end(t, now) {
                                Some(end) => format!("refreshable until {}", format_aws(end)),
                                None if t.is_expired(now) => "ended".to_owned(),
                                None => format!("ends {}", format_aws(t.expires_at)),
                            };
                            (token, session)
                        }
                    };
                    vec![
                        r.session.clone().unwrap_or_else(|| "-".into()),
                        r.start_url.clone(),
                        r.region.clone(),
                        token,
                        session,
                    ]
                })
                .collect();
            if format == OutputFormat::Text {
                output::text(&table)?;
            } else if table.is_empty() {
                eprintln!(
                    "No sessions in {} and no logins in {}",
                    config.path().display(),
                    ctx.env.sso_cache_dir().display()
                );
            } else {
                output::table(
                    &["SESSION", "START URL", "REGION", "TOKEN EXPIRES", "SESSION"],
                    &table,
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// How long the login can be kept alive without the user: with a refresh token, until the
/// client registration expires; otherwise the token's own expiry.
fn session_end(t: &SsoToken, now: jiff::Timestamp) -> Option<jiff::Timestamp> {
    if t.can_refresh(now) {
        t.registration_expires_at
    } else {
        None
    }
}

//! `sesame pick` (and a bare `sesame` on a terminal): a fuzzy picker over every profile of the
//! config and every account and role of a fresh listing cache, the recently used first; then a
//! subshell with the choice's credentials and region, or its exports, its console, a command.
//! `creds`, `exec` and `console` without a profile on a terminal open the same picker.
//!
//! The picker reads files only (the config, the listing caches): nothing is asked of the
//! network before the choice. The recently used are keys in `~/.aws/sesame/recent.json` (0600,
//! written atomically), most recent first.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use sesame::config::AwsConfig;
use sesame::credentials::{AccountRef, RoleSpec};
use sesame::listing::{DEFAULT_MAX_AGE, ListingCache};
use sesame::sso::SessionSelector;

use super::target::{self, Spec};
use crate::cli::{CredsArgs, CredsFormat, PickArgs, RoleArgs};
use crate::context::Context;
use crate::error::CliError;

/// How many recently used choices are kept.
const RECENT_KEPT: usize = 50;

/// The role flags of a pick: none given, credentials valid for 15 more minutes (as the
/// commands' default).
pub(crate) fn role_args() -> RoleArgs {
    RoleArgs {
        min_validity: std::time::Duration::from_secs(15 * 60),
        ..RoleArgs::default()
    }
}

/// Whether a command given no profile opens the picker: nothing names one (no profile, no
/// `--account`, no `AWS_PROFILE`), and a person is there to pick.
pub(crate) fn wanted(ctx: &Context, profile: Option<&str>, role: &RoleArgs) -> bool {
    ctx.interactive && profile.is_none() && role.account.is_none() && ctx.env.profile().is_none()
}

pub(crate) async fn run(ctx: &Context, args: &PickArgs) -> Result<ExitCode, CliError> {
    let role = role_args();
    let help = (!args.print && !args.console && args.command.is_empty()).then_some(PICK_HELP);
    let spec = choose(ctx, help)?;
    if args.console {
        return super::console::open(ctx, &spec, &role, None, false).await;
    }
    let resolved = match target::warm(ctx, &spec, &role) {
        Some(found) => found?,
        None => target::cold(ctx, &spec, &role).await?,
    };
    if args.print {
        let creds = CredsArgs {
            profile: None,
            role,
            format: CredsFormat::Env,
            to_credentials_file: None,
        };
        return super::creds::emit(ctx, &creds, &resolved);
    }
    let command: Vec<OsString> = if args.command.is_empty() {
        let shell = ctx
            .env
            .var("SHELL")
            .filter(|s| !s.is_empty())
            .unwrap_or("/bin/sh");
        eprintln!("A shell as {}; `exit` returns", super::exec::mark_of(&spec));
        vec![OsString::from(shell)]
    } else {
        args.command.clone()
    };
    super::exec::exec_as(ctx, &command, &resolved, &spec, false)
}

/// One thing to pick.
struct Item {
    /// Its key in the recently used file.
    key: String,
    /// What the picker shows (and matches the typed text against).
    label: String,
    spec: Pick,
}

enum Pick {
    Profile(String),
    Role {
        session: String,
        account_id: String,
        role_name: String,
        region: String,
    },
}

/// What Enter does in `sesame pick` (the other commands' picker keeps the default help).
const PICK_HELP: &str = "type to filter, ↑↓ to move, enter: a shell as it (pick --print, --console, -- CMD for the rest)";

/// Shows the picker and gives what was picked (remembered as the most recent); `help` under
/// the list if given.
pub(crate) fn choose(ctx: &Context, help: Option<&str>) -> Result<Spec, CliError> {
    let config = ctx.config()?;
    let mut items = items(ctx, &config);
    if items.is_empty() {
        return Err(CliError::user(anyhow::anyhow!(
            "nothing to pick: no profile in {} and no fresh listing of a session",
            config.path().display()
        ))
        .hint(
            "run `sesame populate` (profiles) or `sesame roles` (a listing), or name a profile",
        ));
    }
    let recent = load_recent(ctx);
    let rank = |key: &str| recent.iter().position(|r| r == key).unwrap_or(usize::MAX);
    items.sort_by(|a, b| {
        (rank(&a.key), a.label.to_lowercase()).cmp(&(rank(&b.key), b.label.to_lowercase()))
    });
    let labels: Vec<String> = items.iter().map(|i| i.label.clone()).collect();
    let index = crate::picker::pick(
        "Profile or role (type to filter):",
        labels,
        help,
        "name a profile instead, e.g. `sesame exec PROFILE`",
    )?;
    let item = items.swap_remove(index);
    save_recent(ctx, &item.key, recent);
    Ok(match item.spec {
        Pick::Profile(name) => Spec::Profile(name),
        Pick::Role {
            session,
            account_id,
            role_name,
            region,
        } => Spec::Role(RoleSpec::AdHoc {
            session: SessionSelector {
                sso_session: Some(session),
                ..SessionSelector::default()
            },
            account: AccountRef::parse(&account_id),
            role_name,
            region: Some(region),
        }),
    })
}

/// Every profile of the config, and every account and role of each `[sso-session]` whose
/// listing cache is fresh, but those a profile already names.
fn items(ctx: &Context, config: &AwsConfig) -> Vec<Item> {
    let mut items = Vec::new();
    let mut named = std::collections::HashSet::new();
    for name in config.profile_names() {
        let Some(p) = config.profile(&name) else {
            continue;
        };
        let mut about = Vec::new();
        if let (Some(account), Some(role)) = (p.sso_account_id(), p.sso_role_name()) {
            about.push(format!("{} {}", account.trim(), role.trim()));
            if let Some(session) = p.sso_session() {
                named.insert((
                    session.trim().to_owned(),
                    account.trim().to_owned(),
                    role.trim().to_owned(),
                ));
            }
        } else if let Some(arn) = p.get("role_arn") {
            about.push(arn.trim().to_owned());
        }
        if let Some(region) = p.region().filter(|r| !r.trim().is_empty()) {
            about.push(region.trim().to_owned());
        }
        let about = if about.is_empty() {
            String::new()
        } else {
            format!("  ({})", about.join(", "))
        };
        items.push(Item {
            key: format!("profile\0{name}"),
            label: format!("{name}{about}"),
            spec: Pick::Profile(name),
        });
    }
    let now = sesame::time::now();
    let cache = ListingCache::from_env(&ctx.env);
    for session_name in config.sso_session_names() {
        let selector = SessionSelector {
            sso_session: Some(session_name.clone()),
            ..SessionSelector::default()
        };
        let Ok(session) = selector.resolve(&ctx.env, config) else {
            continue;
        };
        let Some(listing) = cache
            .load(&session)
            .filter(|c| c.accounts_fresh(now, DEFAULT_MAX_AGE))
        else {
            continue;
        };
        for a in &listing.accounts {
            let id = &a.account.account_id;
            let Some(roles) = listing.fresh_roles(id, now, DEFAULT_MAX_AGE) else {
                continue;
            };
            for role in roles {
                if named.contains(&(session_name.clone(), id.clone(), role.clone())) {
                    continue;
                }
                items.push(Item {
                    key: format!("role\0{session_name}\0{id}\0{role}"),
                    label: format!(
                        "{} / {role}  ({id}, {session_name})",
                        a.account.account_name
                    ),
                    spec: Pick::Role {
                        session: session_name.clone(),
                        account_id: id.clone(),
                        role_name: role.clone(),
                        region: session.region.clone(),
                    },
                });
            }
        }
    }
    items
}

fn recent_path(ctx: &Context) -> PathBuf {
    ctx.env.sesame_dir().join("recent.json")
}

/// The recently used keys, most recent first; none when the file is missing or unreadable.
fn load_recent(ctx: &Context) -> Vec<String> {
    std::fs::read(recent_path(ctx))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Puts `key` first. A failure to write only costs the order next time: a warning.
fn save_recent(ctx: &Context, key: &str, mut recent: Vec<String>) {
    recent.retain(|k| k != key);
    recent.insert(0, key.to_owned());
    recent.truncate(RECENT_KEPT);
    let path = recent_path(ctx);
    let written = serde_json::to_vec(&recent)
        .map_err(std::io::Error::other)
        .and_then(|bytes| {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            sesame::fsutil::write_atomic(&path, &bytes, 0o600)
        });
    if let Err(e) = written {
        crate::output::warning(format!(
            "cannot remember the choice in {}: {e}",
            path.display()
        ));
    }
}

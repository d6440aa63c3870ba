//! `sesame populate`: a profile for every account and role, kept in sync in the config file.

use std::process::ExitCode;

use sesame::listing::{Listing, ListingOptions};
use sesame::populate::{self, Change, Plan, PopulateOptions, ProfileStyle, SessionSpec, Settings};
use sesame::sso::{Sso, SsoSession};

use crate::cli::{PopulateArgs, ProfileStyleArg};
use crate::context::Context;
use crate::error::CliError;
use crate::output;
use crate::progress::Progress;

pub(crate) async fn run(ctx: &Context, args: &PopulateArgs) -> Result<ExitCode, CliError> {
    let config = ctx.config()?;
    let session = ctx.session(&args.session, "populate")?;
    let spec = session_spec(&session, &config)?;
    // Every option is checked before any network call, so bad input fails fast and cleanly.
    let options = options(args, &config, &spec)?;

    let path = config.path().to_owned();
    // So is the file itself (sesame's block and its markers): a plan with no targets reads it.
    populate::plan_file(&path, &spec, &[], &options)?;

    let mut listing_options = ListingOptions {
        // A dry run writes nothing, the listing cache included (and so reads none either).
        cache: !args.dry_run,
        refresh: args.refresh,
        max_age: args.max_age,
        retry: ctx.retry()?,
        ..ListingOptions::default()
    };

    let sso = Sso::new(&ctx.env)?;
    let progress = Progress::listing(ctx, &mut listing_options);
    let listing = Listing::new(&sso, &ctx.env, &session, listing_options);
    progress.count_pacing(listing.pacing());
    let started = std::time::Instant::now();
    let targets = populate::collect_targets(&listing).await;
    progress.clear();
    let targets = targets?;
    let s = listing.pacing().stats();
    tracing::info!(
        "{} targets in {:.1}s: {} requests, {} retries, {} throttled",
        targets.len(),
        started.elapsed().as_secs_f64(),
        s.requests,
        s.retries,
        s.pacer.throttles
    );

    if args.dry_run {
        let plan = populate::plan_file(&path, &spec, &targets, &options)?;
        print_diff(&plan, &path.display().to_string())?;
        summarize(&plan, &spec, &path);
        if plan.changes_file() {
            eprintln!("dry run: {} not written", path.display());
        } else {
            eprintln!("{} is up to date", path.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let applied = populate::apply(&ctx.env, &path, &spec, &targets, &options)?;
    summarize(&applied.plan, &spec, &path);
    match (&applied.backup, applied.plan.changes_file()) {
        (_, false) => eprintln!("{} is up to date", path.display()),
        (Some(b), true) => eprintln!(
            "wrote {} (the previous version is in {})",
            path.display(),
            b.display()
        ),
        (None, true) => eprintln!("wrote {}", path.display()),
    }
    Ok(ExitCode::SUCCESS)
}

/// The `[sso-session]` the profiles name. A session given by start URL (or by a profile's legacy
/// `sso_start_url`) is the config's `[sso-session]` with the same start URL and region; with none,
/// `sesame setup` writes one (populate never invents a session name).
fn session_spec(
    session: &SsoSession,
    config: &sesame::config::AwsConfig,
) -> Result<SessionSpec, CliError> {
    if let Some(name) = &session.name {
        return Ok(SessionSpec {
            name: name.clone(),
            start_url: session.start_url.clone(),
            region: session.region.clone(),
            registration_scopes: session.registration_scopes.clone(),
        });
    }
    let (name, section) = config
        .sso_session_names()
        .into_iter()
        .find_map(|n| {
            let s = config.sso_session(&n)?;
            (s.get("sso_start_url") == Some(session.start_url.as_str())
                && s.get("sso_region") == Some(session.region.as_str()))
            .then_some((n, s))
        })
        .ok_or_else(|| {
            CliError::user(anyhow::anyhow!(
                "no [sso-session] in {} has the start URL {} in {}; the profiles need one",
                config.path().display(),
                session.start_url,
                session.region
            ))
            .hint(format!(
                "add one with `sesame setup --start-url {} --sso-region {} --sso-session NAME`",
                session.start_url, session.region
            ))
        })?;
    Ok(SessionSpec {
        registration_scopes: section
            .get("sso_registration_scopes")
            .map(sesame::config::parse_registration_scopes),
        name,
        start_url: session.start_url.clone(),
        region: session.region.clone(),
    })
}

fn options(
    args: &PopulateArgs,
    config: &sesame::config::AwsConfig,
    spec: &SessionSpec,
) -> Result<PopulateOptions, CliError> {
    let from_config = Settings::from_config(config, &spec.name)?;
    let flag_pairs = |items: &[String], flag: &str, shape: &str| {
        items
            .iter()
            .map(|item| {
                item.split_once('=')
                    .map(|(a, b)| (a.trim().to_owned(), b.trim().to_owned()))
                    .ok_or_else(|| {
                        CliError::user(anyhow::anyhow!("bad {flag} `{item}`: expected {shape}"))
                            .hint(format!("write it as {flag} {shape}"))
                    })
            })
            .collect::<Result<Vec<_>, CliError>>()
    };
    let flags = Settings {
        style: args.style.map(|s| match s {
            ProfileStyleArg::Sso => ProfileStyle::Sso,
            ProfileStyleArg::CredentialProcess => ProfileStyle::CredentialProcess,
        }),
        template: args.template.clone(),
        prefix_strip: args.prefix_strip.clone(),
        lowercase: args.keep_case.then_some(false),
        region_rules: flag_pairs(&args.region_rules, "--region-rule", "PATTERN=REGION")?,
        default_region: args.default_region.clone(),
        role_suffixes: flag_pairs(&args.role_suffixes, "--role-suffix", "ROLE=SUFFIX")?,
        ignore_roles: args.ignore_roles.clone(),
        duration_seconds: args.duration_seconds,
        output: args.profile_output.clone(),
        credential_process_command: args.credential_process_command.clone(),
    };
    Ok(from_config
        .overlay(flags)
        .resolve(args.prune, Some(&spec.region))?)
}

fn print_diff(plan: &Plan, path: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    if !plan.changes_file() {
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(&plan.old_text, &plan.new_text);
    let mut out = std::io::stdout().lock();
    write!(
        out,
        "{}",
        diff.unified_diff().context_radius(3).header(
            &format!("{path} (now)"),
            &format!("{path} (after populate)")
        )
    )?;
    out.flush()
}

/// One line of counts, and the skipped targets.
fn summarize(plan: &Plan, spec: &SessionSpec, config_path: &std::path::Path) {
    for s in &plan.skipped {
        let target = format!(
            "account {} ({}) / {}",
            s.target.account_id, s.target.account_name, s.target.role_name
        );
        match s.hand_written_at {
            // Both places: the hand-written profile (file:line) and the target it would be.
            Some(line) => output::warning(format_args!(
                "no profile `{}` for {target}: the name is taken by the hand-written [profile {}] at {}:{line} (rename or remove that one to let populate write it)",
                s.name,
                s.name,
                config_path.display()
            )),
            None => output::warning(format_args!(
                "no profile `{}` for {target}: {}",
                s.name, s.reason
            )),
        }
    }
    let counts = [
        (Change::Added, "added"),
        (Change::Updated, "updated"),
        (Change::Removed, "removed"),
        (
            Change::Kept,
            "kept (no longer listed; --prune removes them)",
        ),
        (Change::Unchanged, "unchanged"),
    ];
    let parts: Vec<String> = counts
        .iter()
        .map(|(c, label)| (plan.count(*c), label))
        .filter(|(n, _)| *n > 0)
        .map(|(n, label)| format!("{n} {label}"))
        .collect();
    let profiles = if parts.is_empty() {
        "no profiles".to_owned()
    } else {
        parts.join(", ")
    };
    let skipped = match plan.skipped.len() {
        0 => String::new(),
        n => format!("; {n} skipped"),
    };
    eprintln!(
        "profiles for sso-session `{}`: {profiles}{skipped}",
        spec.name
    );
}

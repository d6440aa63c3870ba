//! `sesame setup`: an `[sso-session]` written as `aws configure sso-session` writes it (asking
//! what it asks), a login, and the profiles.

use std::io::BufRead as _;
use std::process::ExitCode;

use clap::{Args as _, FromArgMatches as _};
use sesame::config::configure;
use sesame::http::CaBundle;
use sesame::sso::Sso;
use sesame::sso::session::{DEFAULT_SCOPE, default_session};
use sesame::sso::start_url::{StartUrlKind, classify, region_from_host};

use crate::cli::{LoginArgs, PopulateArgs, SessionArgs, SetupArgs};
use crate::context::Context;
use crate::error::CliError;
use crate::output;

pub(crate) async fn run(ctx: &Context, args: &SetupArgs) -> Result<ExitCode, CliError> {
    let ask = !args.yes;
    if ask && !ctx.interactive {
        return Err(CliError::user(anyhow::anyhow!(
            "`sesame setup` asks its questions on a terminal, and there is none"
        ))
        .hint("pass --yes with --sso-session NAME --start-url URL --sso-region REGION"));
    }
    let config = ctx.config()?;
    let path = config.path().to_owned();
    let mut missing = Vec::new();

    let name = match &args.sso_session {
        Some(n) => Some(n.clone()),
        None if ask => Some(question("SSO session name", None, check_name)?),
        None => {
            missing.push("--sso-session NAME");
            None
        }
    };
    if let Some(n) = &name {
        check_name(n).map_err(bad_value("--sso-session"))?;
    }
    let current = |key: &str| {
        name.as_deref()
            .and_then(|n| config.sso_session(n))
            .and_then(|s| s.get(key).map(str::to_owned))
    };

    let start_url = match &args.start_url {
        Some(u) => Some(u.clone()),
        None if ask => Some(question(
            "SSO start URL",
            current("sso_start_url"),
            check_start_url,
        )?),
        None => current("sso_start_url").or_else(|| {
            missing.push("--start-url URL");
            None
        }),
    };
    if let Some(u) = &start_url {
        classify(u).map_err(|e| {
            CliError::user(e).hint(
                "pass the AWS access portal URL: --start-url https://d-xxxxxxxxxx.awsapps.com/start \
                 (or your organisation's https vanity URL)",
            )
        })?;
    }
    let host_region = start_url.as_deref().and_then(|u| {
        url::Url::parse(u)
            .ok()
            .and_then(|u| u.host_str().and_then(region_from_host))
    });
    // A vanity URL's region is where it leads, as `aws configure sso-session` finds it without
    // asking; one that cannot be resolved leaves the region to be asked, as there.
    let mut vanity_region = None;
    if let Some(u) = start_url
        .as_deref()
        .filter(|_| args.sso_region.is_none() && missing.is_empty())
        && matches!(classify(u), Ok((_, StartUrlKind::Vanity)))
    {
        let ca_bundle = CaBundle::resolve(&ctx.env, &config, None);
        match Sso::new(&ctx.env)?.resolve_url(u, ca_bundle.as_ref()).await {
            Ok(resolved) => {
                if let Some(region) = &resolved.region {
                    eprintln!("{u} leads to {}, in {region}", resolved.url);
                }
                vanity_region = resolved.region;
            }
            Err(e) => output::warning(format_args!("{}", sesame::one_line(&e))),
        }
    }

    let region = match (&args.sso_region, vanity_region) {
        (Some(r), _) => Some(r.clone()),
        (None, Some(r)) => Some(r),
        (None, None) if ask => Some(question(
            "SSO region",
            current("sso_region").or(host_region),
            check_region,
        )?),
        (None, None) => current("sso_region").or(host_region).or_else(|| {
            missing.push("--sso-region REGION");
            None
        }),
    };
    if let Some(r) = &region {
        check_region(r).map_err(bad_value("--sso-region"))?;
    }

    let scopes = match &args.scopes {
        Some(s) => s.clone(),
        None => {
            let default = current("sso_registration_scopes").unwrap_or(DEFAULT_SCOPE.to_owned());
            if ask {
                question("SSO registration scopes", Some(default), check_scopes)?
            } else {
                default
            }
        }
    };
    check_scopes(&scopes).map_err(bad_value("--scopes"))?;

    let (Some(name), Some(start_url), Some(region)) = (name, start_url, region) else {
        return Err(CliError::user(anyhow::anyhow!(
            "`sesame setup --yes` needs {}",
            and_list(&missing)
        ))
        .hint("pass them, or run `sesame setup` on a terminal to be asked"));
    };

    let values = configure::sso_session_values(&config, &name, &start_url, &region, &scopes);
    let done = configure::write_sso_session(&ctx.env, &path, &name, &values)?;
    match (done.changed, &done.backup) {
        (false, _) => eprintln!("[sso-session {name}] in {} is up to date", path.display()),
        (true, Some(b)) => eprintln!(
            "{} [sso-session {name}] in {} (the previous version is in {})",
            if done.existed { "Updated" } else { "Wrote" },
            path.display(),
            b.display()
        ),
        (true, None) => eprintln!("Wrote [sso-session {name}] to {}", path.display()),
    }
    let after = ctx.config()?;
    if after.sso_session_names().len() > 1 && default_session(&ctx.env, &after).is_none() {
        eprintln!(
            "note: {} has several sessions and no default; to make `{name}` the default, add \
             `[sesame]` with `sso_session = {name}` to it, or `export SESAME_SSO_SESSION={name}`",
            path.display()
        );
    }
    if args.no_login {
        eprintln!("Log in with `sesame login --sso-session {name}`");
        return Ok(ExitCode::SUCCESS);
    }

    let session = SessionArgs {
        sso_session: Some(name.clone()),
        ..SessionArgs::default()
    };
    let login = LoginArgs {
        session,
        device_code: args.device_code,
        pkce: false,
        no_browser: args.no_browser,
        redirect_port: None,
        force: false,
        timeout: std::time::Duration::from_secs(600),
        console: false,
        remote: false,
        region: None,
    };
    super::login::run(ctx, &login).await?;

    let populate = !args.no_populate
        && (!ask
            || yes_no(&format!(
                "Write a profile for every account and role into {}?",
                path.display()
            ))?);
    if !populate {
        eprintln!("Write the profiles later with `sesame populate --sso-session {name}`");
        return Ok(ExitCode::SUCCESS);
    }
    let argv = ["populate", "--sso-session", name.as_str()];
    let matches = PopulateArgs::augment_args(clap::Command::new("populate"))
        .try_get_matches_from(argv)
        .map_err(|e| CliError::internal(anyhow::anyhow!(e)))?;
    let populate_args = PopulateArgs::from_arg_matches(&matches)
        .map_err(|e| CliError::internal(anyhow::anyhow!(e)))?;
    super::populate::run(ctx, &populate_args).await?;
    eprintln!(
        "Done: `sesame roles` lists what you can reach; use a profile with \
         `aws ... --profile NAME` or `sesame exec NAME -- COMMAND`"
    );
    Ok(ExitCode::SUCCESS)
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_owned(),
        None => String::new(),
    }
}

/// An error for a flag's bad value.
fn bad_value(flag: &'static str) -> impl Fn(String) -> CliError {
    move |why| {
        CliError::user(anyhow::anyhow!("bad {flag}: {why}")).hint(format!(
            "pass a valid {flag}, or run `sesame setup` on a terminal to be asked"
        ))
    }
}

/// Asks on the terminal as the AWS CLI does (`Text [current]: `); Enter keeps the current
/// value; an answer `check` refuses is asked again.
fn question(
    text: &str,
    current: Option<String>,
    check: fn(&str) -> Result<(), String>,
) -> Result<String, CliError> {
    loop {
        match &current {
            Some(c) => eprint!("{text} [{c}]: "),
            None => eprint!("{text}: "),
        }
        let answer = read_line()?;
        let answer = answer.trim();
        let value = match (answer.is_empty(), &current) {
            (false, _) => answer.to_owned(),
            (true, Some(c)) => c.clone(),
            (true, None) => {
                eprintln!("A value is required");
                continue;
            }
        };
        match check(&value) {
            Ok(()) => return Ok(value),
            Err(why) => eprintln!("{why}"),
        }
    }
}

/// `Question? [Y/n] `: Enter is yes.
fn yes_no(text: &str) -> Result<bool, CliError> {
    loop {
        eprint!("{text} [Y/n] ");
        match read_line()?.trim().to_ascii_lowercase().as_str() {
            "" | "y" | "yes" => return Ok(true),
            "n" | "no" => return Ok(false),
            _ => eprintln!("Answer y or n"),
        }
    }
}

fn read_line() -> Result<String, CliError> {
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line)? == 0 {
        return Err(CliError::user(anyhow::anyhow!(
            "the terminal closed before setup was done; nothing more was written"
        ))
        .hint("run `sesame setup` again"));
    }
    Ok(line)
}

fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() || name.trim() != name {
        return Err("a session name is needed, without leading or trailing spaces".into());
    }
    if name.contains(['[', ']', '\n', '\r']) {
        return Err(format!(
            "`{name}` cannot be a section name (no [, ] or newline)"
        ));
    }
    Ok(())
}

fn check_start_url(url: &str) -> Result<(), String> {
    classify(url).map(|_| ()).map_err(|e| e.to_string())
}

fn check_region(region: &str) -> Result<(), String> {
    let ok = !region.is_empty()
        && region
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
    if ok {
        Ok(())
    } else {
        Err(format!("`{region}` is not a region (e.g. us-east-1)"))
    }
}

/// As the AWS CLI's ScopesValidator: comma-separated, no whitespace inside a scope.
fn check_scopes(scopes: &str) -> Result<(), String> {
    if scopes.trim().is_empty()
        || scopes
            .split(',')
            .any(|s| s.trim().chars().any(char::is_whitespace))
    {
        return Err("Scope values must be separated by commas".into());
    }
    Ok(())
}

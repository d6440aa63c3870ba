//! `sesame run`: one command (or one signed API call) in every account and role the login
//! reaches, bounded, paced, guarded, with each target's output whole.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::process::ExitCode;

use sesame::config::AwsConfig;
use sesame::sso::SsoSession;

use sesame::credentials::CredentialResolver;
use sesame::fanout::results::{Header, ResultsFile, SweepId};
use sesame::fanout::{
    self, Outcome, Runner, RunnerOptions, Selection, Shard, Succeeded, SweepTarget,
};
use sesame::listing::{Listing, ListingOptions};
use sesame::pace::PacerConfig;
use sesame::sso::Sso;

use super::run_output::Report;
use super::run_row::Row;
use crate::cli::{RunArgs, RunOutput};
use crate::context::Context;
use crate::error::CliError;
use crate::progress::Progress;

/// On a terminal, a sweep over more targets than this asks first.
const ASK_ABOVE: usize = 5;

pub(crate) async fn run(ctx: &Context, args: &RunArgs) -> Result<ExitCode, CliError> {
    if args.api.is_none() && args.command.is_empty() && !args.dry_run {
        return Err(CliError::user(anyhow::anyhow!("nothing to run")).hint(
            "give a command after `--` (sesame run -- aws sts get-caller-identity), or --api URL",
        ));
    }
    let shard = match &args.shard {
        Some(text) => Shard::parse(text, &ctx.env)?,
        None => Shard::ALL,
    };
    let pacer = pacer(args.tps, shard)?;
    // One deadline (SESAME_DEADLINE; none by default) for the listing, the credential fetches
    // and the targets' commands.
    let retry = ctx.retry_without_default_deadline()?;
    let deadline = retry.deadline;
    let api = match &args.api {
        Some(_) => Some(super::run_api::request(ctx, args)?),
        None => None,
    };
    let (mut targets, source) = if args.org {
        let (targets, assumer) = super::run_org::targets(ctx, args, pacer).await?;
        (targets, Source::Org(Box::new(assumer)))
    } else {
        let session = ctx.session(&args.session, "run")?;
        let sso = Sso::new(&ctx.env)?;
        // SESAME_MAX_ATTEMPTS bounds the listing's calls and, through its pacing, every target's
        // credential fetch; --tps (this shard's part of it) caps their rate.
        let mut options = ListingOptions {
            refresh: args.refresh,
            retry,
            pacer,
            ..ListingOptions::default()
        };
        let progress = Progress::listing(ctx, &mut options);
        let listing = Listing::new(&sso, &ctx.env, &session, options);
        progress.count_pacing(listing.pacing());
        let selection = Selection {
            accounts: args.accounts.clone(),
            exclude: args.exclude.clone(),
            roles: args.roles.clone(),
            regions: args.regions.clone(),
            verify_roles: args.dry_run,
            refresh: args.refresh,
        };
        let targets = fanout::targets(&listing, &session, &selection).await;
        progress.clear();
        let mut targets = targets?;
        if args.regions.is_empty() {
            give_regions(&ctx.config()?, &session, &mut targets);
        }
        (targets, Source::Sso(Box::new((listing, session))))
    };
    if targets.is_empty() {
        return Err(if args.org {
            CliError::user(anyhow::anyhow!(
                "no ACTIVE account of the organization matches the selection"
            ))
            .hint("check --ou/--account/--exclude; `aws organizations list-accounts` lists them")
        } else {
            CliError::user(anyhow::anyhow!("no account and role matches the selection"))
                .hint("check --account/--exclude/--role; `sesame roles` lists what you can reach")
        });
    }
    let all = targets.len();
    targets.retain(|t| shard.keeps(t));
    if shard != Shard::ALL {
        eprintln!(
            "shard {shard}: {} of {} ({})",
            targets.len(),
            count(all, "target"),
            count(accounts(&targets), "account")
        );
        // A shard may own no account: that is its whole share of the work, done.
        if targets.is_empty() && !args.dry_run {
            eprintln!("0 ok, 0 failed of 0 targets (nothing in this shard)");
            return Ok(ExitCode::SUCCESS);
        }
    }
    // The sweep is the command and this shard's targets: a --resume file must be of the same.
    let sweep_id = SweepId::new(&description(args), &targets);
    let planned = targets.len();
    if let Some(path) = &args.resume {
        let done = ResultsFile::load(path, &sweep_id)?;
        targets.retain(|t| !done.contains(t));
        eprintln!(
            "resuming from {}: {} of {} done, {} to run",
            path.display(),
            planned - targets.len(),
            count(planned, "target"),
            targets.len()
        );
        if targets.is_empty() && !args.dry_run {
            eprintln!("0 ok, 0 failed of 0 targets (all done)");
            return Ok(ExitCode::SUCCESS);
        }
    }
    let output = args.output.unwrap_or(if args.api.is_some() {
        RunOutput::Json
    } else {
        RunOutput::Prefixed
    });
    if args.dry_run {
        if let Some(call) = &api {
            call.describe(&mut std::io::stderr().lock())?;
        }
        return dry_run(output, &targets);
    }
    // With `-d @-` standard input was the body: there is no one left to ask.
    let stdin_body = args.request.data.as_deref() == Some("@-");
    let interactive = !stdin_body && ctx.interactive;
    let what = match &args.api {
        Some(url) => format!("a request to {url}"),
        None => format!("`{}`", shown(&args.command)),
    };
    let canary = args.canary.filter(|n| *n > 0 && *n < targets.len());
    if canary.is_none() && !args.yes {
        if !interactive {
            return Err(CliError::user(anyhow::anyhow!(
                "refusing to run {what} in {} without --yes ({})",
                count(targets.len(), "target"),
                if stdin_body { "standard input is the body, no one to ask" } else { "no terminal to ask on" }
            ))
            .hint("check them with --dry-run, then add --yes (or try a few first with --canary N --yes)"));
        }
        if targets.len() > ASK_ABOVE {
            eprint!("{}", overview(&targets));
            if !confirm(&format!(
                "Run {what} in {}?",
                count(targets.len(), "target")
            ))? {
                eprintln!("nothing ran");
                return Ok(ExitCode::from(1));
            }
        }
    }

    let mut results = match args.results.as_ref().or(args.resume.as_ref()) {
        Some(path) => {
            let what = match &args.api {
                Some(url) => url.clone(),
                None => args
                    .command
                    .first()
                    .map(|w| w.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            };
            let shard = (shard != Shard::ALL).then(|| shard.to_string());
            let header = Header::new(sweep_id, planned, shard, what);
            Some(ResultsFile::open(path, &header)?)
        }
        None => None,
    };
    let options = RunnerOptions {
        jobs: usize::from(args.jobs),
        timeout: args.timeout,
        fail_fast: args.fail_fast,
        deadline,
    };
    let runner = match source {
        Source::Sso(sso) => {
            let (listing, session) = *sso;
            Runner::new(
                CredentialResolver::new(&ctx.env)?,
                listing.pacing().clone(),
                session,
                options,
            )
        }
        Source::Org(assumer) => Runner::assuming(*assumer, options),
    };
    let mut report = Report::new(output, targets.len(), ctx.progress);
    let mut signals = Interrupts::new()?;
    let (first, rest) = targets.split_at(canary.unwrap_or(targets.len()));
    let mut end = sweep(
        &runner,
        first,
        &api,
        args,
        &mut report,
        &mut results,
        &mut signals,
    )
    .await?;
    if end == End::Done && !rest.is_empty() {
        report.canary_done(first.len());
        let go = if args.yes {
            Some(true)
        } else if interactive {
            let question = format!(
                "The canary ran in {}. Run in the other {}?",
                count(first.len(), "target"),
                rest.len()
            );
            // Ctrl-C is sesame's now: the question must give way to it.
            report.pause();
            eprint!("{question} [y/N] ");
            // A plain thread, not spawn_blocking: after a Ctrl-C it is left blocked on stdin
            // without holding up the runtime's shutdown.
            let (tx, rx) = tokio::sync::oneshot::channel();
            std::thread::spawn(move || tx.send(read_yes()));
            let answer = tokio::select! {
                a = rx => Some(a.map_err(CliError::internal)??),
                _ = signals.recv() => None,
            };
            report.resume();
            answer
        } else {
            report.line(&format!(
                "canary done; not running the other {} without --yes (no terminal to ask on)",
                count(rest.len(), "target")
            ));
            Some(false)
        };
        end = match go {
            Some(true) => {
                sweep(
                    &runner,
                    rest,
                    &api,
                    args,
                    &mut report,
                    &mut results,
                    &mut signals,
                )
                .await?
            }
            Some(false) => End::Held,
            None => End::Interrupted,
        };
    }
    Ok(report.finish(end == End::Interrupted))
}

/// Where the targets' credentials come from.
enum Source {
    /// The Identity Center login (its listing's pacing, its session).
    Sso(Box<(Listing, sesame::sso::SsoSession)>),
    /// The role assumed in each account of the organization.
    Org(Box<sesame::fanout::org::Assumer>),
}

/// The pacer of the credential calls: `--tps` (this shard's part of it) as a ceiling from the
/// first call, else the default (unpaced until the service throttles).
fn pacer(tps: Option<f64>, shard: Shard) -> Result<PacerConfig, CliError> {
    let mut pacer = PacerConfig::default();
    let Some(tps) = tps else { return Ok(pacer) };
    if !(tps.is_finite() && tps > 0.0) {
        return Err(CliError::user(anyhow::anyhow!(
            "--tps {tps}: expected a number of calls per second above 0"
        ))
        .hint("e.g. --tps 20 (the whole sweep's budget; each of COUNT shards takes TPS/COUNT)"));
    }
    let rate = shard.share(tps);
    pacer.initial_rate = Some(rate);
    pacer.max_rate = rate;
    pacer.base_rate = pacer.base_rate.min(rate);
    pacer.min_rate = pacer.min_rate.min(rate);
    Ok(pacer)
}

/// What the sweep runs, for its id: the command's words, or the request's URL and flags.
fn description(args: &RunArgs) -> String {
    match &args.api {
        Some(url) => format!("api\0{url}\0{:?}\0{:?}", args.request, args.output_dir),
        None => {
            let words: Vec<String> = args
                .command
                .iter()
                .map(|w| w.to_string_lossy().into_owned())
                .collect();
            format!("command\0{}", words.join("\0"))
        }
    }
}

/// `1 target`, `2 targets`.
pub(super) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Gives each target its region: that of the config's profile for its account and role in this
/// session (the one `sesame populate` wrote, or one of the user's), else the session's
/// `sso_region`. Without one, `run -- aws ec2 ...` would fail for want of a region.
fn give_regions(config: &AwsConfig, session: &SsoSession, targets: &mut [SweepTarget]) {
    let mut regions: HashMap<(String, String), String> = HashMap::new();
    for name in config.profile_names() {
        let Some(p) = config.profile(&name) else {
            continue;
        };
        let ours = match (p.sso_session(), &session.name) {
            (Some(s), Some(name)) => s.trim() == name,
            (None, None) => p.sso_start_url().map(str::trim) == Some(session.start_url.as_str()),
            _ => false,
        };
        let (Some(account), Some(role), Some(region)) =
            (p.sso_account_id(), p.sso_role_name(), p.region())
        else {
            continue;
        };
        if ours && !region.trim().is_empty() {
            regions
                .entry((account.trim().to_owned(), role.trim().to_owned()))
                .or_insert_with(|| region.trim().to_owned());
        }
    }
    for t in targets.iter_mut().filter(|t| t.region.is_none()) {
        let key = (t.account_id.clone(), t.role_name.clone());
        t.region = Some(
            regions
                .get(&key)
                .cloned()
                .unwrap_or_else(|| session.region.clone()),
        );
    }
}

/// What a sweep is about to reach, for the question before it: the targets counted by role and
/// by region, and the accounts (the first few named).
fn overview(targets: &[SweepTarget]) -> String {
    let mut by_role: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_region: BTreeMap<&str, usize> = BTreeMap::new();
    let mut names: Vec<&str> = Vec::new();
    for t in targets {
        *by_role.entry(&t.role_name).or_default() += 1;
        *by_region
            .entry(t.region.as_deref().unwrap_or("(none)"))
            .or_default() += 1;
        if names.last() != Some(&t.account_name.as_str()) {
            names.push(&t.account_name);
        }
    }
    let width = by_role
        .keys()
        .chain(by_region.keys())
        .map(|k| k.len())
        .max()
        .unwrap_or(0);
    let mut text = format!(
        "{} in {}:\n",
        count(targets.len(), "target"),
        count(accounts(targets), "account")
    );
    text.push_str("  by role:\n");
    for (role, n) in &by_role {
        text.push_str(&format!("    {role:<width$}  {}\n", count(*n, "target")));
    }
    text.push_str("  by region:\n");
    for (region, n) in &by_region {
        text.push_str(&format!("    {region:<width$}  {}\n", count(*n, "target")));
    }
    const SHOWN: usize = 8;
    let more = names.len().saturating_sub(SHOWN);
    text.push_str(&format!(
        "  accounts: {}",
        names[..names.len().min(SHOWN)].join(", ")
    ));
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text.push('\n');
    text
}

/// How many accounts `targets` span.
fn accounts(targets: &[SweepTarget]) -> usize {
    let mut ids: Vec<&str> = targets.iter().map(|t| t.account_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// Every target ran (or fail-fast stopped them).
    Done,
    /// The rest was not run after the canary.
    Held,
    /// Ctrl-C.
    Interrupted,
}

async fn sweep(
    runner: &Runner,
    targets: &[SweepTarget],
    api: &Option<super::run_api::ApiCall>,
    args: &RunArgs,
    report: &mut Report,
    results: &mut Option<ResultsFile>,
    signals: &mut Interrupts,
) -> Result<End, CliError> {
    match api {
        Some(call) => {
            let call = call.clone();
            let sweep = runner.start(targets.to_vec(), move |t, c| {
                let call = call.clone();
                async move { call.run(&t, &c).await }
            });
            drive(sweep, report, results, signals, Row::from_api).await
        }
        None => {
            let argv = args.command.clone();
            let sweep = runner.start(targets.to_vec(), move |t, c| {
                let argv = argv.clone();
                async move { fanout::command::run(&argv, &t, &c).await }
            });
            drive(sweep, report, results, signals, Row::from_command).await
        }
    }
}

async fn drive<T: Succeeded>(
    mut sweep: fanout::Sweep<T>,
    report: &mut Report,
    results: &mut Option<ResultsFile>,
    signals: &mut Interrupts,
    row: fn(Outcome<T>) -> Row,
) -> Result<End, CliError> {
    loop {
        tokio::select! {
            outcome = sweep.next() => match outcome {
                Some(o) => {
                    let row = row(o);
                    if let Some(file) = results.as_mut() {
                        file.append(&row.record())?;
                    }
                    report.add(row)?;
                }
                None => return Ok(End::Done),
            },
            _ = signals.recv() => {
                sweep.cancel().await;
                return Ok(End::Interrupted);
            }
        }
    }
}

/// SIGINT, listened to from before the first child starts to the end.
struct Interrupts {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
}

impl Interrupts {
    fn new() -> Result<Self, CliError> {
        #[cfg(unix)]
        {
            let signal = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
                .map_err(CliError::internal)?;
            Ok(Self { signal })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        self.signal.recv().await;
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn dry_run(format: RunOutput, targets: &[SweepTarget]) -> Result<ExitCode, CliError> {
    let region = |t: &SweepTarget| t.region.clone().unwrap_or_default();
    match format {
        RunOutput::Prefixed => {
            let mut out = std::io::stdout().lock();
            for t in targets {
                writeln!(out, "[{}] {}", t.label(), t.account_id)?;
            }
        }
        RunOutput::Json => crate::output::json(&serde_json::json!(targets))?,
        RunOutput::Jsonl => {
            let mut out = std::io::stdout().lock();
            for t in targets {
                serde_json::to_writer(&mut out, t).map_err(CliError::internal)?;
                writeln!(out)?;
            }
        }
        RunOutput::Table => {
            let rows: Vec<Vec<String>> = targets
                .iter()
                .map(|t| {
                    vec![
                        t.account_id.clone(),
                        t.account_name.clone(),
                        t.role_name.clone(),
                        region(t),
                    ]
                })
                .collect();
            crate::output::table(&["ACCOUNT ID", "ACCOUNT NAME", "ROLE", "REGION"], &rows)?;
        }
    }
    eprintln!("{} (dry run: nothing ran)", count(targets.len(), "target"));
    Ok(ExitCode::SUCCESS)
}

/// Asks a yes/no question on the terminal (stderr, stdin); no is the default.
fn confirm(question: &str) -> Result<bool, CliError> {
    eprint!("{question} [y/N] ");
    read_yes()
}

/// Reads an answer from stdin: `y` or `yes` (any case) is yes.
fn read_yes() -> Result<bool, CliError> {
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let answer = line.trim().to_ascii_lowercase();
    Ok(answer == "y" || answer == "yes")
}

fn shown(argv: &[std::ffi::OsString]) -> String {
    argv.iter()
        .map(|a| {
            let a = a.to_string_lossy();
            if a.is_empty() || a.contains(char::is_whitespace) {
                format!("'{a}'")
            } else {
                a.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

//! What `sesame accounts` and `sesame roles` share: the listing set-up from the flags, the
//! streaming and sorted outputs, and the check that every `--account`/`--role` matched.

use std::sync::Arc;
use std::time::Instant;

use sesame::listing::{AccountRoles, Filter, Listed, Listing, ListingOptions, Source};
use sesame::sso::Sso;

use crate::cli::{ListingArgs, OutputFormat, SessionArgs};
use crate::context::Context;
use crate::error::CliError;
use crate::output;
use crate::progress::Progress;

/// Prints one item as it arrives (`--stream`).
pub(super) type Printer<'a, T> = &'a mut dyn FnMut(&T) -> std::io::Result<()>;

/// A listing ready to run: the library's [`Listing`], the filter, when it started.
pub(super) struct Run {
    pub(super) listing: Listing,
    /// The progress line while the portal is asked.
    progress: Arc<Progress>,
    pub(super) filter: Filter,
    started: Instant,
}

/// Checks the flags and builds the listing for the session they name.
pub(super) fn open(
    ctx: &Context,
    session: &SessionArgs,
    args: &ListingArgs,
    command: &str,
) -> Result<Run, CliError> {
    if args.stream && args.output == OutputFormat::Table {
        return Err(CliError::user(anyhow::anyhow!(
            "`--stream` prints rows as they arrive, and a table needs every row first"
        ))
        .hint("add `--output text` (tab-separated) or `--output jsonl` (JSON Lines)"));
    }
    let retry = ctx.retry()?;
    let mut options = ListingOptions {
        refresh: args.refresh,
        max_age: args.max_age,
        retry,
        ..ListingOptions::default()
    };
    let progress = Progress::listing(ctx, &mut options);
    let session = ctx.session(session, command)?;
    let sso = Sso::new(&ctx.env)?;
    let listing = Listing::new(&sso, &ctx.env, &session, options);
    progress.count_pacing(listing.pacing());
    Ok(Run {
        listing,
        progress,
        filter: Filter::new(&args.accounts, &args.roles),
        started: Instant::now(),
    })
}

impl Run {
    /// Runs `list`, and checks that every `--account`/`--role` value matched. One that matches
    /// nothing in a cached listing may be about something new since: Identity Center is asked
    /// once more before saying so (not when rows were already streamed). What still matches
    /// nothing is one error.
    pub(super) async fn list_checked(
        &self,
        stream: bool,
        list: impl AsyncFn(&Listing) -> Result<(Vec<AccountRoles>, Source), CliError>,
    ) -> Result<Vec<AccountRoles>, CliError> {
        let listed = async {
            let (mut items, source) = list(&self.listing).await?;
            let from_cache = matches!(source, Source::Cache { .. });
            let (accounts, roles) = self.unmatched(&items);
            if from_cache && !stream && !(accounts.is_empty() && roles.is_empty()) {
                (items, _) = list(&self.listing.refreshing()).await?;
            }
            Ok::<_, CliError>((items, from_cache))
        }
        .await;
        // The line goes before anything else is printed, the error included.
        self.progress.clear();
        let (items, from_cache) = listed?;
        let (accounts, roles) = self.unmatched(&items);
        match unmatched_error(&accounts, &roles, from_cache && stream) {
            Some(e) => Err(e),
            None => Ok(items),
        }
    }

    /// The `--account` and `--role` values that match none of `items`.
    fn unmatched<'a>(&'a self, items: &'a [AccountRoles]) -> (Vec<&'a str>, Vec<&'a str>) {
        self.filter.unmatched(
            items.iter().map(|i| &i.account),
            items
                .iter()
                .flat_map(|i| i.roles.iter().map(String::as_str)),
        )
    }

    /// Reads a listing to its end; with `print`, each item is printed as it arrives.
    pub(super) async fn gather<T>(
        &self,
        mut listed: Listed<T>,
        mut print: Option<Printer<'_, T>>,
    ) -> Result<Vec<T>, CliError> {
        let mut items = Vec::new();
        while let Some(item) = listed.next().await {
            let item = item?;
            if let Some(p) = print.as_mut() {
                self.progress.suspend(|| p(&item))?;
            }
            items.push(item);
        }
        self.log(listed.source(), items.len());
        Ok(items)
    }

    fn log(&self, source: Source, n: usize) {
        match source {
            Source::Cache { fetched_at } => tracing::info!(
                "{n} results from the listing cache, fetched {} (--refresh to ask again)",
                output::relative(fetched_at, sesame::time::now())
            ),
            Source::Portal => {
                let s = self.listing.pacing().stats();
                let rate = s
                    .pacer
                    .rate
                    .map_or("unpaced".to_owned(), |r| format!("{r:.1}/s"));
                tracing::info!(
                    "{n} results from Identity Center in {:.1}s: {} requests, {} retries, {} throttled, rate now {rate}",
                    self.started.elapsed().as_secs_f64(),
                    s.requests,
                    s.retries,
                    s.pacer.throttles,
                );
            }
        }
    }
}

/// The error for `--account` and `--role` values that matched nothing, if any.
fn unmatched_error(accounts: &[&str], roles: &[&str], from_cache: bool) -> Option<CliError> {
    let refresh = if from_cache {
        " (the listing came from the cache: `--refresh` asks Identity Center again)"
    } else {
        ""
    };
    if let Some(a) = accounts.first() {
        return Some(
            CliError::user(anyhow::anyhow!("no account matches `{a}`")).hint(format!(
                "`--account` takes a 12-digit id or a glob on the name, such as '*prod*'; \
                 `sesame accounts` lists what you can reach{refresh}"
            )),
        );
    }
    roles.first().map(|r| {
        CliError::user(anyhow::anyhow!("no role matches `{r}` in the accounts listed")).hint(format!(
            "`--role` takes a glob on the role name, such as 'Admin*'; `sesame roles` lists what you \
             can reach{refresh}"
        ))
    })
}

/// Prints one item as it arrives: JSON Lines (`-o jsonl`, or `-o json` with `--stream`), else
/// one tab-separated line.
pub(super) fn stream_line(
    format: OutputFormat,
    json: impl FnOnce() -> serde_json::Value,
    cells: &[&str],
) -> std::io::Result<()> {
    use std::io::Write as _;
    match format {
        OutputFormat::Json | OutputFormat::Jsonl => output::json_line(&json()),
        _ => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{}", output::text_row(cells))?;
            out.flush()
        }
    }
}

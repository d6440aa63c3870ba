//! `tracing` on stderr: `-v` diagnostics, and the library's warnings written as sesame writes its
//! own (`warning: ...`, [`crate::output::warning`]).

use std::fmt;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::FmtContext;
use tracing_subscriber::fmt::format::{self, FormatEvent, FormatFields, Full};
use tracing_subscriber::registry::LookupSpan;

use crate::context::Context;
use crate::output::WARNING;

/// `-v` info, `-vv` debug, `-vvv` trace, for sesame's own crates only: dependencies stay at
/// `warn` so no HTTP library ever logs a header (tokens travel in headers). `SESAME_LOG`
/// overrides with an env-filter directive.
pub(crate) fn init(ctx: &Context) {
    let level = match ctx.verbosity {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let directive = ctx
        .log_filter
        .clone()
        .unwrap_or_else(|| format!("warn,sesame={level},sesame_cli={level}"));
    let filter = tracing_subscriber::EnvFilter::try_new(directive)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .event_format(Lines {
            diagnostic: format::format().with_target(false).without_time(),
        })
        .try_init();
}

/// A warning is one `warning: ...` line, as the CLI's own; anything else (the `-v` diagnostics)
/// keeps tracing's format: level, spans, message.
struct Lines {
    diagnostic: format::Format<Full, ()>,
}

impl<S, N> FormatEvent<S, N> for Lines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: format::Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        if *event.metadata().level() != Level::WARN {
            return self.diagnostic.format_event(ctx, writer, event);
        }
        write!(writer, "{WARNING}")?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

//! What `sesame run` shows: each target's result whole (prefixed lines, JSON Lines or a table),
//! a progress bar on a terminal, and the summary on stderr.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget};
use serde_json::Value;

use super::run_row::Row;
use crate::cli::RunOutput;
use crate::error::CliError;

/// Prints results as they come and the summary at the end.
pub(crate) struct Report {
    progress: bool,
    format: RunOutput,
    total: usize,
    started: Instant,
    ok: usize,
    skipped: usize,
    failed: Vec<Row>,
    rows: Vec<Row>,
    /// Every result so far, without its output: what the canary did, shown on stderr when its
    /// output went elsewhere (a file, or the table or JSON printed at the end).
    done: Vec<Row>,
    bar: ProgressBar,
}

impl Report {
    /// A report on `total` targets; its progress bar shown when `progress`.
    pub(crate) fn new(format: RunOutput, total: usize, progress: bool) -> Report {
        let bar = crate::progress::bar(progress, total, "{bar:30} {pos}/{len} {msg} [{elapsed}]");
        bar.set_message("ok 0, failed 0");
        Report {
            progress,
            format,
            total,
            started: Instant::now(),
            ok: 0,
            skipped: 0,
            failed: Vec::new(),
            rows: Vec::new(),
            done: Vec::new(),
            bar,
        }
    }

    /// Hides the progress bar (while a question waits for an answer).
    pub(crate) fn pause(&self) {
        self.bar.disable_steady_tick();
        self.bar.set_draw_target(ProgressDrawTarget::hidden());
        if self.progress {
            // The last frame stays on screen: clear its line.
            eprint!("\r\x1b[2K");
        }
    }

    /// Shows the progress bar again (on a terminal).
    pub(crate) fn resume(&self) {
        crate::progress::show(&self.bar, self.progress);
    }

    /// A line on stderr, the progress bar out of the way.
    pub(crate) fn line(&self, text: &str) {
        self.bar.suspend(|| eprintln!("{text}"));
    }

    /// The canary's summary; and, when its output was not on the terminal (stdout is a file or
    /// a pipe, or the format prints only at the end), each canary target's result, so that the
    /// question after it is asked about something seen.
    pub(crate) fn canary_done(&self, n: usize) {
        let failed = self.failed.len();
        let shown = std::io::stdout().is_terminal()
            && matches!(self.format, RunOutput::Prefixed | RunOutput::Jsonl);
        if !shown {
            for row in &self.done {
                let what = if row.ok { "ok" } else { "failed" };
                self.line(&format!(
                    "canary: {what:<6} {} ({}) {}",
                    row.target.label(),
                    row.target.account_id,
                    row.error.clone().unwrap_or_else(|| row.result())
                ));
            }
        }
        self.line(&format!(
            "canary: {}, {} ok, {failed} failed",
            super::run::count(n, "target"),
            n - failed
        ));
    }

    /// One target's result: printed whole (or kept for the table), counted.
    pub(crate) fn add(&mut self, row: Row) -> Result<(), CliError> {
        self.bar.inc(1);
        self.done.push(row.shallow());
        if row.skipped {
            self.skipped += 1;
            return Ok(());
        }
        let printed = self.bar.suspend(|| self.print(&row));
        printed?;
        if row.ok {
            self.ok += 1;
        }
        self.bar.set_message(format!(
            "ok {}, failed {}",
            self.ok,
            self.failed.len() + usize::from(!row.ok)
        ));
        if matches!(self.format, RunOutput::Table | RunOutput::Json) {
            if !row.ok {
                self.failed.push(row.shallow());
            }
            self.rows.push(row);
        } else if !row.ok {
            // Printed already: the summary needs its name and error, not its output.
            self.failed.push(row.shallow());
        }
        Ok(())
    }

    fn print(&self, row: &Row) -> std::io::Result<()> {
        match self.format {
            RunOutput::Table | RunOutput::Json => Ok(()),
            RunOutput::Jsonl => {
                let mut out = std::io::stdout().lock();
                serde_json::to_writer(&mut out, &row.json())?;
                writeln!(out)?;
                out.flush()
            }
            RunOutput::Prefixed => {
                let label = row.target.label();
                let mut out = std::io::stdout().lock();
                let stdout = row.shown();
                for line in stdout.lines() {
                    writeln!(out, "[{label}] {line}")?;
                }
                out.flush()?;
                let mut err = std::io::stderr().lock();
                for line in row.stderr.lines() {
                    writeln!(err, "[{label}] {line}")?;
                }
                if !row.ok {
                    writeln!(
                        err,
                        "[{label}] failed: {}",
                        row.error.clone().unwrap_or_else(|| row.result())
                    )?;
                }
                err.flush()
            }
        }
    }

    /// Prints the table (if that is the format) and the summary; the exit code: 130 after
    /// Ctrl-C, 1 when a target failed or was not run, else 0.
    pub(crate) fn finish(mut self, interrupted: bool) -> ExitCode {
        self.bar.finish_and_clear();
        // The order of `sesame roles` (then region), not the order of completion.
        self.rows.sort_by_cached_key(|r| {
            let t = &r.target;
            (
                t.account_name.to_lowercase(),
                t.account_id.clone(),
                t.role_name.to_lowercase(),
                t.region.clone(),
            )
        });
        if self.format == RunOutput::Table {
            let rows: Vec<Vec<String>> = self
                .rows
                .iter()
                .map(|r| {
                    let output = r.shown().trim_end().replace('\n', " | ");
                    vec![
                        r.target.account_id.clone(),
                        r.target.account_name.clone(),
                        r.target.role_name.clone(),
                        r.target.region.clone().unwrap_or_default(),
                        r.result(),
                        format!("{:.1}", r.duration.as_secs_f64()),
                        output,
                    ]
                })
                .collect();
            let _ = crate::output::table(
                &[
                    "ACCOUNT ID",
                    "ACCOUNT NAME",
                    "ROLE",
                    "REGION",
                    "RESULT",
                    "SECONDS",
                    "OUTPUT",
                ],
                &rows,
            );
        }
        if self.format == RunOutput::Json {
            let all: Vec<Value> = self.rows.iter().map(Row::json).collect();
            let _ = crate::output::json(&Value::Array(all));
        }
        let failed = self.failed.len();
        let done = self.ok + failed + self.skipped;
        let not_run = self.total - done;
        let mut err = std::io::stderr().lock();
        for row in self.failed.iter().take(20) {
            let _ = writeln!(
                err,
                "failed: {} ({}) {}",
                row.target.label(),
                row.target.account_id,
                row.error.clone().unwrap_or_else(|| row.result())
            );
        }
        if failed > 20 {
            let _ = writeln!(err, "failed: ... and {} more", failed - 20);
        }
        let mut summary = format!("{} ok, {failed} failed", self.ok);
        if self.skipped > 0 {
            summary.push_str(&format!(", {} skipped (no such role)", self.skipped));
        }
        if not_run > 0 {
            summary.push_str(&format!(", {not_run} not run"));
        }
        let _ = writeln!(
            err,
            "{summary} of {} in {:.1}s{}",
            super::run::count(self.total, "target"),
            self.started.elapsed().as_secs_f64(),
            if interrupted { " (interrupted)" } else { "" }
        );
        if interrupted {
            ExitCode::from(130)
        } else if failed > 0 || not_run > 0 || self.ok == 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}

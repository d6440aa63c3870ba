//! What `sesame run` shows: each target's result whole (prefixed lines, JSON Lines or a table),
//! a progress bar on a terminal, and the summary on stderr.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};
use sesame::fanout::command::CommandOutput;
use sesame::fanout::{Outcome, Succeeded, SweepTarget};

use super::run_api::ApiOutput;
use crate::cli::RunOutput;
use crate::error::CliError;

/// One target's result, whatever the task.
pub(crate) struct Row {
    target: SweepTarget,
    duration: Duration,
    ok: bool,
    skipped: bool,
    exit_code: Option<i32>,
    status: Option<u16>,
    stdout: String,
    stderr: String,
    body: Option<Value>,
    error: Option<String>,
    /// `--api`'s other members: `headers`, `file`, `url`.
    api: Option<serde_json::Map<String, Value>>,
}

impl Row {
    pub(crate) fn from_command(o: Outcome<CommandOutput>) -> Row {
        let (ok, skipped) = (o.ok(), o.skipped());
        let mut row = Row::bare(o.target, o.duration, ok);
        row.skipped = skipped;
        match o.result {
            Ok(c) => {
                row.exit_code = Some(c.exit_code);
                row.stdout = String::from_utf8_lossy(&c.stdout).into_owned();
                row.stderr = String::from_utf8_lossy(&c.stderr).into_owned();
            }
            Err(e) => row.error = Some(e.to_string()),
        }
        row
    }

    pub(crate) fn from_api(o: Outcome<ApiOutput>) -> Row {
        let (ok, skipped) = (o.ok(), o.skipped());
        let mut row = Row::bare(o.target, o.duration, ok);
        row.skipped = skipped;
        match o.result {
            Ok(a) => {
                if !a.succeeded() {
                    row.error = a.error.clone();
                }
                let mut extra = serde_json::Map::new();
                if let Some(h) = a.headers {
                    extra.insert("headers".into(), h);
                }
                if let Some(f) = a.file {
                    extra.insert("file".into(), json!(f));
                }
                if let Some(u) = a.url {
                    extra.insert("url".into(), json!(u));
                }
                row.status = a.status;
                row.body = a.body;
                row.api = Some(extra);
            }
            Err(e) => row.error = Some(e.to_string()),
        }
        row
    }

    fn bare(target: SweepTarget, duration: Duration, ok: bool) -> Row {
        Row {
            target,
            duration,
            ok,
            skipped: false,
            exit_code: None,
            status: None,
            stdout: String::new(),
            stderr: String::new(),
            body: None,
            error: None,
            api: None,
        }
    }

    fn json(&self) -> Value {
        let t = &self.target;
        let mut v = json!({
            "accountId": t.account_id,
            "accountName": t.account_name,
            "roleName": t.role_name,
            "region": t.region,
            "ok": self.ok,
            "durationMs": self.duration.as_millis() as u64,
            "error": self.error,
        });
        if let Some(extra) = &self.api {
            if extra.contains_key("url") {
                v["url"] = extra["url"].clone();
            } else {
                v["status"] = json!(self.status);
                if !extra.contains_key("file") {
                    v["body"] = self.body.clone().unwrap_or(Value::Null);
                }
                for (k, x) in extra {
                    v[k] = x.clone();
                }
            }
        } else if self.status.is_some() || self.body.is_some() {
            v["status"] = json!(self.status);
            v["body"] = self.body.clone().unwrap_or(Value::Null);
        } else {
            v["exitCode"] = json!(self.exit_code);
            v["stdout"] = json!(self.stdout);
            v["stderr"] = json!(self.stderr);
        }
        v
    }

    /// What the prefixed lines and the OUTPUT cell show: the command's stdout, or the answer's
    /// body, file or presigned URL.
    fn shown(&self) -> String {
        let extra = |k: &str| {
            self.api
                .as_ref()
                .and_then(|m| m.get(k))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        // `-i`: the status and headers first, as `sesame api -i` prints them.
        let mut head = String::new();
        if let (Some(Value::Object(h)), Some(status)) = (
            self.api.as_ref().and_then(|m| m.get("headers")),
            self.status,
        ) {
            head.push_str(&format!("HTTP {status}\n"));
            for (k, v) in h {
                head.push_str(&format!("{k}: {}\n", v.as_str().unwrap_or_default()));
            }
        }
        head + &match (&self.body, extra("url"), extra("file")) {
            (Some(body), _, _) => serde_json::to_string(body).unwrap_or_default(),
            (None, Some(url), _) => url,
            (None, None, Some(file)) => format!("(written to {file})"),
            _ => self.stdout.clone(),
        }
    }

    /// The RESULT cell: the exit code, the HTTP status, or the error.
    fn result(&self) -> String {
        match (&self.error, self.exit_code, self.status) {
            (_, Some(code), _) => format!("exit {code}"),
            (_, _, Some(status)) => format!("HTTP {status}"),
            (None, _, None) if self.api.is_some() => "presigned".to_owned(),
            (Some(e), _, _) => e.clone(),
            _ => String::new(),
        }
    }
}

/// Prints results as they come and the summary at the end.
pub(crate) struct Report {
    format: RunOutput,
    total: usize,
    started: Instant,
    ok: usize,
    skipped: usize,
    failed: Vec<Row>,
    rows: Vec<Row>,
    bar: ProgressBar,
}

impl Report {
    pub(crate) fn new(format: RunOutput, total: usize) -> Report {
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
        if std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            if let Ok(style) =
                ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} [{elapsed}]")
            {
                bar.set_style(style);
            }
            bar.set_message("ok 0, failed 0");
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        Report {
            format,
            total,
            started: Instant::now(),
            ok: 0,
            skipped: 0,
            failed: Vec::new(),
            rows: Vec::new(),
            bar,
        }
    }

    /// Hides the progress bar (while a question waits for an answer).
    pub(crate) fn pause(&self) {
        self.bar.disable_steady_tick();
        self.bar.set_draw_target(ProgressDrawTarget::hidden());
        if std::io::stderr().is_terminal() {
            // The last frame stays on screen: clear its line.
            eprint!("\r\x1b[2K");
        }
    }

    /// Shows the progress bar again (on a terminal).
    pub(crate) fn resume(&self) {
        if std::io::stderr().is_terminal() {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(200));
        }
    }

    /// A line on stderr, the progress bar out of the way.
    pub(crate) fn line(&self, text: &str) {
        self.bar.suspend(|| eprintln!("{text}"));
    }

    pub(crate) fn canary_done(&self, n: usize) {
        let failed = self.failed.len();
        self.line(&format!(
            "canary: {n} targets, {} ok, {failed} failed",
            n - failed
        ));
    }

    /// One target's result: printed whole (or kept for the table), counted.
    pub(crate) fn add(&mut self, row: Row) -> Result<(), CliError> {
        self.bar.inc(1);
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
            self.failed.push(row);
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
            "{summary} of {} targets in {:.1}s{}",
            self.total,
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

impl Row {
    fn shallow(&self) -> Row {
        Row {
            target: self.target.clone(),
            duration: self.duration,
            ok: self.ok,
            skipped: self.skipped,
            exit_code: self.exit_code,
            status: self.status,
            stdout: String::new(),
            stderr: String::new(),
            body: None,
            error: self.error.clone(),
            api: None,
        }
    }
}

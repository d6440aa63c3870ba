//! One target's result in `sesame run`, whatever the task (a command or `--api`), and what it
//! shows as: a JSON object, the output lines, the RESULT cell.

use std::time::Duration;

use serde_json::{Value, json};
use sesame::fanout::command::CommandOutput;
use sesame::fanout::results::Record;
use sesame::fanout::{Outcome, Succeeded, SweepTarget};

use super::run_api::ApiOutput;

/// One target's result, whatever the task.
pub(crate) struct Row {
    pub(super) target: SweepTarget,
    pub(super) duration: Duration,
    pub(super) ok: bool,
    pub(super) skipped: bool,
    pub(super) exit_code: Option<i32>,
    pub(super) status: Option<u16>,
    pub(super) stdout: String,
    pub(super) stderr: String,
    pub(super) body: Option<Value>,
    pub(super) error: Option<String>,
    /// `--api`'s other members: `headers`, `file`, `url`.
    pub(super) api: Option<serde_json::Map<String, Value>>,
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

    pub(super) fn json(&self) -> Value {
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
    pub(super) fn shown(&self) -> String {
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
    pub(super) fn result(&self) -> String {
        match (&self.error, self.exit_code, self.status) {
            (_, Some(code), _) => format!("exit {code}"),
            (_, _, Some(status)) => format!("HTTP {status}"),
            (None, _, None) if self.api.is_some() => "presigned".to_owned(),
            (Some(e), _, _) => e.clone(),
            _ => String::new(),
        }
    }

    /// Its line in a `--results` file: the outcome without the output.
    pub(super) fn record(&self) -> Record {
        let mut r = Record::new(&self.target, self.ok, self.duration);
        r.skipped = self.skipped;
        r.exit_code = self.exit_code;
        r.status = self.status;
        r.error = self.error.clone();
        r
    }

    pub(super) fn shallow(&self) -> Row {
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

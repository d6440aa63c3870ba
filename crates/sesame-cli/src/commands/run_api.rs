//! `sesame run --api URL`: one signed request per target, built by `sesame::api` as
//! `sesame api` builds its one: prepared (and its body read) once, then signed — or presigned —
//! with each target's credentials and region.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::{Map, Value};
use sesame::api::{ApiRequest, PreparedRequest, RequestError};
use sesame::aws_error::AwsError;
use sesame::cache::RoleCredentials;
use sesame::credentials::AwsCredentials;
use sesame::fanout::{Succeeded, SweepTarget, TargetError};

use crate::cli::RunArgs;
use crate::context::Context;
use crate::error::CliError;

/// The request, ready to be signed for each target.
#[derive(Clone)]
pub(crate) struct ApiCall {
    prepared: PreparedRequest,
    client: reqwest::Client,
    /// `--presign --expires`: a URL per target, nothing sent.
    presign: Option<Duration>,
    include: bool,
    fail: bool,
    output_dir: Option<PathBuf>,
}

/// One target's answer.
pub(crate) struct ApiOutput {
    /// The HTTP status (none for a presigned URL).
    pub(crate) status: Option<u16>,
    /// The body: parsed JSON when it is JSON, else the text (none when written to a file or
    /// left out by `--fail`).
    pub(crate) body: Option<Value>,
    /// The AWS error code and message of an error answer.
    pub(crate) error: Option<String>,
    /// `-i`: the response headers.
    pub(crate) headers: Option<Value>,
    /// `--output-dir`: the file the body was written to.
    pub(crate) file: Option<PathBuf>,
    /// `--presign`: the presigned URL.
    pub(crate) url: Option<String>,
}

impl Succeeded for ApiOutput {
    fn succeeded(&self) -> bool {
        self.status.is_none_or(|s| (200..300).contains(&s))
    }
}

/// The request the `--api` flags describe, prepared once: a bad URL, an unreadable body or an
/// unusable `--output-dir` fail here, before any target runs. `-d @-` reads stdin here, once.
pub(crate) fn request(ctx: &Context, args: &RunArgs) -> Result<ApiCall, CliError> {
    let r = &args.request;
    if r.presign {
        let with = [
            (r.data.is_some(), "-d"),
            (r.include, "-i"),
            (args.output_dir.is_some(), "--output-dir"),
            (r.fail, "--fail"),
        ];
        if let Some((_, flag)) = with.iter().find(|(on, _)| *on) {
            return Err(CliError::usage(anyhow::anyhow!(
                "--presign sends nothing, so {flag} has nothing to act on"
            ))
            .hint(format!(
                "drop {flag}; whoever uses a presigned URL sends the body and reads the answer"
            )));
        }
    }
    let request = ApiRequest {
        // Each target signs for its own region; this one checks that there is one.
        region: args.regions.first().cloned(),
        ..super::api::request(r, args.api.as_deref().unwrap_or_default())?
    };
    let prepared = request
        .prepare()
        .and_then(|mut p| p.load_body().map(|()| p))
        .map_err(|e| {
            // `run` has --regions where `sesame api` has --region.
            let hint = match &e {
                RequestError::NoRegion { .. } => {
                    Some("pass --regions R1,R2 (each target signs for its region)")
                }
                RequestError::NoService { .. } => Some(
                    "the host is not an AWS endpoint sesame recognises; pass --service NAME (the signing name, e.g. execute-api) and --regions R1,R2",
                ),
                _ => None,
            };
            let err = CliError::from(e);
            match hint {
                Some(h) => err.hint(h),
                None => err.or_hint("check the URL and the --api options (see `sesame api --help`)"),
            }
        })?;
    if let Some(dir) = &args.output_dir {
        check_dir(dir)?;
    }
    // Checked here, before any target runs (the signer would refuse it per target).
    let expires = r.expires.as_secs();
    if r.presign && !(1..=sesame::api::sign::MAX_PRESIGN_EXPIRY.as_secs()).contains(&expires) {
        return Err(
            CliError::usage(anyhow::anyhow!("--expires {expires}s is out of range"))
                .hint("pass --expires between 1s and 7 days (604800 seconds)"),
        );
    }
    // The targets' credentials come from the login; the trust is the environment's profile's.
    let client = super::api::http_client(ctx, None, &prepared)?;
    Ok(ApiCall {
        prepared,
        client,
        presign: r.presign.then_some(r.expires),
        include: r.include,
        fail: r.fail,
        output_dir: args.output_dir.clone(),
    })
}

/// `--output-dir` must be a directory sesame can create files in (proved by creating one).
fn check_dir(dir: &Path) -> Result<(), CliError> {
    let bad = |why: String| {
        CliError::user(anyhow::anyhow!(
            "cannot write the bodies to {}: {why}",
            dir.display()
        ))
        .hint("give --output-dir an existing directory you can write to")
    };
    if !dir.is_dir() {
        return Err(bad("not a directory".into()));
    }
    tempfile::Builder::new()
        .prefix(".sesame-probe")
        .tempfile_in(dir)
        .map_err(|e| bad(e.to_string()))?;
    Ok(())
}

/// `ACCOUNT-ROLE[-REGION]`, every byte outside `[A-Za-z0-9._-]` written `%XX` (a role named
/// `Ops+Admin` gives `Ops%2BAdmin`): no separator or dot-dot can get through, and two targets
/// never share a name.
fn file_name(target: &SweepTarget) -> String {
    let mut name = format!("{}-{}", target.account_id, target.role_name);
    if let Some(r) = &target.region {
        name.push('-');
        name.push_str(r);
    }
    let mut safe = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-') || (b == b'.' && !safe.is_empty())
        {
            safe.push(char::from(b));
        } else {
            safe.push_str(&format!("%{b:02X}"));
        }
    }
    safe
}

impl ApiCall {
    /// The request's shape for `--dry-run` (no credentials are read, nothing is signed).
    pub(crate) fn describe(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let p = &self.prepared;
        writeln!(out, "> {} {}", p.method, p.url.as_string())?;
        for (k, v) in &p.headers {
            writeln!(out, "> {k}: {v}")?;
        }
        if !p.body.is_empty() {
            writeln!(
                out,
                "> ({} bytes of body, the same to every target)",
                p.body.len()
            )?;
        }
        let how = match self.presign {
            Some(d) => format!("presigned (valid {} s), nothing sent", d.as_secs()),
            None => "signed".to_owned(),
        };
        writeln!(
            out,
            "> {how} for service `{}` in each target's region (else `{}`) with its own credentials",
            p.service, p.region
        )
    }

    /// Signs and sends the request as `target` (or presigns it), with its region when it has
    /// one (else the host's).
    pub(crate) async fn run(
        &self,
        target: &SweepTarget,
        creds: &RoleCredentials,
    ) -> Result<ApiOutput, TargetError> {
        let task = |e: RequestError| TargetError::Task(e.to_string());
        let mut prepared = self.prepared.clone();
        if let Some(r) = &target.region {
            prepared.region = r.clone();
        }
        let creds = AwsCredentials {
            access_key_id: creds.access_key_id.clone(),
            secret_access_key: creds.secret_access_key.clone(),
            session_token: Some(creds.session_token.clone()),
            expiration: Some(creds.expiration),
            source: format!("{} as {}", target.account_id, target.role_name),
        };
        let mut output = ApiOutput {
            status: None,
            body: None,
            error: None,
            headers: None,
            file: None,
            url: None,
        };
        if let Some(expires) = self.presign {
            let signed = prepared
                .presign(&creds, SystemTime::now(), expires, false)
                .map_err(task)?;
            output.url = signed.url.map(|u| u.as_string());
            return Ok(output);
        }
        let signed = prepared
            .sign(&creds, SystemTime::now(), false)
            .map_err(task)?;
        let response = prepared.send(&self.client, &signed).await.map_err(task)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| TargetError::Task(format!("reading the answer: {e}")))?;
        output.status = Some(status);
        output.error =
            AwsError::parse("request", status, &headers, &bytes).map(|e| match e.message {
                Some(m) => format!("{}: {m}", e.code),
                None => e.code,
            });
        if self.include {
            let mut map = Map::new();
            for (k, v) in &headers {
                let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
                match map.get_mut(k.as_str()) {
                    Some(Value::String(s)) => {
                        s.push_str(", ");
                        s.push_str(&v);
                    }
                    _ => {
                        map.insert(k.as_str().to_owned(), Value::String(v));
                    }
                }
            }
            output.headers = Some(Value::Object(map));
        }
        if self.fail && !output.succeeded() {
            return Ok(output);
        }
        match &self.output_dir {
            Some(dir) => {
                let path = dir.join(file_name(target));
                sesame::fsutil::write_atomic(&path, &bytes, 0o600).map_err(|e| {
                    TargetError::Task(format!("cannot write {}: {e}", path.display()))
                })?;
                output.file = Some(path);
            }
            None => {
                output.body = Some(serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                    Value::String(String::from_utf8_lossy(&bytes).into_owned())
                }));
            }
        }
        Ok(output)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(account: &str, role: &str, region: Option<&str>) -> SweepTarget {
        SweepTarget {
            account_id: account.into(),
            account_name: "x".into(),
            role_name: role.into(),
            region: region.map(str::to_owned),
            role_listed: true,
        }
    }

    #[test]
    fn file_names_are_safe_and_distinct() {
        assert_eq!(
            file_name(&target("111122223333", "ReadOnly", Some("eu-west-1"))),
            "111122223333-ReadOnly-eu-west-1"
        );
        assert_eq!(file_name(&target("1", "a+b", None)), "1-a%2Bb");
        assert_eq!(file_name(&target("1", "a_b", None)), "1-a_b");
        assert_eq!(file_name(&target("1", "../x/y", None)), "1-..%2Fx%2Fy");
        assert_eq!(file_name(&target(".", "r", None)), "%2E-r");
        assert_eq!(file_name(&target("1", "a%2Bb", None)), "1-a%252Bb");
    }
}

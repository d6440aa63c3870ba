//! `sesame run --api URL`: one signed request per target, built by `sesame::api` as
//! `sesame api` builds its one.

use std::time::SystemTime;

use serde_json::Value;
use sesame::api::{ApiRequest, BodySource, parse_error, parse_header};
use sesame::cache::RoleCredentials;
use sesame::credentials::AwsCredentials;
use sesame::fanout::{Succeeded, Target, TargetError};

use crate::cli::RunArgs;
use crate::error::CliError;

/// The request, ready to be signed for each target.
#[derive(Clone)]
pub(crate) struct ApiCall {
    request: ApiRequest,
    client: reqwest::Client,
}

/// One target's answer.
pub(crate) struct ApiOutput {
    /// The HTTP status.
    pub(crate) status: u16,
    /// The body: parsed JSON when it is JSON, else the text.
    pub(crate) body: Value,
    /// The AWS error code and message of an error answer.
    pub(crate) error: Option<String>,
}

impl Succeeded for ApiOutput {
    fn succeeded(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The request the `--api` flags describe; checked once (a bad URL fails before any target).
pub(crate) fn request(args: &RunArgs) -> Result<ApiCall, CliError> {
    let url = args.api.clone().unwrap_or_default();
    let headers = args
        .headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::user(e).hint("write each -H as `Name: value`"))?;
    let params = super::api::parse_params(&args.params)?;
    let body = match args.data.as_deref() {
        None => BodySource::Empty,
        Some(d) => match d.strip_prefix('@') {
            Some("-") => {
                return Err(CliError::user(anyhow::anyhow!(
                    "`-d @-` reads standard input once; `sesame run --api` sends the body to every target"
                ))
                .hint("put the body in a file and pass -d @FILE"));
            }
            Some(path) => BodySource::File(path.into()),
            None => BodySource::Bytes(d.as_bytes().to_vec()),
        },
    };
    let request = ApiRequest {
        url,
        method: args.method.clone(),
        headers,
        body,
        target: args.target.clone(),
        params,
        service: args.service.clone(),
        // Checked here with a stand-in region; each target signs for its own.
        region: Some(
            args.regions
                .first()
                .cloned()
                .unwrap_or_else(|| "us-east-1".into()),
        ),
        ..ApiRequest::default()
    };
    request.prepare().map_err(|e| {
        CliError::user(e).hint("check the URL and the --api options (see `sesame api --help`)")
    })?;
    Ok(ApiCall {
        request: ApiRequest {
            region: None,
            ..request
        },
        client: sesame::http::api_client().map_err(CliError::internal)?,
    })
}

impl ApiCall {
    /// Signs and sends the request as `target`, with its region when it has one (else the
    /// host's).
    pub(crate) async fn run(
        &self,
        target: &Target,
        creds: &RoleCredentials,
    ) -> Result<ApiOutput, TargetError> {
        let mut request = self.request.clone();
        request.region = target.region.clone();
        let prepared = request
            .prepare()
            .map_err(|e| TargetError::Task(e.to_string()))?;
        let creds = AwsCredentials {
            access_key_id: creds.access_key_id.clone(),
            secret_access_key: creds.secret_access_key.clone(),
            session_token: Some(creds.session_token.clone()),
            expiration: Some(creds.expiration),
            source: format!("{} as {}", target.account_id, target.role_name),
        };
        let signed = prepared
            .sign(&creds, SystemTime::now(), false)
            .map_err(|e| TargetError::Task(e.to_string()))?;
        let response = prepared
            .send(&self.client, &signed)
            .await
            .map_err(|e| TargetError::Task(e.to_string()))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| TargetError::Task(format!("reading the answer: {e}")))?;
        let error = parse_error(&headers, &bytes).map(|e| match e.message {
            Some(m) => format!("{}: {m}", e.code),
            None => e.code,
        });
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Ok(ApiOutput {
            status,
            body,
            error,
        })
    }
}

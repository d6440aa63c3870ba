//! What every Identity Center call shares: sending a request, classifying an error answer the
//! way botocore's rest-json parser does (docs/protocols.md, *SSO OIDC*).

use reqwest::{RequestBuilder, Response};
use serde::de::DeserializeOwned;

use super::SsoError;
use crate::aws_error::AwsError;

/// Sends a request and decodes a JSON answer, or turns an error answer into [`AwsError`].
pub(crate) async fn call<T: DeserializeOwned>(
    operation: &'static str,
    endpoint: &str,
    request: RequestBuilder,
) -> Result<T, SsoError> {
    let response = send(operation, endpoint, request).await?;
    let bytes = response
        .bytes()
        .await
        .map_err(|e| unreachable(endpoint, &e))?;
    serde_json::from_slice(&bytes).map_err(|e| SsoError::BadResponse {
        operation,
        endpoint: endpoint.to_owned(),
        reason: format!("not the documented JSON ({e})"),
    })
}

/// Sends a request and checks the status; the caller reads the body (or not).
pub(crate) async fn send(
    operation: &'static str,
    endpoint: &str,
    request: RequestBuilder,
) -> Result<Response, SsoError> {
    let response = request
        .send()
        .await
        .map_err(|e| unreachable(endpoint, &e))?;
    if response.status().is_success() {
        return Ok(response);
    }
    Err(SsoError::Api(error_from(operation, response).await))
}

fn unreachable(endpoint: &str, error: &reqwest::Error) -> SsoError {
    if crate::http::is_certificate_error(error) {
        // The TLS stack's own words (`invalid peer certificate: UnknownIssuer`) say it all.
        return SsoError::Certificate {
            endpoint: endpoint.to_owned(),
            reason: crate::api::send_error(error),
        };
    }
    if crate::http::is_connection_refused(error) {
        return SsoError::Refused {
            endpoint: endpoint.to_owned(),
            reason: crate::one_line(error),
        };
    }
    SsoError::Unreachable {
        endpoint: endpoint.to_owned(),
        reason: crate::one_line(error),
    }
}

/// The error answer, read by the one parser ([`AwsError::from_answer`]); a body that cannot be
/// read counts as empty.
async fn error_from(operation: &'static str, response: Response) -> AwsError {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.unwrap_or_default();
    AwsError::from_answer(operation, status, &headers, &body)
}

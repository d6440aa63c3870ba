//! What every Identity Center call shares: sending a request, classifying an error answer the
//! way botocore's rest-json parser does (PROTOCOLS.md §1).

use reqwest::{RequestBuilder, Response};
use serde::de::DeserializeOwned;

use super::{ApiError, SsoError};
use crate::api::response::clean_code;

/// Sends a request and decodes a JSON answer, or turns an error answer into [`ApiError`].
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
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        reason = format!("{reason}: {s}");
        source = s.source();
    }
    SsoError::Unreachable {
        endpoint: endpoint.to_owned(),
        reason,
    }
}

async fn error_from(operation: &'static str, response: Response) -> ApiError {
    let status = response.status().as_u16();
    let header_code = response
        .headers()
        .get("x-amzn-errortype")
        .and_then(|v| v.to_str().ok())
        .map(clean_code);
    let body: serde_json::Value = response.json().await.unwrap_or(serde_json::Value::Null);
    let text = |k: &str| body.get(k).and_then(|v| v.as_str()).map(str::to_owned);
    let code = header_code
        .or_else(|| {
            text("code")
                .or_else(|| text("Code"))
                .map(|c| clean_code(&c))
        })
        .or_else(|| text("__type").map(|c| clean_code(&c)))
        .unwrap_or_else(|| status.to_string());
    let message = text("message")
        .or_else(|| text("Message"))
        .or_else(|| text("error_description"));
    ApiError {
        operation,
        status,
        code,
        message,
    }
}

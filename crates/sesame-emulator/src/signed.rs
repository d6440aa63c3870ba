//! `/_emulator/caller`: who signed a request, read off its SigV4 `Authorization` header, for
//! tests of fan-outs that sign one request per role (`sesame run --api`).
//!
//! It names the role whose credentials the emulator issued under the header's access key id,
//! with the credential scope's region and service. It does not verify the signature (the
//! emulator does not keep the secrets' canonical-request logic; sesame's signer is checked
//! against botocore elsewhere): it tells which credentials and scope a request was signed with.

use std::sync::Arc;

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::state::Shared;

/// Any method: `{"accountId","roleName","region","service"}`, or 403 in the AWS JSON error
/// shape when the header is missing, malformed, lacks the session token, or names an access
/// key the emulator never issued.
pub(crate) async fn caller(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let denied = |code: &str, message: &str| {
        (
            StatusCode::FORBIDDEN,
            [("x-amzn-errortype", code.to_owned())],
            Json(json!({ "__type": code, "message": message })),
        )
            .into_response()
    };
    let Some(auth) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return denied("MissingAuthenticationToken", "no Authorization header");
    };
    let Some(scope) = auth
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .and_then(|rest| rest.split(", ").find_map(|p| p.strip_prefix("Credential=")))
    else {
        return denied("IncompleteSignature", "not a SigV4 Authorization header");
    };
    let parts: Vec<&str> = scope.split('/').collect();
    let [key, _date, region, service, "aws4_request"] = parts.as_slice() else {
        return denied("IncompleteSignature", "bad credential scope");
    };
    if headers.get("x-amz-security-token").is_none() {
        return denied(
            "InvalidClientTokenId",
            "temporary credentials need X-Amz-Security-Token",
        );
    }
    match shared.whoami(key) {
        Some(a) => Json(json!({
            "accountId": a.account_id,
            "roleName": a.role_name,
            "region": region,
            "service": service,
        }))
        .into_response(),
        None => denied(
            "InvalidClientTokenId",
            "the security token included in the request is invalid",
        ),
    }
}

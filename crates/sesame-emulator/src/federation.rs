//! The console federation endpoint (`https://signin.aws.amazon.com/federation`), as the AWS
//! "custom identity broker" documentation describes it:
//!
//! - `GET /federation?Action=getSigninToken&Session=<JSON>` with the JSON
//!   `{"sessionId": ACCESS_KEY_ID, "sessionKey": SECRET, "sessionToken": TOKEN}` answers
//!   `{"SigninToken": "..."}`; unknown credentials answer 400.
//! - `GET /federation?Action=login&Issuer=..&Destination=..&SigninToken=..` is the URL a user
//!   opens; the real endpoint redirects into the console, the emulator answers a small page
//!   naming the account, role and destination, so a test can check where the URL leads.
//!
//! The signin token encodes the account and role (the emulator keeps no state for it).

use std::{collections::HashMap, sync::Arc};

use axum::{
    Json,
    extract::{Query, State},
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;

use crate::state::{RoleAssignment, Shared, random_token};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Session {
    session_id: String,
    session_key: String,
    session_token: String,
}

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, message.to_owned()).into_response()
}

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// `GET /federation`.
pub(crate) async fn federation(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match query.get("Action").map(String::as_str) {
        Some("getSigninToken") => {
            shared.stats.request("GetSigninToken");
            let Some(session) = query.get("Session") else {
                return bad_request("missing Session");
            };
            let Ok(session) = serde_json::from_str::<Session>(session) else {
                return bad_request(
                    "Session is not {\"sessionId\",\"sessionKey\",\"sessionToken\"}",
                );
            };
            if session.session_key.is_empty() || session.session_token.is_empty() {
                return bad_request("incomplete credentials");
            }
            let Some(assignment) = shared.whoami(&session.session_id) else {
                return bad_request("unknown credentials");
            };
            let claims = json!({
                "accountId": assignment.account_id,
                "roleName": assignment.role_name,
                "nonce": random_token(24),
            });
            let token = B64.encode(claims.to_string());
            Json(json!({ "SigninToken": token })).into_response()
        }
        Some("login") => {
            let decoded = query
                .get("SigninToken")
                .and_then(|t| B64.decode(t).ok())
                .and_then(|b| serde_json::from_slice::<RoleAssignment>(&b).ok());
            let Some(who) = decoded else {
                return bad_request("invalid SigninToken");
            };
            let destination = query.get("Destination").cloned().unwrap_or_default();
            let issuer = query.get("Issuer").cloned().unwrap_or_default();
            Html(format!(
                "<html><body><p>Signed in to account <b id=\"account\">{}</b> as <b id=\"role\">{}</b>.</p>\
                 <p>Destination: <span id=\"destination\">{}</span></p><p>Issuer: <span id=\"issuer\">{}</span></p></body></html>",
                escape(&who.account_id),
                escape(&who.role_name),
                escape(&destination),
                escape(&issuer)
            ))
            .into_response()
        }
        _ => bad_request("Action must be getSigninToken or login"),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

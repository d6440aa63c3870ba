//! The control API tests use to look inside and steer the emulator: in process ([`Control`],
//! which both [`crate::RunningEmulator`] and [`crate::EmulatorHandle`] dereference to) and over
//! HTTP (`/_emulator/*`).
//!
//! Never throttled, delayed or faulted.

use std::{collections::HashMap, sync::Arc};

use axum::{
    Json,
    body::Bytes,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::json;

use crate::{directory::Directory, faults::FaultSettings, state::Shared, stats::Stats};

/// A running emulator's address and in-process controls. Cheap to clone; it does not keep the
/// emulator running (its [`crate::RunningEmulator`] or [`crate::EmulatorHandle`] does).
#[derive(Debug, Clone)]
pub struct Control {
    url: String,
    shared: Arc<Shared>,
}

impl Control {
    pub(crate) fn new(url: String, shared: Arc<Shared>) -> Self {
        Self { url, shared }
    }

    /// The base URL, `http://127.0.0.1:PORT`, for both the OIDC and the portal API.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.shared.stats.snapshot()
    }

    /// Approves a pending device code, as the user would on the verification page. False if
    /// no pending, unexpired device authorization has this user code.
    pub fn approve(&self, user_code: &str) -> bool {
        self.shared.approve(user_code)
    }

    /// Denies a pending device code. False if there is no such pending code.
    pub fn deny(&self, user_code: &str) -> bool {
        self.shared.deny(user_code)
    }

    /// User codes waiting for approval, oldest first.
    pub fn pending_user_codes(&self) -> Vec<String> {
        self.shared.pending_user_codes()
    }

    /// `(account id, role name)` of the role credentials issued with this access key id.
    pub fn whoami(&self, access_key_id: &str) -> Option<(String, String)> {
        self.shared
            .whoami(access_key_id)
            .map(|a| (a.account_id, a.role_name))
    }

    /// The accounts and roles the emulated user is assigned.
    pub fn directory(&self) -> &Directory {
        &self.shared.directory
    }

    /// Ids of the user's accounts, in listing order.
    pub fn account_ids(&self) -> Vec<String> {
        self.shared.directory.account_ids()
    }

    /// Role names the user has in an account (empty if not assigned).
    pub fn roles_of(&self, account_id: &str) -> Vec<String> {
        self.shared.directory.roles_of(account_id)
    }

    /// Replaces the throttle and the fault rates from now on (a test logs in on a healthy
    /// emulator, then makes it hostile).
    pub fn set_faults(&self, settings: FaultSettings) {
        self.shared.faults.set(&settings);
    }
}

fn not_found(message: &str) -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "message": message }))).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct DecisionRequest {
    user_code: Option<String>,
}

/// Approves or denies one user code, or every pending one when `userCode` is absent.
fn decide(shared: &Shared, body: &Bytes, approve: bool) -> Response {
    let request: DecisionRequest = if body.iter().all(u8::is_ascii_whitespace) {
        DecisionRequest::default()
    } else {
        match serde_json::from_slice(body) {
            Ok(r) => r,
            Err(e) => {
                let message = format!("body must be {{\"userCode\": \"ABCD-EFGH\"}}: {e}");
                return (StatusCode::BAD_REQUEST, Json(json!({ "message": message })))
                    .into_response();
            }
        }
    };
    let one = request.user_code.is_some();
    let codes = match request.user_code {
        Some(code) => vec![code],
        None => shared.pending_user_codes(),
    };
    let decided: Vec<String> = codes
        .into_iter()
        .filter(|code| {
            if approve {
                shared.approve(code)
            } else {
                shared.deny(code)
            }
        })
        .collect();
    if one && decided.is_empty() {
        return not_found("no pending device authorization has this user code");
    }
    let key = if approve { "approved" } else { "denied" };
    Json(json!({ key: decided })).into_response()
}

/// `GET /_emulator/stats`: the counters as [`crate::Stats`] JSON.
pub(crate) async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.stats.snapshot()).into_response()
}

/// `POST /_emulator/approve` with `{"userCode": "ABCD-EFGH"}` (or no body: all pending).
pub(crate) async fn approve(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    decide(&shared, &body, true)
}

/// `POST /_emulator/deny` with `{"userCode": "ABCD-EFGH"}` (or no body: all pending).
pub(crate) async fn deny(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    decide(&shared, &body, false)
}

/// `GET /_emulator/pending`: `{"userCodes": [...]}` waiting for approval, oldest first.
pub(crate) async fn pending(State(shared): State<Arc<Shared>>) -> Response {
    Json(json!({ "userCodes": shared.pending_user_codes() })).into_response()
}

/// `GET /_emulator/whoami?access_key_id=ASIA...`: `{"accountId","roleName"}`.
pub(crate) async fn whoami(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let key = query.get("access_key_id").map(String::as_str).unwrap_or("");
    match shared.whoami(key) {
        Some(assignment) => Json(assignment).into_response(),
        None => not_found("no role credentials were issued with this access key id"),
    }
}

/// `POST /_emulator/faults` with `{"tps": 20, "fault429": 0.1, "fault500": 0, "faultDrop": 0}`
/// (and `"every429"`, `"every500"`, `"everyDrop": n` for deterministic schedules, `"latencyMs"`
/// for slow answers): replaces the throttle and fault rates
/// from now on (absent rates are 0, absent `tps` none).
pub(crate) async fn set_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match serde_json::from_slice::<FaultSettings>(&body) {
        Ok(settings) => {
            shared.faults.set(&settings);
            Json(settings).into_response()
        }
        Err(e) => {
            let message = format!(
                "body must be {{\"tps\":20,\"fault429\":0.1,\"fault500\":0,\"faultDrop\":0}}: {e}"
            );
            (StatusCode::BAD_REQUEST, Json(json!({ "message": message }))).into_response()
        }
    }
}

//! The portal API (`sso`): ListAccounts, ListAccountRoles, GetRoleCredentials and Logout.
//!
//! Wire format per docs/protocols.md, *SSO portal*: the bearer token in `x-amz-sso_bearer_token`,
//! snake_case query parameters, camelCase JSON, epoch-millisecond expirations, errors as
//! [`PortalError`].

use std::{collections::HashMap, sync::Arc, time::Instant};

use axum::{
    Json,
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
};
use base64::Engine;
use serde::Serialize;
use serde_json::{Value, json};

use crate::{
    errors::PortalError,
    state::{RoleAssignment, Shared, epoch_millis},
    stats::Counter,
};

/// The header carrying the access token.
const BEARER_HEADER: &str = "x-amz-sso_bearer_token";
/// Page size when `max_result` is absent.
const DEFAULT_PAGE: usize = 20;
/// Largest `max_result` the portal accepts.
const MAX_PAGE: usize = 100;

type PortalResult = Result<Json<Value>, PortalError>;

/// The sign-in session of a valid bearer token.
fn authenticate(shared: &Shared, headers: &HeaderMap) -> Result<u64, PortalError> {
    let token = headers
        .get(BEARER_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|t| !t.is_empty())
        .ok_or_else(PortalError::unauthorized)?;
    let store = shared.store();
    match store.access_tokens.get(token) {
        Some(t) if t.expires > Instant::now() => Ok(t.session),
        _ => Err(PortalError::unauthorized()),
    }
}

/// Query parameters, percent-decoded; the last value of a repeated name wins.
fn query_map(raw: Option<String>) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// A required, non-empty query parameter.
fn required<'a>(query: &'a HashMap<String, String>, name: &str) -> Result<&'a str, PortalError> {
    query
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| PortalError::invalid_request(format!("{name} is required")))
}

/// One page of `items` per `max_result` and `next_token`; `scope` binds the token to a listing.
fn page<T: Clone>(
    items: &[T],
    scope: &str,
    query: &HashMap<String, String>,
) -> Result<(Vec<T>, Option<String>), PortalError> {
    let size = match query.get("max_result") {
        None => DEFAULT_PAGE,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=MAX_PAGE).contains(&n) => n,
            _ => {
                return Err(PortalError::invalid_request(format!(
                    "max_result must be between 1 and {MAX_PAGE}"
                )));
            }
        },
    };
    let start = match query.get("next_token").filter(|t| !t.is_empty()) {
        None => 0,
        Some(token) => decode_next_token(token, scope)
            .filter(|&offset| offset <= items.len())
            .ok_or_else(|| PortalError::invalid_request("Invalid next_token"))?,
    };
    let end = (start + size).min(items.len());
    let next = (end < items.len()).then(|| encode_next_token(end, scope));
    Ok((items[start..end].to_vec(), next))
}

fn encode_next_token(offset: usize, scope: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{scope}|{offset}"))
}

fn decode_next_token(token: &str, scope: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (token_scope, offset) = text.rsplit_once('|')?;
    (token_scope == scope).then(|| offset.parse().ok())?
}

/// Adds `nextToken` to a listing body when there is a next page.
fn listing(key: &str, items: impl Serialize, next: Option<String>) -> Json<Value> {
    let mut body = json!({ key: items });
    if let Some(next) = next {
        body["nextToken"] = json!(next);
    }
    Json(body)
}

/// `GET /assignment/accounts?max_result=&next_token=`
pub(crate) async fn list_accounts(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> PortalResult {
    authenticate(&shared, &headers)?;
    let query = query_map(raw);
    let (accounts, next) = page(shared.directory.accounts(), "accounts", &query)?;
    Ok(listing("accountList", accounts, next))
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleInfo {
    role_name: String,
    account_id: String,
}

/// `GET /assignment/roles?account_id=&max_result=&next_token=`
pub(crate) async fn list_account_roles(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> PortalResult {
    authenticate(&shared, &headers)?;
    let query = query_map(raw);
    let account_id = required(&query, "account_id")?;
    let roles = shared
        .directory
        .roles(account_id)
        .ok_or_else(PortalError::no_access)?;
    let roles: Vec<RoleInfo> = roles
        .iter()
        .map(|r| RoleInfo {
            role_name: r.clone(),
            account_id: account_id.to_string(),
        })
        .collect();
    let (roles, next) = page(&roles, &format!("roles:{account_id}"), &query)?;
    Ok(listing("roleList", roles, next))
}

/// `GET /federation/credentials?role_name=&account_id=`
pub(crate) async fn get_role_credentials(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> PortalResult {
    authenticate(&shared, &headers)?;
    let query = query_map(raw);
    let role_name = required(&query, "role_name")?;
    let account_id = required(&query, "account_id")?;
    if !shared.directory.has_role(account_id, role_name) {
        return Err(PortalError::no_access());
    }
    let access_key_id = format!(
        "ASIA{}",
        random_from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    );
    let secret_access_key = random_from(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
        40,
    );
    let session_token = format!(
        "IQoJb3JpZ2luX2Vj{}",
        random_from(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
            340
        )
    );
    let expiration = epoch_millis() + shared.config.credentials_lifetime.as_millis() as u64;
    {
        let mut store = shared.store();
        store.credentials.insert(
            access_key_id.clone(),
            RoleAssignment {
                account_id: account_id.to_string(),
                role_name: role_name.to_string(),
            },
        );
    }
    shared.stats.bump(Counter::RoleCredentialsIssued);
    Ok(Json(json!({
        "roleCredentials": {
            "accessKeyId": access_key_id,
            "secretAccessKey": secret_access_key,
            "sessionToken": session_token,
            "expiration": expiration,
        }
    })))
}

/// `POST /logout`: ends the sign-in session of the token (its refresh token included).
pub(crate) async fn logout(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Result<StatusCode, PortalError> {
    let session = authenticate(&shared, &headers)?;
    shared.store().end_session(session);
    shared.stats.bump(Counter::Logouts);
    Ok(StatusCode::OK)
}

fn random_from(alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| alphabet[fastrand::usize(..alphabet.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn pages_walk_the_whole_list_once() {
        let items: Vec<usize> = (0..45).collect();
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut query = q(&[("max_result", "20")]);
            if let Some(t) = &token {
                query.insert("next_token".into(), t.clone());
            }
            let (chunk, next) = page(&items, "accounts", &query).unwrap();
            seen.extend(chunk);
            match next {
                Some(n) => token = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, items);
    }

    #[test]
    fn bad_page_sizes_and_tokens_are_invalid_requests() {
        let items = [1, 2, 3];
        for bad in ["0", "101", "x", "-1"] {
            assert!(page(&items, "accounts", &q(&[("max_result", bad)])).is_err());
        }
        assert!(page(&items, "accounts", &q(&[("next_token", "garbage!")])).is_err());
        let roles_token = encode_next_token(1, "roles:1");
        assert!(page(&items, "accounts", &q(&[("next_token", &roles_token)])).is_err());
        let (all, next) = page(&items, "accounts", &q(&[])).unwrap();
        assert_eq!((all.len(), next), (3, None));
    }
}

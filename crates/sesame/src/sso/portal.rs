//! The SSO portal API (`sso`): ListAccounts, ListAccountRoles, GetRoleCredentials, Logout.
//!
//! All four are unauthenticated rest-json calls; the bearer token travels in the
//! `x-amz-sso_bearer_token` header (docs/protocols.md, *SSO portal*).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use url::Url;

use super::oidc::join;
use super::{SsoError, wire};
use crate::Secret;
use crate::cache::RoleCredentials;

const BEARER: &str = "x-amz-sso_bearer_token";

/// The most the portal returns in one page.
pub const MAX_PAGE_SIZE: u32 = 100;

/// A client for one portal endpoint.
#[derive(Debug, Clone)]
pub struct PortalClient {
    http: reqwest::Client,
    base: Url,
}

/// An account the user can reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    /// The 12-digit account id.
    pub account_id: String,
    /// The account's name.
    #[serde(default)]
    pub account_name: String,
    /// The account's root email address.
    #[serde(default)]
    pub email_address: String,
}

/// A role (permission set) the user can assume in an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleInfo {
    /// The role name.
    pub role_name: String,
    /// The account id.
    pub account_id: String,
}

/// One page of a listing.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The items of this page (possibly none).
    pub items: Vec<T>,
    /// The token for the next page, if any.
    pub next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccountsPage {
    #[serde(default)]
    account_list: Vec<AccountInfo>,
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RolesPage {
    #[serde(default)]
    role_list: Vec<RoleInfo>,
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleCredentialsEnvelope {
    role_credentials: WireRoleCredentials,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireRoleCredentials {
    access_key_id: String,
    secret_access_key: Secret,
    session_token: Secret,
    /// Epoch milliseconds.
    expiration: i64,
}

impl PortalClient {
    /// A client for the portal endpoint at `base` (a path prefix is kept).
    pub fn new(http: reqwest::Client, base: Url) -> Self {
        Self { http, base }
    }

    /// The endpoint's base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// One page of ListAccounts.
    pub async fn list_accounts(
        &self,
        token: &Secret,
        next_token: Option<&str>,
        max_results: u32,
    ) -> Result<Page<AccountInfo>, SsoError> {
        let url = join(&self.base, "assignment/accounts");
        let mut query = vec![("max_result", max_results.min(MAX_PAGE_SIZE).to_string())];
        if let Some(t) = next_token {
            query.push(("next_token", t.to_owned()));
        }
        let req = self
            .http
            .get(&url)
            .query(&query)
            .header(BEARER, token.expose());
        let page: AccountsPage = wire::call("ListAccounts", &url, req).await?;
        Ok(Page {
            items: page.account_list,
            next_token: page.next_token.filter(|t| !t.is_empty()),
        })
    }

    /// One page of ListAccountRoles.
    pub async fn list_account_roles(
        &self,
        token: &Secret,
        account_id: &str,
        next_token: Option<&str>,
        max_results: u32,
    ) -> Result<Page<RoleInfo>, SsoError> {
        let url = join(&self.base, "assignment/roles");
        let mut query = vec![
            ("account_id", account_id.to_owned()),
            ("max_result", max_results.min(MAX_PAGE_SIZE).to_string()),
        ];
        if let Some(t) = next_token {
            query.push(("next_token", t.to_owned()));
        }
        let req = self
            .http
            .get(&url)
            .query(&query)
            .header(BEARER, token.expose());
        let page: RolesPage = wire::call("ListAccountRoles", &url, req).await?;
        Ok(Page {
            items: page.role_list,
            next_token: page.next_token.filter(|t| !t.is_empty()),
        })
    }

    /// Every account, all pages, in the order the portal returns them.
    pub async fn all_accounts(&self, token: &Secret) -> Result<Vec<AccountInfo>, SsoError> {
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = self
                .list_accounts(token, next.as_deref(), MAX_PAGE_SIZE)
                .await?;
            out.extend(page.items);
            match page.next_token {
                Some(t) => next = Some(t),
                None => return Ok(out),
            }
        }
    }

    /// Every role of one account, all pages.
    pub async fn all_account_roles(
        &self,
        token: &Secret,
        account_id: &str,
    ) -> Result<Vec<RoleInfo>, SsoError> {
        let mut out = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page = self
                .list_account_roles(token, account_id, next.as_deref(), MAX_PAGE_SIZE)
                .await?;
            out.extend(page.items);
            match page.next_token {
                Some(t) => next = Some(t),
                None => return Ok(out),
            }
        }
    }

    /// GetRoleCredentials.
    pub async fn get_role_credentials(
        &self,
        token: &Secret,
        account_id: &str,
        role_name: &str,
    ) -> Result<RoleCredentials, SsoError> {
        let url = join(&self.base, "federation/credentials");
        let req = self
            .http
            .get(&url)
            .query(&[("role_name", role_name), ("account_id", account_id)])
            .header(BEARER, token.expose());
        let envelope: RoleCredentialsEnvelope = wire::call("GetRoleCredentials", &url, req).await?;
        let c = envelope.role_credentials;
        let expiration =
            Timestamp::from_millisecond(c.expiration).map_err(|e| SsoError::BadResponse {
                operation: "GetRoleCredentials",
                endpoint: url.clone(),
                reason: format!("expiration {} is not a time ({e})", c.expiration),
            })?;
        Ok(RoleCredentials {
            access_key_id: c.access_key_id,
            secret_access_key: c.secret_access_key,
            session_token: c.session_token,
            expiration,
            account_id: Some(account_id.to_owned()),
        })
    }

    /// Logout: ends the portal session behind the token.
    pub async fn logout(&self, token: &Secret) -> Result<(), SsoError> {
        let url = join(&self.base, "logout");
        let req = self.http.post(&url).header(BEARER, token.expose());
        wire::send("Logout", &url, req).await.map(|_| ())
    }
}

/// The fuzzer's door to the portal's answers: each page and the role credentials, as read.
#[doc(hidden)]
pub(crate) fn fuzz_answers(bytes: &[u8]) {
    let _ = serde_json::from_slice::<AccountsPage>(bytes);
    let _ = serde_json::from_slice::<RolesPage>(bytes);
    let _ = serde_json::from_slice::<RoleCredentialsEnvelope>(bytes);
}

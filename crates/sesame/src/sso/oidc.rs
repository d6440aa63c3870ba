//! The SSO OIDC API (`sso-oidc`): RegisterClient, StartDeviceAuthorization, CreateToken.
//!
//! All three are unauthenticated rest-json calls (docs/protocols.md, *SSO OIDC*); member names are
//! camelCase.

use serde::{Deserialize, Serialize};
use url::Url;

use super::SsoError;
use super::wire;
use crate::Secret;

/// The device-code grant type.
pub const GRANT_DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// The refresh-token grant type.
pub const GRANT_REFRESH_TOKEN: &str = "refresh_token";
/// The authorization-code (PKCE) grant type.
pub const GRANT_AUTHORIZATION_CODE: &str = "authorization_code";

/// A client for one OIDC endpoint.
#[derive(Debug, Clone)]
pub struct OidcClient {
    http: reqwest::Client,
    base: Url,
}

/// RegisterClient's request.
#[derive(Debug, Clone, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RegisterClientRequest {
    /// Shown to the user on the approval page.
    pub client_name: String,
    /// Always `public`.
    pub client_type: String,
    /// `sso:account:access` and friends; omitted when empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// PKCE: the loopback redirect URI (without port).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_uris: Option<Vec<String>>,
    /// PKCE: `authorization_code`, `refresh_token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_types: Option<Vec<String>>,
    /// PKCE: the start URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuer_url: Option<String>,
}

/// RegisterClient's answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisteredClient {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Secret,
    /// When the registration expires, epoch seconds.
    pub client_secret_expires_at: i64,
}

/// StartDeviceAuthorization's answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceAuthorization {
    /// The code sesame polls with (secret to the user).
    pub device_code: Secret,
    /// The code the user checks in the browser.
    pub user_code: String,
    /// The page where the user enters the code.
    pub verification_uri: String,
    /// The same page with the code filled in.
    pub verification_uri_complete: Option<String>,
    /// Seconds until the device code expires.
    pub expires_in: i64,
    /// Seconds between polls.
    #[serde(default)]
    pub interval: Option<i64>,
}

/// CreateToken's request.
#[derive(Debug, Clone, Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct CreateTokenRequest {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Secret,
    /// One of the `GRANT_*` constants.
    pub grant_type: String,
    /// Device flow: the device code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_code: Option<Secret>,
    /// PKCE: the authorization code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Secret>,
    /// Refresh: the refresh token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    /// PKCE: the redirect URI, with its port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// PKCE: the verifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_verifier: Option<Secret>,
}

/// CreateToken's answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    /// The bearer token for the portal.
    pub access_token: Secret,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// A refresh token, when the registration allows refresh.
    #[serde(default)]
    pub refresh_token: Option<Secret>,
}

impl OidcClient {
    /// A client for the OIDC endpoint at `base` (a path prefix is kept).
    pub fn new(http: reqwest::Client, base: Url) -> Self {
        Self { http, base }
    }

    /// The endpoint's base URL.
    pub fn base(&self) -> &Url {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        join(&self.base, path)
    }

    /// RegisterClient.
    pub async fn register_client(
        &self,
        request: &RegisterClientRequest,
    ) -> Result<RegisteredClient, SsoError> {
        let url = self.url("client/register");
        wire::call("RegisterClient", &url, self.http.post(&url).json(request)).await
    }

    /// StartDeviceAuthorization.
    pub async fn start_device_authorization(
        &self,
        client_id: &str,
        client_secret: &Secret,
        start_url: &str,
    ) -> Result<DeviceAuthorization, SsoError> {
        let url = self.url("device_authorization");
        let body = serde_json::json!({
            "clientId": client_id,
            "clientSecret": client_secret.expose(),
            "startUrl": start_url,
        });
        wire::call(
            "StartDeviceAuthorization",
            &url,
            self.http.post(&url).json(&body),
        )
        .await
    }

    /// CreateToken (any grant).
    pub async fn create_token(
        &self,
        request: &CreateTokenRequest,
    ) -> Result<TokenResponse, SsoError> {
        let url = self.url("token");
        wire::call("CreateToken", &url, self.http.post(&url).json(request)).await
    }

    /// The browser URL of the PKCE authorisation step (the unmodelled `/authorize`).
    pub fn authorize_url(
        &self,
        client_id: &str,
        redirect_uri: &str,
        state: &str,
        code_challenge: &str,
        scopes: &[String],
    ) -> String {
        let mut url = Url::parse(&self.url("authorize")).expect("joined onto a valid base URL");
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("state", state)
            .append_pair("code_challenge_method", "S256")
            .append_pair("scopes", &scopes.join(" "))
            .append_pair("code_challenge", code_challenge);
        url.to_string()
    }
}

/// Joins an operation path onto an endpoint, keeping the endpoint's own path prefix (botocore
/// does: `http://host/oidc` + `client/register` → `http://host/oidc/client/register`).
pub(crate) fn join(base: &Url, path: &str) -> String {
    let b = base.as_str().trim_end_matches('/');
    format!("{b}/{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_keeps_path_prefixes() {
        let u = Url::parse("http://127.0.0.1:5000/oidc").unwrap();
        assert_eq!(join(&u, "token"), "http://127.0.0.1:5000/oidc/token");
        let u = Url::parse("https://oidc.us-east-1.amazonaws.com").unwrap();
        assert_eq!(
            join(&u, "token"),
            "https://oidc.us-east-1.amazonaws.com/token"
        );
    }

    #[test]
    fn requests_serialise_like_botocore() {
        let r = CreateTokenRequest {
            client_id: "cid".into(),
            client_secret: Secret::new("csecret"),
            grant_type: GRANT_DEVICE_CODE.into(),
            device_code: Some(Secret::new("dc")),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"clientId":"cid","clientSecret":"csecret","grantType":"urn:ietf:params:oauth:grant-type:device_code","deviceCode":"dc"}"#
        );
    }
}

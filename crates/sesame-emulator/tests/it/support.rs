//! What every test needs: an emulator on a free port, an HTTP client and the OIDC calls.

use reqwest::{Response, StatusCode, redirect::Policy};
use serde_json::{Value, json};
use sesame_emulator::{EmulatorConfig, RunningEmulator};

pub(crate) const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
pub(crate) const START_URL: &str = "https://d-1234567890.awsapps.com/start";
pub(crate) const OIDC_ERROR_NS: &str = "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/";
pub(crate) const PORTAL_ERROR_NS: &str =
    "http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/";

/// An emulator and a client pointed at it.
pub(crate) struct World {
    pub(crate) emulator: RunningEmulator,
    pub(crate) http: reqwest::Client,
}

/// A registered client's credentials.
#[derive(Debug, Clone)]
pub(crate) struct Registration {
    pub(crate) client_id: String,
    pub(crate) client_secret: String,
}

/// An HTTP answer read whole.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) error_type: Option<String>,
    pub(crate) body: Value,
}

impl Answer {
    pub(crate) async fn read(response: Response) -> Self {
        let status = response.status();
        let error_type = response
            .headers()
            .get("x-amzn-errortype")
            .map(|v| v.to_str().unwrap().to_string());
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Self {
            status,
            error_type,
            body,
        }
    }

    /// Asserts an OIDC error answer of this shape, status and `error` code.
    #[track_caller]
    pub(crate) fn assert_oidc_error(&self, status: u16, shape: &str, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{self:?}");
        assert_eq!(
            self.error_type.as_deref(),
            Some(format!("{shape}:{OIDC_ERROR_NS}").as_str()),
            "{self:?}"
        );
        assert_eq!(self.body["error"], code, "{self:?}");
        assert!(self.body["error_description"].is_string(), "{self:?}");
    }

    /// Asserts a portal error answer of this shape and status.
    #[track_caller]
    pub(crate) fn assert_portal_error(&self, status: u16, shape: &str) {
        assert_eq!(self.status.as_u16(), status, "{self:?}");
        assert_eq!(
            self.error_type.as_deref(),
            Some(format!("{shape}:{PORTAL_ERROR_NS}").as_str()),
            "{self:?}"
        );
        assert_eq!(
            self.body["__type"],
            format!("com.amazonaws.switchboard.portal#{shape}"),
            "{self:?}"
        );
        assert!(self.body["message"].is_string(), "{self:?}");
    }
}

/// A client that does not follow redirects (PKCE tests look at them).
pub(crate) fn http_client() -> reqwest::Client {
    // reqwest is built without a TLS provider; it wants one even for plain http.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

impl World {
    pub(crate) async fn new(config: EmulatorConfig) -> Self {
        let emulator = sesame_emulator::start(config).await.unwrap();
        Self {
            emulator,
            http: http_client(),
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emulator.url())
    }

    pub(crate) async fn post_json(&self, path: &str, body: Value) -> Answer {
        let response = self
            .http
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        Answer::read(response).await
    }

    pub(crate) async fn get(&self, path: &str) -> Answer {
        Answer::read(self.http.get(self.url(path)).send().await.unwrap()).await
    }

    /// A portal GET with the bearer token header.
    pub(crate) async fn portal_get(&self, path: &str, token: &str) -> Answer {
        let response = self
            .http
            .get(self.url(path))
            .header("x-amz-sso_bearer_token", token)
            .send()
            .await
            .unwrap();
        Answer::read(response).await
    }

    pub(crate) async fn logout(&self, token: &str) -> Answer {
        let response = self
            .http
            .post(self.url("/logout"))
            .header("x-amz-sso_bearer_token", token)
            .send()
            .await
            .unwrap();
        Answer::read(response).await
    }

    /// RegisterClient with extra members merged in.
    pub(crate) async fn register_with(&self, extra: Value) -> Registration {
        let mut body = json!({"clientName": "test-client", "clientType": "public"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let answer = self.post_json("/client/register", body).await;
        assert_eq!(answer.status, 200, "{answer:?}");
        Registration {
            client_id: answer.body["clientId"].as_str().unwrap().to_string(),
            client_secret: answer.body["clientSecret"].as_str().unwrap().to_string(),
        }
    }

    /// A device-flow registration with scopes (so tokens come with refresh tokens).
    pub(crate) async fn register(&self) -> Registration {
        self.register_with(json!({"scopes": ["sso:account:access"]}))
            .await
    }

    pub(crate) async fn start_device(&self, reg: &Registration) -> Answer {
        self.post_json(
            "/device_authorization",
            json!({"clientId": reg.client_id, "clientSecret": reg.client_secret, "startUrl": START_URL}),
        )
        .await
    }

    pub(crate) async fn poll(&self, reg: &Registration, device_code: &str) -> Answer {
        self.post_json(
            "/token",
            json!({"clientId": reg.client_id, "clientSecret": reg.client_secret,
                   "grantType": DEVICE_GRANT, "deviceCode": device_code}),
        )
        .await
    }

    pub(crate) async fn refresh(&self, reg: &Registration, refresh_token: &str) -> Answer {
        self.post_json(
            "/token",
            json!({"clientId": reg.client_id, "clientSecret": reg.client_secret,
                   "grantType": "refresh_token", "refreshToken": refresh_token}),
        )
        .await
    }

    /// Registers, starts a device authorization, approves it and returns the token answer.
    pub(crate) async fn login(&self) -> (Registration, Value) {
        let reg = self.register().await;
        let start = self.start_device(&reg).await;
        let user_code = start.body["userCode"].as_str().unwrap();
        self.emulator.approve(user_code);
        let token = self
            .poll(&reg, start.body["deviceCode"].as_str().unwrap())
            .await;
        assert_eq!(token.status, 200, "{token:?}");
        (reg, token.body)
    }
}

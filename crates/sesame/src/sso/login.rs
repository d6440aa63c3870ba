//! Logging in to Identity Center, and keeping the login fresh.
//!
//! Every write goes to the AWS CLI v2's token cache (so a sesame login is an `aws` login and the
//! other way round), atomically and under a cross-process lock: twenty `sesame login` started at
//! once end with one authorisation, the others waiting for it and then reusing its token.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use url::Url;

use super::oidc::{
    CreateTokenRequest, GRANT_AUTHORIZATION_CODE, GRANT_DEVICE_CODE, GRANT_REFRESH_TOKEN,
    OidcClient, RegisterClientRequest,
};
use super::pkce::{self, Callback, RedirectListener};
use super::portal::PortalClient;
use super::start_url::{self, ResolvedStartUrl};
use super::{SsoError, SsoSession};
use crate::cache::{
    ClientRegistration, KeyScheme, RegistrationKey, RegistrationKind, RoleCredentialCache,
    SsoToken, TokenCache,
};
use crate::config::{AwsConfig, ServiceId, resolve_endpoint};
use crate::env::Env;
use crate::fsutil::FileLock;
use crate::http::{CaBundle, Clients};
use crate::{Secret, time};

/// botocore's advisory refresh window: a token with less left than this is refreshed when it can be.
pub const REFRESH_WINDOW: SignedDuration = SignedDuration::from_mins(15);

/// Which way the user approves the login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFlow {
    /// Authorization code with PKCE through a loopback redirect (the AWS CLI v2 default).
    AuthorizationCode,
    /// Device code: the user opens a URL anywhere and checks a code.
    DeviceCode,
}

impl LoginFlow {
    /// The flow to use when the user did not choose: the device code over SSH, in WSL, in
    /// containers and without a display (where a loopback browser redirect cannot work), else
    /// PKCE. Returns the flow and why.
    pub fn detect(env: &Env) -> (LoginFlow, &'static str) {
        if env.var("SSH_CONNECTION").is_some() || env.var("SSH_TTY").is_some() {
            return (LoginFlow::DeviceCode, "an SSH session");
        }
        if env.var("WSL_DISTRO_NAME").is_some() || env.var("WSL_INTEROP").is_some() {
            return (LoginFlow::DeviceCode, "WSL");
        }
        if env.var("KUBERNETES_SERVICE_HOST").is_some()
            || Path::new("/.dockerenv").exists()
            || Path::new("/run/.containerenv").exists()
        {
            return (LoginFlow::DeviceCode, "a container");
        }
        if cfg!(target_os = "linux")
            && env.var("DISPLAY").is_none()
            && env.var("WAYLAND_DISPLAY").is_none()
            && env.var("BROWSER").is_none()
        {
            return (LoginFlow::DeviceCode, "no display");
        }
        (LoginFlow::AuthorizationCode, "a desktop")
    }
}

/// How to log in.
#[derive(Debug, Clone)]
pub struct LoginOptions {
    /// The flow.
    pub flow: LoginFlow,
    /// Log in afresh even when the cached token is valid or refreshable.
    pub force: bool,
    /// The loopback port for the PKCE redirect (0 = any free port).
    pub redirect_port: u16,
    /// How long to wait for the user to approve.
    pub timeout: Duration,
}

impl Default for LoginOptions {
    fn default() -> Self {
        Self {
            flow: LoginFlow::AuthorizationCode,
            force: false,
            redirect_port: 0,
            timeout: Duration::from_secs(600),
        }
    }
}

/// What the login asks of the user; the caller decides how to show it (terminal, GUI, test).
pub trait LoginPrompt: Send + Sync {
    /// Another process holds the login lock; this one waits for it.
    fn waiting_for_other_login(&self, _lock: &Path) {}
    /// Device flow: show the verification URL and the code to check.
    fn device_code(
        &self,
        verification_uri: &str,
        verification_uri_complete: Option<&str>,
        user_code: &str,
    );
    /// PKCE flow: open this URL in a browser (and show it).
    fn authorize(&self, url: &str);
}

/// What a login did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    /// The cached token was valid; nothing was asked of the user.
    AlreadyValid,
    /// The cached token was refreshed silently with its refresh token.
    Refreshed,
    /// The user approved a new login.
    LoggedIn,
}

/// The Identity Center side of sesame for one process: HTTP clients and the caches.
#[derive(Debug, Clone)]
pub struct Sso {
    env: Env,
    /// Clients per trust setting (sessions of one process almost always share one), each built
    /// on first use: a warm cache or a plain-http endpoint reads no certificates.
    clients: Arc<Mutex<Vec<Clients>>>,
    tokens: TokenCache,
}

impl Sso {
    /// The caches for this environment; HTTP clients are built when a call needs one.
    pub fn new(env: &Env) -> Result<Self, SsoError> {
        Ok(Self {
            env: env.clone(),
            clients: Arc::default(),
            tokens: TokenCache::new(env.sso_cache_dir()),
        })
    }

    /// The token cache.
    pub fn tokens(&self) -> &TokenCache {
        &self.tokens
    }

    fn client(&self, ca_bundle: Option<&CaBundle>, url: &Url) -> Result<reqwest::Client, SsoError> {
        let clients = {
            let mut all = self.clients.lock().unwrap_or_else(|p| p.into_inner());
            match all.iter().find(|c| c.ca_bundle() == ca_bundle) {
                Some(c) => c.clone(),
                None => {
                    let c = Clients::new(ca_bundle.cloned());
                    all.push(c.clone());
                    c
                }
            }
        };
        Ok(clients.for_url(url)?)
    }

    /// An OIDC client for the session's endpoint, trusting the session's CA bundle.
    pub fn oidc(&self, session: &SsoSession) -> Result<OidcClient, SsoError> {
        let http = self.client(session.ca_bundle.as_ref(), &session.oidc_endpoint)?;
        Ok(OidcClient::new(http, session.oidc_endpoint.clone()))
    }

    /// A portal client for the session's endpoint, trusting the session's CA bundle.
    pub fn portal(&self, session: &SsoSession) -> Result<PortalClient, SsoError> {
        let http = self.client(session.ca_bundle.as_ref(), &session.portal_endpoint)?;
        Ok(PortalClient::new(http, session.portal_endpoint.clone()))
    }

    fn lock_path(&self, session: &SsoSession) -> PathBuf {
        let file = self.tokens.path(&session.token_key());
        let stem = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.env
            .sesame_dir()
            .join("locks")
            .join(format!("token-{stem}.lock"))
    }

    async fn lock(
        &self,
        session: &SsoSession,
        wait: Duration,
        prompt: Option<&dyn LoginPrompt>,
    ) -> Result<FileLock, SsoError> {
        let path = self.lock_path(session);
        let io = |e: std::io::Error, path: &Path| SsoError::Io {
            what: format!("cannot lock {}", path.display()),
            source: e,
        };
        match FileLock::try_acquire(&path) {
            Ok(Some(lock)) => return Ok(lock),
            Ok(None) => {}
            Err(e) => return Err(io(e, &path)),
        }
        if let Some(p) = prompt {
            p.waiting_for_other_login(&path);
        }
        let p2 = path.clone();
        let joined =
            tokio::task::spawn_blocking(move || FileLock::acquire_timeout(&p2, wait)).await;
        match joined {
            Ok(Ok(lock)) => Ok(lock),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::TimedOut => {
                Err(SsoError::LockTimeout { path })
            }
            Ok(Err(e)) => Err(io(e, &path)),
            Err(e) => Err(io(std::io::Error::other(e), &path)),
        }
    }

    /// Logs in to the session, asking the user only when no valid or refreshable token exists
    /// (or `force`).
    pub async fn login(
        &self,
        session: &SsoSession,
        options: &LoginOptions,
        prompt: &dyn LoginPrompt,
    ) -> Result<(LoginOutcome, SsoToken), SsoError> {
        // Before anything else: a start URL that cannot be used changes nothing.
        start_url::classify(&session.start_url)?;
        let key = session.token_key();
        let _lock = self
            .lock(
                session,
                options.timeout + Duration::from_secs(60),
                Some(prompt),
            )
            .await?;
        let now = time::now();
        if !options.force {
            // A corrupt cache file is no reason to refuse a login: it is replaced below.
            if let Ok(Some(token)) = self.tokens.load(&key) {
                if !token.expires_within(now, REFRESH_WINDOW) {
                    return Ok((LoginOutcome::AlreadyValid, token));
                }
                if token.can_refresh(now)
                    && let Ok(fresh) = self.refresh(session, &token).await
                {
                    return Ok((LoginOutcome::Refreshed, fresh));
                }
            }
        }
        let resolved;
        let session = if session.resolved_start_url.is_some() {
            session
        } else {
            resolved = self.with_resolved_start_url(session).await?;
            &resolved
        };
        let token = match self.flow(session, options, prompt).await {
            // The service no longer knows the cached registration (the instance was
            // re-created, the registration revoked): drop it and register again, once.
            Err(e) if e.is_invalid_client() => {
                tracing::info!("{e}; registering the client again");
                self.forget_registrations(session)?;
                self.flow(session, options, prompt).await?
            }
            result => result?,
        };
        self.tokens.store(&key, &token)?;
        Ok((LoginOutcome::LoggedIn, token))
    }

    async fn flow(
        &self,
        session: &SsoSession,
        options: &LoginOptions,
        prompt: &dyn LoginPrompt,
    ) -> Result<SsoToken, SsoError> {
        match options.flow {
            LoginFlow::DeviceCode => self.device_flow(session, options, prompt).await,
            LoginFlow::AuthorizationCode => self.pkce_flow(session, options, prompt).await,
        }
    }

    /// Deletes the session's cached client registrations (the AWS CLI's key and sesame's PKCE
    /// key), so that the next login registers afresh.
    fn forget_registrations(&self, session: &SsoSession) -> Result<(), SsoError> {
        let shared = Self::registration_key(session);
        let pkce = RegistrationKey {
            scheme: KeyScheme::SesamePkce,
            ..shared.clone()
        };
        let registrations = self.tokens.registrations();
        for key in [&shared, &pkce] {
            registrations.remove(key)?;
        }
        Ok(())
    }

    /// The AWS CLI's registration key of the session.
    fn registration_key(session: &SsoSession) -> RegistrationKey {
        RegistrationKey {
            start_url: session.start_url.clone(),
            region: session.region.clone(),
            scopes: session.registration_scopes.clone(),
            session_name: session.name.clone(),
            scheme: KeyScheme::Botocore,
        }
    }

    /// Where the session's start URL leads ([`start_url::resolve`]): an AWS-owned or local URL
    /// as it is, a vanity URL through its redirect (with the session's CA bundle).
    pub async fn resolve_start_url(
        &self,
        session: &SsoSession,
    ) -> Result<ResolvedStartUrl, SsoError> {
        self.resolve_url(&session.start_url, session.ca_bundle.as_ref())
            .await
    }

    /// Where `start_url` leads, before any session exists (`sesame setup` takes the region of a
    /// vanity URL from it, as `aws configure sso-session` does).
    pub async fn resolve_url(
        &self,
        start_url: &str,
        ca_bundle: Option<&CaBundle>,
    ) -> Result<ResolvedStartUrl, SsoError> {
        start_url::resolve(|url| self.client(ca_bundle, url), start_url).await
    }

    /// The session with its start URL resolved; a vanity URL leading to another region than the
    /// configured one is refused here (`sesame login` moves the session there first).
    async fn with_resolved_start_url(&self, session: &SsoSession) -> Result<SsoSession, SsoError> {
        let resolved = self.resolve_start_url(session).await?;
        if let Some(region) = resolved.region.as_ref().filter(|r| **r != session.region) {
            return Err(SsoError::StartUrl {
                url: session.start_url.clone(),
                reason: format!(
                    "it leads to {} in region {region}, not sso_region {}; run `sesame login` \
                     to update sso_region",
                    resolved.url, session.region
                ),
            });
        }
        let mut session = session.clone();
        session.resolved_start_url = Some(resolved.url);
        Ok(session)
    }

    /// A valid access token for the session: the cached one, refreshed first when it is near
    /// expiry and can be (as botocore does). Never prompts; `LoginRequired` when there is none.
    pub async fn access_token(&self, session: &SsoSession) -> Result<Secret, SsoError> {
        let key = session.token_key();
        let now = time::now();
        let required = |reason: &str| SsoError::LoginRequired {
            session: session.display_name(),
            reason: reason.to_owned(),
        };
        let token = self
            .tokens
            .load(&key)?
            .ok_or_else(|| required("not logged in"))?;
        if !token.expires_within(now, REFRESH_WINDOW) {
            return Ok(token.access_token);
        }
        if token.can_refresh(now) {
            let _lock = self.lock(session, Duration::from_secs(60), None).await?;
            // Another process may have refreshed it while this one waited.
            let token = self
                .tokens
                .load(&key)?
                .ok_or_else(|| required("not logged in"))?;
            if !token.expires_within(now, REFRESH_WINDOW) {
                return Ok(token.access_token);
            }
            match self.refresh(session, &token).await {
                Ok(fresh) => return Ok(fresh.access_token),
                Err(e) if token.is_expired(now) => {
                    return Err(required(&format!(
                        "the token expired and refreshing it failed ({e})"
                    )));
                }
                Err(e) => tracing::warn!("refreshing the token failed, using the current one: {e}"),
            }
            return Ok(token.access_token);
        }
        if token.is_expired(now) {
            return Err(required("the token expired"));
        }
        Ok(token.access_token)
    }

    /// Refreshes a token with its refresh token and stores the result. The caller holds the lock.
    async fn refresh(&self, session: &SsoSession, token: &SsoToken) -> Result<SsoToken, SsoError> {
        let (Some(client_id), Some(client_secret), Some(refresh)) =
            (&token.client_id, &token.client_secret, &token.refresh_token)
        else {
            return Err(SsoError::LoginRequired {
                session: session.display_name(),
                reason: "the token cannot be refreshed".into(),
            });
        };
        let now = time::now();
        let answer = match self
            .oidc(session)?
            .create_token(&CreateTokenRequest {
                client_id: client_id.clone(),
                client_secret: client_secret.clone(),
                grant_type: GRANT_REFRESH_TOKEN.into(),
                refresh_token: Some(refresh.clone()),
                ..Default::default()
            })
            .await
        {
            Ok(answer) => answer,
            Err(e) if e.rejects_the_refresh_token() => {
                // It never works again: drop it, so that the login is known to end with the
                // token (`sesame status`) and no one tries it again. The token is kept.
                let mut kept = token.clone();
                kept.refresh_token = None;
                if let Err(store) = self.tokens.store(&session.token_key(), &kept) {
                    tracing::warn!("{store}");
                }
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        let mut fresh = token.clone();
        fresh.access_token = answer.access_token;
        fresh.expires_at = now + SignedDuration::from_secs(answer.expires_in);
        if let Some(r) = answer.refresh_token {
            fresh.refresh_token = Some(r);
        }
        self.tokens.store(&session.token_key(), &fresh)?;
        Ok(fresh)
    }

    /// The cached client registration for this flow, or a new one (stored for reuse).
    ///
    /// The AWS CLI's key is read for both flows, but only device-code registrations are written
    /// there; a new PKCE registration goes under sesame's own key ([`KeyScheme`]), so that CLIs
    /// before 2.22, which reuse whatever the CLI's key holds for their device flow, keep
    /// logging in after a sesame browser login.
    async fn registration(
        &self,
        session: &SsoSession,
        kind: RegistrationKind,
    ) -> Result<ClientRegistration, SsoError> {
        let shared = Self::registration_key(session);
        let key = match kind {
            RegistrationKind::DeviceCode => shared.clone(),
            RegistrationKind::AuthorizationCode => RegistrationKey {
                scheme: KeyScheme::SesamePkce,
                ..shared.clone()
            },
        };
        let now = time::now();
        for k in [&shared, &key] {
            if let Ok(Some(reg)) = self.tokens.load_registration(k)
                && reg.usable_for(kind, now)
            {
                return Ok(reg);
            }
        }
        let pkce = kind == RegistrationKind::AuthorizationCode;
        let client_name = match &session.name {
            Some(n) => format!("sesame-{n}"),
            None => format!("sesame-{}", now.as_second()),
        };
        let scopes = session.scopes_to_register(pkce);
        let grant_types = pkce.then(|| {
            vec![
                GRANT_AUTHORIZATION_CODE.to_owned(),
                GRANT_REFRESH_TOKEN.to_owned(),
            ]
        });
        let answer = self
            .oidc(session)?
            .register_client(&RegisterClientRequest {
                client_name,
                client_type: "public".into(),
                scopes: scopes.clone(),
                redirect_uris: pkce.then(|| vec!["http://127.0.0.1/oauth/callback".to_owned()]),
                grant_types: grant_types.clone(),
                issuer_url: pkce.then(|| session.request_start_url().to_owned()),
            })
            .await?;
        let expires_at = Timestamp::from_second(answer.client_secret_expires_at).map_err(|e| {
            SsoError::BadResponse {
                operation: "RegisterClient",
                endpoint: session.oidc_endpoint.to_string(),
                reason: format!("clientSecretExpiresAt is not a time ({e})"),
            }
        })?;
        let reg = ClientRegistration {
            client_id: answer.client_id,
            client_secret: answer.client_secret,
            expires_at,
            scopes,
            grant_types,
            extra: Default::default(),
        };
        self.tokens.store_registration(&key, &reg)?;
        Ok(reg)
    }

    fn new_token(
        session: &SsoSession,
        reg: &ClientRegistration,
        access: Secret,
        expires_in: i64,
        refresh: Option<Secret>,
    ) -> SsoToken {
        SsoToken {
            start_url: Some(session.start_url.clone()),
            region: Some(session.region.clone()),
            access_token: access,
            expires_at: time::now() + SignedDuration::from_secs(expires_in),
            client_id: Some(reg.client_id.clone()),
            client_secret: Some(reg.client_secret.clone()),
            registration_expires_at: Some(reg.expires_at),
            refresh_token: refresh,
            extra: Default::default(),
        }
    }

    async fn device_flow(
        &self,
        session: &SsoSession,
        options: &LoginOptions,
        prompt: &dyn LoginPrompt,
    ) -> Result<SsoToken, SsoError> {
        let reg = self
            .registration(session, RegistrationKind::DeviceCode)
            .await?;
        let oidc = self.oidc(session)?;
        let auth = oidc
            .start_device_authorization(
                &reg.client_id,
                &reg.client_secret,
                session.request_start_url(),
            )
            .await?;
        prompt.device_code(
            &auth.verification_uri,
            auth.verification_uri_complete.as_deref(),
            &auth.user_code,
        );
        let mut interval = Duration::from_secs(auth.interval.unwrap_or(5).max(1).unsigned_abs());
        let lifetime =
            Duration::from_secs(auth.expires_in.max(1).unsigned_abs()).min(options.timeout);
        let deadline = tokio::time::Instant::now() + lifetime;
        let request = CreateTokenRequest {
            client_id: reg.client_id.clone(),
            client_secret: reg.client_secret.clone(),
            grant_type: GRANT_DEVICE_CODE.into(),
            device_code: Some(auth.device_code.clone()),
            ..Default::default()
        };
        let mut first = true;
        loop {
            if !first {
                if tokio::time::Instant::now() + interval > deadline {
                    return Err(SsoError::AuthorizationExpired);
                }
                tokio::time::sleep(interval).await;
            }
            first = false;
            match oidc.create_token(&request).await {
                Ok(t) => {
                    return Ok(Self::new_token(
                        session,
                        &reg,
                        t.access_token,
                        t.expires_in,
                        t.refresh_token,
                    ));
                }
                Err(SsoError::Api(e)) => match e.code.as_str() {
                    "AuthorizationPendingException" => {}
                    "SlowDownException" => interval += Duration::from_secs(5),
                    "ExpiredTokenException" => return Err(SsoError::AuthorizationExpired),
                    "AccessDeniedException" => return Err(SsoError::Denied),
                    _ if e.is_retryable() => {}
                    _ => return Err(SsoError::Api(e)),
                },
                Err(e) => return Err(e),
            }
        }
    }

    async fn pkce_flow(
        &self,
        session: &SsoSession,
        options: &LoginOptions,
        prompt: &dyn LoginPrompt,
    ) -> Result<SsoToken, SsoError> {
        // Bind first: the redirect must have somewhere to land before the browser opens.
        let listener = RedirectListener::bind(options.redirect_port).await?;
        let reg = self
            .registration(session, RegistrationKind::AuthorizationCode)
            .await?;
        let oidc = self.oidc(session)?;
        let verifier = pkce::code_verifier();
        let state = pkce::state();
        let redirect_uri = listener.redirect_uri();
        let scopes = session.scopes_to_register(true).unwrap_or_default();
        let url = oidc.authorize_url(
            &reg.client_id,
            &redirect_uri,
            &state,
            &pkce::code_challenge(&verifier),
            &scopes,
        );
        prompt.authorize(&url);
        let code = match listener.wait(&state, options.timeout).await? {
            Callback::Code(code) => code,
            Callback::Error(e) if e == "access_denied" => return Err(SsoError::Denied),
            Callback::Error(e) => {
                return Err(SsoError::Redirect {
                    redirect_uri,
                    reason: format!("the browser returned `{e}`"),
                });
            }
        };
        let t = oidc
            .create_token(&CreateTokenRequest {
                client_id: reg.client_id.clone(),
                client_secret: reg.client_secret.clone(),
                grant_type: GRANT_AUTHORIZATION_CODE.into(),
                code: Some(code),
                redirect_uri: Some(redirect_uri),
                code_verifier: Some(verifier),
                ..Default::default()
            })
            .await?;
        Ok(Self::new_token(
            session,
            &reg,
            t.access_token,
            t.expires_in,
            t.refresh_token,
        ))
    }

    /// Logs out of the session: the portal's Logout (best effort), then the cached token and the
    /// cached role credentials are deleted (the caller deletes the listing cache,
    /// [`crate::listing::ListingCache::remove`]: `listing` sits above `sso`). Returns whether a
    /// token was cached.
    pub async fn logout(&self, session: &SsoSession) -> Result<bool, SsoError> {
        let key = session.token_key();
        let _lock = self.lock(session, Duration::from_secs(60), None).await?;
        let token = self.tokens.load(&key).ok().flatten();
        if let Some(t) = &token
            && !t.is_expired(time::now())
            && let Ok(portal) = self.portal(session)
            && let Err(e) = portal.logout(&t.access_token).await
        {
            tracing::info!("portal logout: {e}");
        }
        let removed = self.tokens.remove(&key)?;
        RoleCredentialCache::new(self.env.cli_cache_dir()).remove_all_sso()?;
        Ok(removed || token.is_some())
    }

    /// Logs out of every login in the token cache (as `aws sso logout` does): the portal's
    /// Logout in each token's region (best effort), then every token, every cached SSO role
    /// credential is deleted (the caller deletes the listing caches,
    /// [`crate::listing::ListingCache::remove_all`]). Returns how many tokens there were.
    pub async fn logout_all(&self, config: &AwsConfig) -> Result<usize, SsoError> {
        let mut n = 0;
        for (path, entry) in self.tokens.entries() {
            if let Ok(token) = entry
                && !token.is_expired(time::now())
            {
                let region = token.region.clone().unwrap_or_else(|| "us-east-1".into());
                if let Ok(base) = resolve_endpoint(ServiceId::Sso, &region, &self.env, config, None)
                    && let Ok(http) =
                        self.client(CaBundle::resolve(&self.env, config, None).as_ref(), &base)
                {
                    let portal = PortalClient::new(http, base);
                    if let Err(e) = portal.logout(&token.access_token).await {
                        tracing::info!("portal logout: {e}");
                    }
                }
            }
            match std::fs::remove_file(&path) {
                Ok(()) => n += 1,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(SsoError::Io {
                        what: format!("cannot delete {}", path.display()),
                        source: e,
                    });
                }
            }
        }
        RoleCredentialCache::new(self.env.cli_cache_dir()).remove_all_sso()?;
        Ok(n)
    }
}

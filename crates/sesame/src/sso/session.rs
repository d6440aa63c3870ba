//! Which Identity Center session a command means, and where its endpoints are.
//!
//! The same choices everywhere (`login`, `accounts`, `creds`, ...), first match wins:
//!
//! 1. `--start-url` with `--sso-region` (a legacy, start-URL-keyed login), or `--sso-session NAME`;
//! 2. a profile's `sso_session` (or its legacy `sso_start_url`/`sso_region`): `--profile`, else
//!    `AWS_PROFILE`;
//! 3. the default session ([`default_session`]): `SESAME_SSO_SESSION`, else `sso_session` in the
//!    config's `[sesame]` section, else the only `[sso-session]` of the config.
//!
//! A default is what applies when nothing names a session: a profile (even through
//! `AWS_PROFILE`) names one, so it comes first. The default lives in `[sesame]`, a section of
//! sesame's own that botocore and the AWS CLI ignore, rather than in `[default]`, where an
//! `sso_session` would change what the AWS CLI's default profile is.

use url::Url;

use super::SsoError;
use crate::cache::TokenKey;
use crate::config::{AwsConfig, ServiceId, SsoSessionConfig, resolve_endpoint};
use crate::env::Env;
use crate::http::CaBundle;

/// How the user named the session.
#[derive(Debug, Clone, Default)]
pub struct SessionSelector {
    /// `--sso-session NAME`.
    pub sso_session: Option<String>,
    /// `--profile NAME` (or `AWS_PROFILE`).
    pub profile: Option<String>,
    /// `--start-url URL` (legacy, keyed by start URL).
    pub start_url: Option<String>,
    /// `--sso-region R` (with `--start-url`).
    pub sso_region: Option<String>,
    /// The region to use instead of the configured one (a vanity start URL that leads to a
    /// host naming another region).
    pub region_override: Option<String>,
}

/// The environment variable that names the default session.
pub const DEFAULT_SESSION_VAR: &str = "SESAME_SSO_SESSION";

/// The config section (and its key) that names the default session: `[sesame]`
/// `sso_session = NAME`.
pub const DEFAULT_SESSION_SECTION: &str = "sesame";

/// Why a session is the default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultReason {
    /// `SESAME_SSO_SESSION`.
    Environment,
    /// `sso_session` in the config's `[sesame]` section.
    Config,
    /// It is the config's only `[sso-session]`.
    Only,
}

impl DefaultReason {
    /// How to say it to a user.
    pub fn describe(&self) -> &'static str {
        match self {
            DefaultReason::Environment => "SESAME_SSO_SESSION",
            DefaultReason::Config => "sso_session in [sesame] of the config",
            DefaultReason::Only => "the only [sso-session] in the config",
        }
    }
}

/// The session commands use when nothing names one, and why: `SESAME_SSO_SESSION`, else
/// `[sesame]` `sso_session`, else the config's only `[sso-session]`. `None` when there is none
/// (no session, or several and no default named). The name is not checked against the config.
pub fn default_session(env: &Env, config: &AwsConfig) -> Option<(String, DefaultReason)> {
    let named = |v: Option<&str>| {
        v.map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    if let Some(name) = named(env.var(DEFAULT_SESSION_VAR)) {
        return Some((name, DefaultReason::Environment));
    }
    if let Some(name) = named(
        config
            .document()
            .get(DEFAULT_SESSION_SECTION, "sso_session"),
    ) {
        return Some((name, DefaultReason::Config));
    }
    match config.sso_session_names().as_slice() {
        [only] => Some((only.clone(), DefaultReason::Only)),
        _ => None,
    }
}

/// The default scope sesame registers for, as the AWS CLI does for sso-session logins.
pub const DEFAULT_SCOPE: &str = "sso:account:access";

/// One resolved Identity Center session: what to log in to and where the endpoints are.
#[derive(Debug, Clone)]
pub struct SsoSession {
    /// The `[sso-session]` name, or `None` for a legacy start-URL login.
    pub name: Option<String>,
    /// The start URL.
    pub start_url: String,
    /// The Identity Center region.
    pub region: String,
    /// `sso_registration_scopes`, when configured.
    pub registration_scopes: Option<Vec<String>>,
    /// The OIDC endpoint.
    pub oidc_endpoint: Url,
    /// The portal endpoint.
    pub portal_endpoint: Url,
    /// The CA bundle that replaces the trusted roots (`AWS_CA_BUNDLE`, the profile's
    /// `ca_bundle`), as botocore takes it.
    pub ca_bundle: Option<CaBundle>,
    /// The start URL to send to Identity Center when it differs from [`Self::start_url`] (where a
    /// vanity URL leads); `None` until resolved ([`super::start_url::resolve`]).
    pub resolved_start_url: Option<String>,
    /// `sso_use_device_code = true` in the `[sso-session]`.
    pub use_device_code: bool,
}

impl SsoSession {
    /// The token cache key: the session name, or the start URL for legacy logins.
    pub fn token_key(&self) -> TokenKey {
        match &self.name {
            Some(n) => TokenKey::Session(n.clone()),
            None => TokenKey::StartUrl(self.start_url.clone()),
        }
    }

    /// The start URL to send in StartDeviceAuthorization and as the PKCE `issuerUrl`: where a
    /// vanity URL leads once resolved, else the configured one.
    pub fn request_start_url(&self) -> &str {
        self.resolved_start_url
            .as_deref()
            .unwrap_or(&self.start_url)
    }

    /// How to name the session to a user.
    pub fn display_name(&self) -> String {
        match &self.name {
            Some(n) => format!("sso-session `{n}`"),
            None => format!("start URL {}", self.start_url),
        }
    }

    /// The scopes to register, as the AWS CLI v2 does: the configured ones; when none are
    /// configured, the default scope for the browser (PKCE) flow and no scopes for the device
    /// flow (such a registration gets no refresh token, so its logins cannot refresh).
    pub fn scopes_to_register(&self, pkce: bool) -> Option<Vec<String>> {
        match &self.registration_scopes {
            Some(s) => Some(s.clone()),
            None if pkce => Some(vec![DEFAULT_SCOPE.to_owned()]),
            None => None,
        }
    }
}

impl SessionSelector {
    /// Resolves the selector against the environment and config.
    pub fn resolve(&self, env: &Env, config: &AwsConfig) -> Result<SsoSession, SsoError> {
        let over = self.region_override.as_deref();
        if let Some(start_url) = &self.start_url {
            let region = self.sso_region.clone().ok_or_else(|| SsoError::NoSession {
                message: "`--start-url` needs `--sso-region` (the Identity Center region)".into(),
                hint: None,
            })?;
            return build(
                env,
                config,
                Parts::legacy(start_url.clone(), region),
                over,
                None,
            );
        }
        if let Some(name) = &self.sso_session {
            let s = SsoSessionConfig::from_config(config, name)?;
            return build(env, config, Parts::of(s), over, None);
        }
        let profile = self
            .profile
            .clone()
            .or_else(|| env.profile().map(str::to_owned));
        if let Some(p) = &profile {
            if let Some(prof) = config.profile(p) {
                if let Some(name) = prof.get("sso_session") {
                    let s = SsoSessionConfig::from_config(config, name)?;
                    return build(env, config, Parts::of(s), over, Some(p));
                }
                if let (Some(url), Some(region)) =
                    (prof.get("sso_start_url"), prof.get("sso_region"))
                {
                    return build(
                        env,
                        config,
                        Parts::legacy(url.to_owned(), region.to_owned()),
                        over,
                        Some(p),
                    );
                }
                if self.profile.is_some() {
                    return Err(SsoError::NoSession {
                        message: format!(
                            "profile `{p}` in {} has no `sso_session` (nor `sso_start_url` and `sso_region`)",
                            config.path().display()
                        ),
                        hint: None,
                    });
                }
            } else if self.profile.is_some() {
                return Err(SsoError::NoSession {
                    message: format!("profile `{p}` is not in {}", config.path().display()),
                    hint: None,
                });
            }
        }
        if let Some((name, reason)) = default_session(env, config) {
            let s = SsoSessionConfig::from_config(config, &name).map_err(|e| {
                if reason == DefaultReason::Only {
                    return SsoError::from(e);
                }
                SsoError::NoSession {
                    message: format!("the default session `{name}` ({}): {e}", reason.describe()),
                    hint: Some(format!(
                        "add it with `sesame setup --sso-session {name}`, or change {}",
                        reason.describe()
                    )),
                }
            })?;
            return build(env, config, Parts::of(s), over, None);
        }
        let names = config.sso_session_names();
        if names.is_empty() {
            return Err(SsoError::NoSession {
                message: format!("no [sso-session] in {}", config.path().display()),
                hint: Some(
                    "run `sesame setup` to add one (it asks for the start URL and region, then \
                     logs in)"
                        .to_owned(),
                ),
            });
        }
        Err(SsoError::NoSession {
            message: format!(
                "{} has {} sso-sessions ({}) and no default",
                config.path().display(),
                names.len(),
                names.join(", ")
            ),
            hint: Some(format!(
                "choose one with `--sso-session NAME`, or set a default: `export \
                 {DEFAULT_SESSION_VAR}=NAME`, or `sso_session = NAME` in a [{DEFAULT_SESSION_SECTION}] \
                 section of the config"
            )),
        })
    }
}

/// What a session is made of before its endpoints are known.
struct Parts {
    name: Option<String>,
    start_url: String,
    region: String,
    registration_scopes: Option<Vec<String>>,
    use_device_code: bool,
}

impl Parts {
    fn of(s: SsoSessionConfig) -> Self {
        Parts {
            name: Some(s.name),
            start_url: s.start_url,
            region: s.region,
            registration_scopes: s.registration_scopes,
            use_device_code: s.use_device_code,
        }
    }

    fn legacy(start_url: String, region: String) -> Self {
        Parts {
            name: None,
            start_url,
            region,
            registration_scopes: None,
            use_device_code: false,
        }
    }
}

fn build(
    env: &Env,
    config: &AwsConfig,
    parts: Parts,
    region_override: Option<&str>,
    profile: Option<&str>,
) -> Result<SsoSession, SsoError> {
    let Parts {
        name,
        start_url,
        region,
        registration_scopes,
        use_device_code,
    } = parts;
    let region = region_override.map_or(region, str::to_owned);
    let oidc_endpoint = resolve_endpoint(ServiceId::SsoOidc, &region, env, config, profile)?;
    let portal_endpoint = resolve_endpoint(ServiceId::Sso, &region, env, config, profile)?;
    Ok(SsoSession {
        name,
        start_url,
        region,
        registration_scopes,
        oidc_endpoint,
        portal_endpoint,
        ca_bundle: CaBundle::resolve(env, config, profile),
        resolved_start_url: None,
        use_device_code,
    })
}

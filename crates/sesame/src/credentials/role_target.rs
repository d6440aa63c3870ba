//! Which role credentials a caller means: a profile read as botocore's `SSOProvider` reads it,
//! or an ad hoc (session, account, role).

use super::CredentialsError;
use crate::cache::RoleCacheKey;
use crate::config::{AwsConfig, ServiceId, resolve_endpoint};
use crate::env::Env;
use crate::sso::{SessionSelector, SsoSession};

/// An account as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountRef {
    /// A 12-digit account id.
    Id(String),
    /// An account name, looked up through ListAccounts (exact, then case-insensitive).
    Name(String),
}

impl AccountRef {
    /// A 12-digit string is an id; anything else is a name.
    pub fn parse(text: &str) -> AccountRef {
        if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
            AccountRef::Id(text.to_owned())
        } else {
            AccountRef::Name(text.to_owned())
        }
    }

    /// The id, when the user gave one.
    pub fn id(&self) -> Option<&str> {
        match self {
            AccountRef::Id(id) => Some(id),
            AccountRef::Name(_) => None,
        }
    }
}

impl std::fmt::Display for AccountRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AccountRef::Id(id) => f.write_str(id),
            AccountRef::Name(name) => write!(f, "`{name}`"),
        }
    }
}

/// How the caller names the role: a profile, or a session with an account and a role.
#[derive(Debug, Clone)]
pub enum RoleSpec {
    /// An SSO profile of the config file (`sso_session` or legacy `sso_start_url`, plus
    /// `sso_account_id` and `sso_role_name`).
    Profile(String),
    /// An ad hoc role: the session as `sesame login` chooses it, an account and a role.
    AdHoc {
        /// Which session.
        session: SessionSelector,
        /// The account, by id or name.
        account: AccountRef,
        /// The role (permission set) name.
        role_name: String,
        /// The region to hand to programs along with the credentials, if any.
        region: Option<String>,
    },
}

impl RoleSpec {
    /// Resolves the spec against the config: which session, account and role. Reads no cache
    /// and calls nothing.
    pub fn resolve(&self, env: &Env, config: &AwsConfig) -> Result<RoleTarget, CredentialsError> {
        match self {
            RoleSpec::Profile(name) => RoleTarget::from_profile(env, config, name),
            RoleSpec::AdHoc {
                session,
                account,
                role_name,
                region,
            } => Ok(RoleTarget {
                session: session.resolve(env, config)?,
                account: account.clone(),
                role_name: role_name.clone(),
                region: region.clone(),
                profile: None,
            }),
        }
    }
}

/// One role in one account, reached through one Identity Center session.
#[derive(Debug, Clone)]
pub struct RoleTarget {
    /// The session whose login gets the credentials.
    pub session: SsoSession,
    /// The account.
    pub account: AccountRef,
    /// The role (permission set) name.
    pub role_name: String,
    /// The profile's `region`, handed to programs with the credentials.
    pub region: Option<String>,
    /// The profile it came from, if any.
    pub profile: Option<String>,
}

/// botocore's `SSOProvider._PROFILE_REQUIRED_CONFIG_VARS` then `_SSO_REQUIRED_CONFIG_VARS`.
const REQUIRED: [&str; 4] = [
    "sso_role_name",
    "sso_account_id",
    "sso_start_url",
    "sso_region",
];

impl RoleTarget {
    /// An ad hoc target for an account id.
    pub fn new(session: SsoSession, account_id: &str, role_name: &str) -> RoleTarget {
        RoleTarget {
            session,
            account: AccountRef::Id(account_id.to_owned()),
            role_name: role_name.to_owned(),
            region: None,
            profile: None,
        }
    }

    /// Reads an SSO profile as botocore's `SSOProvider._load_sso_config` does: the profile
    /// needs `sso_account_id` or `sso_role_name` to be an SSO profile; an `sso_session` reference
    /// merges that section's keys in (a key set differently in both is an error); then all of
    /// `sso_role_name`, `sso_account_id`, `sso_start_url`, `sso_region` must be there. The
    /// messages of the last three cases are botocore's.
    pub fn from_profile(
        env: &Env,
        config: &AwsConfig,
        name: &str,
    ) -> Result<RoleTarget, CredentialsError> {
        let path = config.path().to_owned();
        let profile = config
            .profile(name)
            .ok_or_else(|| CredentialsError::UnknownProfile {
                profile: name.to_owned(),
                path: path.clone(),
                available: config.profile_names(),
            })?;
        if profile.sso_account_id().is_none() && profile.sso_role_name().is_none() {
            return Err(CredentialsError::NotSsoProfile {
                profile: name.to_owned(),
                path,
            });
        }
        let invalid = |message: String| CredentialsError::InvalidSsoProfile {
            profile: name.to_owned(),
            path: path.clone(),
            message,
        };
        // The merged view: the profile's keys, then the session's (which must agree).
        let mut merged: Vec<(String, String)> = profile
            .properties()
            .iter()
            .filter_map(|(k, v)| Some((k.to_owned(), v.as_text()?.to_owned())))
            .collect();
        let session_name = profile.sso_session().map(str::to_owned);
        if let Some(session_name) = &session_name {
            let section = config.sso_session(session_name).ok_or_else(|| {
                invalid(format!(
                    "The specified sso-session does not exist: \"{session_name}\""
                ))
            })?;
            for (key, value) in section.properties().iter() {
                let Some(value) = value.as_text() else {
                    continue;
                };
                match merged.iter().find(|(k, _)| k == key) {
                    Some((_, mine)) if mine != value => {
                        return Err(invalid(format!(
                            "The value for {key} is inconsistent between profile ({mine}) and \
                             sso-session ({value})."
                        )));
                    }
                    Some(_) => {}
                    None => merged.push((key.to_owned(), value.to_owned())),
                }
            }
        }
        let get = |key: &str| {
            merged
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        let missing: Vec<&str> = REQUIRED
            .into_iter()
            .filter(|key| get(key).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(invalid(format!(
                "The profile \"{name}\" is configured to use SSO but is missing required \
                 configuration: {}",
                missing.join(", ")
            )));
        }
        let (start_url, region) = (
            get("sso_start_url").unwrap_or_default().to_owned(),
            get("sso_region").unwrap_or_default().to_owned(),
        );
        let registration_scopes = session_name
            .as_ref()
            .and_then(|_| get("sso_registration_scopes"))
            .map(crate::config::parse_registration_scopes);
        let session = SsoSession {
            oidc_endpoint: resolve_endpoint(ServiceId::SsoOidc, &region, env, config, Some(name))
                .map_err(crate::sso::SsoError::from)?,
            portal_endpoint: resolve_endpoint(ServiceId::Sso, &region, env, config, Some(name))
                .map_err(crate::sso::SsoError::from)?,
            name: session_name,
            start_url,
            region,
            registration_scopes,
            ca_bundle: crate::http::CaBundle::resolve(env, config, Some(name)),
            resolved_start_url: None,
            use_device_code: get("sso_use_device_code")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
        };
        Ok(RoleTarget {
            session,
            account: AccountRef::Id(get("sso_account_id").unwrap_or_default().to_owned()),
            role_name: get("sso_role_name").unwrap_or_default().to_owned(),
            region: profile.region().map(str::to_owned),
            profile: Some(name.to_owned()),
        })
    }

    /// The role-credential cache key, once the account id is known: by session name, or by
    /// start URL for a legacy profile (as the AWS CLI v2 keys it).
    pub fn cache_key(&self, account_id: &str) -> RoleCacheKey {
        RoleCacheKey::for_profile(
            account_id,
            &self.role_name,
            self.session.name.as_deref(),
            &self.session.start_url,
        )
    }

    /// How to name the target to a user: `role R in account A (sso-session `s`)`.
    pub fn describe(&self) -> String {
        format!(
            "role `{}` in account {} ({})",
            self.role_name,
            self.account,
            self.session.display_name()
        )
    }

    /// A name for the credentials file section when none is given: the profile's name, else
    /// `ACCOUNT_ROLE`.
    pub fn default_section_name(&self, account_id: &str) -> String {
        match &self.profile {
            Some(p) => p.clone(),
            None => format!("{account_id}_{}", self.role_name),
        }
    }
}

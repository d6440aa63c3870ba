//! Typed views of the config files' sections: profiles, sso-sessions and services blocks, with
//! values as botocore hands them out (plain strings, or maps for indented blocks).

use super::ini::parse_nested;
use super::{AwsConfig, ConfigError};

/// A property's value as botocore reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A plain value (continuation lines joined with `\n`).
    Text(String),
    /// An indented block (`s3 =` then `  name = value` lines): its pairs in file order. Names
    /// are trimmed but keep their case; a repeated name keeps its first place and its last value.
    Nested(Vec<(String, String)>),
}

impl Value {
    /// The value of a raw configparser value: a block if it starts with a newline.
    pub(crate) fn from_raw(raw: &str) -> Self {
        if raw.starts_with('\n') {
            Value::Nested(parse_nested(raw).unwrap_or_default())
        } else {
            Value::Text(raw.to_owned())
        }
    }

    /// The plain value, if it is one.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            Value::Nested(_) => None,
        }
    }

    /// The block's pairs, if it is one.
    pub fn as_nested(&self) -> Option<&[(String, String)]> {
        match self {
            Value::Nested(pairs) => Some(pairs),
            Value::Text(_) => None,
        }
    }

    /// A name's value inside a block (names compare exactly, as botocore's dict lookups do).
    pub fn nested_get(&self, name: &str) -> Option<&str> {
        self.as_nested()?
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A section's keys and values, in file order; keys are lowercase, as configparser stores them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Properties {
    entries: Vec<(String, Value)>,
}

impl Properties {
    pub(crate) fn push(&mut self, key: String, value: Value) {
        self.entries.push((key, value));
    }

    /// A key's value, whatever its kind. Keys are lowercase.
    pub fn value(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// A key's plain value (`None` if absent or an indented block).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.value(key)?.as_text()
    }

    /// A key's indented block (`None` if absent or a plain value).
    pub fn nested(&self, key: &str) -> Option<&[(String, String)]> {
        self.value(key)?.as_nested()
    }

    /// Whether the key is set at all (even to an empty value).
    pub fn contains(&self, key: &str) -> bool {
        self.value(key).is_some()
    }

    /// The keys and values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// How many keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Python's `dict.update`: `other`'s values win, keys already here keep their place, new ones
    /// go at the end. botocore merges a credentials file profile into the config one this way.
    pub fn update(&mut self, other: &Properties) {
        for (k, v) in &other.entries {
            match self.entries.iter_mut().find(|(key, _)| key == k) {
                Some(slot) => slot.1 = v.clone(),
                None => self.entries.push((k.clone(), v.clone())),
            }
        }
    }
}

/// A profile as botocore reads it: the winning `[profile NAME]` (or `[default]`) section's keys,
/// plus the `[DEFAULT]` section's keys it does not set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    name: String,
    properties: Properties,
}

impl Profile {
    pub(crate) fn new(name: String, properties: Properties) -> Self {
        Self { name, properties }
    }

    /// The profile's name (`dev` for `[profile dev]`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// All its keys and values.
    pub fn properties(&self) -> &Properties {
        &self.properties
    }

    /// Mutable access, e.g. to merge a credentials file profile with [`Properties::update`].
    pub fn properties_mut(&mut self) -> &mut Properties {
        &mut self.properties
    }

    /// A key's plain value. Keys are lowercase.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.properties.get(key)
    }

    /// A key's value, whatever its kind.
    pub fn value(&self, key: &str) -> Option<&Value> {
        self.properties.value(key)
    }

    /// `sso_session`: the `[sso-session NAME]` this profile logs in with.
    pub fn sso_session(&self) -> Option<&str> {
        self.get("sso_session")
    }

    /// `sso_account_id`.
    pub fn sso_account_id(&self) -> Option<&str> {
        self.get("sso_account_id")
    }

    /// `sso_role_name`.
    pub fn sso_role_name(&self) -> Option<&str> {
        self.get("sso_role_name")
    }

    /// `sso_start_url` (legacy SSO profiles, without an sso-session).
    pub fn sso_start_url(&self) -> Option<&str> {
        self.get("sso_start_url")
    }

    /// `sso_region` (legacy SSO profiles, without an sso-session).
    pub fn sso_region(&self) -> Option<&str> {
        self.get("sso_region")
    }

    /// `region`.
    pub fn region(&self) -> Option<&str> {
        self.get("region")
    }

    /// `credential_process`.
    pub fn credential_process(&self) -> Option<&str> {
        self.get("credential_process")
    }

    /// `services`: the `[services NAME]` section with this profile's endpoint overrides.
    pub fn services(&self) -> Option<&str> {
        self.get("services")
    }

    /// `endpoint_url`: the profile's endpoint override for every service.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.get("endpoint_url")
    }
}

/// An `[sso-session NAME]` or `[services NAME]` section as botocore reads it (with the
/// `[DEFAULT]` keys it does not set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    name: String,
    properties: Properties,
}

impl Section {
    pub(crate) fn new(name: String, properties: Properties) -> Self {
        Self { name, properties }
    }

    /// The name after `sso-session` or `services`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// All its keys and values.
    pub fn properties(&self) -> &Properties {
        &self.properties
    }

    /// A key's plain value. Keys are lowercase.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.properties.get(key)
    }

    /// A key's value, whatever its kind.
    pub fn value(&self, key: &str) -> Option<&Value> {
        self.properties.value(key)
    }
}

/// What an `[sso-session NAME]` section configures for a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSessionConfig {
    /// The session's name.
    pub name: String,
    /// `sso_start_url`.
    pub start_url: String,
    /// `sso_region`: where the OIDC and portal endpoints are.
    pub region: String,
    /// `sso_registration_scopes`, split on `,` with blanks dropped (the AWS CLI v2's
    /// `parse_sso_registration_scopes`); `None` when the key is absent.
    pub registration_scopes: Option<Vec<String>>,
    /// `sso_use_device_code = true`: log in with the device code rather than the browser flow.
    pub use_device_code: bool,
}

impl SsoSessionConfig {
    /// Reads `[sso-session NAME]` from `config`, as `aws sso login --sso-session NAME` does.
    ///
    /// `sso_start_url` and `sso_region` are required; an empty value counts as missing (the AWS
    /// CLI would accept it and fail later, at the first request).
    pub fn from_config(config: &AwsConfig, name: &str) -> Result<Self, ConfigError> {
        let Some(section) = config.sso_session(name) else {
            return Err(ConfigError::NoSuchSession {
                path: config.path().to_owned(),
                name: name.to_owned(),
                available: config.sso_session_names(),
            });
        };
        let required = |key: &str| {
            section
                .get(key)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| ConfigError::MissingKey {
                    path: config.path().to_owned(),
                    section: format!("sso-session {name}"),
                    key: key.to_owned(),
                })
        };
        Ok(Self {
            name: name.to_owned(),
            start_url: required("sso_start_url")?,
            region: required("sso_region")?,
            registration_scopes: section
                .get("sso_registration_scopes")
                .map(parse_registration_scopes),
            use_device_code: section
                .get("sso_use_device_code")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
        })
    }
}

/// The AWS CLI v2's `parse_sso_registration_scopes`: split on `,`, trim, drop empty ones.
pub fn parse_registration_scopes(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(super::pystr::strip)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

//! Populate's options: from the config file's own section (so a team shares one setup), then
//! from the command line, which wins.
//!
//! ```ini
//! [sesame-populate]                ; for every session
//! style = sso                      ; or credential-process
//! prefix_strip = Acme Corp         ; auto (default), none, or a prefix
//! region_rules =
//!   *-eu-* = eu-west-1
//!   *-us = us-east-1
//! default_region = eu-north-1
//! role_suffixes =
//!   AdministratorAccess = admin
//!   PowerUserAccess = power
//! ignore_roles = Billing, *Audit*
//! duration_seconds = 43200
//!
//! [sesame-populate acme]           ; for the session `acme` only: its keys win
//! template = acme-{account_name}-{role_suffix}
//! ```
//!
//! botocore keeps sections it does not know as top-level keys of its config and ignores them;
//! the AWS CLI v1 works with them present (checked in the integration tests).

use std::path::Path;

use crate::config::ini::parse_nested;
use crate::config::{AwsConfig, section::SectionName};
use crate::glob::Glob;
use crate::naming::{NamingRules, PrefixStrip, Template, check_region};

use super::PopulateError;

/// The section every session reads.
pub const SECTION: &str = "sesame-populate";

/// How generated profiles get their credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProfileStyle {
    /// Native SSO keys (`sso_session`, `sso_account_id`, `sso_role_name`): every AWS SDK and
    /// the AWS CLI v2 resolve these by themselves.
    #[default]
    Sso,
    /// `credential_process = sesame credential-process --account A --role R --sso-session S`:
    /// for tools that do not speak SSO.
    CredentialProcess,
}

impl ProfileStyle {
    /// Reads `sso` or `credential-process`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "sso" => Some(ProfileStyle::Sso),
            "credential-process" | "credential_process" => Some(ProfileStyle::CredentialProcess),
            _ => None,
        }
    }
}

/// Options as given (every field optional), from one source. Lists are pairs or globs as
/// written; [`Settings::resolve`] checks them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// `style`.
    pub style: Option<ProfileStyle>,
    /// `template`.
    pub template: Option<String>,
    /// `prefix_strip`: `auto`, `none`, or a prefix.
    pub prefix_strip: Option<String>,
    /// `lowercase`.
    pub lowercase: Option<bool>,
    /// `region_rules`: (pattern, region), first match wins.
    pub region_rules: Vec<(String, String)>,
    /// `default_region`.
    pub default_region: Option<String>,
    /// `role_suffixes`: (role, suffix).
    pub role_suffixes: Vec<(String, String)>,
    /// `ignore_roles`: globs.
    pub ignore_roles: Vec<String>,
    /// `duration_seconds` (written into each profile, for tools such as aws-vault).
    pub duration_seconds: Option<u32>,
    /// `output` (written into each profile: `json`, `table`, `text`, `yaml`...).
    pub output: Option<String>,
    /// `credential_process_command`: the program the credential-process style runs
    /// (default `sesame`).
    pub credential_process_command: Option<String>,
}

/// Everything a populate run needs to know, checked.
#[derive(Debug, Clone)]
pub struct PopulateOptions {
    /// How profiles are named.
    pub naming: NamingRules,
    /// How profiles get credentials.
    pub style: ProfileStyle,
    /// Remove the profiles of targets no longer listed.
    pub prune: bool,
    /// `output = ...` in each profile.
    pub output: Option<String>,
    /// `duration_seconds = ...` in each profile.
    pub duration_seconds: Option<u32>,
    /// The program `credential_process` runs.
    pub credential_process_command: String,
}

impl Default for PopulateOptions {
    fn default() -> Self {
        Self {
            naming: NamingRules::default(),
            style: ProfileStyle::Sso,
            prune: false,
            output: None,
            duration_seconds: None,
            credential_process_command: "sesame".to_owned(),
        }
    }
}

impl Settings {
    /// The options in `[sesame-populate]`, overlaid with those in `[sesame-populate SESSION]`.
    /// Unknown keys and malformed values are errors naming the section.
    pub fn from_config(config: &AwsConfig, session: &str) -> Result<Settings, PopulateError> {
        let doc = config.document();
        let mut out = Settings::default();
        for specific in [false, true] {
            for s in doc.sections() {
                let name = s.name();
                let matches = if specific {
                    name.strip_prefix(SECTION)
                        .and_then(|rest| rest.strip_prefix(' '))
                        .is_some_and(|rest| rest.trim() == session)
                } else {
                    name == SECTION
                };
                if matches && matches!(SectionName::of_config(name), SectionName::Other(_)) {
                    let entries: Vec<(&str, &str)> = s.entries().collect();
                    let one = Self::from_entries(&entries)
                        .map_err(|reason| setting_error(config.path(), name, reason))?;
                    out = out.overlay(one);
                }
            }
        }
        Ok(out)
    }

    fn from_entries(entries: &[(&str, &str)]) -> Result<Settings, String> {
        let mut s = Settings::default();
        for &(key, value) in entries {
            let v = value.trim();
            match key {
                "style" => {
                    s.style = Some(ProfileStyle::parse(v).ok_or_else(|| {
                        format!("`style = {v}`: expected `sso` or `credential-process`")
                    })?);
                }
                "template" => s.template = Some(v.to_owned()),
                "prefix_strip" => s.prefix_strip = Some(v.to_owned()),
                "lowercase" => s.lowercase = Some(parse_bool(key, v)?),
                "region_rules" => s.region_rules = pairs(key, value, "PATTERN = REGION")?,
                "role_suffixes" => s.role_suffixes = pairs(key, value, "ROLE = SUFFIX")?,
                "default_region" => s.default_region = Some(v.to_owned()),
                "ignore_roles" => {
                    s.ignore_roles = v
                        .split(',')
                        .map(str::trim)
                        .filter(|g| !g.is_empty())
                        .map(str::to_owned)
                        .collect();
                }
                "duration_seconds" => {
                    s.duration_seconds = Some(v.parse().map_err(|_| {
                        format!("`duration_seconds = {v}`: expected a number of seconds")
                    })?);
                }
                "output" => s.output = Some(v.to_owned()),
                "credential_process_command" => {
                    s.credential_process_command = Some(v.to_owned());
                }
                other => {
                    return Err(format!(
                        "unknown option `{other}` (known: style, template, prefix_strip, \
                         lowercase, region_rules, default_region, role_suffixes, ignore_roles, \
                         duration_seconds, output, credential_process_command)"
                    ));
                }
            }
        }
        Ok(s)
    }

    /// These settings with `over`'s on top: its single values win; its region rules come first
    /// (the first match wins); its role suffixes replace the same roles'; ignored roles add up.
    pub fn overlay(self, over: Settings) -> Settings {
        let mut region_rules = over.region_rules;
        region_rules.extend(self.region_rules);
        let mut role_suffixes = self.role_suffixes;
        role_suffixes.extend(over.role_suffixes);
        let mut ignore_roles = self.ignore_roles;
        ignore_roles.extend(over.ignore_roles);
        Settings {
            style: over.style.or(self.style),
            template: over.template.or(self.template),
            prefix_strip: over.prefix_strip.or(self.prefix_strip),
            lowercase: over.lowercase.or(self.lowercase),
            region_rules,
            default_region: over.default_region.or(self.default_region),
            role_suffixes,
            ignore_roles,
            duration_seconds: over.duration_seconds.or(self.duration_seconds),
            output: over.output.or(self.output),
            credential_process_command: over
                .credential_process_command
                .or(self.credential_process_command),
        }
    }

    /// Checks every value and builds the options. `fallback_region` is the region of profiles
    /// no rule gives one (the session's region, typically) when no default is set.
    pub fn resolve(
        self,
        prune: bool,
        fallback_region: Option<&str>,
    ) -> Result<PopulateOptions, PopulateError> {
        let mut naming = NamingRules::default();
        if let Some(l) = self.lowercase {
            naming.lowercase = l;
        }
        if let Some(p) = &self.prefix_strip {
            naming.prefix_strip = PrefixStrip::parse(p);
        }
        for (pattern, region) in &self.region_rules {
            naming
                .region_rules
                .push(NamingRules::parse_region_rule(&format!(
                    "{pattern}={region}"
                ))?);
        }
        for (role, suffix) in &self.role_suffixes {
            let (role, suffix) = NamingRules::parse_role_suffix(&format!("{role}={suffix}"))?;
            naming.role_suffixes.insert(role, suffix);
        }
        naming.ignore_roles = self.ignore_roles.iter().map(|g| Glob::new(g)).collect();
        let default_region = self
            .default_region
            .or_else(|| fallback_region.map(str::to_owned));
        if let Some(r) = &default_region {
            check_region(r).map_err(|reason| crate::naming::NamingError::Rule {
                what: "default region",
                rule: r.clone(),
                reason,
            })?;
        }
        naming.default_region = default_region;
        if let Some(t) = &self.template {
            naming.template = Some(Template::parse(t)?);
        }
        if let Some(o) = &self.output
            && (o.is_empty() || o.contains(char::is_whitespace))
        {
            return Err(crate::naming::NamingError::Rule {
                what: "output format",
                rule: o.clone(),
                reason: "expected one word such as `json`, `table`, `text` or `yaml`".into(),
            }
            .into());
        }
        let command = self
            .credential_process_command
            .unwrap_or_else(|| "sesame".to_owned());
        if command.trim().is_empty() || command.contains(['\n', '\r']) {
            return Err(crate::naming::NamingError::Rule {
                what: "credential_process command",
                rule: command,
                reason: "expected a program name or path".into(),
            }
            .into());
        }
        Ok(PopulateOptions {
            naming,
            style: self.style.unwrap_or_default(),
            prune,
            output: self.output,
            duration_seconds: self.duration_seconds,
            credential_process_command: command,
        })
    }
}

fn setting_error(path: &Path, section: &str, reason: String) -> PopulateError {
    PopulateError::Setting {
        path: path.to_owned(),
        section: section.to_owned(),
        reason,
    }
}

fn parse_bool(key: &str, v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        _ => Err(format!("`{key} = {v}`: expected true or false")),
    }
}

/// An indented block of `name = value` lines (as botocore reads nested values), or one
/// comma-separated line of `name=value` items.
fn pairs(key: &str, value: &str, shape: &str) -> Result<Vec<(String, String)>, String> {
    if value.starts_with('\n') {
        return parse_nested(value)
            .ok_or_else(|| format!("`{key}`: every indented line must read `{shape}`"));
    }
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.split_once('=')
                .map(|(a, b)| (a.trim().to_owned(), b.trim().to_owned()))
                .ok_or_else(|| format!("`{key}`: `{item}` is not `{shape}`"))
        })
        .collect()
}

//! What a filter value means: `sesame admin assignments --principal alice --permission-set
//! 'Admin*' --target ou-ab12-34cd5678`. Each kind takes ids, names, or name globs (`*`, `?`,
//! case-insensitive), as aws-sso-lib's `list_assignments` takes specifications and filters.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::AdminError;
use crate::glob::Glob;

/// A user or a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum PrincipalType {
    /// An identity store user.
    #[serde(rename = "USER")]
    User,
    /// An identity store group.
    #[serde(rename = "GROUP")]
    Group,
}

impl PrincipalType {
    /// `USER` or `GROUP`, as the APIs write it.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalType::User => "USER",
            PrincipalType::Group => "GROUP",
        }
    }

    /// Reads `USER` / `GROUP` (any case).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "USER" => Some(PrincipalType::User),
            "GROUP" => Some(PrincipalType::Group),
            _ => None,
        }
    }
}

impl fmt::Display for PrincipalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether `s` is a glob rather than a literal name or id.
fn is_glob(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// A principal filter: an id, a name, or a name glob, optionally of one type (`USER:alice`,
/// `GROUP:eng-*`).
#[derive(Debug, Clone)]
pub struct PrincipalSpec {
    /// Only users or only groups; `None` for both.
    pub kind: Option<PrincipalType>,
    /// What to match.
    pub pattern: PrincipalPattern,
}

/// What a [`PrincipalSpec`] matches.
#[derive(Debug, Clone)]
pub enum PrincipalPattern {
    /// An identity store id (a UUID, possibly prefixed by ten hex digits and `-`).
    Id(String),
    /// A user name (`UserName`) or group name (`DisplayName`).
    Name(String),
    /// A glob over those names.
    Glob(Glob),
}

impl FromStr for PrincipalSpec {
    type Err = AdminError;

    fn from_str(s: &str) -> Result<Self, AdminError> {
        let (kind, rest) = match s.split_once(':') {
            Some((k, rest)) if PrincipalType::parse(k).is_some() => (PrincipalType::parse(k), rest),
            _ => (None, s),
        };
        if rest.is_empty() {
            return Err(AdminError::InvalidSpec {
                what: "principal",
                value: s.to_owned(),
                reason: "give an id, a name or a glob, optionally after USER: or GROUP:".into(),
            });
        }
        let pattern = if is_glob(rest) {
            PrincipalPattern::Glob(Glob::new(rest))
        } else if is_identity_store_id(rest) {
            PrincipalPattern::Id(rest.to_owned())
        } else {
            PrincipalPattern::Name(rest.to_owned())
        };
        Ok(Self { kind, pattern })
    }
}

/// Identity store ids: `^([0-9a-f]{10}-|)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
/// (the API's pattern for UserId and GroupId).
pub fn is_identity_store_id(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let hex = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit());
    let uuid = |p: &[&str]| {
        p.len() == 5
            && hex(p[0], 8)
            && hex(p[1], 4)
            && hex(p[2], 4)
            && hex(p[3], 4)
            && hex(p[4], 12)
    };
    uuid(&parts) || (parts.len() == 6 && hex(parts[0], 10) && uuid(&parts[1..]))
}

/// A permission set filter.
#[derive(Debug, Clone)]
pub enum PermissionSetSpec {
    /// A full ARN.
    Arn(String),
    /// The `ps-...` id at the end of an ARN.
    Id(String),
    /// A name.
    Name(String),
    /// A glob over names.
    Glob(Glob),
}

impl FromStr for PermissionSetSpec {
    type Err = AdminError;

    fn from_str(s: &str) -> Result<Self, AdminError> {
        Ok(if s.is_empty() {
            return Err(AdminError::InvalidSpec {
                what: "permission set",
                value: s.to_owned(),
                reason: "give an ARN, a ps- id, a name or a glob".into(),
            });
        } else if s.starts_with("arn:") {
            PermissionSetSpec::Arn(s.to_owned())
        } else if is_glob(s) {
            PermissionSetSpec::Glob(Glob::new(s))
        } else if s.strip_prefix("ps-").is_some_and(|r| {
            (1..=64).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_alphanumeric())
        }) {
            PermissionSetSpec::Id(s.to_owned())
        } else {
            PermissionSetSpec::Name(s.to_owned())
        })
    }
}

/// A target filter: accounts, OUs (their accounts), or account names.
#[derive(Debug, Clone)]
pub enum TargetSpec {
    /// A 12-digit account id (or `AWS_ACCOUNT:id`).
    Account(String),
    /// An OU (`ou-...`, or `AWS_OU:id`) or a root (`r-...`): the accounts in it.
    Ou(String),
    /// An account name.
    Name(String),
    /// A glob over account names.
    Glob(Glob),
}

impl FromStr for TargetSpec {
    type Err = AdminError;

    fn from_str(s: &str) -> Result<Self, AdminError> {
        let invalid = |reason: &str| AdminError::InvalidSpec {
            what: "target",
            value: s.to_owned(),
            reason: reason.to_owned(),
        };
        let is_account = |v: &str| v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit());
        let is_ou = |v: &str| v.starts_with("ou-") || v.starts_with("r-");
        if let Some(v) = s.strip_prefix("AWS_ACCOUNT:") {
            return if is_account(v) {
                Ok(TargetSpec::Account(v.to_owned()))
            } else {
                Err(invalid("an account id is 12 digits"))
            };
        }
        if let Some(v) = s.strip_prefix("AWS_OU:") {
            return if is_ou(v) {
                Ok(TargetSpec::Ou(v.to_owned()))
            } else {
                Err(invalid("an OU id starts with ou- (or r- for a root)"))
            };
        }
        Ok(if s.is_empty() {
            return Err(invalid(
                "give an account id, an OU id, an account name or a glob",
            ));
        } else if is_account(s) {
            TargetSpec::Account(s.to_owned())
        } else if is_ou(s) && !is_glob(s) {
            TargetSpec::Ou(s.to_owned())
        } else if is_glob(s) {
            TargetSpec::Glob(Glob::new(s))
        } else {
            TargetSpec::Name(s.to_owned())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals() {
        let p: PrincipalSpec = "USER:alice".parse().unwrap();
        assert_eq!(p.kind, Some(PrincipalType::User));
        assert!(matches!(p.pattern, PrincipalPattern::Name(ref n) if n == "alice"));
        let p: PrincipalSpec = "group:eng-*".parse().unwrap();
        assert_eq!(p.kind, Some(PrincipalType::Group));
        assert!(matches!(p.pattern, PrincipalPattern::Glob(ref g) if g.matches("ENG-Platform")));
        let id = "9067c5d9a8-12345678-90ab-cdef-1234-567890abcdef";
        assert!(matches!(
            id.parse::<PrincipalSpec>().unwrap().pattern,
            PrincipalPattern::Id(_)
        ));
        let id = "f81d4fae-7dec-11d0-a765-00a0c91e6bf6";
        assert!(matches!(
            id.parse::<PrincipalSpec>().unwrap().pattern,
            PrincipalPattern::Id(_)
        ));
        // A name with a colon that is not a type prefix stays whole.
        let p: PrincipalSpec = "team:ops".parse().unwrap();
        assert!(
            p.kind.is_none()
                && matches!(p.pattern, PrincipalPattern::Name(ref n) if n == "team:ops")
        );
        assert!("USER:".parse::<PrincipalSpec>().is_err());
    }

    #[test]
    fn permission_sets() {
        assert!(matches!(
            "arn:aws:sso:::permissionSet/ssoins-1/ps-2".parse().unwrap(),
            PermissionSetSpec::Arn(_)
        ));
        assert!(matches!(
            "ps-0123456789abcdef".parse().unwrap(),
            PermissionSetSpec::Id(_)
        ));
        assert!(matches!(
            "Admin*".parse().unwrap(),
            PermissionSetSpec::Glob(_)
        ));
        assert!(matches!(
            "ReadOnly".parse().unwrap(),
            PermissionSetSpec::Name(_)
        ));
    }

    #[test]
    fn targets() {
        assert!(matches!(
            "123456789012".parse().unwrap(),
            TargetSpec::Account(_)
        ));
        assert!(matches!(
            "AWS_OU:ou-ab12-cd34ef56".parse().unwrap(),
            TargetSpec::Ou(_)
        ));
        assert!(matches!("r-ab12".parse().unwrap(), TargetSpec::Ou(_)));
        assert!(matches!("prod-*".parse().unwrap(), TargetSpec::Glob(_)));
        assert!(matches!("Security".parse().unwrap(), TargetSpec::Name(_)));
        assert!("AWS_ACCOUNT:12".parse::<TargetSpec>().is_err());
    }
}

//! The roles a SAML assertion grants, and choosing one.

use std::fmt;

use crate::glob::Glob;

/// One value of the `Role` attribute: a role and the SAML provider that vouches for it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SamlRole {
    /// `arn:aws:iam::123456789012:role/Name` (`RoleArn` of AssumeRoleWithSAML).
    pub role_arn: String,
    /// `arn:aws:iam::123456789012:saml-provider/Name` (`PrincipalArn`).
    pub principal_arn: String,
}

/// A `Role` attribute value that is not a role ARN and a saml-provider ARN.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the SAML Role value `{value}` is not a role ARN and a saml-provider ARN separated by a comma"
)]
pub struct RoleValueError {
    /// The value (role values are not secret: they are ARNs).
    pub value: String,
}

impl SamlRole {
    /// Reads `role_arn,principal_arn` in either order, ignoring spaces and line breaks around
    /// each part, as AWS does (docs/protocols.md, *SAML and AD FS*).
    pub fn parse(value: &str) -> Result<Self, RoleValueError> {
        let err = || RoleValueError {
            value: value.trim().chars().take(300).collect(),
        };
        let parts: Vec<&str> = value.split(',').map(str::trim).collect();
        let [a, b] = parts.as_slice() else {
            return Err(err());
        };
        let (role, provider) = match (iam_resource(a), iam_resource(b)) {
            (Some(("role", _)), Some(("saml-provider", _))) => (*a, *b),
            (Some(("saml-provider", _)), Some(("role", _))) => (*b, *a),
            _ => return Err(err()),
        };
        Ok(Self {
            role_arn: role.to_owned(),
            principal_arn: provider.to_owned(),
        })
    }

    /// The 12-digit account id of the role.
    pub fn account_id(&self) -> &str {
        self.role_arn.split(':').nth(4).unwrap_or_default()
    }

    /// The role's name: the last part of its path (`role/path/Name` gives `Name`).
    pub fn role_name(&self) -> &str {
        self.role_arn.rsplit('/').next().unwrap_or_default()
    }

    /// The saml-provider's name.
    pub fn provider_name(&self) -> &str {
        self.principal_arn.rsplit('/').next().unwrap_or_default()
    }
}

impl fmt::Display for SamlRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.role_arn)
    }
}

/// `arn:PARTITION:iam::ACCOUNT:KIND/NAME` split into `(KIND, NAME)`, if `arn` is that shape with
/// a 12-digit account and a non-empty name.
fn iam_resource(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let ok_partition = partition.starts_with("aws") && !partition.contains(char::is_whitespace);
    let ok_account = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    let (kind, name) = resource.split_once('/')?;
    let ok_name = !name.is_empty()
        && !name.ends_with('/')
        && !name.contains(char::is_whitespace)
        && !name.contains(',');
    (ok_partition && ok_account && ok_name).then_some((kind, name))
}

/// Why no single role could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RoleChoiceError {
    /// The pattern matched none of the roles.
    #[error("no role of the SAML assertion matches `{pattern}`; it grants: {}", list(.available))]
    NoMatch {
        /// The `--role` given.
        pattern: String,
        /// Every role ARN of the assertion.
        available: Vec<String>,
    },
    /// The pattern matched several roles.
    #[error("`{pattern}` matches {} roles: {}", .matches.len(), list(.matches))]
    Ambiguous {
        /// The `--role` given.
        pattern: String,
        /// The role ARNs it matched.
        matches: Vec<String>,
    },
    /// Several roles and no pattern (and no one to ask).
    #[error("the SAML assertion grants {} roles: {}", .available.len(), list(.available))]
    NeedChoice {
        /// Every role ARN of the assertion.
        available: Vec<String>,
    },
}

fn list(arns: &[String]) -> String {
    arns.join(", ")
}

/// Picks one role: the one matching `pattern` (a role ARN, a role name, or a glob with `*` and
/// `?` over either), or the only role when there is no pattern. An exact ARN or name match wins
/// over glob matches.
pub fn select_role<'a>(
    roles: &'a [SamlRole],
    pattern: Option<&str>,
) -> Result<&'a SamlRole, RoleChoiceError> {
    let arns = || roles.iter().map(|r| r.role_arn.clone()).collect::<Vec<_>>();
    let Some(pattern) = pattern.map(str::trim) else {
        return match roles {
            [only] => Ok(only),
            _ => Err(RoleChoiceError::NeedChoice { available: arns() }),
        };
    };
    let exact: Vec<&SamlRole> = roles
        .iter()
        .filter(|r| r.role_arn == pattern || r.role_name() == pattern)
        .collect();
    let matches = if exact.is_empty() {
        let glob = Glob::case_sensitive(pattern);
        roles
            .iter()
            .filter(|r| glob.matches(&r.role_arn) || glob.matches(r.role_name()))
            .collect()
    } else {
        exact
    };
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(RoleChoiceError::NoMatch {
            pattern: pattern.to_owned(),
            available: arns(),
        }),
        many => Err(RoleChoiceError::Ambiguous {
            pattern: pattern.to_owned(),
            matches: many.iter().map(|r| r.role_arn.clone()).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str = "arn:aws:iam::123456789012:role/ADFS-Dev";
    const IDP: &str = "arn:aws:iam::123456789012:saml-provider/ADFS";

    #[test]
    fn either_order_and_stray_spaces() {
        for value in [
            format!("{ROLE},{IDP}"),
            format!("{IDP},{ROLE}"),
            format!("  {IDP} ,\n  {ROLE}  \n"),
            format!("\t{ROLE}\t,\t{IDP}"),
        ] {
            let r = SamlRole::parse(&value).unwrap();
            assert_eq!(r.role_arn, ROLE, "{value:?}");
            assert_eq!(r.principal_arn, IDP);
            assert_eq!(r.account_id(), "123456789012");
            assert_eq!(r.role_name(), "ADFS-Dev");
            assert_eq!(r.provider_name(), "ADFS");
        }
    }

    #[test]
    fn role_paths_and_partitions() {
        let r = SamlRole::parse(
            "arn:aws-us-gov:iam::111122223333:role/team/a/Ops,arn:aws-us-gov:iam::111122223333:saml-provider/Okta",
        )
        .unwrap();
        assert_eq!(r.role_name(), "Ops");
        assert_eq!(r.account_id(), "111122223333");
    }

    #[test]
    fn bad_values() {
        for value in [
            "",
            ROLE,
            &format!("{ROLE},{ROLE}"),
            &format!("{IDP},{IDP}"),
            &format!("{ROLE},{IDP},{IDP}"),
            "arn:aws:iam::12345:role/X,arn:aws:iam::12345:saml-provider/Y",
            "arn:aws:iam::123456789012:role/,arn:aws:iam::123456789012:saml-provider/Y",
            "arn:aws:s3:::bucket,arn:aws:iam::123456789012:saml-provider/Y",
        ] {
            assert!(SamlRole::parse(value).is_err(), "{value:?}");
        }
    }

    fn roles() -> Vec<SamlRole> {
        ["ADFS-Dev", "ADFS-Admin", "ReadOnly"]
            .iter()
            .map(|n| SamlRole {
                role_arn: format!("arn:aws:iam::123456789012:role/{n}"),
                principal_arn: IDP.to_owned(),
            })
            .collect()
    }

    #[test]
    fn selects_by_arn_name_and_glob() {
        let roles = roles();
        assert_eq!(
            select_role(&roles, Some(ROLE)).unwrap().role_name(),
            "ADFS-Dev"
        );
        assert_eq!(
            select_role(&roles, Some("ReadOnly")).unwrap().role_name(),
            "ReadOnly"
        );
        assert_eq!(
            select_role(&roles, Some("*Admin")).unwrap().role_name(),
            "ADFS-Admin"
        );
        assert_eq!(
            select_role(&roles, Some("arn:aws:iam::*:role/Read*"))
                .unwrap()
                .role_name(),
            "ReadOnly"
        );
        assert!(matches!(
            select_role(&roles, Some("ADFS-*")),
            Err(RoleChoiceError::Ambiguous { matches, .. }) if matches.len() == 2
        ));
        let err = select_role(&roles, Some("Nope")).unwrap_err();
        assert!(err.to_string().contains("role/ReadOnly"), "{err}");
        assert!(matches!(
            select_role(&roles, None),
            Err(RoleChoiceError::NeedChoice { .. })
        ));
        assert_eq!(
            select_role(&roles[..1], None).unwrap().role_name(),
            "ADFS-Dev"
        );
    }
}

//! What kind of credentials a profile holds, and the checks that need no network: a profile that
//! mixes kinds, a `source_profile` that loops or does not exist, a role with two sources or none.
//!
//! botocore takes the first provider in its order that a profile satisfies and ignores the rest
//! silently (an SSO profile with `credential_process` is SSO; one with `role_arn` is assume-role,
//! whatever else it has). sesame refuses such a profile instead: which credentials a command
//! gets should not depend on an order nobody remembers. Two combinations stay allowed because
//! they are common and botocore's meaning is clear: static keys with `role_arn` when
//! `source_profile` names the profile itself (botocore's self-reference), and an SSO profile in
//! the config file whose name also has keys in the credentials file (what
//! `sesame creds --to-credentials-file` writes: a snapshot; botocore, and sesame, use SSO).

use super::ChainError;
use crate::config::{AwsConfig, AwsCredentialsFile, Profile};

/// Which provider takes a profile (botocore's order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileKind {
    /// `role_arn` with `source_profile` or `credential_source`: STS AssumeRole.
    AssumeRole,
    /// `role_arn` with `web_identity_token_file`: STS AssumeRoleWithWebIdentity.
    WebIdentity,
    /// `sso_account_id` / `sso_role_name`: Identity Center role credentials.
    Sso,
    /// `login_session`: an `aws login` session (console credentials).
    LoginSession,
    /// `aws_access_key_id` + `aws_secret_access_key` (SAML logins write these too).
    StaticKeys,
    /// `credential_process`: a program prints them.
    Process,
}

impl ProfileKind {
    /// The keys that make a profile this kind, for messages.
    pub fn keys(self) -> &'static str {
        match self {
            ProfileKind::AssumeRole => "role_arn",
            ProfileKind::WebIdentity => "web_identity_token_file",
            ProfileKind::Sso => "sso_account_id/sso_role_name",
            ProfileKind::LoginSession => "login_session",
            ProfileKind::StaticKeys => "aws_access_key_id",
            ProfileKind::Process => "credential_process",
        }
    }
}

/// botocore's `_has_assume_role_config_vars`: `role_arn` and no `web_identity_token_file`.
pub(super) fn is_assume_role(p: &Profile) -> bool {
    p.get("role_arn").is_some() && p.get("web_identity_token_file").is_none()
}

/// botocore's `_has_static_credentials`: either key present.
pub(super) fn has_static_keys(p: &Profile) -> bool {
    p.get("aws_access_key_id").is_some() || p.get("aws_secret_access_key").is_some()
}

fn is_sso(p: &Profile) -> bool {
    p.sso_account_id().is_some() || p.sso_role_name().is_some()
}

fn non_empty(p: &Profile, key: &str) -> bool {
    p.get(key).is_some_and(|v| !v.trim().is_empty())
}

/// The kind of profile `name` (config merged with the credentials file), refusing a profile
/// that mixes kinds; `None` when it has no credentials at all.
pub(super) fn kind_of(
    config: &AwsConfig,
    creds_file: &AwsCredentialsFile,
    name: &str,
) -> Result<Option<ProfileKind>, ChainError> {
    let Some(merged) = config.profile_with_credentials(creds_file, name) else {
        return Ok(None);
    };
    let in_config = config.profile(name);
    let static_in_config = in_config.as_ref().is_some_and(has_static_keys);
    let sso = in_config.as_ref().is_some_and(is_sso);
    let mut kinds = Vec::new();
    if non_empty(&merged, "web_identity_token_file") {
        kinds.push(ProfileKind::WebIdentity);
    } else if merged.get("role_arn").is_some() {
        kinds.push(ProfileKind::AssumeRole);
    }
    if sso {
        kinds.push(ProfileKind::Sso);
    }
    if non_empty(&merged, "login_session") {
        kinds.push(ProfileKind::LoginSession);
    }
    if merged
        .credential_process()
        .is_some_and(|c| !c.trim().is_empty())
    {
        kinds.push(ProfileKind::Process);
    }
    let self_source = merged.get("source_profile") == Some(name);
    let keys_allowed = (kinds == [ProfileKind::AssumeRole] && self_source)
        || (kinds == [ProfileKind::Sso] && !static_in_config);
    if has_static_keys(&merged) && !keys_allowed {
        kinds.push(ProfileKind::StaticKeys);
    }
    match kinds.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        [first, rest @ ..] => Err(ChainError::MixedKinds {
            profile: name.to_owned(),
            kinds: std::iter::once(first)
                .chain(rest)
                .map(|k| k.keys())
                .collect::<Vec<_>>()
                .join(" and "),
        }),
    }
}

/// Checks profile `name` and every profile its role chain reaches, without any network:
/// existence, mixed kinds, a role's source (exactly one of `source_profile` and
/// `credential_source`, a valid `credential_source`, an existing source profile), loops.
/// Returns the kind of `name`, `None` when it has no credentials of its own.
pub(super) fn check(
    config: &AwsConfig,
    creds_file: &AwsCredentialsFile,
    name: &str,
) -> Result<Option<ProfileKind>, ChainError> {
    let top = kind_of(config, creds_file, name)?;
    let mut visited = vec![name.to_owned()];
    let mut current = name.to_owned();
    let mut kind = top;
    while kind == Some(ProfileKind::AssumeRole) {
        let merged = config
            .profile_with_credentials(creds_file, &current)
            .expect("kind_of found it");
        let bad = |what: String| ChainError::RoleConfig {
            profile: current.clone(),
            what,
        };
        let source = match (
            merged.get("source_profile"),
            merged.get("credential_source"),
        ) {
            (Some(_), Some(_)) => {
                return Err(bad(
                    "it has both source_profile and credential_source".to_owned()
                ));
            }
            (None, None) => {
                return Err(bad(
                    "it has role_arn but neither source_profile nor credential_source".to_owned(),
                ));
            }
            (None, Some(cs)) => {
                super::CredentialSourceKind::parse(cs).map_err(bad)?;
                break;
            }
            (Some(sp), None) => sp.to_owned(),
        };
        if config
            .profile_with_credentials(creds_file, &source)
            .is_none()
        {
            return Err(bad(format!(
                "its source_profile `{source}` is in neither the config nor the credentials file"
            )));
        }
        let source_merged = config
            .profile_with_credentials(creds_file, &source)
            .expect("checked above");
        let self_ref = source == current && has_static_keys(&source_merged);
        if self_ref {
            break;
        }
        if visited.contains(&source) {
            visited.push(source);
            return Err(ChainError::SourceLoop {
                chain: visited.join(" -> "),
            });
        }
        visited.push(source.clone());
        kind = kind_of(config, creds_file, &source)?;
        if kind.is_none() {
            return Err(ChainError::RoleConfig {
                profile: current.clone(),
                what: format!("its source_profile `{source}` has no credentials"),
            });
        }
        // botocore: a source with static keys signs with them, even if it has role_arn too.
        if has_static_keys(&source_merged) {
            break;
        }
        current = source;
    }
    Ok(top)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_in(config: &str, creds: &str, name: &str) -> Result<Option<ProfileKind>, String> {
        let config = AwsConfig::from_str("config", config).unwrap();
        let creds = AwsCredentialsFile::from_str("credentials", creds).unwrap();
        check(&config, &creds, name).map_err(|e| e.to_string())
    }

    #[test]
    fn kinds_and_mixtures() {
        let cfg = "[profile sso]\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n\
                   [profile keys]\naws_access_key_id = A\naws_secret_access_key = S\n\
                   [profile proc]\ncredential_process = x\n\
                   [profile both]\nsso_account_id = 1\ncredential_process = x\n\
                   [profile login]\nlogin_session = arn:aws:iam::1:user/u\n\
                   [profile selfref]\nrole_arn = arn:r\nsource_profile = selfref\naws_access_key_id = A\naws_secret_access_key = S\n\
                   [profile rolekeys]\nrole_arn = arn:r\nsource_profile = keys\naws_access_key_id = A\naws_secret_access_key = S\n";
        let creds = "[sso]\naws_access_key_id = A\naws_secret_access_key = S\n";
        assert_eq!(check_in(cfg, creds, "sso"), Ok(Some(ProfileKind::Sso)));
        assert_eq!(
            check_in(cfg, creds, "keys"),
            Ok(Some(ProfileKind::StaticKeys))
        );
        assert_eq!(check_in(cfg, creds, "proc"), Ok(Some(ProfileKind::Process)));
        assert_eq!(
            check_in(cfg, creds, "login"),
            Ok(Some(ProfileKind::LoginSession))
        );
        assert_eq!(
            check_in(cfg, creds, "selfref"),
            Ok(Some(ProfileKind::AssumeRole))
        );
        let mixed = check_in(cfg, creds, "both").unwrap_err();
        assert!(
            mixed.contains("profile `both`")
                && mixed.contains("sso_account_id/sso_role_name and credential_process"),
            "{mixed}"
        );
        assert!(check_in(cfg, creds, "rolekeys").is_err());
    }

    #[test]
    fn chains_are_checked_without_network() {
        let cfg = "[profile a]\nrole_arn = arn:r\nsource_profile = b\n\
                   [profile b]\nrole_arn = arn:r\nsource_profile = a\n\
                   [profile c]\nrole_arn = arn:r\nsource_profile = nowhere\n\
                   [profile d]\nrole_arn = arn:r\nsource_profile = keys\ncredential_source = Environment\n\
                   [profile e]\nrole_arn = arn:r\ncredential_source = Lambda\n\
                   [profile f]\nrole_arn = arn:r\nsource_profile = g\n\
                   [profile g]\nrole_arn = arn:r\nsource_profile = keys\n\
                   [profile empty]\nregion = x\n\
                   [profile h]\nrole_arn = arn:r\nsource_profile = empty\n\
                   [profile keys]\naws_access_key_id = A\naws_secret_access_key = S\n";
        assert_eq!(
            check_in(cfg, "", "a").unwrap_err(),
            "source_profile loops: a -> b -> a"
        );
        assert!(
            check_in(cfg, "", "c")
                .unwrap_err()
                .contains("source_profile `nowhere` is in neither")
        );
        assert!(check_in(cfg, "", "d").unwrap_err().contains("both"));
        assert!(check_in(cfg, "", "e").unwrap_err().contains("Lambda"));
        assert_eq!(check_in(cfg, "", "f"), Ok(Some(ProfileKind::AssumeRole)));
        assert!(
            check_in(cfg, "", "h")
                .unwrap_err()
                .contains("`empty` has no credentials")
        );
        assert_eq!(check_in(cfg, "", "empty"), Ok(None));
    }
}

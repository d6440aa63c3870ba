//! The AWS credentials and region the administration calls are signed with.
//!
//! This is the seam for the credential chain: [`resolve_credentials`] takes the `--profile` (if
//! any) and returns credentials. Today it knows botocore's first two providers: the environment
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`) and static keys in a
//! profile (`aws_access_key_id` ... in the credentials or config file). A profile that gets its
//! credentials another way (`sso_session`, `role_arn`, `credential_process`, web identity) is
//! named in a clear error, not silently skipped.

use aws_credential_types::Credentials;

use super::AdminError;
use crate::config::{AwsConfig, AwsCredentialsFile, Profile};
use crate::env::Env;

/// Credentials for `profile` (an explicit `--profile`), or else from the environment's keys, or
/// else from the profile the environment selects (`AWS_PROFILE`) or `default`, as botocore's
/// chain does: an explicit profile skips the environment's keys.
pub fn resolve_credentials(
    env: &Env,
    config: &AwsConfig,
    credentials_file: &AwsCredentialsFile,
    profile: Option<&str>,
) -> Result<Credentials, AdminError> {
    if profile.is_none()
        && let Some(creds) = from_environment(env)
    {
        return Ok(creds);
    }
    let name = profile.or_else(|| env.profile()).unwrap_or("default");
    let Some(merged) = config.profile_with_credentials(credentials_file, name) else {
        let detail = if profile.is_some() || env.profile().is_some() {
            format!(
                "profile `{name}` is in neither {} nor {}",
                config.path().display(),
                credentials_file.path().display()
            )
        } else {
            "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set and there is no `default` profile"
                .to_owned()
        };
        return Err(AdminError::NoCredentials { detail });
    };
    from_profile(&merged)
}

/// The environment's keys, when both the key id and the secret are set.
fn from_environment(env: &Env) -> Option<Credentials> {
    let id = env.var("AWS_ACCESS_KEY_ID")?;
    let secret = env.var("AWS_SECRET_ACCESS_KEY")?;
    let token = env
        .var("AWS_SESSION_TOKEN")
        .or_else(|| env.var("AWS_SECURITY_TOKEN"));
    Some(Credentials::new(
        id,
        secret,
        token.map(str::to_owned),
        None,
        "environment",
    ))
}

fn from_profile(profile: &Profile) -> Result<Credentials, AdminError> {
    let id = profile.get("aws_access_key_id").filter(|v| !v.is_empty());
    let secret = profile
        .get("aws_secret_access_key")
        .filter(|v| !v.is_empty());
    if let (Some(id), Some(secret)) = (id, secret) {
        let token = profile
            .get("aws_session_token")
            .or_else(|| profile.get("aws_security_token"))
            .filter(|v| !v.is_empty());
        return Ok(Credentials::new(
            id,
            secret,
            token.map(str::to_owned),
            None,
            "profile",
        ));
    }
    const KINDS: [(&str, &str); 6] = [
        ("role_arn", "an assumed role (`role_arn`)"),
        ("sso_session", "IAM Identity Center (`sso_session`)"),
        ("sso_start_url", "IAM Identity Center (`sso_start_url`)"),
        ("credential_process", "`credential_process`"),
        (
            "web_identity_token_file",
            "a web identity (`web_identity_token_file`)",
        ),
        ("credential_source", "`credential_source`"),
    ];
    if let Some((_, kind)) = KINDS.iter().find(|(key, _)| profile.get(key).is_some()) {
        return Err(AdminError::UnsupportedProfile {
            profile: profile.name().to_owned(),
            source_kind: (*kind).to_owned(),
        });
    }
    Err(AdminError::NoCredentials {
        detail: format!(
            "profile `{}` has no `aws_access_key_id` and `aws_secret_access_key`",
            profile.name()
        ),
    })
}

/// The region for sso-admin and identitystore: `explicit` (`--region`), `AWS_REGION`,
/// `AWS_DEFAULT_REGION`, then the profile's `region`, as botocore.
pub fn resolve_region(
    env: &Env,
    config: &AwsConfig,
    profile: Option<&str>,
    explicit: Option<&str>,
) -> Result<String, AdminError> {
    if let Some(r) = explicit.filter(|r| !r.is_empty()) {
        return Ok(r.to_owned());
    }
    if let Some(r) = env
        .var("AWS_REGION")
        .or_else(|| env.var("AWS_DEFAULT_REGION"))
    {
        return Ok(r.to_owned());
    }
    let name = profile.or_else(|| env.profile()).unwrap_or("default");
    config
        .profile(name)
        .and_then(|p| p.get("region").filter(|r| !r.is_empty()).map(str::to_owned))
        .ok_or(AdminError::NoRegion)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(config: &str, creds: &str) -> (AwsConfig, AwsCredentialsFile) {
        (
            AwsConfig::from_str("/c", config).unwrap(),
            AwsCredentialsFile::from_str("/k", creds).unwrap(),
        )
    }

    #[test]
    fn environment_keys_win_unless_a_profile_is_explicit() {
        let env = Env::from_vars([
            ("AWS_ACCESS_KEY_ID", "AKENV"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
        ]);
        let (c, k) = files(
            "",
            "[p]\naws_access_key_id = AKP\naws_secret_access_key = t\n",
        );
        assert_eq!(
            resolve_credentials(&env, &c, &k, None)
                .unwrap()
                .access_key_id(),
            "AKENV"
        );
        assert_eq!(
            resolve_credentials(&env, &c, &k, Some("p"))
                .unwrap()
                .access_key_id(),
            "AKP"
        );
    }

    #[test]
    fn profiles_of_other_kinds_are_named() {
        let env = Env::from_vars([("AWS_PROFILE", "sso")]);
        let (c, k) = files("[profile sso]\nsso_session = acme\n", "");
        let e = resolve_credentials(&env, &c, &k, None).unwrap_err();
        assert!(e.to_string().contains("sso_session"), "{e}");
        let e = resolve_credentials(&env, &c, &k, Some("nope")).unwrap_err();
        assert!(e.to_string().contains("`nope`"), "{e}");
    }

    #[test]
    fn region_order() {
        let (c, _) = files("[profile p]\nregion = eu-west-1\n", "");
        let env = Env::from_vars([("AWS_DEFAULT_REGION", "us-west-2")]);
        assert_eq!(
            resolve_region(&env, &c, Some("p"), Some("ap-south-1")).unwrap(),
            "ap-south-1"
        );
        assert_eq!(
            resolve_region(&env, &c, Some("p"), None).unwrap(),
            "us-west-2"
        );
        assert_eq!(
            resolve_region(&Env::default(), &c, Some("p"), None).unwrap(),
            "eu-west-1"
        );
        assert!(resolve_region(&Env::default(), &c, None, None).is_err());
    }
}

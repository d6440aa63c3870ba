//! The region the administration calls go to. Their credentials come from the library's one
//! chain, [`crate::credentials::chain`] (environment, SSO profile, static keys,
//! `credential_process`), as `sesame api`'s do.

use super::AdminError;
use crate::config::AwsConfig;
use crate::env::Env;

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

    #[test]
    fn region_order() {
        let c = AwsConfig::from_str("/c", "[profile p]\nregion = eu-west-1\n").unwrap();
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

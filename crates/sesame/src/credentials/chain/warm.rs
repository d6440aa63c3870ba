//! The warm path for profiles that are not SSO profiles: credentials from what is already on
//! disk, or nothing. An assume-role or web-identity profile reads the AWS CLI's cache file of
//! its role (one file, the same key botocore computes); a `login_session` profile its
//! `aws login` cache file; a static-keys profile is its keys. No
//! async runtime, no HTTP client, no TLS: the SSO profiles' warm path is
//! [`crate::credentials::warm`].

use jiff::SignedDuration;

use super::assume::{self, RoleArgs};
use super::{AwsCredentials, ChainError, ProfileKind, static_keys};
use crate::config::{AwsConfig, AwsCredentialsFile};
use crate::env::Env;

/// Profile `name`'s credentials (of kind `kind`, from [`super::profile_kind`]) if they are on
/// disk and valid for `margin`; `None` when resolving them needs the network, a program, or a
/// prompt. An entry that cannot be read is a miss, as botocore's `JSONFileCache` treats it.
pub fn lookup(
    env: &Env,
    config: &AwsConfig,
    creds_file: &AwsCredentialsFile,
    name: &str,
    kind: ProfileKind,
    margin: SignedDuration,
) -> Result<Option<AwsCredentials>, ChainError> {
    let Some(merged) = config.profile_with_credentials(creds_file, name) else {
        return Ok(None);
    };
    let get = |k: &str| merged.get(k).map(str::to_owned);
    let (args, label) = match kind {
        ProfileKind::AssumeRole => (
            RoleArgs::new(merged.get("role_arn").unwrap_or_default(), get, true),
            "assume-role",
        ),
        ProfileKind::WebIdentity => (
            RoleArgs::new(merged.get("role_arn").unwrap_or_default(), get, false),
            "web identity",
        ),
        ProfileKind::StaticKeys => {
            if let Some(c) = static_keys(
                creds_file.profile(name).as_ref(),
                name,
                "the credentials file",
            )? {
                return Ok(Some(c));
            }
            return static_keys(config.profile(name).as_ref(), name, "the config file");
        }
        // botocore's threshold, whatever the margin: the sign-in service's credentials last
        // 15 minutes at most.
        ProfileKind::LoginSession => {
            let session = merged.get("login_session").unwrap_or_default().trim();
            return Ok(crate::signin::warm(env, name, session));
        }
        ProfileKind::Sso | ProfileKind::Process => return Ok(None),
    };
    let path = assume::cache_path(env, &args);
    let source = format!("profile `{name}` ({label})");
    let found = assume::load(&path, &source, margin);
    if found.is_some() {
        tracing::debug!(path = %path.display(), "warm: the AWS CLI's assumed-role cache");
    }
    Ok(found)
}

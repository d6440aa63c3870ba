//! aws-sdk-rust's `ProvideCredentials` for one (session, account, role).

use std::sync::Arc;

use aws_credential_types::Credentials;
use aws_credential_types::provider::{
    self, ProvideCredentials, error::CredentialsError as SdkError,
};

use super::{CredentialResolver, CredentialsError, RoleSpec, RoleTarget};
use crate::cache::RoleCredentials;
use crate::config::AwsConfig;
use crate::env::Env;

/// The provider name the SDK records in its credentials.
const PROVIDER_NAME: &str = "sesame";

/// A credentials provider for aws-sdk-rust clients: role credentials of one account and role
/// through an Identity Center login, from the AWS CLI v2's cache when it holds valid ones.
///
/// It never prompts: without a valid login it fails, and `sesame login` (or `aws sso login`)
/// fixes that. Clones share one in-process lock, so concurrent requests of one client make one
/// call; other processes are kept out by the cache entry's file lock.
#[derive(Debug, Clone)]
pub struct SsoCredentialsProvider {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    resolver: CredentialResolver,
    target: RoleTarget,
    flight: tokio::sync::Mutex<()>,
}

impl SsoCredentialsProvider {
    /// A provider for `target`.
    pub fn new(env: &Env, target: RoleTarget) -> Result<SsoCredentialsProvider, CredentialsError> {
        Ok(Self::with_resolver(CredentialResolver::new(env)?, target))
    }

    /// A provider for an SSO profile of the config file `env` points at.
    pub fn from_profile(
        env: &Env,
        profile: &str,
    ) -> Result<SsoCredentialsProvider, CredentialsError> {
        let config = AwsConfig::from_env(env)?;
        let target = RoleSpec::Profile(profile.to_owned()).resolve(env, &config)?;
        Self::new(env, target)
    }

    /// A provider using a resolver set up by the caller (another margin, say).
    pub fn with_resolver(
        resolver: CredentialResolver,
        target: RoleTarget,
    ) -> SsoCredentialsProvider {
        SsoCredentialsProvider {
            inner: Arc::new(Inner {
                resolver,
                target,
                flight: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// The role this provider gets credentials for.
    pub fn target(&self) -> &RoleTarget {
        &self.inner.target
    }

    /// The credentials as sesame's own type (the SDK's trait method wraps this).
    pub async fn role_credentials(&self) -> Result<RoleCredentials, CredentialsError> {
        let _one_at_a_time = self.inner.flight.lock().await;
        self.inner.resolver.credentials(&self.inner.target).await
    }
}

impl ProvideCredentials for SsoCredentialsProvider {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(async move {
            match self.role_credentials().await {
                Ok(c) => Ok(to_sdk(&c)),
                Err(
                    e @ (CredentialsError::UnknownProfile { .. }
                    | CredentialsError::NotSsoProfile { .. }
                    | CredentialsError::InvalidSsoProfile { .. }
                    | CredentialsError::Config(_)),
                ) => Err(SdkError::invalid_configuration(e)),
                Err(e) => Err(SdkError::provider_error(e)),
            }
        })
    }
}

/// sesame's role credentials as the SDK's `Credentials`.
pub fn to_sdk(c: &RoleCredentials) -> Credentials {
    let mut builder = Credentials::builder()
        .access_key_id(c.access_key_id.clone())
        .secret_access_key(c.secret_access_key.expose())
        .session_token(c.session_token.expose())
        .expiry(std::time::SystemTime::from(c.expiration))
        .provider_name(PROVIDER_NAME);
    if let Some(account) = &c.account_id {
        builder = builder.account_id(account.as_str());
    }
    builder.build()
}

//! Keys that sign requests ([`AwsCredentials`]), whatever gave them: below both the signer
//! ([`crate::api::sign`], [`crate::sts`]) and the providers ([`crate::credentials`]), so that
//! neither reaches into the other for the type.

use std::time::SystemTime;

use jiff::Timestamp;

use crate::cache::RoleCredentials;
use crate::secret::Secret;

/// Keys that sign requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsCredentials {
    /// The access key id (not a secret: it names the key).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: Secret,
    /// The session token of temporary credentials.
    pub session_token: Option<Secret>,
    /// When temporary credentials expire, if known.
    pub expiration: Option<Timestamp>,
    /// Where they came from, for messages (`environment`, `profile dev (credential_process)`).
    pub source: String,
}

impl AwsCredentials {
    /// The SDK's `Credentials` (what `aws-sigv4` and the SDK clients sign with).
    pub fn to_sdk(&self) -> aws_credential_types::Credentials {
        let expiry = self.expiration.map(|t| {
            SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(t.as_second().max(0) as u64)
        });
        aws_credential_types::Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.expose().to_owned(),
            self.session_token.as_ref().map(|t| t.expose().to_owned()),
            expiry,
            "sesame",
        )
    }

    /// The identity `aws-sigv4` signs with.
    pub fn to_identity(&self) -> aws_smithy_runtime_api::client::identity::Identity {
        self.to_sdk().into()
    }

    /// Role credentials of an Identity Center login, `source` naming them for messages.
    pub fn from_role(c: RoleCredentials, source: String) -> AwsCredentials {
        AwsCredentials {
            access_key_id: c.access_key_id,
            secret_access_key: c.secret_access_key,
            session_token: Some(c.session_token),
            expiration: Some(c.expiration),
            source,
        }
    }
}

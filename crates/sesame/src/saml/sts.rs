//! STS `AssumeRoleWithSAML` through [`crate::sts`] (docs/protocols.md, *Wire protocols*): an
//! unsigned form POST (the operation is `noAuth`, the assertion is the credential) and an XML
//! answer.
//!
//! The endpoint comes from [`crate::config::resolve_endpoint`] with [`ServiceId::Sts`]
//! (`AWS_ENDPOINT_URL_STS`, `[services]`, else `https://sts.{region}.amazonaws.com`); a path in
//! an override is kept and the request goes to it as is, as botocore does.
//!
//! [`ServiceId::Sts`]: crate::config::ServiceId::Sts

use serde_json::Value;
use url::Url;

use super::{SamlAssertion, SamlRole};
use crate::cache::RoleCredentials;
use crate::sts::{StsCall, call, credentials_of};

pub use crate::sts::StsError;

/// The operation, as errors name it.
const OPERATION: &str = "AssumeRoleWithSAML";

/// What AssumeRoleWithSAML gives back.
#[derive(Debug, Clone)]
pub struct SamlCredentials {
    /// The temporary credentials, with the role's account id.
    pub credentials: RoleCredentials,
    /// `AssumedRoleUser/Arn`: `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
    pub assumed_role_arn: Option<String>,
    /// The role assumed.
    pub role: SamlRole,
}

/// A client for one STS endpoint.
#[derive(Debug, Clone)]
pub struct StsClient {
    http: reqwest::Client,
    endpoint: Url,
}

impl StsClient {
    /// A client sending to `endpoint` (from [`crate::config::resolve_endpoint`]).
    pub fn new(http: reqwest::Client, endpoint: Url) -> Self {
        Self { http, endpoint }
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// Exchanges `assertion` for credentials of `role`, for `duration` seconds if given (STS's
    /// default, one hour, otherwise).
    pub async fn assume_role_with_saml(
        &self,
        role: &SamlRole,
        assertion: &SamlAssertion,
        duration: Option<u32>,
    ) -> Result<SamlCredentials, StsError> {
        let mut params = vec![
            ("RoleArn", role.role_arn.clone()),
            ("PrincipalArn", role.principal_arn.clone()),
            ("SAMLAssertion", assertion.encoded().expose().to_owned()),
        ];
        if let Some(d) = duration {
            params.push(("DurationSeconds", d.to_string()));
        }
        tracing::debug!(endpoint = %self.endpoint, role = %role.role_arn, "AssumeRoleWithSAML");
        let answer = call(
            &self.http,
            StsCall {
                endpoint: &self.endpoint,
                region: "",
                operation: OPERATION,
                params,
                signer: None,
            },
        )
        .await?;
        saml_credentials(&answer, role).ok_or_else(|| StsError::BadResponse {
            endpoint: self.endpoint.to_string(),
            status: 200,
            what: "XML whose Credentials are incomplete".to_owned(),
        })
    }
}

/// The answer's credentials, for `role`'s account.
fn saml_credentials(answer: &Value, role: &SamlRole) -> Option<SamlCredentials> {
    let c = credentials_of(answer, "")?;
    Some(SamlCredentials {
        credentials: RoleCredentials {
            access_key_id: c.access_key_id,
            secret_access_key: c.secret_access_key,
            session_token: c.session_token?,
            expiration: c.expiration?,
            account_id: Some(role.account_id().to_owned()),
        },
        assumed_role_arn: answer
            .get("AssumedRoleUser")
            .and_then(|u| u.get("Arn"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        role: role.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"<AssumeRoleWithSAMLResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithSAMLResult>
<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>sekret</SecretAccessKey><SessionToken>tok</SessionToken><Expiration>2026-11-22T09:34:53.827655Z</Expiration></Credentials>
<AssumedRoleUser><AssumedRoleId>AROA:alice</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/ADFS-Dev/alice</Arn></AssumedRoleUser>
</AssumeRoleWithSAMLResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleWithSAMLResponse>"#;

    fn role() -> SamlRole {
        SamlRole {
            role_arn: "arn:aws:iam::123456789012:role/ADFS-Dev".into(),
            principal_arn: "arn:aws:iam::123456789012:saml-provider/ADFS".into(),
        }
    }

    #[test]
    fn reads_moto_answer() {
        let doc = roxmltree::Document::parse(OK).unwrap();
        let answer = Value::Object(crate::sts::result_dict(&doc, OPERATION).unwrap());
        let c = saml_credentials(&answer, &role()).unwrap();
        assert_eq!(c.credentials.access_key_id, "ASIAEXAMPLE");
        assert_eq!(c.credentials.secret_access_key.expose(), "sekret");
        assert_eq!(
            crate::time::format_aws(c.credentials.expiration),
            "2026-11-22T09:34:53Z"
        );
        assert_eq!(c.credentials.account_id.as_deref(), Some("123456789012"));
        assert_eq!(
            c.assumed_role_arn.as_deref(),
            Some("arn:aws:sts::123456789012:assumed-role/ADFS-Dev/alice")
        );
    }
}

//! STS `AssumeRoleWithSAML` over the awsQuery protocol (PROTOCOLS §9): an unsigned form POST
//! (the operation is `noAuth`, the assertion is the credential) and an XML answer.
//!
//! The endpoint comes from [`crate::config::resolve_endpoint`] with [`ServiceId::Sts`]
//! (`AWS_ENDPOINT_URL_STS`, `[services]`, else `https://sts.{region}.amazonaws.com`); a path in
//! an override is kept and the request goes to it as is, as botocore does.
//!
//! [`ServiceId::Sts`]: crate::config::ServiceId::Sts

use jiff::Timestamp;
use roxmltree::{Document, Node};
use url::Url;

use super::{SamlAssertion, SamlRole};
use crate::Secret;
use crate::cache::RoleCredentials;
use crate::sso::ApiError;

/// The STS API version of the query protocol.
const API_VERSION: &str = "2011-06-15";
/// The operation, as errors name it.
const OPERATION: &str = "AssumeRoleWithSAML";
/// Answers larger than this are not read (a real one is about 2 KB).
const MAX_RESPONSE: usize = 256 * 1024;

/// Why STS gave no credentials.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StsError {
    /// STS could not be reached.
    #[error("cannot reach STS at {endpoint}: {reason}")]
    Unreachable {
        /// The URL called.
        endpoint: String,
        /// What the connection said.
        reason: String,
    },
    /// STS answered with an error (`IDPRejectedClaim`, `InvalidIdentityToken`, ...).
    #[error(transparent)]
    Api(#[from] ApiError),
    /// An answer that is not STS's XML.
    #[error("STS at {endpoint} answered HTTP {status} with {what}")]
    BadResponse {
        /// The URL called.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// What was wrong with it.
        what: String,
    },
}

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
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("Action", OPERATION)
            .append_pair("Version", API_VERSION)
            .append_pair("RoleArn", &role.role_arn)
            .append_pair("PrincipalArn", &role.principal_arn)
            .append_pair("SAMLAssertion", assertion.encoded().expose());
        if let Some(d) = duration {
            form.append_pair("DurationSeconds", &d.to_string());
        }
        let body = form.finish();
        let endpoint = self.endpoint.to_string();
        tracing::debug!(%endpoint, role = %role.role_arn, "AssumeRoleWithSAML");
        let response = self
            .http
            .post(self.endpoint.clone())
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded; charset=utf-8",
            )
            .body(body)
            .send()
            .await
            .map_err(|e| StsError::Unreachable {
                endpoint: endpoint.clone(),
                reason: crate::saml::error_chain(&e),
            })?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| StsError::Unreachable {
            endpoint: endpoint.clone(),
            reason: crate::saml::error_chain(&e),
        })?;
        let bad = |what: &str| StsError::BadResponse {
            endpoint: endpoint.clone(),
            status,
            what: what.to_owned(),
        };
        if bytes.len() > MAX_RESPONSE {
            return Err(bad("an answer too large to be STS's"));
        }
        let text = std::str::from_utf8(&bytes).map_err(|_| bad("a body that is not text"))?;
        let doc = Document::parse(text).map_err(|_| {
            if text.trim().is_empty() {
                bad("an empty body")
            } else {
                bad("a body that is not XML")
            }
        })?;
        if !(200..300).contains(&status) || doc.root_element().tag_name().name() == "ErrorResponse"
        {
            return Err(api_error(&doc, status).map_or_else(
                || bad("an error that is not in STS's format"),
                StsError::Api,
            ));
        }
        parse_credentials(&doc, role)
            .ok_or_else(|| bad("XML that holds no AssumeRoleWithSAMLResult/Credentials"))
    }
}

/// `<ErrorResponse><Error><Code>..</Code><Message>..</Message></Error>` (or a bare `<Error>`).
fn api_error(doc: &Document<'_>, status: u16) -> Option<ApiError> {
    api_error_of(doc, status, OPERATION)
}

/// The error of any STS query-protocol answer, named after `operation`.
pub(crate) fn api_error_of(
    doc: &Document<'_>,
    status: u16,
    operation: &'static str,
) -> Option<ApiError> {
    let error = doc
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == "Error")?;
    let code = text(error, "Code")?;
    Some(ApiError {
        operation,
        status,
        code,
        message: text(error, "Message"),
    })
}

fn parse_credentials(doc: &Document<'_>, role: &SamlRole) -> Option<SamlCredentials> {
    let credentials = doc
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == "Credentials")?;
    let expiration: Timestamp = crate::time::parse_lenient(&text(credentials, "Expiration")?)?;
    let assumed_role_arn = doc
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == "AssumedRoleUser")
        .and_then(|n| text(n, "Arn"));
    Some(SamlCredentials {
        credentials: RoleCredentials {
            access_key_id: text(credentials, "AccessKeyId")?,
            secret_access_key: Secret::new(text(credentials, "SecretAccessKey")?),
            session_token: Secret::new(text(credentials, "SessionToken")?),
            expiration,
            account_id: Some(role.account_id().to_owned()),
        },
        assumed_role_arn,
        role: role.clone(),
    })
}

/// The trimmed text of `node`'s child element `name`, if non-empty.
pub(crate) fn text(node: Node<'_, '_>, name: &str) -> Option<String> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
        .and_then(|n| n.text())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
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
        let doc = Document::parse(OK).unwrap();
        let c = parse_credentials(&doc, &role()).unwrap();
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

    #[test]
    fn reads_error_answer() {
        let doc = Document::parse(
            r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>IDPRejectedClaim</Code><Message>Not authorized</Message></Error><RequestId>x</RequestId></ErrorResponse>"#,
        )
        .unwrap();
        let e = api_error(&doc, 403).unwrap();
        assert_eq!(e.code, "IDPRejectedClaim");
        assert_eq!(
            e.to_string(),
            "AssumeRoleWithSAML failed with IDPRejectedClaim (HTTP 403): Not authorized"
        );
    }
}

//! The one place sesame's administration calls go on the wire: SigV4-signed AWS JSON 1.1
//! (`POST /`, `X-Amz-Target: <prefix>.<Operation>`, PROTOCOLS.md §9) to sso-admin, identitystore
//! and organizations, paced and retried ([`super::pace`]).
//!
//! Errors are read as botocore reads them: the code from `x-amzn-errortype`, the body's
//! `__type` (`ns#Code` → `Code`) or `code`; some front ends (and moto's auth layer) answer with
//! an XML `<Code>` instead, which is read too.

use std::sync::Arc;
use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use serde_json::Value;
use url::Url;

use super::AdminError;
use super::pace::{Pacer, Pacing};
use crate::config::{AwsConfig, ServiceId, resolve_endpoint};
use crate::env::Env;
use crate::sso::ApiError;

/// The three administration services, with their JSON 1.1 target prefix and signing name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    SsoAdmin,
    IdentityStore,
    Organizations,
}

impl Service {
    fn index(self) -> usize {
        self as usize
    }

    fn id(self) -> ServiceId {
        match self {
            Service::SsoAdmin => ServiceId::SsoAdmin,
            Service::IdentityStore => ServiceId::IdentityStore,
            Service::Organizations => ServiceId::Organizations,
        }
    }

    fn target_prefix(self) -> &'static str {
        match self {
            Service::SsoAdmin => "SWBExternalService",
            Service::IdentityStore => "AWSIdentityStore",
            Service::Organizations => "AWSOrganizationsV20161128",
        }
    }

    fn signing_name(self) -> &'static str {
        match self {
            Service::SsoAdmin => "sso",
            Service::IdentityStore => "identitystore",
            Service::Organizations => "organizations",
        }
    }
}

#[derive(Debug)]
struct Endpoint {
    url: Url,
    signing_region: String,
}

/// A signed, paced client for sso-admin, identitystore and organizations. Cheap to clone; the
/// clones share one connection pool and one [`Pacing`].
#[derive(Debug, Clone)]
pub struct AdminClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    http: reqwest::Client,
    identity: Identity,
    region: String,
    endpoints: [Endpoint; 3],
    pacer: Pacer,
}

impl AdminClient {
    /// A client signing with `credentials` in `region`, its endpoints resolved with botocore's
    /// overrides (`AWS_ENDPOINT_URL_SSO_ADMIN`, `[services]`, ... for `profile`).
    pub fn new(
        http: reqwest::Client,
        credentials: Credentials,
        region: &str,
        env: &Env,
        config: &AwsConfig,
        profile: Option<&str>,
        pacing: Pacing,
    ) -> Result<Self, AdminError> {
        let endpoint = |service: Service| -> Result<Endpoint, AdminError> {
            let url = resolve_endpoint(service.id(), region, env, config, profile)?;
            // Organizations' public endpoint is global: it is signed for the partition's home
            // region (us-east-1 for `aws`), which is the second label of its host.
            let signing_region = if service == Service::Organizations
                && url == service.id().default_endpoint(region)?
            {
                url.host_str()
                    .and_then(|h| h.split('.').nth(1))
                    .unwrap_or(region)
                    .to_owned()
            } else {
                region.to_owned()
            };
            Ok(Endpoint {
                url,
                signing_region,
            })
        };
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                identity: credentials.into(),
                region: region.to_owned(),
                endpoints: [
                    endpoint(Service::SsoAdmin)?,
                    endpoint(Service::IdentityStore)?,
                    endpoint(Service::Organizations)?,
                ],
                pacer: Pacer::new(pacing),
            }),
        })
    }

    /// The region of the sso-admin and identitystore calls.
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// The pacing the client's calls share.
    pub fn pacing(&self) -> &Pacing {
        self.inner.pacer.pacing()
    }

    /// Calls `operation` with a JSON `body`, retrying throttles, 5xx answers and connection
    /// failures with jittered backoff; the answer's JSON (`{}` for an empty body).
    pub(crate) async fn call(
        &self,
        service: Service,
        operation: &'static str,
        body: &Value,
    ) -> Result<Value, AdminError> {
        let pacer = &self.inner.pacer;
        let attempts = pacer.pacing().attempts;
        let mut attempt = 1;
        loop {
            let result = {
                let _slot = pacer.acquire().await;
                self.send_once(service, operation, body).await
            };
            match result {
                Ok(v) => {
                    pacer.succeeded();
                    return Ok(v);
                }
                Err(Failure {
                    error,
                    throttle,
                    retryable,
                }) => {
                    if throttle {
                        pacer.throttled();
                    }
                    if !retryable || attempt >= attempts {
                        return Err(error);
                    }
                    tracing::debug!(operation, attempt, %error, "retrying");
                    tokio::time::sleep(pacer.backoff(attempt)).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn send_once(
        &self,
        service: Service,
        operation: &'static str,
        body: &Value,
    ) -> Result<Value, Failure> {
        let endpoint = &self.inner.endpoints[service.index()];
        let url = endpoint.url.as_str();
        let payload = serde_json::to_vec(body).expect("a JSON value serialises");
        let target = format!("{}.{operation}", service.target_prefix());
        let headers = [
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", target.as_str()),
        ];
        let signed = sign_request(
            &self.inner.identity,
            service.signing_name(),
            &endpoint.signing_region,
            url,
            &headers,
            &payload,
        )
        .map_err(|reason| Failure::fatal(AdminError::Signing { operation, reason }))?;
        let mut request = self.inner.http.post(url).body(payload);
        for (k, v) in headers
            .iter()
            .copied()
            .chain(signed.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        {
            request = request.header(k, v);
        }
        let unreachable = |e: reqwest::Error| Failure {
            error: AdminError::Unreachable {
                endpoint: url.to_owned(),
                reason: error_chain(&e),
            },
            throttle: false,
            retryable: true,
        };
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status().as_u16();
        let header_code = response
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(clean_code);
        let bytes = response.bytes().await.map_err(unreachable)?;
        if (200..300).contains(&status) {
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(Value::Object(Default::default()));
            }
            return serde_json::from_slice(&bytes).map_err(|e| {
                Failure::fatal(AdminError::BadResponse {
                    operation,
                    endpoint: url.to_owned(),
                    reason: format!("not JSON ({e})"),
                })
            });
        }
        let api = api_error(operation, status, header_code, &bytes);
        let throttle = status == 429 || THROTTLE_CODES.contains(&api.code.as_str());
        let retryable = throttle || status >= 500 || api.code == "InternalServerException";
        let error = if status == 403 || DENIED_CODES.contains(&api.code.as_str()) {
            AdminError::Denied(api)
        } else {
            AdminError::Api(api)
        };
        Err(Failure {
            error,
            throttle,
            retryable,
        })
    }
}

/// One attempt's failure and what the retry loop should make of it.
struct Failure {
    error: AdminError,
    throttle: bool,
    retryable: bool,
}

impl Failure {
    fn fatal(error: AdminError) -> Self {
        Self {
            error,
            throttle: false,
            retryable: false,
        }
    }
}

const THROTTLE_CODES: [&str; 6] = [
    "ThrottlingException",
    "TooManyRequestsException",
    "Throttling",
    "ThrottledException",
    "RequestLimitExceeded",
    "SlowDown",
];

const DENIED_CODES: [&str; 10] = [
    "AccessDeniedException",
    "AccessDenied",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "IncompleteSignature",
    "MissingAuthenticationTokenException",
    "ExpiredTokenException",
    "ExpiredToken",
];

/// The SigV4 headers (`authorization`, `x-amz-date`, `x-amz-security-token`) for a POST of
/// `payload` to `url` with `headers`.
fn sign_request(
    identity: &Identity,
    signing_name: &str,
    region: &str,
    url: &str,
    headers: &[(&str, &str)],
    payload: &[u8],
) -> Result<Vec<(String, String)>, String> {
    let params = v4::SigningParams::builder()
        .identity(identity)
        .region(region)
        .name(signing_name)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let signable = SignableRequest::new(
        "POST",
        url,
        headers.iter().copied(),
        SignableBody::Bytes(payload),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    Ok(instructions
        .headers()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect())
}

fn api_error(
    operation: &'static str,
    status: u16,
    header_code: Option<String>,
    body: &[u8],
) -> ApiError {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let text = |k: &str| json.get(k).and_then(Value::as_str).map(str::to_owned);
    let xml = std::str::from_utf8(body).unwrap_or_default();
    let code = header_code
        .or_else(|| text("__type").map(|c| clean_code(&c)))
        .or_else(|| {
            text("code")
                .or_else(|| text("Code"))
                .map(|c| clean_code(&c))
        })
        .or_else(|| xml_element(xml, "Code"))
        .unwrap_or_else(|| status.to_string());
    let message = text("message")
        .or_else(|| text("Message"))
        .or_else(|| xml_element(xml, "Message"));
    ApiError {
        operation,
        status,
        code,
        message,
    }
}

/// The text of the first `<name>` element of an XML error body, if there is one.
fn xml_element(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&format!("</{name}>"))?;
    Some(xml[start..end].trim().to_owned()).filter(|s| !s.is_empty())
}

/// `ns#Name` and `Name:http://...` both mean `Name` (botocore `_inject_error_code`).
fn clean_code(raw: &str) -> String {
    let before_colon = raw.split(':').next().unwrap_or(raw);
    before_colon
        .rsplit('#')
        .next()
        .unwrap_or(before_colon)
        .trim()
        .to_owned()
}

fn error_chain(error: &reqwest::Error) -> String {
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        reason = format!("{reason}: {s}");
        source = s.source();
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_come_from_the_header_json_or_xml() {
        let e = api_error(
            "X",
            400,
            None,
            br#"{"__type":"com.amazon#ResourceNotFoundException","message":"gone"}"#,
        );
        assert_eq!(
            (e.code.as_str(), e.message.as_deref()),
            ("ResourceNotFoundException", Some("gone"))
        );
        let e = api_error("X", 400, Some("ThrottlingException".into()), b"{}");
        assert_eq!(e.code, "ThrottlingException");
        let xml = b"<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>bad</Message></Error></Errors></ErrorResponse>";
        let e = api_error("X", 403, None, xml);
        assert_eq!(
            (e.code.as_str(), e.message.as_deref()),
            ("InvalidClientTokenId", Some("bad"))
        );
        assert_eq!(api_error("X", 502, None, b"<html>").code, "502");
    }

    #[test]
    fn signing_gives_the_sigv4_headers_and_never_the_secret() {
        let identity: Identity = Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI",
            Some("tok".into()),
            None,
            "t",
        )
        .into();
        let h = sign_request(
            &identity,
            "sso",
            "eu-west-1",
            "http://127.0.0.1:5000/",
            &[
                ("content-type", "application/x-amz-json-1.1"),
                ("x-amz-target", "SWBExternalService.ListInstances"),
            ],
            b"{}",
        )
        .unwrap();
        let auth = &h.iter().find(|(k, _)| k == "authorization").unwrap().1;
        assert!(
            auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
            "{auth}"
        );
        assert!(auth.contains("/eu-west-1/sso/aws4_request"), "{auth}");
        assert!(auth.contains("x-amz-target"), "{auth}");
        assert!(
            h.iter()
                .any(|(k, v)| k == "x-amz-security-token" && v == "tok")
        );
        assert!(!h.iter().any(|(_, v)| v.contains("wJalrXUtnFEMI")));
    }
}

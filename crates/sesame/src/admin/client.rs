//! The one place sesame's administration calls go on the wire: SigV4-signed AWS JSON 1.1
//! (`POST /`, `X-Amz-Target: <prefix>.<Operation>`, PROTOCOLS.md §9) to sso-admin, identitystore
//! and organizations, paced and retried ([`super::pace`]).
//!
//! Signing is [`crate::api::sign`]'s (the `aws-sigv4` signer `sesame api` uses); errors are read
//! by [`crate::api::parse_error`], as botocore reads them: the code from `x-amzn-errortype`, the
//! body's `__type` (`ns#Code` → `Code`) or `code`, or an XML `<Error><Code>` (some front ends and
//! moto's auth layer answer with XML).

use std::sync::Arc;
use std::time::SystemTime;

use serde_json::Value;

use super::AdminError;
use super::pace::{Pacer, Pacing};
use crate::api::sign::{PayloadHash, SignInput, SigningRules, error_chain, sign};
use crate::api::{WireUrl, parse_error};
use crate::config::{AwsConfig, ServiceId, resolve_endpoint};
use crate::credentials::AwsCredentials;
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
    /// The endpoint URL as it is sent and signed.
    wire: WireUrl,
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
    credentials: AwsCredentials,
    region: String,
    endpoints: [Endpoint; 3],
    pacer: Pacer,
}

impl AdminClient {
    /// A client signing with `credentials` in `region`, its endpoints resolved with botocore's
    /// overrides (`AWS_ENDPOINT_URL_SSO_ADMIN`, `[services]`, ... for `profile`).
    pub fn new(
        http: reqwest::Client,
        credentials: AwsCredentials,
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
            let wire = WireUrl::parse(url.as_str()).map_err(|e| {
                AdminError::Internal(format!("endpoint {url} cannot be signed: {e}"))
            })?;
            Ok(Endpoint {
                wire,
                signing_region,
            })
        };
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                credentials,
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
        // The URL exactly as it was signed.
        let url = &endpoint.wire.as_string();
        let payload = serde_json::to_vec(body).expect("a JSON value serialises");
        let target = format!("{}.{operation}", service.target_prefix());
        let headers = [
            (
                "content-type".to_owned(),
                "application/x-amz-json-1.1".to_owned(),
            ),
            ("x-amz-target".to_owned(), target),
        ];
        let input = SignInput {
            method: "POST",
            url: &endpoint.wire,
            headers: &headers,
            payload: PayloadHash::Bytes(&payload),
            service: service.signing_name(),
            region: &endpoint.signing_region,
            time: SystemTime::now(),
            rules: SigningRules::for_service(service.signing_name()),
        };
        let signed = sign(&input, &self.inner.credentials, false).map_err(|e| {
            Failure::fatal(AdminError::Signing {
                operation,
                reason: e.to_string(),
            })
        })?;
        let mut request = self.inner.http.post(url).body(payload);
        for (k, v) in headers.iter().chain(&signed.headers) {
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
        let response_headers = response.headers().clone();
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
        let api = api_error(operation, status, &response_headers, &bytes);
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

/// The error code (the status when the answer names none) and message of an error answer.
fn api_error(
    operation: &'static str,
    status: u16,
    headers: &http::HeaderMap,
    body: &[u8],
) -> ApiError {
    let parsed = parse_error(headers, body);
    ApiError {
        operation,
        status,
        code: parsed
            .as_ref()
            .map_or_else(|| status.to_string(), |e| e.code.clone()),
        message: parsed.and_then(|e| e.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_come_from_the_header_json_or_xml() {
        let none = http::HeaderMap::new();
        let e = api_error(
            "X",
            400,
            &none,
            br#"{"__type":"com.amazon#ResourceNotFoundException","message":"gone"}"#,
        );
        assert_eq!(
            (e.code.as_str(), e.message.as_deref()),
            ("ResourceNotFoundException", Some("gone"))
        );
        let mut throttled = http::HeaderMap::new();
        throttled.insert("x-amzn-errortype", "ThrottlingException".parse().unwrap());
        let e = api_error("X", 400, &throttled, b"{}");
        assert_eq!(e.code, "ThrottlingException");
        let xml = b"<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>bad</Message></Error></Errors></ErrorResponse>";
        let e = api_error("X", 403, &none, xml);
        assert_eq!(
            (e.code.as_str(), e.message.as_deref()),
            ("InvalidClientTokenId", Some("bad"))
        );
        assert_eq!(api_error("X", 502, &none, b"<html>").code, "502");
    }
}

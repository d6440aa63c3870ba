//! The one place sesame's administration calls go on the wire: SigV4-signed AWS JSON 1.1 (`POST /`,
//! `X-Amz-Target: <prefix>.<Operation>`, docs/protocols.md, *Wire protocols*) to sso-admin,
//! identitystore and organizations, paced and retried by [`crate::pace`] (one [`Pacing`] per
//! service, a shared bound on requests in flight; [`AdminError`]'s
//! [`Classify`](crate::pace::Classify) says what is retried).
//!
//! Signing is [`crate::api::sign`]'s (the `aws-sigv4` signer `sesame api` uses); errors are read
//! by [`AwsError::from_answer`], as botocore reads them: the code from `x-amzn-errortype`, the
//! body's `__type` (`ns#Code` → `Code`) or `code`, or an XML `<Error><Code>` (some front ends and
//! moto's auth layer answer with XML).

use std::future::Future;
use std::sync::Arc;
use std::time::SystemTime;

use serde_json::Value;
use tokio::sync::Semaphore;

use super::{AdminError, AdminPacing};
use crate::api::WireUrl;
use crate::api::sign::{PayloadHash, SignInput, SigningRules, sign};
use crate::aws_error::AwsError;
use crate::config::{AwsConfig, ServiceId, resolve_endpoint};
use crate::credentials::AwsCredentials;
use crate::env::Env;
use crate::pace::{CallStats, Pacing};

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
/// clones share one connection pool, one bound on requests in flight and one [`Pacing`] per
/// service.
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
    /// Each service's pacing, in [`Service::index`] order.
    pacings: [Pacing; 3],
    options: AdminPacing,
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
        options: AdminPacing,
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
        let in_flight = Arc::new(Semaphore::new(options.concurrency.max(1)));
        let pacing = || {
            Pacing::new(options.pacer.clone(), options.retry.clone())
                .with_in_flight(in_flight.clone())
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
                pacings: [pacing(), pacing(), pacing()],
                options,
            }),
        })
    }

    /// The region of the sso-admin and identitystore calls.
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// How hard the client drives the APIs.
    pub fn pacing(&self) -> &AdminPacing {
        &self.inner.options
    }

    /// What the calls made so far did, every service together (for a progress display). The
    /// rate is the SSO Admin API's, where the walks spend their calls.
    pub fn stats(&self) -> CallStats {
        let mut all = CallStats::default();
        for pacing in &self.inner.pacings {
            let s = pacing.stats();
            all.requests += s.requests;
            all.retries += s.retries;
        }
        all.pacer = self.pacing_of(Service::SsoAdmin).stats().pacer;
        all
    }

    /// The pacing of one service's calls (its counters say what they did).
    pub(crate) fn pacing_of(&self, service: Service) -> &Pacing {
        &self.inner.pacings[service.index()]
    }

    /// Calls `operation` with a JSON `body`, paced, retrying throttles, 5xx answers and
    /// connection failures with jittered backoff; the answer's JSON (`{}` for an empty body).
    /// A call that keeps failing ends with its last error.
    pub(crate) async fn call(
        &self,
        service: Service,
        operation: &'static str,
        body: &Value,
    ) -> Result<Value, AdminError> {
        self.paced(service, operation, || {
            self.send_once(service, operation, body)
        })
        .await
    }

    /// Runs `attempt` (once per try) through `service`'s pacing.
    pub(crate) async fn paced<T, F, Fut>(
        &self,
        service: Service,
        operation: &'static str,
        attempt: F,
    ) -> Result<T, AdminError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, AdminError>>,
    {
        self.pacing_of(service)
            .call(operation, attempt)
            .await
            .map_err(|e| {
                tracing::debug!(operation, "{e}");
                e.into_source()
            })
    }

    async fn send_once(
        &self,
        service: Service,
        operation: &'static str,
        body: &Value,
    ) -> Result<Value, AdminError> {
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
        let signed =
            sign(&input, &self.inner.credentials, false).map_err(|e| AdminError::Signing {
                operation,
                reason: e.to_string(),
            })?;
        let mut request = self.inner.http.post(url).body(payload);
        for (k, v) in headers.iter().chain(&signed.headers) {
            request = request.header(k, v);
        }
        let unreachable = |e: reqwest::Error| {
            let endpoint = url.to_owned();
            if crate::http::is_certificate_error(&e) {
                let reason = crate::api::send_error(&e);
                AdminError::Certificate { endpoint, reason }
            } else {
                let reason = crate::one_line(&e);
                AdminError::Unreachable { endpoint, reason }
            }
        };
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status().as_u16();
        let response_headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(unreachable)?;
        if (200..300).contains(&status) {
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(Value::Object(Default::default()));
            }
            return serde_json::from_slice(&bytes).map_err(|e| AdminError::BadResponse {
                operation,
                endpoint: url.to_owned(),
                reason: format!("not JSON ({e})"),
            });
        }
        let api = AwsError::from_answer(operation, status, &response_headers, &bytes);
        Err(
            if status == 403 || DENIED_CODES.contains(&api.code.as_str()) {
                AdminError::Denied(api)
            } else {
                AdminError::Api(api)
            },
        )
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_come_from_the_header_json_or_xml() {
        let none = http::HeaderMap::new();
        let e = AwsError::from_answer(
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
        let e = AwsError::from_answer("X", 400, &throttled, b"{}");
        assert_eq!(e.code, "ThrottlingException");
        let xml = b"<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code><Message>bad</Message></Error></Errors></ErrorResponse>";
        let e = AwsError::from_answer("X", 403, &none, xml);
        assert_eq!(
            (e.code.as_str(), e.message.as_deref()),
            ("InvalidClientTokenId", Some("bad"))
        );
        assert_eq!(
            AwsError::from_answer("X", 502, &none, b"<html>").code,
            "502"
        );
    }
}

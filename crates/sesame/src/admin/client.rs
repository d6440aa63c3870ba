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
//!
//! Multi-Region instances: AWS serves permission-set and account-assignment reads only in an
//! instance's primary Region (the Identity Store, instance reads and the portal in every enabled
//! Region), so a client [`in_primary_region`](AdminClient::in_primary_region) sends every
//! sso-admin operation but the instance reads (ListInstances, ListRegions, DescribeRegion) to the
//! primary Region's endpoint, signed for it; everything else stays in the session's region.

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

#[derive(Debug, Clone)]
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
    /// The instance's primary Region and its sso-admin endpoint, when it is not `region`.
    primary: Option<(String, Endpoint)>,
    /// What the endpoints were resolved from (for the primary Region's).
    resolver: Resolver,
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
        let resolver = Resolver {
            env: env.clone(),
            config: config.clone(),
            profile: profile.map(str::to_owned),
        };
        let endpoint = |service: Service| resolver.endpoint(service, region);
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
                primary: None,
                pacings: [pacing(), pacing(), pacing()],
                options,
                resolver,
            }),
        })
    }

    /// This client, sending the sso-admin operations AWS serves only in an instance's primary
    /// Region (permission sets, assignments: all but ListInstances, ListRegions and
    /// DescribeRegion) to `primary`'s endpoint (botocore's overrides resolved for it), signed for
    /// `primary`. The identitystore, organizations and instance calls stay where they were. The
    /// clones share the connection pool, the bound on requests in flight and the pacing.
    pub fn in_primary_region(&self, primary: &str) -> Result<Self, AdminError> {
        let inner = &self.inner;
        let primary = if primary == inner.region {
            None
        } else {
            let endpoint = inner.resolver.endpoint(Service::SsoAdmin, primary)?;
            Some((primary.to_owned(), endpoint))
        };
        Ok(Self {
            inner: Arc::new(Inner {
                http: inner.http.clone(),
                credentials: inner.credentials.clone(),
                region: inner.region.clone(),
                endpoints: inner.endpoints.clone(),
                primary,
                pacings: inner.pacings.clone(),
                options: inner.options.clone(),
                resolver: inner.resolver.clone(),
            }),
        })
    }

    /// The session's region: of the identitystore calls and the instance reads (ListInstances,
    /// ListRegions).
    pub fn region(&self) -> &str {
        &self.inner.region
    }

    /// The region of the permission-set and assignment reads: the instance's primary Region
    /// once [`in_primary_region`](Self::in_primary_region) said so, else [`region`](Self::region).
    pub fn instance_region(&self) -> &str {
        self.inner
            .primary
            .as_ref()
            .map_or(&self.inner.region, |(r, _)| r)
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
        let endpoint = self.endpoint(service, operation);
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

/// The sso-admin operations AWS answers in every enabled Region of an instance ("instance read
/// operations"); its permission-set and assignment operations are served only in the primary
/// Region (IAM Identity Center user guide, *APIs supported in additional Regions*).
pub(crate) const REGIONAL_SSO_ADMIN: [&str; 3] = ["ListInstances", "ListRegions", "DescribeRegion"];

impl AdminClient {
    /// Where `operation` of `service` goes: the primary Region's sso-admin endpoint for the
    /// operations only it serves, else the session region's.
    fn endpoint(&self, service: Service, operation: &str) -> &Endpoint {
        match &self.inner.primary {
            Some((_, primary))
                if service == Service::SsoAdmin && !REGIONAL_SSO_ADMIN.contains(&operation) =>
            {
                primary
            }
            _ => &self.inner.endpoints[service.index()],
        }
    }
}

/// The settings endpoints are resolved from (botocore's overrides for the profile).
#[derive(Debug, Clone)]
struct Resolver {
    env: Env,
    config: AwsConfig,
    profile: Option<String>,
}

impl Resolver {
    /// `service`'s endpoint in `region`, and the region it is signed for.
    fn endpoint(&self, service: Service, region: &str) -> Result<Endpoint, AdminError> {
        let url = resolve_endpoint(
            service.id(),
            region,
            &self.env,
            &self.config,
            self.profile.as_deref(),
        )?;
        // Organizations' public endpoint is global: it is signed for the partition's home
        // region (us-east-1 for `aws`), which is the second label of its host.
        let signing_region =
            if service == Service::Organizations && url == service.id().default_endpoint(region)? {
                url.host_str()
                    .and_then(|h| h.split('.').nth(1))
                    .unwrap_or(region)
                    .to_owned()
            } else {
                region.to_owned()
            };
        let wire = WireUrl::parse(url.as_str())
            .map_err(|e| AdminError::Internal(format!("endpoint {url} cannot be signed: {e}")))?;
        Ok(Endpoint {
            wire,
            signing_region,
        })
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

    fn client(region: &str, env: &Env) -> AdminClient {
        AdminClient::new(
            crate::http::api_client(None).unwrap(),
            AwsCredentials {
                access_key_id: "AKIDEXAMPLE".to_owned(),
                secret_access_key: crate::secret::Secret::new("secret"),
                session_token: None,
                expiration: None,
                source: "test".to_owned(),
            },
            region,
            env,
            &AwsConfig::from_str("/c", "").unwrap(),
            None,
            super::super::AdminPacing::default(),
        )
        .unwrap()
    }

    /// The URL and signing region `operation` goes to.
    fn route(c: &AdminClient, service: Service, operation: &str) -> (String, String) {
        let e = c.endpoint(service, operation);
        (e.wire.as_string(), e.signing_region.clone())
    }

    #[test]
    fn the_primary_region_gets_the_permission_set_and_assignment_reads_only() {
        let added = client("eu-west-1", &Env::default());
        let c = added.in_primary_region("us-east-1").unwrap();
        assert_eq!(
            (c.region(), c.instance_region()),
            ("eu-west-1", "us-east-1")
        );
        let primary = (
            "https://sso.us-east-1.amazonaws.com/".to_owned(),
            "us-east-1".to_owned(),
        );
        for op in [
            "ListPermissionSets",
            "DescribePermissionSet",
            "ListAccountAssignments",
        ] {
            assert_eq!(route(&c, Service::SsoAdmin, op), primary, "{op}");
        }
        for op in REGIONAL_SSO_ADMIN {
            assert_eq!(
                route(&c, Service::SsoAdmin, op),
                (
                    "https://sso.eu-west-1.amazonaws.com/".to_owned(),
                    "eu-west-1".to_owned()
                )
            );
        }
        assert_eq!(
            route(&c, Service::IdentityStore, "ListUsers"),
            (
                "https://identitystore.eu-west-1.amazonaws.com/".to_owned(),
                "eu-west-1".to_owned()
            )
        );
        // The session's own region as primary changes nothing.
        let same = added.in_primary_region("eu-west-1").unwrap();
        assert_eq!(same.instance_region(), "eu-west-1");
        assert_eq!(
            route(&same, Service::SsoAdmin, "ListPermissionSets").1,
            "eu-west-1"
        );
    }

    #[test]
    fn the_primary_region_honours_endpoint_overrides() {
        let env = Env::from_vars([("AWS_ENDPOINT_URL_SSO_ADMIN", "http://127.0.0.1:9/admin")]);
        let c = client("eu-west-1", &env)
            .in_primary_region("us-east-1")
            .unwrap();
        assert_eq!(
            route(&c, Service::SsoAdmin, "ListAccountAssignments"),
            (
                "http://127.0.0.1:9/admin".to_owned(),
                "us-east-1".to_owned()
            )
        );
        // A Region name the service gave that is not one is an error, not a URL.
        let invalid = client("eu-west-1", &Env::default()).in_primary_region("not a region");
        assert!(matches!(invalid, Err(AdminError::Config(_))));
    }

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

//! What the server answers, request by request, with the shapes of the real services: the ECS
//! agent's container-credentials endpoint and EC2's IMDSv2. No sockets here.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header};
use http_body_util::Full;

use super::cache::{CredentialCache, Served, Upstream};
use super::token::{self, ImdsTokens, MAX_IMDS_TTL};
use super::{CONTAINER_PATH, EndpointKind};
use crate::secret::Secret;

/// The IMDS paths sesame answers.
const IMDS_TOKEN_PATH: &str = "/latest/api/token";
const IMDS_CREDENTIALS_PATH: &str = "/latest/meta-data/iam/security-credentials/";
const IMDS_TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const IMDS_TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";

pub(crate) type Answer = Response<Full<Bytes>>;

/// One server's answering side: its kind, credentials and secrets.
pub(crate) struct Responder<U> {
    pub(crate) kind: EndpointKind,
    pub(crate) cache: Arc<CredentialCache<U>>,
    pub(crate) token: Secret,
    pub(crate) imds: ImdsTokens,
}

impl<U: Upstream> Responder<U> {
    /// The answer to a request line and its headers (bodies are refused before this).
    pub(crate) async fn answer(&self, method: &Method, path: &str, headers: &HeaderMap) -> Answer {
        match &self.kind {
            EndpointKind::Container => self.container(method, path, headers).await,
            EndpointKind::Imds { role_name } => self.imds(method, path, headers, role_name).await,
        }
    }

    /// The ECS agent's answers: Go's plain 404 for another path, 405 for another method, the
    /// agent's `{"code", "message"}` errors, and the credentials as it writes them.
    async fn container(&self, method: &Method, path: &str, headers: &HeaderMap) -> Answer {
        if path != CONTAINER_PATH {
            return plain(StatusCode::NOT_FOUND, "404 page not found\n");
        }
        if method != Method::GET && method != Method::HEAD {
            let mut a = plain(StatusCode::METHOD_NOT_ALLOWED, "");
            a.headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            return a;
        }
        let mut given = headers.get_all(header::AUTHORIZATION).iter();
        let (first, second) = (given.next(), given.next());
        match (first, second) {
            (None, _) => {
                return agent_error(
                    StatusCode::UNAUTHORIZED,
                    "NoAuthorizationToken",
                    "the request has no Authorization header: send the value of \
                     AWS_CONTAINER_AUTHORIZATION_TOKEN (or the file AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names)",
                );
            }
            (Some(v), None) if token::matches(v.as_bytes(), &self.token) => {}
            _ => {
                tracing::warn!("refused a credentials request with a wrong Authorization header");
                return agent_error(
                    StatusCode::FORBIDDEN,
                    "InvalidAuthorizationToken",
                    "the Authorization header is not this server's token",
                );
            }
        }
        match self.cache.get().await {
            Ok(served) => json(StatusCode::OK, container_json(&served)),
            Err(e) => agent_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "CredentialsUnavailable",
                &e.to_string(),
            ),
        }
    }

    /// IMDSv2 as on an instance that requires it: a session token from `PUT /latest/api/token`,
    /// then GETs with it; anything without a valid one is 401.
    async fn imds(
        &self,
        method: &Method,
        path: &str,
        headers: &HeaderMap,
        role_name: &str,
    ) -> Answer {
        if !local_host(headers) {
            // A browser page that rebinds its name to 127.0.0.1 sends its own name here.
            return imds_error(StatusCode::FORBIDDEN);
        }
        let now = crate::time::now();
        if path == IMDS_TOKEN_PATH {
            if method != Method::PUT {
                return with_allow(imds_error(StatusCode::METHOD_NOT_ALLOWED), "PUT");
            }
            // IMDS refuses token requests that went through a proxy.
            if headers.contains_key("x-forwarded-for") {
                return imds_error(StatusCode::FORBIDDEN);
            }
            let ttl = headers
                .get(IMDS_TTL_HEADER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u32>().ok())
                .filter(|ttl| (1..=MAX_IMDS_TTL).contains(ttl));
            let Some(ttl) = ttl else {
                return imds_error(StatusCode::BAD_REQUEST);
            };
            let mut a = plain(StatusCode::OK, &self.imds.issue(now, ttl));
            a.headers_mut()
                .insert(IMDS_TTL_HEADER, HeaderValue::from(ttl));
            return a;
        }
        if method != Method::GET && method != Method::HEAD {
            return with_allow(imds_error(StatusCode::METHOD_NOT_ALLOWED), "GET, HEAD");
        }
        let valid = headers
            .get(IMDS_TOKEN_HEADER)
            .is_some_and(|t| self.imds.valid(t.as_bytes(), now));
        if !valid {
            return imds_error(StatusCode::UNAUTHORIZED);
        }
        let listing = IMDS_CREDENTIALS_PATH.trim_end_matches('/');
        if path == IMDS_CREDENTIALS_PATH || path == listing {
            return plain(StatusCode::OK, role_name);
        }
        match path.strip_prefix(IMDS_CREDENTIALS_PATH) {
            Some(name) if name == role_name => match self.cache.get().await {
                Ok(served) => json(StatusCode::OK, imds_json(&served)),
                // What IMDS answers when it cannot get the role's credentials.
                Err(e) => json(
                    StatusCode::OK,
                    format!(
                        "{{\n  \"Code\" : \"AssumeRoleUnauthorizedAccess\",\n  \"Message\" : {},\n  \"LastUpdated\" : \"{}\"\n}}",
                        serde_json::Value::from(e.to_string()),
                        crate::time::format_aws(now)
                    ),
                ),
            },
            _ => imds_error(StatusCode::NOT_FOUND),
        }
    }
}

/// The container endpoint's body, as the ECS agent marshals its credentials.
fn container_json(s: &Served) -> String {
    let c = &s.credentials;
    serde_json::json!({
        "AccessKeyId": c.access_key_id,
        "SecretAccessKey": c.secret_access_key.expose(),
        "Token": c.session_token.as_ref().map(Secret::expose).unwrap_or_default(),
        "Expiration": crate::time::format_aws(s.expiration),
    })
    .to_string()
}

/// IMDS's body, byte for byte in its layout (`"Key" : value`, two-space indent).
fn imds_json(s: &Served) -> String {
    let c = &s.credentials;
    let q = |v: &str| serde_json::Value::from(v).to_string();
    format!(
        "{{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : {},\n  \"Type\" : \"AWS-HMAC\",\n  \
         \"AccessKeyId\" : {},\n  \"SecretAccessKey\" : {},\n  \"Token\" : {},\n  \
         \"Expiration\" : {}\n}}",
        q(&crate::time::format_aws(s.fetched_at)),
        q(&c.access_key_id),
        q(c.secret_access_key.expose()),
        q(c.session_token
            .as_ref()
            .map(Secret::expose)
            .unwrap_or_default()),
        q(&crate::time::format_aws(s.expiration)),
    )
}

/// Whether the `Host` header names this machine by address or as `localhost` (IMDS clients send
/// the endpoint's host; a DNS-rebinding page sends its own name).
fn local_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        // HTTP/1.0 clients may send none.
        return true;
    };
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok()
}

fn plain(status: StatusCode, body: &str) -> Answer {
    respond(status, "text/plain; charset=utf-8", body.to_owned())
}

fn json(status: StatusCode, body: String) -> Answer {
    respond(status, "application/json", body)
}

fn respond(status: StatusCode, content_type: &'static str, body: String) -> Answer {
    let mut a = Response::new(Full::new(Bytes::from(body)));
    *a.status_mut() = status;
    let h = a.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    a
}

fn with_allow(mut a: Answer, allow: &'static str) -> Answer {
    a.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    a
}

/// The ECS agent's error body.
fn agent_error(status: StatusCode, code: &str, message: &str) -> Answer {
    json(
        status,
        serde_json::json!({ "code": code, "message": message }).to_string(),
    )
}

/// IMDS's error page: the same small XHTML document for every status.
pub(crate) fn imds_error(status: StatusCode) -> Answer {
    let title = format!(
        "{} - {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n\
         <!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n\
         \t\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n\
         <html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n \
         <head>\n  <title>{title}</title>\n </head>\n <body>\n  <h1>{title}</h1>\n </body>\n</html>\n"
    );
    respond(status, "text/html", body)
}

/// The answer to a request with a body: none of these endpoints takes one.
pub(crate) fn too_large(kind: &EndpointKind) -> Answer {
    match kind {
        EndpointKind::Container => agent_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestTooLarge",
            "requests to this endpoint have no body",
        ),
        EndpointKind::Imds { .. } => imds_error(StatusCode::PAYLOAD_TOO_LARGE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::chain::AwsCredentials;
    use crate::serve::cache::Upstream;

    struct Fixed;

    #[derive(Debug, thiserror::Error)]
    #[error("login required: the SSO session expired")]
    struct Expired;

    impl Upstream for Fixed {
        type Error = Expired;
        async fn fetch(&self) -> Result<AwsCredentials, Expired> {
            Err(Expired)
        }
    }

    fn responder(kind: EndpointKind) -> Responder<Fixed> {
        let cache = Arc::new(CredentialCache::new(Fixed));
        cache
            .seed(AwsCredentials {
                access_key_id: "ASIAEXAMPLE".to_owned(),
                secret_access_key: Secret::new("wJalr\"secret"),
                session_token: Some(Secret::new("FwoGZX")),
                expiration: Some("2030-01-02T03:04:05Z".parse().unwrap()),
                source: "test".to_owned(),
            })
            .unwrap();
        Responder {
            kind,
            cache,
            token: Secret::new("the-token"),
            imds: ImdsTokens::new(),
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    async fn body(a: Answer) -> String {
        use http_body_util::BodyExt as _;
        let bytes = a.into_body().collect().await.unwrap().to_bytes();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn container_answers() {
        let r = responder(EndpointKind::Container);
        let get = Method::GET;
        let ok = r
            .answer(
                &get,
                CONTAINER_PATH,
                &headers(&[("authorization", "the-token")]),
            )
            .await;
        assert_eq!(ok.status(), 200);
        assert_eq!(
            body(ok).await,
            r#"{"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"wJalr\"secret","Token":"FwoGZX","Expiration":"2030-01-02T03:04:05Z"}"#
        );
        for (hs, status) in [
            (headers(&[]), 401),
            (headers(&[("authorization", "the-token2")]), 403),
            (headers(&[("authorization", "Bearer the-token")]), 403),
            (
                headers(&[("authorization", "the-token"), ("authorization", "x")]),
                403,
            ),
        ] {
            let a = r.answer(&get, CONTAINER_PATH, &hs).await;
            assert_eq!(a.status(), status);
            let text = body(a).await;
            assert!(
                !text.contains("ASIAEXAMPLE") && !text.contains("secret"),
                "{text}"
            );
        }
        let a = r.answer(&get, "/other", &headers(&[])).await;
        assert_eq!(
            (a.status().as_u16(), body(a).await.as_str()),
            (404, "404 page not found\n")
        );
        let a = r
            .answer(
                &Method::POST,
                CONTAINER_PATH,
                &headers(&[("authorization", "the-token")]),
            )
            .await;
        assert_eq!(a.status(), 405);
        assert_eq!(a.headers()["allow"], "GET, HEAD");
    }

    #[tokio::test]
    async fn imds_answers() {
        let r = responder(EndpointKind::Imds {
            role_name: "dev".to_owned(),
        });
        let put = |ttl: &str| {
            let hs = headers(&[("x-aws-ec2-metadata-token-ttl-seconds", ttl)]);
            let r = &r;
            async move { r.answer(&Method::PUT, IMDS_TOKEN_PATH, &hs).await }
        };
        let a = put("21600").await;
        assert_eq!(a.status(), 200);
        assert_eq!(a.headers()[IMDS_TTL_HEADER], "21600");
        let t = body(a).await;
        for bad in ["0", "21601", "x", ""] {
            assert_eq!(put(bad).await.status(), 400, "ttl {bad:?}");
        }
        let a = r.answer(&Method::PUT, IMDS_TOKEN_PATH, &headers(&[])).await;
        assert_eq!(a.status(), 400);
        let proxied = headers(&[(IMDS_TTL_HEADER, "60"), ("x-forwarded-for", "10.0.0.1")]);
        assert_eq!(
            r.answer(&Method::PUT, IMDS_TOKEN_PATH, &proxied)
                .await
                .status(),
            403
        );
        assert_eq!(
            r.answer(&Method::GET, IMDS_TOKEN_PATH, &headers(&[]))
                .await
                .status(),
            405
        );

        let with = headers(&[(IMDS_TOKEN_HEADER, &t), ("host", "127.0.0.1:8080")]);
        let a = r.answer(&Method::GET, IMDS_CREDENTIALS_PATH, &with).await;
        assert_eq!((a.status().as_u16(), body(a).await.as_str()), (200, "dev"));
        let a = r
            .answer(&Method::GET, &format!("{IMDS_CREDENTIALS_PATH}dev"), &with)
            .await;
        assert_eq!(a.status(), 200);
        let text = body(a).await;
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["Code"], "Success");
        assert_eq!(v["Type"], "AWS-HMAC");
        assert_eq!(v["AccessKeyId"], "ASIAEXAMPLE");
        assert_eq!(v["SecretAccessKey"], "wJalr\"secret");
        assert_eq!(v["Token"], "FwoGZX");
        assert_eq!(v["Expiration"], "2030-01-02T03:04:05Z");
        assert!(text.starts_with("{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \""));

        // IMDSv1 (no token), a foreign token, another role, another path, another method.
        let v1 = headers(&[]);
        let a = r
            .answer(&Method::GET, &format!("{IMDS_CREDENTIALS_PATH}dev"), &v1)
            .await;
        assert_eq!(a.status(), 401);
        assert!(!body(a).await.contains("ASIA"));
        let foreign = ImdsTokens::new().issue(crate::time::now(), 60);
        let a = r
            .answer(
                &Method::GET,
                IMDS_CREDENTIALS_PATH,
                &headers(&[(IMDS_TOKEN_HEADER, &foreign)]),
            )
            .await;
        assert_eq!(a.status(), 401);
        let a = r
            .answer(&Method::GET, &format!("{IMDS_CREDENTIALS_PATH}prod"), &with)
            .await;
        assert_eq!(a.status(), 404);
        assert!(body(a).await.contains("<title>404 - Not Found</title>"));
        assert_eq!(
            r.answer(&Method::GET, "/latest/user-data", &with)
                .await
                .status(),
            404
        );
        assert_eq!(
            r.answer(&Method::POST, IMDS_CREDENTIALS_PATH, &with)
                .await
                .status(),
            405
        );
        let rebound = headers(&[(IMDS_TOKEN_HEADER, &t), ("host", "evil.example:8080")]);
        assert_eq!(
            r.answer(&Method::GET, IMDS_CREDENTIALS_PATH, &rebound)
                .await
                .status(),
            403
        );
        for host in ["localhost:1", "[::1]:80", "127.0.0.1"] {
            let hs = headers(&[(IMDS_TOKEN_HEADER, &t), ("host", host)]);
            assert_eq!(
                r.answer(&Method::GET, IMDS_CREDENTIALS_PATH, &hs)
                    .await
                    .status(),
                200
            );
        }
    }
}

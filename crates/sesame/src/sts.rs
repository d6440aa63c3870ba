//! STS over the awsQuery protocol (docs/protocols.md, *Wire protocols*), the one place that speaks
//! it: a form POST, signed with the caller's keys (`AssumeRole`) or unsigned (`AssumeRoleWithSAML`,
//! `AssumeRoleWithWebIdentity`: the assertion or token is the credential), and an XML answer turned
//! into the dictionary botocore's parser gives (`Credentials`, `AssumedRoleUser`,
//! `PackedPolicySize`, ..., `ResponseMetadata`): what the AWS CLI caches for assumed roles.
//!
//! The endpoint comes from [`crate::config::resolve_endpoint`] with
//! [`crate::config::ServiceId::Sts`]; a path in an override is kept and the request goes to it as
//! is, as botocore does.

use std::time::SystemTime;

use roxmltree::{Document, Node};
use serde_json::{Map, Value};
use url::Url;

use crate::api::sign::{PayloadHash, SignInput, SigningRules, sign};
use crate::api::wire::WireUrl;
use crate::aws_error::AwsError;
use crate::keys::AwsCredentials;

/// The STS API version of the query protocol.
const API_VERSION: &str = "2011-06-15";
/// Answers larger than this are not read (a real one is about 2 KB).
const MAX_RESPONSE: usize = 256 * 1024;
const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

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
    Api(#[from] AwsError),
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

impl crate::pace::Classify for StsError {
    /// STS's throttles (`Throttling`, 429), server faults (5xx, also when the body is not STS's
    /// XML) and unreachable endpoints are retried.
    fn failure(&self) -> crate::pace::Failure {
        use crate::pace::Failure;
        match self {
            StsError::Api(a)
                if a.status == 429
                    || a.code == "Throttling"
                    || a.code == "ThrottlingException"
                    || a.code == "RequestLimitExceeded" =>
            {
                Failure::Throttle
            }
            StsError::Api(a) if a.status >= 500 => Failure::Transient,
            StsError::BadResponse { status: 429, .. } => Failure::Throttle,
            StsError::BadResponse { status, .. } if *status >= 500 => Failure::Transient,
            StsError::Unreachable { .. } => Failure::Transient,
            _ => Failure::Final,
        }
    }
}

/// One STS call: where, which operation, its parameters, and the keys to sign with (none for
/// `AssumeRoleWithWebIdentity`).
pub(crate) struct StsCall<'a> {
    /// Where to send it.
    pub endpoint: &'a Url,
    /// The signing region (unused when unsigned).
    pub region: &'a str,
    /// `AssumeRole`, ...
    pub operation: &'static str,
    /// The operation's parameters (secrets among them go only into the body).
    pub params: Vec<(&'static str, String)>,
    /// The keys to sign with; none for the unsigned operations.
    pub signer: Option<&'a AwsCredentials>,
}

/// Sends `call` and returns botocore's dictionary of the answer, with `Credentials.AccountId`
/// taken from `AssumedRoleUser.Arn` as botocore adds it.
pub(crate) async fn call(http: &reqwest::Client, call: StsCall<'_>) -> Result<Value, StsError> {
    let body = {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("Action", call.operation)
            .append_pair("Version", API_VERSION);
        for (k, v) in &call.params {
            form.append_pair(k, v);
        }
        form.finish()
    };
    let endpoint = call.endpoint.to_string();
    let unreachable = |reason: String| StsError::Unreachable {
        endpoint: endpoint.clone(),
        reason,
    };
    tracing::debug!(%endpoint, operation = call.operation, "STS");
    let mut headers = vec![("content-type".to_owned(), CONTENT_TYPE.to_owned())];
    if let Some(creds) = call.signer {
        let wire = WireUrl::parse(&endpoint).map_err(|e| unreachable(e.to_string()))?;
        let input = SignInput {
            method: "POST",
            url: &wire,
            headers: &headers,
            payload: PayloadHash::Bytes(body.as_bytes()),
            service: "sts",
            region: call.region,
            time: SystemTime::now(),
            rules: SigningRules::for_service("sts"),
        };
        let signed = sign(&input, creds, false).map_err(|e| unreachable(e.to_string()))?;
        headers.extend(signed.headers);
    }
    let mut request = http.post(call.endpoint.clone()).body(body);
    for (k, v) in &headers {
        request = request.header(k, v);
    }
    let response = request
        .send()
        .await
        .map_err(|e| unreachable(crate::one_line(&e)))?;
    let status = response.status().as_u16();
    let response_headers = response.headers().clone();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| unreachable(crate::one_line(&e)))?;
    read_answer(call.operation, &endpoint, status, &response_headers, &bytes)
}

/// Reads STS's answer to `operation` from `endpoint`: botocore's dictionary of a success, the
/// [`AwsError`] of an error, or what is wrong with a body that is neither.
pub(crate) fn read_answer(
    operation: &'static str,
    endpoint: &str,
    status: u16,
    response_headers: &http::HeaderMap,
    bytes: &[u8],
) -> Result<Value, StsError> {
    let bad = |what: &str| StsError::BadResponse {
        endpoint: endpoint.to_owned(),
        status,
        what: what.to_owned(),
    };
    if bytes.len() > MAX_RESPONSE {
        return Err(bad("an answer too large to be STS's"));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| bad("a body that is not text"))?;
    let doc = Document::parse(text).map_err(|_| {
        if text.trim().is_empty() {
            bad("an empty body")
        } else {
            bad("a body that is not XML")
        }
    })?;
    if !(200..300).contains(&status) || doc.root_element().tag_name().name() == "ErrorResponse" {
        return Err(
            AwsError::parse(operation, status, response_headers, bytes).map_or_else(
                || bad("an error that is not in STS's format"),
                StsError::Api,
            ),
        );
    }
    let mut answer =
        result_dict(&doc, operation).ok_or_else(|| bad("XML that holds no Credentials"))?;
    answer.insert(
        "ResponseMetadata".into(),
        response_metadata(&doc, status, response_headers),
    );
    let answer = Value::Object(answer);
    if credentials_of(&answer, "").is_none() {
        return Err(bad("XML whose Credentials are incomplete"));
    }
    Ok(answer)
}

/// `<{Operation}Result>` as botocore's parser gives it: nested elements as objects, leaves as
/// strings (`PackedPolicySize` as a number), `Expiration` as botocore's cache writes a datetime
/// (`2026-11-23T02:14:32UTC`), then `Credentials.AccountId` from the assumed role's ARN.
pub(crate) fn result_dict(doc: &Document<'_>, operation: &str) -> Option<Map<String, Value>> {
    let result_name = format!("{operation}Result");
    let result = doc
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == result_name)?;
    let mut out = Map::new();
    for child in result.children().filter(Node::is_element) {
        let name = child.tag_name().name().to_owned();
        if child.children().any(|n| n.is_element()) {
            let mut inner = Map::new();
            for leaf in child.children().filter(Node::is_element) {
                let key = leaf.tag_name().name();
                let Some(value) = text(child, key) else {
                    continue;
                };
                let value = if key == "Expiration" {
                    crate::time::parse_lenient(&value)
                        .map(|t| crate::time::format_aws(t).replace('Z', "UTC"))?
                } else {
                    value
                };
                inner.insert(key.to_owned(), Value::String(value));
            }
            out.insert(name, Value::Object(inner));
        } else if let Some(value) = text(result, &name) {
            let value = match value.parse::<i64>() {
                Ok(n) if name == "PackedPolicySize" => Value::from(n),
                _ => Value::String(value),
            };
            out.insert(name, value);
        }
    }
    let account = out
        .get("AssumedRoleUser")
        .and_then(|u| u.get("Arn"))
        .and_then(Value::as_str)
        .and_then(|arn| arn.split(':').nth(4))
        .filter(|a| !a.is_empty())
        .map(str::to_owned);
    if let (Some(account), Some(Value::Object(creds))) = (account, out.get_mut("Credentials")) {
        creds.insert("AccountId".into(), Value::String(account));
    }
    Some(out)
}

/// botocore's `ResponseMetadata`: request id, status, the response headers (names lowercased,
/// repeated ones joined with `, `), no retries.
fn response_metadata(doc: &Document<'_>, status: u16, headers: &http::HeaderMap) -> Value {
    let mut meta = Map::new();
    if let Some(id) = doc
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == "ResponseMetadata")
        .and_then(|n| text(n, "RequestId"))
    {
        meta.insert("RequestId".into(), Value::String(id));
    }
    meta.insert("HTTPStatusCode".into(), Value::from(status));
    let mut h = Map::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        match h.get_mut(name.as_str()) {
            Some(Value::String(prev)) => {
                prev.push_str(", ");
                prev.push_str(&value);
            }
            _ => {
                h.insert(name.as_str().to_owned(), Value::String(value));
            }
        }
    }
    meta.insert("HTTPHeaders".into(), Value::Object(h));
    meta.insert("RetryAttempts".into(), Value::from(0));
    Value::Object(meta)
}

/// The trimmed text of `node`'s child element `name`, if non-empty.
fn text(node: Node<'_, '_>, name: &str) -> Option<String> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
        .and_then(|n| n.text())
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The credentials in an answer (or a cache entry holding one), `source` naming them.
pub(crate) fn credentials_of(answer: &Value, source: &str) -> Option<AwsCredentials> {
    let c = answer.get("Credentials")?;
    let s = |k: &str| c.get(k).and_then(Value::as_str).filter(|v| !v.is_empty());
    Some(AwsCredentials {
        access_key_id: s("AccessKeyId")?.to_owned(),
        secret_access_key: crate::Secret::new(s("SecretAccessKey")?),
        session_token: Some(crate::Secret::new(s("SessionToken")?)),
        expiration: Some(crate::time::parse_lenient(s("Expiration")?)?),
        source: source.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sts_throttles_faults_and_drops_are_retried_and_nothing_else() {
        use crate::pace::{Classify, Failure};
        let api = |status, code: &str| {
            StsError::Api(AwsError {
                operation: "AssumeRole",
                status,
                code: code.to_owned(),
                message: None,
                request_id: None,
            })
        };
        assert_eq!(api(400, "Throttling").failure(), Failure::Throttle);
        assert_eq!(api(503, "ServiceUnavailable").failure(), Failure::Transient);
        assert_eq!(api(403, "AccessDenied").failure(), Failure::Final);
        let unreachable = StsError::Unreachable {
            endpoint: "http://x".into(),
            reason: "reset".into(),
        };
        assert_eq!(unreachable.failure(), Failure::Transient);
        let bad = |status| StsError::BadResponse {
            endpoint: "http://x".into(),
            status,
            what: "html".into(),
        };
        assert_eq!(bad(502).failure(), Failure::Transient);
        assert_eq!(bad(200).failure(), Failure::Final);
    }

    const OK: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>sekret</SecretAccessKey><SessionToken>tok</SessionToken><Expiration>2026-11-22T09:34:53.827655Z</Expiration></Credentials>
<AssumedRoleUser><AssumedRoleId>AROA:s</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/Admin/s</Arn></AssumedRoleUser><PackedPolicySize>6</PackedPolicySize>
</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>"#;

    #[test]
    fn the_answer_in_botocores_shape() {
        let doc = Document::parse(OK).unwrap();
        let mut d = result_dict(&doc, "AssumeRole").unwrap();
        d.insert(
            "ResponseMetadata".into(),
            response_metadata(&doc, 200, &http::HeaderMap::new()),
        );
        assert_eq!(
            crate::cache::pyjson::dumps(&Value::Object(d.clone())),
            r#"{"Credentials": {"AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "sekret", "SessionToken": "tok", "Expiration": "2026-11-22T09:34:53UTC", "AccountId": "123456789012"}, "AssumedRoleUser": {"AssumedRoleId": "AROA:s", "Arn": "arn:aws:sts::123456789012:assumed-role/Admin/s"}, "PackedPolicySize": 6, "ResponseMetadata": {"RequestId": "r", "HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0}}"#
        );
        let c = credentials_of(&Value::Object(d), "x").unwrap();
        assert_eq!(c.access_key_id, "ASIAEXAMPLE");
        assert_eq!(
            crate::time::format_aws(c.expiration.unwrap()),
            "2026-11-22T09:34:53Z"
        );
    }

    #[test]
    fn reads_error_answer() {
        let body = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>IDPRejectedClaim</Code><Message>Not authorized</Message></Error><RequestId>x</RequestId></ErrorResponse>"#;
        let e = AwsError::parse(
            "AssumeRoleWithSAML",
            403,
            &http::HeaderMap::new(),
            body.as_bytes(),
        )
        .unwrap();
        assert_eq!(e.code, "IDPRejectedClaim");
        assert_eq!(e.request_id.as_deref(), Some("x"));
        assert_eq!(
            e.to_string(),
            "AssumeRoleWithSAML failed with IDPRejectedClaim (HTTP 403): Not authorized"
        );
    }
}

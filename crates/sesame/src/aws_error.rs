//! An AWS error answer, whatever the protocol: the one parser and the one type every client
//! (Identity Center's portal and OIDC, STS, the admin clients, `sesame api`) reads errors into.
//!
//! The code, in botocore's order (`parsers.py`):
//! - query-compatible JSON services: the `x-amzn-query-error: Code;Sender` header;
//! - REST JSON (the portal, OIDC, most JSON services): the `x-amzn-ErrorType: Code:http://...`
//!   header, else the body's `code` / `Code`, else its `__type` (`RestJSONParser`'s
//!   `_inject_error_code` over `BaseJSONParser._do_error_parse`); AWS JSON bodies carry `__type`
//!   only, so the same order reads them;
//! - XML (query protocol, S3, EC2): `<ErrorResponse><Error><Code>`, `<Error><Code>` (S3),
//!   `<Response><Errors><Error>` (EC2);
//! - no body (S3 HEAD): nothing but the status.
//!
//! The message: the body's `message`, `Message`, `errorMessage` or OIDC's `error_description`, or
//! the XML `<Message>`. The request id: `x-amzn-RequestId` / `x-amz-request-id`, else the XML
//! `<RequestId>` (`<RequestID>` in EC2's shape).
//!
//! botocore takes the code before the first `:`, then after the last `#`; so does `clean_code`.

/// An error answer from an AWS API, as botocore would classify it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation} failed with {code} (HTTP {status}){}", message_suffix(.message))]
pub struct AwsError {
    /// The operation called (`CreateToken`, `ListAccounts`, ...).
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The error code (`AuthorizationPendingException`, `UnauthorizedException`, ...).
    pub code: String,
    /// The service's message, if any.
    pub message: Option<String>,
    /// The request id AWS gave the call, if the answer names one.
    pub request_id: Option<String>,
}

/// `: message`, or nothing when there is none (error messages that may carry a service's text).
pub(crate) fn message_suffix(message: &Option<String>) -> String {
    match message {
        Some(m) if !m.is_empty() => format!(": {m}"),
        _ => String::new(),
    }
}

impl AwsError {
    /// Reads an error answer of `operation`; `None` when neither the headers nor the body name
    /// an error code.
    pub fn parse(
        operation: &'static str,
        status: u16,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Option<AwsError> {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let fields = from_json(body)
            .or_else(|| from_xml(body))
            .unwrap_or_default();
        let header_code = header("x-amzn-query-error")
            .map(|v| v.split(';').next().unwrap_or(v).to_owned())
            .or_else(|| header("x-amzn-errortype").map(clean_code));
        let code = header_code.or(fields.code).filter(|c| !c.is_empty())?;
        let request_id = header("x-amzn-requestid")
            .or_else(|| header("x-amz-request-id"))
            .map(str::to_owned)
            .or(fields.request_id);
        Some(AwsError {
            operation,
            status,
            code,
            message: fields.message,
            request_id,
        })
    }

    /// Reads an error answer as [`parse`](Self::parse) does, the status standing in for a code
    /// the answer does not name (botocore's rule for JSON answers).
    pub fn from_answer(
        operation: &'static str,
        status: u16,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> AwsError {
        Self::parse(operation, status, headers, body).unwrap_or_else(|| AwsError {
            operation,
            status,
            code: status.to_string(),
            message: None,
            request_id: None,
        })
    }

    /// Whether the error is a throttle or a server fault worth retrying.
    pub fn is_retryable(&self) -> bool {
        self.status == 429
            || self.status >= 500
            || self.code == "TooManyRequestsException"
            || self.code == "ThrottlingException"
    }
}

/// `Name:http://internal...` and `ns#Name` both mean `Name`: botocore cuts at the first `:`,
/// then keeps what follows the last `#` (`parsers.py`, `_inject_error_code` and
/// `BaseJSONParser._do_error_parse`). Every error code sesame reads goes through here.
pub(crate) fn clean_code(raw: &str) -> String {
    let before_colon = raw.split(':').next().unwrap_or(raw);
    before_colon
        .rsplit('#')
        .next()
        .unwrap_or(before_colon)
        .trim()
        .to_owned()
}

/// What a body says, before the headers have their say.
#[derive(Default)]
struct Fields {
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
}

fn from_json(body: &[u8]) -> Option<Fields> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let obj = v.as_object()?;
    let text = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| obj.get(*k)?.as_str())
            .map(str::to_owned)
    };
    Some(Fields {
        code: text(&["code", "Code", "__type"]).map(|c| clean_code(&c)),
        message: text(&["message", "Message", "errorMessage", "error_description"]),
        request_id: None,
    })
}

fn from_xml(body: &[u8]) -> Option<Fields> {
    let text = std::str::from_utf8(body).ok()?;
    let doc = roxmltree::Document::parse(text).ok()?;
    let child = |node: roxmltree::Node<'_, '_>, name: &str| {
        node.children()
            .find(|c| c.is_element() && c.tag_name().name() == name)
            .and_then(|c| c.text())
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    let error = doc
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == "Error")?;
    let request_id = doc
        .descendants()
        .filter(|n| n.is_element())
        .find_map(|n| child(n, "RequestId").or_else(|| child(n, "RequestID")));
    Some(Fields {
        code: child(error, "Code"),
        message: child(error, "Message"),
        request_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (k, v) in pairs {
            map.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        map
    }

    fn parse(pairs: &[(&str, &str)], body: &str) -> Option<(String, Option<String>)> {
        AwsError::parse("Op", 400, &headers(pairs), body.as_bytes()).map(|e| (e.code, e.message))
    }

    fn is(got: Option<(String, Option<String>)>, code: &str, message: Option<&str>) {
        assert_eq!(got, Some((code.to_owned(), message.map(str::to_owned))));
    }

    #[test]
    fn json_errors() {
        is(
            parse(
                &[],
                r#"{"__type":"com.amazon.coral.validate#ValidationException","message":"bad"}"#,
            ),
            "ValidationException",
            Some("bad"),
        );
        is(
            parse(
                &[],
                r#"{"__type":"ResourceNotFoundException","Message":"nope"}"#,
            ),
            "ResourceNotFoundException",
            Some("nope"),
        );
        is(
            parse(&[], r#"{"code":"AccessDeniedException","message":"no"}"#),
            "AccessDeniedException",
            Some("no"),
        );
        is(
            parse(
                &[(
                    "x-amzn-ErrorType",
                    "UnauthorizedException:http://internal.amazon.com/coral/",
                )],
                r#"{"message":"Session token not found"}"#,
            ),
            "UnauthorizedException",
            Some("Session token not found"),
        );
        is(
            parse(
                &[(
                    "x-amzn-query-error",
                    "AWS.SimpleQueueService.NonExistentQueue;Sender",
                )],
                r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"gone"}"#,
            ),
            "AWS.SimpleQueueService.NonExistentQueue",
            Some("gone"),
        );
    }

    #[test]
    fn rest_json_code_before_type_as_botocore() {
        // RestJSONParser._inject_error_code: `code`/`Code` replace `__type`'s code.
        is(
            parse(&[], r#"{"__type":"ns#Outer","code":"Inner","message":"m"}"#),
            "Inner",
            Some("m"),
        );
    }

    #[test]
    fn oidc_and_portal_errors() {
        // OIDC: the code in the header, the message in `error_description`.
        is(
            parse(
                &[(
                    "x-amzn-ErrorType",
                    "AuthorizationPendingException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/",
                )],
                r#"{"error":"authorization_pending","error_description":"not yet"}"#,
            ),
            "AuthorizationPendingException",
            Some("not yet"),
        );
        // Portal: `__type` with its namespace.
        is(
            parse(
                &[],
                r#"{"__type":"com.amazonaws.switchboard.portal#UnauthorizedException","message":"Session token not found or invalid"}"#,
            ),
            "UnauthorizedException",
            Some("Session token not found or invalid"),
        );
    }

    #[test]
    fn xml_errors() {
        is(
            parse(
                &[],
                r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error><RequestId>1</RequestId></ErrorResponse>"#,
            ),
            "SignatureDoesNotMatch",
            Some("The request signature we calculated does not match"),
        );
        is(
            parse(
                &[],
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a b</Key></Error>",
            ),
            "NoSuchKey",
            Some("The specified key does not exist."),
        );
        is(
            parse(
                &[],
                "<Response><Errors><Error><Code>InvalidInstanceID.NotFound</Code><Message>x</Message></Error></Errors><RequestID>r</RequestID></Response>",
            ),
            "InvalidInstanceID.NotFound",
            Some("x"),
        );
    }

    #[test]
    fn request_ids_from_the_header_or_the_xml() {
        let sts = r#"<ErrorResponse><Error><Code>IDPRejectedClaim</Code></Error><RequestId>x-1</RequestId></ErrorResponse>"#;
        let e = AwsError::parse("AssumeRoleWithSAML", 403, &headers(&[]), sts.as_bytes()).unwrap();
        assert_eq!(e.request_id.as_deref(), Some("x-1"));
        let ec2 = "<Response><Errors><Error><Code>C</Code></Error></Errors><RequestID>r-2</RequestID></Response>";
        let e = AwsError::parse("Op", 400, &headers(&[]), ec2.as_bytes()).unwrap();
        assert_eq!(e.request_id.as_deref(), Some("r-2"));
        let e = AwsError::parse(
            "Op",
            400,
            &headers(&[("x-amzn-RequestId", "h-3")]),
            br#"{"__type":"C"}"#,
        )
        .unwrap();
        assert_eq!(e.request_id.as_deref(), Some("h-3"));
    }

    #[test]
    fn the_status_stands_in_for_a_missing_code() {
        let e = AwsError::from_answer(
            "ListAccounts",
            502,
            &headers(&[]),
            b"<html>bad gateway</html>",
        );
        assert_eq!((e.code.as_str(), e.message.as_deref()), ("502", None));
        assert_eq!(e.to_string(), "ListAccounts failed with 502 (HTTP 502)");
    }

    #[test]
    fn display_names_the_operation_code_status_and_message() {
        let sts = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>IDPRejectedClaim</Code><Message>Not authorized</Message></Error><RequestId>x</RequestId></ErrorResponse>"#;
        let e = AwsError::parse("AssumeRoleWithSAML", 403, &headers(&[]), sts.as_bytes()).unwrap();
        assert_eq!(
            e.to_string(),
            "AssumeRoleWithSAML failed with IDPRejectedClaim (HTTP 403): Not authorized"
        );
    }

    #[test]
    fn error_codes_are_cleaned_like_botocore() {
        assert_eq!(
            clean_code(
                "AuthorizationPendingException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
            ),
            "AuthorizationPendingException"
        );
        assert_eq!(
            clean_code("com.amazonaws.switchboard.portal#UnauthorizedException"),
            "UnauthorizedException"
        );
        assert_eq!(clean_code("aws.protocoltests#Code:http://x/"), "Code");
        // The colon first, as botocore: a `#` in the namespace after it is not the code's.
        assert_eq!(clean_code("Code:http://internal/#fragment"), "Code");
        assert_eq!(clean_code("SlowDownException"), "SlowDownException");
    }

    #[test]
    fn nothing_to_read() {
        assert_eq!(parse(&[], ""), None);
        assert_eq!(parse(&[], "<html>oops</html>"), None);
        assert_eq!(parse(&[], r#"{"ok":true}"#), None);
    }
}

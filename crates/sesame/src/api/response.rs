//! What an AWS error answer says, whatever the protocol: the error code and message.
//!
//! - AWS JSON / REST JSON: `{"__type": "ns#Code", "message": "..."}` (also `code`, `Code`,
//!   `Message`, `errorMessage`), or the `x-amzn-ErrorType: Code:http://...` header;
//! - query-compatible JSON services: the `x-amzn-query-error: Code;Sender` header;
//! - XML (query protocol, S3, EC2): `<ErrorResponse><Error><Code>`, `<Error><Code>` (S3),
//!   `<Response><Errors><Error>` (EC2), with `<Message>`;
//! - no body (S3 HEAD): nothing but the status.
//!
//! botocore takes the code before the first `:`, then after the last `#`; so does `clean_code`.

/// An error answer's code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsError {
    /// The error code (`AccessDenied`, `ValidationException`, ...).
    pub code: String,
    /// The service's message, if any.
    pub message: Option<String>,
}

/// Reads the error code and message from an error response's headers and body; `None` when
/// neither carries one.
pub fn parse_error(headers: &http::HeaderMap, body: &[u8]) -> Option<AwsError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    let (body_code, message) = from_json(body)
        .or_else(|| from_xml(body))
        .unwrap_or_default();
    let header_code = header("x-amzn-query-error")
        .map(|v| v.split(';').next().unwrap_or(v).to_owned())
        .or_else(|| header("x-amzn-errortype").map(clean_code));
    let code = header_code.or(body_code).filter(|c| !c.is_empty())?;
    Some(AwsError { code, message })
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

fn from_json(body: &[u8]) -> Option<(Option<String>, Option<String>)> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let obj = v.as_object()?;
    let text = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| obj.get(*k)?.as_str())
            .map(str::to_owned)
    };
    let code = text(&["__type", "code", "Code"]).map(|c| clean_code(&c));
    Some((code, text(&["message", "Message", "errorMessage"])))
}

fn from_xml(body: &[u8]) -> Option<(Option<String>, Option<String>)> {
    let text = std::str::from_utf8(body).ok()?;
    let doc = roxmltree::Document::parse(text).ok()?;
    let error = doc
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == "Error")?;
    let child = |name: &str| {
        error
            .children()
            .find(|c| c.is_element() && c.tag_name().name() == name)
            .and_then(|c| c.text())
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    Some((child("Code"), child("Message")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(headers: &[(&str, &str)], body: &str) -> Option<(String, Option<String>)> {
        let mut map = http::HeaderMap::new();
        for (k, v) in headers {
            map.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        parse_error(&map, body.as_bytes()).map(|e| (e.code, e.message))
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

//! SigV4 through the official `aws-sigv4` crate: header signing and presigned URLs, with S3's
//! rules where they apply, and (on request) the canonical request and string to sign the crate
//! computed, for `--dry-run` and for the test suite.
//!
//! `aws-sigv4` does not hand out its canonical request; it logs it at trace level. When asked to
//! explain, [`sign`] listens to that one event for the duration of the call (a scoped `tracing`
//! subscriber), and proves the text is what was signed by recomputing the signature from it with
//! the crate's own `generate_signing_key` / `calculate_signature`.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SessionTokenMode, SignableBody, SignableRequest,
    SignatureLocation, SigningSettings, UriPathNormalizationMode,
};
use sha2::{Digest, Sha256};

use super::wire::{WireUrl, encode};
use crate::keys::AwsCredentials;

/// The payload hash SigV4 puts in the canonical request when the body is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The longest a presigned URL may live (SigV4's limit: 7 days).
pub const MAX_PRESIGN_EXPIRY: Duration = Duration::from_secs(7 * 24 * 3600);

/// How the canonical request is formed; S3 differs from every other service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningRules {
    /// Encode the (already encoded) path a second time: every service but S3.
    pub double_encode_path: bool,
    /// Remove `.`/`..` segments and duplicate slashes from the signed path: every service but S3.
    pub normalize_path: bool,
    /// Send and sign `x-amz-content-sha256` with the payload hash: S3.
    pub content_sha256_header: bool,
    /// Sign `x-amz-security-token` (true for every service; false only reproduces the test
    /// suite's `post-sts-header-after`, where the token is added after signing).
    pub sign_session_token: bool,
}

impl SigningRules {
    /// The rules for a signing name: S3's (`disableDoubleEncoding`, `disableNormalizePath`, the
    /// content hash header, as botocore's `S3SigV4Auth`) for `s3`, the standard ones otherwise.
    pub fn for_service(service: &str) -> Self {
        let s3 = service == "s3";
        Self {
            double_encode_path: !s3,
            normalize_path: !s3,
            content_sha256_header: s3,
            sign_session_token: true,
        }
    }
}

/// What the canonical request's last line says about the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadHash<'a> {
    /// Hash these bytes.
    Bytes(&'a [u8]),
    /// A hex SHA-256 computed elsewhere (a file hashed while streaming).
    Precomputed(String),
    /// `UNSIGNED-PAYLOAD`.
    Unsigned,
}

impl PayloadHash<'_> {
    /// The hex string that ends the canonical request.
    pub fn hex(&self) -> String {
        match self {
            PayloadHash::Bytes(b) => hex::encode(Sha256::digest(b)),
            PayloadHash::Precomputed(h) => h.clone(),
            PayloadHash::Unsigned => UNSIGNED_PAYLOAD.to_owned(),
        }
    }
}

/// One request to sign: method, wire URL, the headers to sign (never `authorization`,
/// `x-amz-date`, `x-amz-security-token` or `x-amz-content-sha256`: the signer adds those).
#[derive(Debug, Clone)]
pub struct SignInput<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The URL exactly as it goes out.
    pub url: &'a WireUrl,
    /// Headers to sign, in order (repeated names are joined with `,`).
    pub headers: &'a [(String, String)],
    /// The payload hash.
    pub payload: PayloadHash<'a>,
    /// The signing name.
    pub service: &'a str,
    /// The signing region.
    pub region: &'a str,
    /// The signing time.
    pub time: SystemTime,
    /// Canonical-request rules.
    pub rules: SigningRules,
}

/// What signing gives back: the headers or query parameters to add, and the signature.
#[derive(Debug, Clone)]
pub struct Signed {
    /// Headers to add to the request (`authorization`, `x-amz-date`, ...). The session token
    /// header carries a secret: print it only through [`Signed::display_headers`].
    pub headers: Vec<(String, String)>,
    /// For a presigned URL: the URL with the signature in its query.
    pub url: Option<WireUrl>,
    /// The hex signature.
    pub signature: String,
    /// The canonical request and string to sign, when asked for.
    pub explanation: Option<Explanation>,
}

impl Signed {
    /// The added headers as they may be shown: the session token redacted.
    pub fn display_headers(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(k, v)| {
                let v = if k.eq_ignore_ascii_case("x-amz-security-token") {
                    "<redacted>".to_owned()
                } else {
                    v.clone()
                };
                (k.clone(), v)
            })
            .collect()
    }
}

/// The two texts SigV4 hashes, as `aws-sigv4` built them.
#[derive(Clone)]
pub struct Explanation {
    exact: String,
    shown: String,
    /// The string to sign (holds only hashes, dates and the scope: nothing secret).
    pub string_to_sign: String,
}

impl std::fmt::Debug for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Explanation")
            .field("canonical_request", &self.shown)
            .field("string_to_sign", &self.string_to_sign)
            .finish()
    }
}

impl Explanation {
    /// The canonical request with secrets (the session token, cookies, SSE-C keys) replaced by
    /// `<redacted>`: the one to print.
    pub fn canonical_request(&self) -> &str {
        &self.shown
    }

    /// The canonical request exactly as hashed, secrets included: for tests, never for output.
    pub fn canonical_request_unredacted(&self) -> &str {
        &self.exact
    }
}

/// Why a request could not be signed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// `aws-sigv4` refused the request (a header value it cannot sign, ...).
    #[error("cannot sign the request: {0}")]
    Signer(String),
    /// A presigned URL's lifetime is out of SigV4's range.
    #[error("a presigned URL lives 1 second to 7 days (604800 seconds), not {0} seconds")]
    Expiry(u64),
    /// The canonical request seen in the signer's trace does not reproduce its signature (a
    /// change in `aws-sigv4`): an internal error, never a wrong explanation.
    #[error(
        "cannot explain the signature: the canonical request aws-sigv4 logged does not reproduce it"
    )]
    Explain,
}

/// Signs `input` in its headers; with `explain`, also returns the canonical request and string
/// to sign.
pub fn sign(
    input: &SignInput<'_>,
    creds: &AwsCredentials,
    explain: bool,
) -> Result<Signed, SignError> {
    run(input, creds, None, explain)
}

/// Presigns `input` for `expires` (1 s to 7 days): the signature goes in the URL's query.
pub fn presign(
    input: &SignInput<'_>,
    creds: &AwsCredentials,
    expires: Duration,
    explain: bool,
) -> Result<Signed, SignError> {
    if expires.is_zero() || expires > MAX_PRESIGN_EXPIRY {
        return Err(SignError::Expiry(expires.as_secs()));
    }
    run(input, creds, Some(expires), explain)
}

fn settings(rules: SigningRules, presign: Option<Duration>) -> SigningSettings {
    let mut s = SigningSettings::default();
    s.percent_encoding_mode = if rules.double_encode_path {
        PercentEncodingMode::Double
    } else {
        PercentEncodingMode::Single
    };
    s.uri_path_normalization_mode = if rules.normalize_path {
        UriPathNormalizationMode::Enabled
    } else {
        UriPathNormalizationMode::Disabled
    };
    s.payload_checksum_kind = if rules.content_sha256_header {
        PayloadChecksumKind::XAmzSha256
    } else {
        PayloadChecksumKind::NoHeader
    };
    s.session_token_mode = if rules.sign_session_token {
        SessionTokenMode::Include
    } else {
        SessionTokenMode::Exclude
    };
    if let Some(e) = presign {
        s.signature_location = SignatureLocation::QueryParams;
        s.expires_in = Some(e);
    }
    s
}

fn run(
    input: &SignInput<'_>,
    creds: &AwsCredentials,
    presign: Option<Duration>,
    explain: bool,
) -> Result<Signed, SignError> {
    let identity = creds.to_identity();
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(input.region)
        .name(input.service)
        .time(input.time)
        .settings(settings(input.rules, presign))
        .build()
        .map_err(|e| SignError::Signer(e.to_string()))?
        .into();
    let url = input.url.as_string();
    let body = match &input.payload {
        PayloadHash::Bytes(b) => SignableBody::Bytes(b),
        PayloadHash::Precomputed(h) => SignableBody::Precomputed(h.clone()),
        PayloadHash::Unsigned => SignableBody::UnsignedPayload,
    };
    let request = SignableRequest::new(
        input.method,
        Cow::Owned(url),
        input.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        body,
    )
    .map_err(|e| SignError::Signer(crate::one_line(&e)))?;
    let sign = || aws_sigv4::http_request::sign(request, &params);
    let (output, trace) = if explain {
        let trace = Arc::new(Mutex::new(Trace::default()));
        let out = tracing::subscriber::with_default(TraceCapture(trace.clone()), sign);
        let trace = trace.lock().map(|t| t.clone()).unwrap_or_default();
        (out, Some(trace))
    } else {
        (sign(), None)
    };
    let (instructions, signature) = output
        .map_err(|e| SignError::Signer(crate::one_line(&e)))?
        .into_parts();
    let (headers, params) = instructions.into_parts();
    let headers: Vec<(String, String)> = headers
        .into_iter()
        .map(|h| (h.name().to_owned(), h.value().to_owned()))
        .collect();
    let url = presign.map(|_| {
        let mut u = input.url.clone();
        u.append_query(params.iter().map(|(k, v)| (*k, v.as_ref())));
        u
    });
    let explanation = match trace {
        Some(t) => Some(explain_from(
            t,
            input,
            creds,
            presign.is_some(),
            &signature,
        )?),
        None => None,
    };
    Ok(Signed {
        headers,
        url,
        signature,
        explanation,
    })
}

/// Rebuilds the exact canonical request from the redacted one `aws-sigv4` logged, derives the
/// string to sign (header signing logs none) and checks both against the signature.
fn explain_from(
    trace: Trace,
    input: &SignInput<'_>,
    creds: &AwsCredentials,
    presigned: bool,
    signature: &str,
) -> Result<Explanation, SignError> {
    let logged = trace.canonical_request.ok_or(SignError::Explain)?;
    let token = creds.session_token.as_ref().map(|t| t.expose().to_owned());
    let mut exact = Vec::new();
    let mut redacted = Vec::new();
    for line in logged.split('\n') {
        match line.split_once(':') {
            Some((name, value)) if value.starts_with("** redacted") => {
                let real = if name == "x-amz-security-token" {
                    token.clone().unwrap_or_default()
                } else {
                    canonical_value(input.headers, name)
                };
                exact.push(format!("{name}:{real}"));
                redacted.push(format!("{name}:<redacted>"));
            }
            _ => {
                exact.push(line.to_owned());
                // A presigned canonical request carries the token in its query.
                let shown = match &token {
                    Some(t) if !t.is_empty() => line.replace(&encode(t), "<redacted>"),
                    _ => line.to_owned(),
                };
                redacted.push(shown);
            }
        }
    }
    let canonical_request = exact.join("\n");
    let time = input.time;
    let amz_date = jiff::Timestamp::try_from(time)
        .map(|t| t.strftime("%Y%m%dT%H%M%SZ").to_string())
        .map_err(|_| SignError::Explain)?;
    let scope = format!(
        "{}/{}/{}/aws4_request",
        &amz_date[..8],
        input.region,
        input.service
    );
    let hashed = hex::encode(Sha256::digest(canonical_request.as_bytes()));
    let string_to_sign = format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{hashed}");
    if presigned && trace.string_to_sign.as_deref() != Some(string_to_sign.as_str()) {
        return Err(SignError::Explain);
    }
    let key = aws_sigv4::sign::v4::generate_signing_key(
        creds.secret_access_key.expose(),
        time,
        input.region,
        input.service,
    );
    if aws_sigv4::sign::v4::calculate_signature(key, string_to_sign.as_bytes()) != signature {
        return Err(SignError::Explain);
    }
    Ok(Explanation {
        exact: canonical_request,
        shown: redacted.join("\n"),
        string_to_sign,
    })
}

/// A header's canonical value: each value trimmed of spaces, runs of spaces collapsed, repeated
/// headers joined with `,` (what `aws-sigv4` signs, restored where its log redacts it).
fn canonical_value(headers: &[(String, String)], name: &str) -> String {
    headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| {
            v.split(' ')
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The two fields `aws-sigv4` logs while signing.
#[derive(Debug, Clone, Default)]
struct Trace {
    canonical_request: Option<String>,
    string_to_sign: Option<String>,
}

/// A `tracing` subscriber that records `aws-sigv4`'s canonical request (and, when presigning,
/// string to sign) events and nothing else.
struct TraceCapture(Arc<Mutex<Trace>>);

impl tracing::Subscriber for TraceCapture {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target().starts_with("aws_sigv4")
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if let Ok(mut t) = self.0.lock() {
            event.record(&mut *t);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

impl tracing::field::Visit for Trace {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "canonical_request" => self.canonical_request = Some(format!("{value:?}")),
            "string_to_sign" => self.string_to_sign = Some(format!("{value:?}")),
            _ => {}
        }
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.record_debug(field, &format_args!("{value}"));
    }
}

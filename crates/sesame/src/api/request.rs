//! From what a user typed (URL, method, headers, body, protocol shortcuts) to a request ready to
//! sign: [`ApiRequest::prepare`] gives a [`PreparedRequest`], which signs ([`PreparedRequest::sign`],
//! [`PreparedRequest::presign`]) and sends ([`PreparedRequest::send`]) as often as needed (one
//! preparation, many accounts for `sesame run --api`).

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

use super::RequestError;
use super::infer;
use super::sign::{self, PayloadHash, SignInput, Signed, SigningRules};
use super::wire::{WireUrl, encode};
use crate::keys::AwsCredentials;

/// Where the body comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum BodySource {
    /// No body.
    #[default]
    Empty,
    /// These bytes (`-d DATA`).
    Bytes(Vec<u8>),
    /// A file, streamed when sent and hashed by streaming (`-d @FILE`).
    File(PathBuf),
    /// Standard input, read whole (`-d @-`).
    Stdin,
}

/// The AWS JSON protocol version of `--target`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum JsonVersion {
    /// `application/x-amz-json-1.0` (DynamoDB, ...).
    V1_0,
    /// `application/x-amz-json-1.1` (most JSON services).
    #[default]
    V1_1,
}

/// A call as the user describes it.
#[derive(Debug, Clone, Default)]
pub struct ApiRequest {
    /// The URL, raw or encoded.
    pub url: String,
    /// `-X`; by default POST when there is a body, a target or params, else GET.
    pub method: Option<String>,
    /// `-H` headers, in order.
    pub headers: Vec<(String, String)>,
    /// `-d`.
    pub body: BodySource,
    /// `--target Prefix.Operation`: AWS JSON (`X-Amz-Target`, the JSON content type, POST).
    pub target: Option<String>,
    /// The JSON version for `--target`.
    pub json_version: JsonVersion,
    /// `--param K=V`: a form-encoded query-protocol body (in the URL for GET).
    pub params: Vec<(String, String)>,
    /// `--service`: the signing name, overriding the host's.
    pub service: Option<String>,
    /// `--region`: the signing region, overriding the host's.
    pub region: Option<String>,
    /// The region to use when neither `--region` nor the host gives one (environment, profile).
    pub fallback_region: Option<String>,
    /// `--unsigned-payload`: sign `UNSIGNED-PAYLOAD` instead of the body's hash.
    pub unsigned_payload: bool,
    /// `--presign`: the request becomes a URL, so `--param`s go into its query, as botocore's
    /// `generate_presigned_url` puts a query API's parameters there (`SigV4QueryAuth` moves the
    /// form body into the query), and the method is GET, the one a URL is opened with, unless
    /// `-X` says otherwise. A presigned URL carries no body: the caller refuses `-d`.
    pub presign: bool,
}

/// The body as it will be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Nothing.
    Empty,
    /// In memory (shared, not copied, when one request goes to many targets).
    Bytes(bytes::Bytes),
    /// A file, streamed; its SHA-256 when the payload is signed.
    File {
        /// The file.
        path: PathBuf,
        /// Its length (sent as `Content-Length`).
        len: u64,
        /// Its hex SHA-256 (`None` with `--unsigned-payload`).
        sha256: Option<String>,
    },
    /// Standard input too large to hold, spooled to an unnamed temp file as it was read.
    Spooled {
        /// The temp file (read from its start at each use).
        file: Spool,
        /// Its length (sent as `Content-Length`).
        len: u64,
        /// Its hex SHA-256 (`None` with `--unsigned-payload`).
        sha256: Option<String>,
    },
}

/// Standard input bodies up to this size stay in memory; larger ones go to a [`Spool`].
const STDIN_IN_MEMORY: usize = 1024 * 1024;

/// An unnamed temp file holding a body read from standard input: created 0600 by
/// `tempfile::tempfile` (`O_TMPFILE` on Linux), so it has no name to leave behind, even when the
/// process is killed. Shared, not copied, by clones of a request; uses read it from the start one
/// at a time (the file offset is shared).
#[derive(Debug, Clone)]
pub struct Spool(Arc<std::fs::File>);

impl PartialEq for Spool {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Spool {}

impl Spool {
    /// A handle on the file, at its start.
    fn reader(&self) -> std::io::Result<std::fs::File> {
        let mut file = self.0.try_clone()?;
        file.seek(SeekFrom::Start(0))?;
        Ok(file)
    }
}

impl Body {
    /// How many bytes go out.
    pub fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Bytes(b) => b.len() as u64,
            Body::File { len, .. } | Body::Spooled { len, .. } => *len,
        }
    }

    /// Whether there is nothing to send.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A request ready to sign: final method, URL, headers to sign, body, signing name and region.
#[derive(Debug, Clone)]
pub struct PreparedRequest {
    /// The method.
    pub method: String,
    /// The URL as it goes out.
    pub url: WireUrl,
    /// The headers sent and signed (content type, target, the user's).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
    /// The signing name.
    pub service: String,
    /// The signing region.
    pub region: String,
    /// The canonical-request rules for the service.
    pub rules: SigningRules,
    /// Whether the payload is left unsigned.
    pub unsigned_payload: bool,
}

/// Headers the signer owns; a user setting them would sign something else than is sent.
const SIGNER_HEADERS: [&str; 4] = [
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
];

/// Splits a curl-style header: `Name: value`, or `Name;` for an empty value.
pub fn parse_header(line: &str) -> Result<(String, String), RequestError> {
    let bad = || RequestError::BadHeader(line.to_owned());
    let (name, value) = match line.split_once(':') {
        Some((n, v)) => (n.trim(), v.trim()),
        None => match line.strip_suffix(';') {
            Some(n) => (n.trim(), ""),
            None => return Err(bad()),
        },
    };
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
        return Err(bad());
    }
    if http::HeaderValue::from_str(value).is_err() {
        return Err(bad());
    }
    Ok((name.to_owned(), value.to_owned()))
}

impl ApiRequest {
    /// Checks and completes the request: URL encoding, protocol headers, method, body (a file is
    /// hashed here, by streaming), and the signing name and region.
    pub fn prepare(&self) -> Result<PreparedRequest, RequestError> {
        let mut url = WireUrl::parse(&self.url)?;
        url.resolve_dot_segments();
        let inferred = infer::infer(url.host_name());
        let service =
            self.service
                .clone()
                .or(inferred.service)
                .ok_or_else(|| RequestError::NoService {
                    host: url.host_name().to_owned(),
                })?;
        let region = self
            .region
            .clone()
            .or(inferred.region)
            .or_else(|| self.fallback_region.clone())
            .ok_or_else(|| RequestError::NoRegion {
                host: url.host_name().to_owned(),
            })?;
        for bad in [&service, &region] {
            if bad.is_empty()
                || !bad
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
            {
                return Err(RequestError::BadScope(bad.clone()));
            }
        }
        let mut headers: Vec<(String, String)> = Vec::new();
        for (name, value) in &self.headers {
            if SIGNER_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)) {
                return Err(RequestError::SignerHeader(name.clone()));
            }
            headers.push((name.clone(), value.clone()));
        }
        let mut body = match &self.body {
            BodySource::Empty => Body::Empty,
            BodySource::Bytes(b) => Body::Bytes(b.clone().into()),
            BodySource::Stdin => stdin_body(&mut std::io::stdin().lock(), !self.unsigned_payload)
                .map_err(|e| RequestError::Body {
                what: "standard input".to_owned(),
                source: e,
            })?,
            BodySource::File(path) => file_body(path, !self.unsigned_payload)?,
        };
        let params_in_query = self.presign
            || self
                .method
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case("GET"));
        let mut content_type: Option<&str> = None;
        if !self.params.is_empty() {
            let pairs = self.params.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            if params_in_query {
                url.append_query(pairs);
            } else {
                if !body.is_empty() {
                    return Err(RequestError::ParamsAndBody);
                }
                let form: Vec<String> = pairs
                    .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
                    .collect();
                body = Body::Bytes(form.join("&").into_bytes().into());
                content_type = Some("application/x-www-form-urlencoded; charset=utf-8");
            }
        }
        if let Some(target) = &self.target {
            if !target.contains('.') {
                return Err(RequestError::BadTarget(target.clone()));
            }
            headers.push(("X-Amz-Target".to_owned(), target.clone()));
            content_type = Some(match self.json_version {
                JsonVersion::V1_0 => "application/x-amz-json-1.0",
                JsonVersion::V1_1 => "application/x-amz-json-1.1",
            });
            if body.is_empty() {
                body = Body::Bytes(bytes::Bytes::from_static(b"{}"));
            }
        }
        // One rule for every `-d` source (inline, @file, @-), as curl has: a form, or the JSON
        // type for a JSON document. None for S3, which would store it as the object's type.
        if content_type.is_none()
            && self.body != BodySource::Empty
            && !body.is_empty()
            && !service.eq_ignore_ascii_case("s3")
        {
            let json = matches!(first_non_space(&body)?, Some(b'{' | b'['));
            content_type = Some(if json {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            });
        }
        let has_type = headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
        if let (Some(ct), false) = (content_type, has_type) {
            headers.insert(0, ("Content-Type".to_owned(), ct.to_owned()));
        }
        let method = match &self.method {
            Some(m) => {
                let upper = m.to_ascii_uppercase();
                if http::Method::from_bytes(upper.as_bytes()).is_err() || upper.is_empty() {
                    return Err(RequestError::BadMethod(m.clone()));
                }
                upper
            }
            None if self.presign => "GET".to_owned(),
            None if !body.is_empty() || self.target.is_some() || !self.params.is_empty() => {
                "POST".to_owned()
            }
            None => "GET".to_owned(),
        };
        let rules = SigningRules::for_service(&service);
        Ok(PreparedRequest {
            method,
            url,
            headers,
            body,
            service,
            region,
            rules,
            unsigned_payload: self.unsigned_payload,
        })
    }
}

/// The body's first byte that is not ASCII white space (a file's is read from its start).
fn first_non_space(body: &Body) -> Result<Option<u8>, RequestError> {
    match body {
        Body::Empty => Ok(None),
        Body::Bytes(b) => Ok(b.iter().copied().find(|c| !c.is_ascii_whitespace())),
        Body::File { path, .. } => {
            let err = |e: std::io::Error| RequestError::Body {
                what: path.display().to_string(),
                source: e,
            };
            let mut file = std::fs::File::open(path).map_err(err)?;
            let mut buf = [0u8; 8192];
            loop {
                let n = file.read(&mut buf).map_err(err)?;
                if n == 0 {
                    return Ok(None);
                }
                if let Some(c) = buf[..n].iter().copied().find(|c| !c.is_ascii_whitespace()) {
                    return Ok(Some(c));
                }
            }
        }
        Body::Spooled { file, .. } => {
            let err = |e: std::io::Error| RequestError::Body {
                what: "standard input".to_owned(),
                source: e,
            };
            let mut file = file.reader().map_err(err)?;
            let mut buf = [0u8; 8192];
            loop {
                let n = file.read(&mut buf).map_err(err)?;
                if n == 0 {
                    return Ok(None);
                }
                if let Some(c) = buf[..n].iter().copied().find(|c| !c.is_ascii_whitespace()) {
                    return Ok(Some(c));
                }
            }
        }
    }
}

/// A body read from `input` (standard input): in memory up to [`STDIN_IN_MEMORY`], beyond that
/// streamed into a [`Spool`] in 64 KiB reads and hashed on the way, so memory stays flat
/// whatever the size (`sesame api -d @- < 10GiB.bin`).
fn stdin_body(input: &mut impl Read, hash: bool) -> std::io::Result<Body> {
    let mut head = Vec::new();
    input
        .by_ref()
        .take(STDIN_IN_MEMORY as u64 + 1)
        .read_to_end(&mut head)?;
    if head.len() <= STDIN_IN_MEMORY {
        return Ok(Body::Bytes(head.into()));
    }
    let mut file = tempfile::tempfile()?;
    let mut hasher = hash.then(Sha256::new);
    let mut len = 0u64;
    let mut chunk = head;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        if let Some(h) = hasher.as_mut() {
            h.update(&chunk);
        }
        file.write_all(&chunk)?;
        len += chunk.len() as u64;
        let n = loop {
            match input.read(&mut buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                other => break other?,
            }
        };
        if n == 0 {
            break;
        }
        chunk.clear();
        chunk.extend_from_slice(&buf[..n]);
    }
    file.flush()?;
    Ok(Body::Spooled {
        file: Spool(Arc::new(file)),
        len,
        sha256: hasher.map(|h| hex::encode(h.finalize())),
    })
}

/// A file body: its length, and its SHA-256 computed in 64 KiB reads (never loaded whole).
fn file_body(path: &std::path::Path, hash: bool) -> Result<Body, RequestError> {
    let err = |e: std::io::Error| RequestError::Body {
        what: path.display().to_string(),
        source: e,
    };
    let mut file = std::fs::File::open(path).map_err(err)?;
    let meta = file.metadata().map_err(err)?;
    if !meta.is_file() {
        return Err(err(std::io::Error::other("not a regular file")));
    }
    let sha256 = if hash {
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = file.read(&mut buf).map_err(err)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Some(hex::encode(hasher.finalize()))
    } else {
        None
    };
    Ok(Body::File {
        path: path.to_owned(),
        len: meta.len(),
        sha256,
    })
}

impl PreparedRequest {
    fn input(&self, time: SystemTime, presign: bool) -> SignInput<'_> {
        let payload = match &self.body {
            // A presigned URL carries no body hash (botocore's `SigV4QueryAuth`).
            _ if presign || self.unsigned_payload => PayloadHash::Unsigned,
            Body::Empty => PayloadHash::Bytes(&[]),
            Body::Bytes(b) => PayloadHash::Bytes(b),
            Body::File {
                sha256: Some(h), ..
            }
            | Body::Spooled {
                sha256: Some(h), ..
            } => PayloadHash::Precomputed(h.clone()),
            Body::File { sha256: None, .. } | Body::Spooled { sha256: None, .. } => {
                PayloadHash::Unsigned
            }
        };
        SignInput {
            method: &self.method,
            url: &self.url,
            headers: &self.headers,
            payload,
            service: &self.service,
            region: &self.region,
            time,
            rules: self.rules,
        }
    }

    /// Signs the request at `time` with `creds` (headers); `explain` keeps the canonical request
    /// and string to sign.
    pub fn sign(
        &self,
        creds: &AwsCredentials,
        time: SystemTime,
        explain: bool,
    ) -> Result<Signed, RequestError> {
        Ok(sign::sign(&self.input(time, false), creds, explain)?)
    }

    /// A presigned URL valid for `expires` from `time`.
    pub fn presign(
        &self,
        creds: &AwsCredentials,
        time: SystemTime,
        expires: Duration,
        explain: bool,
    ) -> Result<Signed, RequestError> {
        Ok(sign::presign(
            &self.input(time, true),
            creds,
            expires,
            explain,
        )?)
    }

    /// Reads a file body into memory, once, so that every send of this request carries the same
    /// bytes (`sesame run --api` sends one body to many targets). The file must still be what
    /// [`ApiRequest::prepare`] measured and hashed; a file that changed in between is an error.
    pub fn load_body(&mut self) -> Result<(), RequestError> {
        if let Body::Spooled { file, .. } = &self.body {
            let mut bytes = Vec::new();
            file.reader()
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .map_err(|e| RequestError::Body {
                    what: "standard input".to_owned(),
                    source: e,
                })?;
            self.body = Body::Bytes(bytes.into());
            return Ok(());
        }
        let Body::File { path, len, sha256 } = &self.body else {
            return Ok(());
        };
        let err = |e: std::io::Error| RequestError::Body {
            what: path.display().to_string(),
            source: e,
        };
        let bytes = std::fs::read(path).map_err(err)?;
        let same = bytes.len() as u64 == *len
            && sha256
                .as_ref()
                .is_none_or(|h| *h == hex::encode(Sha256::digest(&bytes)));
        if !same {
            return Err(err(std::io::Error::other(
                "the file changed while it was read",
            )));
        }
        self.body = Body::Bytes(bytes.into());
        Ok(())
    }

    /// Sends the signed request (a file body streamed from disk).
    pub async fn send(
        &self,
        client: &reqwest::Client,
        signed: &Signed,
    ) -> Result<reqwest::Response, RequestError> {
        let url = self.url.as_string();
        let unreachable = |e: reqwest::Error| RequestError::Unreachable {
            url: url.clone(),
            reason: super::send_error(&e),
        };
        let method = reqwest::Method::from_bytes(self.method.as_bytes())
            .map_err(|_| RequestError::BadMethod(self.method.clone()))?;
        let mut rb = client.request(method, url.as_str());
        for (k, v) in self.headers.iter().chain(&signed.headers) {
            rb = rb.header(k.as_str(), v.as_str());
        }
        rb = match &self.body {
            Body::Empty if self.method == "GET" || self.method == "HEAD" => rb,
            Body::Empty => rb.body(Vec::new()),
            Body::Bytes(b) => rb.body(b.clone()),
            Body::File { path, len, .. } => {
                let file = tokio::fs::File::open(path)
                    .await
                    .map_err(|e| RequestError::Body {
                        what: path.display().to_string(),
                        source: e,
                    })?;
                rb.header(reqwest::header::CONTENT_LENGTH, *len)
                    .body(reqwest::Body::from(file))
            }
            Body::Spooled { file, len, .. } => {
                let file = file.reader().map_err(|e| RequestError::Body {
                    what: "standard input".to_owned(),
                    source: e,
                })?;
                rb.header(reqwest::header::CONTENT_LENGTH, *len)
                    .body(reqwest::Body::from(tokio::fs::File::from_std(file)))
            }
        };
        rb.send().await.map_err(unreachable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_stdin_body_stays_in_memory() {
        let body = stdin_body(&mut &b"{\"a\": 1}"[..], true).unwrap();
        assert_eq!(body, Body::Bytes(bytes::Bytes::from_static(b"{\"a\": 1}")));
    }

    #[test]
    fn a_large_stdin_body_is_spooled_and_hashed() {
        let data: Vec<u8> = (0..3 * STDIN_IN_MEMORY + 17)
            .map(|i| (i % 251) as u8)
            .collect();
        let body = stdin_body(&mut &data[..], true).unwrap();
        let Body::Spooled { file, len, sha256 } = &body else {
            panic!("not spooled: {body:?}");
        };
        assert_eq!(*len, data.len() as u64);
        assert_eq!(
            sha256.as_deref(),
            Some(hex::encode(Sha256::digest(&data)).as_str())
        );
        // Read twice from the start: each use sees the whole body.
        for _ in 0..2 {
            let mut back = Vec::new();
            file.reader().unwrap().read_to_end(&mut back).unwrap();
            assert_eq!(back, data);
        }
        let unsigned = stdin_body(&mut &data[..], false).unwrap();
        assert!(
            matches!(unsigned, Body::Spooled { sha256: None, len, .. } if len == data.len() as u64)
        );
    }
}

//! The official SigV4 test suite (aws-c-auth's `v4/`, copied under `tests/data/sigv4-test-suite`)
//! through sesame's signing path: every case, header signing and presigning, compared on the
//! canonical request, the string to sign, the signature and the signed request.
//!
//! Each `request.txt` goes through the same steps as a `sesame api` URL: [`WireUrl::parse`]
//! (sesame's one encoding of path and query), then [`sign::sign`] / [`sign::presign`] with the
//! rules `context.json` asks for (`normalize`, `sign_body` → the `x-amz-content-sha256` header,
//! `omit_session_token` → the token added after signing). Two notes:
//!
//! - The suite's paths are raw (`/example space/`, `/ሴ`) and expected canonically encoded once
//!   (`/example%20space/`, `/%E1%88%B4`). sesame puts them on the wire encoded once, so the
//!   suite's expectation is the signer's single-encoding mode relative to the wire; every case
//!   runs in it (for paths without `%` on the wire, which is all others, double and single
//!   encoding give the same bytes, which is checked too).
//! - The `*-unnormalized` cases sign dot segments as given. `sesame api` itself resolves dot
//!   segments before sending, as curl does ([`WireUrl::resolve_dot_segments`]), so it never
//!   sends such a path; the signer's handling of them is what the cases check.
//!
//! Presigned requests here hash the body as the suite expects; `sesame api --presign` signs
//! `UNSIGNED-PAYLOAD`, as botocore's presigner does.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::sign::{self, PayloadHash, SignInput, SigningRules};
use super::wire::WireUrl;
use crate::keys::AwsCredentials;
use crate::secret::Secret;

fn suite_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sigv4-test-suite/v4")
}

struct Case {
    name: String,
    dir: PathBuf,
    context: serde_json::Value,
    method: String,
    url: WireUrl,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Case {
    fn load(dir: &Path) -> Case {
        let read = |f: &str| {
            std::fs::read_to_string(dir.join(f))
                .unwrap_or_else(|e| panic!("{}/{f}: {e}", dir.display()))
        };
        let context: serde_json::Value = serde_json::from_str(&read("context.json")).unwrap();
        let raw = read("request.txt").replace('\r', "");
        let (head, body) = raw.split_once("\n\n").unwrap_or((raw.as_str(), ""));
        let mut lines = head.lines();
        let request_line = lines.next().unwrap();
        let (method, rest) = request_line.split_once(' ').unwrap();
        let target = rest.strip_suffix(" HTTP/1.1").unwrap();
        let mut headers: Vec<(String, String)> = Vec::new();
        let mut host = String::new();
        for line in lines {
            if line.starts_with([' ', '\t']) {
                // An obsolete folded line continues the previous header's value.
                let last = headers.last_mut().expect("a folded line follows a header");
                last.1 = format!("{} {}", last.1, line.trim());
                continue;
            }
            let (name, value) = line.split_once(':').unwrap();
            if name.eq_ignore_ascii_case("host") {
                host = value.trim().to_owned();
            } else {
                headers.push((name.to_owned(), value.trim().to_owned()));
            }
        }
        let url = WireUrl::parse(&format!("https://{host}{target}")).unwrap();
        Case {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            dir: dir.to_owned(),
            context,
            method: method.to_owned(),
            url,
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    fn expected(&self, file: &str) -> String {
        std::fs::read_to_string(self.dir.join(file))
            .unwrap()
            .replace('\r', "")
    }

    fn credentials(&self) -> AwsCredentials {
        let c = &self.context["credentials"];
        AwsCredentials {
            access_key_id: c["access_key_id"].as_str().unwrap().to_owned(),
            secret_access_key: Secret::new(c["secret_access_key"].as_str().unwrap()),
            session_token: c["token"].as_str().map(Secret::new),
            expiration: None,
            source: "the test suite".to_owned(),
        }
    }

    fn input(&self, double_encode_path: bool) -> SignInput<'_> {
        let flag = |k: &str| self.context[k].as_bool().unwrap_or(false);
        let time: jiff::Timestamp = self.context["timestamp"].as_str().unwrap().parse().unwrap();
        SignInput {
            method: &self.method,
            url: &self.url,
            headers: &self.headers,
            payload: PayloadHash::Bytes(&self.body),
            service: self.context["service"].as_str().unwrap(),
            region: self.context["region"].as_str().unwrap(),
            time: time.into(),
            rules: SigningRules {
                double_encode_path,
                normalize_path: flag("normalize"),
                content_sha256_header: flag("sign_body"),
                sign_session_token: !flag("omit_session_token"),
            },
        }
    }

    fn expires(&self) -> Duration {
        Duration::from_secs(self.context["expiration_in_seconds"].as_u64().unwrap())
    }
}

fn cases() -> Vec<Case> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(suite_dir())
        .expect("the SigV4 suite is in tests/data")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.iter().map(|d| Case::load(d)).collect()
}

/// The query of a signed request line, as a set of pairs (the suite and the signer order the
/// signature parameters differently; the set is what matters).
fn query_set(query: &str) -> BTreeSet<String> {
    query.split('&').map(str::to_owned).collect()
}

#[test]
fn the_suite_is_complete() {
    let cases = cases();
    assert_eq!(cases.len(), 38, "aws-c-auth's v4 suite has 38 cases");
    for c in &cases {
        for f in [
            "header-canonical-request.txt",
            "header-string-to-sign.txt",
            "header-signature.txt",
            "query-canonical-request.txt",
            "query-string-to-sign.txt",
            "query-signature.txt",
        ] {
            assert!(c.dir.join(f).is_file(), "{}: {f}", c.name);
        }
    }
}

#[test]
fn every_case_signed_in_headers() {
    let mut failures = Vec::new();
    for case in cases() {
        let creds = case.credentials();
        let signed = sign::sign(&case.input(false), &creds, true)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let ex = signed.explanation.as_ref().unwrap();
        let mut check = |what: &str, got: &str, want: String| {
            if got != want {
                failures.push(format!(
                    "{} ({what}):\n  got:  {got:?}\n  want: {want:?}",
                    case.name
                ));
            }
        };
        check(
            "canonical request",
            ex.canonical_request_unredacted(),
            case.expected("header-canonical-request.txt"),
        );
        check(
            "string to sign",
            &ex.string_to_sign,
            case.expected("header-string-to-sign.txt"),
        );
        check(
            "signature",
            &signed.signature,
            case.expected("header-signature.txt"),
        );
        let want_auth = case
            .expected("header-signed-request.txt")
            .lines()
            .find_map(|l| l.strip_prefix("Authorization:").map(str::to_owned))
            .unwrap();
        let got_auth = signed
            .headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        check("authorization header", &got_auth, want_auth);
        // The token is sent in both post-sts cases; only `-before` signs it.
        if let Some(token) = &creds.session_token {
            let sent = signed
                .headers
                .iter()
                .any(|(k, v)| k == "x-amz-security-token" && v == token.expose());
            check("token header sent", &sent.to_string(), "true".to_owned());
        }
        // Single and double encoding agree wherever the wire path has no `%`.
        if !case.url.path.contains('%') {
            let double = sign::sign(&case.input(true), &creds, false).unwrap();
            check(
                "double-encoding signature",
                &double.signature,
                signed.signature.clone(),
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_case_presigned() {
    let mut failures = Vec::new();
    for case in cases() {
        let creds = case.credentials();
        let signed = sign::presign(&case.input(false), &creds, case.expires(), true)
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let ex = signed.explanation.as_ref().unwrap();
        let mut check = |what: &str, got: String, want: String| {
            if got != want {
                failures.push(format!(
                    "{} ({what}):\n  got:  {got:?}\n  want: {want:?}",
                    case.name
                ));
            }
        };
        check(
            "canonical request",
            ex.canonical_request_unredacted().to_owned(),
            case.expected("query-canonical-request.txt"),
        );
        check(
            "string to sign",
            ex.string_to_sign.clone(),
            case.expected("query-string-to-sign.txt"),
        );
        check(
            "signature",
            signed.signature.clone(),
            case.expected("query-signature.txt"),
        );
        let signed_line = case.expected("query-signed-request.txt");
        let target = signed_line
            .lines()
            .next()
            .unwrap()
            .split_once(' ')
            .unwrap()
            .1
            .strip_suffix(" HTTP/1.1")
            .unwrap()
            .to_owned();
        let want_query = target
            .split_once('?')
            .map(|(_, q)| q.to_owned())
            .unwrap_or_default();
        let url = signed.url.as_ref().unwrap();
        check(
            "signed URL query",
            format!("{:?}", query_set(url.query.as_deref().unwrap_or(""))),
            format!(
                "{:?}",
                query_set(
                    &WireUrl::parse(&format!("https://h/?{want_query}"))
                        .unwrap()
                        .query
                        .unwrap()
                )
            ),
        );
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn the_printable_canonical_request_hides_the_session_token() {
    let case = Case::load(&suite_dir().join("get-vanilla-with-session-token"));
    let creds = case.credentials();
    let token = creds.session_token.clone().unwrap();
    for signed in [
        sign::sign(&case.input(false), &creds, true).unwrap(),
        sign::presign(&case.input(false), &creds, case.expires(), true).unwrap(),
    ] {
        let ex = signed.explanation.unwrap();
        assert!(ex.canonical_request_unredacted().contains(token.expose()));
        assert!(
            !ex.canonical_request().contains(token.expose()),
            "{}",
            ex.canonical_request()
        );
        assert!(ex.canonical_request().contains("<redacted>"));
        assert!(!format!("{ex:?}").contains(token.expose()));
    }
}

//! The parsers that read files or network input, each as one function of arbitrary bytes: the
//! harness of the coverage-guided fuzzers in `fuzz/` (afl.rs on stable Rust) and of the corpus
//! replay test below. Not an API: every function must return for any input without panicking,
//! and checks what its parser promises (a round trip, an invariant) with `assert!`.

use base64::Engine as _;

use crate::aws_error::AwsError;
use crate::config::ini::Document;

/// One harness: arbitrary bytes in, a panic only on a bug.
pub type Harness = fn(&[u8]);

/// Every target, by the name of its corpus folder under `fuzz/corpus/`.
pub const TARGETS: &[(&str, Harness)] = &[
    ("ini", ini),
    ("populate_block", populate_block),
    ("token_cache", token_cache),
    ("registration_cache", registration_cache),
    ("role_cache", role_cache),
    ("login_cache", login_cache),
    ("saml_assertion", saml_assertion),
    #[cfg(feature = "saml")]
    ("idp_html", idp_html),
    ("aws_error", aws_error),
    ("sts_answer", sts_answer),
    ("sso_answer", sso_answer),
    ("credential_process", credential_process),
];

/// The INI model: a document that parses writes back byte for byte, and an edit (its section,
/// key and value taken from the input) either fails cleanly or reads back as written.
pub fn ini(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(mut doc) = Document::parse(text) else {
        return;
    };
    assert_eq!(doc.as_str(), text, "parse is lossless");
    let names: Vec<String> = doc.sections().map(|s| s.name().to_owned()).collect();
    let section = names.first().map_or("default", String::as_str).to_owned();
    if doc.set(&section, "region", "eu-west-1").is_ok() {
        assert_eq!(doc.get(&section, "region"), Some("eu-west-1"));
        let again = Document::parse(doc.as_str()).expect("an edited document parses");
        assert_eq!(again.get(&section, "region"), Some("eu-west-1"));
    }
    if let Ok(true) = doc.remove(&section, "region") {
        assert_eq!(doc.get(&section, "region"), None);
    }
    if doc
        .append_section("profile fuzz", &[("output", "json")])
        .is_ok()
    {
        assert_eq!(doc.get("profile fuzz", "output"), Some("json"));
        let _ = doc.remove_section("profile fuzz");
    }
}

/// The block `sesame populate` owns in `~/.aws/config`: its markers found in any document.
pub fn populate_block(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(doc) = Document::parse(text) {
        crate::populate::fuzz_blocks(&doc);
    }
}

/// A token file of `~/.aws/sso/cache`.
pub fn token_cache(data: &[u8]) {
    let _ = crate::cache::SsoToken::from_json(data);
}

/// A client-registration file of `~/.aws/sso/cache`.
pub fn registration_cache(data: &[u8]) {
    let _ = crate::cache::ClientRegistration::from_json(data);
}

/// A role-credential file of `~/.aws/cli/cache`.
pub fn role_cache(data: &[u8]) {
    let _ = crate::cache::RoleCredentials::from_json(data);
}

/// A login-session file of `~/.aws/login/cache`.
pub fn login_cache(data: &[u8]) {
    let _ = crate::signin::LoginToken::parse(data, "fuzz");
}

/// The SAMLResponse, as the text given (base64, URL-encoded or XML) and as decoded bytes; what
/// it accepts holds at least one well-formed role.
pub fn saml_assertion(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        check_assertion(crate::saml::SamlAssertion::parse(text));
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    check_assertion(crate::saml::SamlAssertion::parse(&encoded));
}

fn check_assertion(result: Result<crate::saml::SamlAssertion, crate::saml::AssertionError>) {
    if let Ok(a) = result {
        assert!(!a.roles().is_empty());
        for role in a.roles() {
            assert_eq!(role.account_id().len(), 12);
            assert!(role.role_arn.contains(":role/"));
            assert!(role.principal_arn.contains(":saml-provider/"));
        }
    }
}

/// An IdP's HTML page: forms, fields, the SAMLResponse, the error banner, the title.
#[cfg(feature = "saml")]
pub fn idp_html(data: &[u8]) {
    crate::saml::idp::fuzz_page(&String::from_utf8_lossy(data));
}

/// Splits `data` into a status, headers and a body: the first line is `STATUS` followed by
/// `name: value` lines, then an empty line and the body (as an HTTP answer reads).
fn answer(data: &[u8]) -> (u16, http::HeaderMap, &[u8]) {
    let split = data.windows(2).position(|w| w == b"\n\n");
    let (head, body) = match split {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (&data[..0], data),
    };
    let head = String::from_utf8_lossy(head);
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.trim().parse::<u16>().ok())
        .unwrap_or(400);
    let mut headers = http::HeaderMap::new();
    for line in lines {
        if let Some((k, v)) = line.split_once(':')
            && let (Ok(k), Ok(v)) = (
                http::HeaderName::from_bytes(k.trim().as_bytes()),
                http::HeaderValue::from_str(v.trim()),
            )
        {
            headers.append(k, v);
        }
    }
    (status, headers, body)
}

/// An AWS error answer (JSON, query or REST XML, headers), as every client reads it.
pub fn aws_error(data: &[u8]) {
    let (status, headers, body) = answer(data);
    if let Some(e) = AwsError::parse("Fuzz", status, &headers, body) {
        assert!(!e.code.is_empty());
    }
    let e = AwsError::from_answer("Fuzz", status, &headers, body);
    let _ = e.to_string();
}

/// STS's answer (AssumeRole and the SAML and web-identity operations): credentials or an error.
pub fn sts_answer(data: &[u8]) {
    let (status, headers, body) = answer(data);
    for op in [
        "AssumeRole",
        "AssumeRoleWithSAML",
        "AssumeRoleWithWebIdentity",
    ] {
        if let Ok(v) = crate::sts::read_answer(op, "https://sts.fuzz", status, &headers, body) {
            assert!(crate::sts::credentials_of(&v, "fuzz").is_some());
        }
    }
}

/// Identity Center's answers: OIDC (RegisterClient, StartDeviceAuthorization, CreateToken) and
/// the portal's pages and role credentials.
pub fn sso_answer(data: &[u8]) {
    use crate::sso::oidc::{DeviceAuthorization, RegisteredClient, TokenResponse};
    let _ = serde_json::from_slice::<RegisteredClient>(data);
    let _ = serde_json::from_slice::<DeviceAuthorization>(data);
    let _ = serde_json::from_slice::<TokenResponse>(data);
    crate::sso::portal::fuzz_answers(data);
}

/// A `credential_process`'s standard output.
pub fn credential_process(data: &[u8]) {
    if let Ok(c) = crate::credentials::chain::fuzz_process_output(data) {
        assert!(!c.access_key_id.is_empty() && !c.secret_access_key.is_empty());
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// `fuzz/corpus/<target>` (the seeds and what the fuzzers kept) and `fuzz/regressions/<target>`
    /// (inputs that once crashed a target).
    fn inputs(target: &str) -> Vec<PathBuf> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
        let mut files = Vec::new();
        for dir in ["corpus", "regressions"] {
            if let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) {
                files.extend(entries.map(|e| e.expect("a directory entry").path()));
            }
        }
        files.sort();
        files
    }

    /// Every stored input of every target runs through its harness without a panic: the fuzzers'
    /// findings stay fixed, deterministically, in `cargo test`.
    #[test]
    fn every_corpus_input_replays_cleanly() {
        for (target, run) in super::TARGETS {
            let files = inputs(target);
            assert!(!files.is_empty(), "fuzz/corpus/{target} has seeds");
            for file in files {
                let data = std::fs::read(&file).expect("a corpus file");
                let outcome = std::panic::catch_unwind(|| run(&data));
                assert!(outcome.is_ok(), "{target} panicked on {}", file.display());
            }
        }
    }
}

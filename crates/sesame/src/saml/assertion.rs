//! The `SAMLResponse` an IdP posts to AWS, decoded and read safely.
//!
//! What AWS reads from it (docs/protocols.md, *SAML and AD FS*): a `samlp:Response` holding a
//! `saml:Assertion` whose `AttributeStatement` has
//! - `https://aws.amazon.com/SAML/Attributes/Role`: one value per role, a role ARN and a
//!   `saml-provider` ARN separated by a comma, in either order (AWS's examples put the role first,
//!   AD FS guides the provider), often with stray spaces or line breaks;
//! - `https://aws.amazon.com/SAML/Attributes/RoleSessionName` (required by AWS);
//! - `https://aws.amazon.com/SAML/Attributes/SessionDuration` (optional, 900..=43200 s).
//!
//! Safety: the input is capped ([`MAX_ENCODED_LEN`]) before anything else; the XML may not carry
//! a document type declaration at all (so neither external entities nor entity expansion —
//! "billion laughs" — can occur; roxmltree never fetches anything either), and the node count
//! is capped. Nothing here puts the assertion's text into an error message.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use roxmltree::{Document, Node, ParsingOptions};

use super::roles::{RoleValueError, SamlRole};
use super::{ROLE_ATTRIBUTE, ROLE_SESSION_NAME_ATTRIBUTE, SESSION_DURATION_ATTRIBUTE};
use crate::Secret;

/// The SAML 2.0 protocol namespace (`samlp:`).
pub const PROTOCOL_NS: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
/// The SAML 2.0 assertion namespace (`saml:`).
pub const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
/// The status code of a successful response.
const STATUS_SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";

/// The largest encoded `SAMLResponse` accepted, in bytes. STS itself takes at most 100,000
/// characters; the margin leaves room for line breaks and URL encoding in captured files.
pub const MAX_ENCODED_LEN: usize = 1024 * 1024;
/// The most XML nodes a response may have (a real one has a few hundred).
const MAX_NODES: u32 = 100_000;

/// Why a `SAMLResponse` cannot be used. No variant quotes the assertion's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AssertionError {
    /// Nothing was given.
    #[error("the SAML response is empty")]
    Empty,
    /// Larger than [`MAX_ENCODED_LEN`].
    #[error("the SAML response is too large ({len} bytes; the limit is {max})")]
    TooLarge {
        /// Its size.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Not valid base64 (truncated, or not a `SAMLResponse` value at all).
    #[error("the SAML response is not valid base64 ({reason})")]
    NotBase64 {
        /// What the decoder said (a position, never the text).
        reason: String,
    },
    /// The decoded bytes are not UTF-8 text.
    #[error("the SAML response does not decode to UTF-8 text")]
    NotUtf8,
    /// A `<!DOCTYPE` or `<!ENTITY` declaration: refused outright (XXE, entity expansion).
    #[error(
        "the SAML response contains a DOCTYPE or ENTITY declaration, which SAML never needs; \
         refused (it is how XXE and entity-expansion attacks are carried)"
    )]
    Dtd,
    /// Not well-formed XML.
    #[error("the SAML response is not well-formed XML ({reason})")]
    NotXml {
        /// The parser's message with its line and column.
        reason: String,
    },
    /// Well-formed XML, but its root is not a SAML 2.0 `Response`.
    #[error("the XML is not a SAML 2.0 Response (its root element is `{root}`)")]
    NotSamlResponse {
        /// The root element's local name.
        root: String,
    },
    /// The IdP answered with a failure status instead of an assertion.
    #[error("the IdP's SAML response reports a failure: {status}")]
    Status {
        /// The status code(s), outermost first.
        status: String,
    },
    /// The assertion is encrypted; AWS can decrypt it, sesame cannot read the roles in it.
    #[error("the SAML assertion is encrypted, so its roles cannot be read")]
    Encrypted,
    /// The response holds no `Assertion`.
    #[error("the SAML response holds no Assertion")]
    NoAssertion,
    /// No `https://aws.amazon.com/SAML/Attributes/Role` attribute, or no value in it.
    #[error("the SAML assertion grants no AWS role (no {ROLE_ATTRIBUTE} attribute value)")]
    NoRoles,
    /// A role value that is not a role ARN and a saml-provider ARN.
    #[error(transparent)]
    BadRole(#[from] RoleValueError),
    /// A `SessionDuration` that is not a number of seconds.
    #[error("the SAML assertion's SessionDuration `{value}` is not a whole number of seconds")]
    BadSessionDuration {
        /// The value.
        value: String,
    },
}

/// A decoded, checked `SAMLResponse` and what AWS reads from it.
#[derive(Debug, Clone)]
pub struct SamlAssertion {
    encoded: Secret,
    roles: Vec<SamlRole>,
    session_name: Option<String>,
    session_duration: Option<u32>,
    not_on_or_after: Option<Timestamp>,
    issuer: Option<String>,
    destination: Option<String>,
}

impl SamlAssertion {
    /// Reads a `SAMLResponse` as an IdP's form carries it: base64, with any line breaks or
    /// spaces, or URL-encoded (`%2B`, as copied from a browser's network log). Raw XML starting
    /// with `<` is accepted too and encoded for STS.
    pub fn parse(input: &str) -> Result<Self, AssertionError> {
        if input.len() > MAX_ENCODED_LEN {
            return Err(AssertionError::TooLarge {
                len: input.len(),
                max: MAX_ENCODED_LEN,
            });
        }
        let trimmed = input.trim_start_matches('\u{feff}').trim();
        if trimmed.is_empty() {
            return Err(AssertionError::Empty);
        }
        if trimmed.starts_with('<') {
            let encoded = STANDARD.encode(trimmed.as_bytes());
            return Self::from_xml(trimmed, encoded);
        }
        let compact: String = if trimmed.contains('%') {
            percent_decode(trimmed)
        } else {
            trimmed.to_owned()
        };
        let compact: String = compact
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let bytes = STANDARD
            .decode(compact.as_bytes())
            .map_err(|e| AssertionError::NotBase64 {
                reason: e.to_string(),
            })?;
        let xml = String::from_utf8(bytes).map_err(|_| AssertionError::NotUtf8)?;
        Self::from_xml(&xml, compact)
    }

    fn from_xml(xml: &str, encoded: String) -> Result<Self, AssertionError> {
        if xml.contains("<!DOCTYPE") || xml.contains("<!ENTITY") {
            return Err(AssertionError::Dtd);
        }
        let options = ParsingOptions {
            allow_dtd: false,
            nodes_limit: MAX_NODES,
            ..ParsingOptions::default()
        };
        let doc = Document::parse_with_options(xml, options).map_err(|e| match e {
            roxmltree::Error::DtdDetected => AssertionError::Dtd,
            e => AssertionError::NotXml {
                reason: e.to_string(),
            },
        })?;
        let root = doc.root_element();
        if !is(root, PROTOCOL_NS, "Response") {
            return Err(AssertionError::NotSamlResponse {
                root: root.tag_name().name().to_owned(),
            });
        }
        check_status(root)?;
        let assertion = match child(root, ASSERTION_NS, "Assertion") {
            Some(a) => a,
            None if child(root, ASSERTION_NS, "EncryptedAssertion").is_some() => {
                return Err(AssertionError::Encrypted);
            }
            None => return Err(AssertionError::NoAssertion),
        };

        let mut roles = Vec::new();
        let mut session_name = None;
        let mut session_duration = None;
        for attribute in assertion
            .descendants()
            .filter(|n| is(*n, ASSERTION_NS, "Attribute"))
        {
            let values = attribute
                .children()
                .filter(|n| is(*n, ASSERTION_NS, "AttributeValue"))
                .map(text_of);
            match attribute.attribute("Name") {
                Some(ROLE_ATTRIBUTE) => {
                    for value in values.filter(|v| !v.trim().is_empty()) {
                        let role = SamlRole::parse(&value)?;
                        if !roles.contains(&role) {
                            roles.push(role);
                        }
                    }
                }
                Some(ROLE_SESSION_NAME_ATTRIBUTE) => {
                    session_name = values.map(|v| v.trim().to_owned()).find(|v| !v.is_empty());
                }
                Some(SESSION_DURATION_ATTRIBUTE) => {
                    if let Some(v) = values.map(|v| v.trim().to_owned()).find(|v| !v.is_empty()) {
                        let seconds = v
                            .parse::<u32>()
                            .map_err(|_| AssertionError::BadSessionDuration { value: v })?;
                        session_duration = Some(seconds);
                    }
                }
                _ => {}
            }
        }
        if roles.is_empty() {
            return Err(AssertionError::NoRoles);
        }

        let not_on_or_after = assertion
            .descendants()
            .find(|n| is(*n, ASSERTION_NS, "SubjectConfirmationData"))
            .or_else(|| child(assertion, ASSERTION_NS, "Conditions"))
            .and_then(|n| n.attribute("NotOnOrAfter"))
            .and_then(crate::time::parse_lenient);
        let issuer = child(assertion, ASSERTION_NS, "Issuer")
            .or_else(|| child(root, ASSERTION_NS, "Issuer"))
            .map(|n| text_of(n).trim().to_owned());
        let destination = root.attribute("Destination").map(str::to_owned);
        Ok(Self {
            encoded: Secret::new(encoded),
            roles,
            session_name,
            session_duration,
            not_on_or_after,
            issuer,
            destination,
        })
    }

    /// The response as STS takes it (`SAMLAssertion`): base64 without line breaks.
    pub fn encoded(&self) -> &Secret {
        &self.encoded
    }

    /// The roles the assertion grants, in the order given, without duplicates.
    pub fn roles(&self) -> &[SamlRole] {
        &self.roles
    }

    /// `RoleSessionName`, which AWS requires (STS rejects an assertion without it).
    pub fn session_name(&self) -> Option<&str> {
        self.session_name.as_deref()
    }

    /// `SessionDuration` in seconds, when the IdP sets one.
    pub fn session_duration(&self) -> Option<u32> {
        self.session_duration
    }

    /// When the assertion stops being accepted (`SubjectConfirmationData@NotOnOrAfter`, else
    /// `Conditions@NotOnOrAfter`).
    pub fn not_on_or_after(&self) -> Option<Timestamp> {
        self.not_on_or_after
    }

    /// Whether the assertion has expired at `now`.
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.not_on_or_after.is_some_and(|t| t <= now)
    }

    /// The IdP's entity id (`Issuer`).
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// Where the IdP meant the response to go (`Response@Destination`, normally the AWS sign-in
    /// endpoint `https://signin.aws.amazon.com/saml`).
    pub fn destination(&self) -> Option<&str> {
        self.destination.as_deref()
    }
}

fn is(node: Node<'_, '_>, ns: &str, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(ns)
}

fn child<'a, 'i>(node: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| is(*n, ns, name))
}

/// All the text inside an element (an `AttributeValue` may wrap its text in child elements).
fn text_of(node: Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

/// A non-success `Status` becomes an error naming its (nested) status codes.
fn check_status(response: Node<'_, '_>) -> Result<(), AssertionError> {
    let Some(status) = child(response, PROTOCOL_NS, "Status") else {
        return Ok(());
    };
    let mut codes = Vec::new();
    let mut at = child(status, PROTOCOL_NS, "StatusCode");
    while let Some(code) = at {
        if let Some(value) = code.attribute("Value") {
            codes.push(value.rsplit(':').next().unwrap_or(value).to_owned());
            if codes.len() == 1 && value == STATUS_SUCCESS {
                return Ok(());
            }
        }
        at = child(code, PROTOCOL_NS, "StatusCode");
    }
    if codes.is_empty() {
        return Ok(());
    }
    let mut status_text = codes.join("/");
    if let Some(message) = child(status, PROTOCOL_NS, "StatusMessage") {
        let m = text_of(message);
        let m = m.trim();
        if !m.is_empty() {
            status_text = format!("{status_text} ({m})");
        }
    }
    Err(AssertionError::Status {
        status: status_text,
    })
}

/// `%XX` decoding (and `+` as a space is NOT applied: in base64 `+` is a digit).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
#[path = "assertion_tests.rs"]
mod tests;

//! The IdP's signing key and certificate, and the enveloped XML signature it puts in every
//! Assertion, as AD FS does: `<ds:Signature>` right after the Assertion's `<Issuer>`, one
//! Reference to `#<Assertion ID>` with the enveloped-signature and exclusive c14n transforms,
//! SHA-256 digest, RSA-SHA256 signature, the certificate in `KeyInfo/X509Data`.
//!
//! By default the emulator signs with a throwaway key of its own (`test-signing-key.pem` and
//! `test-signing-cert.pem` beside this file, made with `openssl req -x509 -newkey rsa:2048
//! -nodes -days 36500`): it is public, so it proves nothing about who issued an assertion; it
//! exists so that tests and demos get assertions real SAML software verifies. `sesame-emulator
//! --idp-signing-key PEM --idp-signing-cert PEM` uses another.

use std::fmt;
use std::sync::{Arc, LazyLock};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use roxmltree::Document;

use super::c14n;

/// The XML-DSig namespace.
pub(crate) const DSIG_NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// Exclusive XML canonicalization 1.0 without comments.
pub(crate) const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// The enveloped-signature transform.
pub(crate) const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// RSASSA-PKCS1-v1_5 with SHA-256.
pub(crate) const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
/// SHA-256.
pub(crate) const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";
const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";

const TEST_KEY: &str = include_str!("test-signing-key.pem");
const TEST_CERT: &str = include_str!("test-signing-cert.pem");

/// An RSA private key and the X.509 certificate of its public key, with which the emulated IdP
/// signs assertions and which its federation metadata publishes.
#[derive(Clone)]
pub struct IdpSigningKey {
    key: Arc<RsaKeyPair>,
    /// The certificate, base64 DER, encoded once: every assertion and metadata page carries it.
    cert_base64: Arc<str>,
}

/// Why a key or certificate PEM was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningKeyError {
    /// No PEM block with the label.
    #[error("no `-----BEGIN {0}-----` block")]
    NoPem(&'static str),
    /// The PEM body is not base64.
    #[error("the PEM block is not valid base64")]
    Base64,
    /// ring refused the key.
    #[error("not an RSA private key ring accepts (PKCS#8 or PKCS#1, 2048 to 8192 bits): {0}")]
    Key(String),
    /// The certificate's DER could not be read.
    #[error("not an X.509 certificate: {0}")]
    Certificate(&'static str),
    /// The certificate is of another key.
    #[error("the certificate's public key is not the private key's")]
    Mismatch,
}

impl fmt::Debug for IdpSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdpSigningKey")
            .field("cert_base64_len", &self.cert_base64.len())
            .finish_non_exhaustive()
    }
}

impl PartialEq for IdpSigningKey {
    fn eq(&self, other: &Self) -> bool {
        self.cert_base64 == other.cert_base64
    }
}

impl Default for IdpSigningKey {
    /// The emulator's throwaway test key (public: for tests and demos only), parsed once per
    /// process.
    fn default() -> Self {
        static BUNDLED: LazyLock<IdpSigningKey> = LazyLock::new(|| {
            IdpSigningKey::from_pem(TEST_KEY, TEST_CERT)
                .expect("the bundled test key and certificate match")
        });
        BUNDLED.clone()
    }
}

fn pem_block(pem: &str, label: &'static str) -> Result<Vec<u8>, SigningKeyError> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = pem.find(&begin).ok_or(SigningKeyError::NoPem(label))? + begin.len();
    let stop = pem[start..]
        .find(&end)
        .ok_or(SigningKeyError::NoPem(label))?
        + start;
    let body: String = pem[start..stop]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    STANDARD.decode(body).map_err(|_| SigningKeyError::Base64)
}

/// One DER TLV at the start of `input`: (tag, contents, rest).
fn der(input: &[u8]) -> Result<(u8, &[u8], &[u8]), SigningKeyError> {
    let bad = SigningKeyError::Certificate("truncated DER");
    let (&tag, rest) = input.split_first().ok_or(bad.clone())?;
    let (&first, mut rest) = rest.split_first().ok_or(bad.clone())?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return Err(bad);
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |a, &b| (a << 8) | usize::from(b));
        rest = &rest[n..];
        len
    };
    if rest.len() < len {
        return Err(bad);
    }
    Ok((tag, &rest[..len], &rest[len..]))
}

/// The `RSAPublicKey` DER inside a certificate's `SubjectPublicKeyInfo`.
fn certificate_public_key(cert: &[u8]) -> Result<&[u8], SigningKeyError> {
    const SEQUENCE: u8 = 0x30;
    let (tag, certificate, _) = der(cert)?;
    if tag != SEQUENCE {
        return Err(SigningKeyError::Certificate("not a SEQUENCE"));
    }
    let (tag, mut tbs, _) = der(certificate)?;
    if tag != SEQUENCE {
        return Err(SigningKeyError::Certificate("no TBSCertificate"));
    }
    // [0] version (optional), serialNumber, signature, issuer, validity, subject, then the key.
    if tbs.first() == Some(&0xa0) {
        tbs = der(tbs)?.2;
    }
    for _ in 0..5 {
        tbs = der(tbs)?.2;
    }
    let (tag, spki, _) = der(tbs)?;
    if tag != SEQUENCE {
        return Err(SigningKeyError::Certificate("no SubjectPublicKeyInfo"));
    }
    let (_, _algorithm, rest) = der(spki)?;
    let (tag, bits, _) = der(rest)?;
    match bits.split_first() {
        Some((0, key)) if tag == 0x03 => Ok(key),
        _ => Err(SigningKeyError::Certificate("no public key BIT STRING")),
    }
}

impl IdpSigningKey {
    /// A key from PEM (`PRIVATE KEY` PKCS#8 or `RSA PRIVATE KEY` PKCS#1) and its certificate
    /// (`CERTIFICATE`), which must be of the same key.
    pub fn from_pem(key_pem: &str, cert_pem: &str) -> Result<Self, SigningKeyError> {
        let key = if key_pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
            RsaKeyPair::from_der(&pem_block(key_pem, "RSA PRIVATE KEY")?)
        } else {
            RsaKeyPair::from_pkcs8(&pem_block(key_pem, "PRIVATE KEY")?)
        }
        .map_err(|e| SigningKeyError::Key(e.to_string()))?;
        let cert_der = pem_block(cert_pem, "CERTIFICATE")?;
        if certificate_public_key(&cert_der)? != key.public().as_ref() {
            return Err(SigningKeyError::Mismatch);
        }
        Ok(Self {
            key: Arc::new(key),
            cert_base64: STANDARD.encode(&cert_der).into(),
        })
    }

    /// The certificate, base64 DER (the body of `X509Certificate` elements).
    pub fn certificate_base64(&self) -> &str {
        &self.cert_base64
    }

    /// The `RSAPublicKey` DER of the key, to verify signatures with.
    pub(crate) fn public_key(&self) -> &[u8] {
        self.key.public().as_ref()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        let mut signature = vec![0; self.key.public().modulus_len()];
        self.key
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message,
                &mut signature,
            )
            .map_err(|_| SignError("RSA signing failed"))?;
        Ok(signature)
    }
}

/// Why an assertion could not be signed (only for XML the emulator did not make well).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot sign the assertion: {0}")]
pub(crate) struct SignError(&'static str);

const SIGNATURE_VALUE_PLACEHOLDER: &str = "<ds:SignatureValue></ds:SignatureValue>";

/// `xml` (a SAML Response or Assertion the emulator made) with its Assertion signed.
pub(crate) fn sign_assertion(xml: &str, key: &IdpSigningKey) -> Result<String, SignError> {
    let doc = Document::parse(xml).map_err(|_| SignError("not XML"))?;
    let assertion = doc
        .descendants()
        .find(|n| n.has_tag_name((ASSERTION_NS, "Assertion")))
        .ok_or(SignError("no Assertion"))?;
    let id = assertion.attribute("ID").ok_or(SignError("no ID"))?;
    let issuer = assertion
        .first_element_child()
        .filter(|n| n.has_tag_name((ASSERTION_NS, "Issuer")))
        .ok_or(SignError("the Assertion does not start with its Issuer"))?;
    let digest = ring::digest::digest(
        &ring::digest::SHA256,
        c14n::exclusive(assertion, None, &[]).as_bytes(),
    );
    let signed_info = format!(
        r##"<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="{EXC_C14N}"></ds:CanonicalizationMethod><ds:SignatureMethod Algorithm="{RSA_SHA256}"></ds:SignatureMethod><ds:Reference URI="#{id}"><ds:Transforms><ds:Transform Algorithm="{ENVELOPED}"></ds:Transform><ds:Transform Algorithm="{EXC_C14N}"></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm="{SHA256}"></ds:DigestMethod><ds:DigestValue>{digest}</ds:DigestValue></ds:Reference></ds:SignedInfo>"##,
        id = crate::pages::escape(id),
        digest = STANDARD.encode(digest.as_ref()),
    );
    let signature = format!(
        r#"<ds:Signature xmlns:ds="{DSIG_NS}">{signed_info}{SIGNATURE_VALUE_PLACEHOLDER}<ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>"#,
        cert = key.certificate_base64(),
    );
    let at = issuer.range().end;
    let unsigned = format!("{}{signature}{}", &xml[..at], &xml[at..]);

    // SignedInfo is signed in its canonical form in place (with the ds declaration it inherits).
    let doc = Document::parse(&unsigned).map_err(|_| SignError("not XML once signed"))?;
    let signed_info_node = doc
        .descendants()
        .find(|n| n.has_tag_name((DSIG_NS, "SignedInfo")))
        .ok_or(SignError("no SignedInfo"))?;
    let value = key.sign(c14n::exclusive(signed_info_node, None, &[]).as_bytes())?;
    Ok(unsigned.replacen(
        SIGNATURE_VALUE_PLACEHOLDER,
        &format!(
            "<ds:SignatureValue>{}</ds:SignatureValue>",
            STANDARD.encode(value)
        ),
        1,
    ))
}

//! Verifying the enveloped signature of an Assertion against the IdP's key, as AWS does with the
//! key of a SAML provider's metadata, for the emulator's STS.
//!
//! What is checked: the Assertion has a `ds:Signature` child whose single Reference points at
//! the Assertion's own `ID` (and no other element in the document has that ID, so a signature
//! cannot be moved onto other content); the algorithms are exactly the ones AD FS uses
//! (exclusive c14n, with an optional `InclusiveNamespaces` prefix list; enveloped-signature;
//! SHA-256; RSA-SHA256); the digest of the Assertion's canonical form without the Signature
//! matches; and the signature over the canonical `SignedInfo` verifies with the IdP's public
//! key. The certificate in `KeyInfo` is not trusted: only the configured key is. Any other
//! algorithm (SHA-1, inclusive c14n, XPath transforms) is refused.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use roxmltree::Node;

use super::c14n;
use super::signing::{DSIG_NS, ENVELOPED, EXC_C14N, IdpSigningKey, RSA_SHA256, SHA256};

/// Why a signature did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum VerifyError {
    /// The Assertion carries no signature.
    #[error("the assertion is not signed")]
    Unsigned,
    /// The signature's structure or algorithms are not the expected ones.
    #[error("unsupported or malformed signature: {0}")]
    Malformed(&'static str),
    /// The Assertion's content does not match the signed digest.
    #[error("the digest does not match the assertion")]
    Digest,
    /// The signature value does not verify with the IdP's key.
    #[error("the signature does not verify with the IdP's key")]
    Signature,
}

fn ds<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| n.has_tag_name((DSIG_NS, name)))
}

fn ds_all<'a, 'i: 'a>(node: Node<'a, 'i>, name: &'a str) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children()
        .filter(move |n| n.has_tag_name((DSIG_NS, name)))
}

fn algorithm<'a>(node: Option<Node<'a, '_>>) -> Option<&'a str> {
    node.and_then(|n| n.attribute("Algorithm"))
}

/// The `InclusiveNamespaces` `PrefixList` of an exclusive c14n method or transform.
fn prefix_list<'a>(method: Node<'a, '_>) -> Vec<&'a str> {
    method
        .children()
        .find(|n| n.has_tag_name((EXC_C14N, "InclusiveNamespaces")))
        .and_then(|n| n.attribute("PrefixList"))
        .map(|l| l.split_ascii_whitespace().collect())
        .unwrap_or_default()
}

fn base64(node: Option<Node<'_, '_>>) -> Option<Vec<u8>> {
    let text: String = node?
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .flat_map(str::chars)
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    STANDARD.decode(text).ok()
}

/// Verifies the enveloped signature of `assertion` with `key`.
pub(crate) fn verify_assertion(
    assertion: Node<'_, '_>,
    key: &IdpSigningKey,
) -> Result<(), VerifyError> {
    use VerifyError::Malformed;
    let mut signatures = ds_all(assertion, "Signature");
    let signature = signatures.next().ok_or(VerifyError::Unsigned)?;
    if signatures.next().is_some() {
        return Err(Malformed("more than one Signature"));
    }
    let signed_info = ds(signature, "SignedInfo").ok_or(Malformed("no SignedInfo"))?;
    let c14n_method =
        ds(signed_info, "CanonicalizationMethod").ok_or(Malformed("no CanonicalizationMethod"))?;
    if algorithm(Some(c14n_method)) != Some(EXC_C14N) {
        return Err(Malformed("CanonicalizationMethod is not exclusive c14n"));
    }
    if algorithm(ds(signed_info, "SignatureMethod")) != Some(RSA_SHA256) {
        return Err(Malformed("SignatureMethod is not rsa-sha256"));
    }
    let mut references = ds_all(signed_info, "Reference");
    let reference = references.next().ok_or(Malformed("no Reference"))?;
    if references.next().is_some() {
        return Err(Malformed("more than one Reference"));
    }

    // The reference is to this Assertion, and its ID is unique in the document.
    let id = assertion
        .attribute("ID")
        .ok_or(Malformed("no Assertion ID"))?;
    if reference.attribute("URI") != Some(&format!("#{id}")) {
        return Err(Malformed("the Reference is not to the Assertion"));
    }
    let same_id = assertion
        .document()
        .descendants()
        .filter(|n| n.attributes().any(|a| a.name() == "ID" && a.value() == id))
        .count();
    if same_id != 1 {
        return Err(Malformed("the Assertion ID is not unique"));
    }

    let transforms: Vec<_> = ds(reference, "Transforms")
        .map(|t| ds_all(t, "Transform").collect())
        .unwrap_or_default();
    let [enveloped, exclusive] = transforms.as_slice() else {
        return Err(Malformed(
            "Transforms are not enveloped-signature, exc-c14n",
        ));
    };
    if algorithm(Some(*enveloped)) != Some(ENVELOPED)
        || algorithm(Some(*exclusive)) != Some(EXC_C14N)
    {
        return Err(Malformed(
            "Transforms are not enveloped-signature, exc-c14n",
        ));
    }
    if algorithm(ds(reference, "DigestMethod")) != Some(SHA256) {
        return Err(Malformed("DigestMethod is not sha256"));
    }
    let expected = base64(ds(reference, "DigestValue")).ok_or(Malformed("bad DigestValue"))?;
    let canonical = c14n::exclusive(assertion, Some(signature.id()), &prefix_list(*exclusive));
    let digest = ring::digest::digest(&ring::digest::SHA256, canonical.as_bytes());
    if digest.as_ref() != expected.as_slice() {
        return Err(VerifyError::Digest);
    }

    let value = base64(ds(signature, "SignatureValue")).ok_or(Malformed("bad SignatureValue"))?;
    let signed = c14n::exclusive(signed_info, None, &prefix_list(c14n_method));
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, key.public_key())
        .verify(signed.as_bytes(), &value)
        .map_err(|_| VerifyError::Signature)
}

#[cfg(test)]
mod tests {
    use roxmltree::Document;

    use super::{VerifyError, verify_assertion};
    use crate::adfs::signing::{IdpSigningKey, SigningKeyError, sign_assertion};

    const XML: &str = r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r"><Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a" Version="2.0"><Issuer>https://idp.test/adfs/services/trust</Issuer><AttributeStatement><Attribute Name="Role"><AttributeValue>arn:aws:iam::123456789012:saml-provider/P,arn:aws:iam::123456789012:role/R</AttributeValue></Attribute></AttributeStatement></Assertion></samlp:Response>"#;

    fn check(xml: &str) -> Result<(), VerifyError> {
        let doc = Document::parse(xml).unwrap();
        let assertion = doc
            .descendants()
            .find(|n| n.tag_name().name() == "Assertion")
            .unwrap();
        verify_assertion(assertion, &IdpSigningKey::default())
    }

    #[test]
    fn a_signed_assertion_verifies_and_a_tampered_or_unsigned_one_does_not() {
        let key = IdpSigningKey::default();
        let signed = sign_assertion(XML, &key).unwrap();
        assert!(
            signed.contains("</Issuer><ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>"),
            "{signed}"
        );
        assert_eq!(check(&signed), Ok(()));
        // Indentation outside the Assertion changes nothing.
        assert_eq!(
            check(&signed.replace("<Assertion ", "\n  <Assertion ")),
            Ok(())
        );

        let tampered = signed.replace("role/R<", "role/Admin<");
        assert_eq!(check(&tampered), Err(VerifyError::Digest));
        assert_eq!(check(XML), Err(VerifyError::Unsigned));

        let start = signed.find("<ds:SignatureValue>").unwrap() + "<ds:SignatureValue>".len();
        let mut forged = signed.clone();
        let other = if &signed[start..start + 4] == "AAAA" {
            "BBBB"
        } else {
            "AAAA"
        };
        forged.replace_range(start..start + 4, other);
        assert_eq!(check(&forged), Err(VerifyError::Signature));

        // A signature moved onto a copy with the same ID is refused.
        let wrapped = signed.replace("</samlp:Response>", "<Extra ID=\"_a\"/></samlp:Response>");
        assert!(matches!(check(&wrapped), Err(VerifyError::Malformed(_))));
    }

    /// A certificate of another RSA key (`openssl req -x509 -newkey rsa:2048`, key discarded).
    const OTHER_CERT: &str = "-----BEGIN CERTIFICATE-----\n\
MIIDDzCCAfegAwIBAgIUW+0i/D0xQxwNiKdcQSVqdpK8WQQwDQYJKoZIhvcNAQEL\n\
BQAwFjEUMBIGA1UEAwwLYW5vdGhlciBrZXkwIBcNMjYxMTIyMjM1OTQ2WhgPMjEy\n\
NjEwMjkyMzU5NDZaMBYxFDASBgNVBAMMC2Fub3RoZXIga2V5MIIBIjANBgkqhkiG\n\
9w0BAQEFAAOCAQ8AMIIBCgKCAQEAs7ruL7lleQZoPQSGad9w+Nt5fS/0iSaBADcI\n\
UQuS5wlFSx88pMADpUmC1/O9iDQLD3K0OK6XOXVhalo7cyQPggMaANsh6HsfAYzN\n\
7F5Ejfis33zapth8zKI67H7IOBYs022dWWDUIDws0GU8z8ju79Xwpg5sp7WMU62g\n\
oft9flAHrrA1u25OIuv3xrTDbmmPn1KjhqWQmS7cNu/zvCoac6rFJFzFwdgtBxmm\n\
AWE4HyntbKe7Fh5VYYHCSVLwet9cnFuxbwSZrCqrVnHmn0hF53AJMZduSRVV/4EN\n\
EoD+2C6KnnCM3KT4hJqXKIszYjrqKNjrGd4fwMBmwGCXQKRRrwIDAQABo1MwUTAd\n\
BgNVHQ4EFgQU6THnS4zA7a5iO9Ms9Qpwj7kZCrswHwYDVR0jBBgwFoAU6THnS4zA\n\
7a5iO9Ms9Qpwj7kZCrswDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOC\n\
AQEAoJHuJNJG0ds5pA+PKOo2azCZErzkTaJQhmQ/itpdLmKjE3zg09kv8i+UZOYZ\n\
f7r9D7nQ6Z/+lIdKjMqG6RtBFC6aXQcqRUv/ayQyqlpBkRJO8zFKgL5OO4E/S2AB\n\
qbe9lxRUOv56ah54EAJgtJ0iBsObscpPIPwAAMzd1gj7gGlNSqomjYWFuRlW0QyU\n\
twSWHpLjedIrNjv8RJNwO1PDJ5lbGZ2NVIIIOc6QBOqHjPSzn7JJppD0rS+qci/S\n\
OCAbnkECCeTXlRv2+HdAS8L5VOCkqnh2YK9fhbjIjfv5pTBtMf5jf5ZSdI/JFxYu\n\
Yxf/GpajBjFHObmQ+72+79VwwA==\n\
-----END CERTIFICATE-----\n\
";

    #[test]
    fn a_key_and_a_certificate_of_another_key_are_refused() {
        let key = include_str!("test-signing-key.pem");
        let cert = include_str!("test-signing-cert.pem");
        assert!(IdpSigningKey::from_pem(key, cert).is_ok());
        assert_eq!(
            IdpSigningKey::from_pem(key, OTHER_CERT).err(),
            Some(SigningKeyError::Mismatch)
        );
        let garbage = "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            IdpSigningKey::from_pem(key, garbage),
            Err(SigningKeyError::Certificate(_))
        ));
        assert_eq!(
            IdpSigningKey::from_pem("", cert).err(),
            Some(SigningKeyError::NoPem("PRIVATE KEY"))
        );
    }
}

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::*;

const ROLE: &str = "arn:aws:iam::123456789012:role/ADFS-Dev";
const IDP: &str = "arn:aws:iam::123456789012:saml-provider/ADFS";

/// A response shaped like saml2aws' testdata/assertion.xml, with `attrs` as the statement.
pub(crate) fn response(attrs: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r" Version="2.0" IssueInstant="2026-11-22T10:00:00Z" Destination="https://signin.aws.amazon.com/saml">
  <Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">http://adfs.example.com/adfs/services/trust</Issuer>
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  <Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a" IssueInstant="2026-11-22T10:00:00Z" Version="2.0">
    <Issuer>http://adfs.example.com/adfs/services/trust</Issuer>
    <Subject><NameID>ACME\alice</NameID>
      <SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <SubjectConfirmationData NotOnOrAfter="2026-11-22T10:05:00Z" Recipient="https://signin.aws.amazon.com/saml"/>
      </SubjectConfirmation></Subject>
    <Conditions NotBefore="2026-11-22T09:59:00Z" NotOnOrAfter="2026-11-22T11:00:00Z"><AudienceRestriction><Audience>urn:amazon:webservices</Audience></AudienceRestriction></Conditions>
    <AttributeStatement>{attrs}</AttributeStatement>
  </Assertion>
</samlp:Response>"#
    )
}

fn attr(name: &str, values: &[&str]) -> String {
    let v: String = values
        .iter()
        .map(|v| format!("<AttributeValue>{v}</AttributeValue>"))
        .collect();
    format!(r#"<Attribute Name="{name}">{v}</Attribute>"#)
}

fn b64(s: &str) -> String {
    STANDARD.encode(s)
}

fn good() -> String {
    response(&format!(
        "{}{}{}",
        attr(ROLE_SESSION_NAME_ATTRIBUTE, &["alice@example.com"]),
        attr(
            ROLE_ATTRIBUTE,
            &[
                &format!("{IDP},{ROLE}"),
                &format!("\n   arn:aws:iam::123456789012:role/ADFS-Admin , {IDP}  ")
            ]
        ),
        attr(SESSION_DURATION_ATTRIBUTE, &["28800"])
    ))
}

#[test]
fn reads_roles_session_name_duration_and_expiry() {
    let a = SamlAssertion::parse(&b64(&good())).unwrap();
    let arns: Vec<&str> = a.roles().iter().map(|r| r.role_arn.as_str()).collect();
    assert_eq!(arns, [ROLE, "arn:aws:iam::123456789012:role/ADFS-Admin"]);
    assert!(a.roles().iter().all(|r| r.principal_arn == IDP));
    assert_eq!(a.session_name(), Some("alice@example.com"));
    assert_eq!(a.session_duration(), Some(28800));
    assert_eq!(
        crate::time::format_aws(a.not_on_or_after().unwrap()),
        "2026-11-22T10:05:00Z"
    );
    assert_eq!(a.destination(), Some("https://signin.aws.amazon.com/saml"));
    assert_eq!(
        a.issuer(),
        Some("http://adfs.example.com/adfs/services/trust")
    );
    assert_eq!(a.encoded().expose(), b64(&good()));
    assert!(
        !format!("{a:?}").contains(&b64(&good())),
        "Debug hides the assertion"
    );
}

#[test]
fn accepts_line_breaks_url_encoding_and_raw_xml() {
    let encoded = b64(&good());
    let wrapped: String = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| format!("{}\r\n", std::str::from_utf8(c).unwrap()))
        .collect();
    assert_eq!(
        SamlAssertion::parse(&wrapped).unwrap().encoded().expose(),
        encoded
    );
    let url_encoded = encoded
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    assert_eq!(
        SamlAssertion::parse(&url_encoded)
            .unwrap()
            .encoded()
            .expose(),
        encoded
    );
    let raw = SamlAssertion::parse(&good()).unwrap();
    assert_eq!(raw.roles().len(), 2);
    assert_eq!(raw.encoded().expose(), b64(good().trim()));
}

#[test]
fn refuses_what_is_not_a_usable_response() {
    type Check = fn(&AssertionError) -> bool;
    let cases: Vec<(String, Check)> = vec![
        ("".into(), |e| matches!(e, AssertionError::Empty)),
        (b64(&good())[..101].to_owned(), |e| matches!(e, AssertionError::NotBase64 { .. })),
        ("!!!not base64!!!".into(), |e| matches!(e, AssertionError::NotBase64 { .. })),
        (STANDARD.encode([0xff, 0xfe, 0x00, 0x01]), |e| matches!(e, AssertionError::NotUtf8)),
        (b64("just some text"), |e| matches!(e, AssertionError::NotXml { .. })),
        (b64("<a><b></a>"), |e| matches!(e, AssertionError::NotXml { .. })),
        (b64("<html><body>hi</body></html>"), |e| {
            matches!(e, AssertionError::NotSamlResponse { root } if root == "html")
        }),
        (b64(&response(&attr(ROLE_SESSION_NAME_ATTRIBUTE, &["a"]))), |e| {
            matches!(e, AssertionError::NoRoles)
        }),
        (b64(&response(&attr(ROLE_ATTRIBUTE, &["arn:aws:iam::123456789012:role/X"]))), |e| {
            matches!(e, AssertionError::BadRole(_))
        }),
        (
            b64(&response(&format!(
                "{}{}",
                attr(ROLE_ATTRIBUTE, &[&format!("{ROLE},{IDP}")]),
                attr(SESSION_DURATION_ATTRIBUTE, &["forever"])
            ))),
            |e| matches!(e, AssertionError::BadSessionDuration { .. }),
        ),
        (
            b64(&good().replace(
                r#"<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>"#,
                r#"<samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:RequestDenied"/></samlp:StatusCode>"#,
            )),
            |e| matches!(e, AssertionError::Status { status } if status == "Responder/RequestDenied"),
        ),
        (
            b64(r#"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><EncryptedAssertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion"/></samlp:Response>"#),
            |e| matches!(e, AssertionError::Encrypted),
        ),
    ];
    for (input, check) in cases {
        let err = SamlAssertion::parse(&input).unwrap_err();
        assert!(check(&err), "{input:.60}: {err:?}");
    }
}

#[test]
fn refuses_dtds_external_entities_and_entity_expansion() {
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&x;</samlp:Response>"#;
    let mut laughs = String::from(r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">"#);
    for i in 1..10 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        laughs.push_str(&format!(
            r#"<!ENTITY lol{i} "{}">"#,
            format!("&{prev};").repeat(10)
        ));
    }
    laughs.push_str("]><lolz>&lol9;</lolz>");
    let empty_doctype = format!(
        "<!DOCTYPE samlp:Response>{}",
        good().replace(r#"<?xml version="1.0" encoding="UTF-8"?>"#, "")
    );
    for doc in [xxe.to_owned(), laughs, empty_doctype] {
        assert_eq!(
            SamlAssertion::parse(&b64(&doc)).unwrap_err(),
            AssertionError::Dtd
        );
        assert_eq!(SamlAssertion::parse(&doc).unwrap_err(), AssertionError::Dtd);
    }
}

#[test]
fn refuses_oversized_input_before_decoding() {
    let big = "A".repeat(MAX_ENCODED_LEN + 1);
    assert!(matches!(
        SamlAssertion::parse(&big),
        Err(AssertionError::TooLarge { .. })
    ));
}

#[test]
fn errors_never_quote_the_assertion() {
    let secret_text = "SECRET-SESSION-NAME-123";
    let doc = response(&attr(ROLE_SESSION_NAME_ATTRIBUTE, &[secret_text]));
    let err = SamlAssertion::parse(&b64(&doc)).unwrap_err().to_string();
    assert!(!err.contains(secret_text), "{err}");
    let broken = format!("<samlp:Response>{secret_text}");
    let err = SamlAssertion::parse(&b64(&broken)).unwrap_err().to_string();
    assert!(!err.contains(secret_text), "{err}");
}

// The fuzz target's properties (fuzz/fuzz_targets/saml_assertion.rs) as a stable-toolchain
// property test, so they run with every `cargo test` and not only under nightly libFuzzer.
mod properties {
    use proptest::prelude::*;

    use super::*;

    fn check(result: Result<SamlAssertion, AssertionError>) {
        if let Ok(a) = result {
            assert!(!a.roles().is_empty());
            for role in a.roles() {
                assert_eq!(role.account_id().len(), 12);
                assert!(role.role_arn.contains(":role/"));
                assert!(role.principal_arn.contains(":saml-provider/"));
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
            if let Ok(text) = std::str::from_utf8(&data) {
                check(SamlAssertion::parse(text));
            }
            check(SamlAssertion::parse(&STANDARD.encode(&data)));
        }

        #[test]
        fn mutated_responses_never_panic(
            cut in 0usize..4000,
            splice in "[<>&;=\"'/a-zA-Z0-9:!\\[\\] ]{0,40}",
        ) {
            let good = good();
            let at = (cut % good.len()).min(good.len());
            let at = (0..=at).rev().find(|i| good.is_char_boundary(*i)).unwrap_or(0);
            let mutated = format!("{}{splice}{}", &good[..at], &good[at..]);
            check(SamlAssertion::parse(&mutated));
            check(SamlAssertion::parse(&STANDARD.encode(&mutated)));
        }

        #[test]
        fn role_values_in_either_order_with_any_spacing(
            account in "[0-9]{12}",
            name in "[A-Za-z0-9+=,.@_-]{1,20}",
            pad in proptest::collection::vec("[ \t\r\n]{0,3}", 4),
            provider_first in any::<bool>(),
        ) {
            let name = name.replace(',', "_");
            let role = format!("arn:aws:iam::{account}:role/{name}");
            let idp = format!("arn:aws:iam::{account}:saml-provider/IdP");
            let (a, b) = if provider_first { (&idp, &role) } else { (&role, &idp) };
            let value = format!("{}{a}{},{}{b}{}", pad[0], pad[1], pad[2], pad[3]);
            let doc = response(&format!(
                "{}{}",
                attr(ROLE_SESSION_NAME_ATTRIBUTE, &["s"]),
                attr(ROLE_ATTRIBUTE, &[&value])
            ));
            let parsed = SamlAssertion::parse(&STANDARD.encode(doc)).unwrap();
            prop_assert_eq!(&parsed.roles()[0].role_arn, &role);
            prop_assert_eq!(&parsed.roles()[0].principal_arn, &idp);
            prop_assert_eq!(parsed.roles()[0].account_id(), account.as_str());
        }
    }
}

//! The SAMLResponse parser on arbitrary input: as the text given to `SamlAssertion::parse`
//! (base64, URL-encoded or raw XML), and as decoded bytes (so the XML reader sees every input).
//! It must never panic, and whatever it accepts must hold at least one well-formed role.

#![no_main]

use base64::Engine as _;
use sesame::saml::SamlAssertion;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        check(SamlAssertion::parse(text));
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(data);
    check(SamlAssertion::parse(&encoded));
});

fn check(result: Result<SamlAssertion, sesame::saml::AssertionError>) {
    if let Ok(a) = result {
        assert!(!a.roles().is_empty());
        for role in a.roles() {
            assert_eq!(role.account_id().len(), 12);
            assert!(role.role_arn.contains(":role/"));
            assert!(role.principal_arn.contains(":saml-provider/"));
        }
    }
}

//! SAMLResponses from elsewhere: a pysaml2-signed one assumed, bad ones refused, STS refusals.

use base64::Engine as _;

use crate::common::saml::{ACCOUNT, EXISTING, World, assert_saved, pysaml2_response};
use crate::common::{TestEnv, assert_clean_failure, assert_success, stderr, stdout};

#[test]
fn a_pysaml2_signed_assertion_is_read_and_assumed() {
    let w = World::new();
    w.write_credentials(EXISTING);
    let role = "arn:aws:iam::123456789012:role/PySaml";
    let provider = "arn:aws:iam::123456789012:saml-provider/pysaml2";
    let response = pysaml2_response(role, provider, "py-user");
    let xml = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(&response)
            .unwrap(),
    )
    .unwrap();
    assert!(xml.contains("SignatureValue"), "pysaml2 signed it");

    let file = w.env.home.path().join("response.b64");
    std::fs::write(&file, &response).unwrap();
    let out = w
        .saml(
            &[
                "roles",
                "--assertion-file",
                file.to_str().unwrap(),
                "-o",
                "text",
            ],
            "",
        )
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(
        stdout(&out),
        format!("{ACCOUNT}\tPySaml\t{role}\t{provider}\n")
    );

    let out = w
        .saml(&["assume", "--assertion-file", "-"], "")
        .write_stdin(response)
        .output()
        .unwrap();
    assert_saved(&w, &out, "PySaml", "py-user");
}

#[test]
fn bad_assertions_fail_with_one_line_and_change_nothing() {
    let w = World::new();
    w.write_credentials(EXISTING);
    let before = w.env.snapshot_files();
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let good = pysaml2_response(
        "arn:aws:iam::123456789012:role/PySaml",
        "arn:aws:iam::123456789012:saml-provider/pysaml2",
        "py-user",
    );
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
    let no_role = {
        let xml = String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(&good)
                .unwrap(),
        )
        .unwrap();
        b64(&xml.replace(
            "https://aws.amazon.com/SAML/Attributes/Role\"",
            "https://example.com/NotRole\"",
        ))
    };
    let cases: Vec<(String, &str)> = vec![
        (good[..good.len() / 2 + 1].to_owned(), "not valid base64"),
        (b64("this is not XML at all"), "not well-formed XML"),
        (b64(xxe), "DOCTYPE or ENTITY declaration"),
        (b64(&laughs), "DOCTYPE or ENTITY declaration"),
        (no_role, "grants no AWS role"),
        (String::new(), "the SAML response is empty"),
    ];
    for (input, needle) in cases {
        for command in ["assume", "roles"] {
            let out = w
                .saml(&[command, "--assertion-file", "-"], "")
                .write_stdin(input.clone())
                .output()
                .unwrap();
            assert_clean_failure(&out, 1, needle);
            assert!(stderr(&out).contains("hint: "), "{}", stderr(&out));
            assert!(out.stdout.is_empty());
        }
    }
    let out = w
        .saml(&["assume", "--assertion-file", "/nonexistent/file"], "")
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        1,
        "cannot read the SAML response from /nonexistent/file",
    );
    assert_eq!(w.env.snapshot_files(), before);
}

#[test]
fn an_sts_refusal_is_one_line_and_changes_nothing() {
    let env = TestEnv::new();
    let before = env.snapshot_files();
    // The emulator's STS trusts only its own IdP, as AWS trusts only the registered provider.
    let response = pysaml2_response(
        "arn:aws:iam::123456789012:role/PySaml",
        "arn:aws:iam::123456789012:saml-provider/pysaml2",
        "py-user",
    );
    let out = env
        .sesame()
        .args(["saml", "assume", "--assertion-file", "-"])
        .env("AWS_ENDPOINT_URL_STS", format!("{}/sts", env.url()))
        .write_stdin(response)
        .output()
        .unwrap();
    assert_clean_failure(
        &out,
        1,
        "AssumeRoleWithSAML failed with InvalidIdentityToken (HTTP 400)",
    );
    assert!(
        stderr(&out).contains("hint: AWS refused the assertion"),
        "{}",
        stderr(&out)
    );
    let out = env
        .sesame()
        .args(["saml", "assume", "--assertion-file", "-"])
        .env("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9/sts")
        .write_stdin(pysaml2_response(
            "arn:aws:iam::123456789012:role/PySaml",
            "arn:aws:iam::123456789012:saml-provider/pysaml2",
            "py-user",
        ))
        .output()
        .unwrap();
    assert_clean_failure(&out, 1, "cannot reach STS at http://127.0.0.1:9/sts");
    assert_eq!(env.snapshot_files(), before);
}

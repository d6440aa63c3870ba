//! The emulator's IdP signs its assertions as AD FS does: the real xmlsec1 and pysaml2 verify
//! them with the certificate of its federation metadata and refuse a tampered copy; the
//! emulator's STS refuses tampered and unsigned ones; sesame reads signed ones.

use std::path::Path;
use std::process::{Command, Output};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sesame_emulator::{AdfsConfig, DEFAULT_PASSWORD, EmulatorConfig, IdpSigningKey};

use crate::common::saml::{FORMS, pysaml2_response_keeping_key};
use crate::common::{TestEnv, assert_clean_failure, assert_success, py_script, stderr, stdout};

const METADATA: &str = "/FederationMetadata/2007-06/FederationMetadata.xml";
const READ_ONLY: &str = "arn:aws:iam::111122223333:role/ReadOnly";

fn python(args: &[&str]) -> Output {
    Command::new("python3")
        .arg(py_script("saml_helper.py"))
        .args(args)
        .env("SAML_TEST_PASSWORD", DEFAULT_PASSWORD)
        .output()
        .expect("python3 runs")
}

/// The SAMLResponse XML the emulator's AD FS posts after a forms sign-in of `user`.
fn signed_response(env: &TestEnv, user: &str) -> String {
    let out = python(&["adfs-signin", &format!("{}{FORMS}", env.url()), user]);
    assert!(out.status.success(), "{}", stderr(&out));
    String::from_utf8(STANDARD.decode(stdout(&out).trim()).unwrap()).unwrap()
}

/// The IdP metadata, saved to `dir`, and the signing certificate it publishes as a PEM file.
fn metadata(env: &TestEnv, dir: &Path) -> (String, std::path::PathBuf, std::path::PathBuf) {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys,urllib.request; r=urllib.request.urlopen(sys.argv[1]); print(r.headers['Content-Type']); sys.stdout.write(r.read().decode())",
            &format!("{}{METADATA}", env.url()),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let (content_type, xml) = text.split_once('\n').unwrap();
    assert_eq!(content_type, "application/samlmetadata+xml");
    let cert = xml
        .split_once("<X509Certificate>")
        .and_then(|(_, rest)| rest.split_once("</X509Certificate>"))
        .map(|(cert, _)| cert.to_owned())
        .expect("a signing certificate in the metadata");
    let lines: Vec<&str> = cert
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    );
    let (metadata_file, cert_file) = (dir.join("idp-metadata.xml"), dir.join("idp-cert.pem"));
    std::fs::write(&metadata_file, xml).unwrap();
    std::fs::write(&cert_file, pem).unwrap();
    (xml.to_owned(), metadata_file, cert_file)
}

fn xmlsec1_verify(cert: &Path, document: &Path) -> Output {
    Command::new("xmlsec1")
        .arg("--verify")
        .arg("--pubkey-cert-pem")
        .arg(cert)
        .args([
            "--id-attr:ID",
            "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
        ])
        .arg(document)
        .output()
        .expect("xmlsec1 runs (`apt-get install xmlsec1`)")
}

fn tamper(xml: &str) -> String {
    let tampered = xml.replace("role/ReadOnly<", "role/Admin<");
    assert_ne!(tampered, xml);
    tampered
}

#[test]
fn xmlsec1_and_pysaml2_verify_the_idp_signature_and_refuse_a_tampered_copy() {
    let env = TestEnv::new();
    let dir = tempfile::tempdir().unwrap();
    let (metadata_xml, metadata_file, cert_file) = metadata(&env, dir.path());
    assert!(
        metadata_xml.contains(&format!(r#"entityID="{}/adfs/services/trust""#, env.url())),
        "{metadata_xml}"
    );
    assert!(
        metadata_xml.contains(r#"<KeyDescriptor use="signing">"#),
        "{metadata_xml}"
    );

    let xml = signed_response(&env, "erin@acme.test");
    // AD FS's shape: the Signature right after the Assertion's Issuer, RSA-SHA256, exc-c14n.
    let assertion = &xml[xml.find("<Assertion ").unwrap()..];
    let issuer_end = assertion.find("</Issuer>").unwrap() + "</Issuer>".len();
    assert!(
        assertion[issuer_end..].starts_with("<ds:Signature "),
        "{assertion}"
    );
    assert!(xml.contains("xmldsig-more#rsa-sha256") && xml.contains("xml-exc-c14n#"));
    let id = &assertion["<Assertion ID=\"".len()..];
    let id = &id[..id.find('"').unwrap()];
    assert!(xml.contains(&format!(r##"<ds:Reference URI="#{id}">"##)));

    let good = dir.path().join("response.xml");
    let bad = dir.path().join("tampered.xml");
    std::fs::write(&good, &xml).unwrap();
    std::fs::write(&bad, tamper(&xml)).unwrap();

    let out = xmlsec1_verify(&cert_file, &good);
    assert!(out.status.success(), "xmlsec1: {}", stderr(&out));
    // (It may first say that it cannot chain KeyInfo's self-signed certificate: the key it
    // verifies with is the metadata's, given by --pubkey-cert-pem.)
    assert!(stderr(&out).lines().any(|l| l == "OK"), "{}", stderr(&out));
    assert!(stderr(&out).contains("SignedInfo References (ok/all): 1/1"));
    let out = xmlsec1_verify(&cert_file, &bad);
    assert!(
        !out.status.success(),
        "xmlsec1 accepted a tampered assertion"
    );
    assert!(stderr(&out).contains("FAIL"), "{}", stderr(&out));

    // pysaml2 as the AWS service provider, trusting the IdP by its metadata.
    let sp = |file: &Path| {
        python(&[
            "pysaml2-sp",
            metadata_file.to_str().unwrap(),
            file.to_str().unwrap(),
        ])
    };
    let out = sp(&good);
    assert!(out.status.success(), "pysaml2: {}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "arn:aws:iam::123456789012:saml-provider/sesame-emulator,arn:aws:iam::123456789012:role/ADFS-Dev\n\
         arn:aws:iam::123456789012:saml-provider/sesame-emulator,arn:aws:iam::123456789012:role/ADFS-Admin\n\
         arn:aws:iam::111122223333:saml-provider/sesame-emulator,arn:aws:iam::111122223333:role/ReadOnly\n"
    );
    let out = sp(&bad);
    assert!(
        !out.status.success(),
        "pysaml2 accepted a tampered assertion"
    );
    assert!(
        stderr(&out).contains("pysaml2 refused the Response: SignatureError"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_emulator_sts_takes_a_signed_assertion_and_refuses_a_tampered_or_unsigned_one() {
    let env = TestEnv::new();
    let before = env.snapshot_files();
    let xml = signed_response(&env, "erin@acme.test");
    let sts = format!("{}/sts", env.url());
    let assume = |assertion: &str, role: &str| {
        env.sesame()
            .args([
                "saml",
                "assume",
                "--assertion-file",
                "-",
                "--role",
                role,
                "--credential-process",
            ])
            .env("AWS_ENDPOINT_URL_STS", &sts)
            .write_stdin(assertion.to_owned())
            .output()
            .unwrap()
    };

    // sesame reads the signed assertion (the Signature is no attribute) and STS verifies it.
    let out = env
        .sesame()
        .args(["saml", "roles", "--assertion-file", "-", "-o", "text"])
        .write_stdin(xml.clone())
        .output()
        .unwrap();
    assert_success(&out);
    assert_eq!(stdout(&out).lines().count(), 3, "{}", stdout(&out));
    let out = assume(&xml, READ_ONLY);
    assert_success(&out);
    assert!(
        stdout(&out).contains("\"AccessKeyId\": \"ASIA"),
        "{}",
        stdout(&out)
    );

    let tampered = tamper(&xml);
    let out = assume(&tampered, "arn:aws:iam::111122223333:role/Admin");
    assert_clean_failure(&out, 1, "InvalidIdentityToken");
    assert!(
        stderr(&out).contains("Response signature invalid"),
        "{}",
        stderr(&out)
    );

    let start = xml.find("<ds:Signature ").unwrap();
    let end = xml.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let unsigned = format!("{}{}", &xml[..start], &xml[end..]);
    let out = assume(&unsigned, READ_ONLY);
    assert_clean_failure(&out, 1, "InvalidIdentityToken");
    assert!(
        stderr(&out).contains("Response signature invalid"),
        "{}",
        stderr(&out)
    );
    assert_eq!(env.snapshot_files(), before);
}

#[test]
fn the_emulator_sts_verifies_a_signature_xmlsec1_made_for_pysaml2() {
    // The emulator's IdP key is pysaml2's, so the emulator's STS checks a document it did not
    // write (other prefixes, a signed Response around the signed Assertion) with its own c14n.
    let dir = tempfile::tempdir().unwrap();
    let role = "arn:aws:iam::123456789012:role/PySaml";
    let provider = "arn:aws:iam::123456789012:saml-provider/pysaml2";
    let encoded = pysaml2_response_keeping_key(role, provider, "py-user", Some(dir.path()));
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let key = IdpSigningKey::from_pem(&read("key.pem"), &read("cert.pem"))
        .expect("pysaml2's PKCS#1 key and its certificate");
    let env = TestEnv::with(EmulatorConfig {
        auto_approve: true,
        adfs: AdfsConfig {
            signing_key: key,
            ..AdfsConfig::default()
        },
        ..EmulatorConfig::default()
    });
    let xml = String::from_utf8(STANDARD.decode(&encoded).unwrap()).unwrap();
    let assume = |assertion: &str| {
        env.sesame()
            .args([
                "saml",
                "assume",
                "--assertion-file",
                "-",
                "--credential-process",
            ])
            .env("AWS_ENDPOINT_URL_STS", format!("{}/sts", env.url()))
            .write_stdin(assertion.to_owned())
            .output()
            .unwrap()
    };
    // The signature verifies; what STS refuses next is the issuer it does not trust.
    let out = assume(&xml);
    assert_clean_failure(&out, 1, "InvalidIdentityToken");
    assert!(
        stderr(&out)
            .contains("Issuer `https://pysaml2-idp.test/idp` is not a trusted identity provider"),
        "{}",
        stderr(&out)
    );
    let tampered = xml.replace("role/PySaml", "role/Admin");
    assert_ne!(tampered, xml);
    let out = assume(&tampered);
    assert_clean_failure(&out, 1, "InvalidIdentityToken");
    assert!(
        stderr(&out).contains("Response signature invalid"),
        "{}",
        stderr(&out)
    );
}

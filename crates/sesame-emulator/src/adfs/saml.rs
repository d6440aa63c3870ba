//! The SAML 2.0 Response the emulated AD FS posts to AWS (shaped like saml2aws'
//! `testdata/assertion.xml` and a real AD FS answer), and the auto-posting page carrying it.
//!
//! The Assertion is signed as AD FS signs it ([`super::signing`]); the Response is not (AD FS's
//! default). moto's STS validates nothing (docs/protocols.md, *moto*); the emulator's STS verifies
//! the signature. A user with several roles gets one `Role` attribute with several values (moto
//! answers 500 to that; real AWS takes it).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::{SignedDuration, Timestamp};

use super::config::{AdfsConfig, AdfsUser};
use super::signing::{SignError, sign_assertion};
use crate::pages::escape;

/// Where AWS's SAML sign-in endpoint is (the `Destination` and `Recipient`).
pub(crate) const AWS_SIGNIN: &str = "https://signin.aws.amazon.com/saml";

/// The saml-provider ARN of the account of `role_arn`.
pub(crate) fn provider_of(role_arn: &str) -> String {
    let account = role_arn.split(':').nth(4).unwrap_or_default();
    format!("arn:aws:iam::{account}:saml-provider/sesame-emulator")
}

fn time(ts: Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn id() -> String {
    format!("_{}", crate::state::random_token(32))
}

fn after(now: Timestamp, d: Duration) -> Timestamp {
    now.checked_add(SignedDuration::try_from(d).unwrap_or(SignedDuration::ZERO))
        .unwrap_or(now)
}

/// The base64 `SAMLResponse` for `user`, issued by `issuer`, its Assertion signed with
/// `config.signing_key`.
pub(crate) fn response(
    config: &AdfsConfig,
    user: &AdfsUser,
    issuer: &str,
) -> Result<String, SignError> {
    let now = Timestamp::now();
    let assertion_id = id();
    let mut attributes = format!(
        r#"<Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><AttributeValue>{}</AttributeValue></Attribute>"#,
        escape(&user.upn)
    );
    if !user.roles.is_empty() {
        let values: String = user
            .roles
            .iter()
            .map(|r| {
                format!(
                    "<AttributeValue>{},{}</AttributeValue>",
                    escape(&provider_of(r)),
                    escape(r)
                )
            })
            .collect();
        attributes.push_str(&format!(
            r#"<Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">{values}</Attribute>"#
        ));
    }
    if let Some(d) = config.session_duration {
        attributes.push_str(&format!(
            r#"<Attribute Name="https://aws.amazon.com/SAML/Attributes/SessionDuration"><AttributeValue>{d}</AttributeValue></Attribute>"#
        ));
    }
    let xml = format!(
        r#"<samlp:Response ID="{rid}" Version="2.0" IssueInstant="{now}" Destination="{AWS_SIGNIN}" Consent="urn:oasis:names:tc:SAML:2.0:consent:unspecified" xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><Issuer xmlns="urn:oasis:names:tc:SAML:2.0:assertion">{issuer}</Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success" /></samlp:Status><Assertion ID="{aid}" IssueInstant="{now}" Version="2.0" xmlns="urn:oasis:names:tc:SAML:2.0:assertion"><Issuer>{issuer}</Issuer><Subject><NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">{domain}\{short}</NameID><SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><SubjectConfirmationData NotOnOrAfter="{until}" Recipient="{AWS_SIGNIN}" /></SubjectConfirmation></Subject><Conditions NotBefore="{now}" NotOnOrAfter="{until_conditions}"><AudienceRestriction><Audience>urn:amazon:webservices</Audience></AudienceRestriction></Conditions><AttributeStatement>{attributes}</AttributeStatement><AuthnStatement AuthnInstant="{now}" SessionIndex="{aid}"><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</AuthnContextClassRef></AuthnContext></AuthnStatement></Assertion></samlp:Response>"#,
        rid = id(),
        aid = assertion_id,
        now = time(now),
        until = time(after(now, config.assertion_lifetime)),
        until_conditions = time(after(now, Duration::from_secs(3600))),
        issuer = escape(issuer),
        domain = escape(&config.domain),
        short = escape(user.short_name()),
    );
    Ok(STANDARD.encode(sign_assertion(&xml, &config.signing_key)?))
}

/// The page AD FS answers once signed in: a form that posts `SAMLResponse` to AWS by script.
pub(crate) fn post_page(saml_response: &str) -> String {
    format!(
        r#"<html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="{AWS_SIGNIN}"><input type="hidden" name="SAMLResponse" value="{}" /><noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script language="javascript">window.setTimeout('document.forms[0].submit()', 0);</script></body></html>"#,
        escape(saml_response)
    )
}

//! STS `AssumeRoleWithSAML` (awsQuery, docs/protocols.md, *Wire protocols*) for the emulator's own
//! assertions, checked the way AWS checks them and moto does not: the document holds one Assertion
//! whose enveloped XML signature verifies with the IdP's signing key ([`super::verify`]; an
//! unsigned, tampered or otherwise signed one answers `InvalidIdentityToken` "Response signature
//! invalid", as AWS does), the issuer is this IdP, the audience is `urn:amazon:webservices`, the
//! recipient is AWS's sign-in endpoint, the assertion has not expired, it names a session, and the
//! requested `RoleArn`/`PrincipalArn` pair is one of its `Role` values (any number of them, either
//! order). Issued credentials answer `/_emulator/whoami` like the portal's.
//!
//! Route: `POST /sts` (point `AWS_ENDPOINT_URL_STS` at `{emulator}/sts`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jiff::{SignedDuration, Timestamp};
use roxmltree::{Document, Node};

use super::saml::AWS_SIGNIN;
use crate::pages::escape;
use crate::state::{RoleAssignment, Shared, random_token};

const ASSERTION_NS: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const STS_NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        r#"<ErrorResponse xmlns="{STS_NS}"><Error><Type>Sender</Type><Code>{code}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>"#,
        escape(message),
        random_token(16)
    );
    (status, [(header::CONTENT_TYPE, "text/xml")], body).into_response()
}

fn rejected(message: &str) -> Response {
    error(StatusCode::FORBIDDEN, "IDPRejectedClaim", message)
}

fn invalid(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "InvalidIdentityToken", message)
}

fn el<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.descendants().find(|n| {
        n.is_element()
            && n.tag_name().name() == name
            && n.tag_name().namespace() == Some(ASSERTION_NS)
    })
}

fn text(node: Option<Node<'_, '_>>) -> String {
    node.and_then(|n| n.text())
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// `POST /sts` with `Action=AssumeRoleWithSAML`.
pub(crate) async fn assume_role_with_saml(
    State(shared): State<Arc<Shared>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    if field("Action") != "AssumeRoleWithSAML" {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidAction",
            "only AssumeRoleWithSAML is emulated",
        );
    }
    let (role_arn, principal_arn) = (field("RoleArn"), field("PrincipalArn"));
    if role_arn.len() < 20 || principal_arn.len() < 20 {
        return error(
            StatusCode::BAD_REQUEST,
            "ValidationError",
            "RoleArn and PrincipalArn are required",
        );
    }
    let Some(xml) = STANDARD
        .decode(field("SAMLAssertion"))
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
    else {
        return invalid("Invalid base64 SAMLResponse");
    };
    let Ok(doc) = Document::parse(&xml) else {
        return invalid("Invalid SAML response: not XML");
    };
    let Some(assertion) = el(doc.root_element(), "Assertion") else {
        return invalid("Invalid SAML response: no Assertion");
    };
    let assertions = doc
        .descendants()
        .filter(|n| n.has_tag_name((ASSERTION_NS, "Assertion")))
        .count();
    if assertions != 1 {
        return invalid("Invalid SAML response: more than one Assertion");
    }
    if let Err(e) = super::verify_assertion(assertion, &shared.config.adfs.signing_key) {
        tracing::info!("AssumeRoleWithSAML refused: {e}");
        return invalid("Response signature invalid");
    }
    let issuer = text(el(assertion, "Issuer"));
    let adfs = format!("{}/adfs/services/trust", shared.base_url);
    let keycloak = format!("{}/realms/acme", shared.base_url);
    if issuer != adfs && issuer != keycloak {
        return invalid(&format!(
            "Issuer `{issuer}` is not a trusted identity provider"
        ));
    }
    if text(el(assertion, "Audience")) != "urn:amazon:webservices" {
        return invalid("Audience is not urn:amazon:webservices");
    }
    let confirmation = el(assertion, "SubjectConfirmationData");
    if confirmation.and_then(|n| n.attribute("Recipient")) != Some(AWS_SIGNIN) {
        return invalid("Recipient is not the AWS sign-in endpoint");
    }
    let now = Timestamp::now();
    let not_after = confirmation
        .and_then(|n| n.attribute("NotOnOrAfter"))
        .and_then(|t| t.parse::<Timestamp>().ok());
    if not_after.is_none_or(|t| t <= now) {
        return error(
            StatusCode::BAD_REQUEST,
            "ExpiredTokenException",
            "Token must be redeemed within 5 minutes of issuance",
        );
    }
    let mut session = None;
    let mut pairs = Vec::new();
    for attr in assertion
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "Attribute")
    {
        let values = attr
            .children()
            .filter(|n| n.tag_name().name() == "AttributeValue")
            .map(|n| text(Some(n)));
        match attr.attribute("Name") {
            Some("https://aws.amazon.com/SAML/Attributes/RoleSessionName") => {
                session = values.into_iter().next();
            }
            Some("https://aws.amazon.com/SAML/Attributes/Role") => pairs.extend(values),
            _ => {}
        }
    }
    let Some(session) = session.filter(|s| !s.is_empty()) else {
        return invalid("No RoleSessionName attribute");
    };
    let granted = pairs.iter().any(|v| {
        let parts: Vec<&str> = v.split(',').map(str::trim).collect();
        parts.len() == 2 && parts.contains(&role_arn) && parts.contains(&principal_arn)
    });
    if !granted {
        return rejected("Not authorized to perform sts:AssumeRoleWithSAML");
    }

    let duration: i64 = field("DurationSeconds").parse().unwrap_or(3600);
    if !(900..=43200).contains(&duration) {
        return error(
            StatusCode::BAD_REQUEST,
            "ValidationError",
            "DurationSeconds must be between 900 and 43200",
        );
    }
    let expiration = now
        .checked_add(SignedDuration::from_secs(duration))
        .unwrap_or(now)
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let account = role_arn.split(':').nth(4).unwrap_or_default().to_owned();
    let role_name = role_arn.rsplit('/').next().unwrap_or_default().to_owned();
    let access_key_id = format!("ASIA{}", random_token(16).to_uppercase());
    shared.store().credentials.insert(
        access_key_id.clone(),
        RoleAssignment {
            account_id: account.clone(),
            role_name: role_name.clone(),
        },
    );
    let body = format!(
        r#"<AssumeRoleWithSAMLResponse xmlns="{STS_NS}"><AssumeRoleWithSAMLResult><Credentials><AccessKeyId>{access_key_id}</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey><SessionToken>{token}</SessionToken><Expiration>{expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA{rid}:{s}</AssumedRoleId><Arn>arn:aws:sts::{account}:assumed-role/{role}/{s}</Arn></AssumedRoleUser><Subject>{s}</Subject><SubjectType>persistent</SubjectType><Issuer>{issuer}</Issuer><Audience>{AWS_SIGNIN}</Audience></AssumeRoleWithSAMLResult><ResponseMetadata><RequestId>{req}</RequestId></ResponseMetadata></AssumeRoleWithSAMLResponse>"#,
        secret = random_token(40),
        token = random_token(300),
        rid = random_token(17).to_uppercase(),
        s = escape(&session),
        role = escape(&role_name),
        issuer = escape(&issuer),
        req = random_token(16),
    );
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/xml")], body).into_response()
}

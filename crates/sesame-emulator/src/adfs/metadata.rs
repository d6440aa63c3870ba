//! SAML 2.0 federation metadata of the emulated IdPs, with their signing certificate, so a user
//! can register them as a SAML provider (as with AD FS's
//! `/FederationMetadata/2007-06/FederationMetadata.xml`) and tests can verify assertions with
//! the published certificate. Unlike AD FS's, the metadata document itself is not signed.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::Idp;
use crate::pages::escape;

/// Where AD FS publishes its metadata.
pub(crate) const ADFS_METADATA: &str = "/FederationMetadata/2007-06/FederationMetadata.xml";
/// Where Keycloak publishes a realm's SAML IdP metadata.
pub(crate) const KEYCLOAK_METADATA: &str = "/realms/acme/protocol/saml/descriptor";

fn document(entity_id: &str, sso_url: &str, cert_base64: &str) -> String {
    let post = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
    let redirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><EntityDescriptor ID="_{id}" entityID="{entity}" xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAuthnRequestsSigned="false"><KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{cert_base64}</X509Certificate></X509Data></KeyInfo></KeyDescriptor><NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</NameIDFormat><NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</NameIDFormat><SingleSignOnService Binding="{redirect}" Location="{sso}"/><SingleSignOnService Binding="{post}" Location="{sso}"/></IDPSSODescriptor></EntityDescriptor>"#,
        id = crate::state::random_token(32),
        entity = escape(entity_id),
        sso = escape(sso_url),
    )
}

fn xml(body: String) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/samlmetadata+xml")],
        body,
    )
        .into_response()
}

/// `GET /FederationMetadata/2007-06/FederationMetadata.xml`: the AD FS IdP's metadata.
pub(crate) async fn adfs(State(idp): State<Arc<Idp>>) -> Response {
    xml(document(
        &idp.issuer(),
        &format!("{}/adfs/ls/", idp.base_url),
        idp.config.signing_key.certificate_base64(),
    ))
}

/// `GET /realms/acme/protocol/saml/descriptor`: the Keycloak-like IdP's metadata.
pub(crate) async fn keycloak(State(idp): State<Arc<Idp>>) -> Response {
    xml(document(
        &idp.keycloak_issuer(),
        &format!("{}/realms/acme/protocol/saml", idp.base_url),
        idp.config.signing_key.certificate_base64(),
    ))
}

//! Error answers in the exact wire shapes of the two APIs.
//!
//! botocore picks the modelled exception from the `x-amzn-ErrorType` header (cut at the first
//! `:`), so both shapes send it; the bodies match what the real services send
//! (docs/protocols.md, *SSO OIDC* and *SSO portal*).

use axum::{
    Json,
    http::{HeaderValue, StatusCode},
    response::{IntoResponse, Response},
};
use serde_json::json;

/// Namespace suffix of OIDC error types in `x-amzn-ErrorType`.
const OIDC_NAMESPACE: &str = "http://internal.amazon.com/coral/com.amazonaws.sso.oidc/";
/// Namespace suffix of portal error types in `x-amzn-ErrorType`.
const PORTAL_NAMESPACE: &str = "http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/";

/// The OIDC (`sso-oidc`) error shapes the emulator answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OidcErrorKind {
    AuthorizationPending,
    SlowDown,
    ExpiredToken,
    InvalidGrant,
    InvalidClient,
    InvalidRequest,
    AccessDenied,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
    InvalidClientMetadata,
    InvalidRedirectUri,
    TooManyRequests,
    InternalServer,
}

impl OidcErrorKind {
    /// The modelled shape name, sent in `x-amzn-ErrorType`.
    pub(crate) fn shape(self) -> &'static str {
        match self {
            Self::AuthorizationPending => "AuthorizationPendingException",
            Self::SlowDown => "SlowDownException",
            Self::ExpiredToken => "ExpiredTokenException",
            Self::InvalidGrant => "InvalidGrantException",
            Self::InvalidClient => "InvalidClientException",
            Self::InvalidRequest => "InvalidRequestException",
            Self::AccessDenied => "AccessDeniedException",
            Self::UnauthorizedClient => "UnauthorizedClientException",
            Self::UnsupportedGrantType => "UnsupportedGrantTypeException",
            Self::InvalidScope => "InvalidScopeException",
            Self::InvalidClientMetadata => "InvalidClientMetadataException",
            Self::InvalidRedirectUri => "InvalidRedirectUriException",
            // Not modelled by sso-oidc; botocore's retry handler knows the name as throttling.
            Self::TooManyRequests => "TooManyRequestsException",
            Self::InternalServer => "InternalServerException",
        }
    }

    /// The OAuth-style snake_case code sent in the body's `error` member.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::AuthorizationPending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::ExpiredToken => "expired_token",
            Self::InvalidGrant => "invalid_grant",
            Self::InvalidClient => "invalid_client",
            Self::InvalidRequest => "invalid_request",
            Self::AccessDenied => "access_denied",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidClientMetadata => "invalid_client_metadata",
            Self::InvalidRedirectUri => "invalid_redirect_uri",
            Self::TooManyRequests => "too_many_requests",
            Self::InternalServer => "server_error",
        }
    }

    /// The HTTP status of the shape (docs/protocols.md, *SSO OIDC*).
    pub(crate) fn status(self) -> StatusCode {
        match self {
            Self::InvalidClient => StatusCode::UNAUTHORIZED,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::InternalServer => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// An OIDC error answer: status, `x-amzn-ErrorType`, `{"error","error_description"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OidcError {
    pub(crate) kind: OidcErrorKind,
    pub(crate) description: String,
}

impl OidcError {
    pub(crate) fn new(kind: OidcErrorKind, description: impl Into<String>) -> Self {
        Self {
            kind,
            description: description.into(),
        }
    }
}

impl IntoResponse for OidcError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.kind.code(), "error_description": self.description});
        let mut response = (self.kind.status(), Json(body)).into_response();
        set_error_type(&mut response, self.kind.shape(), OIDC_NAMESPACE);
        response
    }
}

/// The portal (`sso`) error shapes the emulator answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PortalErrorKind {
    Unauthorized,
    TooManyRequests,
    InvalidRequest,
    #[expect(
        dead_code,
        reason = "modelled by the portal API; no emulated call answers it yet"
    )]
    ResourceNotFound,
    /// Not modelled, but what the real portal answers for an account or role not assigned.
    Forbidden,
    InternalServer,
}

impl PortalErrorKind {
    /// The shape name, sent in `x-amzn-ErrorType` and `__type`.
    pub(crate) fn shape(self) -> &'static str {
        match self {
            Self::Unauthorized => "UnauthorizedException",
            Self::TooManyRequests => "TooManyRequestsException",
            Self::InvalidRequest => "InvalidRequestException",
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::Forbidden => "ForbiddenException",
            Self::InternalServer => "InternalServerException",
        }
    }

    /// The HTTP status of the shape (docs/protocols.md, *SSO portal*).
    pub(crate) fn status(self) -> StatusCode {
        match self {
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::InvalidRequest => StatusCode::BAD_REQUEST,
            Self::ResourceNotFound => StatusCode::NOT_FOUND,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::InternalServer => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A portal error answer: status, `x-amzn-ErrorType`, `{"message","__type"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PortalError {
    pub(crate) kind: PortalErrorKind,
    pub(crate) message: String,
}

impl PortalError {
    pub(crate) fn new(kind: PortalErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// The answer to a missing, unknown, expired or revoked bearer token.
    pub(crate) fn unauthorized() -> Self {
        Self::new(
            PortalErrorKind::Unauthorized,
            "Session token not found or invalid",
        )
    }

    /// The answer to an account or role the user is not assigned.
    pub(crate) fn no_access() -> Self {
        Self::new(PortalErrorKind::Forbidden, "No access")
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(PortalErrorKind::InvalidRequest, message)
    }
}

impl IntoResponse for PortalError {
    fn into_response(self) -> Response {
        let shape = self.kind.shape();
        let body = json!({
            "message": self.message,
            "__type": format!("com.amazonaws.switchboard.portal#{shape}"),
        });
        let mut response = (self.kind.status(), Json(body)).into_response();
        set_error_type(&mut response, shape, PORTAL_NAMESPACE);
        response
    }
}

fn set_error_type(response: &mut Response, shape: &str, namespace: &str) {
    let value = HeaderValue::from_str(&format!("{shape}:{namespace}"))
        .expect("shape names and namespaces are ASCII");
    response.headers_mut().insert("x-amzn-errortype", value);
}

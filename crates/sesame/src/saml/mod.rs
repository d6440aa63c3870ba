//! SAML 2.0 federation: from an IdP's `SAMLResponse` to STS credentials in a profile.
//!
//! - [`assertion`]: the `SAMLResponse` decoded and read safely (base64, a size cap, XML with no
//!   DTD at all — so no external entities and no entity expansion), and what AWS reads from it:
//!   the role pairs, `RoleSessionName`, `SessionDuration`, the expiry.
//! - [`roles`]: choosing one of the assertion's roles by ARN, name or glob.
//! - [`sts`]: `AssumeRoleWithSAML` over STS's query protocol (unsigned, as botocore sends it).
//! - [`store`]: the credentials written into a profile of the shared credentials file, keeping
//!   every other byte of it.
//! - `idp` (feature `saml`): drivers that sign in to an IdP and bring back the `SAMLResponse`:
//!   AD FS forms (with MFA step pages), AD FS Windows integrated authentication (NTLM; Kerberos
//!   with the `kerberos` feature), and a generic login-form driver.
//!
//! The wire and attribute facts are in docs/protocols.md, *Wire protocols* and *SAML and AD FS*.

pub mod assertion;
#[cfg(feature = "saml")]
pub mod idp;
pub mod roles;
pub mod store;
pub mod sts;

pub use assertion::{AssertionError, SamlAssertion};
pub use roles::{RoleChoiceError, SamlRole, select_role};
pub use sts::{StsClient, StsError};

/// The SAML attribute that lists the roles a user may assume (`role_arn,principal_arn` pairs).
pub const ROLE_ATTRIBUTE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
/// The SAML attribute that names the role session.
pub const ROLE_SESSION_NAME_ATTRIBUTE: &str =
    "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
/// The SAML attribute that caps the session's length, in seconds.
pub const SESSION_DURATION_ATTRIBUTE: &str =
    "https://aws.amazon.com/SAML/Attributes/SessionDuration";
/// The relying-party identifier AWS is known by at an IdP (AD FS `loginToRp`, the `Audience`).
pub const AWS_RELYING_PARTY: &str = "urn:amazon:webservices";

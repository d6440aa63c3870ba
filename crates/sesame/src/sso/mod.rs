//! IAM Identity Center: the OIDC client, the portal client, and the login flows that tie them to
//! the AWS CLI's token cache.
//!
//! - [`oidc`]: RegisterClient, StartDeviceAuthorization, CreateToken (device code, PKCE, refresh).
//! - [`portal`]: ListAccounts, ListAccountRoles, GetRoleCredentials, Logout.
//! - [`session`]: which `[sso-session]` (or legacy start URL) a command means, and its endpoints.
//! - [`start_url`]: start URL forms and vanity URL resolution, as the AWS CLI v2's.
//! - [`login`]: the login flows under a cross-process lock, and silent refresh.

mod error;
pub mod login;
pub mod oidc;
pub mod pkce;
pub mod portal;
pub mod session;
pub mod start_url;
mod wire;

pub use error::SsoError;
pub use login::{LoginFlow, LoginOptions, LoginOutcome, LoginPrompt, Sso};
pub use session::{SessionSelector, SsoSession};

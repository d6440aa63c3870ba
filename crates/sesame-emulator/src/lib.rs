//! A local IAM Identity Center (AWS SSO) for tests, demos and benchmarks.
//!
//! One loopback port serves both APIs with the real paths, member names, status codes and error
//! shapes, so botocore and the AWS CLI accept it unchanged (point them at it with
//! `AWS_ENDPOINT_URL_SSO` and `AWS_ENDPOINT_URL_SSO_OIDC`):
//!
//! | API | Routes |
//! |---|---|
//! | OIDC (`sso-oidc`) | `POST /client/register`, `POST /device_authorization`, `POST /token` |
//! | Portal (`sso`) | `GET /assignment/accounts`, `GET /assignment/roles`, `GET /federation/credentials`, `POST /logout` |
//! | Console federation | `GET /federation?Action=getSigninToken` and `?Action=login` (the `signin.aws.amazon.com` endpoint) |
//! | Browser pages | `GET`/`POST /device` (device verification), `GET`/`POST /authorize` (PKCE consent) |
//! | SAML IdP (AD FS-like) | `/adfs/ls/IdpInitiatedSignOn.aspx`, `/adfs/ls/auth/integrated/` (NTLM; Kerberos with the `kerberos` feature), a Keycloak-like `/realms/acme/...`; signed assertions, metadata at `/FederationMetadata/2007-06/FederationMetadata.xml`: see [`AdfsConfig`] |
//! | Control (tests) | `/_emulator/*`, below |
//!
//! What the real service checks is checked: client id and secret (401 InvalidClientException),
//! grant types allowed by the registration, device-code polling (AuthorizationPending,
//! SlowDown sooner than `interval` after the previous poll, ExpiredToken, AccessDenied,
//! InvalidGrant once redeemed), PKCE (registered loopback redirect URI ignoring the port,
//! S256 verifier, single-use five-minute codes), rotating refresh tokens, bearer tokens
//! (401 UnauthorizedException when unknown, expired or logged out) and assignments
//! (403 ForbiddenException "No access" for an account or role the user does not have).
//!
//! # Control API
//!
//! Never delayed, throttled or faulted.
//!
//! | Request | Answer |
//! |---|---|
//! | `GET /_emulator/stats` | [`Stats`] as snake_case JSON: `registrations`, `device_authorizations`, `authorizations`, `tokens_issued`, `refreshes`, `logouts`, `role_credentials_issued`, `throttled`, `faults_429`, `faults_500`, `faults_dropped`, `requests` (per operation) |
//! | `POST /_emulator/approve` `{"userCode":"ABCD-EFGH"}` | `{"approved":["ABCD-EFGH"]}`, or 404 if that code is not pending; with no body, approves every pending code |
//! | `POST /_emulator/deny` `{"userCode":"ABCD-EFGH"}` | `{"denied":[...]}`, same rules |
//! | `GET /_emulator/pending` | `{"userCodes":[...]}` waiting for approval, oldest first |
//! | `GET /_emulator/whoami?access_key_id=ASIA...` | `{"accountId":"...","roleName":"..."}` of issued role credentials, or 404 |
//! | `POST /_emulator/faults` `{"tps":20,"fault429":0.1,"fault500":0.05,"faultDrop":0.05}` | the new [`FaultSettings`], in force from now on (log in first, then make the emulator hostile) |
//! | any method `/_emulator/caller`, SigV4-signed with issued role credentials | `{"accountId","roleName","region","service"}` of the signer (the Authorization header's access key and scope; the signature is not verified), or 403 in the AWS JSON error shape |
//!
//! # Knobs
//!
//! [`EmulatorConfig`] (and the binary's flags): directory size, token/session/registration/
//! device-code/credential lifetimes, polling interval, auto-approval, latency, a global
//! requests-per-second throttle (429 TooManyRequestsException past it) and seeded fault
//! injection (429, 500, or a connection closed without an answer).
//!
//! # Use from tests
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let emulator = sesame_emulator::start(sesame_emulator::EmulatorConfig {
//!     accounts: 250,
//!     ..sesame_emulator::EmulatorConfig::auto_approving()
//! })
//! .await?;
//! let url = emulator.url(); // http://127.0.0.1:PORT, for AWS_ENDPOINT_URL_SSO(_OIDC)
//! // ... run the code under test against `url` ...
//! assert_eq!(emulator.stats().registrations, 1);
//! emulator.shutdown().await
//! # }
//! ```
//!
//! Synchronous code uses [`spawn`], which runs the emulator on its own thread until the
//! returned [`EmulatorHandle`] is dropped. Both handles dereference to [`Control`], which holds
//! the URL and the in-process control calls.

mod adfs;
mod authorize;
mod config;
mod control;
mod directory;
mod errors;
mod faults;
mod federation;
mod oidc;
mod pages;
mod portal;
mod server;
mod signed;
mod signin;
mod state;
mod stats;

pub use adfs::{
    AdfsConfig, AdfsUser, DEFAULT_MFA_CODE, DEFAULT_PASSWORD, IdpSigningKey, KerberosAnswer,
    SigningKeyError,
};
pub use config::EmulatorConfig;
pub use control::Control;
pub use directory::{Account, Directory};
pub use faults::FaultSettings;
pub use server::{EmulatorHandle, RunningEmulator, spawn, start};
pub use stats::Stats;

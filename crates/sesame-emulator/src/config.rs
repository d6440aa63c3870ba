//! The knobs of an emulator: directory size, lifetimes, latency, throttling and faults.

use std::time::Duration;

use crate::adfs::AdfsConfig;

/// Everything that shapes one emulator instance.
///
/// Every field is also a flag of the `sesame-emulator` binary (see `--help`). `Default` gives a
/// small, fast, fault-free Identity Center where a user must approve device codes and PKCE
/// requests (or a test approves them through the control API).
#[derive(Debug, Clone, PartialEq)]
pub struct EmulatorConfig {
    /// Loopback port to bind on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// How many accounts the user is assigned.
    pub accounts: usize,
    /// How many roles (permission sets) the user has in each account.
    pub roles_per_account: usize,
    /// Delay added to every OIDC and portal call (not to pages or control endpoints).
    pub latency: Duration,
    /// Global token-bucket throttle over OIDC and portal calls, in requests per second; past it
    /// calls answer 429 TooManyRequestsException. `None` means unlimited.
    pub tps: Option<f64>,
    /// Probability (0..=1) that an OIDC or portal call answers 429 TooManyRequestsException.
    pub fault_429: f64,
    /// Probability (0..=1) that an OIDC or portal call answers 500 InternalServerException.
    pub fault_500: f64,
    /// Probability (0..=1) that an OIDC or portal call gets no answer: the connection is closed.
    pub fault_drop: f64,
    /// Seed of the fault-injection random generator, so a faulty run can be replayed.
    pub seed: u64,
    /// Lifetime of access tokens (CreateToken `expiresIn`).
    pub token_lifetime: Duration,
    /// Lifetime of the sign-in session behind a refresh token; refreshing does not extend it.
    pub refresh_token_lifetime: Duration,
    /// Lifetime of a client registration (`clientSecretExpiresAt`).
    pub registration_lifetime: Duration,
    /// Lifetime of a device code (StartDeviceAuthorization `expiresIn`).
    pub device_code_lifetime: Duration,
    /// Minimum polling interval for device codes (StartDeviceAuthorization `interval`); polling
    /// sooner answers SlowDownException. Zero disables the check.
    pub interval: Duration,
    /// Lifetime of role credentials returned by GetRoleCredentials.
    pub credentials_lifetime: Duration,
    /// Lifetime of the sign-in service's credentials (CreateOAuth2Token `expiresIn`, at most 900
    /// seconds on AWS); shorten it to make `aws login` sessions refresh.
    pub signin_credentials_lifetime: Duration,
    /// Approve device codes as soon as they are issued and PKCE requests without a consent page.
    pub auto_approve: bool,
    /// Names that replace the generated names of the first accounts (in generation order), to
    /// test names with quotes, brackets and other awkward characters.
    pub account_names: Vec<String>,
    /// The SAML IdP's users and assertion settings.
    pub adfs: AdfsConfig,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            port: 0,
            accounts: 5,
            roles_per_account: 3,
            latency: Duration::ZERO,
            tps: None,
            fault_429: 0.0,
            fault_500: 0.0,
            fault_drop: 0.0,
            seed: 0,
            token_lifetime: Duration::from_secs(3600),
            refresh_token_lifetime: Duration::from_secs(8 * 3600),
            registration_lifetime: Duration::from_secs(90 * 24 * 3600),
            device_code_lifetime: Duration::from_secs(600),
            interval: Duration::from_secs(1),
            credentials_lifetime: Duration::from_secs(3600),
            signin_credentials_lifetime: Duration::from_secs(900),
            auto_approve: false,
            account_names: Vec::new(),
            adfs: AdfsConfig::default(),
        }
    }
}

impl EmulatorConfig {
    /// A default configuration that approves every device code and PKCE request by itself.
    pub fn auto_approving() -> Self {
        Self {
            auto_approve: true,
            ..Self::default()
        }
    }
}

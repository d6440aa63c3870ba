//! What the emulator remembers: registrations, device codes, authorization codes, tokens and the
//! role credentials it issued.
//!
//! Everything sits in one [`Store`] behind a `Mutex`; handlers take the lock for a few map
//! operations and never across an `.await`.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use serde::{Deserialize, Serialize};

use crate::{
    config::EmulatorConfig,
    directory::Directory,
    faults::Faults,
    stats::{Counter, StatsRecorder},
};

/// The account and role a set of issued role credentials belongs to
/// (`GET /_emulator/whoami`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RoleAssignment {
    /// 12-digit account id.
    pub(crate) account_id: String,
    /// Role (permission set) name.
    pub(crate) role_name: String,
}

/// A registered OIDC client.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub(crate) secret: String,
    pub(crate) expires: Instant,
    pub(crate) grant_types: Vec<String>,
    pub(crate) redirect_uris: Vec<String>,
    pub(crate) scopes: Vec<String>,
}

impl Client {
    /// Whether the registration allows `grant`. A registration without grantTypes gets the
    /// device-code and refresh-token grants, as the legacy clients expect.
    pub(crate) fn allows(&self, grant: &str) -> bool {
        if self.grant_types.is_empty() {
            grant == crate::oidc::DEVICE_CODE_GRANT || grant == "refresh_token"
        } else {
            self.grant_types.iter().any(|g| g == grant)
        }
    }

    /// Whether tokens issued to this client come with a refresh token.
    pub(crate) fn gets_refresh_tokens(&self) -> bool {
        !self.scopes.is_empty() || self.grant_types.iter().any(|g| g == "refresh_token")
    }
}

/// Where a device code stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeviceStatus {
    Pending,
    Approved,
    Denied,
    Redeemed,
}

/// A device code issued by StartDeviceAuthorization.
#[derive(Debug, Clone)]
pub(crate) struct DeviceAuthorization {
    pub(crate) client_id: String,
    pub(crate) user_code: String,
    pub(crate) expires: Instant,
    pub(crate) last_poll: Option<Instant>,
    pub(crate) status: DeviceStatus,
}

/// An authorization request waiting on the consent page (no auto-approve).
#[derive(Debug, Clone)]
pub(crate) struct PendingConsent {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) state: Option<String>,
    pub(crate) code_challenge: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires: Instant,
}

/// A PKCE authorization code issued by `/authorize`.
#[derive(Debug, Clone)]
pub(crate) struct AuthorizationCode {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
    pub(crate) code_challenge: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires: Instant,
}

/// An access token; `session` ties it to the sign-in that Logout ends.
#[derive(Debug, Clone)]
pub(crate) struct AccessToken {
    pub(crate) session: u64,
    pub(crate) expires: Instant,
}

/// A refresh token; it lives as long as its sign-in session.
#[derive(Debug, Clone)]
pub(crate) struct RefreshToken {
    pub(crate) client_id: String,
    pub(crate) session: u64,
    pub(crate) scopes: Vec<String>,
    pub(crate) expires: Instant,
}

/// Every piece of mutable state.
#[derive(Debug, Default)]
pub(crate) struct Store {
    pub(crate) clients: HashMap<String, Client>,
    pub(crate) device_codes: HashMap<String, DeviceAuthorization>,
    /// user code → device code
    pub(crate) user_codes: HashMap<String, String>,
    pub(crate) consents: HashMap<String, PendingConsent>,
    pub(crate) auth_codes: HashMap<String, AuthorizationCode>,
    pub(crate) access_tokens: HashMap<String, AccessToken>,
    pub(crate) refresh_tokens: HashMap<String, RefreshToken>,
    /// access key id → account and role
    pub(crate) credentials: HashMap<String, RoleAssignment>,
    /// The sign-in service's codes and refresh tokens (`aws login`).
    pub(crate) signin: crate::signin::SigninStore,
    next_session: u64,
    writes: u64,
}

/// How long expired device codes are kept so that polling them answers ExpiredTokenException.
const EXPIRED_DEVICE_CODE_GRACE: Duration = Duration::from_secs(3600);

impl Store {
    /// A fresh sign-in session id.
    pub(crate) fn new_session(&mut self) -> u64 {
        self.next_session += 1;
        self.next_session
    }

    /// Ends a sign-in session: every access and refresh token of it stops working.
    pub(crate) fn end_session(&mut self, session: u64) {
        self.access_tokens.retain(|_, t| t.session != session);
        self.refresh_tokens.retain(|_, t| t.session != session);
    }

    /// Called after each insertion; every so often forgets what has expired, so a long
    /// benchmark does not grow memory without bound.
    pub(crate) fn note_write(&mut self, now: Instant) {
        self.writes += 1;
        if self.writes.is_multiple_of(1024) {
            self.clients.retain(|_, c| c.expires > now);
            self.device_codes
                .retain(|_, d| d.expires + EXPIRED_DEVICE_CODE_GRACE > now);
            let device_codes = &self.device_codes;
            self.user_codes.retain(|_, d| device_codes.contains_key(d));
            self.consents.retain(|_, c| c.expires > now);
            self.auth_codes.retain(|_, c| c.expires > now);
            self.access_tokens.retain(|_, t| t.expires > now);
            self.refresh_tokens.retain(|_, t| t.expires > now);
        }
    }

    /// Approves (or denies) the pending device code behind `user_code`; false if there is none.
    pub(crate) fn decide_device(&mut self, user_code: &str, approve: bool, now: Instant) -> bool {
        let user_code = normalize_user_code(user_code);
        let Some(device_code) = self.user_codes.get(&user_code) else {
            return false;
        };
        match self.device_codes.get_mut(device_code) {
            Some(d) if d.status == DeviceStatus::Pending && d.expires > now => {
                d.status = if approve {
                    DeviceStatus::Approved
                } else {
                    DeviceStatus::Denied
                };
                true
            }
            _ => false,
        }
    }
}

/// User codes are shown as `ABCD-EFGH`; accept them typed in any case, with or without the dash.
pub(crate) fn normalize_user_code(code: &str) -> String {
    let letters: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if letters.len() == 8 {
        format!("{}-{}", &letters[..4], &letters[4..])
    } else {
        letters
    }
}

/// Everything the handlers share: configuration, directory, counters, faults and the store.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: EmulatorConfig,
    pub(crate) base_url: String,
    pub(crate) directory: Directory,
    pub(crate) stats: StatsRecorder,
    pub(crate) faults: Faults,
    pub(crate) store: Mutex<Store>,
}

impl Shared {
    pub(crate) fn new(config: EmulatorConfig, base_url: String) -> Self {
        Self {
            directory: Directory::generate(config.accounts, config.roles_per_account)
                .with_names(&config.account_names),
            faults: Faults::new(&config),
            base_url,
            config,
            stats: StatsRecorder::default(),
            store: Mutex::new(Store::default()),
        }
    }

    /// Locks the store. A panic elsewhere does not make the emulator unusable.
    pub(crate) fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Approves the pending device code behind `user_code` (as the verification page would).
    pub(crate) fn approve(&self, user_code: &str) -> bool {
        self.decide(user_code, true)
    }

    /// Denies the pending device code behind `user_code`.
    pub(crate) fn deny(&self, user_code: &str) -> bool {
        self.decide(user_code, false)
    }

    fn decide(&self, user_code: &str, approve: bool) -> bool {
        let decided = self
            .store()
            .decide_device(user_code, approve, Instant::now());
        if decided && approve {
            self.stats.bump(Counter::Authorizations);
        }
        decided
    }

    /// User codes of device authorizations still waiting for the user, oldest first.
    pub(crate) fn pending_user_codes(&self) -> Vec<String> {
        let now = Instant::now();
        let store = self.store();
        let mut pending: Vec<(Instant, String)> = store
            .device_codes
            .values()
            .filter(|d| d.status == DeviceStatus::Pending && d.expires > now)
            .map(|d| (d.expires, d.user_code.clone()))
            .collect();
        pending.sort();
        pending.into_iter().map(|(_, code)| code).collect()
    }

    /// The account and role of issued role credentials.
    pub(crate) fn whoami(&self, access_key_id: &str) -> Option<RoleAssignment> {
        self.store().credentials.get(access_key_id).cloned()
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn epoch_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Milliseconds since the Unix epoch.
pub(crate) fn epoch_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// An opaque random string of `len` characters from `[A-Za-z0-9]`.
pub(crate) fn random_token(len: usize) -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(len)
        .collect()
}

/// A random user code like `BKDW-HQTZ` (consonants only, so it spells no words).
pub(crate) fn random_user_code() -> String {
    const ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
    let mut code = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            code.push('-');
        }
        code.push(ALPHABET[fastrand::usize(..ALPHABET.len())] as char);
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_look_real_and_normalize() {
        let code = random_user_code();
        assert_eq!(code.len(), 9);
        assert_eq!(&code[4..5], "-");
        assert_eq!(
            normalize_user_code(&code.to_lowercase().replace('-', "")),
            code
        );
        assert_eq!(normalize_user_code(" abcd-efgh "), "ABCD-EFGH");
    }
}

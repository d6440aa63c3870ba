//! Counters a test reads to check what a client did (`GET /_emulator/stats`).

use std::{
    collections::BTreeMap,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use serde::{Deserialize, Serialize};

/// A snapshot of the emulator's counters, as `GET /_emulator/stats` returns it (snake_case JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Successful RegisterClient calls.
    pub registrations: u64,
    /// Successful StartDeviceAuthorization calls.
    pub device_authorizations: u64,
    /// Approved device codes plus PKCE authorization codes issued.
    pub authorizations: u64,
    /// Access tokens issued by CreateToken, whatever the grant (refreshes included).
    pub tokens_issued: u64,
    /// Access tokens issued by the `refresh_token` grant.
    pub refreshes: u64,
    /// Successful Logout calls.
    pub logouts: u64,
    /// Role credentials issued by GetRoleCredentials.
    pub role_credentials_issued: u64,
    /// Calls answered 429 by the `tps` throttle.
    pub throttled: u64,
    /// Calls answered 429 by fault injection (`fault_429`).
    pub faults_429: u64,
    /// Calls answered 500 by fault injection (`fault_500`).
    pub faults_500: u64,
    /// Connections closed without an answer by fault injection (`fault_drop`).
    pub faults_dropped: u64,
    /// Requests received per operation (RegisterClient, StartDeviceAuthorization, CreateToken,
    /// Authorize, ListAccounts, ListAccountRoles, GetRoleCredentials, Logout), counted before
    /// throttling and faults.
    pub requests: BTreeMap<String, u64>,
}

/// A counter of [`Stats`], named after its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counter {
    Registrations,
    DeviceAuthorizations,
    Authorizations,
    TokensIssued,
    Refreshes,
    Logouts,
    RoleCredentialsIssued,
    Throttled,
    Faults429,
    Faults500,
    FaultsDropped,
}

const COUNTERS: usize = 11;

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
pub(crate) struct StatsRecorder {
    counters: [AtomicU64; COUNTERS],
    requests: Mutex<BTreeMap<&'static str, u64>>,
}

impl StatsRecorder {
    pub(crate) fn bump(&self, counter: Counter) {
        self.counters[counter as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn request(&self, operation: &'static str) {
        let mut requests = self.requests.lock().expect("stats lock");
        *requests.entry(operation).or_default() += 1;
    }

    pub(crate) fn snapshot(&self) -> Stats {
        let get = |c: Counter| self.counters[c as usize].load(Ordering::Relaxed);
        let requests = self
            .requests
            .lock()
            .expect("stats lock")
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect();
        Stats {
            registrations: get(Counter::Registrations),
            device_authorizations: get(Counter::DeviceAuthorizations),
            authorizations: get(Counter::Authorizations),
            tokens_issued: get(Counter::TokensIssued),
            refreshes: get(Counter::Refreshes),
            logouts: get(Counter::Logouts),
            role_credentials_issued: get(Counter::RoleCredentialsIssued),
            throttled: get(Counter::Throttled),
            faults_429: get(Counter::Faults429),
            faults_500: get(Counter::Faults500),
            faults_dropped: get(Counter::FaultsDropped),
            requests,
        }
    }
}

impl Stats {
    /// Requests received for one operation (0 if none).
    pub fn requests_for(&self, operation: &str) -> u64 {
        self.requests.get(operation).copied().unwrap_or(0)
    }
}

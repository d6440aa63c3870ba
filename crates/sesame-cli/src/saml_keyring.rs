//! The IdP password in the OS keyring, only when the user asks for it (`--remember-password`).
//!
//! One entry per IdP origin and user name: service `sesame-saml:<origin>` (the IdP's
//! `scheme://host[:port]`, as the kept session cookies are keyed), account = the user name as
//! typed. The store is the operating system's own, through the `keyring` crate:
//!
//! | OS | Store | How long an entry lasts |
//! |---|---|---|
//! | Linux | the kernel key retention service (keyutils): the user's persistent keyring (linked into the session keyring) | until the machine restarts, or until the persistent keyring goes unused for `/proc/sys/kernel/keys/persistent_keyring_expiry` seconds (3 days by default) |
//! | macOS | the login Keychain (generic password) | until removed |
//! | Windows | the Credential Manager (generic credential) | until removed |
//!
//! On Linux the kernel keyring is used rather than the Secret Service (GNOME Keyring, KWallet)
//! because it needs no D-Bus session: it works over SSH, in WSL and in containers whose seccomp
//! profile allows the `add_key`/`keyctl` system calls.

use sesame::Secret;

/// The prefix of every entry's service name.
pub(crate) const SERVICE_PREFIX: &str = "sesame-saml";

/// The store's name, for messages.
pub(crate) fn store_name() -> &'static str {
    if cfg!(target_os = "linux") {
        "the Linux kernel keyring"
    } else if cfg!(target_os = "macos") {
        "the macOS Keychain"
    } else if cfg!(windows) {
        "the Windows Credential Manager"
    } else {
        "the OS keyring"
    }
}

/// How long an entry lasts in the store, for messages.
pub(crate) fn persistence() -> &'static str {
    if cfg!(target_os = "linux") {
        "kept until the machine restarts"
    } else {
        "kept until removed"
    }
}

/// Why the keyring cannot be used.
#[derive(Debug)]
pub(crate) struct KeyringError {
    source: keyring::Error,
}

impl std::fmt::Display for KeyringError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.source.fmt(f)
    }
}

impl std::error::Error for KeyringError {}

/// The entry of `username` at the IdP `origin`.
pub(crate) struct PasswordEntry {
    origin: String,
    username: String,
}

impl PasswordEntry {
    pub(crate) fn new(origin: &str, username: &str) -> Self {
        Self {
            origin: origin.to_owned(),
            username: username.trim().to_owned(),
        }
    }

    fn entry(&self) -> Result<keyring::Entry, KeyringError> {
        join_persistent_keyring();
        keyring::Entry::new(&service(&self.origin), &self.username)
            .map_err(|source| KeyringError { source })
    }

    /// The stored password, if there is one.
    pub(crate) fn get(&self) -> Result<Option<Secret>, KeyringError> {
        match self.entry()?.get_password() {
            Ok(p) => Ok(Some(Secret::new(p))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(source) => Err(KeyringError { source }),
        }
    }

    /// Stores `password`, replacing any earlier one.
    pub(crate) fn set(&self, password: &Secret) -> Result<(), KeyringError> {
        self.entry()?
            .set_password(password.expose())
            .map_err(|source| KeyringError { source })
    }

    /// Removes the entry; `false` when there was none.
    pub(crate) fn delete(&self) -> Result<bool, KeyringError> {
        match self.entry()?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(source) => Err(KeyringError { source }),
        }
    }

    /// `alice@example.com at https://adfs.example.com`, for messages.
    pub(crate) fn describe(&self) -> String {
        format!("{} at {}", self.username, self.origin)
    }
}

/// Linux: makes sure this process has a session keyring with the user's persistent keyring
/// linked into it, before the `keyring` crate looks up its session keyring.
///
/// The crate takes the session keyring's id first and links the persistent keyring second. A
/// process without a session keyring of its own (no `pam_keyinit` login: containers, CI, cron,
/// some SSH setups) gets the user-session keyring's id from the first call, and a new anonymous
/// session keyring from the second; its search then runs in a keyring that does not hold the
/// persistent one, and a password stored by an earlier run is never found. Linking first makes
/// both calls name the same keyring. Failure (no persistent keyrings in this kernel) is fine:
/// the crate then keeps entries in the session keyring alone.
fn join_persistent_keyring() {
    #[cfg(target_os = "linux")]
    {
        // Every time, not once: a session keyring belongs to the calling thread's credentials.
        use linux_keyutils::{KeyRing, KeyRingIdentifier};
        if let Err(e) = KeyRing::get_persistent(KeyRingIdentifier::Session) {
            tracing::debug!("no persistent keyring: {e:?}");
        }
    }
}

fn service(origin: &str) -> String {
    format!("{SERVICE_PREFIX}:{origin}")
}

/// Checks that the store can be used, without writing anything: a lookup of an entry no one
/// stores must answer "no such entry". (A blocked or missing kernel keyring answers an error.)
pub(crate) fn probe() -> Result<(), KeyringError> {
    PasswordEntry::new("probe", "sesame-probe").get().map(drop)
}

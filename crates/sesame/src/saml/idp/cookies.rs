//! The IdP's session cookies, kept between runs so the next sign-in can skip the password while
//! the IdP's session lasts (as a browser would; aws-adfs keeps a cookie jar per host too).
//!
//! One file per IdP origin and user name under `~/.aws/sesame/saml/`, JSON (cookie_store's
//! format), written atomically with mode 0600: a session cookie is a bearer credential. The user
//! name is part of the key so that `--username bob` never rides on alice's IdP session (a
//! sign-in whose user name is typed at the prompt uses the origin's own jar). Expired cookies are
//! dropped when read; session (non-persistent) cookies are kept, as the IdP's own session
//! decides how long they are good for.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cookie_store::CookieStore;
use reqwest_cookie_store::CookieStoreMutex;
use sha1::Digest as _;
use url::Url;

use crate::env::Env;
use crate::fsutil;

/// A cookie jar for one sign-in, loaded from and saved to the IdP's file (or in memory only).
#[derive(Debug, Clone)]
pub struct SessionCookies {
    store: Arc<CookieStoreMutex>,
    path: Option<PathBuf>,
}

impl SessionCookies {
    /// An empty jar that is never saved.
    pub fn in_memory() -> Self {
        Self {
            store: Arc::new(CookieStoreMutex::new(CookieStore::default())),
            path: None,
        }
    }

    /// The file that keeps `idp`'s cookies for `username`:
    /// `~/.aws/sesame/saml/cookies-<sha1 of "origin" or "origin\nusername">.json`.
    pub fn path_for(env: &Env, idp: &Url, username: Option<&str>) -> PathBuf {
        let mut key = idp.origin().ascii_serialization();
        if let Some(user) = username.map(str::trim).filter(|u| !u.is_empty()) {
            key = format!("{key}\n{user}");
        }
        let hash = hex::encode(sha1::Sha1::digest(key.as_bytes()));
        env.sesame_dir()
            .join("saml")
            .join(format!("cookies-{hash}.json"))
    }

    /// The jar kept for `username` at `idp`; a missing or unreadable file gives an empty jar
    /// (the worst case is a password prompt).
    pub fn load(env: &Env, idp: &Url, username: Option<&str>) -> Self {
        let path = Self::path_for(env, idp, username);
        let store = std::fs::File::open(&path)
            .ok()
            .and_then(|f| cookie_store::serde::json::load(BufReader::new(f)).ok())
            .unwrap_or_default();
        Self {
            store: Arc::new(CookieStoreMutex::new(store)),
            path: Some(path),
        }
    }

    /// Where the jar is saved, if anywhere.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Saves the jar (0600, atomically). Nothing happens for an in-memory jar.
    pub fn save(&self) -> std::io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let mut bytes = Vec::new();
        {
            let store = self
                .store
                .lock()
                .map_err(|_| std::io::Error::other("the cookie jar is poisoned"))?;
            cookie_store::serde::json::save_incl_expired_and_nonpersistent(&store, &mut bytes)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        fsutil::write_atomic(path, &bytes, fsutil::SECRET_FILE_MODE)
    }

    /// Forgets every cookie (in memory: the kept file is overwritten at the next [`save`]).
    ///
    /// [`save`]: Self::save
    pub fn clear(&self) {
        if let Ok(mut store) = self.store.lock() {
            store.clear();
        }
    }

    pub(crate) fn provider(&self) -> Arc<CookieStoreMutex> {
        self.store.clone()
    }
}

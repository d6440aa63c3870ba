//! The process environment, captured once and passed down, so the library never reads
//! `std::env` deep inside and tests can hand it any world they like.

use std::collections::BTreeMap;
use std::path::PathBuf;

/// A snapshot of the environment variables and home directory sesame works from.
#[derive(Debug, Clone, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
    home: Option<PathBuf>,
}

impl Env {
    /// The current process environment.
    pub fn from_process() -> Self {
        let vars: BTreeMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let home = vars
            .get("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .or_else(std::env::home_dir);
        Self { vars, home }
    }

    /// An environment made of the given variables (`HOME` among them gives the home directory).
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        let vars: BTreeMap<String, String> = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        let home = vars.get("HOME").map(PathBuf::from);
        Self { vars, home }
    }

    /// A variable's value; empty values count as unset, as botocore treats them.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether a boolean-ish variable is set to a true value (`1`, `true`, `yes`, any case).
    pub fn flag(&self, name: &str) -> bool {
        self.var(name)
            .is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"))
    }

    /// The user's home directory.
    pub fn home(&self) -> PathBuf {
        self.home.clone().unwrap_or_else(|| PathBuf::from("."))
    }

    /// `~/.aws`.
    pub fn aws_dir(&self) -> PathBuf {
        self.home().join(".aws")
    }

    /// The shared config file: `AWS_CONFIG_FILE` (with `~` expanded) or `~/.aws/config`.
    pub fn config_file(&self) -> PathBuf {
        self.var("AWS_CONFIG_FILE")
            .map(|p| self.expand_user(p))
            .unwrap_or_else(|| self.aws_dir().join("config"))
    }

    /// The shared credentials file: `AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`.
    pub fn credentials_file(&self) -> PathBuf {
        self.var("AWS_SHARED_CREDENTIALS_FILE")
            .map(|p| self.expand_user(p))
            .unwrap_or_else(|| self.aws_dir().join("credentials"))
    }

    /// The AWS CLI v2 SSO token cache: `~/.aws/sso/cache`.
    pub fn sso_cache_dir(&self) -> PathBuf {
        self.aws_dir().join("sso").join("cache")
    }

    /// The AWS CLI v2 credential cache: `~/.aws/cli/cache`.
    pub fn cli_cache_dir(&self) -> PathBuf {
        self.aws_dir().join("cli").join("cache")
    }

    /// sesame's own cache directory (listing caches, lock files): `~/.aws/sesame`.
    pub fn sesame_dir(&self) -> PathBuf {
        self.aws_dir().join("sesame")
    }

    /// The profile selected by the environment: `AWS_DEFAULT_PROFILE`, then `AWS_PROFILE`
    /// (botocore's order).
    pub fn profile(&self) -> Option<&str> {
        self.var("AWS_DEFAULT_PROFILE")
            .or_else(|| self.var("AWS_PROFILE"))
    }

    fn expand_user(&self, path: &str) -> PathBuf {
        if path == "~" {
            self.home()
        } else if let Some(rest) = path.strip_prefix("~/") {
            self.home().join(rest)
        } else {
            PathBuf::from(path)
        }
    }
}
